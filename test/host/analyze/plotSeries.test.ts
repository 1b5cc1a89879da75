/**
 * host/analyze/plotSeries.ts: the time rule the replay applies to every row (repeated time
 * stamps nudged apart, a clock-back kept) and the V/I plot's min/max buckets, checked against a
 * direct computation.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Decimator, NUDGE_MS, nudgedTMs, plotBuckets } from "../../../host/analyze/plotSeries";

describe("nudgedTMs", () => {
  it("nudges repeated times forward and keeps a clock-back", () => {
    const raw = [10000, 10000, 10000, 5000, 6000];
    const out: number[] = [];
    let prev = -Infinity;
    let prevRaw = -Infinity;
    for (const r of raw) {
      prev = nudgedTMs(r, prev, prevRaw);
      prevRaw = r;
      out.push(prev);
    }
    expect(out).toEqual([10000, 10000 + NUDGE_MS, 10000 + 2 * NUDGE_MS, 5000, 6000]);
  });
});

describe("Decimator", () => {
  it("keeps each bucket's first time and its voltage and current extremes (property)", () => {
    const rowsArb = fc.array(
      fc.record({
        dtS: fc.double({ min: 0, max: 50, noNaN: true }),
        v: fc.oneof({ weight: 6, arbitrary: fc.double({ min: 0.8, max: 2, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(NaN) }),
        i: fc.double({ min: -2, max: 2, noNaN: true }),
      }),
      { minLength: 1, maxLength: 300 },
    );
    fc.assert(
      fc.property(rowsArb, (rows) => {
        let t = 100;
        const ts = rows.map((r) => (t += r.dtS));
        const { plotStartS, plotWidthS } = plotBuckets(ts[0], ts[ts.length - 1]);
        const dec = new Decimator(plotStartS, plotWidthS);
        rows.forEach((r, k) => dec.add(ts[k], r.v, r.i));
        const s = dec.series();
        // Direct: group rows by bucket index (times are non-decreasing, so buckets are runs).
        const groups = new Map<number, number[]>();
        ts.forEach((x, k) => {
          const b = Math.floor((x - plotStartS) / plotWidthS);
          groups.set(b, [...(groups.get(b) ?? []), k]);
        });
        expect(s.tS).toEqual([...groups.values()].map((ks) => ts[ks[0]]));
        const vs = [...groups.values()].map((ks) => ks.map((k) => rows[k].v).filter((v) => v === v));
        expect(s.vMin).toEqual(vs.map((v) => (v.length > 0 ? Math.min(...v) : NaN)));
        expect(s.vMax).toEqual(vs.map((v) => (v.length > 0 ? Math.max(...v) : NaN)));
        expect(s.iMin).toEqual([...groups.values()].map((ks) => Math.min(...ks.map((k) => rows[k].i))));
        expect(s.iMax).toEqual([...groups.values()].map((ks) => Math.max(...ks.map((k) => rows[k].i))));
      }),
      { numRuns: 200 },
    );
  });
});
