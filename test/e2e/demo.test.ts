/**
 * `npm start` end to end: sim → flash → monitor over a pseudo-terminal, then the per-cycle
 * records the monitor logged are checked against the simulator's truth (independently of the
 * demo's own summary), and the logs and the report exist.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import { parseNoteLine } from "../../host/monitor/rawLog";
import type { TruthFile } from "../../host/cli/simCommand";
import { REPO_ROOT } from "./monitorCli";
import { checkDemoReport } from "./demoReport";

const out = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-demo-"));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/** The demo's stdout (its summary table), for the report test. */
let demoStdout = "";

/** The budget: "finish within about two minutes of wall time". */
const WALL_BUDGET_S = 150;

describe("npm start (the demo)", () => {
  it("runs sim → flash → monitor and logs cycles that agree with the simulator's truth", async () => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", nodePath.join(REPO_ROOT, "host", "demo", "main.ts")], {
      cwd: REPO_ROOT,
      env: { ...process.env, ZBMS_DEMO_OUT: out },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    const wallS = (Date.now() - t0) / 1000;
    demoStdout = stdout;
    expect(code, stderr).toBe(0);
    expect(wallS).toBeLessThan(WALL_BUDGET_S);
    expect(stdout).toMatch(/flashed and verified/);
    expect(stdout).toMatch(/per-cycle summary/);

    const files = fs.readdirSync(out);
    const raw = files.find((f) => f.endsWith(".raw.log"))!;
    const cycles = files.find((f) => f.endsWith(".cycles.jsonl"))!;
    expect(files.filter((f) => f.endsWith(".bdf.csv"))).toHaveLength(4);
    expect(fs.existsSync(nodePath.join(out, "report"))).toBe(true);

    // every line in the raw log is either a monitor note, console text, or a valid telemetry line
    const lines = fs.readFileSync(nodePath.join(out, raw), "latin1").split("\n").slice(0, -1);
    const tele = lines.filter((l) => !parseNoteLine(l) && l.includes("#Z"));
    expect(tele.length).toBeGreaterThan(10000);
    expect(tele.filter((l) => !decodeLine(l).ok)).toEqual([]);

    // logged cycle records vs truth: same cycles (by end time), charge within 1 %, CE bound covers the truth
    const truth = JSON.parse(fs.readFileSync(nodePath.join(out, "truth.json"), "utf8")) as TruthFile;
    const bootS = truth.boots[truth.boots.length - 1]!.simTimeS;
    const logged = fs.readFileSync(nodePath.join(out, cycles), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { tMs: number; index: number; chargeAh: number; dischargeAh: number; ce: number; ceBound: number; flags: number });
    expect(logged.length).toBeGreaterThanOrEqual(6);
    let judged = 0;
    let covered = 0;
    for (const c of logged) {
      const endS = bootS + c.tMs / 1000;
      const t = truth.cycles.reduce((a, b) => (Math.abs(b.endS - endS) < Math.abs(a.endS - endS) ? b : a));
      expect(Math.abs(t.endS - endS), `cycle ${c.index} ends ${endS} s, nearest true end ${t.endS} s`).toBeLessThan(1800);
      if (c.flags !== 0) continue; // partial / restored cycles: the board started mid-cycle
      expect(Math.abs(c.dischargeAh - t.dischargeAh) / t.dischargeAh).toBeLessThan(0.01);
      judged++;
      if (Math.abs(c.ce - t.ce) <= c.ceBound) covered++;
    }
    expect(judged).toBeGreaterThanOrEqual(5);
    // an honest bound covers the truth in most cycles (it is not a 100 % guarantee)
    expect(covered / judged).toBeGreaterThanOrEqual(0.8);
    console.log(`demo: ${wallS.toFixed(0)} s wall, ${tele.length} telemetry lines, ${logged.length} cycles logged, CE bound covers truth in ${covered}/${judged}`);
  }, 240_000);

  it("ends with a report whose cycles, plots, protocol check and rests are the monitor's and the simulator's", async () => {
    expect(demoStdout, "the demo ran (test above)").toMatch(/per-cycle summary/);
    await checkDemoReport(out, demoStdout);
  }, 60_000);
});
