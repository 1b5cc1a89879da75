/**
 * What the virtual board removes from a fresh `node:vm` context so that its globals match
 * Espruino 2v29 (`docs/espruino.md`, "Not there at all"): the built-ins themselves are
 * deleted from the context's own intrinsics (the host's are untouched), so firmware that uses
 * one fails on the virtual board as it would on the ESP32.
 *
 * Not emulable this way, and left to the subset check (`host/bundle/espruinoSubset.ts`):
 * `X.prototype.method` references (Espruino resolves methods per instance), syntax (default
 * parameters, spread, labels…), silently wrong behaviour (`for (let…)` closures, regex
 * features, number printing, hoisting).
 */

/** Global names deleted from the context. */
export const REMOVED_GLOBALS = [
  "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Symbol", "Reflect", "Proxy",
  "BigInt", "BigInt64Array", "BigUint64Array", "RangeError", "EvalError", "URIError", "AggregateError",
  "Intl", "SharedArrayBuffer", "Atomics", "WebAssembly", "setImmediate", "queueMicrotask",
  "structuredClone", "escape", "unescape",
];

/** [object path, member] pairs deleted from the context. */
export const REMOVED_MEMBERS: Array<[string, string[]]> = [
  ["Number", ["isFinite", "isInteger", "isNaN", "isSafeInteger", "EPSILON", "MAX_SAFE_INTEGER", "MIN_SAFE_INTEGER", "parseFloat", "parseInt"]],
  ["Math", ["trunc", "sign", "hypot", "cbrt", "log2", "log10", "log1p", "expm1", "fround", "tanh", "sinh", "cosh", "asinh", "acosh", "atanh", "clz32", "imul"]],
  ["Array", ["from", "of"]],
  ["Array.prototype", ["flat", "flatMap", "at", "findLast", "findLastIndex", "reduceRight", "copyWithin", "entries", "keys", "values", "toReversed", "toSorted", "toSpliced", "with"]],
  ["String.prototype", ["trimStart", "trimEnd", "trimLeft", "trimRight", "codePointAt", "localeCompare", "at", "normalize"]],
  ["String", ["raw", "fromCodePoint"]],
  ["Object", ["freeze", "isFrozen", "seal", "isSealed", "is", "getOwnPropertySymbols", "preventExtensions"]],
  ["Object.prototype", ["__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__"]],
  ["Date", ["UTC"]],
  ["Promise", ["race", "allSettled", "any"]],
  ["Promise.prototype", ["finally"]],
  ["Number.prototype", ["toPrecision"]],
  ["ArrayBuffer.prototype", ["slice"]],
];

/** Script run once in a fresh context: deletes everything listed above. */
export function stripScript(): string {
  const lines: string[] = [];
  for (const g of REMOVED_GLOBALS) lines.push(`delete globalThis[${JSON.stringify(g)}];`);
  for (const [path, members] of REMOVED_MEMBERS) {
    for (const m of members) lines.push(`delete ${path}[${JSON.stringify(m)}];`);
  }
  return lines.join("\n");
}
