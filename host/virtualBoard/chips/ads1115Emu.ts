/**
 * Register-level ADS1115 emulator (TI SBAS444): pointer register, config/conversion/threshold
 * registers, single-shot conversions started by writing OS = 1 that complete after 1/DR
 * (OS reads 0 while converting, 1 when done; section 9.3.7 and 9.4.2), continuous mode
 * updating the conversion register every 1/DR, and the MUX/PGA of the config word.
 * Conversion results come from `inputV` (volts at AIN0…AIN3 at a time) through `toCode`.
 */
import {
  ADS1115_CONFIG_RESET,
  ADS1115_FSR_V,
  ADS1115_OS_BIT,
  ADS1115_REG_CONFIG,
  ADS1115_REG_CONVERSION,
  ADS1115_REG_HI_THRESH,
  ADS1115_REG_LO_THRESH,
  ADS1115_DATA_RATE_SPS,
  ads1115ConfigDataRate,
  ads1115ConfigMux,
  ads1115ConfigPga,
  ads1115ConfigSingleShot,
  ads1115VoltsToCode,
} from "../../../shared/sensors/ads1115.js";
import type { I2cDevice } from "./i2cBus.js";

/** Lo_thresh / Hi_thresh reset values (SBAS444 section 9.6.3). */
export const ADS1115_LO_THRESH_RESET = 0x8000;
export const ADS1115_HI_THRESH_RESET = 0x7fff;
/** Inputs (AINp, AINn) of MUX codes 0…7; −1 = GND (SBAS444 table 8). */
export const ADS1115_MUX_INPUTS: Array<[number, number]> = [
  [0, 1], [0, 3], [1, 3], [2, 3], [0, -1], [1, -1], [2, -1], [3, -1],
];

/**
 * Converts a differential input voltage to the chip's unsigned 16-bit code; `address` and
 * `input` (AINp index 0…3) let a chip model apply per-chip, per-input errors.
 */
export type Ads1115ToCode = (vInV: number, pgaFsrV: number, pgaCode: number, address: number, input: number) => number;

export const idealAds1115ToCode: Ads1115ToCode = (v, _fsr, pgaCode) => ads1115VoltsToCode(v, pgaCode);

export class Ads1115Emu implements I2cDevice {
  readonly regs = new Uint16Array(4);
  pointer = 0;
  /** Time (ms) the running single-shot conversion completes; NaN when idle. */
  private convDoneMs = NaN;
  private convStartMs = 0;
  /** Continuous mode: time of the mode change (ms). */
  private contStartMs = 0;
  conversions = 0;

  constructor(
    readonly address: number,
    private readonly now: () => number,
    private readonly inputV: (ain: number, tMs: number) => number,
    private readonly toCode: Ads1115ToCode = idealAds1115ToCode,
    /** Actual data rate ÷ nominal (the chip's ±10 % spread, SBAS444 §7.5); 1 = nominal. */
    private readonly dataRateFactor = 1,
  ) {
    this.powerOnReset();
  }

  powerOnReset(): void {
    this.regs[ADS1115_REG_CONVERSION] = 0;
    this.regs[ADS1115_REG_CONFIG] = ADS1115_CONFIG_RESET;
    this.regs[ADS1115_REG_LO_THRESH] = ADS1115_LO_THRESH_RESET;
    this.regs[ADS1115_REG_HI_THRESH] = ADS1115_HI_THRESH_RESET;
    this.pointer = 0;
    this.convDoneMs = NaN;
  }

  private periodMs(config: number): number {
    return 1000 / (ADS1115_DATA_RATE_SPS[ads1115ConfigDataRate(config)]! * this.dataRateFactor);
  }

  private sample(config: number, tMs: number): number {
    const [p, n] = ADS1115_MUX_INPUTS[ads1115ConfigMux(config)]!;
    const v = this.inputV(p, tMs) - (n < 0 ? 0 : this.inputV(n, tMs));
    const pga = ads1115ConfigPga(config);
    this.conversions++;
    return this.toCode(v, ADS1115_FSR_V[pga]!, pga, this.address, p) & 0xffff;
  }

  /** Bring the registers up to the current time. */
  private update(): void {
    const t = this.now();
    const config = this.regs[ADS1115_REG_CONFIG]!;
    if (ads1115ConfigSingleShot(config)) {
      if (!isNaN(this.convDoneMs) && t >= this.convDoneMs) {
        this.regs[ADS1115_REG_CONVERSION] = this.sample(config, this.convStartMs);
        this.regs[ADS1115_REG_CONFIG] = config | ADS1115_OS_BIT;
        this.convDoneMs = NaN;
      }
    } else {
      const period = this.periodMs(config);
      if (t - this.contStartMs >= period) {
        const last = this.contStartMs + Math.floor((t - this.contStartMs) / period) * period;
        this.regs[ADS1115_REG_CONVERSION] = this.sample(config, last);
      }
    }
  }

  write(bytes: number[]): void {
    if (bytes.length === 0) return;
    this.pointer = bytes[0]! & 0x03;
    if (bytes.length < 3) return; // pointer-only write (SBAS444 figure 36)
    this.update();
    const value = ((bytes[1]! << 8) | bytes[2]!) & 0xffff;
    if (this.pointer === ADS1115_REG_CONVERSION) return; // read-only
    if (this.pointer !== ADS1115_REG_CONFIG) {
      this.regs[this.pointer] = value;
      return;
    }
    const t = this.now();
    if (ads1115ConfigSingleShot(value)) {
      const converting = !isNaN(this.convDoneMs);
      if ((value & ADS1115_OS_BIT) !== 0 && !converting) {
        this.convStartMs = t;
        this.convDoneMs = t + this.periodMs(value);
        this.regs[ADS1115_REG_CONFIG] = value & ~ADS1115_OS_BIT; // OS reads 0 while converting
      } else {
        this.regs[ADS1115_REG_CONFIG] = (value & ~ADS1115_OS_BIT) | (converting ? 0 : ADS1115_OS_BIT);
      }
    } else {
      this.regs[ADS1115_REG_CONFIG] = value & ~ADS1115_OS_BIT; // continuous: OS reads 0 (always converting)
      this.contStartMs = t;
      this.convDoneMs = NaN;
    }
  }

  read(count: number): number[] {
    this.update();
    const v = this.regs[this.pointer]!;
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(i % 2 === 0 ? v >> 8 : v & 0xff);
    return out;
  }
}
