import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ceBoundFrac, ceBoundWithRest } from "../../../shared/cycles/ceBound";
import { cyclesToRetention } from "../../../shared/cycles/projection";
import {
  adamsCe,
  adamsCycle,
  adamsFinalStrip,
  adamsReservoir,
  adamsRest,
  adamsResult,
  createAdamsState,
} from "../../../shared/cycles/adams";
import type { SensorChainConfig } from "../../../shared/config/packConfig";

const f = (min: number, max: number) => fc.double({ min, max, noNaN: true });

describe("CE bound (interval arithmetic)", () => {
  it("contains the true CE for any errors inside the declared bounds", () => {
    fc.assert(
      fc.property(
        f(0.1, 10), // true Q_in
        f(0.5, 1), // true CE
        f(0, 0.01), // declared gain error
        f(0, 0.01), // declared mismatch
        f(0, 1e-4), // declared time base
        f(0, 0.01), // declared absolute error (Ah)
        f(-1, 1),
        f(-1, 1),
        f(-1, 1),
        f(-1, 1),
        f(-1, 1),
        f(-1, 1),
        (qIn, ce, G, M, T, E, u1, u2, u3, u4, u5, u6) => {
          const qOut = ce * qIn;
          const gIn = u1 * G;
          let gOut = gIn + u2 * M;
          if (gOut > G) gOut = G;
          if (gOut < -G) gOut = -G;
          const kIn = (1 + gIn) * (1 + u3 * T);
          const kOut = (1 + gOut) * (1 + u4 * T);
          const mIn = kIn * qIn + u5 * E;
          const mOut = kOut * qOut + u6 * E;
          const b = ceBoundFrac(mOut, mIn, E, E, G, M, T);
          const measured = mOut / mIn;
          expect(Math.abs(measured - ce)).toBeLessThanOrEqual(b * (1 + 1e-12) + 1e-15);
        },
      ),
    );
  });

  it("is infinite when the input half is not above its error", () => {
    expect(ceBoundFrac(1, 0.001, 0, 0.002, 0, 0, 0)).toBe(Infinity);
  });

  it("is zero for a perfect chain", () => {
    expect(ceBoundFrac(0.99, 1, 0, 0, 0.01, 0, 0)).toBe(0);
  });
});

describe("projection to 80 % retention", () => {
  it("N = ln 0.8 / ln CE, so CE^N = 0.8", () => {
    expect(cyclesToRetention(0.9997)).toBeCloseTo(Math.log(0.8) / Math.log(0.9997), 9);
    expect(Math.pow(0.9997, cyclesToRetention(0.9997))).toBeCloseTo(0.8, 12);
  });
  it("is Infinity at CE ≥ 1, 0 at CE ≤ 0, NaN for NaN, and falls as CE falls", () => {
    expect(cyclesToRetention(1)).toBe(Infinity);
    expect(cyclesToRetention(0)).toBe(0);
    expect(cyclesToRetention(NaN)).toBeNaN();
    fc.assert(
      fc.property(f(0.01, 0.999), f(0.01, 0.999), (a, b) => {
        if (a < b) expect(cyclesToRetention(a)).toBeLessThanOrEqual(cyclesToRetention(b));
      }),
    );
  });
});

describe("Adams' Zn reservoir CE", () => {
  const chain: SensorChainConfig = {
    currentOffsetA: 0,
    currentGainErrFrac: 0.001,
    currentGainMismatchFrac: 0.0005,
    currentLsbA: 0,
    voltageOffsetV: 0,
    voltageGainErrFrac: 0,
    voltageLsbV: 0,
    timeBaseErrFrac: 0,
  };

  it("matches (n·Q_C + Q_S)/(n·Q_C + Q_T) for a labelled protocol", () => {
    const st = createAdamsState();
    adamsReservoir(st, 5, 0);
    for (let k = 0; k < 10; k++) adamsCycle(st, 1, 1, 0, 0);
    adamsFinalStrip(st, 4.5, 0);
    const r = adamsResult(st, chain);
    expect(r.ce).toBeCloseTo(adamsCe(10, 1, 4.5, 5), 15);
    expect(r.ce).toBeCloseTo(14.5 / 15, 15);
  });

  it("its bound contains the true CE under errors inside the declared chain", () => {
    fc.assert(
      fc.property(f(1, 10), f(0.1, 1), fc.integer({ min: 1, max: 50 }), f(0.5, 1), f(-1, 1), f(-1, 1), (qT, qC, n, keep, u1, u2) => {
        const qS = keep * qT;
        const trueCe = adamsCe(n, qC, qS, qT);
        const gIn = u1 * chain.currentGainErrFrac;
        const gOut = Math.max(-0.001, Math.min(0.001, gIn + u2 * chain.currentGainMismatchFrac));
        const st = createAdamsState();
        adamsReservoir(st, qT * (1 + gIn), 0);
        for (let k = 0; k < n; k++) adamsCycle(st, qC * (1 + gIn), qC * (1 + gOut), 0, 0);
        adamsFinalStrip(st, qS * (1 + gOut), 0);
        const r = adamsResult(st, chain);
        expect(Math.abs(r.ce - trueCe)).toBeLessThanOrEqual(r.ceBound * (1 + 1e-12));
      }),
    );
  });

  it("rests' net widens the bound as a cycle's rest ledger does (ceBoundWithRest), and a rest's real current then stays inside it", () => {
    const st = createAdamsState();
    adamsReservoir(st, 5, 0.01);
    adamsRest(st, 0.02); // a residual that charged during the rest after the reservoir
    adamsCycle(st, 1, 1, 0.002, 0.002);
    adamsRest(st, -0.03);
    adamsFinalStrip(st, 4.5, 0.01);
    const r = adamsResult(st, chain);
    expect(r.ceBound).toBe(ceBoundWithRest(5.5, 6, 0.012, 0.012, 0.05, chain));
    expect(r.ceBound).toBe(ceBoundFrac(5.5, 6, 0.062, 0.062, chain.currentGainErrFrac, chain.currentGainMismatchFrac, chain.timeBaseErrFrac));
    // Had those rests' currents been real (plated 0.02 more, stripped 0.03 more), the truth is inside.
    expect(Math.abs((5.5 + 0.03) / (6 + 0.02) - r.ce)).toBeLessThanOrEqual(r.ceBound);
    expect(() => adamsRest(st, NaN)).toThrow(/finite charge in Ah, got NaN/);
  });

  it("rejects steps out of order and bad capacities with a clear message", () => {
    const st = createAdamsState();
    expect(() => adamsCycle(st, 1, 1, 0, 0)).toThrow(/cannot follow/);
    expect(() => adamsReservoir(st, -1, 0)).toThrow(/finite capacity ≥ 0 Ah, got -1/);
    expect(adamsResult(st, chain).ce).toBeNaN();
  });
});
