/**
 * `zbms analyze` of a raw log replays with the pack config the log carries (the board's reply
 * to the monitor's `config` request): a 20 s-sample log, whose steps are all gaps for the
 * fitted config's 10 s gap limit, gives the cycle's real charge with no flag.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeFile, AnalyzeOptionError } from "../../../host/analyze/analyzeApi";
import { writeDemoPack } from "../../../host/demo/demoPack";
import { canonicalConfigText, configCopyPath, configHash, CONFIG_REPLY_ID } from "../../../host/monitor/boardConfig";
import { NOTE_PREFIX } from "../../../host/monitor/rawLog";
import type { PackConfig } from "../../../shared/config/packConfig";
import { validateConfig } from "../../../shared/config/validateConfig";
import { encodeLine } from "../../../shared/telemetry/lineFormat";
import { statusLine } from "../monitor/telemetryFixtures";

const dir = mkdtempSync(join(tmpdir(), "zbms-logcfg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const packFile = writeDemoPack(join(__dirname, "..", "..", "..", "hardware", "packs", "znmno2-4s.json"), join(dir, "demoPack.json"));
const pack = (): PackConfig => validateConfig(JSON.parse(readFileSync(packFile, "utf8")));

const PERIOD_MS = 20_000;
const CURRENT_A = 0.4;
/** Samples per half: 4 h at 20 s. */
const HALF_SAMPLES = 720;
/** Charge of one 20 s step at 0.4 A (Ah). */
const STEP_AH = (PERIOD_MS * CURRENT_A) / 3_600_000;
/** Each half's charge: 719 whole steps, give or take the reversal steps (how the trapezoid splits them). */
const HALF_AH = (HALF_SAMPLES - 1) * STEP_AH;

/** charge, discharge, charge: one whole cycle at 20 s samples; with a config reply line or not. */
function writeLog(name: string, withConfig: PackConfig | null): string {
  const lines: string[] = [NOTE_PREFIX + JSON.stringify({ tHost: "2026-12-07T00:00:00.000Z", event: "open", port: "/dev/x" })];
  let seq = 0;
  let t = 0;
  const half = (sign: number, n: number): void => {
    for (let k = 0; k < n; k++, t += PERIOD_MS) {
      const v = 1.3 + sign * 0.2 * (k / n);
      lines.push(statusLine(seq++, t, { currentA: sign * CURRENT_A, cellV: [v, v, v, v], segment: sign > 0 ? 1 : 2 }));
      if (seq === 3 && withConfig) lines.push(encodeLine({ type: "reply", id: CONFIG_REPLY_ID, payload: `{"config":${canonicalConfigText(withConfig)}}` }, seq++));
    }
  };
  half(1, HALF_SAMPLES);
  half(-1, HALF_SAMPLES);
  half(1, HALF_SAMPLES);
  const path = join(dir, name + ".raw.log");
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

const run = (path: string, config?: PackConfig) => analyzeFile(path, { outDir: join(dir, "out"), printTable: null, progress: false, config });

describe("analyze replays a raw log with the config it carries", () => {
  it("no flag: the log's config, named with its hash in the report; the cycle's charge is counted", async () => {
    const r = await run(writeLog("withcfg", pack()));
    expect(r.summary.configSource).toBe(`config: from the log ("${pack().name}"), hash ${configHash(pack())}`);
    expect(readFileSync(r.files.html, "utf8")).toContain(`hash ${configHash(pack())}`);
    expect(r.replay.gaps.count).toBe(0);
    const c1 = r.replay.cycles[0]!;
    expect(Math.abs(c1.chargeAh - HALF_AH)).toBeLessThanOrEqual(STEP_AH);
    expect(Math.abs(c1.dischargeAh - HALF_AH)).toBeLessThanOrEqual(STEP_AH);
  });

  it("a --config that agrees is used; one that contradicts the log is refused naming the fields", async () => {
    const path = writeLog("withcfg2", pack());
    const same = await run(path, pack());
    expect(same.summary.configSource).toMatch(/--config ".*", hash [0-9a-f]{16}, the same as the log's/);
    const other = pack();
    other.counting.maxGapMs = 10_000;
    other.samplePeriodMs = 1000;
    other.segmentation.dwellMs = 30_000;
    const err = await run(path, other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AnalyzeOptionError);
    expect((err as Error).message).toContain("contradicts the pack config withcfg2.raw.log was recorded with");
    expect((err as Error).message).toContain("counting.maxGapMs: 100000 vs 10000");
    expect((err as Error).message).toContain("samplePeriodMs: 20000 vs 1000");
  });

  it("the monitor's copy beside the log stands in for a lost config line; with neither, the report says the config was fitted", async () => {
    const path = writeLog("copyonly", null);
    const fitted = await run(path);
    expect(fitted.summary.configSource).toBe("config: fitted to the data");
    expect(fitted.summary.notes.join("\n")).toMatch(/the log carries no pack config/);
    expect(fitted.replay.gaps.count).toBeGreaterThan(1000); // the bug: every 20 s step is a gap for the fitted 10 s limit
    writeFileSync(configCopyPath(path), JSON.stringify(pack(), null, 2));
    const copied = await run(path);
    expect(copied.summary.configSource).toBe(`config: from file copyonly.pack.json ("${pack().name}"), hash ${configHash(pack())}`);
    expect(Math.abs(copied.replay.cycles[0]!.chargeAh - HALF_AH)).toBeLessThanOrEqual(STEP_AH);
  });
});
