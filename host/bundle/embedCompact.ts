/**
 * Compact JavaScript source for the data the firmware bundle embeds (the exports of the virtual
 * module `zbms-build`: BOARD, PACK, BUILD, CONFIG_LIMITS). The firmware gets exactly the values
 * the plain JSON would have given it (same keys in the same order, same numbers and strings; a
 * test evaluates the source and compares deep-equal with the JSON round trip), written shorter:
 *
 *   - a list of two or more objects with the same keys in the same order (the pack's alarm rows,
 *     the board's voltage channels) is written once as its key list and one array per row,
 *     `EMBED_TABLE_FN(["id","level",…], [["cellOverVoltage","warning",1.85,1.82,2e3], …])`,
 *     which the bundle expands at load time into new, separate objects;
 *   - a string value written several times ("warning", "ads1115", "fraction"…) is declared
 *     once as a module constant and referred to by name (the minifier shortens the name);
 *   - in exports marked `shareRepeats` (read-only data: CONFIG_LIMITS), an array or object
 *     written several times is declared once and the uses share it. Never used for data the
 *     firmware may change in place (BOARD: `cal` replaces a channel's calibration).
 *
 * `embedModuleSource(exports)` returns the module text; `compactSavingB` says what each rule
 * saved (for the build's analysis). Values must be JSON data plus NaN/±Infinity (written as
 * such); `undefined` members are dropped as JSON.stringify drops them.
 */

/** Name of the table expander defined at the top of the module. */
export const EMBED_TABLE_FN = "__zbmsTable";
/** Prefix of the module constants holding repeated strings and shared values. */
const CONST_PREFIX = "__zbmsK";
/** Characters a reference to a module constant costs once minified (esbuild gives the most used symbols 1–2 letter names). */
const MINIFIED_REF_CHARS = 2;
/** Characters a constant's declaration adds beyond its value once minified: `,ab=` (name, `=`, separator). */
const MINIFIED_DECL_CHARS = 4;
/** Smallest saving (characters) worth a module constant, so estimates near zero do not churn the output. */
const MIN_CONST_SAVING_CHARS = 3;
/** Rows a list needs before it is written as a table (one row saves nothing). */
const TABLE_MIN_ROWS = 2;

/** The table expander as module source: new objects, keys in the given order (Espruino-safe: no closures, no spread). */
const TABLE_FN_SOURCE =
  `function ${EMBED_TABLE_FN}(keys, rows) {\n` +
  `  const out = [];\n` +
  `  for (let i = 0; i < rows.length; i++) {\n` +
  `    const o = {};\n` +
  `    for (let j = 0; j < keys.length; j++) o[keys[j]] = rows[i][j];\n` +
  `    out.push(o);\n` +
  `  }\n` +
  `  return out;\n` +
  `}`;

/** One export of the module. */
export interface EmbedExport {
  name: string;
  value: unknown;
  /** Repeated arrays/objects may be shared between their uses (the firmware never changes this value in place). */
  shareRepeats?: boolean;
  /** Ready-made JS expression instead of `value` (the replay samples, already written by replaySamples.ts). */
  source?: string;
  /**
   * Exported as a function that makes the value on each call (`export function NAME() { … }`):
   * data the firmware reads rarely (CONFIG_LIMITS: at a `set` or a stored config's check) is then
   * not held in RAM between uses. Shared values of the one sharing export, when it is lazy, are
   * declared inside its function.
   */
  lazy?: boolean;
}

type Node =
  | { k: "lit"; text: string }
  | { k: "str"; v: string }
  | { k: "arr"; items: Node[]; share: boolean }
  | { k: "obj"; keys: string[]; vals: Node[]; share: boolean }
  | { k: "table"; keys: string[]; rows: Node[][] };

function numberText(x: number): string {
  if (x !== x) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return JSON.stringify(x);
}

function describe(v: unknown): string {
  return typeof v === "object" ? Object.prototype.toString.call(v) : typeof v;
}

/** Key list of a plain object, members that are undefined dropped (as JSON.stringify does). */
function keysOf(o: Record<string, unknown>): string[] {
  return Object.keys(o).filter((key) => o[key] !== undefined);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function toNode(v: unknown, share: boolean, path: string): Node {
  if (v === null) return { k: "lit", text: "null" };
  if (typeof v === "number") return { k: "lit", text: numberText(v) };
  if (typeof v === "boolean") return { k: "lit", text: v ? "true" : "false" };
  if (typeof v === "string") return { k: "str", v };
  if (Array.isArray(v)) {
    const items = v.map((x, i) => (x === undefined ? ({ k: "lit", text: "null" } as Node) : toNode(x, share, `${path}[${i}]`)));
    const table = !share && asTable(v, path);
    return table || { k: "arr", items, share };
  }
  if (isPlainObject(v)) {
    const keys = keysOf(v);
    if (keys.indexOf("__proto__") >= 0) throw new Error(`embedCompact: ${path} has a member "__proto__", which an object literal would take as its prototype; accepted: any other name`);
    return { k: "obj", keys, vals: keys.map((key) => toNode(v[key], share, `${path}.${key}`)), share };
  }
  throw new Error(`embedCompact: ${path} is ${describe(v)}; accepted: JSON data (objects, arrays, strings, numbers incl. NaN/Infinity, booleans, null)`);
}

/** A list of ≥ TABLE_MIN_ROWS plain objects with identical key lists, as a table node; else null. */
function asTable(v: unknown[], path: string): Node | null {
  if (v.length < TABLE_MIN_ROWS || !v.every(isPlainObject)) return null;
  const keys = keysOf(v[0] as Record<string, unknown>);
  const sig = JSON.stringify(keys);
  if (keys.length === 0 || !v.every((o) => JSON.stringify(keysOf(o as Record<string, unknown>)) === sig)) return null;
  const rows = v.map((o, i) => keys.map((key) => toNode((o as Record<string, unknown>)[key], false, `${path}[${i}].${key}`)));
  return { k: "table", keys, rows };
}

/** Source text of a node; `names` maps a string or shared value's text to its constant. */
function write(n: Node, names: Map<string, string>, top: boolean): string {
  if (n.k === "lit") return n.text;
  if (n.k === "str") return names.get(JSON.stringify(n.v)) ?? JSON.stringify(n.v);
  let text: string;
  if (n.k === "arr") text = "[" + n.items.map((x) => write(x, names, false)).join(",") + "]";
  else if (n.k === "obj") text = "{" + n.keys.map((key, i) => JSON.stringify(key) + ":" + write(n.vals[i], names, false)).join(",") + "}";
  else {
    const keys = "[" + n.keys.map((key) => names.get(JSON.stringify(key)) ?? JSON.stringify(key)).join(",") + "]";
    return `${EMBED_TABLE_FN}(${keys},[` + n.rows.map((r) => "[" + r.map((x) => write(x, names, false)).join(",") + "]").join(",") + "])";
  }
  if (!top && (n.k === "arr" || n.k === "obj") && n.share) {
    const name = names.get(sharedKey(n));
    if (name !== undefined) return name;
  }
  return text;
}

/** Identity of a shareable value: its plain text (strings not yet replaced). */
function sharedKey(n: Node): string {
  return "#" + write(n, new Map(), true);
}

/** Every string used as a value or table key, and every shareable array/object below the top, counted. */
function count(n: Node, strings: Map<string, number>, shared: Map<string, number>, top: boolean): void {
  if (n.k === "str") strings.set(JSON.stringify(n.v), (strings.get(JSON.stringify(n.v)) ?? 0) + 1);
  else if (n.k === "arr" || n.k === "obj") {
    if (!top && n.share) shared.set(sharedKey(n), (shared.get(sharedKey(n)) ?? 0) + 1);
    for (const x of n.k === "arr" ? n.items : n.vals) count(x, strings, shared, false);
  } else if (n.k === "table") {
    for (const key of n.keys) strings.set(JSON.stringify(key), (strings.get(JSON.stringify(key)) ?? 0) + 1);
    for (const r of n.rows) for (const x of r) count(x, strings, shared, false);
  }
}

/** Characters a constant saves: every use shrinks to a reference, the value is written once more in its declaration. */
function constSaving(uses: number, chars: number): number {
  return uses * (chars - MINIFIED_REF_CHARS) - (chars + MINIFIED_DECL_CHARS);
}

/** What the compaction did, for the build's analysis. */
export interface CompactReport {
  /** Table expansions written, string constants, shared values. */
  tables: number;
  stringConsts: number;
  sharedConsts: number;
}

/**
 * The module text: the table expander (when a table is used), the constants, then
 * `export const NAME = …;` for each export in the given order.
 */
export function embedModuleSource(exports: EmbedExport[], report?: CompactReport): string {
  const nodes = exports.map((e) => (e.source !== undefined ? null : toNode(e.value, e.shareRepeats === true, e.name)));
  const strings = new Map<string, number>();
  const shared = new Map<string, number>();
  for (const n of nodes) if (n !== null) count(n, strings, shared, true);
  const names = new Map<string, string>();
  const decls: string[] = [];
  let next = 0;
  // shared values in reverse discovery order: a value found inside another (pre-order walk) is
  // declared before the one that refers to it
  const sharedOrder = [...shared.entries()].filter(([text, uses]) => uses > 1 && constSaving(uses, text.length - 1) >= MIN_CONST_SAVING_CHARS).reverse();
  const stringOrder = [...strings.entries()].filter(([text, uses]) => uses > 1 && constSaving(uses, text.length) >= MIN_CONST_SAVING_CHARS);
  for (const [text] of stringOrder) {
    const name = CONST_PREFIX + next++;
    names.set(text, name);
    decls.push(`const ${name} = ${text};`);
  }
  // shared values belong to the sharing exports; with exactly one, and lazy, they live in its function
  const sharing = exports.filter((e) => e.shareRepeats === true);
  const sharedInside = sharing.length === 1 && sharing[0]!.lazy === true;
  const sharedDecls: string[] = [];
  for (const [key] of sharedOrder) {
    const name = CONST_PREFIX + next++;
    // the declaration itself: the value written with the string constants, never as a reference to itself
    const node = findShared(nodes, key);
    (sharedInside ? sharedDecls : decls).push(`const ${name} = ${write(node, names, true)};`);
    names.set(key, name);
  }
  let tables = 0;
  for (const n of nodes) if (n !== null) tables += countTables(n);
  if (report) {
    report.tables = tables;
    report.stringConsts = stringOrder.length;
    report.sharedConsts = sharedOrder.length;
  }
  const lines: string[] = [];
  if (tables > 0) lines.push(TABLE_FN_SOURCE);
  lines.push(...decls);
  exports.forEach((e, i) => {
    const n = nodes[i];
    const expr = n === null ? e.source : write(n, names, true);
    if (e.lazy === true) {
      const inner = e.shareRepeats === true && sharedInside ? sharedDecls.join("\n") + "\n" : "";
      lines.push(`export function ${e.name}() {\n${inner}return ${expr};\n}`);
    } else lines.push(`export const ${e.name} = ${expr};`);
  });
  return lines.join("\n");
}

function countTables(n: Node): number {
  if (n.k === "table") return 1 + n.rows.reduce((s, r) => s + r.reduce((t, x) => t + countTables(x), 0), 0);
  if (n.k === "arr") return n.items.reduce((s, x) => s + countTables(x), 0);
  if (n.k === "obj") return n.vals.reduce((s, x) => s + countTables(x), 0);
  return 0;
}

function findShared(nodes: Array<Node | null>, key: string): Node {
  const stack = nodes.filter((n): n is Node => n !== null);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if ((n.k === "arr" || n.k === "obj") && n.share && sharedKey(n) === key) return n;
    if (n.k === "arr") stack.push(...n.items);
    else if (n.k === "obj") stack.push(...n.vals);
    else if (n.k === "table") for (const r of n.rows) stack.push(...r);
  }
  throw new Error(`embedCompact: shared value ${key} vanished`);
}
