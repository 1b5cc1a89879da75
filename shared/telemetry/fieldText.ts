/**
 * Text of one telemetry field: numbers and strings, written the same way by Espruino and
 * Node. Espruino prints non-integers with ~12 digits and oddities (`123456789.123` →
 * `123456789.12299999594`) and rounds `Math.round(-2.5)` to −3, so numbers are never
 * printed as decimals: they become integers (exact on both) with a decimal exponent.
 *
 * Number grammar (decoder): `N` (NaN) | `I` (+Infinity) | `-I` (−Infinity) |
 * `-?DIGITS` | `-?DIGITS e -?DIGITS` (mantissa × 10^exponent). A field's scale (see
 * lineFormat.ts) divides the result: a fixed field with 4 decimals sends 1.2345 V as `12345`.
 *
 * String grammar: printable ASCII 0x20…0x7E except `%`, `,`, `;`, `*`, `#` stands for itself;
 * any other char code c ≤ 0xFF is `%hh`, c > 0xFF is `%uhhhh` (lowercase hex). So a field
 * never contains a separator, the CRC marker or the line marker, and any string round-trips.
 *
 * API: `roundHalfAway(x)`, `encodeFixed(x, decimals)`, `encodeSig(x, digits)`,
 * `parseNumber(text, decimals)` (NaN-valued fields decode to NaN; a malformed text returns
 * `undefined`), `escapeText(s)`, `unescapeText(s)` (`undefined` when malformed).
 */

/** Largest integer a double holds exactly (2^53); Number.MAX_SAFE_INTEGER is missing on Espruino. */
export const MAX_EXACT_INT = 9007199254740992;
/** Significant digits of `g` fields: mantissas < 10^9 < 2^31 print exactly everywhere. */
export const SIG_DIGITS = 9;

/** Round half away from zero (Math.round differs for negative halves between engines). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** Exact powers of ten 10^0 … 10^22 (every one is a double exactly). */
export const POW10: number[] = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/** 10^k for integer 0 ≤ k ≤ 22 (exact; a table lookup, cheap on Espruino). */
function pow10(k: number): number {
  return POW10[k];
}

function encodeSpecial(x: number): string {
  if (isNaN(x)) return "N";
  return x > 0 ? "I" : "-I";
}

/**
 * `x` × 10^decimals rounded to an integer (half away from zero). Falls back to the
 * significant-digit form when the scaled value is not exactly representable.
 */
export function encodeFixed(x: number, decimals: number): string {
  return encodeScaled(x, POW10[decimals]);
}

/** Math.floor, found once: on Espruino `Math.floor` looks up `Math` through every scope, then `floor`. */
const floor = Math.floor;

/**
 * encodeFixed with the power of ten given (`scale` = 10^decimals, from POW10): the line encoder
 * calls this ≈ 20 times per status line, every sample, so it is written for Espruino — one call,
 * no isFinite/isNaN/String lookups (docs/performance.md, "Step and sample speed").
 */
export function encodeScaled(x: number, scale: number): string {
  const y = x * scale;
  // NaN or ±Infinity (in x, or the scaled value overflowed): y − y is NaN; sign as x's
  if (y - y !== 0) return encodeSpecial(y);
  const n = y < 0 ? -floor(-y + 0.5) : floor(y + 0.5);
  if (n === 0) return "0";
  if (n > MAX_EXACT_INT || n < -MAX_EXACT_INT) return encodeSig(y, SIG_DIGITS);
  return "" + n;
}

/** ax × 10^k for any integer k, in exact steps of at most 10^22 (no overflow for subnormals). */
function scaleBy10(ax: number, k: number): number {
  let y = ax;
  let kk = k;
  while (kk > 22) {
    y *= 1e22;
    kk -= 22;
  }
  while (kk < -22) {
    y /= 1e22;
    kk += 22;
  }
  return kk >= 0 ? y * pow10(kk) : y / pow10(-kk);
}

/** `x` with `digits` significant digits as `mantissa` or `mantissa e exponent`, trailing zeros folded into the exponent. */
export function encodeSig(x: number, digits: number): string {
  if (!isFinite(x)) return encodeSpecial(x);
  if (x === 0) return "0";
  const neg = x < 0;
  const ax = neg ? -x : x;
  const top = pow10(digits);
  let k = digits - 1 - Math.floor(Math.log(ax) / Math.LN10); // mantissa = ax × 10^k
  let m = roundHalfAway(scaleBy10(ax, k));
  if (m >= top) {
    // log() put the exponent one too high: one digit too many
    k--;
    m = roundHalfAway(scaleBy10(ax, k));
  } else if (m < top / 10) {
    k++;
    m = roundHalfAway(scaleBy10(ax, k));
  }
  if (m >= top) {
    // rounding carried into a new digit (e.g. 9.999999999 → 10.0000000)
    m = m / 10;
    k--;
  }
  while (m !== 0 && m % 10 === 0) {
    m = m / 10;
    k--;
  }
  return (neg ? "-" : "") + String(m) + (k === 0 ? "" : "e" + String(-k));
}

function isDigits(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Value of a number field scaled by 10^−decimals, or `undefined` when the text is not a number. */
export function parseNumber(text: string, decimals: number): number | undefined {
  if (text === "N") return NaN;
  if (text === "I") return Infinity;
  if (text === "-I") return -Infinity;
  const start = text.charAt(0) === "-" ? 1 : 0;
  const ePos = text.indexOf("e");
  const mEnd = ePos < 0 ? text.length : ePos;
  if (!isDigits(text, start, mEnd)) return undefined;
  if (ePos >= 0) {
    const expStart = text.charAt(ePos + 1) === "-" ? ePos + 2 : ePos + 1;
    if (!isDigits(text, expStart, text.length)) return undefined;
  }
  const v = parseFloat(text);
  if (isNaN(v)) return undefined;
  return decimals === 0 ? v : v / pow10(decimals);
}

const HEX = "0123456789abcdef";

function hex(n: number, width: number): string {
  let s = "";
  for (let i = width - 1; i >= 0; i--) s += HEX.charAt((n >> (4 * i)) & 15);
  return s;
}

/** True for the chars that stand for themselves in a string field. */
function isPlain(c: number): boolean {
  // % , ; * #
  return c >= 0x20 && c <= 0x7e && c !== 0x25 && c !== 0x2c && c !== 0x3b && c !== 0x2a && c !== 0x23;
}

/** Escape a string for a field (see the grammar above). */
export function escapeText(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isPlain(c)) out += s.charAt(i);
    else if (c <= 0xff) out += "%" + hex(c, 2);
    else out += "%u" + hex(c, 4);
  }
  return out;
}

function hexValue(s: string, from: number, width: number): number {
  let v = 0;
  for (let i = from; i < from + width; i++) {
    const d = HEX.indexOf(s.charAt(i));
    if (d < 0 || i >= s.length) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Inverse of `escapeText`; `undefined` for a bad escape or a char that must have been escaped. */
export function unescapeText(s: string): string | undefined {
  let out = "";
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      if (s.charAt(i + 1) === "u") {
        const v = hexValue(s, i + 2, 4);
        if (v <= 0xff) return undefined; // negative = bad hex; ≤ 0xFF must use %hh
        out += String.fromCharCode(v);
        i += 6;
      } else {
        const v = hexValue(s, i + 1, 2);
        if (v < 0 || isPlain(v)) return undefined; // canonical: plain chars are never escaped
        out += String.fromCharCode(v);
        i += 3;
      }
    } else if (isPlain(c)) {
      out += s.charAt(i);
      i++;
    } else return undefined;
  }
  return out;
}
