/**
 * Espruino's console rendering of a value (the REPL's `=…` and `print` of non-strings):
 * strings quoted with double quotes, objects as `{ "a": 1 }`, arrays as `[ 1, 2 ]`
 * (feature matrix [243]), functions as `function () { … }`.
 */
export function formatValue(v: unknown, depth = 0): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "string") return depth === 0 ? JSON.stringify(v) : JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "function") return "function () { [code] }";
  if (depth > 4) return "...";
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const a = Array.prototype.slice.call(v as unknown as ArrayLike<number>) as number[];
    return `new ${(v as object).constructor.name}([${a.join(", ")}])`;
  }
  if (Array.isArray(v)) return v.length === 0 ? "[ ]" : `[ ${v.map((x) => formatValue(x, depth + 1)).join(", ")} ]`;
  if (typeof v === "object") {
    const keys = Object.keys(v as object);
    if (keys.length === 0) return "{ }";
    return `{ ${keys.map((k) => `${JSON.stringify(k)}: ${formatValue((v as Record<string, unknown>)[k], depth + 1)}`).join(", ")} }`;
  }
  return String(v);
}
