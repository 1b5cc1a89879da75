import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SimPack, type PackSpec } from "../../../host/sim/pack";
import { parseProtocol } from "../../../host/sim/protocol";
import { ProtocolRunner } from "../../../host/sim/runner";
import { losslessCellParams } from "../../../host/sim/cellParams";

function runAll(spec: PackSpec, text: string, seed: number, stepS = 30): ProtocolRunner {
  const pack = new SimPack(spec);
  const r = new ProtocolRunner(pack, parseProtocol(text, { capacityAh: spec.capacityAh }), { seed });
  let t = 0;
  while (!r.done) {
    t += stepS;
    r.advanceTo(t);
  }
  return r;
}

const lossless = losslessCellParams("ZnMnO2", 1);

describe("protocol runner truth", () => {
  it("a lossless cell gives CE = 1 in truth for any current and duration", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.02, max: 0.5, noNaN: true }), fc.double({ min: 0.1, max: 3, noNaN: true }), (currentA, hours) => {
        const r = runAll(
          { chemistry: "ZnMnO2", cellCount: 2, capacityAh: 1, seed: 1, initialSocFrac: 0.1, cellOverrides: lossless },
          `Charge at ${currentA} A for ${hours} hours\nRest for 1 hour\nDischarge at ${currentA} A for ${hours} hours\nCharge at ${currentA} A for 1 s`,
          1,
          37,
        );
        expect(r.cycles.length).toBe(1);
        expect(Math.abs(r.cycles[0].ce - 1)).toBeLessThan(1e-12);
      }),
      { numRuns: 25 },
    );
  });

  it("a lossless cell cycled between voltage limits settles at CE = 1", () => {
    const r = runAll(
      { chemistry: "ZnMnO2", cellCount: 1, capacityAh: 1, seed: 1, initialSocFrac: 0.5, cellOverrides: lossless, spread: null },
      "Repeat 4 times:\n  Charge at C/5 until 1.8 V\n  Rest for 1 hour\n  Discharge at C/5 until 0.8 V\n  Rest for 1 hour",
      1,
    );
    expect(r.cycles.length).toBe(4);
    for (const c of r.cycles.slice(1)) expect(Math.abs(c.ce - 1)).toBeLessThan(2e-4);
  });

  it("the default (lossy) cell gives 0.9 < CE < 1 with H2 and leaks, and EE < CE", () => {
    const r = runAll(
      { chemistry: "ZnMnO2", cellCount: 4, capacityAh: 1, seed: 2, initialSocFrac: 0.05 },
      "Discharge at C/5 until 0.8 V\nRepeat 3 times:\n  Charge at C/5 until 1.8 V\n  Hold at 1.8 V until C/50\n  Discharge at C/5 until 0.8 V",
      1,
    );
    expect(r.cycles.length).toBe(3);
    for (const c of r.cycles.slice(1)) {
      expect(c.ce).toBeGreaterThan(0.9);
      expect(c.ce).toBeLessThan(1);
      expect(c.ee).toBeLessThan(c.ce);
      expect(c.ve).toBeCloseTo(c.ee / c.ce, 12);
    }
  });

  it("a charge stops where the highest cell reaches the cut-off; a hold stops at its current", () => {
    const pack = new SimPack({ chemistry: "ZnMnO2", cellCount: 3, capacityAh: 1, seed: 4, initialSocFrac: 0.2 });
    const r = new ProtocolRunner(pack, parseProtocol("Charge at C/5 until 1.8 V\nHold at 1.8 V until C/50\nRest for 1 hour", { capacityAh: 1 }), { seed: 1 });
    let t = 0;
    let sawHold = false;
    while (!r.done) {
      t += 10;
      r.advanceTo(t);
      const st = r.currentStep;
      if (st && st.kind === "hold") {
        sawHold = true;
        expect(pack.maxCellV()).toBeLessThan(1.8 + 2e-3);
        expect(pack.currentA).toBeGreaterThan(0.02 - 1e-3);
      }
      if (st && st.kind === "charge") expect(pack.maxCellV()).toBeLessThan(1.8 + 1e-6);
    }
    expect(sawHold).toBe(true);
  });

  it("healthy rests drop steeply then lie flat; faulty ones slope steadily and retain less", () => {
    const text = "Discharge at C/5 until 0.8 V\nCharge at C/5 until 1.8 V\nHold at 1.8 V until C/50\nRest for 24 hours\nDischarge at C/5 until 0.8 V";
    const base = { chemistry: "ZnMnO2" as const, cellCount: 1, capacityAh: 1, seed: 9, initialSocFrac: 0.5, spread: null };
    const healthy = runAll(base, text, 1, 60).rests[0];
    const faulty = runAll({ ...base, faultyCells: [0] }, text, 1, 60).rests[0];
    expect(healthy.firstHourDropV[0]).toBeGreaterThan(0.05);
    expect(Math.abs(healthy.lateSlopeMVPerH[0])).toBeLessThan(1);
    expect(faulty.lateSlopeMVPerH[0]).toBeLessThan(-2);
    expect(faulty.selfDischargeFracPerH[0]).toBeGreaterThan(10 * healthy.selfDischargeFracPerH[0]);
    expect(faulty.retention).toBeLessThan(healthy.retention - 0.1);
    expect(healthy.retention).toBeGreaterThan(0.95);
    expect(faulty.calendarLossAh[0]).toBeGreaterThan(healthy.calendarLossAh[0]);
    expect(healthy.calendarLossAh[0]).toBeGreaterThan(0);
  });

  it("self-discharge is faster when warmer (Arrhenius)", () => {
    const text = "Rest for 24 hours";
    const base = { chemistry: "ZnMnO2" as const, cellCount: 1, capacityAh: 1, seed: 9, initialSocFrac: 0.9, spread: null, faultyCells: [0] };
    const cold = runAll({ ...base, ambientC: 15 }, text, 1, 600).rests[0];
    const warm = runAll({ ...base, ambientC: 35 }, text, 1, 600).rests[0];
    expect(warm.selfDischargeFracPerH[0]).toBeGreaterThan(1.5 * cold.selfDischargeFracPerH[0]);
  });

  it("discharge-first cycles (Zn||Cu, half-cells) report CE = charge / discharge", () => {
    const pack = new SimPack({ chemistry: "ZnMnO2", cellCount: 1, capacityAh: 1, seed: 3, initialSocFrac: 0.9 });
    const r = new ProtocolRunner(
      pack,
      parseProtocol("Repeat 3 times:\n  Discharge at C/5 until 0.8 V\n  Charge at C/5 until 1.8 V", { capacityAh: 1 }),
      { seed: 1, firstHalf: "discharge" },
    );
    let t = 0;
    while (!r.done) r.advanceTo((t += 60));
    expect(r.cycles.length).toBe(3);
    for (const c of r.cycles) expect(c.ce).toBeCloseTo(c.chargeAh / c.dischargeAh, 14);
  });

  it("random rests are drawn from the seed: same seed same rests, probability respected", () => {
    const text = "Repeat 200 times:\n  Charge at 1C for 1 min\n  Random rest for 1 to 2 hours with probability 0.25\n  Discharge at 1C for 1 min";
    const spec = { chemistry: "ZnMnO2" as const, cellCount: 1, capacityAh: 1, seed: 1 };
    const a = runAll(spec, text, 42, 600).rests;
    const b = runAll(spec, text, 42, 600).rests;
    const c = runAll(spec, text, 43, 600).rests;
    expect(a.map((x) => x.durationS)).toEqual(b.map((x) => x.durationS));
    expect(a.map((x) => x.durationS)).not.toEqual(c.map((x) => x.durationS));
    expect(a.length).toBeGreaterThan(30);
    expect(a.length).toBeLessThan(75);
    for (const x of a) {
      expect(x.random).toBe(1);
      expect(x.durationS).toBeGreaterThanOrEqual(3600);
      expect(x.durationS).toBeLessThanOrEqual(7200);
    }
  });
});
