/**
 * Cycle records from whole synthetic runs through PackModel: CE = 1 and EE ≤ 1 when lossless,
 * CE < 1 with a loss, partial first halves, discharge-first order, conservation across cycles,
 * the CE bound containing the true CE, gaps.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { PackModel } from "../../../shared/model/packModel";
import { CYCLE_FLAG_GAP, CYCLE_FLAG_PARTIAL, CYCLE_FLAG_UNBALANCED, type CycleRecord, type ModelEvent } from "../../../shared/model/events";
import type { PackConfig, SensorChainConfig } from "../../../shared/config/packConfig";
import type { Sample } from "../../../shared/sample";
import {
  cycleSteps,
  measure,
  NO_ERRORS,
  sampleProfile,
  testCell,
  testPackConfig,
  TEST_PERIOD_MS,
  type AppliedErrors,
  type CycleSpec,
  type ProfileStep,
} from "../synthetic";

const MIN = 60000;

function runModel(cfg: PackConfig, samples: Sample[]) {
  const events: ModelEvent[] = [];
  const m = new PackModel(cfg, (e) => events.push(e));
  for (const s of samples) m.step(s);
  const cycles: CycleRecord[] = [];
  for (const e of events) if (e.kind === "cycle") cycles.push(e.cycle);
  return { m, events, cycles };
}

/** Cycles plus the opening of one more first half, so the last cycle closes. */
function withCloser(steps: ProfileStep[], firstA: number): ProfileStep[] {
  return steps.concat([{ durationMs: 10 * MIN, currentA: firstA, openCircuit: 0 }]);
}

const minutes = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((x) => x * MIN);

const cycleArb: fc.Arbitrary<CycleSpec> = fc.record({
  chargeA: fc.double({ min: 0.2, max: 0.5, noNaN: true }),
  chargeMs: minutes(20, 90),
  restAfterChargeMs: minutes(1, 20),
  dischargeA: fc.double({ min: 0.2, max: 0.5, noNaN: true }),
  dischargeMs: minutes(20, 90),
  restAfterDischargeMs: minutes(1, 20),
  openCircuitRests: fc.integer({ min: 0, max: 1 }),
});

/** A lossless cycle: same Ah out as in (equal duration × current, on the sample grid). */
const losslessArb = fc
  .record({ a: fc.integer({ min: 20, max: 50 }), ms: minutes(20, 90), r1: minutes(1, 20), r2: minutes(1, 20), oc: fc.integer({ min: 0, max: 1 }) })
  .map(
    (x): CycleSpec => ({
      chargeA: x.a / 100,
      chargeMs: x.ms,
      restAfterChargeMs: x.r1,
      dischargeA: x.a / 100,
      dischargeMs: x.ms,
      restAfterDischargeMs: x.r2,
      openCircuitRests: x.oc,
    }),
  );

describe("cycle records", () => {
  it("lossless cycles: CE = 1; a resistive cell has EE < 1 (EE > 1 discharge-first: same orientation as CE)", () => {
    fc.assert(
      fc.property(fc.array(losslessArb, { minLength: 1, maxLength: 3 }), fc.boolean(), (cs, dischargeFirst) => {
        const cfg = testPackConfig(2, dischargeFirst ? "discharge" : "charge");
        const first = dischargeFirst ? -cs[0].dischargeA : cs[0].chargeA;
        const run = sampleProfile(withCloser(cycleSteps(cs, 10 * MIN, dischargeFirst), first), TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS);
        const { cycles } = runModel(cfg, run.samples);
        expect(cycles.length).toBe(cs.length);
        for (const c of cycles) {
          expect(c.flags).toBe(0);
          expect(Math.abs(c.ce - 1)).toBeLessThan(1e-9);
          if (dischargeFirst) expect(c.ee).toBeGreaterThan(1);
          else expect(c.ee).toBeLessThan(1);
          expect(c.ve).toBeCloseTo(c.ee / c.ce, 12);
          expect(c.voltageGapV).toBeGreaterThan(0);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("a lossless cycle on a cell without resistance has EE = 1 (and never above)", () => {
    const c: CycleSpec = { chargeA: 0.3, chargeMs: 60 * MIN, restAfterChargeMs: 5 * MIN, dischargeA: 0.3, dischargeMs: 60 * MIN, restAfterDischargeMs: 5 * MIN, openCircuitRests: 1 };
    const cell = { v0V: [1.3, 1.3], slopeVPerAh: 0.3, resistanceOhm: 0 };
    const run = sampleProfile(withCloser(cycleSteps([c], 10 * MIN, false), 0.3), TEST_PERIOD_MS, cell, 2, NO_ERRORS);
    const { cycles } = runModel(testPackConfig(2, "charge"), run.samples);
    expect(cycles[0].ee).toBeLessThanOrEqual(1 + 1e-12);
    expect(cycles[0].ee).toBeCloseTo(1, 9);
  });

  it("durations, mean voltages, voltage gap and temperature range of a known cycle", () => {
    const c: CycleSpec = { chargeA: 0.3, chargeMs: 60 * MIN, restAfterChargeMs: 5 * MIN, dischargeA: 0.3, dischargeMs: 50 * MIN, restAfterDischargeMs: 5 * MIN, openCircuitRests: 1 };
    // Constant cell voltages with an IR step: charge at v0 + r·I, discharge at v0 − r·I.
    const cell = { v0V: [1.3, 1.4], slopeVPerAh: 0, resistanceOhm: 0.5 };
    const run = sampleProfile(withCloser(cycleSteps([c], 10 * MIN, false), 0.3), TEST_PERIOD_MS, cell, 2, NO_ERRORS);
    run.samples.forEach((s, k) => (s.tempC = [20 + (k % 7), 24]));
    const { cycles } = runModel(testPackConfig(2, "charge"), run.samples);
    const r = cycles[0];
    expect(r.chargeDurationS).toBe(3600);
    expect(r.dischargeDurationS).toBe(3000);
    expect(r.startTMs).toBe(10 * MIN - TEST_PERIOD_MS);
    // Ramps of one sample at each edge sit at intermediate voltages: compare with tolerance.
    expect(r.meanChargeV).toBeCloseTo(2.7 + 2 * 0.5 * 0.3, 2);
    expect(r.meanDischargeV).toBeCloseTo(2.7 - 2 * 0.5 * 0.3, 2);
    expect(r.voltageGapV).toBeCloseTo(0.6, 2);
    expect(r.ve).toBeCloseTo(r.meanDischargeV / r.meanChargeV, 9);
    expect(r.tempMinC).toBe(20);
    expect(r.tempMaxC).toBe(26);
    expect(r.chargeAh).toBeCloseTo(0.3, 12);
    expect(r.dischargeAh).toBeCloseTo(0.25, 12);
  });

  it("any injected loss gives CE < 1", () => {
    fc.assert(
      fc.property(losslessArb, fc.integer({ min: 1, max: 30 }), (c, lossSamples) => {
        const lossy = { ...c, dischargeMs: c.dischargeMs - lossSamples * TEST_PERIOD_MS };
        const run = sampleProfile(withCloser(cycleSteps([lossy], 10 * MIN, false), c.chargeA), TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS);
        const { cycles } = runModel(testPackConfig(2, "charge"), run.samples);
        expect(cycles.length).toBe(1);
        expect(cycles[0].ce).toBeLessThan(1);
        expect(cycles[0].ce).toBeCloseTo(lossy.dischargeMs / c.chargeMs, 9);
      }),
      { numRuns: 30 },
    );
  });

  it("conserves charge across cycles: records + open cycle = total counted", () => {
    fc.assert(
      fc.property(fc.array(cycleArb, { minLength: 1, maxLength: 3 }), (cs) => {
        const run = sampleProfile(withCloser(cycleSteps(cs, 10 * MIN, false), cs[0].chargeA), TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS);
        const { m, cycles } = runModel(testPackConfig(2, "charge"), run.samples);
        const st = m.state();
        let ch = 0;
        let dis = 0;
        for (const c of cycles) {
          ch += c.chargeAh;
          dis += c.dischargeAh;
        }
        ch += st.count.chargeAh - st.cyc.start.chargeAh;
        dis += st.count.dischargeAh - st.cyc.start.dischargeAh;
        // The run opens with a rest at 0 A: nothing is counted before the first cycle.
        expect(ch).toBeCloseTo(st.count.chargeAh, 10);
        expect(dis).toBeCloseTo(st.count.dischargeAh, 10);
        let expectCh = 0;
        for (const c of cs) expectCh += (c.chargeA * c.chargeMs) / 3600000;
        expect(st.count.chargeAh).toBeGreaterThan(expectCh);
      }),
      { numRuns: 25 },
    );
  });

  it("a run that starts mid-half flags the first cycle partial and reports no CE", () => {
    const c: CycleSpec = { chargeA: 0.3, chargeMs: 30 * MIN, restAfterChargeMs: 5 * MIN, dischargeA: 0.3, dischargeMs: 60 * MIN, restAfterDischargeMs: 5 * MIN, openCircuitRests: 0 };
    const run = sampleProfile(withCloser(cycleSteps([c, { ...c, chargeMs: 60 * MIN }], 0, false), 0.3), TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS);
    const { cycles } = runModel(testPackConfig(2, "charge"), run.samples);
    expect(cycles.length).toBe(2);
    expect(cycles[0].flags & CYCLE_FLAG_PARTIAL).toBe(CYCLE_FLAG_PARTIAL);
    expect(cycles[0].ce).toBeNaN(); // not a 200 % CE
    expect(cycles[0].ceBound).toBeNaN();
    expect(cycles[1].flags).toBe(0);
    expect(cycles[1].ce).toBeCloseTo(1, 9);
    expect(cycles[1].cumulativeCe).toBeCloseTo(1, 9); // the partial cycle is left out
  });

  it("a lone second half before any first half is a partial cycle of its own (every half in some row)", () => {
    // Discharge first with charge-first cycles: 0.3 A × 40 min out, then one whole cycle.
    const lead: ProfileStep[] = [
      { durationMs: 10 * MIN, currentA: 0, openCircuit: 1 },
      { durationMs: 40 * MIN, currentA: -0.3, openCircuit: 0 },
      { durationMs: 5 * MIN, currentA: 0, openCircuit: 1 },
    ];
    const c: CycleSpec = { chargeA: 0.3, chargeMs: 60 * MIN, restAfterChargeMs: 5 * MIN, dischargeA: 0.3, dischargeMs: 60 * MIN, restAfterDischargeMs: 5 * MIN, openCircuitRests: 1 };
    const run = sampleProfile(withCloser(lead.concat(cycleSteps([c], 0, false)), 0.3), TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS);
    const { cycles } = runModel(testPackConfig(2, "charge"), run.samples);
    expect(cycles.length).toBe(2);
    expect(cycles[0].flags & CYCLE_FLAG_PARTIAL).toBe(CYCLE_FLAG_PARTIAL);
    expect(cycles[0].chargeAh).toBeCloseTo(0, 9);
    expect(cycles[0].dischargeAh).toBeCloseTo(0.3 * (40 / 60), 3);
    expect(cycles[0].ce).toBeNaN();
    expect(cycles[1].flags).toBe(0);
    expect(cycles[1].cumulativeCe).toBeCloseTo(cycles[1].ce, 12); // the partial cycle is left out
  });

  it("a half below minHalfCapacityFrac is partial", () => {
    const c: CycleSpec = { chargeA: 0.3, chargeMs: 2 * MIN, restAfterChargeMs: 5 * MIN, dischargeA: 0.3, dischargeMs: 60 * MIN, restAfterDischargeMs: 5 * MIN, openCircuitRests: 0 };
    const run = sampleProfile(withCloser(cycleSteps([c], 10 * MIN, false), 0.3), TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS);
    const { cycles } = runModel(testPackConfig(2, "charge"), run.samples);
    expect(cycles[0].flags & CYCLE_FLAG_PARTIAL).toBe(CYCLE_FLAG_PARTIAL);
    expect(cycles[0].ce).toBeNaN();
  });

  it("mirrored currents with the other first half give the same records, charge ↔ discharge", () => {
    fc.assert(
      fc.property(fc.array(cycleArb, { minLength: 1, maxLength: 2 }), (cs) => {
        const steps = withCloser(cycleSteps(cs, 10 * MIN, false), cs[0].chargeA);
        const mirrored = steps.map((s) => ({ ...s, currentA: -s.currentA }));
        const cell = { v0V: [1.3, 1.31], slopeVPerAh: 0, resistanceOhm: 0 };
        const a = runModel(testPackConfig(2, "charge"), sampleProfile(steps, TEST_PERIOD_MS, cell, 2, NO_ERRORS).samples).cycles;
        const b = runModel(testPackConfig(2, "discharge"), sampleProfile(mirrored, TEST_PERIOD_MS, cell, 2, NO_ERRORS).samples).cycles;
        expect(b.length).toBe(a.length);
        for (let k = 0; k < a.length; k++) {
          expect(b[k].chargeAh).toBe(a[k].dischargeAh);
          expect(b[k].dischargeAh).toBe(a[k].chargeAh);
          expect(b[k].chargeWh).toBe(a[k].dischargeWh);
          expect(b[k].ce).toBe(a[k].ce);
          expect(b[k].ee).toBe(a[k].ee);
          expect(b[k].ceBound).toBe(a[k].ceBound);
          expect(b[k].chargeDurationS).toBe(a[k].dischargeDurationS);
        }
      }),
      { numRuns: 20 },
    );
  });
});

/** Declared chain and errors drawn inside it. */
const chainArb = fc
  .record({
    O: fc.double({ min: 1e-5, max: 5e-3, noNaN: true }),
    lsb: fc.double({ min: 1e-6, max: 1e-3, noNaN: true }),
    G: fc.double({ min: 0, max: 0.01, noNaN: true }),
    M: fc.double({ min: 0, max: 0.005, noNaN: true }),
    T: fc.double({ min: 0, max: 1e-4, noNaN: true }),
    u: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
  })
  .map((x) => {
    const chain: SensorChainConfig = {
      currentOffsetA: x.O,
      currentGainErrFrac: x.G,
      currentGainMismatchFrac: x.M,
      currentLsbA: x.lsb,
      voltageOffsetV: 0,
      voltageGainErrFrac: 0,
      voltageLsbV: 0,
      timeBaseErrFrac: x.T,
    };
    const gC = x.u[0] * x.G;
    const gD = Math.max(-x.G, Math.min(x.G, gC + x.u[1] * x.M));
    const err: AppliedErrors = { gainChargeFrac: gC, gainDischargeFrac: gD, offsetA: x.u[2] * x.O, lsbA: x.lsb, timeBaseFrac: x.u[3] * x.T };
    return { chain, err };
  });

describe("CE uncertainty bound", () => {
  it("contains the true CE when the sensor errors lie inside the declared chain", () => {
    let checked = 0;
    let worstUse = 0;
    fc.assert(
      fc.property(fc.array(cycleArb, { minLength: 1, maxLength: 3 }), chainArb, fc.integer({ min: 0, max: 20 }), (cs, ce, lead) => {
        const steps = withCloser(cycleSteps(cs, lead * MIN, false), cs[0].chargeA);
        const cfg = testPackConfig(2, "charge", ce.chain);
        const truth = runModel(cfg, sampleProfile(steps, TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS).samples).cycles;
        const meas = runModel(cfg, sampleProfile(steps, TEST_PERIOD_MS, testCell(2), 2, ce.err).samples).cycles;
        expect(meas.length).toBe(truth.length);
        for (let k = 0; k < truth.length; k++) {
          if (truth[k].flags !== 0) continue;
          const d = Math.abs(meas[k].ce - truth[k].ce);
          expect(d).toBeLessThanOrEqual(meas[k].ceBound * (1 + 1e-9) + 1e-12);
          checked++;
          if (d / meas[k].ceBound > worstUse) worstUse = d / meas[k].ceBound;
        }
      }),
      { numRuns: 60 },
    );
    expect(checked).toBeGreaterThan(30);
    // The bound is worst-case, yet random errors should use a visible part of it.
    expect(worstUse).toBeGreaterThan(0.05);
  });

  it("is not absurdly loose: an INA226-class chain bounds a 1 Ah C/4 cycle's CE within 0.5 %", () => {
    const c: CycleSpec = { chargeA: 0.25, chargeMs: 240 * MIN, restAfterChargeMs: 10 * MIN, dischargeA: 0.25, dischargeMs: 235 * MIN, restAfterDischargeMs: 10 * MIN, openCircuitRests: 1 };
    const cfg = testPackConfig(2, "charge");
    const run = sampleProfile(withCloser(cycleSteps([c], 10 * MIN, false), 0.25), TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS);
    const { cycles } = runModel(cfg, run.samples);
    expect(cycles[0].ceBound).toBeGreaterThan(0);
    expect(cycles[0].ceBound).toBeLessThan(0.005);
  });

  it("a gap inside a half: flagged, counted, and the bound still contains the true CE", () => {
    fc.assert(
      fc.property(cycleArb, fc.integer({ min: 7, max: 60 }), fc.boolean(), (c, gapSamples, inCharge) => {
        const steps = withCloser(cycleSteps([c], 10 * MIN, false), c.chargeA);
        const cfg = testPackConfig(2, "charge");
        const full = sampleProfile(steps, TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS).samples;
        // Drop samples strictly inside the chosen half, away from its edges.
        const halfStart = 10 * MIN + (inCharge ? 0 : c.chargeMs + c.restAfterChargeMs);
        const halfMs = inCharge ? c.chargeMs : c.dischargeMs;
        const from = halfStart + 5 * MIN;
        const to = Math.min(from + gapSamples * TEST_PERIOD_MS, halfStart + halfMs - 5 * MIN);
        const holed = full.filter((s) => !(s.tMs > from && s.tMs < to));
        const truth = runModel(cfg, full).cycles;
        const meas = runModel(cfg, holed);
        const gaps = meas.events.filter((e) => e.kind === "gap");
        const expectGap = to - from > cfg.counting.maxGapMs;
        expect(gaps.length).toBe(expectGap ? 1 : 0);
        if (!expectGap) return;
        expect(meas.cycles[0].flags & CYCLE_FLAG_GAP).toBe(CYCLE_FLAG_GAP);
        expect(Math.abs(meas.cycles[0].ce - truth[0].ce)).toBeLessThanOrEqual(meas.cycles[0].ceBound);
        expect(meas.m.status().gapCount).toBe(1);
      }),
      { numRuns: 30 },
    );
  });

  it("a measured residual offset (drift between two zeroes) widens the next cycle's bound", () => {
    const c: CycleSpec = { chargeA: 0.3, chargeMs: 60 * MIN, restAfterChargeMs: 10 * MIN, dischargeA: 0.3, dischargeMs: 55 * MIN, restAfterDischargeMs: 10 * MIN, openCircuitRests: 1 };
    const steps = withCloser(cycleSteps([c, c, c], 10 * MIN, false), 0.3);
    const cfg = testPackConfig(2, "charge");
    const base = sampleProfile(steps, TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS).samples;
    const steady = runModel(cfg, base).cycles;
    // Same run, but the offset steps by 2 mA after the first cycle's charge.
    const drift = sampleProfile(steps, TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS).samples;
    for (const smp of drift) if (smp.tMs > 75 * MIN) smp.currentA += 0.002;
    const drifted = runModel(cfg, drift);
    expect(drifted.m.state().count.offset.residualA).toBeCloseTo(0, 12); // the last re-zero saw no change
    expect(drifted.cycles[1].ceBound).toBeGreaterThan(steady[1].ceBound);
    for (let k = 0; k < 3; k++) expect(Math.abs(drifted.cycles[k].ce - steady[k].ce)).toBeLessThanOrEqual(drifted.cycles[k].ceBound);
  });

  it("measure() of the synthetic chain stays inside the declared per-reading error", () => {
    fc.assert(
      fc.property(chainArb, fc.double({ min: -1, max: 1, noNaN: true }), (ce, a) => {
        const r = measure(a, ce.err);
        const g = a >= 0 ? ce.err.gainChargeFrac : ce.err.gainDischargeFrac;
        expect(Math.abs(r - a * (1 + g))).toBeLessThanOrEqual(ce.chain.currentOffsetA + ce.chain.currentLsbA / 2 + 1e-15);
      }),
    );
  });
});

describe("cycles whose halves are not one cycle", () => {
  it("a pulse pair returning 3× its charge is reported, flagged UNBALANCED and kept out of cumulative CE", () => {
    const normal: CycleSpec = { chargeA: 0.3, chargeMs: 60 * MIN, restAfterChargeMs: 5 * MIN, dischargeA: 0.3, dischargeMs: 58 * MIN, restAfterDischargeMs: 5 * MIN, openCircuitRests: 1 };
    const pulse: CycleSpec = { chargeA: 0.3, chargeMs: 20 * MIN, restAfterChargeMs: 5 * MIN, dischargeA: 0.3, dischargeMs: 60 * MIN, restAfterDischargeMs: 5 * MIN, openCircuitRests: 1 };
    const run = sampleProfile(withCloser(cycleSteps([normal, pulse, normal], 10 * MIN, false), 0.3), TEST_PERIOD_MS, testCell(2), 2, NO_ERRORS);
    const { cycles } = runModel(testPackConfig(2, "charge"), run.samples);
    expect(cycles.length).toBe(3);
    expect(cycles[1].ce).toBeCloseTo(3, 6);
    expect(cycles[1].flags & CYCLE_FLAG_UNBALANCED).toBe(CYCLE_FLAG_UNBALANCED);
    expect(cycles[0].flags & CYCLE_FLAG_UNBALANCED).toBe(0);
    // Cumulative CE over the two real cycles only: exactly 58/60.
    expect(cycles[2].cumulativeCe).toBeCloseTo(58 / 60, 9);
  });
});
