import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createCountingState, stepCounting } from "../../../shared/counting/coulombCounter";
import { MS_PER_H } from "../../../shared/units";
import type { ModelEvent } from "../../../shared/model/events";
import { testPackConfig } from "../synthetic";

const cfg = testPackConfig(2, "charge");
// Integration properties: no qualified-rest zeroing (a long run of tiny currents would
// otherwise be taken, by design, as sensor offset); offset tests below set their own.
cfg.counting.offsetRestMs = 0;
const V = [1.3, 1.31];

function run(tMs: number[], currentA: number[], oc?: number[]) {
  const st = createCountingState(cfg);
  const events: ModelEvent[] = [];
  for (let k = 0; k < tMs.length; k++) stepCounting(st, cfg, tMs[k], currentA[k], V, oc ? oc[k] : 0, (e) => events.push(e));
  return { st, events };
}

const currents = fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 2, maxLength: 200 });

describe("coulomb counting", () => {
  it("conserves charge: charge − discharge = trapezoid of the current; both ≥ 0", () => {
    fc.assert(
      fc.property(currents, fc.integer({ min: 100, max: 60000 }), (a, period) => {
        const t = a.map((_, k) => k * period);
        const { st } = run(t, a);
        let net = 0;
        for (let k = 1; k < a.length; k++) net += (0.5 * (a[k - 1] + a[k]) * period) / MS_PER_H;
        expect(st.chargeAh - st.dischargeAh).toBeCloseTo(net, 9);
        expect(st.chargeAh).toBeGreaterThanOrEqual(0);
        expect(st.dischargeAh).toBeGreaterThanOrEqual(0);
        expect(st.gapCount).toBe(0);
      }),
    );
  });

  it("mirrored current swaps charge and discharge (Ah and Wh) exactly", () => {
    fc.assert(
      fc.property(currents, (a) => {
        const t = a.map((_, k) => k * 1000);
        const p = run(t, a).st;
        const m = run(
          t,
          a.map((x) => -x),
        ).st;
        expect(m.chargeAh).toBe(p.dischargeAh);
        expect(m.dischargeAh).toBe(p.chargeAh);
        expect(m.chargeWh).toBe(p.dischargeWh);
        expect(m.dischargeWh).toBe(p.chargeWh);
      }),
    );
  });

  it("refining the sampling changes capacity by no more than the trapezoid error bound", () => {
    // I(t) = B + A·sin(ωt) > 0; trapezoid error ≤ T·h²·max|I''|/12 = T·h²·A·ω²/12 (per grid).
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 2, noNaN: true }),
        fc.double({ min: 1e-5, max: 1e-3, noNaN: true }),
        fc.integer({ min: 2, max: 20 }),
        (A, omegaPerS, refine) => {
          const B = A + 0.5;
          const Ts = 3600;
          const coarseS = 5;
          const Iof = (s: number) => B + A * Math.sin(omegaPerS * s);
          const ah = (hS: number) => {
            const n = Math.round(Ts / hS);
            const t: number[] = [];
            const i: number[] = [];
            for (let k = 0; k <= n; k++) {
              t.push(k * hS * 1000);
              i.push(Iof(k * hS));
            }
            return run(t, i).st.chargeAh;
          };
          const qc = ah(coarseS);
          const qf = ah(coarseS / refine);
          const boundAh = (h: number) => (Ts * h * h * A * omegaPerS * omegaPerS) / 12 / 3600;
          expect(Math.abs(qc - qf)).toBeLessThanOrEqual(boundAh(coarseS) + boundAh(coarseS / refine) + 1e-12);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a Δt above maxGapMs is not integrated: bounded, counted and reported", () => {
    const t = [0, 10000, 20000, 20000 + 3600000, 3630000];
    const a = [-1, -1, -1, -1, -1];
    const { st, events } = run(t, a);
    // Integrated: 0–20 s and the last 10 s; the 1 h gap not.
    expect(st.dischargeAh).toBeCloseTo((30000 * 1) / MS_PER_H, 12);
    expect(st.gapCount).toBe(1);
    expect(st.gapErrAh).toBeGreaterThanOrEqual(1); // ≥ 1 A × 1 h
    expect(events).toEqual([{ kind: "gap", tMs: 3620000, dtMs: 3600000 }]);
  });

  it("Δt ≤ 0 and a non-finite time are gaps: nothing integrated, counted, reported", () => {
    const t = [0, 10000, 10000, 5000, NaN, 15000];
    const a = [1, 1, 1, 1, 1, 1];
    const { st, events } = run(t, a);
    expect(st.gapCount).toBe(3);
    expect(events.map((e) => (e.kind === "gap" ? e.dtMs : 0))).toEqual([0, -5000, NaN]);
    // 0–10 s is integrated; 5–15 s covers 5–10 s again (after a step back within maxGapMs): left
    // out, its worst case (10 s at 1 A) in the gap bound.
    expect(st.chargeAh).toBeCloseTo(10000 / MS_PER_H, 12);
    expect(st.gapErrAh).toBeGreaterThanOrEqual(10000 / MS_PER_H);
  });

  it("an invalid current is not integrated, flagged, and bridged by the next valid sample", () => {
    const { st } = run([0, 10000, 20000], [2, NaN, 2]);
    expect(st.invalidCurrentCount).toBe(1);
    expect(st.faultCount).toBe(1);
    expect(st.chargeAh).toBeCloseTo(20000 * 2 / MS_PER_H, 12);
  });

  it("estimates the offset at open circuit and subtracts it afterwards", () => {
    const off = 0.003;
    const t: number[] = [];
    const a: number[] = [];
    const oc: number[] = [];
    for (let k = 0; k < 10; k++) {
      t.push(k * 1000);
      a.push(off);
      oc.push(1);
    }
    for (let k = 10; k < 3610; k++) {
      t.push(k * 1000);
      a.push(1 + off);
      oc.push(0);
    }
    const { st } = run(t, a, oc);
    expect(st.offset.known).toBe(1);
    expect(st.offset.offsetA).toBeCloseTo(off, 15);
    // 1 A for 3600 s after the first open-circuit sample ramps in over one step.
    expect(st.chargeAh).toBeCloseTo((0.5 * 1 * 1000 + 1 * 3599000) / MS_PER_H, 12);
  });

  it("a quiet rest qualifies as open circuit after offsetRestMs and measures the residual drift", () => {
    const t: number[] = [];
    const a: number[] = [];
    let k = 0;
    const push = (n: number, x: number) => {
      for (let j = 0; j < n; j++) {
        t.push(k * 10000);
        a.push(x);
        k++;
      }
    };
    const c = testPackConfig(2, "charge", {
      currentOffsetA: 0.002,
      currentGainErrFrac: 0,
      currentGainMismatchFrac: 0,
      currentLsbA: 0.0001,
      voltageOffsetV: 0,
      voltageGainErrFrac: 0,
      voltageLsbV: 0,
      timeBaseErrFrac: 0,
    });
    const st = createCountingState(c);
    push(60, 0.001); // 10 min quiet at 1 mA
    push(60, 0.5);
    push(60, 0.0015); // offset drifted by 0.5 mA
    for (let j = 0; j < t.length; j++) stepCounting(st, c, t[j], a[j], V, 0, () => {});
    expect(st.offset.known).toBe(1);
    expect(st.offset.offsetA).toBeCloseTo(0.0015, 12);
    expect(st.offset.residualA).toBeCloseTo(0.0005, 12);
  });
});
