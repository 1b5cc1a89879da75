import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CYCLE_FLAG_TRUNCATED } from "../../../host/analyze/replay";
import { describe, expect, it, vi } from "vitest";

// Whole-pipeline runs: allow for a loaded CI machine.
vi.setConfig({ testTimeout: 60000 });
import { analyzeFile } from "../../../host/analyze/analyzeApi";
import { detectFormat } from "../../../host/import/detect";
import { zbmsLogImporter, REBOOT_GAP_MS } from "../../../host/import/zbmsLog";
import type { ImportedRecord } from "../../../host/import/record";
import { encodeLine } from "../../../shared/telemetry/lineFormat";
import type { StatusLine, TelemetryRecord } from "../../../shared/telemetry/records";
import { CYCLE_FLAG_RESTORED } from "../../../shared/model/events";
import { defaultPackConfig } from "../../../shared/config/defaults";
import { validateConfig } from "../../../shared/config/validateConfig";

const dir = mkdtempSync(join(tmpdir(), "zbms-log-"));
const CURRENT_A = 0.2;
const PERIOD_MS = 10000;
const HALF_MS = 3600000;

function status(tMs: number, currentA: number, v: number): StatusLine {
  return {
    type: "status", tMs, cellV: [v, v + 0.01], currentA, tempC: [25], socFrac: [0.5, 0.5], segment: 0,
    cycleCount: 0, alarmMask: 0, lastCe: NaN, lastCeBound: NaN, lastEe: NaN, flags: 0,
  };
}

/** Two charge/discharge cycles at 0.2 A, 1 h each half; the board reboots (state restored) mid cycle 2. */
function writeLog(path: string): void {
  const lines: string[] = ['#zbms-monitor {"tHost":"2026-01-01T00:00:00.000Z","event":"open"}', "> echo noise from the REPL"];
  let seq = 0;
  const push = (r: TelemetryRecord): void => {
    lines.push(encodeLine(r, seq++));
  };
  let t = 0;
  let bootShift = 0;
  const half = (sign: number, v0: number): void => {
    for (let k = 0; k <= HALF_MS / PERIOD_MS; k++) {
      push(status(t - bootShift, sign * CURRENT_A, v0 + sign * 0.1 * (k / (HALF_MS / PERIOD_MS))));
      t += PERIOD_MS;
    }
  };
  const rest = (): void => {
    for (let k = 0; k < 60; k++) {
      push(status(t - bootShift, 0, 1.4));
      t += PERIOD_MS;
    }
  };
  half(1, 1.3); rest(); half(-1, 1.5); rest();
  half(1, 1.3); rest();
  // reboot: board clock restarts at 0, state restored
  lines.push('#zbms-monitor {"tHost":"2026-01-01T10:00:00.000Z","event":"boot"}');
  seq = 0;
  push({ type: "boot", tMs: 0, restored: true, storedAgeS: 60, reason: "power" });
  bootShift = t;
  half(-1, 1.5); rest();
  half(1, 1.3);
  lines.push("#Z1,999,S,garbage*00000000");
  writeFileSync(path, lines.join("\n") + "\n");
}

describe("zbms raw log importer", () => {
  const f = join(dir, "run.raw.log");
  writeLog(f);
  it("is detected and decodes status lines into per-cell records, skipping corrupt lines", async () => {
    const imp = await detectFormat(f);
    expect(imp.format).toBe("zbms-log");
    const recs: ImportedRecord[] = [];
    const st = await zbmsLogImporter.read(f, (r) => {
      recs.push({ ...r, cellsV: [...r.cellsV] });
    });
    expect(st.skipped).toBe(1);
    expect(recs[0].cellsV.length).toBe(2);
    expect(recs[0].voltageV).toBeCloseTo(recs[0].cellsV[0] + recs[0].cellsV[1], 6);
    // Time stays increasing across the reboot, and the first record after it is marked restored.
    for (let k = 1; k < recs.length; k++) expect(recs[k].tS).toBeGreaterThan(recs[k - 1].tS);
    const restoredAt = recs.findIndex((r) => r.restored === 1);
    expect(restoredAt).toBeGreaterThan(0);
    expect((recs[restoredAt].tS - recs[restoredAt - 1].tS) * 1000).toBeCloseTo(REBOOT_GAP_MS, 6);
  });
  it("replays through the model: the cycle spanning the reboot is flagged restored", async () => {
    const r = await analyzeFile(f, { outDir: join(dir, "out"), printTable: null, progress: false, capacityAh: 0.2 });
    const cyc = r.replay.cycles;
    // The log ends with a charge that no discharge follows: a row of its own, truncated.
    expect(cyc.length).toBe(3);
    expect(cyc[2].flags & CYCLE_FLAG_TRUNCATED).toBe(CYCLE_FLAG_TRUNCATED);
    expect(cyc[0].flags & CYCLE_FLAG_RESTORED).toBe(0);
    expect(cyc[1].flags & CYCLE_FLAG_RESTORED).toBe(CYCLE_FLAG_RESTORED);
    expect(cyc[0].chargeAh).toBeCloseTo(0.2, 2);
  });
  it("replays with the pack's own config (--config) and checks its declared practical conditions", async () => {
    const cfg = defaultPackConfig("ZnMnO2", 2, 0.2);
    cfg.practical = { cathodeLoadingMgPerCm2: 25, znFoilThicknessUm: 100, npRatio: 3, ecRatioGPerAh: 12 };
    const r = await analyzeFile(f, { outDir: join(dir, "out2"), printTable: null, progress: false, config: validateConfig(cfg) });
    expect(r.replay.cycles.length).toBe(3);
    const verdict = (id: string): boolean | null => r.protocol.find((p) => p.id === id)!.holds;
    expect(verdict("cathodeLoading")).toBe(true);
    expect(verdict("znFoil")).toBe(false);
    expect(verdict("npRatio")).toBe(true);
    expect(verdict("ecRatio")).toBe(false);
    expect(verdict("znArealAtDod")).toBeNull();
    // 0.2 A on a 0.2 Ah pack is 1C: outside C/6…C/4.
    expect(verdict("chargeRate")).toBe(false);
  });
  it("refuses a pack config whose cell count differs from the log's", async () => {
    const cfg = validateConfig(defaultPackConfig("ZnMnO2", 4, 0.2));
    await expect(analyzeFile(f, { outDir: join(dir, "out3"), printTable: null, progress: false, config: cfg })).rejects.toThrow(/cellCount 4 .* 2 cell voltages/);
  });
});

describe("zbms raw log importer: CRC-valid absurd lines (issue 21)", () => {
  it("a 10^15 A line and a tMs = 1e400 line are skipped and counted; the rest of the log is analysed", async () => {
    const f = join(dir, "absurd.raw.log");
    writeLog(f);
    const extra = [encodeLine({ ...status(5000, 1e15, 1.4) }, 5000), encodeLine({ ...status(1e400, 0.2, 1.4) }, 5001)];
    writeFileSync(f, extra.join("\n") + "\n", { flag: "a" });
    const recs: ImportedRecord[] = [];
    const st = await zbmsLogImporter.read(f, (r) => recs.push({ ...r, cellsV: [...r.cellsV] }));
    expect(st.skipped).toBe(3);
    for (const r of recs) {
      expect(Number.isFinite(r.tS)).toBe(true);
      expect(Math.abs(r.currentA)).toBeLessThan(1);
    }
  });
});
