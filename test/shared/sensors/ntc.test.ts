import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  NtcParams,
  ntcBetaResistance,
  ntcBetaTempC,
  ntcRatioFromResistance,
  ntcResistanceFromRatio,
  ntcSteinhartHartResistance,
  ntcSteinhartHartTempC,
  ntcTempCFromRatio,
  steinhartHartFromPoints,
} from "../../../shared/sensors/ntc";

// Widely published Steinhart–Hart coefficients of a 10 kΩ (25 °C) NTC.
const SH_A = 1.009249522e-3;
const SH_B = 2.378405444e-4;
const SH_C = 2.019202697e-7;

const P: NtcParams = {
  model: "beta",
  r0Ohm: 10000,
  t0C: 25,
  betaK: 3950,
  shA: SH_A,
  shB: SH_B,
  shC: SH_C,
  rFixedOhm: 10000,
  ntcLowSide: true,
  minTempC: -40,
  maxTempC: 125,
};

describe("NTC", () => {
  it("Beta: R0 at T0 gives exactly T0; a 3950 K part at 0 °C is ≈ 33.6 kΩ", () => {
    expect(ntcBetaTempC(10000, 10000, 25, 3950)).toBeCloseTo(25, 12);
    expect(ntcBetaResistance(0, 10000, 25, 3950)).toBeCloseTo(33620, -1);
    expect(ntcBetaTempC(ntcBetaResistance(0, 10000, 25, 3950), 10000, 25, 3950)).toBeCloseTo(0, 9);
  });
  it("Steinhart–Hart: the published 10 kΩ coefficients give 25 °C ± 0.5 °C at 10 kΩ", () => {
    expect(ntcSteinhartHartTempC(10000, SH_A, SH_B, SH_C)).toBeCloseTo(25, 0);
  });
  it("Steinhart–Hart fitted through three points reproduces them", () => {
    const pts: [number, number][] = [
      [32650, 0],
      [10000, 25],
      [3602, 50],
    ];
    const c = steinhartHartFromPoints(pts[0][0], pts[0][1], pts[1][0], pts[1][1], pts[2][0], pts[2][1]);
    for (const [r, t] of pts) expect(ntcSteinhartHartTempC(r, c.a, c.b, c.c)).toBeCloseTo(t, 9);
  });
  it("Steinhart–Hart inverse round-trips (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 125, noNaN: true }), (t) => {
        const r = ntcSteinhartHartResistance(t, SH_A, SH_B, SH_C);
        expect(ntcSteinhartHartTempC(r, SH_A, SH_B, SH_C)).toBeCloseTo(t, 6);
      }),
    );
  });
  it("divider: half ratio with equal resistors is R0; inverse round-trips", () => {
    expect(ntcResistanceFromRatio(0.5, 10000, true)).toBeCloseTo(10000, 9);
    expect(ntcResistanceFromRatio(0.25, 10000, false)).toBeCloseTo(30000, 9);
    expect(ntcRatioFromResistance(30000, 10000, false)).toBeCloseTo(0.25, 12);
    expect(ntcTempCFromRatio(0.5, P)).toBeCloseTo(25, 9);
    expect(ntcTempCFromRatio(0.5, { ...P, model: "steinhartHart" })).toBeCloseTo(25, 0);
  });
  it("open or shorted sensor (ratio 0 or 1) and out-of-rated-range temperatures are NaN", () => {
    expect(ntcTempCFromRatio(0, P)).toBeNaN();
    expect(ntcTempCFromRatio(1, P)).toBeNaN();
    expect(ntcTempCFromRatio(NaN, P)).toBeNaN();
    // NTC low side: tiny ratio = tiny R = very hot, beyond 125 °C
    expect(ntcTempCFromRatio(0.01, P)).toBeNaN();
    // near 1 = huge R = below −40 °C
    expect(ntcTempCFromRatio(0.999, P)).toBeNaN();
    expect(ntcBetaTempC(-5, 10000, 25, 3950)).toBeNaN();
  });
  it("temperature falls as the low-side ratio rises (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (a, b) => {
        fc.pre(b - a > 1e-6);
        const ta = ntcTempCFromRatio(a, P);
        const tb = ntcTempCFromRatio(b, P);
        if (!isNaN(ta) && !isNaN(tb)) expect(ta).toBeGreaterThan(tb);
      }),
    );
  });
});
