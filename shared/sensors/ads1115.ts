/**
 * TI ADS1115 16-bit delta-sigma ADC (data sheet SBAS444): register map, config-word builder
 * and decoder, and conversion code → volts. Section/table names refer to SBAS444D.
 *
 * API:
 * - register pointers `ADS1115_REG_*`; I2C addresses `ADS1115_ADDR_*`.
 * - config-register fields: `ADS1115_OS_BIT`, `ADS1115_MUX_SHIFT/MASK`, `ADS1115_MUX_*`,
 *   `ADS1115_PGA_SHIFT/MASK`, `ADS1115_FSR_V[pgaCode]`, `ADS1115_MODE_BIT`,
 *   `ADS1115_DR_SHIFT/MASK`, `ADS1115_DATA_RATE_SPS[drCode]`, comparator bits, `ADS1115_CONFIG_RESET`.
 * - `ads1115ConfigWord(mux, pgaCode, singleShot, drCode)` → 16-bit config word (OS = 1 starts a
 *   single-shot conversion; comparator disabled); NaN for a field out of range.
 * - `ads1115ConfigMux/Pga/DataRate/SingleShot(word)` decode a config word (for emulators).
 * - `ads1115PgaCodeForFsr(fsrV)`, `ads1115DataRateCode(sps)` → field code or −1.
 * - `ads1115LsbV(pgaCode)` = FSR / 32768.
 * - `ads1115ToSigned(raw16)` two's complement of a 16-bit register value.
 * - `ads1115CodeToVolts(raw16, pgaCode)` — the ideal transfer function (any code).
 * - `ads1115ReadingV(raw16, pgaCode)` — the same but NaN at the clipped codes 0x7FFF / 0x8000
 *   (input at or beyond full scale: the true voltage is unknown) — use this for measurements.
 * - `ads1115VoltsToCode(volts, pgaCode)` — ideal code for a voltage, clipped as the chip does
 *   (simulators, emulators); `ads1115ConversionTimeMaxMs(drCode)` worst-case conversion time.
 */

/** Pointer register values (SBAS444 §9.6 Register Map, Table "Address Pointer Register"). */
export const ADS1115_REG_CONVERSION = 0x00;
export const ADS1115_REG_CONFIG = 0x01;
export const ADS1115_REG_LO_THRESH = 0x02;
export const ADS1115_REG_HI_THRESH = 0x03;

/** 7-bit I2C addresses by ADDR pin strap (SBAS444 §9.5.1.1, Table "ADDR Pin Connection"). */
export const ADS1115_ADDR_GND = 0x48;
export const ADS1115_ADDR_VDD = 0x49;
export const ADS1115_ADDR_SDA = 0x4a;
export const ADS1115_ADDR_SCL = 0x4b;

/** Config register (SBAS444 §9.6.3): bit 15 OS — write 1 to start a single-shot conversion; reads 1 when idle. */
export const ADS1115_OS_BIT = 0x8000;
/** Bits 14:12 MUX, input multiplexer. */
export const ADS1115_MUX_SHIFT = 12;
export const ADS1115_MUX_MASK = 0x7000;
export const ADS1115_MUX_DIFF_0_1 = 0; // AINP = AIN0, AINN = AIN1 (reset value)
export const ADS1115_MUX_DIFF_0_3 = 1;
export const ADS1115_MUX_DIFF_1_3 = 2;
export const ADS1115_MUX_DIFF_2_3 = 3;
export const ADS1115_MUX_SINGLE_0 = 4; // AINP = AIN0, AINN = GND
export const ADS1115_MUX_SINGLE_1 = 5;
export const ADS1115_MUX_SINGLE_2 = 6;
export const ADS1115_MUX_SINGLE_3 = 7;
/** Bits 11:9 PGA, full-scale range. */
export const ADS1115_PGA_SHIFT = 9;
export const ADS1115_PGA_MASK = 0x0e00;
/**
 * ±FSR (V) per PGA code 0…7 (SBAS444 §9.3.3 Table "Full-Scale Range and LSB Size"; codes 6, 7 = ±0.256 V).
 * A typed array: on the ESP32 an array of floats costs 2 JsVars per element (docs/performance.md).
 */
export const ADS1115_FSR_V: Float64Array = new Float64Array([6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256]);
/** PGA code of the reset value (±2.048 V). */
export const ADS1115_PGA_2_048V = 2;
/** Bit 8 MODE: 1 = single-shot / power-down (reset value), 0 = continuous. */
export const ADS1115_MODE_BIT = 0x0100;
/** Bits 7:5 DR, data rate. */
export const ADS1115_DR_SHIFT = 5;
export const ADS1115_DR_MASK = 0x00e0;
/** Samples per second per DR code 0…7 (SBAS444 §9.6.3 Config register, DR field). */
export const ADS1115_DATA_RATE_SPS: number[] = [8, 16, 32, 64, 128, 250, 475, 860];
/** Data-rate accuracy ±10 % (SBAS444 §7.5 Electrical Characteristics, "Data rate variation"). */
export const ADS1115_DATA_RATE_TOL_FRAC = 0.1;
/** Bits 4…0: COMP_MODE (4), COMP_POL (3), COMP_LAT (2), COMP_QUE (1:0); 11 = comparator disabled. */
export const ADS1115_COMP_MODE_BIT = 0x0010;
export const ADS1115_COMP_POL_BIT = 0x0008;
export const ADS1115_COMP_LAT_BIT = 0x0004;
export const ADS1115_COMP_QUE_DISABLE = 0x0003;
/** Config register reset value (SBAS444 §9.6.3): 8583h. */
export const ADS1115_CONFIG_RESET = 0x8583;
/** Codes per half range: LSB = FSR / 2^15 (SBAS444 §9.3.3, Equation "LSB = FSR / 2^16" over ±FSR). */
export const ADS1115_HALF_CODES = 32768;
/** Clipped output codes (SBAS444 §9.3.3 Table "Output Codes"): 7FFFh ≥ +FS·(2^15−1)/2^15, 8000h ≤ −FS. */
export const ADS1115_CODE_POS_FULL = 0x7fff;
export const ADS1115_CODE_NEG_FULL = 0x8000;

function isCode(x: number, max: number): boolean {
  return typeof x === "number" && x >= 0 && x <= max && Math.floor(x) === x;
}

/**
 * Config word for one conversion: OS = 1 (start), MUX, PGA, MODE (1 = single-shot),
 * DR, comparator disabled (COMP_QUE = 11, other comparator bits at reset). NaN if any code
 * is out of range.
 */
export function ads1115ConfigWord(mux: number, pgaCode: number, singleShot: boolean, drCode: number): number {
  if (!isCode(mux, 7) || !isCode(pgaCode, 7) || !isCode(drCode, 7)) return NaN;
  return (
    ADS1115_OS_BIT |
    (mux << ADS1115_MUX_SHIFT) |
    (pgaCode << ADS1115_PGA_SHIFT) |
    (singleShot ? ADS1115_MODE_BIT : 0) |
    (drCode << ADS1115_DR_SHIFT) |
    ADS1115_COMP_QUE_DISABLE
  );
}

export function ads1115ConfigMux(word: number): number {
  return (word & ADS1115_MUX_MASK) >> ADS1115_MUX_SHIFT;
}
export function ads1115ConfigPga(word: number): number {
  return (word & ADS1115_PGA_MASK) >> ADS1115_PGA_SHIFT;
}
export function ads1115ConfigDataRate(word: number): number {
  return (word & ADS1115_DR_MASK) >> ADS1115_DR_SHIFT;
}
export function ads1115ConfigSingleShot(word: number): boolean {
  return (word & ADS1115_MODE_BIT) !== 0;
}

/** PGA code (0…5) for a full-scale range in volts, or −1 when it is not one of the six ranges. */
export function ads1115PgaCodeForFsr(fsrV: number): number {
  for (let i = 0; i < 6; i++) if (ADS1115_FSR_V[i] === fsrV) return i;
  return -1;
}

/** DR code (0…7) for a data rate in SPS, or −1 when the chip has no such rate. */
export function ads1115DataRateCode(sps: number): number {
  for (let i = 0; i < ADS1115_DATA_RATE_SPS.length; i++) if (ADS1115_DATA_RATE_SPS[i] === sps) return i;
  return -1;
}

/** Worst-case single-shot conversion time (ms): 1 / (rate × (1 − 10 %)). */
export function ads1115ConversionTimeMaxMs(drCode: number): number {
  return 1000 / (ADS1115_DATA_RATE_SPS[drCode] * (1 - ADS1115_DATA_RATE_TOL_FRAC));
}

/** LSB size (V) for a PGA code: FSR / 32768 (e.g. 62.5 µV at ±2.048 V). */
export function ads1115LsbV(pgaCode: number): number {
  return ADS1115_FSR_V[pgaCode] / ADS1115_HALF_CODES;
}

/** Two's complement of a 16-bit register value (0…65535 → −32768…32767); already-signed values pass. */
export function ads1115ToSigned(raw16: number): number {
  return raw16 >= ADS1115_HALF_CODES ? raw16 - 2 * ADS1115_HALF_CODES : raw16;
}

/** Ideal transfer function: volts = signed code × LSB. NaN for a value that is not a 16-bit code. */
export function ads1115CodeToVolts(raw16: number, pgaCode: number): number {
  if (!(raw16 >= -ADS1115_HALF_CODES && raw16 <= 0xffff) || Math.floor(raw16) !== raw16) return NaN;
  if (!isCode(pgaCode, 7)) return NaN;
  return ads1115ToSigned(raw16) * ads1115LsbV(pgaCode);
}

/** Measured volts; NaN at the clipped codes (±full scale) or for a non-code. */
export function ads1115ReadingV(raw16: number, pgaCode: number): number {
  const s = ads1115ToSigned(raw16);
  if (s === ADS1115_CODE_POS_FULL || s === -ADS1115_HALF_CODES) return NaN;
  return ads1115CodeToVolts(raw16, pgaCode);
}

/** Unsigned 16-bit code the ideal chip outputs for `volts` (rounded to nearest, clipped at ±FS). */
export function ads1115VoltsToCode(volts: number, pgaCode: number): number {
  const x = volts / ads1115LsbV(pgaCode);
  let s = x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
  if (s > ADS1115_CODE_POS_FULL) s = ADS1115_CODE_POS_FULL;
  if (s < -ADS1115_HALF_CODES) s = -ADS1115_HALF_CODES;
  return s < 0 ? s + 2 * ADS1115_HALF_CODES : s;
}
