import { describe, expect, it } from "vitest";
import { runPowerCuts } from "./scenarios/powerCut";

describe("board power cut at random instants, including during a state write", () => {
  it("restores the last completed save, never a torn or older one; loses at most one save interval", async () => {
    const f = await runPowerCuts({ cuts: 6, seed: 3 });
    expect(f.examples).toEqual([]);
    expect(f.cuts).toBe(6);
    expect(f.cutsDuringWrite).toBeGreaterThan(0);
    expect(f.corruptRestores).toBe(0);
    expect(f.missedRestores).toBe(0);
    expect(f.unflaggedRestores).toBe(0);
    expect(f.maxChargeLostOnPowerCutAh).toBeGreaterThan(0);
    expect(f.maxChargeLostOnPowerCutAh).toBeLessThanOrEqual(f.boundAh + 1e-9);
  }, 60_000);
});

describe("a power cut seen through the monitor", () => {
  it("the raw log's boot note says restored, status lines carry the restored flag, the reboot is no gap", async () => {
    const { runLoggedPowerCut } = await import("./scenarios/powerCut");
    const f = await runLoggedPowerCut(200);
    expect(f.bootNoteRestored).toBe(true);
    expect(f.bootReason).toMatch(/restored seq \d+/);
    expect(f.falseGaps).toBe(0);
    expect(f.statusLinesAfterBoot).toBeGreaterThan(5);
    expect(f.flaggedStatusLines).toBe(f.statusLinesAfterBoot);
  }, 60_000);
});
