/**
 * Stand-in for ina226Driver.ts in bundles for boards without an INA226: host/bundle
 * (buildFirmware.ts, `chipDriverSubstitutes`) puts it in place of the real driver so that the
 * driver's code is not carried. Same exports; nothing calls them on such a board (no `ina226`
 * section, no channel names the chip); if anything did, each reports a driver error, as the
 * real driver does for a chip that does not answer. The tests run the real driver.
 */
import type { Ina226ChipDef } from "../../shared/config/boardDef";
import type { Hw } from "./hw";
import { driverError, type DriverStatus } from "./driverStatus";
import type * as Real from "./ina226Driver";
export type { Ina226Applied } from "./ina226Driver";

const ABSENT = "ina226: not on this board";

export function ina226Setup(_hw: Hw, chip: Ina226ChipDef, st: DriverStatus): Real.Ina226Applied {
  driverError(st, ABSENT);
  return { address: chip.address, configWord: NaN, configReadBack: NaN, calWord: NaN, calReadBack: NaN, currentLsbA: NaN, manufacturerId: NaN, ok: false };
}
export function ina226ReadShuntCode(_hw: Hw, _address: number, st: DriverStatus): number {
  return driverError(st, ABSENT);
}
