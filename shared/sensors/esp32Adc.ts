/**
 * ESP32 on-chip SAR ADC as Espruino presents it: `analogRead(pin)` returns raw / 4096, a
 * fraction in [0, 4095/4096], measured at the default 11 dB attenuation, with no factory
 * calibration applied. This file turns that fraction into volts, flagging rail readings.
 *
 * API:
 * - constants `ESP32_ADC_BITS`, `ESP32_ADC_CODES`, `ESP32_ADC_MAX_CODE`, `ESP32_ATTEN_DEFAULT_DB`,
 *   `ESP32_ATTEN_DB` (the four settings), `ESP32_RANGE_MIN_V` / `ESP32_RANGE_MAX_V` (same order).
 * - `esp32RangeIndex(attenDb)` → index into the tables above, −1 for an unknown attenuation.
 * - `esp32CodeFromFraction(frac)` → integer code 0…4095, or NaN when `frac` is not a reading.
 * - `esp32FractionFromCode(code)` → what `analogRead` would return (simulators, emulators).
 * - `esp32PinVolts(frac, cal, attenDb)` → volts at the pin, or NaN when the code is at a rail
 *   (0 or 4095: open input, shorted input, or out of range) or the calibrated voltage lies
 *   outside the attenuation's effective range (where the transfer curve is too nonlinear to trust).
 * - `esp32InputVolts(frac, cal, attenDb, ratio)` → the same through a divider (`dividerRatio`).
 *
 * Nothing is clamped: an invalid reading is NaN and the model raises `sensorFault`.
 */
import { AdcCalibration, applyCalibration, dividerInputV } from "./calibration";
import type { Esp32AttenDb } from "../config/boardDef";

/** SAR resolution (bits). ESP32 Technical Reference Manual, "SAR ADC": 12-bit. */
export const ESP32_ADC_BITS = 12;
/** Number of codes, 2^12; Espruino's analogRead returns raw / ESP32_ADC_CODES (Espruino targets/esp32/jshardware.c, jshPinAnalog: readADC(pin) / 4096). */
export const ESP32_ADC_CODES = 4096;
/** Highest code: the converter saturates here (ESP-IDF adc.h: 4095 for 12 bits). */
export const ESP32_ADC_MAX_CODE = ESP32_ADC_CODES - 1;
/** Attenuation Espruino sets by default (dB); ESP-IDF ADC_ATTEN_DB_11 (a.k.a. DB_12 in IDF ≥ 5). */
export const ESP32_ATTEN_DEFAULT_DB = 11;
/** The four attenuation settings (dB), ESP-IDF `adc_atten_t` (also boardDef's list: one copy in the firmware). */
export const ESP32_ATTEN_DB: Esp32AttenDb[] = [0, 2.5, 6, 11];
// The ranges are typed arrays: on the ESP32 an array of floats costs 2 JsVars per element (docs/performance.md)
/** Lower end of each setting's accurate range (V): ESP-IDF v4 adc.h notes / ESP32 data sheet ADC table: 100, 100, 150, 150 mV. */
export const ESP32_RANGE_MIN_V: Float64Array = new Float64Array([0.1, 0.1, 0.15, 0.15]);
/** Upper end of each setting's accurate range (V): same source: 950, 1250, 1750, 2450 mV. */
export const ESP32_RANGE_MAX_V: Float64Array = new Float64Array([0.95, 1.25, 1.75, 2.45]);
/** Tolerance when checking that a fraction is a whole code (Espruino computes raw/4096 in doubles). */
const CODE_MATCH_TOL = 1e-6;

/** Index of `attenDb` in ESP32_ATTEN_DB, or −1 when it is not one of the four settings. */
export function esp32RangeIndex(attenDb: number): number {
  for (let i = 0; i < ESP32_ATTEN_DB.length; i++) if (ESP32_ATTEN_DB[i] === attenDb) return i;
  return -1;
}

/**
 * Integer code from `analogRead`'s fraction; NaN when the value is not finite, outside
 * [0, 4095/4096], or not a whole code (a value no real ESP32 reading can produce).
 */
export function esp32CodeFromFraction(frac: number): number {
  if (typeof frac !== "number" || !isFinite(frac)) return NaN;
  const x = frac * ESP32_ADC_CODES;
  const code = Math.floor(x + 0.5);
  if (code < 0 || code > ESP32_ADC_MAX_CODE || Math.abs(x - code) > CODE_MATCH_TOL) return NaN;
  return code;
}

/** What Espruino's analogRead returns for a given code. */
export function esp32FractionFromCode(code: number): number {
  return code / ESP32_ADC_CODES;
}

/**
 * Volts at the ADC pin from `analogRead`'s fraction through the channel's calibration
 * (raw = code 0…4095). NaN when: the reading is not a code, the code sits at a rail (0 or
 * 4095), the attenuation is unknown, or the result lies outside the attenuation's
 * effective range.
 */
export function esp32PinVolts(frac: number, cal: AdcCalibration, attenDb: number): number {
  const code = esp32CodeFromFraction(frac);
  if (isNaN(code) || code <= 0 || code >= ESP32_ADC_MAX_CODE) return NaN;
  const k = esp32RangeIndex(attenDb);
  if (k < 0) return NaN;
  const v = applyCalibration(cal, code);
  if (!(v >= ESP32_RANGE_MIN_V[k] && v <= ESP32_RANGE_MAX_V[k])) return NaN;
  return v;
}

/** Volts at the divider's input (e.g. a cell tap): pin volts × divider ratio; NaN as above. */
export function esp32InputVolts(frac: number, cal: AdcCalibration, attenDb: number, ratio: number): number {
  return dividerInputV(esp32PinVolts(frac, cal, attenDb), ratio);
}
