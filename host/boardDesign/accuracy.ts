/**
 * The measurement chain's expected accuracy for a board, derived from the data sheets through
 * the same functions the model's CE bound uses (shared/config/defaults.ts sensor chains,
 * shared/cycles/ceBound.ts). Two levels: one channel's reading (tapVoltageTerms, boardTapChain:
 * `zbms calibrate`'s per-channel tolerances) and a pack's cells as the firmware computes them
 * (cellVoltageTerms, boardSensorChain: on tap-wired boards a difference of two taps), the one
 * function for every pack chain derived from a board — the hardware docs, the shipped packs and
 * the rule that a pack's declared chain is not better than its board delivers (declaredChain.ts,
 * checked by `zbms build`, `zbms calibrate` and `zbms send`).
 */
import type { BoardDef } from "../../shared/config/boardDef";
import type { SensorChainConfig } from "../../shared/config/packConfig";
import {
  ASSUMED_HALF_TEMP_DIFF_C,
  ina226SensorChain,
  esp32AdcSensorChain,
  esp32AdcCalibratedSensorChain,
  ADS1115_OFFSET_MAX_LSB,
  ADS1115_GAIN_ERR_MAX_FRAC,
  BOARD_TIME_BASE_ERR_FRAC,
} from "../../shared/config/defaults";
import { ADS1115_HALF_CODES } from "../../shared/sensors/ads1115";
import { ceBoundFrac } from "../../shared/cycles/ceBound";

/** ADS1115 gain drift, max (fraction per °C): SBAS444 Electrical Characteristics, 40 ppm/°C. */
const ADS1115_GAIN_DRIFT_MAX_PER_C = 40e-6;

/** A sensor chain's cell-voltage error terms (`zbms calibrate` declares the offset and gain terms). */
export type VoltageTerms = Pick<SensorChainConfig, "voltageOffsetV" | "voltageGainErrFrac" | "voltageLsbV">;

/**
 * Error terms of ONE voltage channel's reading (tap or cell node volts, after its divider):
 * |error| ≤ offset + gain × reading (+ ½ LSB quantisation). ESP32 ADC: total error at the pin ×
 * divider, or with `calibrated` the calibrated chain (the ADC's INL × divider); ADS1115: 3 LSB of
 * its PGA range × divider and 0.15 % gain (SBAS444; no calibrated chain is defined for it: its
 * data-sheet terms stay). `zbms calibrate`'s per-channel tolerances (host/calibrate/channels.ts).
 */
export function tapVoltageTerms(b: BoardDef, k: number, calibrated: boolean): VoltageTerms {
  const v = b.voltages[k];
  if (v === undefined) throw new Error(`board ${b.id} has no voltage channel v${k} (it has ${b.voltages.length})`);
  if (v.chip === "esp32adc") {
    // Only the voltage terms are read: the current scale (1 A/V) does not matter.
    const c = (calibrated ? esp32AdcCalibratedSensorChain : esp32AdcSensorChain)(1, v.dividerRatio);
    return { voltageOffsetV: c.voltageOffsetV, voltageGainErrFrac: c.voltageGainErrFrac, voltageLsbV: c.voltageLsbV };
  }
  const lsbV = (v.pgaFsrV / ADS1115_HALF_CODES) * v.dividerRatio;
  return { voltageOffsetV: ADS1115_OFFSET_MAX_LSB * lsbV, voltageGainErrFrac: ADS1115_GAIN_ERR_MAX_FRAC, voltageLsbV: lsbV };
}

/**
 * Error terms of cell k's voltage as the firmware computes it (firmware/sensors.ts finishRead):
 * with "cells" wiring channel k itself; with "taps" wiring tap k − tap k−1, so both taps' errors
 * add. Derivation: tap j reads V_j with |e_j| ≤ o_j + g_j·V_j; cell c = V_k − V_{k−1}, so
 * |e_k − e_{k−1}| ≤ o_k + o_{k−1} + g_k·c + (g_k + g_{k−1})·V_{k−1}, and V_{k−1} ≤ k·maxCellV
 * (k cells below, 0-based). As a chain on the cell voltage: gain g_k, offset
 * o_k + o_{k−1} + (g_k + g_{k−1})·k·maxCellV — exact when every lower cell is at maxCellV, an
 * upper bound below it. Resolution: the coarser tap's LSB (the difference's rounding error
 * ≤ (lsb_k + lsb_{k−1}) / 2 ≤ the larger one).
 */
export function cellVoltageTerms(b: BoardDef, k: number, maxCellV: number, calibrated: boolean): VoltageTerms {
  const t = tapVoltageTerms(b, k, calibrated);
  if (b.cellWiring !== "taps" || k === 0) return t;
  const u = tapVoltageTerms(b, k - 1, calibrated);
  return {
    voltageOffsetV: t.voltageOffsetV + u.voltageOffsetV + (t.voltageGainErrFrac + u.voltageGainErrFrac) * k * maxCellV,
    voltageGainErrFrac: t.voltageGainErrFrac,
    voltageLsbV: Math.max(t.voltageLsbV, u.voltageLsbV),
  };
}

/** The current, time-base (and placeholder voltage) terms of board `b`'s chips, from the data sheets. */
function boardCurrentChain(b: BoardDef): SensorChainConfig {
  const c = b.current;
  if (c.chip === "ina226") return ina226SensorChain(c.shuntOhm);
  if (c.chip === "ads1115") {
    const lsbV = c.pgaFsrV / ADS1115_HALF_CODES;
    const v = ina226SensorChain(1);
    return {
      currentOffsetA: (ADS1115_OFFSET_MAX_LSB * lsbV) / c.shuntOhm,
      currentGainErrFrac: ADS1115_GAIN_ERR_MAX_FRAC,
      // One converter for both directions: the mismatch is its nonlinearity (SBAS444 INL 1 LSB)
      // plus its gain drift between the halves, as for the INA226 (ASSUMED_HALF_TEMP_DIFF_C).
      currentGainMismatchFrac: lsbV / c.pgaFsrV + ADS1115_GAIN_DRIFT_MAX_PER_C * ASSUMED_HALF_TEMP_DIFF_C,
      currentLsbA: lsbV / c.shuntOhm,
      voltageOffsetV: v.voltageOffsetV,
      voltageGainErrFrac: v.voltageGainErrFrac,
      voltageLsbV: v.voltageLsbV,
      timeBaseErrFrac: BOARD_TIME_BASE_ERR_FRAC,
    };
  }
  const gain = c.senseAmp ? c.senseAmp.gain : 1;
  return esp32AdcSensorChain(1 / (c.shuntOhm * gain), 1);
}

/** `terms` into `chain` in place; returns it. */
function withVoltage(chain: SensorChainConfig, terms: VoltageTerms): SensorChainConfig {
  chain.voltageOffsetV = terms.voltageOffsetV;
  chain.voltageGainErrFrac = terms.voltageGainErrFrac;
  chain.voltageLsbV = terms.voltageLsbV;
  return chain;
}

/**
 * The chain of ONE channel's reading on board `b`: the current terms and the worst voltage
 * channel's tap terms among the first `channelCount` (default all), uncalibrated. For
 * `zbms calibrate`'s point-spread tolerance, which checks a channel's reading, not a cell.
 */
export function boardTapChain(b: BoardDef, channelCount: number = b.voltages.length): SensorChainConfig {
  const chain = boardCurrentChain(b);
  const n = Math.min(channelCount, b.voltages.length);
  const terms: VoltageTerms[] = [];
  for (let k = 0; k < n; k++) terms.push(tapVoltageTerms(b, k, false));
  return terms.length === 0 ? chain : withVoltage(chain, worstTerms(terms));
}

/**
 * THE sensor chain of board `b` for a pack of `cellCount` cells read up to `maxCellV` per cell
 * (host/boardDesign/packFit.ts packMaxCellV: the over-voltage alarm limit): the data-sheet
 * current and time-base terms, per voltage term the worst cell (cellVoltageTerms: tap
 * differences on tap-wired boards) and each cell's own offset (cellVoltageOffsetV) — or, with `calibrated`, the cell-voltage terms after
 * `zbms calibrate` of every ESP32-ADC cell channel. Every pack chain derived from a board comes
 * from here: the `zbms build` floor (declaredChain.ts), `zbms calibrate`'s declaration, the
 * shipped packs (hardware/packs/make-packs.ts) and the generated board pages.
 */
export function boardSensorChain(b: BoardDef, cellCount: number, maxCellV: number, calibrated: boolean = false): SensorChainConfig {
  const chain = boardCurrentChain(b);
  const n = Math.min(cellCount, b.voltages.length);
  const terms: VoltageTerms[] = [];
  for (let k = 0; k < n; k++) terms.push(cellVoltageTerms(b, k, maxCellV, calibrated));
  if (terms.length === 0) return chain;
  withVoltage(chain, worstTerms(terms));
  // each cell's own offset (the SOC estimator weighs each cell's OCV reading by it), when the board reads every cell
  if (n === cellCount) chain.cellVoltageOffsetV = terms.map((t) => t.voltageOffsetV);
  return chain;
}

/** Each term's largest value over `terms` (not empty). */
function worstTerms(terms: VoltageTerms[]): VoltageTerms {
  const w = { ...terms[0]! };
  for (const t of terms) {
    w.voltageOffsetV = Math.max(w.voltageOffsetV, t.voltageOffsetV);
    w.voltageGainErrFrac = Math.max(w.voltageGainErrFrac, t.voltageGainErrFrac);
    w.voltageLsbV = Math.max(w.voltageLsbV, t.voltageLsbV);
  }
  return w;
}

/** Whether the first `cellCount` voltage channels are all ESP32-ADC inputs (the only ones with a calibrated chain). */
export function cellsOnEsp32Adc(b: BoardDef, cellCount: number): boolean {
  if (cellCount < 1 || cellCount > b.voltages.length) return false;
  for (let k = 0; k < cellCount; k++) if (b.voltages[k]!.chip !== "esp32adc") return false;
  return true;
}

/**
 * CE half-width for one full cycle at rate C/`hoursPerHalf` of a cell of `capacityAh`, before
 * auto-zero removes part of the offset (worst case: the whole declared offset stays).
 */
export function expectedCeBound(chain: SensorChainConfig, capacityAh: number, hoursPerHalf: number): number {
  const errAh = (chain.currentOffsetA + chain.currentLsbA / 2) * hoursPerHalf;
  return ceBoundFrac(capacityAh, capacityAh, errAh, errAh, chain.currentGainErrFrac, chain.currentGainMismatchFrac, chain.timeBaseErrFrac);
}
