/**
 * The compact embedding of the bundle's data (host/bundle/embedCompact.ts): the module the build
 * writes must give the firmware exactly the values of the plain JSON — same keys in the same
 * order, same numbers and strings — for every board and pack, and for arbitrary JSON data.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as esbuild from "esbuild";
import { embedModuleSource, EMBED_TABLE_FN, type CompactReport } from "../../host/bundle/embedCompact";
import { loadBoard, loadPack, virtualModuleSource } from "../../host/bundle/buildFirmware";
import { configLimits } from "../../host/bundle/configLimits";
import { CONFIG_RULES } from "../../shared/config/validateConfig";
import { checkPackFitsBoard } from "../../host/boardDesign/packFit";
import type { PackConfig } from "../../shared/config/packConfig";
import type { BoardDef } from "../../shared/config/boardDef";

/** Evaluate the module text (ES module → CommonJS) and return its exports. */
function evalModule(source: string): Record<string, unknown> {
  const cjs = esbuild.transformSync(source, { format: "cjs", loader: "js" }).code;
  const module = { exports: {} as Record<string, unknown> };
  new Function("module", "exports", cjs)(module, module.exports);
  return module.exports;
}

/** Every object/array reachable from `v`, to show that no two places share one. */
function objectsIn(v: unknown, out: object[]): object[] {
  if (v !== null && typeof v === "object") {
    out.push(v);
    for (const k of Object.keys(v)) objectsIn((v as Record<string, unknown>)[k], out);
  }
  return out;
}

/** Equal as the firmware would see it: deep-equal and the same JSON text (key order included). */
function expectSameData(actual: unknown, original: unknown): void {
  const json = JSON.parse(JSON.stringify(original));
  expect(actual).toStrictEqual(json);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(original));
}

const BOARDS = ["esp32-ads1115", "esp32-ina226", "esp32-adc"];
const PACKS = ["znmno2-4s", "znpba-2s", "zni2-1s"];
const BUILD = { version: "0.1.0", hash: "0zbms0hash0here0", board: "b", pack: "p" };

describe("embedded board, pack and limits: the compact module expands to the JSON values", () => {
  for (const boardId of BOARDS) {
    for (const packName of PACKS) {
      it(`${boardId} + ${packName}`, async () => {
        const board = await loadBoard(boardId);
        const pack = await loadPack(`hardware/packs/${packName}.json`);
        if (checkPackFitsBoard(board, pack as unknown as PackConfig).length > 0) return; // the build refuses it anyway
        const limits = configLimits(CONFIG_RULES, pack);
        const src = virtualModuleSource(board, pack, { ...BUILD, board: boardId, pack: String(pack.name) }, "[]", limits);
        const m = evalModule(src);
        const embedded: Partial<BoardDef> = { ...board };
        delete embedded.sources;
        delete embedded.description;
        expectSameData(m.BOARD, embedded);
        const packFn = m.PACK as () => unknown;
        expectSameData(packFn(), pack);
        // made anew per call: the board holds only the live config, not the embedded one beside it
        expect(packFn()).not.toBe(packFn());
        expectSameData(m.BUILD, { ...BUILD, board: boardId, pack: pack.name });
        expectSameData((m.CONFIG_LIMITS as () => unknown)(), limits);
        // made anew per call (the board holds no copy between checks)
        expect((m.CONFIG_LIMITS as () => unknown)()).not.toBe((m.CONFIG_LIMITS as () => unknown)());
        expect(m.REPLAY_SAMPLES).toEqual([]);
        // BOARD and PACK may be changed in place (cal, set): no object is shared between two places
        for (const x of [m.BOARD, packFn()]) {
          const objs = objectsIn(x, []);
          expect(new Set(objs).size).toBe(objs.length);
        }
        // the alarm rows are written as a table, not as 21 objects with their keys each time
        expect(src).toContain(`${EMBED_TABLE_FN}(["id","level","limit","reset","delayMs"]`);
        expect(src).not.toContain('"level":"warning"');
      });
    }
  }

  it("the default pack's module is at least 20 % shorter than the plain JSON one (minified on its own; in the bundle, where the constants get 1–2 letter names, it is ≈ 25 %)", async () => {
    const board = await loadBoard("esp32-ads1115");
    const pack = await loadPack("hardware/packs/znmno2-4s.json");
    const limits = configLimits(CONFIG_RULES, pack);
    const plain = [
      `export const BOARD = ${JSON.stringify({ ...board, sources: undefined, description: undefined })};`,
      `export const PACK = ${JSON.stringify(pack)};`,
      `export const BUILD = ${JSON.stringify(BUILD)};`,
      `export const REPLAY_SAMPLES = [];`,
      `export const CONFIG_LIMITS = ${JSON.stringify(limits)};`,
    ].join("\n");
    const report: CompactReport = { tables: 0, stringConsts: 0, sharedConsts: 0 };
    const compact = virtualModuleSource(board, pack, BUILD, "[]", limits);
    embedModuleSource([{ name: "PACK", value: pack }], report);
    const min = (s: string) => esbuild.transformSync(s, { minify: true, format: "esm" }).code.length;
    console.log(`[embed] plain ${min(plain)} B, compact ${min(compact)} B (pack alone: ${report.tables} table, ${report.stringConsts} string constants)`);
    expect(min(compact)).toBeLessThan(0.8 * min(plain));
  });
});

describe("embedModuleSource on arbitrary JSON data (fast-check)", () => {
  const row = fc.record({ id: fc.constantFrom("a", "warning", "alarm", "ceDrop"), limit: fc.double({ noNaN: true, noDefaultInfinity: true }), n: fc.integer() });
  const data = fc.oneof(fc.jsonValue(), fc.array(row, { maxLength: 6 }), fc.record({ rows: fc.array(row), x: fc.jsonValue() }));

  it("values round-trip exactly, shared or not", () => {
    fc.assert(
      fc.property(data, data, fc.boolean(), (a, b, share) => {
        fc.pre(!JSON.stringify([a, b]).includes('"__proto__"')); // refused, see below
        const m = evalModule(embedModuleSource([
          { name: "A", value: a },
          { name: "B", value: b, shareRepeats: share },
        ]));
        expectSameData(m.A, a);
        expectSameData(m.B, b);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps NaN and ±Infinity (which JSON cannot hold) and drops undefined members as JSON does", () => {
    const m = evalModule(embedModuleSource([{ name: "X", value: { a: NaN, b: [Infinity, -Infinity], c: undefined, d: -0 } }]));
    expect(m.X).toStrictEqual({ a: NaN, b: [Infinity, -Infinity], d: 0 });
    expect(Object.keys(m.X as object)).toEqual(["a", "b", "d"]);
  });

  it("a table expands into separate objects: changing one row changes no other", () => {
    const rows = [{ id: "x", v: 1 }, { id: "x", v: 1 }, { id: "x", v: 1 }];
    const m = evalModule(embedModuleSource([{ name: "R", value: rows }]));
    const r = m.R as Array<{ v: number }>;
    r[0]!.v = 5;
    expect(r.map((o) => o.v)).toEqual([5, 1, 1]);
  });

  it("repeated rows are shared only where allowed (shareRepeats)", () => {
    const v = [[0, 0, 6048e5, 0, "ms"], [0, 0, 6048e5, 0, "ms"], [0, 0, 6048e5, 0, "ms"]];
    const shared = evalModule(embedModuleSource([{ name: "L", value: v, shareRepeats: true }])).L as unknown[];
    const apart = evalModule(embedModuleSource([{ name: "L", value: v }])).L as unknown[];
    expect(shared[0]).toBe(shared[1]);
    expect(apart[0]).not.toBe(apart[1]);
    expect(shared).toStrictEqual(v);
  });

  it("nested repeated values round-trip, and no constant is used before its declaration", () => {
    const inner = [1, 2, "fraction", "fraction"];
    const outer = { a: [0.5, 6048e5, "fraction"], b: [0.5, 6048e5, "fraction"] };
    const v = [[inner, inner, outer], [inner, inner, outer], [inner, inner, outer], { x: outer, y: [inner, inner] }];
    const src = embedModuleSource([{ name: "N", value: v, shareRepeats: true }]);
    expectSameData(evalModule(src).N, v);
    const declared = [...src.matchAll(/const (\w+) = /g)].map((m) => m[1]!);
    for (const [i, name] of declared.entries()) {
      const decl = src.split("\n").find((l) => l.startsWith(`const ${name} = `))!;
      for (const later of declared.slice(i + 1)) expect(decl, `${name} uses ${later} before it is declared`).not.toMatch(new RegExp(`\\b${later}\\b`));
    }
  });

  it("refuses what is not JSON data, naming where it is and what is accepted", () => {
    expect(() => embedModuleSource([{ name: "X", value: { a: [1, () => 2] } }])).toThrow(/X\.a\[1\] is function; accepted: JSON data/);
    expect(() => embedModuleSource([{ name: "X", value: { d: new Date(0) } }])).toThrow(/X\.d is \[object Date\]/);
    expect(() => embedModuleSource([{ name: "X", value: JSON.parse('{"__proto__":1}') }])).toThrow(/X has a member "__proto__"/);
  });
});
