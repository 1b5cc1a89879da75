/**
 * ADS1115 over I2C, single-shot (TI SBAS444 §9.4.2): write the config word with OS = 1 to
 * start one conversion on the input's MUX/PGA at the chip's data rate, poll the config
 * register until OS reads 1 (conversion done, §9.6.3), read the conversion register.
 * Register constants and the config-word builder are shared/sensors/ads1115's.
 * Never throws: a NACK, a timeout or a config the chip did not take gives NaN + an error.
 */
import {
  ADS1115_OS_BIT,
  ADS1115_REG_CONFIG,
  ADS1115_REG_CONVERSION,
  ads1115ConfigWord,
  ads1115ConversionTimeMaxMs,
  ads1115DataRateCode,
  ads1115PgaCodeForFsr,
  ads1115ToSigned,
} from "../../shared/sensors/ads1115";
import { ADS1115_MUXES, type Ads1115ChipDef, type Ads1115Input } from "../../shared/config/boardDef";
import type { Hw } from "./hw";
import { readReg16, writeReg16 } from "./i2cRegs";
import { driverError, type DriverStatus } from "./driverStatus";

/** Poll deadline = this × the worst-case conversion time (covers I2C latency and scheduling). */
const POLL_DEADLINE_FACTOR = 2;
/** Hard cap on polls, in case the clock does not advance while the driver waits. */
const MAX_POLLS = 200;
/** Config bits compared on read-back: all but OS (bit 15), which the chip drives. */
const CONFIG_CHECK_MASK = 0x7fff;

/** One planned conversion: what the driver writes (what it applies) for one input. */
export interface Ads1115Conv {
  address: number;
  /** MUX code 0…7 (= index in ADS1115_MUXES, SBAS444 table 8). */
  muxCode: number;
  pgaCode: number;
  drCode: number;
  /** Config word written to start the conversion (OS = 1, single-shot, comparator off). */
  configWord: number;
  /** Worst-case conversion time (ms). */
  convMaxMs: number;
  /** Name used in error lines, e.g. "ads1115@72 AIN0". */
  label: string;
}

/** Plan the conversion of one input; throws only on a board file validateBoard would reject. */
export function ads1115Plan(input: Ads1115Input, chip: Ads1115ChipDef): Ads1115Conv {
  const mux = ADS1115_MUXES.indexOf(input.mux);
  const pga = ads1115PgaCodeForFsr(input.pgaFsrV);
  const dr = ads1115DataRateCode(chip.dataRateSps);
  const word = ads1115ConfigWord(mux, pga, true, dr);
  if (isNaN(word)) throw new Error("ads1115@" + input.address + ": no config word for mux " + input.mux + ", FSR " + input.pgaFsrV + " V, " + chip.dataRateSps + " SPS");
  return {
    address: input.address,
    muxCode: mux,
    pgaCode: pga,
    drCode: dr,
    configWord: word,
    convMaxMs: ads1115ConversionTimeMaxMs(dr),
    label: "ads1115@" + input.address + " " + input.mux,
  };
}

/** Start one single-shot conversion (write the config word with OS = 1); false + an error on a bus error. */
export function ads1115Start(hw: Hw, conv: Ads1115Conv, st: DriverStatus): boolean {
  const bus = hw.i2c;
  if (bus === null) {
    driverError(st, conv.label + ": no i2c bus");
    return false;
  }
  if (!writeReg16(bus, conv.address, ADS1115_REG_CONFIG, conv.configWord)) {
    driverError(st, conv.label + ": i2c write");
    return false;
  }
  return true;
}

/** Result codes of `ads1115Result` besides a conversion code. */
export const ADS1115_NOT_READY = -100000;

/**
 * Read the result of a started conversion: the signed code, ADS1115_NOT_READY while OS reads 0,
 * or NaN + an error (bus error, or a config read back that differs from the one written).
 */
export function ads1115Result(hw: Hw, conv: Ads1115Conv, st: DriverStatus): number {
  const bus = hw.i2c;
  if (bus === null) return driverError(st, conv.label + ": no i2c bus");
  const c = readReg16(bus, conv.address, ADS1115_REG_CONFIG);
  if (isNaN(c)) return driverError(st, conv.label + ": i2c read");
  if ((c & ADS1115_OS_BIT) === 0) return ADS1115_NOT_READY;
  if ((c & CONFIG_CHECK_MASK) !== (conv.configWord & CONFIG_CHECK_MASK)) {
    return driverError(st, conv.label + ": config read back " + c + ", wrote " + conv.configWord);
  }
  const r = readReg16(bus, conv.address, ADS1115_REG_CONVERSION);
  if (isNaN(r)) return driverError(st, conv.label + ": i2c read");
  return ads1115ToSigned(r);
}

/**
 * One conversion, waiting in place: start, then poll until ready, bounded by
 * POLL_DEADLINE_FACTOR × the worst-case conversion time on the board clock and MAX_POLLS.
 * (The sampler uses start/result with a timer instead, so the interpreter is not blocked.)
 */
export function ads1115Convert(hw: Hw, conv: Ads1115Conv, st: DriverStatus): number {
  if (!ads1115Start(hw, conv, st)) return NaN;
  const deadlineS = hw.getTimeS() + (POLL_DEADLINE_FACTOR * conv.convMaxMs) / 1000;
  for (let n = 0; n < MAX_POLLS; n++) {
    const r = ads1115Result(hw, conv, st);
    if (r !== ADS1115_NOT_READY) return r;
    if (hw.getTimeS() > deadlineS) break;
  }
  return driverError(st, conv.label + ": conversion timeout");
}
