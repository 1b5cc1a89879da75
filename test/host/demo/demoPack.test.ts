import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_SAMPLE_PERIOD_MS, writeDemoPack } from "../../../host/demo/demoPack";
import { validateConfig } from "../../../shared/config/validateConfig";

describe("demo pack", () => {
  it("is the real 4S Zn‖MnO2 pack with a longer sample period, and validates", () => {
    const out = nodePath.join(fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-pack-")), "p.json");
    writeDemoPack("hardware/packs/znmno2-4s.json", out);
    const demo = validateConfig(JSON.parse(fs.readFileSync(out, "utf8")));
    const real = validateConfig(JSON.parse(fs.readFileSync("hardware/packs/znmno2-4s.json", "utf8")));
    expect(demo.samplePeriodMs).toBe(DEMO_SAMPLE_PERIOD_MS);
    expect(demo.counting.maxGapMs).toBeGreaterThan(demo.samplePeriodMs);
    expect(demo.cellCount).toBe(real.cellCount);
    expect(demo.capacityAh).toBe(real.capacityAh);
    expect(demo.chemistry).toBe(real.chemistry);
    expect(demo.alarms).toEqual(real.alarms);
  });
});
