/**
 * INA226 over I2C (TI SBOS547): setup writes the configuration (averaging, conversion times,
 * shunt+bus continuous) and the calibration register CAL = 0.00512 / (Current_LSB × Rshunt)
 * (§6.5.1, Equations 1–2), reads both back and checks the manufacturer ID; per sample the
 * driver reads the shunt-voltage register (2.5 µV LSB). Constants: shared/sensors/ina226.
 * Never throws: bus errors give NaN + an error; setup reports what the chip really holds.
 */
import {
  INA226_AVG_COUNTS,
  INA226_CONV_TIME_US,
  INA226_MANUFACTURER_ID,
  INA226_MODE_SHUNT_BUS_CONTINUOUS,
  INA226_REG_CALIBRATION,
  INA226_REG_CONFIG,
  INA226_REG_MANUFACTURER_ID,
  INA226_REG_SHUNT_V,
  ina226AppliedCurrentLsbA,
  ina226CalibrationWord,
  ina226ConfigWord,
  ina226MinCurrentLsbA,
  ina226ToSigned,
} from "../../shared/sensors/ina226";
import type { Ina226ChipDef } from "../../shared/config/boardDef";
import type { Hw } from "./hw";
import { readReg16, writeReg16 } from "./i2cRegs";
import { driverError, type DriverStatus } from "./driverStatus";

/** What setup applied (read back from the chip). */
export interface Ina226Applied {
  address: number;
  /** Configuration word written / read back (NaN when unreadable). */
  configWord: number;
  configReadBack: number;
  /** Calibration word written / read back. */
  calWord: number;
  calReadBack: number;
  /** Current LSB (A) the chip applies with the read-back CAL (NaN if none). */
  currentLsbA: number;
  /** Manufacturer ID read (0x5449 "TI" expected). */
  manufacturerId: number;
  /** true when the ID matched and both registers read back as written. */
  ok: boolean;
}

export function ina226Setup(hw: Hw, chip: Ina226ChipDef, st: DriverStatus): Ina226Applied {
  const cfg = ina226ConfigWord(
    INA226_AVG_COUNTS.indexOf(chip.averages),
    INA226_CONV_TIME_US.indexOf(chip.busConvTimeUs),
    INA226_CONV_TIME_US.indexOf(chip.shuntConvTimeUs),
    INA226_MODE_SHUNT_BUS_CONTINUOUS,
  );
  const cal = ina226CalibrationWord(ina226MinCurrentLsbA(chip.maxCurrentA), chip.shuntOhm);
  const a: Ina226Applied = {
    address: chip.address,
    configWord: cfg,
    configReadBack: NaN,
    calWord: cal,
    calReadBack: NaN,
    currentLsbA: NaN,
    manufacturerId: NaN,
    ok: false,
  };
  const bus = hw.i2c;
  const label = "ina226@" + chip.address;
  if (bus === null) {
    driverError(st, label + ": no i2c bus");
    return a;
  }
  a.manufacturerId = readReg16(bus, chip.address, INA226_REG_MANUFACTURER_ID);
  if (!isNaN(cfg)) writeReg16(bus, chip.address, INA226_REG_CONFIG, cfg);
  if (!isNaN(cal)) writeReg16(bus, chip.address, INA226_REG_CALIBRATION, cal);
  a.configReadBack = readReg16(bus, chip.address, INA226_REG_CONFIG);
  a.calReadBack = readReg16(bus, chip.address, INA226_REG_CALIBRATION);
  if (a.calReadBack > 0) a.currentLsbA = ina226AppliedCurrentLsbA(a.calReadBack, chip.shuntOhm);
  a.ok = a.manufacturerId === INA226_MANUFACTURER_ID && a.configReadBack === cfg && a.calReadBack === cal;
  if (!a.ok) {
    driverError(st, label + ": setup id " + a.manufacturerId + " config " + a.configReadBack + "/" + cfg + " cal " + a.calReadBack + "/" + cal);
  }
  return a;
}

/** Shunt-voltage register as a signed code, or NaN + an error. */
export function ina226ReadShuntCode(hw: Hw, address: number, st: DriverStatus): number {
  const bus = hw.i2c;
  if (bus === null) return driverError(st, "ina226@" + address + ": no i2c bus");
  const r = readReg16(bus, address, INA226_REG_SHUNT_V);
  if (isNaN(r)) return driverError(st, "ina226@" + address + ": i2c read");
  return ina226ToSigned(r);
}
