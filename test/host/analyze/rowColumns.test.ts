/**
 * Pass 1 of the batch replay (host/analyze/rowColumns.ts) carries its state from batch to
 * batch: wherever an input is cut into batches, the columns, the plot series and the impedance
 * count come out the same. (That pass 1 gives what the in-thread replay gives is tested by the
 * replays read both ways: parallelRead.test.ts, batchRecycling.test.ts.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FIELDS_PER_RECORD, packRecord } from "../../../host/analyze/batchLayout";
import { COLUMNS, C_CURRENT_A, C_OPEN_CIRCUIT, C_RESTORED, C_TEMP_C, C_T_MS, C_V, RowColumnizer, type ColumnParams, dqdvBins, plotBuckets } from "../../../host/analyze/rowColumns";
import { STEP_OTHER, STEP_REST, STEP_UNKNOWN, newRecord } from "../../../host/import/record";

interface Rec {
  tS: number;
  v: number;
  i: number;
  temp: number;
  stepKind: number;
  restored: number;
}

/** Records with repeated and backward times, NaN voltages, exact zeros, impedance and rest labels. */
const recordsArb: fc.Arbitrary<Rec[]> = fc
  .array(
    fc.record({
      dtS: fc.oneof({ weight: 6, arbitrary: fc.double({ min: 0.5, max: 30, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(0, 0.0004, -5) }),
      v: fc.oneof({ weight: 8, arbitrary: fc.double({ min: 0.8, max: 2, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(NaN) }),
      i: fc.oneof({ weight: 6, arbitrary: fc.double({ min: -2, max: 2, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(0, NaN) }),
      temp: fc.constantFrom(NaN, 25.5),
      stepKind: fc.constantFrom(STEP_UNKNOWN, STEP_UNKNOWN, STEP_UNKNOWN, STEP_REST, STEP_OTHER),
      restored: fc.constantFrom(0, 0, 0, 0, 1),
    }),
    { minLength: 1, maxLength: 400 },
  )
  .map((rows) => {
    let t = 100;
    return rows.map((r) => {
      t += r.dtS;
      return { tS: t, v: r.v, i: r.i, temp: r.temp, stepKind: r.stepKind, restored: r.restored };
    });
  });

/** The records as the read worker packs them. */
function recordBatch(recs: Rec[]): Float64Array {
  const b = new Float64Array(recs.length * FIELDS_PER_RECORD);
  recs.forEach((r, k) => {
    const rec = newRecord();
    rec.tS = r.tS;
    rec.voltageV = r.v;
    rec.currentA = r.i;
    rec.tempC = r.temp;
    rec.stepKind = r.stepKind;
    rec.restored = r.restored;
    packRecord(b, k, rec);
  });
  return b;
}

/** Pass 1 over `recs` cut at `cuts`: every column as one array, the series, impedance rows, restored rows. */
function run(recs: Rec[], cuts: number[], params: ColumnParams) {
  const pass = new RowColumnizer(params);
  const cols: number[][] = Array.from({ length: COLUMNS }, () => []);
  let restored = 0;
  const edges = [0, ...cuts.filter((c) => c > 0 && c < recs.length).sort((a, b) => a - b), recs.length];
  for (let e = 0; e + 1 < edges.length; e++) {
    const part = recs.slice(edges[e], edges[e + 1]);
    if (part.length === 0) continue;
    const rows = part.length + 3; // a batch larger than its rows, as at the end of an input
    // A batch as the worker reuses it: stale values in every column (the restored column, written
    // only in a batch with a restored row, must then be all there).
    const out = new Float64Array(COLUMNS * rows).fill(1);
    out.fill(0, C_TEMP_C * rows, (C_TEMP_C + 1) * rows);
    const restoredHere = pass.columnize(recordBatch(part), part.length, out, rows);
    restored += restoredHere;
    // As the main thread reads it: no restored rows in the batch, no restored column.
    if (restoredHere === 0) out.fill(0, C_RESTORED * rows, (C_RESTORED + 1) * rows);
    for (let c = 0; c < COLUMNS; c++) cols[c].push(...out.subarray(c * rows, c * rows + part.length));
  }
  return { cols, series: pass.series(), impedanceRows: pass.impedanceRows, restored };
}

function paramsFor(recs: Rec[], zeroIsOpen: boolean, temps = true): ColumnParams {
  const ts = recs.map((r) => r.tS);
  const vs = recs.map((r) => r.v).filter((v) => v === v);
  return { ...plotBuckets(Math.min(...ts), Math.max(...ts)), ...dqdvBins(Math.min(...vs), Math.max(...vs)), zeroIsOpen, temps };
}

describe("RowColumnizer", () => {
  it("gives the same columns, series and counts however the input is cut into batches (property)", () => {
    fc.assert(
      fc.property(recordsArb, fc.array(fc.nat({ max: 400 }), { maxLength: 12 }), fc.boolean(), fc.boolean(), (recs, cuts, zeroIsOpen, temps) => {
        const params = paramsFor(recs, zeroIsOpen, temps);
        const whole = run(recs, [], params);
        const cut = run(recs, cuts, params);
        expect(cut.cols).toEqual(whole.cols);
        expect(cut.series).toEqual(whole.series);
        expect([cut.impedanceRows, cut.restored]).toEqual([whole.impedanceRows, whole.restored]);
        expect(whole.impedanceRows).toBe(recs.filter((r) => r.stepKind === STEP_OTHER).length);
        // The columns row by row (the in-thread replay's stepRow rules).
        expect(whole.cols[C_CURRENT_A]).toEqual(recs.map((r) => r.i));
        expect(whole.cols[C_V]).toEqual(recs.map((r) => (r.stepKind === STEP_OTHER ? NaN : r.v)));
        // Without temperature sensors the column is not written (the test's batches start at 0).
        expect(whole.cols[C_TEMP_C]).toEqual(recs.map((r) => (temps ? r.temp : 0)));
        expect(whole.cols[C_OPEN_CIRCUIT]).toEqual(recs.map((r) => (r.stepKind === STEP_REST || (zeroIsOpen && r.i === 0) ? 1 : 0)));
        expect(whole.cols[C_RESTORED]).toEqual(recs.map((r) => r.restored));
        expect(whole.restored).toBe(recs.filter((r) => r.restored === 1).length);
      }),
      { numRuns: 300 },
    );
  });

  it("nudges repeated times forward, keeps a clock-back, and marks zero current open circuit only when asked", () => {
    const recs: Rec[] = [
      { tS: 10, v: 1.2, i: 0.1, temp: NaN, stepKind: STEP_UNKNOWN, restored: 0 },
      { tS: 10, v: 1.2, i: 0, temp: NaN, stepKind: STEP_UNKNOWN, restored: 0 },
      { tS: 5, v: 1.2, i: 0.1, temp: NaN, stepKind: STEP_UNKNOWN, restored: 0 },
      { tS: 6, v: 1.2, i: 0.1, temp: NaN, stepKind: STEP_REST, restored: 0 },
    ];
    const open = run(recs, [], paramsFor(recs, true));
    expect(open.cols[C_T_MS]).toEqual([10000, 10001, 5000, 6000]);
    expect(open.cols[C_OPEN_CIRCUIT]).toEqual([0, 1, 0, 1]);
    const closed = run(recs, [2], paramsFor(recs, false));
    expect(closed.cols[C_T_MS]).toEqual([10000, 10001, 5000, 6000]);
    expect(closed.cols[C_OPEN_CIRCUIT]).toEqual([0, 0, 0, 1]);
  });

  it("refuses a batch larger than the column batch it writes", () => {
    const recs: Rec[] = [{ tS: 1, v: 1, i: 1, temp: NaN, stepKind: STEP_UNKNOWN, restored: 0 }, { tS: 2, v: 1, i: 1, temp: NaN, stepKind: STEP_UNKNOWN, restored: 0 }];
    const pass = new RowColumnizer(paramsFor(recs, true));
    expect(() => pass.columnize(recordBatch(recs), 2, new Float64Array(COLUMNS), 1)).toThrow(/2 records do not fit a column batch of 1 rows/);
  });
});
