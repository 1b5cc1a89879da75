/**
 * JsVar estimate: how many of Espruino's 14-byte variables (ESP32 build) a value or a piece of
 * code occupies. An estimate from Espruino's storage rules, not a measurement; on a board,
 * `process.memory().usage` and `E.getSizeOf(x)` give the real counts (docs/performance.md).
 *
 * Rules used (Espruino 2v29, 32-bit build; src/jsvar.h, src/jsutils.h):
 *  - every object, array, function, ArrayBuffer and typed-array view is one JsVar;
 *  - every property is one "name" JsVar holding up to 4 characters of its name
 *    (JSVAR_DATA_STRING_NAME_LEN = 4 on 32-bit builds); longer names continue in string
 *    extension JsVars of ~12 characters each (host/build/bundleBudget.ts CHARS_PER_JSVAR);
 *  - a name can hold its value only if the value is an integer that fits a JsVar reference
 *    (JSV_NAME_INT_INT / JSV_NAME_STRING_INT_n: 14-bit signed on a ≤ 16 383-JsVar pool) or a
 *    boolean, and the name is an array index or ≤ 4 characters; any other number (every
 *    non-integer double, and NaN) takes one more JsVar;
 *  - a string value holds ~8 characters in its first JsVar, then ~12 per extension JsVar;
 *  - typed-array data lives in a flat string: one header JsVar plus one JsVar per 14 bytes;
 *  - code kept as text (uploaded to RAM, or functions built from Storage text) costs one JsVar
 *    per ~12 characters (CHARS_PER_JSVAR) — the conservative case; when Espruino can point
 *    function bodies at the code in flash, each function costs a few JsVars instead.
 * Uncertainty: Espruino's exact packing differs by a few JsVars per object; expect ±30 %.
 */
import { CHARS_PER_JSVAR, JSVAR_SIZE_B } from "../host/build/bundleBudget";

/** Characters of a property name held in its own name JsVar on 32-bit builds (jsutils.h JSVAR_DATA_STRING_NAME_LEN). */
export const NAME_INLINE_CHARS = 4;
/** Characters of a string value held in its first JsVar (≈ JSVAR_DATA_STRING_LEN on the ESP32 layout). */
export const STRING_FIRST_CHARS = 8;
/** Largest integer a name JsVar can hold as its value: 14-bit signed reference of a ≤ 16 383-JsVar pool. */
export const INLINE_INT_MAX = 8191;
/** Bytes of typed-array data per JsVar: flat strings use the whole 14-byte JsVar (jsvNewFlatStringOfLength). */
export const FLAT_BYTES_PER_JSVAR = JSVAR_SIZE_B;
/** JsVars of one function whose body stays in flash: function, code reference, scope link (estimate). */
export const FLASH_FUNCTION_JSVARS = 3;

/** JsVars of a property name (string names; array indices are one JsVar). */
export function nameJsVars(name: string, isIndex: boolean): number {
  if (isIndex) return 1;
  const extra = name.length - NAME_INLINE_CHARS;
  return 1 + (extra > 0 ? Math.ceil(extra / CHARS_PER_JSVAR) : 0);
}

/** True if a name JsVar can hold this value itself (no separate value JsVar). */
export function valueFitsInName(v: unknown, name: string, isIndex: boolean): boolean {
  if (!isIndex && name.length > NAME_INLINE_CHARS) return false;
  if (typeof v === "boolean") return true;
  return typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= INLINE_INT_MAX;
}

/** JsVars of a string value. */
export function stringJsVars(s: string): number {
  const extra = s.length - STRING_FIRST_CHARS;
  return 1 + (extra > 0 ? Math.ceil(extra / CHARS_PER_JSVAR) : 0);
}

/** JsVars of a typed array of `byteLength` bytes: view + ArrayBuffer + flat-string header + data. */
export function typedArrayJsVars(byteLength: number): number {
  return 3 + Math.ceil(byteLength / FLAT_BYTES_PER_JSVAR);
}

/** JsVars of code kept as text (the conservative case): one per CHARS_PER_JSVAR characters. */
export function codeTextJsVars(chars: number): number {
  return Math.ceil(chars / CHARS_PER_JSVAR);
}

/** Per-leaf breakdown of an estimate. */
export interface JsVarCount {
  /** Objects and arrays (one JsVar each). */
  objects: number;
  /** Property and element names, with their extensions. */
  names: number;
  /** Values that need their own JsVar (non-inline numbers, strings). */
  values: number;
  /** Typed arrays (views, buffers, data). */
  typedArrays: number;
  /** Bytes of typed-array data. */
  typedArrayBytes: number;
  /** Number and boolean leaves (typed-array elements included). */
  numberLeaves: number;
  /** Sum of the JsVar fields above. */
  total: number;
}

function emptyCount(): JsVarCount {
  return { objects: 0, names: 0, values: 0, typedArrays: 0, typedArrayBytes: 0, numberLeaves: 0, total: 0 };
}

/** Own data properties, plus those of a per-object prototype that is not a class's or Object's (derived tables kept out of snapshots). */
function dataKeys(obj: object): { owner: Record<string, unknown>; key: string }[] {
  const out: { owner: Record<string, unknown>; key: string }[] = [];
  for (const k of Object.keys(obj)) out.push({ owner: obj as Record<string, unknown>, key: k });
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (proto !== null && Object.getPrototypeOf(proto) !== null && !Object.prototype.hasOwnProperty.call(proto, "constructor")) {
    for (const k of Object.keys(proto)) out.push({ owner: proto as Record<string, unknown>, key: k });
  }
  return out;
}

function addValue(c: JsVarCount, v: unknown, name: string, isIndex: boolean, seen: Set<object>): void {
  c.names += nameJsVars(name, isIndex);
  if (typeof v === "number" || typeof v === "boolean") {
    c.numberLeaves++;
    if (!valueFitsInName(v, name, isIndex)) c.values++;
  } else if (typeof v === "string") c.values += stringJsVars(v);
  else if (v === null || v === undefined) c.values += 0;
  else if (typeof v === "function") c.values += FLASH_FUNCTION_JSVARS;
  else if (seen.has(v as object)) return; // a reference to something counted already: the name only
  else if (ArrayBuffer.isView(v)) {
    seen.add(v);
    c.typedArrays += typedArrayJsVars(v.byteLength);
    c.typedArrayBytes += v.byteLength;
    c.numberLeaves += (v as unknown as ArrayLike<number>).length;
  } else if (typeof v === "object") walk(c, v as object, seen);
}

function walk(c: JsVarCount, obj: object, seen: Set<object>): void {
  seen.add(obj);
  c.objects++;
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) addValue(c, obj[i], String(i), true, seen);
    return;
  }
  for (const p of dataKeys(obj)) addValue(c, p.owner[p.key], p.key, false, seen);
}

/**
 * Estimate the JsVars of a plain data tree (objects, arrays, numbers, strings, typed arrays).
 * Objects already in `seen` (counted with another tree, e.g. config rows a derived table points
 * at) cost only the name that refers to them; every object walked is added to `seen`.
 */
export function estimateTreeJsVars(root: object, seen: Set<object> = new Set()): JsVarCount {
  const c = emptyCount();
  seen.add(root);
  if (ArrayBuffer.isView(root)) {
    c.typedArrays += typedArrayJsVars(root.byteLength);
    c.typedArrayBytes += root.byteLength;
    c.numberLeaves += (root as unknown as ArrayLike<number>).length;
  } else walk(c, root, seen);
  c.total = c.objects + c.names + c.values + c.typedArrays;
  return c;
}
