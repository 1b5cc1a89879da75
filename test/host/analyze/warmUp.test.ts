/**
 * The replay's JIT warm-up (host/analyze/warmUp.ts): its synthetic run takes the paths it is
 * there to take (halves, rests, cycle ends) whatever the config, and a replay that warms up
 * gives exactly what one that does not gives.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateBdf } from "../../../bench/analyzeGen";
import { fitValidConfig, type FitOptions } from "../../../host/analyze/fitConfig";
import { profileInput, type InputProfile } from "../../../host/analyze/profile";
import { replay, warmUpDone } from "../../../host/analyze/replay";
import { WARM_MAX_HALF_ROWS, warmUpRun } from "../../../host/analyze/warmUp";
import { importerFor } from "../../../host/import/detect";
import { expectSameReplay } from "./replayBothWays";

const dir = mkdtempSync(join(tmpdir(), "zbms-warmup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A profile like a cycler file's: 1 s samples, C/5 on a 1 Ah cell. */
function profileOf(over: Partial<InputProfile>): InputProfile {
  return {
    records: 100000,
    startS: 0,
    endS: 99999,
    minV: 1.1,
    maxV: 1.6,
    maxAbsCurrentA: 0.2,
    lowActiveCurrentA: 0.199,
    maxHalfAh: 1,
    firstHalfSign: 1,
    cyclerFirstHalfSign: 0,
    firstStepSign: 1,
    cyclerCycles: [],
    timeBackCount: 0,
    timeBackFirst: "",
    maxActiveDtS: 1,
    medianDtS: 1,
    hasTemp: false,
    cellCount: 1,
    tempCount: 0,
    ...over,
  };
}

describe("the warm-up's synthetic run", () => {
  const cases: { name: string; profile: InputProfile; fit: FitOptions }[] = [
    { name: "one cell, charge first", profile: profileOf({}), fit: {} },
    { name: "discharge first", profile: profileOf({ firstHalfSign: -1 }), fit: { firstHalf: "discharge" } },
    { name: "three cells, two temperature sensors", profile: profileOf({ cellCount: 3, minV: 3.3, maxV: 4.8, hasTemp: true, tempCount: 2 }), fit: {} },
    { name: "a 5 mAh coin cell at 1 mA", profile: profileOf({ maxAbsCurrentA: 0.001, lowActiveCurrentA: 0.00099, maxHalfAh: 0.005 }), fit: {} },
    { name: "a 30 Ah pouch at 6 A, 10 s samples", profile: profileOf({ maxAbsCurrentA: 6, lowActiveCurrentA: 5.9, maxHalfAh: 30, medianDtS: 10, maxActiveDtS: 10 }), fit: {} },
  ];
  for (const c of cases) {
    for (const zeroIsOpen of [true, false]) {
      it(`${c.name} (zero current ${zeroIsOpen ? "is" : "is not"} open circuit): two cycles, rests, no gap`, async () => {
        const cfg = fitValidConfig(c.profile, c.fit);
        const run = warmUpRun(cfg, "bdf", zeroIsOpen);
        const imp = importerFor("bdf");
        const rep = await replay(imp, run.read.path, { config: cfg, profile: run.profile, zeroCurrentIsOpenCircuit: zeroIsOpen, reader: run.read, warmUp: false });
        expect(rep.samples).toBe(run.profile.records);
        expect(rep.cycles.length).toBe(2);
        expect(rep.rests.length).toBeGreaterThanOrEqual(2);
        expect(rep.gaps.count).toBe(0);
        // The second cycle is a whole clean one: every half ran through the fast paths.
        expect(rep.cycles[1].flags).toBe(0);
        expect(rep.cycles[1].chargeAh).toBeGreaterThan(0);
        expect(rep.cycles[1].dischargeAh).toBeGreaterThan(0);
      });
    }
  }
});

describe("the warm-up's length", () => {
  it("stays bounded for a config with a day-long dwell and a 2 s gap limit", async () => {
    const cfg = fitValidConfig(profileOf({}), {});
    cfg.segmentation.dwellMs = 24 * 3600 * 1000;
    cfg.counting.maxGapMs = 2000;
    const run = warmUpRun(cfg, "bdf", true);
    expect(run.profile.records).toBeLessThanOrEqual(2 * 2 * (WARM_MAX_HALF_ROWS + 25));
    const rep = await replay(importerFor("bdf"), run.read.path, { config: cfg, profile: run.profile, zeroCurrentIsOpenCircuit: true, reader: run.read, warmUp: false });
    // (Its end-of-input closing samples, one dwell apart, make a gap here: not the warm-up's rows.)
    expect(rep.samples).toBe(run.profile.records);
  });
});

describe("a replay that warms up", () => {
  it("gives what a replay that does not gives (the first worker replay of the process warms up)", async () => {
    const path = join(dir, "cycles.bdf.csv");
    generateBdf(path, 60000);
    const imp = importerFor("bdf");
    const profile = await profileInput(imp, path);
    const config = fitValidConfig(profile);
    expect(warmUpDone()).toBe(false);
    const cold = await replay(imp, path, { config, profile, parallel: true, zeroCurrentIsOpenCircuit: true, warmUp: false });
    expect(warmUpDone()).toBe(false);
    const warm = await replay(imp, path, { config, profile, parallel: true, zeroCurrentIsOpenCircuit: true });
    expect(warmUpDone()).toBe(true);
    expect(warm.cycles.length).toBeGreaterThan(1);
    expectSameReplay(cold, warm);
    expect(warm.halves).toEqual(cold.halves);
  });
});
