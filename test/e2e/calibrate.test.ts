/**
 * `zbms calibrate` end to end: the real CLI (a child process) talks over a pseudo-terminal to
 * the virtual board running the real firmware bundle (esp32-ads1115). The test is the lab: a
 * SIMULATED REFERENCE SOURCE drives the board's analog front end to the value the CLI asks
 * for, waits for the board to sample it, and types that value on the CLI's stdin.
 *
 * The board is deliberately mis-calibrated: tap 0 reads 3 % high and the current channel
 * 2 % low with a 50 µV shunt offset (chip errors the board file's calibration does not know).
 * The stored calibration must bring both within the board's data-sheet tolerance at the third
 * point, on the board's own status line, and again after a power cycle (Storage `zbms.cal`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware, loadBoard } from "../../host/bundle/buildFirmware";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard";
import { PtyBoard } from "../../host/virtualBoard/ptyBoard";
import type { BoardDef } from "../../shared/config/boardDef";
import { ads1115VoltsToCode } from "../../shared/sensors/ads1115";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import type { TelemetryRecord } from "../../shared/telemetry/records";
import { channelInfo, toleranceAt } from "../../host/calibrate/channels";
import type { CalibrationRecord } from "../../host/calibrate/calibrationFile";
import { REPO_ROOT, ZBMS_BIN } from "./monitorCli";

/** Gain error of tap 0 (ADS1115 0x48 AIN0) unknown to the board file: reads 3 % high. */
const V0_GAIN = 1.03;
/** Gain and offset errors of the shunt ADC (0x49) unknown to the board file. */
const I_GAIN = 0.98;
const I_OFFSET_V = 50e-6;
/** Virtual-board speed (× real time): one 1 s sample every 50 ms. */
const SPEED = 20;
/** Board time to let it sample a newly applied reference before answering: five 1 s samples
 *  (≈ 250 ms of real time at ×20; longer when a loaded machine slows the virtual board). */
const SETTLE_BOARD_MS = 5000;
/** The "meter" reads the applied value to 0.1 mV / 0.1 mA; the test applies suggested + this offset to prove the typed value is used. */
const APPLIED_OFFSET = 0.0123;

const CLOSE_INHERITED_FDS =
  'for f in /proc/$$/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-" 2>/dev/null; fi; done; exec "$0" "$@"';

let board: BoardDef;
let bundle = "";
let vb: VirtualBoard;
let pty: PtyBoard;
/** The reference source: what the pack terminals see. `driftVPerS` makes the reference wander (an unstable point). */
const ref = { cellV: [1.5, 1.5, 1.5, 1.5], currentA: 0, driftVPerS: 0, driftFromMs: 0 };

function records(): TelemetryRecord[] {
  const out: TelemetryRecord[] = [];
  for (const l of vb.output.split(/\r?\n/)) {
    const d = decodeLine(l);
    if (d.ok) out.push(d.record);
  }
  return out;
}

function lastStatus(): Extract<TelemetryRecord, { type: "status" }> {
  const s = records().filter((r) => r.type === "status");
  return s[s.length - 1] as Extract<TelemetryRecord, { type: "status" }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until the board has run SETTLE_BOARD_MS of its own time (it samples once a board second). */
async function settle(): Promise<void> {
  const until = vb.worldMs() + SETTLE_BOARD_MS;
  const t0 = Date.now();
  while (vb.worldMs() < until) {
    if (Date.now() - t0 > 30_000) throw new Error(`the virtual board did not run ${SETTLE_BOARD_MS} ms of board time in 30 s`);
    await sleep(20);
  }
}

beforeAll(async () => {
  board = await loadBoard("esp32-ads1115");
  const b = await buildFirmware({ write: false });
  expect(b.findings).toEqual([]);
  bundle = b.code;
  vb = new VirtualBoard({
    board,
    pack: (tMs) => {
      const drift = ref.driftVPerS * Math.max(0, tMs - ref.driftFromMs) / 1000;
      return { cellV: ref.cellV.map((v) => v + drift), currentA: ref.currentA, tempC: [25, 25] };
    },
    ads1115ToCode: (v, _fsr, pga, address, input) => {
      if (address === 72 && input === 0) return ads1115VoltsToCode(v * V0_GAIN, pga);
      if (address === 73) return ads1115VoltsToCode(v * I_GAIN + I_OFFSET_V, pga);
      return ads1115VoltsToCode(v, pga);
    },
  });
  vb.evaluate(bundle);
  pty = await PtyBoard.start(vb);
  vb.runRealTime(SPEED);
}, 60000);

afterAll(() => {
  vb?.stopRealTime();
  pty?.close();
});

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Run `zbms calibrate …`, answering each "? " question with `answer(question)` (after it set the reference). */
function runCalibrate(args: string[], answer: (q: string) => Promise<string>, closeStdin = false): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", CLOSE_INHERITED_FDS, process.execPath, ZBMS_BIN, "calibrate", "--port", pty.path!, ...args], {
      cwd: REPO_ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let pending = "";
    let chain = Promise.resolve();
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      pending += d.toString("utf8");
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.startsWith("? ")) chain = chain.then(async () => {
            child.stdin!.write((await answer(line)) + "\n");
          });
      }
    });
    child.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
    if (closeStdin) child.stdin!.end();
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

/** Put `value` on channel `name` from the reference source (tap k = sum of cells 0…k). */
function apply(name: string, value: number): void {
  ref.driftVPerS = 0;
  if (name === "i") {
    ref.cellV = [1.5, 1.5, 1.5, 1.5];
    ref.currentA = value;
    return;
  }
  const k = Number(name.slice(1));
  ref.cellV = [0, 1, 2, 3].map(() => value / (k + 1));
  ref.currentA = 0;
}

const QUESTION = /^\? (v\d+|i) (point 1\/2|point 2\/2|check point): apply about (-?[\d.]+) (V|A)/;

describe("zbms calibrate against the virtual board with a simulated reference", () => {
  it("calibrates every channel, rejects an unstable reading and out-of-range values, and the stored calibration corrects the mis-calibrated channels", async () => {
    // Before: the board's own reading of tap 0 is 3 % high.
    apply("v0", 1.2);
    await settle();
    expect(lastStatus().cellV[0]).toBeCloseTo(1.2 * V0_GAIN, 3);

    const outFile = join(mkdtempSync(join(tmpdir(), "zbms-cal-")), "cal.json");
    const asked: string[] = [];
    let driftShown = false;
    let badShown = 0;
    const r = await runCalibrate(["--out", outFile, "--readings", "4"], async (q) => {
      asked.push(q);
      const m = QUESTION.exec(q);
      if (!m) throw new Error("unexpected question " + q);
      const [, name, label, suggested] = m;
      if (name === "v2" && label === "point 1/2" && badShown < 2) {
        badShown++;
        return badShown === 1 ? "99" : "abc"; // out of range, then not a number
      }
      const value = Number(suggested) + APPLIED_OFFSET;
      apply(name!, value);
      if (name === "v1" && label === "point 1/2" && !driftShown) {
        driftShown = true; // the reference wanders 20 mV per sample: rejected as unstable
        ref.driftFromMs = vb.worldMs();
        ref.driftVPerS = 0.02;
      }
      await settle();
      return String(value);
    });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rejected: unstable reading/);
    expect(r.out).toMatch(/rejected "99": 99 V is outside what channel v2 can read \(0 to [\d.]+ V\)/);
    expect(r.out).toMatch(/rejected "abc": not a number/);
    expect(r.out).toMatch(/calibration written to /);

    const rec = JSON.parse(readFileSync(outFile, "utf8")) as CalibrationRecord;
    expect(rec.board).toBe("esp32-ads1115");
    expect(rec.channels.map((c) => c.channel)).toEqual(["v0", "v1", "v2", "v3", "i"]);
    expect(rec.allPassed).toBe(true);
    for (const c of rec.channels) {
      expect(c.persisted).toBe("saved");
      expect(c.points[0].rawCodes).toHaveLength(4);
      expect(Math.abs(c.check.error)).toBeLessThanOrEqual(c.check.tolerance);
    }
    // The mis-calibration was real: through the board file's calibration the check point was off by ~3 % / ~2 %.
    const v0 = rec.channels[0]!;
    expect(v0.check.boardFileValue / v0.check.applied).toBeCloseTo(V0_GAIN, 3);
    expect(Math.abs(v0.check.boardFileValue - v0.check.applied)).toBeGreaterThan(v0.check.tolerance);
    const i = rec.channels[4]!;
    expect(Math.abs(i.check.boardFileValue - i.check.applied)).toBeGreaterThan(i.check.tolerance);

    // On the board: its own status line now reads tap 0 and the current within tolerance.
    const v0Info = channelInfo(board, "v0");
    const iInfo = channelInfo(board, "i");
    apply("v0", 1.6);
    ref.currentA = -0.7;
    await settle();
    expect(Math.abs(lastStatus().cellV[0] - 1.6)).toBeLessThanOrEqual(toleranceAt(board, v0Info, 1.6));
    const offsetA = JSON.parse(await sendRaw('zbms("status")')).model.offsetA as number;
    expect(Math.abs(lastStatus().currentA + offsetA - -0.7)).toBeLessThanOrEqual(toleranceAt(board, iInfo, -0.7));

    // Stored on the board: after a power cycle the calibration comes back from Storage.
    vb.stopRealTime();
    vb.powerCycle();
    vb.evaluate(bundle);
    vb.advance(3000);
    expect(Buffer.from(vb.storage.read("zbms.cal") as Uint8Array).toString("latin1")).toContain('"v0"');
    expect(Math.abs(lastStatus().cellV[0] - 1.6)).toBeLessThanOrEqual(toleranceAt(board, v0Info, 1.6));
    expect(records().some((x) => x.type === "boot" && /calibrations: v0,v1,v2,v3,i/.test((x as { reason: string }).reason))).toBe(true);
    vb.runRealTime(SPEED);
  }, 120000);

  it("a failed third-point check exits with status 4 and says which channel; stdin closed early exits with status 1", async () => {
    const outFile = join(mkdtempSync(join(tmpdir(), "zbms-cal-")), "cal.json");
    const r = await runCalibrate(["--channel", "v0", "--out", outFile, "--readings", "2"], async (q) => {
      const m = QUESTION.exec(q)!;
      const value = Number(m[3]);
      apply("v0", value);
      await settle();
      return String(m[2] === "check point" ? value * 1.02 : value); // the meter misread at the check
    });
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/v0 check: .*FAIL/);
    expect(r.err).toMatch(/check failed on v0/);
    expect((JSON.parse(readFileSync(outFile, "utf8")) as CalibrationRecord).allPassed).toBe(false);
    const closed = await runCalibrate(["--channel", "v0"], async () => "", true);
    expect(closed.code).toBe(1);
    expect(closed.err).toMatch(/stdin closed before an answer to: \? v0 point 1\/2/);
  }, 60000);

  it("names a channel the board does not have and lists the accepted ones", async () => {
    const r = await runCalibrate(["--channel", "v7"], async () => "skip");
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/unknown channel "v7" on board esp32-ads1115; accepted: v0, v1, v2, v3, i/);
    const bad = await runCalibrate(["--channel", "x3"], async () => "skip");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--channel.*'x3'.*v0, v1, … or i/s);
  }, 60000);
});

/** One REPL command's reply payload, typed straight into the virtual board (not through the pty). */
async function sendRaw(cmd: string): Promise<string> {
  vb.evaluate(cmd);
  const rs = records();
  const l = rs[rs.length - 1] as { type: string; payload: string };
  expect(l.type).toBe("reply");
  return l.payload;
}
