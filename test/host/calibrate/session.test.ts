/**
 * runCalibration in-process against the virtual board's REPL (no pty): realistic chip models
 * (host/sim: offsets, gain errors, INL, noise) on the INA226 board, a failing third point, a
 * skipped channel, and two points too close together.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildFirmware, loadBoard } from "../../../host/bundle/buildFirmware";
import { VirtualBoard } from "../../../host/virtualBoard/virtualBoard";
import { EspruinoRepl } from "../../../host/virtualBoard/repl";
import { simChipModels } from "../../../host/virtualBoard/simChips";
import type { LineChannel } from "../../../host/serial/replCommand";
import { runCalibration, type Prompter } from "../../../host/calibrate/session";
import type { BoardDef } from "../../../shared/config/boardDef";
import { sendBoardCommand } from "../../../host/serial/commandAnswer";
import { parseConfigReply } from "../../../host/monitor/boardConfig";
import type { PackConfig } from "../../../shared/config/packConfig";

/** Virtual-board speed (× real time). */
const SPEED = 50;
/** Real ms for the board to sample a newly applied reference. */
const SETTLE_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const bundles: Record<string, string> = {};
const running: VirtualBoard[] = [];

/**
 * esp32-adc builds with the 1-cell Zn-I2 pack (its default), which declares the board's own
 * uncalibrated ESP32-ADC chain (zbms build refuses a better one): cell-voltage offset 60 mV
 * (ESP32 data sheet, total error at 11 dB) × divider 1 and gain 60 mV / 2.3 V span.
 */
const ESP32_UNCAL_OFFSET_V = 0.06;
/** After a two-point calibration: the ADC's INL, 12 LSB × 3.1 V / 4096 = 9.08 mV (× divider 1), gain 9.08 mV / 2.3 V. */
const ESP32_CAL_OFFSET_V = (12 * 3.1) / 4096;
const ESP32_CAL_SPAN_V = 2.3;

beforeAll(async () => {
  for (const id of ["esp32-ads1115", "esp32-ina226", "esp32-adc"]) bundles[id] = (await buildFirmware({ write: false, board: id })).code;
}, 90000);

afterEach(() => {
  for (const vb of running.splice(0)) vb.stopRealTime();
});

/** A board running its firmware at SPEED, its console as a LineChannel, and the reference it measures. */
function start(board: BoardDef, seed?: number) {
  const ref = { cellV: [1.5, 1.5, 1.5, 1.5], currentA: 0 };
  const vb = new VirtualBoard({
    board,
    pack: () => ({ cellV: ref.cellV, currentA: ref.currentA, tempC: [25, 25] }),
    ...(seed === undefined ? {} : simChipModels(board, seed)),
  });
  vb.evaluate(bundles[board.id]!);
  const repl = new EspruinoRepl(vb);
  const listeners = new Set<(l: string) => void>();
  let partial = "";
  repl.onOutput((t) => {
    partial += t;
    const parts = partial.split(/\r?\n/);
    partial = parts.pop()!;
    for (const l of parts) for (const f of listeners) f(l);
  });
  const ch: LineChannel = {
    write: async (text) => repl.input(text),
    subscribe(f) {
      listeners.add(f);
      return () => listeners.delete(f);
    },
  };
  vb.runRealTime(SPEED);
  running.push(vb);
  const apply = (name: string, value: number) => {
    if (name === "i") {
      ref.cellV = [1.5, 1.5, 1.5, 1.5];
      ref.currentA = value;
    } else {
      const k = Number(name.slice(1));
      ref.cellV = [0, 1, 2, 3].map(() => value / (k + 1));
      ref.currentA = 0;
    }
  };
  return { vb, ch, apply };
}

/** A prompter that applies what is asked (plus `typedOffset` on the check point: a misread meter). */
function lab(apply: (name: string, v: number) => void, answers: (name: string, label: string, suggested: number) => string | number): Prompter & { said: string[] } {
  const said: string[] = [];
  return {
    said,
    async ask(q) {
      said.push(q);
      const m = /^\? (v\d+|i) (point 1\/2|point 2\/2|check point): apply about (-?[\d.]+)/.exec(q)!;
      const a = answers(m[1]!, m[2]!, Number(m[3]));
      if (typeof a === "string") return a;
      apply(m[1]!, a);
      await sleep(SETTLE_MS);
      return String(a);
    },
    say(t) {
      said.push(t);
    },
  };
}

describe("runCalibration", () => {
  it("notes a reading far from the typed value (reference on another channel)", async () => {
    const board = await loadBoard("esp32-ads1115");
    const { ch, apply } = start(board);
    const p = lab((n, v) => apply(n === "v1" ? "v3" : n, v), (_n, _l, s) => s); // the lab wires v3 instead of v1
    // the points then give twice the nominal gain: the board refuses them (issue 21) and keeps its calibration
    await expect(runCalibration(ch, p, { channel: "v1", readings: 2, timeoutMs: 5000, port: "test", loadBoard })).rejects.toThrow(/gain 2 x nominal is out of range/);
    expect(p.said.some((t) => /note: before calibration v1 reads [\d.]+ V, far from the 1.8 V typed: is the reference at tap 1/.test(t))).toBe(true);
  }, 60000);

  it("INA226 board with noisy, offset chip models: the current channel's check passes within the data-sheet tolerance", async () => {
    const board = await loadBoard("esp32-ina226");
    const { ch, apply } = start(board, 7);
    const p = lab(apply, (_n, _l, s) => s);
    const rec = await runCalibration(ch, p, { channel: "i", readings: 6, timeoutMs: 5000, port: "test", loadBoard });
    expect(rec.channels).toHaveLength(1);
    const c = rec.channels[0]!;
    expect(c.channel).toBe("i");
    // The chip model's offset and gain error show: ±1 A do not give opposite codes, nor the data-sheet 8000.
    expect(c.points[0].rawMean + c.points[1].rawMean).not.toBe(0);
    expect(Math.abs(c.points[1].boardFileValue - 1)).toBeGreaterThan(0);
    expect(c.check.pass).toBe(true);
    expect(Math.abs(c.check.error)).toBeLessThanOrEqual(c.check.tolerance);
    expect(Math.abs(c.check.error)).toBeGreaterThan(0);
  }, 60000);

  it("a check point that disagrees (meter misread by 2 %) fails, with the error and tolerance in the record", async () => {
    const board = await loadBoard("esp32-ads1115");
    const { ch, apply } = start(board);
    const p = lab(apply, (_n, _l, s) => s);
    const misread = {
      ...p,
      async ask(q: string) {
        const a = await p.ask(q);
        return q.includes("check point") ? String(Number(a) * 1.02) : a;
      },
    };
    const rec = await runCalibration(ch, misread, { channel: "v1", readings: 3, timeoutMs: 5000, port: "test", loadBoard });
    const c = rec.channels[0]!;
    expect(c.check.pass).toBe(false);
    expect(rec.allPassed).toBe(false);
    expect(c.check.error).toBeCloseTo((-0.02 * c.check.applied) / 1.02, 3);
    expect(p.said.some((t) => /v1 check: .*FAIL/.test(t))).toBe(true);
  }, 60000);

  it("skip leaves a channel out; points closer than 10 % of the range are refused and point 2 asked again", async () => {
    const board = await loadBoard("esp32-ads1115");
    const { ch, apply } = start(board);
    let secondTries = 0;
    const p = lab(apply, (n, l, s) => {
      if (n !== "i") return "skip";
      if (l === "point 1/2") return -1;
      if (l === "point 2/2") return ++secondTries === 1 ? -0.9 : 1;
      return s;
    });
    const rec = await runCalibration(ch, p, { readings: 2, timeoutMs: 5000, port: "test", loadBoard });
    expect(rec.skipped).toEqual(["v0", "v1", "v2", "v3"]);
    expect(rec.channels.map((c) => c.channel)).toEqual(["i"]);
    expect(secondTries).toBe(2);
    expect(p.said.some((t) => /rejected point 2: the two points -1 and -0.9 A are closer than 1.024 A/.test(t))).toBe(true);
    expect(rec.channels[0]!.points[1].applied).toBe(1);
    expect(p.said.some((t) => /note:/.test(t)), "no suspicion when the reference is where it is asked for").toBe(false);
    expect(rec.allPassed).toBe(true);
  }, 60000);
});

/** Resolves at the first sample line: the firmware has booted and its `zbms` entry point exists. */
function firstSample(ch: LineChannel): Promise<void> {
  return new Promise((resolve) => {
    const un = ch.subscribe((l) => {
      if (/#Z1,\d+,S,/.test(l)) {
        un();
        resolve();
      }
    });
  });
}

/** The sensor chain of the config the board runs (its `config` reply). */
async function boardChain(ch: LineChannel): Promise<PackConfig["sensorChain"]> {
  const a = await sendBoardCommand(ch, ["config"], 5000);
  if (a.kind !== "reply") throw new Error(`config: ${JSON.stringify(a)}`);
  return parseConfigReply(a.payload).sensorChain;
}

describe("runCalibration declares the calibrated cell-voltage accuracy (ESP32 ADC, issue 20)", () => {
  it("all cell channels calibrated and checked: config reports the calibrated chain; a failed check returns it to the uncalibrated one; a current-only run leaves it", async () => {
    const board = await loadBoard("esp32-adc");
    const { vb, ch, apply } = start(board, 11);
    await firstSample(ch);
    const before = await boardChain(ch);
    expect(before.voltageOffsetV).toBeCloseTo(ESP32_UNCAL_OFFSET_V, 9);
    const currentA = before.currentOffsetA;

    const p = lab(apply, (_n, _l, s) => s);
    const rec = await runCalibration(ch, p, { readings: 3, timeoutMs: 5000, port: "test", loadBoard });
    expect(rec.channels.map((c) => c.channel)).toEqual(["v0", "i"]);
    expect(rec.allPassed).toBe(true);
    expect(Math.abs(rec.channels[0]!.check.error)).toBeLessThan(rec.channels[0]!.check.tolerance);
    expect(rec.declared).toMatchObject({ calibrated: true, persisted: "saved" });
    const after = await boardChain(ch);
    expect(after.voltageOffsetV).toBeCloseTo(ESP32_CAL_OFFSET_V, 9);
    expect(after.voltageOffsetV).toBeCloseTo(0.00908, 5);
    expect(after.voltageGainErrFrac).toBeCloseTo(ESP32_CAL_OFFSET_V / ESP32_CAL_SPAN_V, 9);
    expect(before.cellVoltageOffsetV, "the shipped pack declares its one cell's offset").toEqual([ESP32_UNCAL_OFFSET_V]);
    expect(after.cellVoltageOffsetV!.length).toBe(1);
    expect(after.cellVoltageOffsetV![0]).toBeCloseTo(ESP32_CAL_OFFSET_V, 9);
    expect(after.currentOffsetA, "the current terms are not the calibration's business").toBe(currentA);
    expect(p.said.some((t) => /cell-voltage accuracy declared on the board: calibrated ESP32 ADC, offset ±9\.08\d* mV/.test(t))).toBe(true);
    // Stored: after a power cycle the board runs the saved config (Storage zbms.cfg), not the embedded pack's.
    vb.stopRealTime();
    const bootsBefore = vb.bootCount;
    vb.powerCycle();
    vb.evaluate(bundles["esp32-adc"]!);
    const booted = firstSample(ch);
    vb.runRealTime(SPEED);
    await booted;
    expect(vb.bootCount, "booted again").toBe(bootsBefore + 1);
    expect((await boardChain(ch)).voltageOffsetV).toBeCloseTo(ESP32_CAL_OFFSET_V, 9);

    // Only the current channel: no cell channel calibrated, the declaration stays.
    const pi = lab(apply, (_n, _l, s) => s);
    const recI = await runCalibration(ch, pi, { channel: "i", readings: 3, timeoutMs: 5000, port: "test", loadBoard });
    expect(recI.declared).toBeNull();
    expect((await boardChain(ch)).voltageOffsetV).toBeCloseTo(ESP32_CAL_OFFSET_V, 9);

    // v0 again, the meter misread by 3 % at the check point (≈ 40 mV: inside the uncalibrated
    // data-sheet tolerance, ±285 mV at tap 0, but not the calibrated one): the line is not verified.
    const pm = lab(apply, (_n, _l, s) => s);
    const misread = {
      ...pm,
      async ask(q: string) {
        const a = await pm.ask(q);
        return q.includes("check point") ? String(Number(a) * 1.03) : a;
      },
    };
    const recF = await runCalibration(ch, misread, { channel: "v0", readings: 3, timeoutMs: 5000, port: "test", loadBoard });
    expect(recF.allPassed).toBe(false);
    const chk = recF.channels[0]!.check;
    // the calibrated tolerance at 1.35 V: 9.08 mV + 0.395 % × 1.35 V + 1 LSB (0.76 mV) ≈ 15.2 mV
    expect(chk.tolerance).toBeCloseTo(ESP32_CAL_OFFSET_V + (ESP32_CAL_OFFSET_V / ESP32_CAL_SPAN_V) * chk.applied + 3.1 / 4096, 9);
    expect(recF.declared).toMatchObject({ calibrated: false, voltageOffsetV: ESP32_UNCAL_OFFSET_V });
    const back = await boardChain(ch);
    expect(back.voltageOffsetV).toBeCloseTo(ESP32_UNCAL_OFFSET_V, 9);
    // the worst-cell offset rose: it was set before the per-cell entry, which the board then accepted
    expect(back.cellVoltageOffsetV![0]).toBeCloseTo(ESP32_UNCAL_OFFSET_V, 9);
    expect(recF.declared!.cellVoltageOffsetV![0]).toBeCloseTo(ESP32_UNCAL_OFFSET_V, 9);
  }, 90000);

  it("a 2-cell pack (esp32-ina226, Zn-PBA) declares its worst cell: cell 1 = tap 1 − tap 0, both calibrated taps' errors added", async () => {
    const board = await loadBoard("esp32-ina226");
    const { ch, apply } = start(board);
    await firstSample(ch);
    // as shipped (make-packs, rounded up to 9 digits): 60 mV × (2 + 1) + 2 × (60 mV / 2.3 V) × 1 × 2.1 V (Zn-PBA alarm limit) = 289.6 mV
    expect((await boardChain(ch)).voltageOffsetV).toBeCloseTo(0.18 + 2 * (0.06 / ESP32_CAL_SPAN_V) * 2.1, 8);
    const p = lab(apply, (n, _l, s) => (n === "i" ? "skip" : s));
    const rec = await runCalibration(ch, p, { readings: 2, timeoutMs: 5000, port: "test", loadBoard });
    expect(rec.channels.map((c) => c.channel)).toEqual(["v0", "v1"]);
    expect(rec.allPassed).toBe(true);
    // INL × (2 + 1) + 2 × (INL / 2.3 V) × 1 × 2.1 V = 27.25 + 16.58 = 43.83 mV; gain INL / 2.3 V
    const cellOffsetV = 3 * ESP32_CAL_OFFSET_V + 2 * (ESP32_CAL_OFFSET_V / ESP32_CAL_SPAN_V) * 2.1;
    expect(rec.declared).toMatchObject({ calibrated: true, persisted: "saved" });
    expect(rec.declared!.voltageOffsetV).toBeCloseTo(cellOffsetV, 9);
    const after = await boardChain(ch);
    expect(after.voltageOffsetV).toBeCloseTo(cellOffsetV, 9);
    expect(after.voltageOffsetV).toBeCloseTo(0.04383, 5);
    // each cell's own: cell 0 is tap 0 alone (INL × divider 1), cell 1 the worst; set before voltageOffsetV fell
    expect(after.cellVoltageOffsetV!.length).toBe(2);
    expect(after.cellVoltageOffsetV![0]).toBeCloseTo(ESP32_CAL_OFFSET_V, 9);
    expect(after.cellVoltageOffsetV![1]).toBeCloseTo(cellOffsetV, 9);
    expect(after.voltageGainErrFrac).toBeCloseTo(ESP32_CAL_OFFSET_V / ESP32_CAL_SPAN_V, 9);
  }, 60000);

  it("boards whose cell channels are not ESP32-ADC inputs keep their declaration", async () => {
    const board = await loadBoard("esp32-ads1115");
    const { ch, apply } = start(board);
    await firstSample(ch);
    const before = await boardChain(ch);
    const p = lab(apply, (_n, _l, s) => s);
    const rec = await runCalibration(ch, p, { channel: "v0", readings: 2, timeoutMs: 5000, port: "test", loadBoard });
    expect(rec.declared).toBeNull();
    expect(await boardChain(ch)).toEqual(before);
  }, 60000);
});
