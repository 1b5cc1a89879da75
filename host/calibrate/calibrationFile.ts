/**
 * The local copy of a calibration run: `calibration/<board>-<YYYY-MM-DD>.json` by default (a
 * second run on the same day gets `-2`, `-3`, …), holding the raw points, the calibration the
 * board applied and stored, and the third-point check.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AdcCalibration } from "../../shared/sensors/calibration";

/** Format tag of the file (bump when fields change meaning). */
export const CALIBRATION_FORMAT = "zbms-calibration/1";
/** Folder of the default output files (relative to the working directory). */
export const DEFAULT_CALIBRATION_DIR = "calibration";

export interface CalibrationPoint {
  /** Value applied by the reference (V or A), as typed. */
  applied: number;
  /** Raw codes read, one per board sample. */
  rawCodes: number[];
  rawMean: number;
  /** What the board file's own calibration makes of `rawMean` (the error before this run). */
  boardFileValue: number;
}

export interface ChannelCheck extends CalibrationPoint {
  /** The reading through the new calibration. */
  reading: number;
  /** reading − applied. */
  error: number;
  /** Largest |error| accepted: the channel's calibrated accuracy at `applied` (channels.ts checkToleranceAt). */
  tolerance: number;
  pass: boolean;
}

export interface ChannelCalibration {
  channel: string;
  unit: "V" | "A";
  points: [CalibrationPoint, CalibrationPoint];
  /** The calibration the board answered with (raw code → chip-input volts). */
  cal: AdcCalibration;
  /** The board's answer on storing it ("saved", "save failed", "no storage"). */
  persisted: string;
  check: ChannelCheck;
}

/**
 * The cell-voltage accuracy the run declared in the board's pack config (`set
 * sensorChain.voltageOffsetV` / `voltageGainErrFrac`): the ESP32-ADC chain's terms, calibrated
 * when every cell channel was calibrated and passed its check, uncalibrated when a check failed.
 */
export interface ChainDeclaration {
  calibrated: boolean;
  voltageOffsetV: number;
  voltageGainErrFrac: number;
  /** Each cell's offset (V), when the board's config declares them (sensorChain.cellVoltageOffsetV). */
  cellVoltageOffsetV?: number[];
  /** The board's answer on storing the config ("saved", "pending (save failed)", "no storage"). */
  persisted: string;
}

export interface CalibrationRecord {
  format: typeof CALIBRATION_FORMAT;
  board: string;
  firmware: { version: string; bundleHash: string };
  port: string;
  startedAt: string;
  finishedAt: string;
  readingsPerPoint: number;
  channels: ChannelCalibration[];
  skipped: string[];
  /** Every calibrated channel passed its check. */
  allPassed: boolean;
  /** The cell-voltage accuracy declared on the board, or null when left as it was. */
  declared: ChainDeclaration | null;
}

/** `dir/<board>-<YYYY-MM-DD>.json`, or with `-2`, `-3`, … when that file exists. */
export function defaultCalibrationPath(board: string, date: Date, dir: string = DEFAULT_CALIBRATION_DIR): string {
  const day = date.toISOString().slice(0, 10);
  let p = join(dir, `${board}-${day}.json`);
  for (let n = 2; existsSync(p); n++) p = join(dir, `${board}-${day}-${n}.json`);
  return p;
}

/** Write the record as JSON (creates the folder). */
export function writeCalibrationFile(path: string, rec: CalibrationRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(rec, null, 2) + "\n");
}
