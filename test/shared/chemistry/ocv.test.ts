import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { CHEMISTRY_IDS, CHEMISTRY_PRESETS, OCV_SOC_GRID } from "../../../shared/chemistry/presets";
import {
  ocvAtSoc,
  ocvSlopeAtSoc,
  socAtOcv,
  checkOcvCurve,
  OCV_BRANCH_CHARGE,
  OCV_BRANCH_DISCHARGE,
  OCV_BRANCH_MEAN,
} from "../../../shared/chemistry/ocv";

const BRANCHES = [OCV_BRANCH_MEAN, OCV_BRANCH_CHARGE, OCV_BRANCH_DISCHARGE];

describe("chemistry presets' OCV curves", () => {
  it("every preset's branches are usable (strictly rising, one value per grid point)", () => {
    for (const id of CHEMISTRY_IDS) {
      const p = CHEMISTRY_PRESETS[id];
      expect(checkOcvCurve(OCV_SOC_GRID, p.ocvChargeV, id + ".ocvChargeV")).toEqual([]);
      expect(checkOcvCurve(OCV_SOC_GRID, p.ocvDischargeV, id + ".ocvDischargeV")).toEqual([]);
    }
  });

  it("the charge branch lies above the discharge branch (OCV hysteresis) and inside the window", () => {
    for (const id of CHEMISTRY_IDS) {
      const p = CHEMISTRY_PRESETS[id];
      for (let k = 0; k < OCV_SOC_GRID.length; k++) {
        expect(p.ocvChargeV[k]).toBeGreaterThan(p.ocvDischargeV[k]);
        expect(p.ocvDischargeV[k]).toBeGreaterThanOrEqual(p.minCellV);
        expect(p.ocvChargeV[k]).toBeLessThanOrEqual(p.maxCellV);
      }
    }
  });

  it("Zn‖I2's plateau is flatter than Zn‖V-oxide's slope at mid SOC", () => {
    const i2 = CHEMISTRY_PRESETS.ZnI2;
    const vox = CHEMISTRY_PRESETS.ZnVOx;
    const sI2 = ocvSlopeAtSoc(OCV_SOC_GRID, i2.ocvChargeV, i2.ocvDischargeV, OCV_BRANCH_DISCHARGE, 0.5);
    const sVox = ocvSlopeAtSoc(OCV_SOC_GRID, vox.ocvChargeV, vox.ocvDischargeV, OCV_BRANCH_DISCHARGE, 0.5);
    expect(sI2 * 5).toBeLessThan(sVox);
  });
});

describe("OCV interpolation", () => {
  it("SOC(OCV(soc)) = soc on every preset and branch", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CHEMISTRY_IDS),
        fc.constantFrom(...BRANCHES),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (id, branch, soc) => {
          const p = CHEMISTRY_PRESETS[id];
          const v = ocvAtSoc(OCV_SOC_GRID, p.ocvChargeV, p.ocvDischargeV, branch, soc);
          const back = socAtOcv(OCV_SOC_GRID, p.ocvChargeV, p.ocvDischargeV, branch, v);
          expect(Math.abs(back - soc)).toBeLessThan(1e-9);
        },
      ),
    );
  });

  it("OCV rises with SOC, the slope is positive and matches a finite difference inside a segment", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CHEMISTRY_IDS),
        fc.constantFrom(...BRANCHES),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (id, branch, soc) => {
          const p = CHEMISTRY_PRESETS[id];
          const f = (s: number) => ocvAtSoc(OCV_SOC_GRID, p.ocvChargeV, p.ocvDischargeV, branch, s);
          const slope = ocvSlopeAtSoc(OCV_SOC_GRID, p.ocvChargeV, p.ocvDischargeV, branch, soc);
          expect(slope).toBeGreaterThan(0);
          expect(f(soc + 0.001)).toBeGreaterThan(f(soc));
          // Finite difference within the same segment equals the segment slope.
          let k = 0;
          while (k < OCV_SOC_GRID.length - 2 && soc >= OCV_SOC_GRID[k + 1]) k++;
          const hi = Math.min(OCV_SOC_GRID[k + 1], soc + 0.001);
          if (hi - soc > 1e-6) expect(Math.abs((f(hi) - f(soc)) / (hi - soc) - slope)).toBeLessThan(1e-6);
        },
      ),
    );
  });

  it("the mean branch is the average of the two branches", () => {
    const p = CHEMISTRY_PRESETS.ZnMnO2;
    const c = ocvAtSoc(OCV_SOC_GRID, p.ocvChargeV, p.ocvDischargeV, OCV_BRANCH_CHARGE, 0.37);
    const d = ocvAtSoc(OCV_SOC_GRID, p.ocvChargeV, p.ocvDischargeV, OCV_BRANCH_DISCHARGE, 0.37);
    const m = ocvAtSoc(OCV_SOC_GRID, p.ocvChargeV, p.ocvDischargeV, OCV_BRANCH_MEAN, 0.37);
    expect(m).toBeCloseTo((c + d) / 2, 12);
  });

  it("SOC(OCV) clamps outside the table and passes NaN through", () => {
    const p = CHEMISTRY_PRESETS.ZnPBA;
    expect(socAtOcv(OCV_SOC_GRID, p.ocvChargeV, p.ocvDischargeV, OCV_BRANCH_CHARGE, 0.1)).toBe(0);
    expect(socAtOcv(OCV_SOC_GRID, p.ocvChargeV, p.ocvDischargeV, OCV_BRANCH_CHARGE, 5)).toBe(1);
    expect(socAtOcv(OCV_SOC_GRID, p.ocvChargeV, p.ocvDischargeV, OCV_BRANCH_CHARGE, NaN)).toBeNaN();
  });

  it("checkOcvCurve names a falling point and a wrong length", () => {
    const bad = CHEMISTRY_PRESETS.ZnMnO2.ocvChargeV.slice();
    bad[4] = bad[3] - 0.01;
    const problems = checkOcvCurve(OCV_SOC_GRID, bad, "soc.ocvChargeV");
    expect(problems.length).toBe(1);
    expect(problems[0]).toContain("soc.ocvChargeV[4]");
    expect(checkOcvCurve(OCV_SOC_GRID, [1, 2], "x")[0]).toContain("x has 2 points");
  });
});
