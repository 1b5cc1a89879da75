import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { negativeAreaAh, negativeEnergyWh, positiveAreaAh, positiveEnergyWh } from "../../../shared/counting/trapezoid";

const cur = fc.double({ min: -5, max: 5, noNaN: true });
const volt = fc.double({ min: 0.2, max: 2.2, noNaN: true });
const dt = fc.double({ min: 1e-6, max: 1, noNaN: true });

/** Midpoint-rule integral of f over [0, T] with many slices (reference). */
function numeric(f: (t: number) => number, T: number): number {
  const n = 20000;
  let s = 0;
  for (let k = 0; k < n; k++) s += f(((k + 0.5) / n) * T);
  return (s * T) / n;
}

describe("trapezoid split by sign", () => {
  it("positive − negative part equals the plain trapezoid", () => {
    fc.assert(
      fc.property(cur, cur, dt, (a, b, h) => {
        const net = positiveAreaAh(a, b, h) - negativeAreaAh(a, b, h);
        expect(net).toBeCloseTo(0.5 * (a + b) * h, 12);
        expect(positiveAreaAh(a, b, h)).toBeGreaterThanOrEqual(0);
        expect(negativeAreaAh(a, b, h)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("mirroring the current swaps charge and discharge exactly (sign symmetry)", () => {
    fc.assert(
      fc.property(cur, cur, dt, volt, volt, (a, b, h, v0, v1) => {
        expect(negativeAreaAh(-a, -b, h)).toBe(positiveAreaAh(a, b, h));
        expect(negativeEnergyWh(v0, v1, -a, -b, h)).toBe(positiveEnergyWh(v0, v1, a, b, h));
      }),
    );
  });

  it("a sign change splits at the zero crossing: each part is a triangle", () => {
    // 2 A to −1 A over 3 h: crosses at 2 h; charge 0.5·2·2 = 2 Ah, discharge 0.5·1·1 = 0.5 Ah.
    expect(positiveAreaAh(2, -1, 3)).toBeCloseTo(2, 12);
    expect(negativeAreaAh(2, -1, 3)).toBeCloseTo(0.5, 12);
  });

  it("energy equals the exact integral of V·I over each sign's part", () => {
    fc.assert(
      fc.property(cur, cur, volt, volt, (i0, i1, v0, v1) => {
        const T = 1;
        const v = (t: number) => v0 + ((v1 - v0) * t) / T;
        const i = (t: number) => i0 + ((i1 - i0) * t) / T;
        const pos = numeric((t) => v(t) * Math.max(i(t), 0), T);
        const neg = numeric((t) => v(t) * Math.max(-i(t), 0), T);
        expect(Math.abs(positiveEnergyWh(v0, v1, i0, i1, T) - pos)).toBeLessThan(1e-6);
        expect(Math.abs(negativeEnergyWh(v0, v1, i0, i1, T) - neg)).toBeLessThan(1e-6);
      }),
      { numRuns: 60 },
    );
  });
});
