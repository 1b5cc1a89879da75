import { describe, expect, it } from "vitest";
import { checkProtocol, halfRateC } from "../../../host/analyze/practical";
import type { CycleRecord } from "../../../shared/model/events";

function cycle(chargeAh: number, chargeS: number, dischargeAh: number, dischargeS: number, flags = 0): CycleRecord {
  return {
    index: 1, startTMs: 0, endTMs: 1, chargeAh, dischargeAh, chargeWh: 1, dischargeWh: 1, ce: 1, ceBound: 0, ee: 1, ve: 1,
    meanChargeV: 1, meanDischargeV: 1, voltageGapV: 0, chargeDurationS: chargeS, dischargeDurationS: dischargeS,
    tempMinC: 25, tempMaxC: 25, flags, cumulativeCe: 1, rollingCe: 1, cyclesTo80: Infinity, cyclesTo80Low: Infinity, cyclesTo80High: Infinity, restAh: 0,
  };
}
const H = 3600;

describe("practical protocol check", () => {
  it("C-rate of a half = mean current / capacity", () => {
    expect(halfRateC(1, 5 * H, 1)).toBeCloseTo(0.2, 12);
    expect(halfRateC(1, 0, 1)).toBeNaN();
  });
  it("C/5 holds, C/2 and C/10 do not; flagged cycles are left out", () => {
    const ok = checkProtocol([cycle(1, 5 * H, 1, 5 * H), cycle(0.01, 60, 0.01, 60, 1)], 1);
    expect(ok.find((p) => p.id === "chargeRate")!.holds).toBe(true);
    expect(ok.find((p) => p.id === "dischargeRate")!.holds).toBe(true);
    const fast = checkProtocol([cycle(1, 2 * H, 1, 10 * H)], 1);
    expect(fast.find((p) => p.id === "chargeRate")!.holds).toBe(false);
    expect(fast.find((p) => p.id === "dischargeRate")!.holds).toBe(false);
    expect(fast.find((p) => p.id === "chargeRate")!.value).toContain("C/2.00");
  });
  it("undeclared conditions are unknown; declared ones hold or fail at the article's limits", () => {
    const none = checkProtocol([cycle(1, 5 * H, 1, 5 * H)], 1);
    for (const id of ["cathodeLoading", "znFoil", "npRatio", "ecRatio", "znArealAtDod"]) {
      expect(none.find((p) => p.id === id)!.holds).toBeNull();
    }
    const good = checkProtocol([cycle(1, 5 * H, 1, 5 * H)], 1, {
      cathodeLoadingMgPerCm2: 25, znFoilThicknessUm: 30, npRatio: 3, ecRatioGPerAh: 8,
      znArealCapacityMAhPerCm2: 6, depthOfDischargeFrac: 0.6,
    });
    expect(good.every((p) => p.holds === true)).toBe(true);
    const bad = checkProtocol([cycle(1, 5 * H, 1, 5 * H)], 1, {
      cathodeLoadingMgPerCm2: 20, znFoilThicknessUm: 50, npRatio: 5, ecRatioGPerAh: 10,
      znArealCapacityMAhPerCm2: 6, depthOfDischargeFrac: 0.5,
    });
    expect(bad.filter((p) => p.holds === false).map((p) => p.id)).toEqual(["cathodeLoading", "znFoil", "npRatio", "ecRatio", "znArealAtDod"]);
  });
});
