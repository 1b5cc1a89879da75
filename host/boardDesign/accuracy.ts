/**
 * The measurement chain's expected accuracy for a board, derived from the data sheets through
 * the same functions the model's CE bound uses (shared/config/defaults.ts sensor chains,
 * shared/cycles/ceBound.ts). Used by the hardware docs, by `zbms calibrate`'s tolerances and by
 * the rule that a pack's declared sensor chain is not better than its board can deliver
 * (declaredChain.ts, checked by `zbms build` and `zbms calibrate`).
 */
import type { BoardDef } from "../../shared/config/boardDef";
import type { SensorChainConfig } from "../../shared/config/packConfig";
import {
  ina226SensorChain,
  esp32AdcSensorChain,
  esp32AdcCalibratedSensorChain,
  ADS1115_OFFSET_MAX_LSB,
  ADS1115_GAIN_ERR_MAX_FRAC,
  BOARD_TIME_BASE_ERR_FRAC,
} from "../../shared/config/defaults";
import { ADS1115_HALF_CODES } from "../../shared/sensors/ads1115";
import { ceBoundFrac } from "../../shared/cycles/ceBound";

/**
 * Sensor chain of a board, from its chips and the data-sheet figures; the cell-voltage terms at
 * the largest divider among its first `cellCount` voltage channels (default: all of them), the
 * channels a pack of that many cells reads.
 */
export function boardSensorChain(b: BoardDef, cellCount: number = b.voltages.length): SensorChainConfig {
  const c = b.current;
  const maxDivider = b.voltages.slice(0, cellCount).reduce((m, v) => Math.max(m, v.dividerRatio), 1);
  if (c.chip === "ina226") {
    const chain = ina226SensorChain(c.shuntOhm);
    if (b.voltages[0] && b.voltages[0].chip === "esp32adc") {
      // Cell voltages on the ESP32 ADC: take the voltage terms of the ESP32 chain.
      const v = esp32AdcSensorChain(1, maxDivider);
      chain.voltageOffsetV = v.voltageOffsetV;
      chain.voltageGainErrFrac = v.voltageGainErrFrac;
      chain.voltageLsbV = v.voltageLsbV;
    }
    return chain;
  }
  if (c.chip === "ads1115") {
    const lsbV = c.pgaFsrV / ADS1115_HALF_CODES;
    const v = ina226SensorChain(1); // voltage terms: ADS1115 at ±4.096 V
    return {
      currentOffsetA: (ADS1115_OFFSET_MAX_LSB * lsbV) / c.shuntOhm,
      currentGainErrFrac: ADS1115_GAIN_ERR_MAX_FRAC,
      // One converter for both directions: mismatch only from its nonlinearity (SBAS444 INL 1 LSB).
      currentGainMismatchFrac: lsbV / c.pgaFsrV,
      currentLsbA: lsbV / c.shuntOhm,
      voltageOffsetV: v.voltageOffsetV * maxDivider,
      voltageGainErrFrac: v.voltageGainErrFrac,
      voltageLsbV: v.voltageLsbV * maxDivider,
      timeBaseErrFrac: BOARD_TIME_BASE_ERR_FRAC,
    };
  }
  const gain = c.senseAmp ? c.senseAmp.gain : 1;
  return esp32AdcSensorChain(1 / (c.shuntOhm * gain), maxDivider);
}

/** A sensor chain's cell-voltage error terms (`zbms calibrate` declares the offset and gain terms). */
export type VoltageTerms = Pick<SensorChainConfig, "voltageOffsetV" | "voltageGainErrFrac" | "voltageLsbV">;

/**
 * The cell-voltage error terms of board `b`'s cell channels `cells` (indices) as a pack should
 * declare them, before (`calibrated` false) or after `zbms calibrate`'s two-point calibration of
 * every one of them: the ESP32-ADC chain (uncalibrated or calibrated) at the largest divider
 * among them, as bench:accuracy B declares it. null when any of them is not an ESP32-ADC input:
 * no calibrated chain is defined for the other converters (their data-sheet terms are small).
 */
export function esp32VoltageTerms(b: BoardDef, cells: number[], calibrated: boolean): VoltageTerms | null {
  let ratio = 0;
  for (const k of cells) {
    const v = b.voltages[k];
    if (v === undefined || v.chip !== "esp32adc") return null;
    ratio = Math.max(ratio, v.dividerRatio);
  }
  if (ratio === 0) return null;
  // Only the voltage terms are read: the current scale (1 A/V) does not matter.
  const c = (calibrated ? esp32AdcCalibratedSensorChain : esp32AdcSensorChain)(1, ratio);
  return { voltageOffsetV: c.voltageOffsetV, voltageGainErrFrac: c.voltageGainErrFrac, voltageLsbV: c.voltageLsbV };
}

/**
 * CE half-width for one full cycle at rate C/`hoursPerHalf` of a cell of `capacityAh`, before
 * auto-zero removes part of the offset (worst case: the whole declared offset stays).
 */
export function expectedCeBound(chain: SensorChainConfig, capacityAh: number, hoursPerHalf: number): number {
  const errAh = (chain.currentOffsetA + chain.currentLsbA / 2) * hoursPerHalf;
  return ceBoundFrac(capacityAh, capacityAh, errAh, errAh, chain.currentGainErrFrac, chain.currentGainMismatchFrac, chain.timeBaseErrFrac);
}
