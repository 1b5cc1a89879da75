import { describe, it, expect } from "vitest";
import { classifyNode, censusOfSnapshot, diffCensus, measureHeapGrowth } from "../../bench/heapCensus";

/** Steps of the leak/no-leak runs: the bench's 100 000. */
const STEPS = 100_000;
/** Slack for V8 bookkeeping that may land in program data (an array's elements store reallocating, a heap number). */
const SLACK_NODES = 16;

/** Where the deliberate leaks keep their objects (a module-level array, as a careless global would). */
const leakedArray: object[] = [];
const leakedMap = new Map<number, object>();
/** Output of the leak-free loop: an integer slot, so storing it creates no heap object. */
const sink = new Int32Array(1);

/** One step of work that allocates temporaries (an object, an array, a string) and keeps none. */
function leakFreeStep(i: number): number {
  const o = { i: i, pair: [i, i + 1], text: "s" + (i % 97) };
  return (o.pair[1] + o.text.length) | 0;
}

/** The same step, keeping its object: one object (and its array) per step. */
function leakyStep(i: number): number {
  const o = { i: i, pair: [i, i + 1] };
  leakedArray.push(o);
  return o.pair[0] | 0;
}

describe("heap census from V8 heap snapshots", () => {
  it("reports no program-data growth for a loop that keeps nothing", () => {
    for (let i = 0; i < 10_000; i++) sink[0] = (sink[0] + leakFreeStep(i)) | 0; // compile the paths first
    const g = measureHeapGrowth(() => {
      for (let i = 0; i < STEPS; i++) sink[0] = (sink[0] + leakFreeStep(i)) | 0;
    });
    expect(g.program).toEqual({ count: 0, bytes: 0 });
    expect(g.programGrown).toEqual({ count: 0, bytes: 0 });
    expect(g.newProgramNodes).toEqual([]);
  }, 120_000);

  it("detects one object kept per step (≈ 100 000 objects, ≈ 100 000 arrays)", () => {
    for (let i = 0; i < 100; i++) leakyStep(i);
    const g = measureHeapGrowth(() => {
      for (let i = 0; i < STEPS; i++) leakyStep(i);
    });
    // Each step keeps an Object, an Array and the Array's elements store.
    expect(g.program.count).toBeGreaterThanOrEqual(3 * STEPS);
    expect(g.program.count).toBeLessThanOrEqual(3 * STEPS + SLACK_NODES);
    const objects = g.groups.find((r) => r.group === "program|object|Object");
    const arrays = g.groups.find((r) => r.group === "program|object|Array");
    expect(objects?.count).toBe(STEPS);
    expect(arrays?.count).toBe(STEPS);
    expect(g.program.bytes).toBeGreaterThan(16 * 3 * STEPS);
    expect(g.programGrown.count).toBeGreaterThanOrEqual(3 * STEPS);
    // The listing names the holder: the leaking array's elements.
    expect(g.newProgramNodes.some((l) => l.startsWith('object "Object"') && l.includes('← element [') && l.includes('of object "Array"'))).toBe(true);
    leakedArray.length = 0;
  }, 120_000);

  it("counts objects a Map keeps (its hash table is program data, not V8 internals)", () => {
    const n = 10_000;
    const g = measureHeapGrowth(() => {
      for (let i = 0; i < n; i++) leakedMap.set(i, { i: i });
    });
    const objects = g.groups.find((r) => r.group === "program|object|Object");
    expect(objects?.count).toBe(n);
    expect(g.program.count).toBeGreaterThanOrEqual(n);
    leakedMap.clear();
  }, 120_000);

  it("classes code and unreachable nodes as V8 internals", () => {
    expect(classifyNode("object", true)).toBe("program");
    expect(classifyNode("number", true)).toBe("program");
    expect(classifyNode("array", true)).toBe("program");
    expect(classifyNode("object", false)).toBe("internal");
    expect(classifyNode("code", true)).toBe("internal");
    expect(classifyNode("hidden", true)).toBe("internal");
    expect(classifyNode("object shape", true)).toBe("internal");
  });

  it("diffs two censuses group by group", () => {
    // A hand-made snapshot: root → global object → {x: heap number}; a code node held by the root only.
    const snap = (extra: number) => {
      const strings = ["", "Global", "Obj", "heap number", "(code)", "x", "o"];
      // node fields: type name id self_size edge_count; types: 0 synthetic, 1 object, 2 number, 3 code
      // root (offset 0) → Global (5) → number (10); root → code (15); Global → extra Obj nodes (20, 25, …)
      const nodes = [0, 0, 1, 0, 2, 1, 1, 2, 40, 1 + extra, 2, 3, 3, 16, 0, 3, 4, 4, 100, 0];
      // edges: type name to_node (node offset); edge types: 0 property, 1 internal
      const edges = [0, 1, 5, 1, 4, 15, 0, 5, 10];
      for (let k = 0; k < extra; k++) {
        nodes.push(1, 2, 100 + k, 32, 0);
        edges.push(0, 6, 20 + 5 * k);
      }
      return JSON.stringify({
        snapshot: {
          meta: {
            node_fields: ["type", "name", "id", "self_size", "edge_count"],
            node_types: [["synthetic", "object", "number", "code"]],
            edge_fields: ["type", "name_or_index", "to_node"],
            edge_types: [["property", "internal", "weak"]],
          },
        },
        nodes,
        edges,
        strings,
      });
    };
    const g = diffCensus(censusOfSnapshot(snap(0)), censusOfSnapshot(snap(2)));
    expect(g.program).toEqual({ count: 2, bytes: 64 });
    expect(g.internal).toEqual({ count: 0, bytes: 0 });
    expect(g.groups).toEqual([{ group: "program|object|Obj", count: 2, bytes: 64 }]);
  });
});
