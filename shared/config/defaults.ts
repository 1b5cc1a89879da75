/**
 * Default pack configuration and sensor-chain presets. Every number is either derived from a
 * chemistry preset, a data-sheet constant (cited where it is defined), or an engineering choice
 * named and explained here. SOC, self-discharge and alarm defaults are owned by their modules
 * (shared/soc, shared/selfDischarge, shared/alarms) and only called from here.
 */
import type { PackConfig, SensorChainConfig } from "./packConfig";
import type { ChemistryId } from "../chemistry/presets";
import { CHEMISTRY_PRESETS } from "../chemistry/presets";
import { INA226_GAIN_ERR_MAX_FRAC, INA226_SHUNT_LSB_V, INA226_SHUNT_VOS_MAX_V } from "../sensors/ina226";
import { ADS1115_FSR_V, ADS1115_HALF_CODES } from "../sensors/ads1115";
import { ESP32_ADC_CODES } from "../sensors/esp32Adc";
import { defaultSocConfig } from "../soc/socEstimator";
import { defaultSelfDischargeConfig } from "../selfDischarge/restAnalyzer";
import { defaultAlarmRows } from "../alarms/alarmTable";

// ---------------------------------------------------------------- INA226-class current chain
/** INA226 shunt full scale (V): SBOS547 §5.5 "Shunt voltage input range" ±81.92 mV. */
export const INA226_SHUNT_FULL_SCALE_V = 0.08192;
/** INA226 shunt gain drift, max (fraction per °C): SBOS547 §5.5 "gain error vs temperature" 50 ppm/°C. */
export const INA226_GAIN_DRIFT_MAX_PER_C = 50e-6;
/**
 * Temperature difference assumed between a cycle's charge and discharge half (°C): engineering
 * choice for a lab pack at C/4–C/6 (article's recommended rates), where self-heating is small.
 * With one ADC and one shunt for both signs the gain error is common to both halves and cancels
 * in CE; only its temperature drift between the halves is a charge/discharge mismatch.
 */
export const ASSUMED_HALF_TEMP_DIFF_C = 2;
/** Standard shunt values (Ω), largest first, from which the default shunt is chosen. */
export const STANDARD_SHUNTS_OHM: number[] = [0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005];
/** The shunt's full scale must reach this multiple of 1C (engineering choice: 2C headroom). */
export const SHUNT_HEADROOM_C = 2;

// ---------------------------------------------------------------- ADS1115 cell voltages
/** ADS1115 PGA setting used for cell voltages: ±4.096 V (index 1 of ADS1115_FSR_V), covers 2.0 V cells. */
export const ADS1115_CELL_PGA_INDEX = 1;
/** ADS1115 offset error, max (LSB): SBAS444 Electrical Characteristics, "Offset error" ±3 LSB. */
export const ADS1115_OFFSET_MAX_LSB = 3;
/** ADS1115 gain error, max (fraction): SBAS444 Electrical Characteristics, "Gain error" 0.15 % at FSR ±2.048 V. */
export const ADS1115_GAIN_ERR_MAX_FRAC = 0.0015;

// ---------------------------------------------------------------- time base
/**
 * Board time-base error (fraction): the ESP32 data sheet asks for a ±10 ppm 40 MHz crystal;
 * 50 ppm declared to cover temperature, ageing and Espruino's timer handling (5× margin).
 */
export const BOARD_TIME_BASE_ERR_FRAC = 50e-6;

// ---------------------------------------------------------------- ESP32-ADC-class chain
/**
 * ESP32 ADC total error at 11 dB over 150–2450 mV (V): ESP32 data sheet, "ADC characteristics",
 * ±60 mV (with eFuse Vref calibration; Espruino applies none, so this is a floor).
 */
export const ESP32_ADC_TOTAL_ERR_11DB_V = 0.06;
/** ESP32 ADC integral nonlinearity (LSB): ESP32 data sheet, "ADC characteristics", INL ±12 LSB. */
export const ESP32_ADC_INL_LSB = 12;
/** Full scale at 11 dB seen by a calibrated channel (V): ~3.1 V (ESP-IDF ADC guide), for 1 LSB. */
export const ESP32_ADC_FULL_SCALE_11DB_V = 3.1;
/** Span (V) of a per-channel two-point calibration over the 11 dB accurate range (150–2450 mV). */
export const ESP32_ADC_CAL_SPAN_V = 2.3;

// ---------------------------------------------------------------- counting & segmentation
/** Segment thresholds as fractions of 1C (engineering choices): active above C/50, rest below C/200. */
export const ACTIVE_CURRENT_C = 1 / 50;
export const REST_CURRENT_C = 1 / 200;
/** A new segment must hold this long (ms): 30 s rides over pulses and relay clicks. */
export const SEGMENT_DWELL_MS = 30000;
/** A half below 2 % of nominal capacity is partial (not a real half-cycle). */
export const MIN_HALF_CAPACITY_FRAC = 0.02;
/** Sample period (ms) and the longest Δt integrated (10 missed samples). */
export const SAMPLE_PERIOD_MS = 1000;
export const MAX_GAP_SAMPLES = 10;
/** A quiet stretch of 10 min at |I| below the offset bound qualifies as open circuit. */
export const OFFSET_REST_MS = 600000;
/** Noise allowance (LSB) of a quiet stretch, on its level and on its drift (engineering choice). */
export const QUIET_NOISE_LSB = 4;
/** Open-circuit samples averaged before an offset estimate is used. */
export const OFFSET_MIN_SAMPLES = 16;
/** State save interval (s): engineering choice balancing flash wear against lost counting. */
export const SAVE_INTERVAL_S = 300;

/** Choose the largest standard shunt whose full scale reaches SHUNT_HEADROOM_C × 1C. */
export function defaultShuntOhm(capacityAh: number): number {
  const maxA = SHUNT_HEADROOM_C * capacityAh;
  for (let k = 0; k < STANDARD_SHUNTS_OHM.length; k++) {
    if (INA226_SHUNT_FULL_SCALE_V / STANDARD_SHUNTS_OHM[k] >= maxA) return STANDARD_SHUNTS_OHM[k];
  }
  return STANDARD_SHUNTS_OHM[STANDARD_SHUNTS_OHM.length - 1];
}

/**
 * INA226-class current chain (shunt `shuntOhm`) with ADS1115 cell voltages (±4.096 V PGA).
 * Offset = Vos/R, 1 LSB = 2.5 µV/R, gain error = INA226 max (shunt tolerance is common to both
 * directions and cancels in CE; add it here if energies must be absolute), mismatch = gain
 * drift × ASSUMED_HALF_TEMP_DIFF_C.
 */
export function ina226SensorChain(shuntOhm: number): SensorChainConfig {
  const cellLsbV = ADS1115_FSR_V[ADS1115_CELL_PGA_INDEX] / ADS1115_HALF_CODES;
  return {
    currentOffsetA: INA226_SHUNT_VOS_MAX_V / shuntOhm,
    currentGainErrFrac: INA226_GAIN_ERR_MAX_FRAC,
    currentGainMismatchFrac: INA226_GAIN_DRIFT_MAX_PER_C * ASSUMED_HALF_TEMP_DIFF_C,
    currentLsbA: INA226_SHUNT_LSB_V / shuntOhm,
    voltageOffsetV: ADS1115_OFFSET_MAX_LSB * cellLsbV,
    voltageGainErrFrac: ADS1115_GAIN_ERR_MAX_FRAC,
    voltageLsbV: cellLsbV,
    timeBaseErrFrac: BOARD_TIME_BASE_ERR_FRAC,
  };
}

/**
 * ESP32-ADC-class chain: current through a bidirectional current-sense amplifier into an ESP32
 * ADC pin (`ampsPerVolt` at the pin, e.g. 1 / (shunt Ω × amplifier gain)), cell voltages through
 * dividers of ratio `cellDividerRatio` (input V per pin V). Offset before zeroing = total error at
 * the pin; charge and discharge use different parts of the nonlinear transfer curve, so the
 * gain mismatch is 2 × INL over the calibrated span (≈ 0.8 %): such a board cannot resolve CE
 * differences much below a percent, and its CE bound says so.
 */
export function esp32AdcSensorChain(ampsPerVolt: number, cellDividerRatio: number): SensorChainConfig {
  const lsbV = ESP32_ADC_FULL_SCALE_11DB_V / ESP32_ADC_CODES;
  const inlFrac = (ESP32_ADC_INL_LSB * lsbV) / ESP32_ADC_CAL_SPAN_V;
  return {
    currentOffsetA: ESP32_ADC_TOTAL_ERR_11DB_V * ampsPerVolt,
    currentGainErrFrac: ESP32_ADC_TOTAL_ERR_11DB_V / ESP32_ADC_CAL_SPAN_V,
    currentGainMismatchFrac: 2 * inlFrac,
    currentLsbA: lsbV * ampsPerVolt,
    voltageOffsetV: ESP32_ADC_TOTAL_ERR_11DB_V * cellDividerRatio,
    voltageGainErrFrac: ESP32_ADC_TOTAL_ERR_11DB_V / ESP32_ADC_CAL_SPAN_V,
    voltageLsbV: lsbV * cellDividerRatio,
    timeBaseErrFrac: BOARD_TIME_BASE_ERR_FRAC,
  };
}

/**
 * The ESP32-ADC-class chain after `zbms calibrate`'s two-point calibration of each cell-voltage
 * channel (host/calibrate): the line through two measured points takes out the ADC's offset and
 * gain and the divider's tolerance; what stays is the ADC's nonlinearity between the points,
 * ESP32_ADC_INL_LSB at the pin × the divider ratio (the meter's 0.3 mV is far below it). The
 * current channel keeps its uncalibrated figures (its gain error is common to both directions).
 * Declaring this chain lets relaxed OCV readings correct SOC, which the uncalibrated 60 mV × ratio
 * does not (bench:accuracy B: SOC RMSE 7.5 % → 2 % after 40 cycles of a 4S Zn‖MnO2 pack).
 * `zbms calibrate` declares its voltage terms on the board (host/calibrate/session.ts).
 */
export function esp32AdcCalibratedSensorChain(ampsPerVolt: number, cellDividerRatio: number): SensorChainConfig {
  const c = esp32AdcSensorChain(ampsPerVolt, cellDividerRatio);
  const inlV = (ESP32_ADC_INL_LSB * ESP32_ADC_FULL_SCALE_11DB_V) / ESP32_ADC_CODES;
  c.voltageOffsetV = inlV * cellDividerRatio;
  c.voltageGainErrFrac = inlV / ESP32_ADC_CAL_SPAN_V;
  return c;
}

/**
 * A complete, consistent configuration for `cellCount` cells of `chemistry` with nominal
 * capacity `capacityAh`, INA226-class current sensing, one NTC per cell, charge-first cycles.
 * Inputs are not validated here: pass the result through validateConfig like any config.
 */
export function defaultPackConfig(chemistry: ChemistryId, cellCount: number, capacityAh: number): PackConfig {
  const preset = CHEMISTRY_PRESETS[chemistry];
  const chain = ina226SensorChain(defaultShuntOhm(capacityAh));
  // Quiet = within the declared offset plus a few LSB of noise.
  const quietA = chain.currentOffsetA + QUIET_NOISE_LSB * chain.currentLsbA;
  return {
    name: preset.label + " " + cellCount + "S " + capacityAh + " Ah",
    chemistry: chemistry,
    cellCount: cellCount,
    tempCount: cellCount,
    capacityAh: capacityAh,
    samplePeriodMs: SAMPLE_PERIOD_MS,
    saveIntervalS: SAVE_INTERVAL_S,
    segmentation: {
      firstHalf: "charge",
      activeCurrentA: ACTIVE_CURRENT_C * capacityAh,
      restCurrentA: REST_CURRENT_C * capacityAh,
      dwellMs: SEGMENT_DWELL_MS,
      minHalfCapacityFrac: MIN_HALF_CAPACITY_FRAC,
    },
    counting: {
      maxGapMs: MAX_GAP_SAMPLES * SAMPLE_PERIOD_MS,
      offsetRestMs: OFFSET_REST_MS,
      offsetRestMaxA: quietA,
      // Engineering choice: the same few LSB of noise allowance as quietA.
      offsetRestMaxDriftA: QUIET_NOISE_LSB * chain.currentLsbA,
      offsetMinSamples: OFFSET_MIN_SAMPLES,
    },
    soc: defaultSocConfig(chemistry),
    selfDischarge: defaultSelfDischargeConfig(),
    sensorChain: chain,
    alarms: defaultAlarmRows(chemistry, capacityAh),
  };
}
