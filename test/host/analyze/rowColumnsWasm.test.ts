/**
 * Pass 1 in WebAssembly (host/analyze/wasm/rowColumns.wat, glue rowColumnsWasmColumnizer.ts)
 * against the JS reference (host/analyze/rowColumns.ts RowColumnizer): on random record batches
 * cut into successive calls, the same column arrays (every element compared with Object.is, so
 * NaN and −0 count, and the columns neither writes must keep their stale values), the same
 * return values, plot series and impedance counts. Also: the committed module bytes are what the
 * .wat assembles to, and a read worker's pass never detaches an ArrayBuffer.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildSync } from "esbuild";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BATCH_RECORDS, FIELDS_PER_RECORD, F_I, F_LINE, F_RESTORED, F_STEP_KIND, F_T, F_TEMP, F_V } from "../../../host/analyze/batchLayout";
import { COLUMNS, COLUMN_BATCH_ROWS, RowColumnizer, dqdvBins, plotBuckets, type ColumnParams, type PlotSeries } from "../../../host/analyze/rowColumns";
import { ROW_COLUMNS_WASM_BASE64 } from "../../../host/analyze/wasm/rowColumnsWasm";
import { WasmRowColumnizer, createColumnizer } from "../../../host/analyze/wasm/rowColumnsWasmColumnizer";
import { STEP_CHARGE, STEP_DISCHARGE, STEP_OTHER, STEP_REST, STEP_UNKNOWN } from "../../../host/import/record";
import { assembleRowColumns } from "../../../host/import/wasm/build";

const ROOT = resolve(__dirname, "..", "..", "..");

/** One record's fields before packing: `t` is a step from the previous time or an absolute odd time. */
interface Row {
  dtS: number;
  /** Replaces the row's time (NaN, ±Infinity) without moving the running time; undefined = none. */
  oddTS: number | undefined;
  v: number;
  i: number;
  temp: number;
  stepKind: number;
  restored: number;
  spare: number;
  /**
   * A voltage on a dQ/dV bin edge: vLo + k × binW for the parameters chosen (as the quick bin
   * test computes an edge), moved by `ulps` steps of one unit in the last place; overrides `v`.
   */
  edge: { k: number; ulps: number } | undefined;
}

const rowArb: fc.Arbitrary<Row> = fc.record({
  dtS: fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: 0.5, max: 30, noNaN: true }) },
    // Repeated times, within and just outside the 1 ms tolerance, clock-backs.
    { weight: 3, arbitrary: fc.constantFrom(0, 0, 0.0004, 0.001, 0.0011, -0.0005, -0.001, -5, -3600) },
    { weight: 1, arbitrary: fc.double({ min: 100, max: 1e5, noNaN: true }) },
  ),
  oddTS: fc.oneof({ weight: 20, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) }),
  v: fc.oneof(
    { weight: 10, arbitrary: fc.double({ min: 0.8, max: 2, noNaN: true }) },
    { weight: 2, arbitrary: fc.constantFrom(1, 1.25, 1.5, 1.6, 2) },
    { weight: 1, arbitrary: fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, 5, -1) },
  ),
  i: fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
    { weight: 2, arbitrary: fc.constantFrom(0, 0, -0, NaN, 1e-300, -1e-300, Infinity) },
  ),
  temp: fc.constantFrom(NaN, 25.5, -3.25),
  stepKind: fc.constantFrom(STEP_UNKNOWN, STEP_UNKNOWN, STEP_UNKNOWN, STEP_CHARGE, STEP_DISCHARGE, STEP_REST, STEP_OTHER),
  restored: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(1, 2) }),
  spare: fc.constantFrom(0, NaN, 7),
  edge: fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.record({ k: fc.integer({ min: -2, max: 170 }), ulps: fc.integer({ min: -2, max: 2 }) }) },
  ),
});

/** `x` moved by `ulps` units in the last place (x finite and not 0). */
function ulpStep(x: number, ulps: number): number {
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] += BigInt(x > 0 ? ulps : -ulps);
  return f[0];
}

/** The rows' bin-edge voltages written into the packed records `b`, for the parameters chosen. */
function placeEdges(b: Float64Array, rows: Row[], params: ColumnParams): void {
  rows.forEach((r, k) => {
    if (r.edge === undefined) return;
    const v = params.vLo + r.edge.k * params.binW;
    b[k * FIELDS_PER_RECORD + F_V] = v === 0 || !Number.isFinite(v) ? v : ulpStep(v, r.edge.ulps);
  });
}

/** The rows packed as the read worker's records (time in s from `startS`). */
function pack(rows: Row[], startS: number): Float64Array {
  const b = new Float64Array(rows.length * FIELDS_PER_RECORD);
  let t = startS;
  rows.forEach((r, k) => {
    t += r.dtS;
    const o = k * FIELDS_PER_RECORD;
    b[o + F_LINE] = k + 2;
    b[o + F_T] = r.oddTS ?? t;
    b[o + F_V] = r.edge === undefined ? r.v : NaN; // bin edges: placeEdges, once the parameters are known
    b[o + F_I] = r.i;
    b[o + F_TEMP] = r.temp;
    b[o + F_STEP_KIND] = r.stepKind;
    b[o + F_RESTORED] = r.restored;
    b[o + FIELDS_PER_RECORD - 1] = r.spare;
  });
  return b;
}

/** Plot and dQ/dV parameters: from the data as the profile gives them, or arbitrary (many buckets and bins, or few). */
const paramsArb: fc.Arbitrary<ParamChoice> = fc.record({
  plot: fc.oneof(
    fc.constant(undefined),
    fc.record({ plotStartS: fc.double({ min: -1e4, max: 2e9, noNaN: true }), plotWidthS: fc.constantFrom(0.001, 0.7, 3, 1000, 1e7) }),
  ),
  bins: fc.oneof(fc.constant(undefined), fc.record({ vLo: fc.constantFrom(0, 0.9, 1.2, -0.5), binW: fc.constantFrom(0.0001, 0.003, 0.01, 0.1, 1) })),
  zeroIsOpen: fc.boolean(),
  temps: fc.boolean(),
});

/** paramsArb's value: a plot or bins left undefined come from the data. */
interface ParamChoice {
  plot: { plotStartS: number; plotWidthS: number } | undefined;
  bins: { vLo: number; binW: number } | undefined;
  zeroIsOpen: boolean;
  temps: boolean;
}

function paramsFor(b: Float64Array, count: number, p: ParamChoice): ColumnParams {
  const ts: number[] = [];
  const vs: number[] = [];
  for (let k = 0; k < count; k++) {
    const t = b[k * FIELDS_PER_RECORD + F_T];
    const v = b[k * FIELDS_PER_RECORD + F_V];
    if (Number.isFinite(t)) ts.push(t);
    if (Number.isFinite(v)) vs.push(v);
  }
  const plot = p.plot ?? plotBuckets(ts.length > 0 ? Math.min(...ts) : 0, ts.length > 0 ? Math.max(...ts) : 1);
  const bins = p.bins ?? dqdvBins(vs.length > 0 ? Math.min(...vs) : NaN, vs.length > 0 ? Math.max(...vs) : NaN);
  return { ...plot, ...bins, zeroIsOpen: p.zeroIsOpen, temps: p.temps };
}

/** First index where two number sequences differ under Object.is, or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return k;
  return -1;
}

function expectSameNumbers(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  const k = firstDifference(got, want);
  if (k >= 0) expect.fail(`${what}: differs at ${k} (lengths ${got.length}, ${want.length}): got ${got[k]}, want ${want[k]}`);
}

function expectSameSeries(got: PlotSeries, want: PlotSeries): void {
  for (const key of ["tS", "vMin", "vMax", "iMin", "iMax"] as const) expectSameNumbers(got[key], want[key], `series.${key}`);
}

/**
 * Both passes over the records `b` cut into calls of `sizes` rows (the last call takes what is
 * left), each call's record view running on to the end of `b` as the worker's does, into column
 * batches of `rows(count)` rows filled with the same stale values; everything compared.
 */
function compare(b: Float64Array, total: number, sizes: number[], params: ColumnParams, rowsFor: (count: number) => number): void {
  const js = new RowColumnizer(params);
  const wasm = WasmRowColumnizer.create(params);
  if (wasm === undefined) throw new Error("this runtime has no WebAssembly");
  let from = 0;
  let call = 0;
  while (from < total) {
    const count = Math.min(sizes.length > 0 ? Math.max(1, sizes[call % sizes.length]) : total, total - from);
    const rows = rowsFor(count);
    const records = b.subarray(from * FIELDS_PER_RECORD);
    const outJs = new Float64Array(COLUMNS * rows);
    for (let k = 0; k < outJs.length; k++) outJs[k] = k % 3 === 0 ? NaN : k % 3 === 1 ? -0 : 12345 + k;
    const outWasm = outJs.slice();
    const restoredJs = js.columnize(records, count, outJs, rows);
    const restoredWasm = wasm.columnize(records, count, outWasm, rows);
    expect(restoredWasm, `restored rows of call ${call}`).toBe(restoredJs);
    expectSameNumbers(outWasm, outJs, `column batch of call ${call} (${count} of ${rows} rows from row ${from})`);
    expect(wasm.impedanceRows, `impedance rows after call ${call}`).toBe(js.impedanceRows);
    from += count;
    call++;
  }
  expectSameSeries(wasm.series(), js.series());
  expect(wasm.impedanceRows).toBe(js.impedanceRows);
}

describe("host/analyze/wasm/rowColumnsWasm.ts (generated)", () => {
  it("holds the bytes rowColumns.wat assembles to", async () => {
    const want = Buffer.from(await assembleRowColumns());
    const committed = Buffer.from(ROW_COLUMNS_WASM_BASE64, "base64");
    expect(
      committed.equals(want),
      "host/analyze/wasm/rowColumnsWasm.ts is stale (rowColumns.wat changed since it was generated): run `npm run build:wasm` and commit the result",
    ).toBe(true);
  });
});

describe("WasmRowColumnizer", () => {
  it("gives RowColumnizer's columns, restored counts, series and impedance rows, bit for bit, however the batches are cut (property)", () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { minLength: 1, maxLength: 700 }),
        fc.constantFrom(0, 100, 1.7e9, -50),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(0, 1, 17),
        paramsArb,
        (rows, startS, sizes, extraRows, p) => {
          const b = pack(rows, startS);
          const params = paramsFor(b, rows.length, p);
          placeEdges(b, rows, params);
          compare(b, rows.length, sizes, params, (count) => count + extraRows);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("gives RowColumnizer's results on a full batch of BATCH_RECORDS records, then a short one, into full-size column batches", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 50, maxLength: 50 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), paramsArb, (pattern, seed, p) => {
        // BATCH_RECORDS + 1000 rows: the pattern repeated with its times carried on and a
        // pseudo-random current jitter, so that the buckets and bins keep moving.
        const total = BATCH_RECORDS + 1000;
        let x = seed;
        const rows: Row[] = Array.from({ length: total }, (_, k) => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          const r = pattern[k % pattern.length];
          return { ...r, i: r.i === r.i && r.i !== 0 ? r.i + (x % 1000) / 1e4 : r.i };
        });
        const b = pack(rows, 100);
        const params = paramsFor(b, total, p);
        placeEdges(b, rows, params);
        compare(b, total, [BATCH_RECORDS, 1000], params, () => COLUMN_BATCH_ROWS);
      }),
      { numRuns: 4 },
    );
  }, 60000);

  it("gives RowColumnizer's bins for voltages on and beside bin edges, where the division rounds across an edge", () => {
    for (const [vLo, binW] of [[0, 0.0001], [0.9, 0.003], [1.2, 0.01], [-0.5, 0.1]]) {
      const params: ColumnParams = { plotStartS: 0, plotWidthS: 50, vLo, binW, zeroIsOpen: false, temps: false };
      const vs: number[] = [];
      let across = 0;
      for (let k = -1; k <= 162; k++) {
        const edge = vLo + k * binW;
        for (let ulps = -2; ulps <= 2; ulps++) {
          const v = edge === 0 ? edge : ulpStep(edge, ulps);
          // The bin below and above the edge, then the edge value (after each: the quick test's
          // safe range is that bin's).
          vs.push(vLo + (k - 0.5) * binW, v, vLo + (k + 0.5) * binW, v);
          const bin = Math.floor((v - vLo) / binW);
          if ((v >= edge && bin < k) || (v < edge && bin >= k)) across++;
        }
      }
      // The case the quick test's margin is there for does occur here.
      if (vLo === 0) expect(across).toBeGreaterThan(0);
      const b = new Float64Array(vs.length * FIELDS_PER_RECORD);
      vs.forEach((v, r) => {
        b[r * FIELDS_PER_RECORD + F_T] = r;
        b[r * FIELDS_PER_RECORD + F_V] = v;
        b[r * FIELDS_PER_RECORD + F_I] = r % 2 === 0 ? 0.5 : -0.5;
      });
      compare(b, vs.length, [37, 500], params, (count) => count);
    }
  });

  it("refuses a batch larger than the column batch it writes, or than its records region", () => {
    const params: ColumnParams = { plotStartS: 0, plotWidthS: 1, vLo: 1, binW: 0.01, zeroIsOpen: true, temps: false };
    const pass = WasmRowColumnizer.create(params)!;
    expect(() => pass.columnize(new Float64Array(2 * FIELDS_PER_RECORD), 2, new Float64Array(COLUMNS), 1)).toThrow(/2 records do not fit a column batch of 1 rows/);
    expect(() => pass.columnize(new Float64Array(2 * FIELDS_PER_RECORD), 3, new Float64Array(COLUMNS * 4), 4)).toThrow(/3 records asked of a batch of 2$/);
    const big = BATCH_RECORDS + 1;
    expect(() => pass.columnize(new Float64Array(big * FIELDS_PER_RECORD), big, new Float64Array(COLUMNS * big), big)).toThrow(/65537 records in one call; its records region holds 65536/);
  });

  it("is what createColumnizer makes where WebAssembly runs", () => {
    expect(createColumnizer({ plotStartS: 0, plotWidthS: 1, vLo: 1, binW: 0.01, zeroIsOpen: true, temps: false })).toBeInstanceOf(WasmRowColumnizer);
  });

  it("never detaches an ArrayBuffer (V8's ArrayBufferDetaching protector stays intact)", () => {
    const dir = mkdtempSync(join(tmpdir(), "zbms-rowcols-"));
    const script = join(dir, "detach.ts");
    writeFileSync(
      script,
      [
        `import { WasmRowColumnizer } from ${JSON.stringify(join(ROOT, "host/analyze/wasm/rowColumnsWasmColumnizer.ts"))};`,
        `const rows = 65536;`,
        `const b = new Float64Array(rows * 8);`,
        `for (let k = 0; k < rows; k++) { b[k * 8 + 1] = k; b[k * 8 + 2] = 1 + (k % 500) / 1000; b[k * 8 + 3] = (k % 7) - 3; b[k * 8 + 6] = k % 1000 === 0 ? 1 : 0; }`,
        `const pass = WasmRowColumnizer.create({ plotStartS: 0, plotWidthS: 10, vLo: 1, binW: 0.003, zeroIsOpen: true, temps: true });`,
        `const out = new Float64Array(new SharedArrayBuffer(rows * 8 * 8));`,
        `let restored = 0;`,
        `for (let k = 0; k < 3; k++) restored += pass.columnize(b, rows, out, rows);`,
        `console.log(JSON.stringify({ restored, buckets: pass.series().tS.length }));`,
      ].join("\n"),
    );
    // Bundled with esbuild and run by plain node, as the read worker runs (tsx's loader itself
    // detaches a buffer at start-up).
    const bundle = join(dir, "detach.mjs");
    buildSync({ entryPoints: [script], outfile: bundle, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "silent" });
    const run = spawnSync(process.execPath, ["--trace-protector-invalidation", bundle], { cwd: ROOT, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(/ArrayBufferDetaching/);
    const last = JSON.parse(run.stdout.trim().split("\n").pop()!) as { restored: number; buckets: number };
    expect(last.restored).toBe(3 * 66);
    expect(last.buckets).toBeGreaterThan(6000);
  }, 60000);
});
