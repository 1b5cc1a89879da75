/**
 * The board's sensor set: from a validated board definition, set up every channel once
 * (attenuations, INA226 registers, ADS1115 conversion plans), then per sample read the raw
 * codes, convert them with shared/sensors (calibration, divider, NTC) and fill the caller's
 * reused `Sample` in place. Invalid channels are NaN (the model raises sensorFault); nothing
 * here throws into the sampler.
 *
 * Channel names (commands use them): "v0"…"vN" voltage channels (taps or cells as wired),
 * "i" the current channel, "t0"…"tN" temperature channels.
 */
import type { Sample } from "../shared/sample";
import { applyCalibration, type AdcCalibration } from "../shared/sensors/calibration";
import { esp32PinVolts, ESP32_ADC_CODES } from "../shared/sensors/esp32Adc";
import { ads1115PgaCodeForFsr, ads1115ReadingV, ADS1115_CODE_POS_FULL, ADS1115_HALF_CODES } from "../shared/sensors/ads1115";
import { ina226ShuntVolts, INA226_CODE_POS_FULL, INA226_HALF_CODES } from "../shared/sensors/ina226";
import { ntcTempCFromRatio } from "../shared/sensors/ntc";
import type { AnalogInput, BoardDef, CurrentChannelDef, TempChannelDef, VoltageChannelDef } from "./boardTypes";
import type { Hw } from "./drivers/hw";
import { createDriverStatus, driverError, type DriverStatus } from "./drivers/driverStatus";
import { esp32AdcReadFraction, esp32AdcSetup, type Esp32AdcApplied } from "./drivers/esp32AdcDriver";
import { ads1115Convert, ads1115Plan, type Ads1115Conv } from "./drivers/ads1115Driver";
import { ina226ReadShuntCode, ina226Setup, type Ina226Applied } from "./drivers/ina226Driver";

/** Milliseconds per second (getTime() is in seconds). */
const MS_PER_S = 1000;

/** One analog channel ready to read. */
interface Chan {
  def: AnalogInput | CurrentChannelDef;
  conv: Ads1115Conv | null;
}

export interface SensorSet {
  board: BoardDef;
  hw: Hw;
  status: DriverStatus;
  /** Channels used by the pack (first `cellCount` voltage, first `tempCount` temperature channels). */
  volts: Chan[];
  current: Chan;
  temps: Chan[];
  /** Last raw code per channel: volts…, current, temps… (NaN = failed read). For `raw`/`cal`. */
  raw: Float64Array;
  /** Last chip-input volts per voltage channel (before the tap difference). */
  nodeV: Float64Array;
  /** What setup applied: ESP32 attenuations and the INA226 registers. */
  appliedAdc: Esp32AdcApplied[];
  appliedIna: Ina226Applied | null;
}

function plan(board: BoardDef, def: AnalogInput | CurrentChannelDef): Chan {
  if (def.chip !== "ads1115") return { def: def, conv: null };
  const chips = board.ads1115 || [];
  for (let i = 0; i < chips.length; i++) {
    if (chips[i].address === def.address) return { def: def, conv: ads1115Plan(def, chips[i]) };
  }
  throw new Error("board: ads1115 address " + def.address + " not listed in board.ads1115");
}

/**
 * Set up the pack's channels. Throws (at boot, before sampling starts) only when the pack
 * needs more channels than the board has; chip failures are recorded, not thrown.
 */
export function createSensorSet(board: BoardDef, hw: Hw, cellCount: number, tempCount: number): SensorSet {
  if (cellCount > board.voltages.length) throw new Error("pack has " + cellCount + " cells, board " + board.id + " measures " + board.voltages.length);
  if (tempCount > board.temps.length) throw new Error("pack has " + tempCount + " temperatures, board " + board.id + " measures " + board.temps.length);
  const st = createDriverStatus();
  const s: SensorSet = {
    board: board,
    hw: hw,
    status: st,
    volts: [],
    current: plan(board, board.current),
    temps: [],
    raw: new Float64Array(cellCount + 1 + tempCount),
    nodeV: new Float64Array(cellCount),
    appliedAdc: [],
    appliedIna: null,
  };
  for (let k = 0; k < cellCount; k++) s.volts.push(plan(board, board.voltages[k]));
  for (let k = 0; k < tempCount; k++) s.temps.push(plan(board, board.temps[k]));
  const all = s.volts.concat([s.current], s.temps);
  for (let k = 0; k < all.length; k++) {
    const d = all[k].def;
    if (d.chip === "esp32adc") s.appliedAdc.push(esp32AdcSetup(hw, d));
  }
  if (board.ina226 && board.current.chip === "ina226") s.appliedIna = ina226Setup(hw, board.ina226, st);
  return s;
}

/** Raw code of one channel: ESP32 code 0…4095, ADS1115 / INA226 signed code; NaN + error on failure. */
function readCode(s: SensorSet, c: Chan): number {
  const d = c.def;
  if (d.chip === "esp32adc") {
    const f = esp32AdcReadFraction(s.hw, d.pin, s.status);
    return isNaN(f) ? NaN : Math.floor(f * ESP32_ADC_CODES + 0.5);
  }
  if (d.chip === "ads1115") return ads1115Convert(s.hw, c.conv as Ads1115Conv, s.status);
  const ina = s.board.ina226;
  return ina ? ina226ReadShuntCode(s.hw, ina.address, s.status) : driverError(s.status, "ina226: not on this board");
}

/** Clipped full-scale codes mean "true value unknown" (SBAS444 / SBOS547 output-code tables). */
function clipped(code: number, pos: number, neg: number): boolean {
  return code === pos || code === neg;
}

/** Volts at the chip input for a raw code through the channel's calibration (NaN when invalid). */
export function chipInputV(d: AnalogInput | CurrentChannelDef, code: number): number {
  if (isNaN(code)) return NaN;
  if (d.chip === "esp32adc") return esp32PinVolts(code / ESP32_ADC_CODES, d.cal, d.attenDb);
  if (d.chip === "ads1115") {
    if (!d.cal) return ads1115ReadingV(code, ads1115PgaCodeForFsr(d.pgaFsrV));
    if (clipped(code, ADS1115_CODE_POS_FULL, -ADS1115_HALF_CODES)) return NaN;
    return applyCalibration(d.cal as AdcCalibration, code);
  }
  if (!d.cal) return ina226ShuntVolts(code < 0 ? code + 2 * INA226_HALF_CODES : code);
  if (clipped(code, INA226_CODE_POS_FULL, -INA226_HALF_CODES)) return NaN;
  return applyCalibration(d.cal as AdcCalibration, code);
}

/** Pack current (A, + = charge) from the current channel's chip-input volts. */
export function currentFromInputV(d: CurrentChannelDef, inputV: number): number {
  if (d.chip === "esp32adc") {
    const amp = d.senseAmp;
    if (!amp) return NaN;
    return ((inputV - amp.refV) / (amp.gain * d.shuntOhm)) * d.polarity;
  }
  return (inputV / d.shuntOhm) * d.polarity;
}

/**
 * Read every channel and fill `out` in place: `tMs` = getTime() when the current was read,
 * cell volts (tap differences with tap wiring), current, temperatures. Returns the number of
 * driver errors in this sample (0 = all reads succeeded; values may still be NaN when out of range).
 */
export function readSample(s: SensorSet, out: Sample): number {
  s.status.sampleErrors = 0;
  const n = s.volts.length;
  const cellV = out.cellV as Float64Array;
  for (let k = 0; k < n; k++) {
    const c = s.volts[k];
    const code = readCode(s, c);
    s.raw[k] = code;
    s.nodeV[k] = chipInputV(c.def, code) * (c.def as VoltageChannelDef).dividerRatio;
  }
  for (let k = 0; k < n; k++) {
    cellV[k] = s.board.cellWiring === "taps" && k > 0 ? s.nodeV[k] - s.nodeV[k - 1] : s.nodeV[k];
  }
  out.tMs = s.hw.getTimeS() * MS_PER_S;
  const ic = readCode(s, s.current);
  s.raw[n] = ic;
  out.currentA = currentFromInputV(s.current.def as CurrentChannelDef, chipInputV(s.current.def, ic));
  const tempC = out.tempC as Float64Array;
  for (let k = 0; k < s.temps.length; k++) {
    const c = s.temps[k];
    const code = readCode(s, c);
    s.raw[n + 1 + k] = code;
    const d = c.def as TempChannelDef;
    tempC[k] = ntcTempCFromRatio(chipInputV(d, code) / d.supplyV, d.ntc);
  }
  return s.status.sampleErrors;
}
