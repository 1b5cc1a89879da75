import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { PackModel } from "../../../shared/model/packModel";
import { CYCLE_FLAG_RESTORED, SEG_CHARGE, type ModelEvent } from "../../../shared/model/events";
import type { Sample } from "../../../shared/sample";
import { defaultPackConfig } from "../../../shared/config/defaults";
import { cycleSteps, sampleProfile, testCell, testPackConfig, TEST_PERIOD_MS, type AppliedErrors, type CycleSpec } from "../synthetic";

const MIN = 60000;
const c1: CycleSpec = { chargeA: 0.3, chargeMs: 60 * MIN, restAfterChargeMs: 20 * MIN, dischargeA: 0.3, dischargeMs: 58 * MIN, restAfterDischargeMs: 20 * MIN, openCircuitRests: 1 };
const c2: CycleSpec = { ...c1, chargeA: 0.4, dischargeA: 0.38, openCircuitRests: 0 };
const ERR: AppliedErrors = { gainChargeFrac: 0.0005, gainDischargeFrac: 0.0004, offsetA: 0.0003, lsbA: 0.0001, timeBaseFrac: 2e-5 };

/** A run with errors, NaN channels, a gap and a clock step back sprinkled in. */
function messyRun(): Sample[] {
  const steps = cycleSteps([c1, c2, c1], 15 * MIN, false).concat([{ durationMs: 20 * MIN, currentA: 0.3, openCircuit: 0 }]);
  const s = sampleProfile(steps, TEST_PERIOD_MS, testCell(3), 2, ERR).samples;
  s[100].currentA = NaN;
  s[200].cellV = [1.3, NaN, 1.3];
  s[300].tempC = [NaN, 25];
  s.splice(400, 12); // a 2-minute gap
  s[500].tMs = s[499].tMs - 5000; // clock stepped back
  return s;
}

function bytes(a: Float64Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(0));
}

describe("PackModel", () => {
  const cfg = testPackConfig(3, "charge");
  cfg.tempCount = 2;
  const samples = messyRun();

  it("snapshot at any sample + restore + continue is bit-identical to never stopping", () => {
    const refEvents: ModelEvent[] = [];
    const ref = new PackModel(cfg, (e) => refEvents.push(e));
    const refSnaps: Float64Array[] = [];
    for (const s of samples) {
      ref.step(s);
      refSnaps.push(ref.snapshot());
    }
    expect(refEvents.filter((e) => e.kind === "cycle").length).toBe(3);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: samples.length - 1 }), (k) => {
        const a = new PackModel(cfg);
        for (let j = 0; j <= k; j++) a.step(samples[j]);
        const snap = a.snapshot();
        const events: ModelEvent[] = [];
        const b = new PackModel(cfg, (e) => events.push(e));
        b.restore(snap);
        expect(bytes(b.snapshot())).toEqual(bytes(refSnaps[k]));
        for (let j = k + 1; j < samples.length; j++) b.step(samples[j]);
        expect(bytes(b.snapshot())).toEqual(bytes(refSnaps[samples.length - 1]));
        // Events after k: the reference's events from the (k+1)th step on.
        const counter: ModelEvent[] = [];
        const c = new PackModel(cfg, (e) => counter.push(e));
        for (let j = 0; j <= k; j++) c.step(samples[j]);
        expect(events).toEqual(refEvents.slice(counter.length));
        expect(b.recentCycles()).toEqual(ref.recentCycles());
      }),
      { numRuns: 25 },
    );
  });

  it("restore refuses a snapshot of another shape, naming both lengths", () => {
    const m = new PackModel(cfg);
    expect(() => m.restore(new Float64Array(3))).toThrow(/snapshot has 3 values, state of this config needs \d+/);
  });

  it("never throws on bad sample data; invalid channels raise sensorFault", () => {
    const events: ModelEvent[] = [];
    const m = new PackModel(cfg, (e) => events.push(e));
    const junk = fc.oneof(fc.constant(NaN), fc.constant(Infinity), fc.constant(-Infinity), fc.double(), fc.constant(undefined as unknown as number));
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            tMs: fc.oneof(fc.integer({ min: 0, max: 1e9 }), junk),
            cellV: fc.oneof(fc.array(junk, { maxLength: 5 }), fc.constant(undefined as unknown as number[])),
            currentA: junk,
            tempC: fc.array(junk, { maxLength: 3 }),
            openCircuit: fc.oneof(fc.constant(0), fc.constant(1), junk),
          }),
          { maxLength: 50 },
        ),
        (ss) => {
          for (const s of ss) m.step(s as Sample);
          const st = m.status();
          expect(st.cellV.length).toBe(3);
        },
      ),
    );
    m.step({ tMs: 2e9, cellV: [1.3, NaN, 1.3], currentA: 0, tempC: [25, 25], openCircuit: 0 });
    expect(m.status().sensorFault).toBe(1);
    expect(events.some((e) => e.kind === "alarm" && e.id === "sensorFault" && e.raised)).toBe(true);
    m.step(null as unknown as Sample);
  });

  it("status reports live numbers; markRestored flags the open cycle", () => {
    const m = new PackModel(cfg);
    const steps = cycleSteps([c1], 15 * MIN, false).concat([{ durationMs: 20 * MIN, currentA: 0.3, openCircuit: 0 }]);
    const run = sampleProfile(steps, TEST_PERIOD_MS, testCell(3), 2, { ...ERR, lsbA: 0 });
    const half = Math.floor(run.samples.length / 3);
    for (let k = 0; k < half; k++) m.step(run.samples[k]);
    m.markRestored();
    for (let k = half; k < run.samples.length; k++) m.step(run.samples[k]);
    const st = m.status();
    expect(st.segment).toBe(SEG_CHARGE);
    expect(st.cycleCount).toBe(1);
    expect(st.offsetA).toBeCloseTo(ERR.offsetA, 12);
    expect(st.currentA).toBeCloseTo(0.3 * (1 + ERR.gainChargeFrac), 9);
    expect(st.socFrac.length).toBe(3);
    expect(st.tempC).toEqual([25, 25]);
    const rec = m.recentCycles();
    expect(rec.length).toBe(1);
    expect(rec[0].flags & CYCLE_FLAG_RESTORED).toBe(CYCLE_FLAG_RESTORED);
    expect(st.lastCe).toBe(rec[0].ce);
    expect(st.chargeAh).toBeGreaterThan(rec[0].chargeAh);
  });

  it("keeps only the last few records in recentCycles, oldest first", () => {
    const cs: CycleSpec[] = [];
    for (let k = 0; k < 11; k++) cs.push({ ...c1, chargeMs: 20 * MIN, dischargeMs: 19 * MIN, restAfterChargeMs: 2 * MIN, restAfterDischargeMs: 2 * MIN });
    const steps = cycleSteps(cs, 5 * MIN, false).concat([{ durationMs: 5 * MIN, currentA: 0.3, openCircuit: 0 }]);
    const m = new PackModel(cfg);
    for (const s of sampleProfile(steps, TEST_PERIOD_MS, testCell(3), 2, { ...ERR, lsbA: 0 }).samples) m.step(s);
    const rec = m.recentCycles();
    expect(rec.length).toBe(8);
    expect(rec.map((r) => r.index)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("runs the default config of every chemistry", () => {
    for (const chem of ["ZnMnO2", "ZnVOx", "ZnI2", "ZnPBA"] as const) {
      const c = defaultPackConfig(chem, 4, 2);
      const m = new PackModel(c);
      for (let k = 0; k < 100; k++) m.step({ tMs: k * 1000, cellV: [1.2, 1.2, 1.2, 1.2], currentA: 0.5, tempC: [25, 25, 25, 25], openCircuit: 0 });
      expect(m.status().chargeAh).toBeCloseTo((0.5 * 99) / 3600, 9);
    }
  });
});
