/**
 * Heap census from V8 heap snapshots (used by `bench/firmware.ts` for heap growth; tested by
 * test/bench/heapCensus.test.ts).
 *
 * A V8 heap snapshot lists every object still reachable after a full garbage collection, each
 * with a node type ("object", "closure", "string", "code", "hidden", …), a name (constructor,
 * function name, string text or an internal label) and its own ("self", shallow) size. The
 * census counts nodes and sums self sizes, per node type and name, and splits them into two
 * classes (see `classifyNode`):
 *   - program data: what a JavaScript program can hold and leak — objects, arrays and their
 *     element/property stores, strings, heap numbers, closures and their contexts, symbols,
 *     regexps, typed-array/ArrayBuffer backing stores;
 *   - V8 internals: compiled code, bytecode, feedback vectors and metadata, hidden classes
 *     (maps), descriptor/transition arrays, script source and line-end tables, system roots.
 * Sizes are self sizes summed per class (what the nodes occupy themselves), not dominator-tree
 * retained sizes: a leak shows up as the nodes it adds.
 *
 * `measureHeapGrowth` writes a snapshot before and after a synchronous run to temporary files
 * (v8.writeHeapSnapshot; nothing of the census lives in the heap while the run and the second
 * snapshot happen) and parses both afterwards. A throw-away snapshot first warms the snapshot
 * path itself, so its first-call allocations are not counted as growth.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import v8 from "node:v8";

/** Node types that are V8 internals wherever they are (V8 heap-snapshot type names, src/profiler/heap-snapshot-generator.h): compiled code, bytecode, feedback vectors, allocation sites, maps, roots. */
const INTERNAL_TYPES = new Set(["code", "hidden", "object shape", "synthetic"]);
/**
 * GC-root groups not walked. V8's caches and tables, not program data: the string table,
 * builtins, compilation and startup caches, the strong-root list (number-to-string cache, empty
 * fixed arrays, …), read-only space. Paths from these are not followed.
 */
const NOT_WALKED_ROOTS = new Set([
  "(Internalized strings)",
  "(External strings)",
  "(Builtins)",
  "(Compilation cache)",
  "(Code flusher)",
  "(Startup object cache)",
  "(Strong roots)",
  "(Strong root list)",
  "(Read-only roots)",
  "(Read-only object cache)",
  "(Shared heap object cache)",
  "(Weak roots)",
  "(Extensions)",
  "(Debugger)",
  "(Smi roots)",
  // What the running call holds on its stack or in C++ handle scopes at the snapshot instant:
  // in-flight values (a dead loop temporary still in a stack slot), not data kept across steps.
  // measureHeapGrowth pins its subjects on the heap so they are reached without these.
  "(Stack roots)",
  "(Handle scope)",
]);

export type HeapClass = "program" | "internal";

/**
 * Class of a snapshot node: program data if a path of strong edges leads to it from a GC root
 * (global objects, global handles — not the stack, see NOT_WALKED_ROOTS) through program data only — objects, arrays and their
 * element/property/hash-table stores, strings, heap numbers, closures and their contexts,
 * typed-array backing stores — and it is not itself of an internal type. Everything else
 * (compiled code, bytecode, feedback and the literal boilerplates it holds, maps, constant
 * pools and the numbers in them, the string table, caches) is V8 internals.
 */
export function classifyNode(type: string, reachableFromProgram: boolean): HeapClass {
  return reachableFromProgram && !INTERNAL_TYPES.has(type) ? "program" : "internal";
}

/** Count and summed self size of some nodes. */
export interface CountBytes {
  count: number;
  bytes: number;
}

/** One snapshot's census. */
export interface HeapCensus {
  program: CountBytes;
  internal: CountBytes;
  /** Per "class|type|name" group (strings grouped as one name per type: their text is not a kind). */
  groups: Map<string, CountBytes>;
}

/** Growth between two censuses. */
export interface HeapGrowth {
  program: CountBytes;
  internal: CountBytes;
  /** Program data in the groups that grew only (a shrinking group does not offset a growing one). */
  programGrown: CountBytes;
  /** Program-data nodes present after and not before (by V8's stable node id), at most NEWCOMERS_LISTED, each with what holds it. */
  newProgramNodes: string[];
  /** Groups that changed, largest |bytes| change first. */
  groups: Array<{ group: string; count: number; bytes: number }>;
}

interface SnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Group key of a node: string contents and numbered internal names are folded into one name. */
function groupName(type: string, name: string): string {
  if (type === "string" || type === "concatenated string" || type === "sliced string" || type === "number") return "";
  if (type === "code" || type === "hidden" || type === "array") return name.replace(/ \/ .*$/, " / …");
  return name.length > 60 ? name.slice(0, 57) + "…" : name;
}

/** Census of a heap snapshot's JSON text. */
export function censusOfSnapshot(text: string): HeapCensus {
  return censusOf(indexSnapshot(JSON.parse(text) as SnapshotJson));
}

interface Indexed {
  snap: SnapshotJson;
  nf: number;
  types: string[];
  iType: number;
  iName: number;
  iSize: number;
  iId: number;
  /** Per node ordinal: its class. */
  cls: Uint8Array;
}

const PROGRAM = 1;
const INTERNAL = 2;

/** Classify every node (see classifyNode): a walk from the snapshot's root over strong edges, not through internal nodes. */
function indexSnapshot(snap: SnapshotJson): Indexed {
  const meta = snap.snapshot.meta;
  const fields = meta.node_fields;
  const nf = fields.length;
  const iType = fields.indexOf("type");
  const iName = fields.indexOf("name");
  const iSize = fields.indexOf("self_size");
  const iId = fields.indexOf("id");
  const iEdges = fields.indexOf("edge_count");
  if (iType < 0 || iName < 0 || iSize < 0 || iId < 0 || iEdges < 0) throw new Error(`heap snapshot without type/name/id/self_size/edge_count node fields (fields: ${fields.join(", ")})`);
  const types = meta.node_types[0];
  const ef = meta.edge_fields.length;
  const eType = meta.edge_fields.indexOf("type");
  const eTo = meta.edge_fields.indexOf("to_node");
  const weak = meta.edge_types[0].indexOf("weak");
  const n = snap.nodes.length / nf;
  const firstEdge = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) firstEdge[k + 1] = firstEdge[k] + snap.nodes[k * nf + iEdges] * ef;
  const typeOf = (k: number) => types[snap.nodes[k * nf + iType]];
  const reached = new Uint8Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  reached[0] = 1;
  queue[tail++] = 0;
  while (head < tail) {
    const k = queue[head++];
    const t = typeOf(k);
    // The root and the GC-root groups are walked (except V8's caches); other internal nodes stop the walk.
    if (k !== 0) {
      if (t === "synthetic") {
        if (NOT_WALKED_ROOTS.has(snap.strings[snap.nodes[k * nf + iName]])) continue;
      } else if (INTERNAL_TYPES.has(t)) continue;
    }
    for (let e = firstEdge[k]; e < firstEdge[k + 1]; e += ef) {
      if (snap.edges[e + eType] === weak) continue;
      const to = snap.edges[e + eTo] / nf;
      if (reached[to] === 0) {
        reached[to] = 1;
        queue[tail++] = to;
      }
    }
  }
  const cls = new Uint8Array(n);
  for (let k = 0; k < n; k++) cls[k] = classifyNode(typeOf(k), reached[k] === 1) === "program" ? PROGRAM : INTERNAL;
  return { snap, nf, types, iType, iName, iSize, iId, cls };
}

function censusOf(ix: Indexed): HeapCensus {
  const { snap, nf, types, iType, iName, iSize, cls } = ix;
  const census: HeapCensus = { program: { count: 0, bytes: 0 }, internal: { count: 0, bytes: 0 }, groups: new Map() };
  const nodes = snap.nodes;
  for (let k = 0; k < cls.length; k++) {
    const o = k * nf;
    const type = types[nodes[o + iType]];
    const name = snap.strings[nodes[o + iName]];
    const size = nodes[o + iSize];
    const c: HeapClass = cls[k] === PROGRAM ? "program" : "internal";
    census[c].count++;
    census[c].bytes += size;
    const key = `${c}|${type}|${groupName(type, name)}`;
    const g = census.groups.get(key);
    if (g) {
      g.count++;
      g.bytes += size;
    } else census.groups.set(key, { count: 1, bytes: size });
  }
  return census;
}

/** Growth from census `a` to census `b`. */
export function diffCensus(a: HeapCensus, b: HeapCensus): HeapGrowth {
  const groups: HeapGrowth["groups"] = [];
  const keys = new Set([...a.groups.keys(), ...b.groups.keys()]);
  for (const k of keys) {
    const ga = a.groups.get(k) ?? { count: 0, bytes: 0 };
    const gb = b.groups.get(k) ?? { count: 0, bytes: 0 };
    if (ga.count !== gb.count || ga.bytes !== gb.bytes) groups.push({ group: k, count: gb.count - ga.count, bytes: gb.bytes - ga.bytes });
  }
  groups.sort((x, y) => Math.abs(y.bytes) - Math.abs(x.bytes) || Math.abs(y.count) - Math.abs(x.count));
  return {
    program: { count: b.program.count - a.program.count, bytes: b.program.bytes - a.program.bytes },
    internal: { count: b.internal.count - a.internal.count, bytes: b.internal.bytes - a.internal.bytes },
    groups,
    programGrown: {
      count: groups.filter((r) => r.group.startsWith("program|") && r.count > 0).reduce((t, r) => t + r.count, 0),
      bytes: groups.filter((r) => r.group.startsWith("program|") && r.bytes > 0).reduce((t, r) => t + r.bytes, 0),
    },
    newProgramNodes: [],
  };
}

/** Subjects of the measurement in progress (reached from the module, not the stack). */
const PINNED: unknown[] = [];

/**
 * Heap growth of a synchronous `run()`: snapshot, run, snapshot (both written to temporary
 * files, parsed afterwards). Heap snapshots collect garbage first, so only reachable nodes are
 * counted. `subjects` (what `run` works on, e.g. the model or the board, when only local
 * variables hold it) are pinned in a module-level array for the measurement, so they count as
 * program data without walking the stack. Warm up before calling; this does one throw-away
 * snapshot first.
 */
export function measureHeapGrowth(run: () => void, subjects: unknown[] = []): HeapGrowth {
  const dir = mkdtempSync(join(tmpdir(), "zbms-heap-"));
  const files = [join(dir, "warm.heapsnapshot"), join(dir, "before.heapsnapshot"), join(dir, "after.heapsnapshot")];
  PINNED.push(run, subjects);
  try {
    // Paths built by join() are cons/sliced strings that V8 flattens when C++ reads them, and the
    // next GC shortcuts: passing each to C++ once now keeps that out of the measured window.
    for (const f of files) existsSync(f);
    v8.writeHeapSnapshot(files[0]);
    v8.writeHeapSnapshot(files[1]);
    run();
    v8.writeHeapSnapshot(files[2]);
    const beforeIx = indexSnapshot(JSON.parse(readFileSync(files[1], "utf8")) as SnapshotJson);
    const before = censusOf(beforeIx);
    const beforeIds = nodeIds(beforeIx);
    const afterIx = indexSnapshot(JSON.parse(readFileSync(files[2], "utf8")) as SnapshotJson);
    const growth = diffCensus(before, censusOf(afterIx));
    const grown = new Set(growth.groups.filter((g) => g.count > 0 && g.group.startsWith("program|")).map((g) => g.group));
    growth.newProgramNodes = newProgramNodes(afterIx, beforeIds, grown, NEWCOMERS_PER_GROUP);
    return growth;
  } finally {
    PINNED.length = 0;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** New program-data nodes listed per grown group by measureHeapGrowth. */
const NEWCOMERS_PER_GROUP = 3;

function nodeIds(ix: Indexed): Set<number> {
  const ids = new Set<number>();
  for (let o = 0; o < ix.snap.nodes.length; o += ix.nf) ids.add(ix.snap.nodes[o + ix.iId]);
  return ids;
}

/**
 * Program-data nodes of a grown group whose id was not in the earlier snapshot (V8 keeps an
 * object's id across snapshots), up to `perGroup` per group: "type name (size B) ← edge of
 * holder ← edge of its holder".
 */
function newProgramNodes(ix: Indexed, oldIds: Set<number>, grown: Set<string>, perGroup: number): string[] {
  const { snap, nf, types, iType, iName, iSize, iId, cls } = ix;
  const meta = snap.snapshot.meta;
  const iEdges = meta.node_fields.indexOf("edge_count");
  const ef = meta.edge_fields.length;
  const eType = meta.edge_fields.indexOf("type");
  const eName = meta.edge_fields.indexOf("name_or_index");
  const eTo = meta.edge_fields.indexOf("to_node");
  const edgeTypes = meta.edge_types[0];
  const label = (k: number) => {
    const name = snap.strings[snap.nodes[k * nf + iName]];
    return `${types[snap.nodes[k * nf + iType]]} "${name.length > 40 ? name.slice(0, 37) + "…" : name}"`;
  };
  const perKey = new Map<string, number>();
  const fresh: number[] = [];
  for (let k = 0; k < cls.length; k++) {
    const o = k * nf;
    if (cls[k] !== PROGRAM || oldIds.has(snap.nodes[o + iId])) continue;
    const key = `program|${types[snap.nodes[o + iType]]}|${groupName(types[snap.nodes[o + iType]], snap.strings[snap.nodes[o + iName]])}`;
    if (!grown.has(key) || (perKey.get(key) ?? 0) >= perGroup) continue;
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    fresh.push(k);
  }
  // Holders: the first program-data node (else any node) with an edge to the node; two levels.
  const holder = new Map<number, { from: number; edge: string; program: boolean }>();
  const want = new Set(fresh);
  const scan = () => {
    let e = 0;
    for (let k = 0; k < cls.length; k++) {
      const count = snap.nodes[k * nf + iEdges];
      for (let j = 0; j < count; j++, e += ef) {
        const to = snap.edges[e + eTo] / nf;
        if (!want.has(to)) continue;
        const had = holder.get(to);
        if (had && (had.program || cls[k] !== PROGRAM)) continue;
        const et = edgeTypes[snap.edges[e + eType]];
        const en = et === "element" || et === "hidden" ? `[${snap.edges[e + eName]}]` : `"${snap.strings[snap.edges[e + eName]]}"`;
        holder.set(to, { from: k, edge: `${et} ${en}`, program: cls[k] === PROGRAM });
      }
    }
  };
  scan();
  for (const k of fresh) {
    const h = holder.get(k);
    if (h) want.add(h.from);
  }
  scan();
  return fresh.map((k) => {
    let d = `${label(k)} (${snap.nodes[k * nf + iSize]} B)`;
    let at = k;
    for (let lvl = 0; lvl < 2; lvl++) {
      const h = holder.get(at);
      if (!h) break;
      d += ` ← ${h.edge} of ${label(h.from)}`;
      at = h.from;
    }
    return d;
  });
}

/** Printable lines of the changed groups of one class (largest first, at most `max`). */
export function growthLines(g: HeapGrowth, cls: HeapClass, max: number): string[] {
  const rows = g.groups.filter((r) => r.group.startsWith(cls + "|"));
  const out = rows.slice(0, max).map((r) => {
    const [, type, name] = r.group.split("|");
    return `  ${type}${name ? ` "${name}"` : ""}: ${r.count >= 0 ? "+" : ""}${r.count} nodes, ${r.bytes >= 0 ? "+" : ""}${r.bytes} B`;
  });
  if (rows.length > max) out.push(`  … ${rows.length - max} more groups`);
  return out;
}

