import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  applyCalibration,
  applyPiecewise,
  applyTwoPoint,
  checkCalibration,
  dividerInputV,
  dividerPinV,
  dividerRatio,
  piecewiseCal,
  twoPointCal,
} from "../../../shared/sensors/calibration";

describe("two-point calibration", () => {
  it("passes through both points and extrapolates linearly", () => {
    const c = twoPointCal(500, 0.5, 3000, 2.3);
    expect(applyTwoPoint(c, 500)).toBeCloseTo(0.5, 12);
    expect(applyTwoPoint(c, 3000)).toBeCloseTo(2.3, 12);
    expect(applyCalibration(c, 1750)).toBeCloseTo(1.4, 12);
    expect(applyTwoPoint(c, NaN)).toBeNaN();
  });
  it("refuses coincident or falling points with a message quoting them", () => {
    expect(() => twoPointCal(100, 1, 100, 2)).toThrow(/raw1 = raw2 = 100/);
    expect(() => twoPointCal(100, 2, 200, 1)).toThrow(/volts must rise/);
  });
});

describe("piecewise calibration", () => {
  const c = piecewiseCal([100, 1000, 2000, 4000], [0.15, 0.9, 1.7, 2.5]);
  it("interpolates inside and hits the knots", () => {
    expect(applyPiecewise(c, 100)).toBeCloseTo(0.15, 12);
    expect(applyPiecewise(c, 2000)).toBeCloseTo(1.7, 12);
    expect(applyPiecewise(c, 1500)).toBeCloseTo(1.3, 12);
    expect(applyPiecewise(c, 4000)).toBeCloseTo(2.5, 12);
  });
  it("is NaN outside its span (never extrapolated)", () => {
    expect(applyPiecewise(c, 99)).toBeNaN();
    expect(applyPiecewise(c, 4001)).toBeNaN();
  });
  it("names non-rising points and unequal lengths", () => {
    expect(checkCalibration({ kind: "piecewise", raws: [1, 2, 2], volts: [1, 2, 3] }).join()).toMatch(/point 2/);
    expect(checkCalibration({ kind: "piecewise", raws: [1, 2], volts: [1] }).join()).toMatch(/equal length/);
    expect(checkCalibration({ kind: "nope" } as never).join()).toMatch(/"twoPoint" or "piecewise"/);
  });
  it("is monotonic between knots (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 100, max: 4000, noNaN: true }), fc.double({ min: 100, max: 4000, noNaN: true }), (a, b) => {
        const lo = Math.min(a, b);
        const hi = Math.max(a, b);
        expect(applyPiecewise(c, lo)).toBeLessThanOrEqual(applyPiecewise(c, hi));
      }),
    );
  });
});

describe("divider", () => {
  it("ratio (Rtop + Rbottom) / Rbottom and its inverse", () => {
    const r = dividerRatio(30000, 10000);
    expect(r).toBe(4);
    expect(dividerInputV(1.2, r)).toBeCloseTo(4.8, 12);
    expect(dividerPinV(4.8, r)).toBeCloseTo(1.2, 12);
    expect(dividerRatio(0, 10000)).toBe(1);
  });
  it("NaN for impossible resistors", () => {
    expect(dividerRatio(1000, 0)).toBeNaN();
    expect(dividerRatio(-1, 1000)).toBeNaN();
    expect(dividerRatio(NaN, 1000)).toBeNaN();
  });
});
