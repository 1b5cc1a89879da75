/**
 * What each calibratable channel of a board measures: its name on the firmware's `raw`/`cal`
 * commands ("v0"…"vN", "i"), unit, where to apply the reference, the range it can read, the
 * suggested calibration points, the conversion of a raw code to the channel's value through a
 * calibration (the firmware's own `chipInputV`/`currentFromInputV`), the spread a point's readings
 * may have (the data-sheet worst case of `boardTapChain`) and the tolerance a calibrated
 * reading must meet (the same, or for an ESP32-ADC cell channel its calibrated chain).
 */
import type { BoardDef, CurrentChannelDef, VoltageChannelDef } from "../../shared/config/boardDef";
import { applyCalibration, type AdcCalibration } from "../../shared/sensors/calibration";
import { ADS1115_HALF_CODES } from "../../shared/sensors/ads1115";
import { INA226_SHUNT_LSB_V } from "../../shared/sensors/ina226";
import { ESP32_RANGE_MAX_V, ESP32_RANGE_MIN_V, esp32RangeIndex } from "../../shared/sensors/esp32Adc";
import { chipInputV, currentFromInputV } from "../../firmware/sensors";
import { boardTapChain, tapVoltageTerms } from "../boardDesign/accuracy";
import { boardMaxCurrentA, inputMaxV } from "../boardDesign/packFit";

/** Suggested per-cell calibration points (V): near both ends of a Zn cell's working range and between them (hardware/README, Calibration). */
export const SUGGESTED_CELL_V = { low: 0.9, high: 1.8, check: 1.35 };
/** Suggested current points (A): one charging, one discharging, a check between them (hardware/README, Calibration step 4). */
export const SUGGESTED_CURRENT_A = { low: -1, high: 1, check: 0.5 };
/** The two calibration points must differ by at least this fraction of the channel's range, or the gain is ill-defined. */
export const MIN_POINT_SEPARATION_FRAC = 0.1;

export type ChannelKind = "voltage" | "current";

export interface ChannelInfo {
  /** Name on the firmware's `raw`/`cal` commands: "v0"…, "i". */
  name: string;
  kind: ChannelKind;
  unit: "V" | "A";
  def: VoltageChannelDef | CurrentChannelDef;
  /** Where to apply the reference (for the prompt). */
  where: string;
  /** Values the channel can read without clipping. */
  minValue: number;
  maxValue: number;
  /** Suggested first, second and check points. */
  suggested: [number, number, number];
}

/** Channel names of a board, voltage channels first ("v0"…"vN", "i"). */
export function boardChannelNames(board: BoardDef): string[] {
  return board.voltages.map((_v, k) => "v" + k).concat(["i"]);
}

/** The channel `name` of `board`; throws naming the bad channel and listing the accepted ones. */
export function channelInfo(board: BoardDef, name: string): ChannelInfo {
  const accepted = boardChannelNames(board);
  if (name === "i") {
    const maxA = boardMaxCurrentA(board);
    const clip = (a: number): number => Math.max(-maxA / 2, Math.min(maxA / 2, a));
    return {
      name,
      kind: "current",
      unit: "A",
      def: board.current,
      where: "through the shunt (J2 power terminal), + = charging the pack",
      minValue: -maxA,
      maxValue: maxA,
      suggested: [clip(SUGGESTED_CURRENT_A.low), clip(SUGGESTED_CURRENT_A.high), clip(SUGGESTED_CURRENT_A.check)],
    };
  }
  const k = accepted.indexOf(name);
  if (k < 0 || name.charAt(0) !== "v") {
    throw new Error(`unknown channel "${name}" on board ${board.id}; accepted: ${accepted.join(", ")}`);
  }
  const def = board.voltages[k]!;
  const cellsBelow = board.cellWiring === "taps" ? k + 1 : 1;
  const where = board.cellWiring === "taps" ? `at tap ${k} (J1 CELL${k}+) against PACK-` : `across cell ${k}`;
  return {
    name,
    kind: "voltage",
    unit: "V",
    def,
    where,
    minValue: def.chip === "esp32adc" ? ESP32_RANGE_MIN_V[esp32RangeIndex(def.attenDb)]! * def.dividerRatio : 0,
    maxValue: inputMaxV(def) * def.dividerRatio,
    suggested: [SUGGESTED_CELL_V.low * cellsBelow, SUGGESTED_CELL_V.high * cellsBelow, SUGGESTED_CELL_V.check * cellsBelow],
  };
}

/**
 * The channel's value (V at the tap/cell, or A) for a (mean) raw code through `cal` (undefined =
 * the board file's), as the firmware converts it; ESP32 codes are not rounded to whole codes
 * here (an average keeps its fraction), but outside the ADC's usable span they are NaN as on the board.
 */
export function valueFromRaw(info: ChannelInfo, cal: AdcCalibration | undefined, raw: number): number {
  const def = cal === undefined ? info.def : ({ ...info.def, cal } as VoltageChannelDef | CurrentChannelDef);
  let inputV: number;
  if (def.chip === "esp32adc") {
    const k = esp32RangeIndex(def.attenDb);
    const v = applyCalibration(def.cal, raw);
    inputV = v >= ESP32_RANGE_MIN_V[k]! && v <= ESP32_RANGE_MAX_V[k]! ? v : NaN;
  } else if (def.cal === undefined) {
    // the data-sheet LSB, linear (the firmware's default; its integer-code decoders would refuse a mean)
    inputV = raw * (def.chip === "ads1115" ? def.pgaFsrV / ADS1115_HALF_CODES : INA226_SHUNT_LSB_V);
  } else inputV = chipInputV(def, raw);
  if (info.kind === "current") return currentFromInputV(def as CurrentChannelDef, inputV);
  return inputV * (def as VoltageChannelDef).dividerRatio;
}

/**
 * Largest error (V or A) a reading of `value` may have: the data-sheet worst case of the
 * board's uncalibrated chain for one channel's reading, at the worst channel (offset + gain error
 * × |value| + 1 LSB, `boardTapChain`; a reading, not a cell: no tap difference).
 * A calibrated channel must do at least this well.
 */
export function toleranceAt(board: BoardDef, info: ChannelInfo, value: number): number {
  const c = boardTapChain(board);
  if (info.kind === "current") return c.currentOffsetA + c.currentGainErrFrac * Math.abs(value) + c.currentLsbA;
  return c.voltageOffsetV + c.voltageGainErrFrac * Math.abs(value) + c.voltageLsbV;
}

/**
 * Largest error (V or A) a reading of `value` may have after calibration (the third-point
 * check): for an ESP32-ADC cell channel the calibrated chain at its own divider (offset and gain
 * = the ADC's INL, `tapVoltageTerms`), from which the pack's per-cell declaration follows
 * (session.ts); for other channels the data-sheet worst case (`toleranceAt`).
 */
export function checkToleranceAt(board: BoardDef, info: ChannelInfo, value: number): number {
  const k = Number(info.name.slice(1));
  if (info.kind !== "voltage" || !board.voltages[k] || board.voltages[k]!.chip !== "esp32adc") return toleranceAt(board, info, value);
  const t = tapVoltageTerms(board, k, true);
  return t.voltageOffsetV + t.voltageGainErrFrac * Math.abs(value) + t.voltageLsbV;
}

/** Problem with an applied value typed by the user (null = usable); quotes the value and the range. */
export function appliedValueProblem(info: ChannelInfo, value: number): string | null {
  if (!Number.isFinite(value)) return `not a number; type the applied ${info.kind} in ${info.unit}, e.g. ${info.suggested[0]}`;
  if (value < info.minValue || value > info.maxValue) {
    return `${value} ${info.unit} is outside what channel ${info.name} can read (${fmt(info.minValue)} to ${fmt(info.maxValue)} ${info.unit})`;
  }
  return null;
}

/** Problem with a pair of calibration points (null = usable). */
export function pointPairProblem(info: ChannelInfo, a1: number, a2: number): string | null {
  const minGap = MIN_POINT_SEPARATION_FRAC * (info.maxValue - info.minValue);
  if (Math.abs(a2 - a1) < minGap) {
    return `the two points ${a1} and ${a2} ${info.unit} are closer than ${fmt(minGap)} ${info.unit} (${MIN_POINT_SEPARATION_FRAC * 100} % of the channel's range); use values near both ends, e.g. ${info.suggested[0]} and ${info.suggested[1]}`;
  }
  return null;
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
