/**
 * Error model of one TI ADS1115 (SBAS444D §7.5 Electrical Characteristics, §8.1 Noise
 * Performance): what conversion code a real chip returns for an input voltage. Register
 * constants and the ideal transfer come from shared/sensors/ads1115.ts.
 */
import {
  ADS1115_CODE_POS_FULL,
  ADS1115_DATA_RATE_TOL_FRAC,
  ADS1115_HALF_CODES,
  ads1115LsbV,
  ads1115PgaCodeForFsr,
} from "../../shared/sensors/ads1115";
import { gaussian, normal, uniformIn, type Rng } from "./rng";

/** Offset error, single-ended, ±3 LSB (SBAS444D §7.5, FSR ±2.048 V); used as 1σ = 1 LSB. */
export const ADS1115_OFFSET_SD_LSB = 1;
/** Gain error ±0.01 % typ, ±0.15 % max at 25 °C (SBAS444D §7.5); drawn with σ = 0.05 %. */
export const ADS1115_GAIN_ERR_SD_FRAC = 0.0005;
/** Gain error between inputs ±0.05 % typ, ±0.1 % max (§7.5 "Gain error match between inputs"). */
export const ADS1115_INPUT_GAIN_MATCH_SD_FRAC = 0.0005;
/** Gain drift 5 ppm/°C typ (§7.5, FSR ±2.048 V). */
export const ADS1115_GAIN_DRIFT_PER_K = 5e-6;
/** Offset drift 0.005 LSB/°C (§7.5). */
export const ADS1115_OFFSET_DRIFT_LSB_PER_K = 0.005;
/** INL 1 LSB max (best fit, DR 8 SPS, §7.5): modelled as a bow of this amplitude. */
export const ADS1115_INL_LSB = 1;
/**
 * Noise at 128 SPS: SBAS444D §8.1 Table 1 lists ≤ 1 LSB p-p for FSR ≥ ±1.024 V and 15.6 µV rms
 * (≈ 2 LSB) at ±0.256 V; modelled as σ = 0.3 LSB plus 7.8 µV rms input-referred.
 */
export const ADS1115_NOISE_SD_LSB = 0.3;
export const ADS1115_NOISE_INPUT_SD_V = 7.8e-6;

/** One chip's drawn errors (fixed for its life, like a real part). */
export interface Ads1115Chip {
  /** Per-input (AIN0…AIN3, and differential pairs share index 0) offset (LSB). */
  offsetLsb: number[];
  /** Chip gain error (fraction) and per-input mismatch (fraction). */
  gainErrFrac: number;
  inputGainErrFrac: number[];
  /** INL bow sign/amplitude (LSB). */
  inlLsb: number;
  /** Actual data rate ÷ nominal (1 ± 10 %, SBAS444D §7.5 "Data rate variation"). */
  dataRateFactor: number;
  /** Die temperature (°C) for drift; the board's ambient. */
  tempC: number;
}

/** Draw a chip. `ideal` = true gives a perfect chip (no offset, gain error, INL, rate spread). */
export function createAds1115Chip(rng: Rng, ideal: boolean): Ads1115Chip {
  const chip: Ads1115Chip = {
    offsetLsb: [0, 0, 0, 0],
    gainErrFrac: 0,
    inputGainErrFrac: [0, 0, 0, 0],
    inlLsb: 0,
    dataRateFactor: 1,
    tempC: 25,
  };
  if (ideal) return chip;
  for (let i = 0; i < 4; i++) {
    chip.offsetLsb[i] = normal(rng, 0, ADS1115_OFFSET_SD_LSB);
    chip.inputGainErrFrac[i] = normal(rng, 0, ADS1115_INPUT_GAIN_MATCH_SD_FRAC);
  }
  chip.gainErrFrac = normal(rng, 0, ADS1115_GAIN_ERR_SD_FRAC);
  chip.inlLsb = uniformIn(rng, -ADS1115_INL_LSB, ADS1115_INL_LSB);
  chip.dataRateFactor = uniformIn(rng, 1 - ADS1115_DATA_RATE_TOL_FRAC, 1 + ADS1115_DATA_RATE_TOL_FRAC);
  return chip;
}

/** Reference temperature of the data-sheet figures (°C). */
const ADS1115_REF_TEMP_C = 25;

/**
 * Signed-as-unsigned 16-bit conversion code (0…0xFFFF, two's complement) the chip returns for
 * `vInV` at input `input` (0…3) with full-scale range `pgaFsrV` (±V, one of the six ranges).
 * Clips at 0x7FFF / 0x8000 like the chip. Throws on an FSR the chip does not have.
 */
export function ads1115Code(vInV: number, pgaFsrV: number, chip: Ads1115Chip, input: number, rng: Rng): number {
  const pga = ads1115PgaCodeForFsr(pgaFsrV);
  if (pga < 0) {
    throw new Error(`ADS1115 FSR ${String(pgaFsrV)} V is not a PGA range; accepted: 6.144, 4.096, 2.048, 1.024, 0.512, 0.256`);
  }
  const lsb = ads1115LsbV(pga);
  const k = input & 3;
  const dT = chip.tempC - ADS1115_REF_TEMP_C;
  const gain = 1 + chip.gainErrFrac + chip.inputGainErrFrac[k] + ADS1115_GAIN_DRIFT_PER_K * dT;
  const x = (vInV * gain) / lsb; // ideal code, real-valued
  const u = x / ADS1115_HALF_CODES; // −1…1
  const inl = chip.inlLsb * (1 - u * u); // bow, zero at both ends
  const noise = ADS1115_NOISE_SD_LSB * gaussian(rng) + (ADS1115_NOISE_INPUT_SD_V / lsb) * gaussian(rng);
  const y = x + chip.offsetLsb[k] + ADS1115_OFFSET_DRIFT_LSB_PER_K * dT + inl + noise;
  let s = y < 0 ? -Math.floor(-y + 0.5) : Math.floor(y + 0.5);
  if (s > ADS1115_CODE_POS_FULL) s = ADS1115_CODE_POS_FULL;
  if (s < -ADS1115_HALF_CODES) s = -ADS1115_HALF_CODES;
  return s < 0 ? s + 2 * ADS1115_HALF_CODES : s;
}

/** Actual conversion time (s) of this chip at a nominal data rate (SPS). */
export function ads1115ConversionTimeS(chip: Ads1115Chip, dataRateSps: number): number {
  return 1 / (dataRateSps * chip.dataRateFactor);
}
