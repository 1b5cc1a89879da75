/**
 * Generic snapshot / restore of a model state.
 *
 * A state is a tree of plain objects whose leaves are numbers, booleans, number arrays and
 * typed arrays (`Float64Array`, `Int32Array`, …), with a shape fixed by the config. Strings,
 * `null`, `undefined` and functions are not allowed in state.
 *
 * `snapshotState` walks the tree in `for..in` order and writes every leaf into one
 * `Float64Array`, so a snapshot is exact (every double kept bit for bit) and compact; it is
 * written to flash as raw bytes on the board. `for..in` visits own keys in insertion order on
 * Node and on Espruino, like `Object.keys`, which on Espruino builds an array of the names (≈ 2
 * JsVars per field at every level of the walk, docs/performance.md); inherited keys are skipped
 * (the alarm state keeps its derived plan on its prototype).
 * `restoreState` walks a freshly created state of the same shape and assigns back.
 * No parallel list of fields to keep in sync: the state's own shape is the layout.
 */

/** Number of doubles the state occupies in a snapshot. */
export function stateLength(state: object): number {
  let n = 0;
  for (const key in state) {
    if (!state.hasOwnProperty(key)) continue; // for..in also visits the prototype's
    const v = (state as Record<string, unknown>)[key];
    if (typeof v === "number" || typeof v === "boolean") n++;
    else if (isNumberList(v)) n += (v as ArrayLike<number>).length;
    else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) n += stateLength(v[i] as object);
    } else if (v !== null && typeof v === "object") n += stateLength(v as object);
    else throw new Error("state field '" + key + "' has unsupported type " + typeof v);
  }
  return n;
}

/**
 * Write the state into `out` from `offset`; returns the offset after the last double. With `full`,
 * `out` is a chunk: when it is full, `full(out.length)` writes it out and returns where the next
 * double goes (the firmware streams a save to Storage through one small buffer, stateStore.ts).
 */
export function writeState(state: object, out: Float64Array, offset: number, full?: (n: number) => number): number {
  const n = out.length;
  let o = offset;
  for (const key in state) {
    if (!state.hasOwnProperty(key)) continue; // for..in also visits the prototype's
    const v = (state as Record<string, unknown>)[key];
    if (typeof v === "number" || typeof v === "boolean") {
      out[o++] = +v; // a boolean as 1 or 0
      if (o === n && full !== undefined) o = full(o);
    } else if (isNumberList(v)) {
      const a = v as ArrayLike<number>;
      for (let i = 0; i < a.length; i++) {
        out[o++] = a[i];
        if (o === n && full !== undefined) o = full(o);
      }
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) o = writeState(v[i] as object, out, o, full);
    } else o = writeState(v as object, out, o, full);
  }
  return o;
}

/** Read back into a state of the same shape; returns the offset after the last double. */
export function readState(state: object, src: ArrayLike<number>, offset: number): number {
  const s = state as Record<string, unknown>;
  let o = offset;
  for (const key in s) {
    if (!state.hasOwnProperty(key)) continue; // for..in also visits the prototype's
    const v = s[key];
    if (typeof v === "number") s[key] = leafValue(src[o++]);
    else if (typeof v === "boolean") s[key] = src[o++] !== 0;
    else if (isNumberList(v)) {
      const a = v as { [i: number]: number; length: number };
      for (let i = 0; i < a.length; i++) a[i] = src[o++];
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) o = readState(v[i] as object, src, o);
    } else o = readState(v as object, src, o);
  }
  return o;
}

/**
 * A number leaf read back from a snapshot. A typed-array read gives Espruino a float JsVar even
 * for an integer; a 32-bit integer (not −0) is handed back as `x | 0`, the same number, which
 * Espruino stores as an integer inside its name's JsVar: ≈ 100 JsVars less for a restored model
 * on the ESP32 (docs/performance.md). −0 stays −0, so restore + continue stays bit-identical.
 */
function leafValue(x: number): number {
  return x === (x | 0) && (x !== 0 || 1 / x > 0) ? x | 0 : x;
}

/** Snapshot of a whole state as one exact Float64Array. */
export function snapshotState(state: object): Float64Array {
  const out = new Float64Array(stateLength(state));
  writeState(state, out, 0);
  return out;
}

/** Restore a snapshot into `state` (same shape); throws if the lengths disagree. */
export function restoreState(state: object, snap: ArrayLike<number>): void {
  const n = stateLength(state);
  if (snap.length !== n) {
    throw new Error("snapshot has " + snap.length + " values, state of this config needs " + n);
  }
  readState(state, snap, 0);
}

/** A number array or typed array (ArrayBuffer.isView is not relied on: Espruino subset). */
function isNumberList(v: unknown): boolean {
  if (v === null || typeof v !== "object") return false;
  const a = v as { length?: unknown; [i: number]: unknown };
  if (typeof a.length !== "number") return false;
  return a.length === 0 || typeof a[0] === "number";
}
