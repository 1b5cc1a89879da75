/**
 * Steps back in time (issue 20): a log whose clock goes back covers some time twice. The charge
 * counted over time already counted is left out (a replayed stretch would otherwise count
 * twice: CE up to 114 %), its worst case goes into the CE bound, and the cycle is flagged.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { PackModel } from "../../../shared/model/packModel";
import { CYCLE_FLAG_GAP, type CycleRecord, type ModelEvent } from "../../../shared/model/events";
import type { PackConfig } from "../../../shared/config/packConfig";
import type { Sample } from "../../../shared/sample";
import { cycleSteps, NO_ERRORS, sampleProfile, testCell, testPackConfig, TEST_PERIOD_MS, type CycleSpec } from "../synthetic";

const MIN = 60000;

function run(cfg: PackConfig, samples: Sample[]): { cycles: CycleRecord[]; backMs: number[] } {
  const cycles: CycleRecord[] = [];
  const backMs: number[] = [];
  const m = new PackModel(cfg, (e: ModelEvent) => {
    if (e.kind === "cycle") cycles.push(e.cycle);
    if (e.kind === "gap" && e.dtMs < 0) backMs.push(-e.dtMs);
  });
  for (const s of samples) m.step(s);
  return { cycles, backMs };
}

const cycle: CycleSpec = { chargeA: 0.3, chargeMs: 120 * MIN, restAfterChargeMs: 10 * MIN, dischargeA: 0.3, dischargeMs: 110 * MIN, restAfterDischargeMs: 10 * MIN, openCircuitRests: 1 };

function base(): Sample[] {
  const steps = cycleSteps([cycle, cycle], 10 * MIN, false).concat([{ durationMs: 10 * MIN, currentA: 0.3, openCircuit: 0 }]);
  return sampleProfile(steps, TEST_PERIOD_MS, testCell(1), 1, NO_ERRORS).samples;
}

describe("steps back in time", () => {
  it("a stretch of the log replayed (time back by its length) is counted once: CE as without it, flagged, bound holding", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 1 }), (lenMin, inDischarge) => {
        const cfg = testPackConfig(1, "charge");
        cfg.counting.maxGapMs = 61 * MIN; // a step back beyond maxGapMs is a new time base (below)
        const s = base();
        const truth = run(cfg, s).cycles;
        // Replay lenMin minutes of the first cycle's charge (or discharge) right after them.
        const startMs = (inDischarge === 1 ? 10 + 120 + 10 + 20 : 10 + 20) * MIN;
        const i0 = s.findIndex((x) => x.tMs >= startMs);
        const i1 = s.findIndex((x) => x.tMs >= startMs + lenMin * MIN);
        const replayed = s.slice(0, i1 + 1).concat(s.slice(i0, i1 + 1).map((x) => ({ ...x })), s.slice(i1 + 1));
        const r = run(cfg, replayed);
        expect(r.backMs).toEqual([lenMin * MIN]);
        expect(r.cycles.length).toBe(truth.length);
        expect(r.cycles[0].flags & CYCLE_FLAG_GAP).toBe(CYCLE_FLAG_GAP);
        expect(Math.abs(r.cycles[0].ce - truth[0].ce)).toBeLessThan(1e-9);
        expect(Math.abs(r.cycles[0].ce - truth[0].ce)).toBeLessThanOrEqual(r.cycles[0].ceBound);
        // The next cycle is untouched.
        expect(r.cycles[1].ce).toBeCloseTo(truth[1].ce, 12);
      }),
      { numRuns: 20 },
    );
  });

  it("a step back beyond maxGapMs is a new time base (a board's clock after a reboot): nothing after it is left out", () => {
    const cfg = testPackConfig(1, "charge");
    const s = base();
    const truth = run(cfg, s).cycles;
    // The clock restarts at 0 at 40 min (as an ESP32's does with power), the data goes on.
    const k = s.findIndex((x) => x.tMs >= 40 * MIN);
    const t0 = s[k].tMs;
    const rebooted = s.map((x, i) => (i >= k ? { ...x, tMs: x.tMs - t0 } : x));
    const r = run(cfg, rebooted);
    expect(r.backMs).toEqual([s[k - 1].tMs]);
    expect(r.cycles[0].flags & CYCLE_FLAG_GAP).toBe(CYCLE_FLAG_GAP);
    // Only the one interval across the restart is missing.
    expect(Math.abs(r.cycles[0].chargeAh - truth[0].chargeAh)).toBeLessThanOrEqual((0.3 * TEST_PERIOD_MS) / 3600000 + 1e-12);
  });

  it("a clock set back while the data goes on (nothing repeated): the cycle is flagged and its bound still holds the truth", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), (backMin) => {
        const cfg = testPackConfig(1, "charge");
        const s = base();
        const truth = run(cfg, s).cycles;
        const k = s.findIndex((x) => x.tMs >= 40 * MIN);
        const shifted = s.map((x, i) => (i >= k ? { ...x, tMs: x.tMs - backMin * MIN } : x));
        const r = run(cfg, shifted);
        expect(r.backMs.length).toBe(1);
        expect(r.backMs[0]).toBe(backMin * MIN - TEST_PERIOD_MS);
        expect(r.cycles[0].flags & CYCLE_FLAG_GAP).toBe(CYCLE_FLAG_GAP);
        expect(Math.abs(r.cycles[0].ce - truth[0].ce)).toBeLessThanOrEqual(r.cycles[0].ceBound);
      }),
      { numRuns: 20 },
    );
  });
});
