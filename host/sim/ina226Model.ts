/**
 * Error model of one TI INA226 (SBOS547 §5.5 Electrical Characteristics): shunt- and
 * bus-voltage register codes a real chip returns. Constants and ideal coding from
 * shared/sensors/ina226.ts.
 */
import {
  INA226_BUS_LSB_V,
  INA226_BUS_VOS_MAX_V,
  INA226_CODE_POS_FULL,
  INA226_GAIN_ERR_MAX_FRAC,
  INA226_HALF_CODES,
  INA226_SHUNT_LSB_V,
  INA226_SHUNT_VOS_MAX_V,
} from "../../shared/sensors/ina226";
import { gaussian, normal, type Rng } from "./rng";

/** Shunt offset ±2.5 µV typ, ±10 µV max (SBOS547 §5.5): drawn with σ = max/4. */
export const INA226_SHUNT_VOS_SD_V = INA226_SHUNT_VOS_MAX_V / 4;
/** Shunt offset drift 0.02 µV/°C typ (SBOS547 §5.5). */
export const INA226_SHUNT_VOS_DRIFT_V_PER_K = 0.02e-6;
/** Bus offset ±1.25 mV typ, ±7.5 mV max: σ = max/6. */
export const INA226_BUS_VOS_SD_V = INA226_BUS_VOS_MAX_V / 6;
/** Gain error 0.02 % typ, 0.1 % max (SBOS547 §5.5): σ = max/4. */
export const INA226_GAIN_ERR_SD_FRAC = INA226_GAIN_ERR_MAX_FRAC / 4;
/** Gain drift 10 ppm/°C typ (SBOS547 §5.5 "gain error vs temperature"). */
export const INA226_GAIN_DRIFT_PER_K = 10e-6;
/**
 * Shunt input noise for one 1.1 ms conversion: ≈ 1 LSB rms (SBOS547 Fig. "shunt input-referred
 * noise"); averaging N conversions divides it by √N.
 */
export const INA226_SHUNT_NOISE_SD_V_1CONV = 2.5e-6;
/** Bus noise for one conversion ≈ 0.5 LSB rms. */
export const INA226_BUS_NOISE_SD_V_1CONV = 0.6e-3;

export interface Ina226Chip {
  shuntOffsetV: number;
  shuntGainErrFrac: number;
  busOffsetV: number;
  busGainErrFrac: number;
  /** Conversions averaged per reading (AVG setting). */
  averages: number;
  tempC: number;
}

/** Draw a chip; `ideal` gives zero errors (noise is still applied by the code functions). */
export function createIna226Chip(rng: Rng, averages: number, ideal: boolean): Ina226Chip {
  if (!(averages >= 1)) throw new Error(`INA226 averages must be ≥ 1, got ${String(averages)}; e.g. 16`);
  if (ideal) return { shuntOffsetV: 0, shuntGainErrFrac: 0, busOffsetV: 0, busGainErrFrac: 0, averages, tempC: 25 };
  return {
    shuntOffsetV: normal(rng, 0, INA226_SHUNT_VOS_SD_V),
    shuntGainErrFrac: normal(rng, 0, INA226_GAIN_ERR_SD_FRAC),
    busOffsetV: normal(rng, 0, INA226_BUS_VOS_SD_V),
    busGainErrFrac: normal(rng, 0, INA226_GAIN_ERR_SD_FRAC),
    averages,
    tempC: 25,
  };
}

const INA226_REF_TEMP_C = 25;

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** Shunt-voltage register 01h (unsigned 16-bit, two's complement) for a shunt voltage (V). */
export function ina226ShuntCode(vShuntV: number, chip: Ina226Chip, rng: Rng): number {
  const dT = chip.tempC - INA226_REF_TEMP_C;
  const v =
    vShuntV * (1 + chip.shuntGainErrFrac + INA226_GAIN_DRIFT_PER_K * dT) +
    chip.shuntOffsetV +
    INA226_SHUNT_VOS_DRIFT_V_PER_K * dT +
    (INA226_SHUNT_NOISE_SD_V_1CONV / Math.sqrt(chip.averages)) * gaussian(rng);
  let s = roundHalfAway(v / INA226_SHUNT_LSB_V);
  if (s > INA226_CODE_POS_FULL) s = INA226_CODE_POS_FULL;
  if (s < -INA226_HALF_CODES) s = -INA226_HALF_CODES;
  return s < 0 ? s + 2 * INA226_HALF_CODES : s;
}

/** Bus-voltage register 02h (0…0x7FFF) for a bus voltage (V). */
export function ina226BusCode(vBusV: number, chip: Ina226Chip, rng: Rng): number {
  const v =
    vBusV * (1 + chip.busGainErrFrac) +
    chip.busOffsetV +
    (INA226_BUS_NOISE_SD_V_1CONV / Math.sqrt(chip.averages)) * gaussian(rng);
  let s = roundHalfAway(v / INA226_BUS_LSB_V);
  if (s < 0) s = 0;
  if (s > INA226_CODE_POS_FULL) s = INA226_CODE_POS_FULL;
  return s;
}
