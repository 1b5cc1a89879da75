import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { BdfRowBuilder } from "../../../host/monitor/bdfRows";
import type { SampleRecord } from "../../../host/monitor/monitorRecord";

function sample(tMs: number, currentA: number, over: Partial<SampleRecord> = {}): SampleRecord {
  return {
    kind: "sample",
    seq: 0,
    tMs,
    cellV: [1.5, 1.6],
    currentA,
    tempC: [25],
    socFrac: [0.5, 0.5],
    segment: currentA > 0 ? 1 : currentA < 0 ? 2 : 0,
    cycleIndex: 1,
    alarmMask: 0,
    lastCe: NaN,
    lastCeBound: NaN,
    lastEe: NaN,
    ...over,
  };
}

describe("BdfRowBuilder", () => {
  it("test time starts at 0 at the first sample, whatever the board clock says", () => {
    const b = new BdfRowBuilder(0);
    expect(b.next(sample(5_000_000, 0)).testTimeS).toBe(0);
    expect(b.next(sample(5_010_000, 0)).testTimeS).toBe(10);
  });

  it("+ current counts as charging capacity and energy with this cell's voltage", () => {
    const b = new BdfRowBuilder(1); // cell 2 at 1.6 V
    b.next(sample(0, 1));
    const r = b.next(sample(3_600_000, 1));
    expect(r.voltageV).toBe(1.6);
    expect(r.chargingCapacityAh).toBeCloseTo(1, 12);
    expect(r.chargingEnergyWh).toBeCloseTo(1.6, 12);
    expect(r.dischargingCapacityAh).toBe(0);
  });

  it("− current counts as discharging capacity (positive), a new step starts at the change", () => {
    const b = new BdfRowBuilder(0);
    const r0 = b.next(sample(0, 1));
    b.next(sample(1_800_000, -2)); // trapezoid of 1 → −2 over 0.5 h: mean −0.5 A → 0.25 Ah out
    const r2 = b.next(sample(3_600_000, -2)); // −2 A for 0.5 h → 1 Ah out
    expect(r0.stepCount).toBe(1);
    expect(r2.stepCount).toBe(2);
    expect(r2.dischargingCapacityAh).toBeCloseTo(1.25, 12);
    expect(r2.chargingCapacityAh).toBeCloseTo(0, 12);
  });

  it("totals run on across a change of cycle number (BDF: cumulative from the test's start)", () => {
    const b = new BdfRowBuilder(0);
    b.next(sample(0, 1));
    b.next(sample(3_600_000, 1));
    const r = b.next(sample(3_600_000 + 1000, 1, { cycleIndex: 2 }));
    expect(r.cycleCount).toBe(2);
    expect(r.chargingCapacityAh).toBeCloseTo(1 + 1 / 3600, 12);
  });

  it("a board reset: time continues from the last row, nothing is integrated across it", () => {
    const b = new BdfRowBuilder(0);
    b.next(sample(0, 1));
    b.next(sample(100_000, 1));
    b.boardRestarted();
    const r = b.next(sample(2_000, 1)); // the board's clock restarted near 0
    expect(r.testTimeS).toBe(100);
    const before = r.chargingCapacityAh;
    const r2 = b.next(sample(12_000, 1));
    expect(r2.testTimeS).toBe(110);
    expect(r2.chargingCapacityAh - before).toBeCloseTo(10 / 3600, 12);
  });

  it("a NaN current is not integrated (and shows as NaN, written as an empty cell)", () => {
    const b = new BdfRowBuilder(0);
    b.next(sample(0, 1));
    const r = b.next(sample(1000, NaN));
    expect(r.currentA).toBeNaN();
    expect(r.chargingCapacityAh).toBe(0);
  });

  it("property: test time never goes backwards across any sequence of samples and resets", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.boolean()), { minLength: 1, maxLength: 50 }), (steps) => {
        const b = new BdfRowBuilder(0);
        let t = 0;
        let last = -Infinity;
        for (const [dt, reset] of steps) {
          if (reset) {
            b.boardRestarted();
            t = 0;
          }
          t += dt;
          const r = b.next(sample(t, 0.5));
          expect(r.testTimeS).toBeGreaterThanOrEqual(last);
          last = r.testTimeS;
        }
      }),
    );
  });
});
