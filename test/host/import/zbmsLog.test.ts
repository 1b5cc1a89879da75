import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

// Whole-pipeline runs: allow for a loaded CI machine.
vi.setConfig({ testTimeout: 60000 });
import { analyzeFile } from "../../../host/analyze/cli";
import { detectFormat } from "../../../host/import/detect";
import { zbmsLogImporter, REBOOT_GAP_MS } from "../../../host/import/zbmsLog";
import type { ImportedRecord } from "../../../host/import/record";
import { encodeLine } from "../../../shared/telemetry/lineFormat";
import type { StatusLine, TelemetryRecord } from "../../../shared/telemetry/records";
import { CYCLE_FLAG_RESTORED } from "../../../shared/model/events";

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
    expect(cyc.length).toBe(2);
    expect(cyc[0].flags & CYCLE_FLAG_RESTORED).toBe(0);
    expect(cyc[1].flags & CYCLE_FLAG_RESTORED).toBe(CYCLE_FLAG_RESTORED);
    expect(cyc[0].chargeAh).toBeCloseTo(0.2, 2);
  });
});
