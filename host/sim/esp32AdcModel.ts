/**
 * Error model of the ESP32's own SAR ADC (ADC1) as Espruino reads it: `analogRead` returns
 * code / 4096 from one conversion, no calibration. Constants and the fraction coding come from
 * shared/sensors/esp32Adc.ts.
 *
 * Transfer (per attenuation k): the ESP-IDF v4 characterisation line
 *   V_mV = code · Vref_mV · A_k / (4096 · 65536) + B_k
 * (esp_adc_cal_esp32.c, `adc1_vref_atten_scale` A = {57431, 76236, 105481, 196602},
 * `adc1_vref_atten_offset` B = {75, 78, 107, 142} mV), inverted, with:
 * - chip-to-chip Vref 1000…1200 mV, nominal 1100 mV (ESP-IDF ADC docs, "reference voltage");
 * - a dead zone at the bottom (code 0 below ≈ B_k) and compression above the attenuation's
 *   recommended maximum (950/1250/1750/2450 mV, ESP-IDF ADC docs table "attenuation") up to
 *   saturation at 4095: the ADC is nonlinear near both ends of its range;
 * - an INL bow (ESP32 data sheet, "ADC characteristics": INL ±12 LSB, DNL ±7 LSB) per channel;
 * - per-channel offset and single-conversion noise.
 */
import {
  ESP32_ADC_CODES,
  ESP32_ADC_MAX_CODE,
  ESP32_RANGE_MAX_V,
  esp32FractionFromCode,
  esp32RangeIndex,
} from "../../shared/sensors/esp32Adc";
import { gaussian, normal, type Rng } from "./rng";

/** ESP-IDF esp_adc_cal_esp32.c, ADC1 Vref characterisation scale per attenuation (0, 2.5, 6, 11 dB). */
export const ESP32_CAL_SCALE: number[] = [57431, 76236, 105481, 196602];
/** Same file, offsets (mV) per attenuation. */
export const ESP32_CAL_OFFSET_MV: number[] = [75, 78, 107, 142];
/** Fixed-point scale of the coefficients (esp_adc_cal_esp32.c LIN_COEFF_A_SCALE). */
export const ESP32_CAL_COEFF_SCALE = 65536;
/** Nominal Vref (mV) and its chip-to-chip range 1000…1200 mV (ESP-IDF ADC docs). */
export const ESP32_VREF_NOMINAL_MV = 1100;
export const ESP32_VREF_MIN_MV = 1000;
export const ESP32_VREF_MAX_MV = 1200;
/** σ of Vref across chips (mV): the 1000…1200 mV range taken as ±3σ. */
export const ESP32_VREF_SD_MV = 33;
/** INL ±12 LSB (ESP32 data sheet, ADC characteristics): bow amplitude drawn with σ = 4 LSB. */
export const ESP32_INL_SD_LSB = 4;
/** Per-channel offset σ (LSB): assumption, of the order of the DNL (±7 LSB) in the same table. */
export const ESP32_OFFSET_SD_LSB = 3;
/**
 * Single-conversion noise σ (LSB). Assumption: ESP-IDF's ADC docs advise multisampling
 * because single readings scatter by several LSB; 3 LSB rms reproduces that scatter.
 */
export const ESP32_NOISE_SD_LSB = 3;
/** Width of the soft knee into the bottom dead zone (LSB). */
const ESP32_LOW_KNEE_LSB = 4;

export interface Esp32AdcChip {
  /** This chip's Vref (mV). */
  vrefMv: number;
  /** Per-pin offset (LSB) and INL bow amplitude (LSB), by pin name. */
  offsetLsb: Record<string, number>;
  inlLsb: Record<string, number>;
  /** Noise σ (LSB); 0 for an ideal chip. */
  noiseSdLsb: number;
  /** True for a perfect-line chip (tests): nominal Vref, no offset, INL, or compression. */
  ideal: boolean;
  /** Seeded stream for drawing a pin's errors the first time it is read. */
  drawRng: Rng;
}

/** Draw a chip (`ideal` = nominal Vref, no offset/INL; noise still on unless noiseSdLsb set 0). */
export function createEsp32AdcChip(rng: Rng, ideal: boolean): Esp32AdcChip {
  let vref = ESP32_VREF_NOMINAL_MV;
  if (!ideal) {
    vref = normal(rng, ESP32_VREF_NOMINAL_MV, ESP32_VREF_SD_MV);
    if (vref < ESP32_VREF_MIN_MV) vref = ESP32_VREF_MIN_MV;
    if (vref > ESP32_VREF_MAX_MV) vref = ESP32_VREF_MAX_MV;
  }
  return { vrefMv: vref, offsetLsb: {}, inlLsb: {}, noiseSdLsb: ESP32_NOISE_SD_LSB, ideal, drawRng: rng };
}

function pinErrors(chip: Esp32AdcChip, pin: string): void {
  if (chip.offsetLsb[pin] !== undefined) return;
  chip.offsetLsb[pin] = chip.ideal ? 0 : normal(chip.drawRng, 0, ESP32_OFFSET_SD_LSB);
  chip.inlLsb[pin] = chip.ideal ? 0 : normal(chip.drawRng, 0, ESP32_INL_SD_LSB);
}

/** Ideal (characterisation-line) code for a pin voltage, real-valued, no limits. */
export function esp32LineCode(vInV: number, attenIndex: number, vrefMv: number): number {
  const slopeMvPerCode = (vrefMv * ESP32_CAL_SCALE[attenIndex]) / (ESP32_ADC_CODES * ESP32_CAL_COEFF_SCALE);
  return (vInV * 1000 - ESP32_CAL_OFFSET_MV[attenIndex]) / slopeMvPerCode;
}

/** Integer code 0…4095 one conversion returns for `vInV` at the pin. */
export function esp32AdcCode(vInV: number, attenDb: number, chip: Esp32AdcChip, rng: Rng, pin: string): number {
  const k = esp32RangeIndex(attenDb);
  if (k < 0) throw new Error(`ESP32 attenuation ${String(attenDb)} dB unknown; accepted: 0, 2.5, 6, 11`);
  pinErrors(chip, pin);
  let x = esp32LineCode(vInV, k, chip.vrefMv);
  const u = x / ESP32_ADC_MAX_CODE;
  x += chip.offsetLsb[pin] + 4 * chip.inlLsb[pin] * u * (1 - u);
  if (!chip.ideal) {
    // Compression above the recommended maximum, saturating towards full scale.
    const knee = esp32LineCode(ESP32_RANGE_MAX_V[k], k, chip.vrefMv);
    if (x > knee) {
      const room = ESP32_ADC_MAX_CODE - knee;
      x = knee + room * Math.tanh((x - knee) / room);
    }
    // Soft dead zone at the bottom.
    const z = x / ESP32_LOW_KNEE_LSB;
    x = z > 30 ? x : ESP32_LOW_KNEE_LSB * Math.log(1 + Math.exp(z));
  }
  x += chip.noiseSdLsb * gaussian(rng);
  let code = Math.floor(x + 0.5);
  if (code < 0) code = 0;
  if (code > ESP32_ADC_MAX_CODE) code = ESP32_ADC_MAX_CODE;
  return code;
}

/** What Espruino's `analogRead(pin)` returns: code / 4096. */
export function esp32AdcFraction(vInV: number, attenDb: number, chip: Esp32AdcChip, rng: Rng, pin: string): number {
  return esp32FractionFromCode(esp32AdcCode(vInV, attenDb, chip, rng, pin));
}
