/**
 * The one rule for a declared sensor chain: no term may be better (smaller) than what the board
 * delivers on the channels the pack uses. The floor is the board's data-sheet worst case
 * (`boardSensorChain`); after `zbms calibrate` has calibrated every ESP32-ADC cell channel, the
 * cell-voltage offset and gain floor is the calibrated chain's (`esp32VoltageTerms`). A tighter
 * declaration gives CE bounds and SOC weights that are too tight: a wrong number presented as
 * right. Checked by `zbms build` (host/bundle/packChain.ts), by `zbms calibrate` before it sets
 * `sensorChain.*` on a board (host/calibrate/session.ts) and by `zbms send set sensorChain.*`
 * (host/cli/sendCommand.ts); the firmware keeps no copy.
 */
import type { BoardDef } from "../../shared/config/boardDef";
import type { SensorChainConfig } from "../../shared/config/packConfig";
import { boardSensorChain, esp32VoltageTerms } from "./accuracy";

/**
 * Relative slack of the comparison: pack files keep 12 significant digits
 * (hardware/packs/make-packs.ts), so a pack declaring exactly its board's chain may be 1e-12 low.
 */
const CHAIN_COMPARE_REL_TOL = 1e-9;

/** A declared term below the board's floor. */
export interface ChainShortfall {
  field: keyof SensorChainConfig;
  declared: number;
  floor: number;
}

/**
 * The least a pack of `cellCount` cells may declare on board `b`: the data-sheet chain of its
 * first `cellCount` voltage channels; with `calibrated`, the cell-voltage offset and gain of
 * `zbms calibrate`'s calibrated ESP32-ADC chain when all those channels are ESP32-ADC inputs
 * (other converters have no calibrated chain: their data-sheet terms stay the floor).
 */
export function chainFloor(b: BoardDef, cellCount: number, calibrated: boolean): SensorChainConfig {
  const floor = boardSensorChain(b, cellCount);
  const cells: number[] = [];
  for (let k = 0; k < Math.min(cellCount, b.voltages.length); k++) cells.push(k);
  const cal = calibrated ? esp32VoltageTerms(b, cells, true) : null;
  if (cal !== null) {
    floor.voltageOffsetV = cal.voltageOffsetV;
    floor.voltageGainErrFrac = cal.voltageGainErrFrac;
  }
  return floor;
}

/** The declared terms (all given, or a subset such as the two `zbms calibrate` sets) below the floor; empty = allowed. */
export function chainShortfalls(declared: Partial<SensorChainConfig>, b: BoardDef, cellCount: number, calibrated: boolean): ChainShortfall[] {
  const floor = chainFloor(b, cellCount, calibrated);
  const out: ChainShortfall[] = [];
  for (const field of Object.keys(floor) as (keyof SensorChainConfig)[]) {
    const d = declared[field];
    if (d !== undefined && d < floor[field] * (1 - CHAIN_COMPARE_REL_TOL)) out.push({ field, declared: d, floor: floor[field] });
  }
  return out;
}

/** One line per shortfall: field, declared value, the board's value. */
export function describeShortfalls(s: ChainShortfall[], b: BoardDef, cellCount: number, calibrated: boolean): string[] {
  const what = calibrated ? "calibrated (zbms calibrate)" : "data-sheet worst case";
  const cells = cellCount + (cellCount === 1 ? " cell" : " cells");
  return s.map((x) => `sensorChain.${x.field} = ${fmt(x.declared)} is better than board ${b.id} delivers for ${cells}: its ${what} is ${fmt(x.floor)}`);
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}
