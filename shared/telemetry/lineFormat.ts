/**
 * The telemetry line format (protocol version 1): one record per line, versioned,
 * sequence-numbered and CRC-32-checked, plain ASCII, compact for a 115200-baud UART.
 * Full description with examples: docs/protocol.md.
 *
 *     #Z1,<seq>,<type>,<field>,<field>,…*<crc>
 *
 * - `#Z` marks the start of telemetry; `1` is the protocol version (decimal digits).
 * - `<seq>`: decimal, 0 … SEQ_MODULUS−1, +1 per line, wraps to 0; restarts at 0 on boot.
 * - `<type>`: one letter (TYPE_CODES). Fields per type in FIELDS below, in order.
 * - `<crc>`: CRC-32 (crc32.ts, = Espruino `E.CRC32`) of every byte from `#` up to but not
 *   including `*`, as exactly 8 lowercase hex digits.
 * - Lists (per-cell values) are items joined by `;`. Numbers and strings: fieldText.ts.
 *
 * API:
 * - `encodeLine(rec, seq, crcFn?)` → the line without a newline. `crcFn` defaults to the
 *   portable `crc32`; the firmware passes `E.CRC32`. Throws (Error naming the field) only on
 *   a record that breaks its type (unknown type, a list that is not an array, a bad level).
 * - `decodeLine(line)` → `{ ok: true, version, seq, record }` or
 *   `{ ok: false, reason, detail }` with reason "notTelemetry" (no `#Z` marker: console
 *   text), "badCrc", "badVersion" (CRC fine, version not spoken here) or "malformed".
 *   Text before the marker (a REPL prompt) and a trailing `\r` are tolerated.
 * - `nextSeq(seq)`, constants `PROTOCOL_VERSION`, `LINE_MARKER`, `SEQ_MODULUS`, `TYPE_CODES`,
 *   `FIELDS` / `fieldSpecs(type)` (name:kind per type — the single source of the field order and resolution).
 */
import { crc32, crcToHex, Crc32Fn } from "./crc32";
import { encodeFixed, encodeScaled, encodeSig, escapeText, parseNumber, POW10, SIG_DIGITS, unescapeText } from "./fieldText";
import type { TelemetryRecord, TelemetryType } from "./records";

/** Version this code writes and reads. Any change of fields, order, kinds or grammar bumps it. */
export const PROTOCOL_VERSION = 1;
/** First bytes of every telemetry line. */
export const LINE_MARKER = "#Z";
/** Sequence numbers wrap to 0 here (2^31: stays a small integer on Espruino). */
export const SEQ_MODULUS = 2147483648;
/** Separates fields. */
const FIELD_SEP = ",";
/** Separates the items of a list field. */
const LIST_SEP = ";";
/** Separates the body from the CRC. */
const CRC_SEP = "*";
/** Char code of "0": a kind's decimals digit is its code minus this. */
const CHAR_0 = 48;
/** Length of the CRC text. */
const CRC_HEX_LEN = 8;

/** One-letter code of each record type on the wire. */
export const TYPE_CODES: Record<TelemetryType, string> = {
  status: "S",
  cycle: "C",
  rest: "R",
  retention: "T",
  alarm: "A",
  gap: "G",
  segment: "X",
  adams: "M",
  boot: "B",
  reply: "Y",
  error: "E",
  ident: "I",
  done: "D",
};

/**
 * Fields of each type, in wire order, as "path:kind". A path "cycle.ce" is the field `ce` of
 * the nested object `cycle`. Kinds: `i` integer (rounded half away from zero); `fN` fixed
 * point with N decimals (resolution 10^−N of the unit); `g` 9 significant digits (relative
 * resolution 5·10^−9); `lN` list of fixed point with N decimals; `b` boolean 0/1;
 * `v` alarm level w/a; `s` string.
 *
 * `fieldSpecs(type)` makes a new list per call (undefined for an unknown type): the firmware
 * holds no table of every type (≈ 250 JsVars on the ESP32, docs/performance.md), only the status
 * line's plan (planOf). `FIELDS` is the same lists for every type, for host code and tests; the
 * firmware bundle does not read it, so the bundler leaves it out (a pure initialiser).
 */
export function fieldSpecs(type: TelemetryType): string[] | undefined {
  if (type === "status") return [
    "tMs:i",
    "cellV:l4",
    "currentA:f6",
    "tempC:l1",
    "socFrac:l4",
    "segment:i",
    "cycleCount:i",
    "alarmMask:i",
    "lastCe:f6",
    "lastCeBound:f6",
    "lastEe:f6",
    "flags:i",
  ];
  if (type === "cycle") return [
    "tMs:i",
    "cycle.index:i",
    "cycle.startTMs:i",
    "cycle.endTMs:i",
    "cycle.chargeAh:g",
    "cycle.dischargeAh:g",
    "cycle.chargeWh:g",
    "cycle.dischargeWh:g",
    "cycle.ce:g",
    "cycle.ceBound:g",
    "cycle.ee:g",
    "cycle.ve:g",
    "cycle.meanChargeV:f6",
    "cycle.meanDischargeV:f6",
    "cycle.voltageGapV:f6",
    "cycle.chargeDurationS:f3",
    "cycle.dischargeDurationS:f3",
    "cycle.tempMinC:f2",
    "cycle.tempMaxC:f2",
    "cycle.flags:i",
    "cycle.cumulativeCe:g",
    "cycle.rollingCe:g",
    "cycle.cyclesTo80:g",
    "cycle.cyclesTo80Low:g",
    "cycle.cyclesTo80High:g",
    "cycle.restAh:g",
  ];
  if (type === "rest") return [
    "tMs:i",
    "rest.index:i",
    "rest.startTMs:i",
    "rest.endTMs:i",
    "rest.durationS:f3",
    "rest.after:i",
    "rest.relaxationDropV:f6",
    "rest.steadySlopeMVPerH:g",
    "rest.worstSlopeMVPerH:g",
    "rest.chargeLostEstAh:g",
    "rest.faulty:i",
  ];
  if (type === "retention") return ["tMs:i", "restIndex:i", "retention:g", "rcld:g", "chargeLostAh:g"];
  if (type === "alarm") return ["tMs:i", "id:s", "level:v", "raised:b", "value:g"];
  if (type === "gap") return ["tMs:i", "dtMs:i"];
  if (type === "segment") return ["tMs:i", "from:i", "to:i"];
  if (type === "adams") return ["tMs:i", "ce:g", "ceBound:g"];
  if (type === "boot") return ["tMs:i", "restored:b", "storedAgeS:i", "reason:s"];
  if (type === "reply") return ["id:s", "payload:s"];
  if (type === "error") return ["id:s", "text:s"];
  if (type === "ident") return ["fwVersion:s", "bundleHash:s", "board:s", "pack:s"];
  if (type === "done") return ["id:s"];
  return undefined;
}

function allFieldSpecs(): Record<TelemetryType, string[]> {
  const out = {} as Record<TelemetryType, string[]>;
  const types = Object.keys(TYPE_CODES) as TelemetryType[];
  for (let i = 0; i < types.length; i++) out[types[i]] = fieldSpecs(types[i]) as string[];
  return out;
}

/** `fieldSpecs` of every type, keyed in TYPE_CODES order (the single source of field order and resolution). */
export const FIELDS: Record<TelemetryType, string[]> = /* @__PURE__ */ allFieldSpecs();

export type DecodeReason = "notTelemetry" | "badCrc" | "badVersion" | "malformed";

export interface DecodeOk {
  ok: true;
  version: number;
  seq: number;
  record: TelemetryRecord;
}

export interface DecodeFail {
  ok: false;
  reason: DecodeReason;
  /** Human-readable detail quoting the offending part. */
  detail: string;
}

export type DecodeResult = DecodeOk | DecodeFail;

/** The sequence number after `seq`. */
export function nextSeq(seq: number): number {
  return seq + 1 >= SEQ_MODULUS ? 0 : seq + 1;
}

function kindOf(spec: string): string {
  return spec.substring(spec.indexOf(":") + 1);
}
function pathOf(spec: string): string {
  return spec.substring(0, spec.indexOf(":"));
}

function getPath(rec: object, path: string): unknown {
  const dot = path.indexOf(".");
  const r = rec as Record<string, unknown>;
  if (dot < 0) return r[path];
  const sub = r[path.substring(0, dot)] as Record<string, unknown>;
  if (sub === null || typeof sub !== "object") throw new Error("telemetry: record has no object '" + path.substring(0, dot) + "'");
  return sub[path.substring(dot + 1)];
}

function setPath(rec: Record<string, unknown>, path: string, v: unknown): void {
  const dot = path.indexOf(".");
  if (dot < 0) {
    rec[path] = v;
    return;
  }
  const head = path.substring(0, dot);
  if (rec[head] === undefined) rec[head] = {};
  (rec[head] as Record<string, unknown>)[path.substring(dot + 1)] = v;
}

/** Text of a field of kind g, s, b or v (`kind` is the letter); i, f and l are encodeLine's own. */
function encodeField(kind: string, v: unknown, path: string): string {
  if (kind === "g") return encodeSig(Number(v), SIG_DIGITS);
  if (kind === "s") return escapeText(String(v));
  if (kind === "b") return v ? "1" : "0";
  if (v === "warning") return "w";
  if (v === "alarm") return "a";
  throw new Error("telemetry: field '" + path + "' = " + String(v) + ' is not an alarm level; allowed: "warning", "alarm"');
}

/** A FieldPlan code at or above this is a list (`lN`) with code − LIST_CODE decimals. */
const LIST_CODE = 16;
/** FIELDS of one type split once for the encoder: paths, one number code per field. */
interface FieldPlan {
  paths: string[];
  /** Per field: decimals of `i` (0) and `fN`; LIST_CODE + decimals of `lN`; minus the kind
   *  letter's char code for g, s, b, v (encodeField). Numbers, not letters: an array read is
   *  cheaper than charAt on Espruino. */
  codes: number[];
  /** Some path is nested ("cycle.ce"). */
  nested: boolean;
  /** The status plan's kept tail (TailCache); null for other types. */
  tail: TailCache | null;
}

/**
 * The status line's last fields after its last list (segment … flags: cycle, alarm and flag
 * numbers that change a few times per cycle) with their values (after Number()) and text as of
 * the latest line: while every value is the same, the line reuses the text (same value, same
 * text) instead of encoding 7 numbers again — ≈ 100 reference iterations per sample on Espruino.
 */
interface TailCache {
  /** First field of the tail; the tail runs to the last field. */
  from: number;
  /** The tail's values on the latest line; NaN matches NaN. */
  values: Float64Array;
  /** Their text on the latest line, from the FIELD_SEP before field `from` on; "" = none yet. */
  text: string;
}

/** The status line's plan, made on first use and kept (one line per sample); other types are planned per line (rare). */
const STATUS_PLAN: { plan: FieldPlan | null } = { plan: null };

function planOf(type: TelemetryType): FieldPlan {
  if (type === "status" && STATUS_PLAN.plan !== null) return STATUS_PLAN.plan;
  const fields = fieldSpecs(type);
  if (fields === undefined) throw new Error("telemetry: unknown record type " + String(type) + "; allowed: " + Object.keys(TYPE_CODES).join(", "));
  const plan: FieldPlan = { paths: [], codes: [], nested: false, tail: null };
  for (let i = 0; i < fields.length; i++) {
    const kind = kindOf(fields[i]);
    const k = kind.charAt(0);
    const decimals = kind.length > 1 ? kind.charCodeAt(1) - CHAR_0 : 0;
    plan.paths.push(pathOf(fields[i]));
    if (pathOf(fields[i]).indexOf(".") >= 0) plan.nested = true;
    plan.codes.push(k === "i" || k === "f" ? decimals : k === "l" ? LIST_CODE + decimals : -kind.charCodeAt(0));
  }
  if (type === "status") {
    // the tail: the scalar fields after the last list (or other) field
    let from = fields.length;
    while (from > 0 && plan.codes[from - 1] >= 0 && plan.codes[from - 1] < LIST_CODE) from--;
    if (from < fields.length) plan.tail = { from: from, values: new Float64Array(fields.length - from), text: "" };
    STATUS_PLAN.plan = plan;
  }
  return plan;
}

/**
 * One telemetry line (no newline) for `rec` with sequence number `seq`. The tail check and the
 * list items are written out here, not in helpers: every function costs the ESP32 ≈ 6 JsVars.
 */
export function encodeLine(rec: TelemetryRecord, seq: number, crcFn?: Crc32Fn): string {
  const plan = planOf(rec.type);
  const r = rec as unknown as Record<string, unknown>;
  const paths = plan.paths;
  const codes = plan.codes;
  const nested = plan.nested;
  const tail = plan.tail;
  // the fields encoded now: all, or up to the kept tail when it holds the values its text was made from
  let end = paths.length;
  if (tail !== null && tail.text !== "") {
    end = tail.from;
    for (let i = tail.from; i < paths.length; i++) {
      const v = r[paths[i]];
      const x = typeof v === "number" ? v : Number(v); // as a scalar field is converted below
      const y = tail.values[i - tail.from];
      if (x !== y && (x === x || y === y)) end = paths.length;
    }
  }
  let body = lineHead(rec.type, seq);
  let tailStart = -1;
  for (let i = 0; i < end; i++) {
    const v = nested ? getPath(rec, paths[i]) : r[paths[i]];
    const c = codes[i];
    if (c >= 0 && c < LIST_CODE) {
      // i and fN: 9 of the status line's 12 fields, every sample
      const x = typeof v === "number" ? v : Number(v);
      if (tail !== null && i >= tail.from) {
        if (i === tail.from) tailStart = body.length;
        tail.values[i - tail.from] = x;
      }
      body += FIELD_SEP + encodeScaled(x, POW10[c]);
    } else if (c >= LIST_CODE) {
      const a = v as ArrayLike<number>;
      if (a === null || typeof a !== "object" || typeof a.length !== "number")
        throw new Error("telemetry: field '" + paths[i] + "' must be a list of numbers, got " + String(v));
      const scale = POW10[c - LIST_CODE];
      body += FIELD_SEP;
      for (let k = 0; k < a.length; k++) body += (k > 0 ? LIST_SEP : "") + encodeScaled(a[k], scale);
    } else body += FIELD_SEP + encodeField(String.fromCharCode(-c), v, paths[i]);
  }
  if (tail !== null) {
    if (end < paths.length) body += tail.text;
    else tail.text = body.substring(tailStart);
  }
  body += lineTail(body, crcFn);
  return body;
}

/** The start of every line, "#Z1,<seq>,<type code>"; each field follows as FIELD_SEP and its text. */
export function lineHead(type: TelemetryType, seq: number): string {
  return LINE_MARKER + PROTOCOL_VERSION + FIELD_SEP + encodeFixed(seq, 0) + FIELD_SEP + TYPE_CODES[type];
}

/**
 * What ends a line whose text so far is `body`: "*" and the CRC of every byte of `body`. A caller
 * that builds a long line in place (firmware/commands.ts, the config reply) appends this last.
 */
export function lineTail(body: string, crcFn?: Crc32Fn): string {
  return CRC_SEP + crcToHex(crcFn ? crcFn(body) : crc32(body));
}

function fail(reason: DecodeReason, detail: string): DecodeFail {
  return { ok: false, reason: reason, detail: detail };
}

/** Field value, or `undefined` when the text does not fit the kind. */
function decodeField(kind: string, text: string): unknown {
  const k = kind.charAt(0);
  if (k === "s") return unescapeText(text);
  if (k === "b") return text === "1" ? true : text === "0" ? false : undefined;
  if (k === "v") return text === "w" ? "warning" : text === "a" ? "alarm" : undefined;
  if (k === "g") return parseNumber(text, 0);
  if (k === "i") {
    const n = parseNumber(text, 0);
    return n === undefined || (isFinite(n) && Math.floor(n) !== n) ? undefined : n;
  }
  const decimals = parseInt(kind.substring(1), 10);
  if (k === "f") return parseNumber(text, decimals);
  if (text === "") return [];
  const parts = text.split(LIST_SEP);
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const n = parseNumber(parts[i], decimals);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

function isLowerHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function typeForCode(code: string): TelemetryType | undefined {
  const types = Object.keys(TYPE_CODES) as TelemetryType[];
  for (let i = 0; i < types.length; i++) if (TYPE_CODES[types[i]] === code) return types[i];
  return undefined;
}

/** Decode one received line (with or without its trailing `\r`). */
export function decodeLine(line: string): DecodeResult {
  let end = line.length;
  while (end > 0 && (line.charAt(end - 1) === "\r" || line.charAt(end - 1) === "\n")) end--;
  const text = line.substring(0, end);
  const start = text.lastIndexOf(LINE_MARKER);
  if (start < 0) return fail("notTelemetry", "no '" + LINE_MARKER + "' marker");
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return fail("malformed", "non-printable char code " + c + " at " + (i - start));
  }
  const star = text.lastIndexOf(CRC_SEP);
  if (star < start) return fail("malformed", "no '" + CRC_SEP + "' before the CRC");
  const crcText = line.substring(star + 1, end);
  if (crcText.length !== CRC_HEX_LEN || !isLowerHex(crcText))
    return fail("badCrc", "CRC field '" + crcText + "' is not " + CRC_HEX_LEN + " lowercase hex digits");
  const body = line.substring(start, star);
  const want = crcToHex(crc32(body));
  if (want !== crcText) return fail("badCrc", "CRC " + crcText + " does not match the line's " + want);
  const parts = body.split(FIELD_SEP);
  const verText = parts[0].substring(LINE_MARKER.length);
  const version = parseNumber(verText, 0);
  if (version === undefined || verText.charAt(0) === "-" || !isFinite(version))
    return fail("malformed", "version '" + verText + "' is not a number");
  if (version !== PROTOCOL_VERSION)
    return fail("badVersion", "line is protocol version " + verText + "; this decoder reads version " + PROTOCOL_VERSION);
  if (parts.length < 3) return fail("malformed", "fewer than 3 fields");
  const seq = parseNumber(parts[1], 0);
  if (seq === undefined || !(seq >= 0 && seq < SEQ_MODULUS) || Math.floor(seq) !== seq)
    return fail("malformed", "sequence number '" + parts[1] + "' is not an integer 0…" + (SEQ_MODULUS - 1));
  const type = typeForCode(parts[2]);
  if (type === undefined) return fail("malformed", "unknown record type '" + parts[2] + "'");
  const fields = FIELDS[type];
  if (parts.length - 3 !== fields.length)
    return fail("malformed", "type " + type + " has " + fields.length + " fields, line has " + (parts.length - 3));
  const rec: Record<string, unknown> = { type: type };
  for (let i = 0; i < fields.length; i++) {
    const v = decodeField(kindOf(fields[i]), parts[i + 3]);
    if (v === undefined) return fail("malformed", "field " + pathOf(fields[i]) + " = '" + parts[i + 3] + "' does not fit kind " + kindOf(fields[i]));
    setPath(rec, pathOf(fields[i]), v);
  }
  return { ok: true, version: version, seq: seq, record: rec as unknown as TelemetryRecord };
}
