/**
 * `zbms send set sensorChain.FIELD VALUE` passes the same rule as `zbms build`
 * (host/boardDesign/declaredChain.ts) for the board and pack it talks to: the real esp32-adc
 * firmware (1-cell Zn-I2 pack) on the virtual board, asked in-process through its REPL.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFirmware, loadBoard } from "../../../host/bundle/buildFirmware";
import { VirtualBoard } from "../../../host/virtualBoard/virtualBoard";
import { EspruinoRepl } from "../../../host/virtualBoard/repl";
import type { LineChannel } from "../../../host/serial/replCommand";
import { chainSetProblem } from "../../../host/cli/sendCommand";
import { CALIBRATION_FORMAT } from "../../../host/calibrate/calibrationFile";

/** Virtual-board speed (× real time). */
const SPEED = 50;
const TIMEOUT_MS = 5000;
/** esp32-adc, cell 0 on divider 1: ESP32 ADC total error 60 mV; calibrated: INL 12 LSB × 3.1 V / 4096. */
const UNCAL_OFFSET_V = 0.06;
const CAL_OFFSET_V = (12 * 3.1) / 4096;

let vb: VirtualBoard;
let ch: LineChannel;
const tmp = mkdtempSync(join(tmpdir(), "zbms-send-chain-"));

beforeAll(async () => {
  const board = await loadBoard("esp32-adc");
  const code = (await buildFirmware({ board: "esp32-adc", write: false })).code;
  vb = new VirtualBoard({ board, pack: () => ({ cellV: [1.3], currentA: 0, tempC: [25] }) });
  vb.evaluate(code);
  const repl = new EspruinoRepl(vb);
  const listeners = new Set<(l: string) => void>();
  let partial = "";
  repl.onOutput((t) => {
    partial += t;
    const parts = partial.split(/\r?\n/);
    partial = parts.pop()!;
    for (const l of parts) for (const f of listeners) f(l);
  });
  ch = {
    write: async (text) => repl.input(text),
    subscribe(f) {
      listeners.add(f);
      return () => listeners.delete(f);
    },
  };
  vb.runRealTime(SPEED);
}, 60000);

afterAll(() => vb.stopRealTime());

describe("zbms send set sensorChain.*", () => {
  it("refuses a term better than the board delivers for its pack, quoting field and both values", async () => {
    const why = await chainSetProblem(ch, ["set", "sensorChain.voltageOffsetV", "0.001"], TIMEOUT_MS);
    expect(why).toContain("sensorChain.voltageOffsetV = 0.001 is better than board esp32-adc delivers for 1 cell: its data-sheet worst case is 0.06");
    expect(why).toContain("--calibration");
    expect(await chainSetProblem(ch, ["set", "sensorChain.currentOffsetA", "0.01"], TIMEOUT_MS)).toMatch(/currentOffsetA = 0\.01 .* is 0\.12/);
    // one entry of the per-cell list, against that cell's own floor
    expect(await chainSetProblem(ch, ["set", "sensorChain.cellVoltageOffsetV.0", "0.001"], TIMEOUT_MS)).toContain(
      "sensorChain.cellVoltageOffsetV[0] = 0.001 is better than board esp32-adc delivers for 1 cell: its data-sheet worst case is 0.06");
    expect(await chainSetProblem(ch, ["set", "sensorChain.cellVoltageOffsetV.0", String(UNCAL_OFFSET_V)], TIMEOUT_MS)).toBeNull();
  }, 30000);

  it("lets the board's own value, a worse one, and other settings through", async () => {
    expect(await chainSetProblem(ch, ["set", "sensorChain.voltageOffsetV", String(UNCAL_OFFSET_V)], TIMEOUT_MS)).toBeNull();
    expect(await chainSetProblem(ch, ["set", "sensorChain.voltageOffsetV", "0.1"], TIMEOUT_MS)).toBeNull();
    expect(await chainSetProblem(ch, ["set", "samplePeriodMs", "2000"], TIMEOUT_MS)).toBeNull();
  }, 30000);

  it("the calibrated cell-voltage offset needs a zbms calibrate record of this board", async () => {
    const words = ["set", "sensorChain.voltageOffsetV", String(CAL_OFFSET_V)];
    expect(await chainSetProblem(ch, words, TIMEOUT_MS)).toMatch(/voltageOffsetV = 0\.00908203 .* data-sheet worst case is 0\.06/);
    const rec = join(tmp, "esp32-adc.json");
    const check = { applied: 1.35, rawCodes: [1700], rawMean: 1700, boardFileValue: 1.36, reading: 1.351, error: 0.001, tolerance: 0.015, pass: true };
    writeFileSync(rec, JSON.stringify({ format: CALIBRATION_FORMAT, board: "esp32-adc", declared: { calibrated: true }, channels: [{ channel: "v0", check }] }));
    expect(await chainSetProblem(ch, words, TIMEOUT_MS, rec)).toBeNull();
    expect(await chainSetProblem(ch, ["set", "sensorChain.voltageOffsetV", String(CAL_OFFSET_V / 2)], TIMEOUT_MS, rec)).toMatch(/its calibrated \(zbms calibrate\) is 0\.00908203/);
  }, 30000);
});
