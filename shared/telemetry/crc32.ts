/**
 * CRC-32 (IEEE 802.3 / zlib / PNG; reflected polynomial 0xEDB88320, init and final XOR
 * 0xFFFFFFFF) of a byte string — the same function as Espruino's built-in `E.CRC32`.
 * Check value: crc32("123456789") = 0xCBF43926; crc32("hello") = 907060870.
 *
 * API:
 * - `crc32(s)` → unsigned 32-bit integer (0 … 4294967295). Each char contributes its low
 *   byte (`charCodeAt & 0xFF`): pass ASCII / byte strings only (telemetry bodies are ASCII).
 * - `crc32Hex(s)` / `crcToHex(n)` → 8 lowercase hex digits, zero-padded.
 * - `Crc32Fn` — the type of an injected implementation (the firmware passes `E.CRC32`, which
 *   runs natively; it may return a signed value, `crcToHex` normalises it).
 */

export type Crc32Fn = (s: string) => number;

/** Reflected CRC-32 polynomial (ISO 3309 / ITU-T V.42, as used by zlib). */
const CRC32_POLY_REFLECTED = 0xedb88320;
/** 2^32: converts a signed 32-bit result to unsigned without `>>>` on a possibly-double value. */
const TWO_POW_32 = 4294967296;

function makeTable(): Int32Array {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? CRC32_POLY_REFLECTED ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
}

/**
 * Byte-wise lookup table (1 KB), built on first use and read-only afterwards: the firmware uses
 * `E.CRC32` and never builds it (≈ 77 JsVars on the ESP32 it would hold from boot).
 */
const CRC32_TABLE: { t: Int32Array | null } = { t: null };

/** CRC-32 of the low bytes of `s`'s char codes, as an unsigned integer. */
export function crc32(s: string): number {
  const t = CRC32_TABLE.t !== null ? CRC32_TABLE.t : (CRC32_TABLE.t = makeTable());
  let c = -1;
  for (let i = 0; i < s.length; i++) c = t[(c ^ s.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  c = c ^ -1;
  return c < 0 ? c + TWO_POW_32 : c;
}

/**
 * 8 lowercase hex digits of a CRC value (signed or unsigned 32-bit input): 2^32 + u printed in
 * radix 16 is "1" and the 8 digits (one native call; Espruino 2v29 prints these doubles exactly,
 * measured on the native and the ESP32-format builds, test/realEspruino).
 */
export function crcToHex(n: number): string {
  return ((n < 0 ? n + TWO_POW_32 : n) + TWO_POW_32).toString(16).substring(1);
}

/** CRC-32 of `s` as 8 lowercase hex digits. */
export function crc32Hex(s: string): string {
  return crcToHex(crc32(s));
}
