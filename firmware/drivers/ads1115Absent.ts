/**
 * Stand-in for ads1115Driver.ts in bundles for boards without an ADS1115: host/bundle
 * (buildFirmware.ts, `chipDriverSubstitutes`) puts it in place of the real driver so that the
 * driver's code is not carried. Same exports; nothing calls them on such a board (no channel
 * names the chip); if anything did, each reports a driver error and reads NaN, as the real
 * driver does for a chip that does not answer. The tests run the real driver.
 */
import type { Ads1115ChipDef, Ads1115Input } from "../../shared/config/boardDef";
import type { Hw } from "./hw";
import { driverError, type DriverStatus } from "./driverStatus";
import type * as Real from "./ads1115Driver";
export { ADS1115_NOT_READY, type Ads1115Conv } from "./ads1115Driver";

const ABSENT = "ads1115: not on this board";

export function ads1115Plan(input: Ads1115Input, chip: Ads1115ChipDef): Real.Ads1115Conv {
  throw new Error(ABSENT + " (address " + chip.address + ", " + input.mux + ")");
}
export function ads1115Start(_hw: Hw, _conv: Real.Ads1115Conv, st: DriverStatus): boolean {
  driverError(st, ABSENT);
  return false;
}
export function ads1115Result(_hw: Hw, _conv: Real.Ads1115Conv, st: DriverStatus): number {
  return driverError(st, ABSENT);
}
export function ads1115Convert(_hw: Hw, _conv: Real.Ads1115Conv, st: DriverStatus): number {
  return driverError(st, ABSENT);
}
