/**
 * `zbms build` refuses a pack whose declared sensor chain is better than its board delivers
 * (host/bundle/packChain.ts, the rule in host/boardDesign/declaredChain.ts), accepts the board's
 * own chain or a worse one, accepts the calibrated ESP32-ADC cell-voltage terms only with a
 * `zbms calibrate` record of that board type, and builds every shipped board with its default pack.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware, defaultPackFor, FirmwareBuildError, REPO_ROOT } from "../../../host/bundle/buildFirmware";
import { boardSensorChain } from "../../../host/boardDesign/accuracy";
import { packMaxCellV } from "../../../host/boardDesign/packFit";
import { loadBoard } from "../../../host/boardDesign/generate";
import { CALIBRATION_FORMAT, type CalibrationRecord, type ChannelCalibration } from "../../../host/calibrate/calibrationFile";
import type { PackConfig } from "../../../shared/config/packConfig";

const tmp = mkdtempSync(join(tmpdir(), "zbms-chain-"));
const SHIPPED_BOARDS = ["esp32-ads1115", "esp32-ina226", "esp32-adc"];
/** After `zbms calibrate` on an ESP32-ADC tap of divider 1: the ADC's INL, 12 LSB × 3.1 V / 4096 (9.08 mV), gain over the 2.3 V span. */
const ESP32_CAL_OFFSET_V = (12 * 3.1) / 4096;
const ESP32_CAL_SPAN_V = 2.3;

function readPack(file: string): PackConfig {
  return JSON.parse(readFileSync(join(REPO_ROOT, file), "utf8")) as PackConfig;
}

function writePack(name: string, p: PackConfig): string {
  const f = join(tmp, name);
  writeFileSync(f, JSON.stringify(p));
  return f;
}

async function buildError(opts: Parameters<typeof buildFirmware>[0]): Promise<string> {
  const e = await buildFirmware({ ...opts, write: false }).then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(FirmwareBuildError);
  return (e as Error).message;
}

/** A record as `zbms calibrate` writes it (host/calibrate/calibrationFile.ts), cell channels v0… and their checks. */
function record(board: string, cells: number, calibrated: boolean): string {
  const point = { applied: 1, rawCodes: [1000], rawMean: 1000, boardFileValue: 1 };
  const channels: ChannelCalibration[] = [];
  for (let k = 0; k < cells; k++) {
    channels.push({
      channel: "v" + k,
      unit: "V",
      points: [point, point],
      cal: { kind: "twoPoint", raws: [100, 2800], volts: [0.2, 2.3] } as unknown as ChannelCalibration["cal"],
      persisted: "saved",
      check: { ...point, reading: 1, error: 0, tolerance: 0.01, pass: calibrated },
    });
  }
  const rec: CalibrationRecord = {
    format: CALIBRATION_FORMAT,
    board,
    firmware: { version: "0.1.0", bundleHash: "0123456789abcdef" },
    port: "/dev/ttyUSB0",
    startedAt: "2026-12-07T10:00:00.000Z",
    finishedAt: "2026-12-07T10:20:00.000Z",
    readingsPerPoint: 8,
    channels,
    skipped: [],
    allPassed: calibrated,
    declared: { calibrated, voltageOffsetV: ESP32_CAL_OFFSET_V, voltageGainErrFrac: ESP32_CAL_OFFSET_V / ESP32_CAL_SPAN_V, persisted: "saved" },
  };
  const f = join(tmp, `${board}-${cells}-${calibrated}.json`);
  writeFileSync(f, JSON.stringify(rec));
  return f;
}

describe("zbms build checks the declared sensor chain against the board", () => {
  it("every shipped board builds its default pack", async () => {
    for (const board of SHIPPED_BOARDS) {
      const r = await buildFirmware({ board, write: false });
      expect(r.findings, board).toEqual([]);
      expect(r.packName, board).toBe(readPack(defaultPackFor(board)).name);
    }
  }, 60000);

  it("refuses the 4S ADS1115-chain pack on esp32-ina226 (cells on the ESP32 ADC), quoting pack file, field, declared and board values, and the fix", async () => {
    const msg = await buildError({ board: "esp32-ina226", pack: "hardware/packs/znmno2-4s.json" });
    expect(msg).toContain(join(REPO_ROOT, "hardware/packs/znmno2-4s.json"));
    // top cell = tap 3 − tap 2, lower cells at the 1.9 V alarm limit (host/boardDesign/accuracy.ts cellVoltageTerms).
    // ADS1115 taps: 3 LSB × 125 µV × (4 + 3) + 2 × 0.15 % × 3 × 1.9 V = 19.725 mV declared;
    // ESP32 ADC: 60 mV × (4 + 3) + 2 × (60 mV / 2.3 V) × 3 × 1.9 V = 717.39 mV
    expect(msg).toContain("sensorChain.voltageOffsetV = 0.019725 is better than board esp32-ina226 delivers for 4 cells: its data-sheet worst case is 0.717391");
    expect(msg).toContain("sensorChain.voltageGainErrFrac = 0.0015 is better than board esp32-ina226 delivers for 4 cells: its data-sheet worst case is 0.026087");
    expect(msg).toContain("zbms calibrate");
    expect(msg).toContain("--calibration");
  }, 30000);

  it("the INA226-chain Zn-I2 pack as it shipped before (0.375 mV cells, 0.5 mA offset) is refused on esp32-adc", async () => {
    const p = readPack("hardware/packs/zni2-1s.json");
    p.sensorChain = { ...p.sensorChain, currentOffsetA: 0.0005, currentGainErrFrac: 0.001, currentGainMismatchFrac: 0.0001, currentLsbA: 0.000125, voltageOffsetV: 0.000375, voltageGainErrFrac: 0.0015, voltageLsbV: 0.000125, cellVoltageOffsetV: [0.000375] };
    const msg = await buildError({ board: "esp32-adc", pack: writePack("zni2-ina226-chain.json", p) });
    // the per-cell list against each cell's own floor (boardSensorChain)
    expect(msg).toContain("sensorChain.cellVoltageOffsetV[0] = 0.000375 is better than board esp32-adc delivers for 1 cell: its data-sheet worst case is 0.06");
    expect(msg).toContain("sensorChain.currentOffsetA = 0.0005 is better than board esp32-adc delivers for 1 cell: its data-sheet worst case is 0.12");
    expect(msg).toContain("sensorChain.voltageOffsetV = 0.000375 is better than board esp32-adc delivers for 1 cell: its data-sheet worst case is 0.06");
  }, 30000);

  it("accepts the board's own chain and a worse one", async () => {
    const board = loadBoard(REPO_ROOT, "esp32-ina226");
    const p = readPack("hardware/packs/znpba-2s.json");
    p.sensorChain = boardSensorChain(board, p.cellCount, packMaxCellV(p));
    expect((await buildFirmware({ board: "esp32-ina226", pack: writePack("own.json", p), write: false })).findings).toEqual([]);
    p.sensorChain.voltageOffsetV *= 1.5;
    p.sensorChain.currentGainMismatchFrac *= 10;
    expect((await buildFirmware({ board: "esp32-ina226", pack: writePack("worse.json", p), write: false })).findings).toEqual([]);
  }, 30000);

  it("refuses the 2S Zn-PBA pack as it shipped before (cell 1 offset 120 mV: one tap only) on esp32-ina226: tap 1 + tap 0 and the gain on tap 0", async () => {
    const p = readPack("hardware/packs/znpba-2s.json");
    p.sensorChain.voltageOffsetV = 0.12;
    delete p.sensorChain.cellVoltageOffsetV; // shipped without per-cell offsets
    const msg = await buildError({ board: "esp32-ina226", pack: writePack("znpba-one-tap.json", p) });
    // 120 mV + 60 mV + 2 × (60 mV / 2.3 V) × 1 × 2.1 V (Zn-PBA over-voltage alarm limit) = 289.565 mV
    expect(msg).toContain("sensorChain.voltageOffsetV = 0.12 is better than board esp32-ina226 delivers for 2 cells: its data-sheet worst case is 0.289565");
  }, 30000);

  it("the calibrated ESP32-ADC cell-voltage terms need a zbms calibrate record of the board: refused without, or with a failed or foreign one", async () => {
    const p = readPack("hardware/packs/zni2-1s.json");
    p.sensorChain.voltageOffsetV = ESP32_CAL_OFFSET_V;
    p.sensorChain.voltageGainErrFrac = ESP32_CAL_OFFSET_V / ESP32_CAL_SPAN_V;
    p.sensorChain.cellVoltageOffsetV = [ESP32_CAL_OFFSET_V];
    const pack = writePack("zni2-calibrated.json", p);
    expect(await buildError({ board: "esp32-adc", pack })).toMatch(/sensorChain\.voltageOffsetV = 0\.00908203 is better than board esp32-adc delivers for 1 cell: its data-sheet worst case is 0\.06/);
    const r = await buildFirmware({ board: "esp32-adc", pack, calibration: record("esp32-adc", 1, true), write: false });
    expect(r.findings).toEqual([]);
    expect(await buildError({ board: "esp32-adc", pack, calibration: record("esp32-adc", 1, false) })).toMatch(/did not declare the calibrated chain/);
    expect(await buildError({ board: "esp32-adc", pack, calibration: record("esp32-ina226", 1, true) })).toMatch(/a calibration of board "esp32-ina226", not esp32-adc/);
    expect(await buildError({ board: "esp32-adc", pack, calibration: join(tmp, "nope.json") })).toMatch(/--calibration .*nope\.json: cannot read it/);
    // calibrated, but half the calibrated offset is still better than calibration delivers
    p.sensorChain.voltageOffsetV = ESP32_CAL_OFFSET_V / 2;
    p.sensorChain.cellVoltageOffsetV = [ESP32_CAL_OFFSET_V / 2];
    const msg = await buildError({ board: "esp32-adc", pack: writePack("zni2-too-good.json", p), calibration: record("esp32-adc", 1, true) });
    expect(msg).toMatch(/sensorChain\.voltageOffsetV = 0\.00454102 is better than board esp32-adc delivers for 1 cell: its calibrated \(zbms calibrate\) is 0\.00908203/);
  }, 60000);
});
