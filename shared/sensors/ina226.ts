/**
 * TI INA226 current/power monitor (data sheet SBOS547): register map, configuration and
 * calibration words, and register codes → volts/amps/watts. Section names refer to SBOS547B.
 *
 * API:
 * - register pointers `INA226_REG_*`, IDs `INA226_MANUFACTURER_ID` / `INA226_DIE_ID`,
 *   `INA226_CONFIG_RESET`, config fields `INA226_*_SHIFT`, `INA226_AVG_COUNTS[code]`,
 *   `INA226_CONV_TIME_US[code]`, `INA226_MODE_*`, mask/enable bits `INA226_ME_*`.
 * - fixed LSBs `INA226_SHUNT_LSB_V` (2.5 µV), `INA226_BUS_LSB_V` (1.25 mV), error budget
 *   `INA226_SHUNT_VOS_MAX_V`, `INA226_BUS_VOS_MAX_V`, `INA226_GAIN_ERR_MAX_FRAC`.
 * - `ina226ConfigWord(avgCode, busCtCode, shuntCtCode, mode)`; `ina226ConfigAvg/BusCt/ShuntCt/Mode(word)`.
 * - `ina226MinCurrentLsbA(maxCurrentA)` = Imax / 2^15 (Equation 2).
 * - `ina226CalibrationWord(currentLsbA, rShuntOhm)` = trunc(0.00512 / (Current_LSB × Rshunt))
 *   (Equation 1), NaN when the result does not fit 1…0x7FFF.
 * - `ina226AppliedCurrentLsbA(cal, rShuntOhm)` = the LSB the chip really uses after truncation
 *   (drivers report what they applied).
 * - `ina226ShuntVolts(raw16)`, `ina226BusVolts(raw16)`, `ina226CurrentA(raw16, currentLsbA)`,
 *   `ina226PowerW(raw16, currentLsbA)` — measurements; NaN at clipped / impossible codes.
 * - `ina226CurrentRegister(shuntRaw16, cal)` and `ina226PowerRegister(currentRaw16, busRaw16)` —
 *   what the chip computes internally (Equations 3 and 4), for emulators and tests.
 * - `ina226ShuntCode(shuntV)`, `ina226BusCode(busV)` — ideal codes for voltages (simulators).
 *
 * Sign: the shunt voltage is V(IN+) − V(IN−). Whether positive means charge depends on the
 * wiring; the board definition states it and the driver applies it (zbms: + = charge).
 */

/** Register pointers (SBOS547 §7.1 Register Maps). */
export const INA226_REG_CONFIG = 0x00;
export const INA226_REG_SHUNT_V = 0x01;
export const INA226_REG_BUS_V = 0x02;
export const INA226_REG_POWER = 0x03;
export const INA226_REG_CURRENT = 0x04;
export const INA226_REG_CALIBRATION = 0x05;
export const INA226_REG_MASK_ENABLE = 0x06;
export const INA226_REG_ALERT_LIMIT = 0x07;
export const INA226_REG_MANUFACTURER_ID = 0xfe;
export const INA226_REG_DIE_ID = 0xff;
/** Manufacturer ID register value "TI" (SBOS547 §7.1.9). */
export const INA226_MANUFACTURER_ID = 0x5449;
/** Die ID register value (SBOS547 §7.1.10). */
export const INA226_DIE_ID = 0x2260;

/** Configuration register (SBOS547 §7.1.1): reset value 4127h (AVG 1, 1.1 ms / 1.1 ms, shunt+bus continuous). */
export const INA226_CONFIG_RESET = 0x4127;
/** Bit 15 RST: write 1 to reset all registers. */
export const INA226_CONFIG_RST_BIT = 0x8000;
/** Bits 14:12 are reserved and read 100b; keep bit 14 set when writing. */
export const INA226_CONFIG_RESERVED_BITS = 0x4000;
export const INA226_AVG_SHIFT = 9; // bits 11:9
export const INA226_VBUSCT_SHIFT = 6; // bits 8:6
export const INA226_VSHCT_SHIFT = 3; // bits 5:3
export const INA226_MODE_MASK = 0x0007; // bits 2:0
export const INA226_FIELD3_MASK = 0x0007;
/** Samples averaged per AVG code 0…7 (SBOS547 §7.1.1, AVG bit settings). */
export const INA226_AVG_COUNTS: number[] = [1, 4, 16, 64, 128, 256, 512, 1024];
/** Conversion time (µs) per VBUSCT / VSHCT code 0…7 (SBOS547 §7.1.1; typical, max is +10 %, §5.5). */
export const INA226_CONV_TIME_US: number[] = [140, 204, 332, 588, 1100, 2116, 4156, 8244];
/** Operating modes (MODE bits, SBOS547 §7.1.1). */
export const INA226_MODE_POWER_DOWN = 0;
export const INA226_MODE_SHUNT_TRIGGERED = 1;
export const INA226_MODE_BUS_TRIGGERED = 2;
export const INA226_MODE_SHUNT_BUS_TRIGGERED = 3;
export const INA226_MODE_SHUNT_CONTINUOUS = 5;
export const INA226_MODE_BUS_CONTINUOUS = 6;
export const INA226_MODE_SHUNT_BUS_CONTINUOUS = 7;

/** Mask/Enable register bits (SBOS547 §7.1.7). */
export const INA226_ME_SOL = 0x8000; // shunt over-voltage alert
export const INA226_ME_SUL = 0x4000; // shunt under-voltage alert
export const INA226_ME_BOL = 0x2000; // bus over-voltage alert
export const INA226_ME_BUL = 0x1000; // bus under-voltage alert
export const INA226_ME_POL = 0x0800; // power over-limit alert
export const INA226_ME_CNVR = 0x0400; // alert on conversion ready
export const INA226_ME_AFF = 0x0010; // alert function flag
export const INA226_ME_CVRF = 0x0008; // conversion ready flag (cleared by reading Mask/Enable)
export const INA226_ME_OVF = 0x0004; // math overflow flag: current/power registers invalid
export const INA226_ME_APOL = 0x0002; // alert polarity
export const INA226_ME_LEN = 0x0001; // alert latch enable

/** Shunt-voltage LSB (V), SBOS547 §5.5 Electrical Characteristics "1 LSB step size": 2.5 µV. */
export const INA226_SHUNT_LSB_V = 2.5e-6;
/** Bus-voltage LSB (V), same table: 1.25 mV. */
export const INA226_BUS_LSB_V = 1.25e-3;
/** Shunt offset voltage, max (V), SBOS547 §5.5 "VOS shunt, RTI": ±10 µV (typ ±2.5 µV). */
export const INA226_SHUNT_VOS_MAX_V = 10e-6;
/** Bus offset voltage, max (V), same table: ±7.5 mV (typ ±1.25 mV). */
export const INA226_BUS_VOS_MAX_V = 7.5e-3;
/** Shunt and bus gain error, max (fraction), same table: 0.1 % (typ 0.02 %). */
export const INA226_GAIN_ERR_MAX_FRAC = 0.001;
/** Bus input limit (V), same table: 0…36 V (ADC scale reaches 40.96 V; do not apply more than 36 V). */
export const INA226_BUS_MAX_V = 36;
/** Internal fixed value of Equation 1, CAL = 0.00512 / (Current_LSB × R_SHUNT) (SBOS547 §6.5.1). */
export const INA226_CAL_SCALE = 0.00512;
/** Calibration register is 15 bits (bit 15 reserved), SBOS547 §7.1.6. */
export const INA226_CAL_MAX = 0x7fff;
/** Equation 3: Current = ShuntVoltage × CAL / 2048. */
export const INA226_CURRENT_DIVISOR = 2048;
/** Equation 4: Power = Current × BusVoltage / 20000. */
export const INA226_POWER_DIVISOR = 20000;
/** Power LSB = 25 × Current_LSB (SBOS547 §6.5.1). */
export const INA226_POWER_LSB_RATIO = 25;
/** Codes per half range (signed 16-bit registers). */
export const INA226_HALF_CODES = 32768;
/** Largest positive code (clipped / saturated value). */
export const INA226_CODE_POS_FULL = 0x7fff;

function isCode(x: number, max: number): boolean {
  return typeof x === "number" && x >= 0 && x <= max && Math.floor(x) === x;
}

/** Two's complement of a 16-bit register value. */
export function ina226ToSigned(raw16: number): number {
  return raw16 >= INA226_HALF_CODES ? raw16 - 2 * INA226_HALF_CODES : raw16;
}

function toSigned16Checked(raw16: number): number {
  if (!(raw16 >= -INA226_HALF_CODES && raw16 <= 0xffff) || Math.floor(raw16) !== raw16) return NaN;
  return ina226ToSigned(raw16);
}

/** Configuration word (reserved bit 14 set); NaN when a field code is out of range. */
export function ina226ConfigWord(avgCode: number, busCtCode: number, shuntCtCode: number, mode: number): number {
  if (!isCode(avgCode, 7) || !isCode(busCtCode, 7) || !isCode(shuntCtCode, 7) || !isCode(mode, 7)) return NaN;
  return (
    INA226_CONFIG_RESERVED_BITS |
    (avgCode << INA226_AVG_SHIFT) |
    (busCtCode << INA226_VBUSCT_SHIFT) |
    (shuntCtCode << INA226_VSHCT_SHIFT) |
    mode
  );
}
export function ina226ConfigAvg(word: number): number {
  return (word >> INA226_AVG_SHIFT) & INA226_FIELD3_MASK;
}
export function ina226ConfigBusCt(word: number): number {
  return (word >> INA226_VBUSCT_SHIFT) & INA226_FIELD3_MASK;
}
export function ina226ConfigShuntCt(word: number): number {
  return (word >> INA226_VSHCT_SHIFT) & INA226_FIELD3_MASK;
}
export function ina226ConfigMode(word: number): number {
  return word & INA226_MODE_MASK;
}

/** Time (ms) for one complete averaged shunt+bus result: AVG × (tBus + tShunt). */
export function ina226UpdatePeriodMs(configWord: number): number {
  return (
    (INA226_AVG_COUNTS[ina226ConfigAvg(configWord)] *
      (INA226_CONV_TIME_US[ina226ConfigBusCt(configWord)] + INA226_CONV_TIME_US[ina226ConfigShuntCt(configWord)])) /
    1000
  );
}

/** Smallest Current_LSB (A) that still covers `maxCurrentA` (Equation 2: Imax / 2^15). */
export function ina226MinCurrentLsbA(maxCurrentA: number): number {
  return maxCurrentA / INA226_HALF_CODES;
}

/** Calibration register value (Equation 1, truncated); NaN unless it fits 1…0x7FFF. */
export function ina226CalibrationWord(currentLsbA: number, rShuntOhm: number): number {
  if (!(currentLsbA > 0) || !(rShuntOhm > 0)) return NaN;
  // The tiny relative nudge keeps exact quotients (e.g. 2560) from truncating to 2559 by rounding.
  const cal = Math.floor((INA226_CAL_SCALE / (currentLsbA * rShuntOhm)) * (1 + 1e-12));
  if (cal < 1 || cal > INA226_CAL_MAX) return NaN;
  return cal;
}

/** Current LSB (A) the chip applies with a given calibration word (drivers report this). */
export function ina226AppliedCurrentLsbA(cal: number, rShuntOhm: number): number {
  return INA226_CAL_SCALE / (cal * rShuntOhm);
}

/** Shunt voltage (V) from register 01h; NaN at the clipped codes 7FFFh / 8000h. */
export function ina226ShuntVolts(raw16: number): number {
  const s = toSigned16Checked(raw16);
  if (isNaN(s) || s === INA226_CODE_POS_FULL || s === -INA226_HALF_CODES) return NaN;
  return s * INA226_SHUNT_LSB_V;
}

/** Bus voltage (V) from register 02h (always positive, bit 15 = 0); NaN above the 36 V input limit or bit 15 set. */
export function ina226BusVolts(raw16: number): number {
  if (!isCode(raw16, INA226_CODE_POS_FULL)) return NaN;
  const v = raw16 * INA226_BUS_LSB_V;
  return v > INA226_BUS_MAX_V ? NaN : v;
}

/** Current (A) from register 04h with the applied Current_LSB; NaN at the clipped codes. */
export function ina226CurrentA(raw16: number, currentLsbA: number): number {
  const s = toSigned16Checked(raw16);
  if (isNaN(s) || s === INA226_CODE_POS_FULL || s === -INA226_HALF_CODES) return NaN;
  return s * currentLsbA;
}

/** Power (W) from register 03h (unsigned): code × 25 × Current_LSB; NaN at the clipped code FFFFh. */
export function ina226PowerW(raw16: number, currentLsbA: number): number {
  if (!isCode(raw16, 0xfffe)) return NaN;
  return raw16 * INA226_POWER_LSB_RATIO * currentLsbA;
}

function truncToward0(x: number): number {
  return x < 0 ? -Math.floor(-x) : Math.floor(x);
}

/**
 * Current register (signed) as the chip computes it: trunc(shunt × CAL / 2048), clipped to
 * 16 bits (Equation 3). Rounding toward zero is an assumption; the data sheet's Table 1
 * example divides exactly (8000 × 2560 / 2048 = 10000). Returns the unsigned 16-bit value.
 */
export function ina226CurrentRegister(shuntRaw16: number, cal: number): number {
  let c = truncToward0((ina226ToSigned(shuntRaw16) * cal) / INA226_CURRENT_DIVISOR);
  if (c > INA226_CODE_POS_FULL) c = INA226_CODE_POS_FULL;
  if (c < -INA226_HALF_CODES) c = -INA226_HALF_CODES;
  return c < 0 ? c + 2 * INA226_HALF_CODES : c;
}

/** Power register as the chip computes it: trunc(|Current| × Bus / 20000) (Equation 4), clipped to 16 bits. */
export function ina226PowerRegister(currentRaw16: number, busRaw16: number): number {
  const p = Math.floor((Math.abs(ina226ToSigned(currentRaw16)) * busRaw16) / INA226_POWER_DIVISOR);
  return p > 0xffff ? 0xffff : p;
}

/** Ideal shunt register code (unsigned 16-bit) for a shunt voltage, rounded and clipped. */
export function ina226ShuntCode(shuntV: number): number {
  const x = shuntV / INA226_SHUNT_LSB_V;
  let s = x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
  if (s > INA226_CODE_POS_FULL) s = INA226_CODE_POS_FULL;
  if (s < -INA226_HALF_CODES) s = -INA226_HALF_CODES;
  return s < 0 ? s + 2 * INA226_HALF_CODES : s;
}

/** Ideal bus register code for a bus voltage (≥ 0), rounded and clipped to 7FFFh. */
export function ina226BusCode(busV: number): number {
  let s = Math.floor(busV / INA226_BUS_LSB_V + 0.5);
  if (s < 0) s = 0;
  if (s > INA226_CODE_POS_FULL) s = INA226_CODE_POS_FULL;
  return s;
}
