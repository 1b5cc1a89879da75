/**
 * The one rule for a declared sensor chain: no term may be better (smaller) than what the board
 * delivers on the cells the pack uses. The floor is the board's data-sheet worst case per cell
 * (`boardSensorChain`: on tap-wired boards a cell is a difference of two taps, their errors add);
 * after `zbms calibrate` has calibrated every ESP32-ADC cell channel, the cell-voltage offset and
 * gain floor is the calibrated one (the same function, `calibrated`). A tighter
 * declaration gives CE bounds and SOC weights that are too tight: a wrong number presented as
 * right. Checked by `zbms build` (host/bundle/packChain.ts), by `zbms calibrate` before it sets
 * `sensorChain.*` on a board (host/calibrate/session.ts) and by `zbms send set sensorChain.*`
 * (host/cli/sendCommand.ts); the firmware keeps no copy.
 */
import type { BoardDef } from "../../shared/config/boardDef";
import type { PackConfig, SensorChainConfig } from "../../shared/config/packConfig";
import { boardSensorChain } from "./accuracy";
import { packMaxCellV } from "./packFit";

/**
 * Relative slack of the comparison: pack files keep 12 significant digits
 * (hardware/packs/make-packs.ts), so a pack declaring exactly its board's chain may be 1e-12 low.
 */
const CHAIN_COMPARE_REL_TOL = 1e-9;

/** A declared term below the board's floor (field e.g. "voltageOffsetV", "cellVoltageOffsetV[2]"). */
export interface ChainShortfall {
  field: string;
  declared: number;
  floor: number;
}

/** What the floor depends on: the pack's cell count and the largest cell voltage it must read (packMaxCellV). */
export type ChainPack = Pick<PackConfig, "cellCount" | "chemistry" | "alarms">;

/**
 * The least `pack` may declare on board `b`: the data-sheet chain of its cells (their taps up to
 * the pack's over-voltage alarm limit); with `calibrated`, the cell-voltage offset and gain after
 * `zbms calibrate` of every ESP32-ADC cell channel (other converters have no calibrated chain:
 * their data-sheet terms stay the floor). The LSB is not lowered by calibration.
 */
export function chainFloor(b: BoardDef, pack: ChainPack, calibrated: boolean): SensorChainConfig {
  const maxCellV = packMaxCellV(pack);
  const floor = boardSensorChain(b, pack.cellCount, maxCellV, false);
  if (calibrated) {
    const cal = boardSensorChain(b, pack.cellCount, maxCellV, true);
    floor.voltageOffsetV = cal.voltageOffsetV;
    floor.voltageGainErrFrac = cal.voltageGainErrFrac;
    floor.cellVoltageOffsetV = cal.cellVoltageOffsetV;
  }
  return floor;
}

/**
 * The declared terms (all given, or a subset such as those `zbms calibrate` sets) below the
 * floor; empty = allowed. A declared per-cell list is checked entry by entry against each cell's
 * own floor (entries that are not numbers, e.g. holes of a one-entry `set`, are skipped).
 */
export function chainShortfalls(declared: Partial<SensorChainConfig>, b: BoardDef, pack: ChainPack, calibrated: boolean): ChainShortfall[] {
  const floor = chainFloor(b, pack, calibrated);
  const out: ChainShortfall[] = [];
  const below = (field: string, d: unknown, f: number | undefined): void => {
    if (typeof d === "number" && f !== undefined && d < f * (1 - CHAIN_COMPARE_REL_TOL)) out.push({ field, declared: d, floor: f });
  };
  for (const field of Object.keys(floor) as (keyof SensorChainConfig)[]) {
    const d = declared[field];
    const f = floor[field];
    if (Array.isArray(f)) {
      if (Array.isArray(d)) f.forEach((x, k) => below(`${field}[${k}]`, d[k], x));
    } else below(field, d, f);
  }
  return out;
}

/** One line per shortfall: field, declared value, the board's value. */
export function describeShortfalls(s: ChainShortfall[], b: BoardDef, pack: ChainPack, calibrated: boolean): string[] {
  const what = calibrated ? "calibrated (zbms calibrate)" : "data-sheet worst case";
  const cells = pack.cellCount + (pack.cellCount === 1 ? " cell" : " cells");
  return s.map((x) => `sensorChain.${x.field} = ${fmt(x.declared)} is better than board ${b.id} delivers for ${cells}: its ${what} is ${fmt(x.floor)}`);
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}
