/**
 * A simulated pack (host/sim: SimPack driven by a ProtocolRunner) as the virtual board's
 * PackSource: the board's chips ask for the pack's state at a world time; the runner is
 * advanced to it (monotonic), and the cell voltages, current and temperatures are read off.
 * Temperature channel k reads cell k's temperature (the pack's ambient when there are more
 * NTCs than cells).
 */
import { SimPack, type PackSpec } from "../sim/pack.js";
import { ProtocolRunner } from "../sim/runner.js";
import { parseProtocol, type ProtocolJsonItem } from "../sim/protocol.js";
import { CHEMISTRY_PRESETS, type ChemistryId } from "../../shared/chemistry/presets.js";
import type { PackSource, PackState } from "./frontEnd.js";
import { MS_PER_S } from "../../shared/units.js";

/** Default protocol: C/5 cycles between the chemistry's cut-offs with a CV hold and short rests. */
export function defaultProtocolText(chemistry: ChemistryId): string {
  const p = CHEMISTRY_PRESETS[chemistry];
  return [
    "Repeat 1000 times:",
    `  Charge at C/5 until ${p.maxCellV} V`,
    `  Hold at ${p.maxCellV} V until C/50`,
    "  Rest for 30 minutes",
    `  Discharge at C/5 until ${p.minCellV} V`,
    "  Rest for 30 minutes",
  ].join("\n");
}

export interface SimSourceOptions {
  spec: PackSpec;
  /** Protocol text or JSON items (host/sim/protocol.ts); default `defaultProtocolText`. */
  protocol?: string | ProtocolJsonItem[];
  seed: number;
  /** NTC channels on the board. */
  tempCount: number;
}

export function simPackSource(opts: SimSourceOptions): { source: PackSource; runner: ProtocolRunner } {
  const pack = new SimPack(opts.spec);
  const nodes = parseProtocol(opts.protocol ?? defaultProtocolText(opts.spec.chemistry), { capacityAh: opts.spec.capacityAh });
  const runner = new ProtocolRunner(pack, nodes, { seed: opts.seed });
  const state: PackState & { cellV: number[]; tempC: number[] } = { cellV: [], currentA: 0, tempC: [] };
  let lastS = 0;
  const source: PackSource = (tMs) => {
    const tS = tMs / MS_PER_S;
    if (tS > lastS) {
      runner.advanceTo(tS);
      lastS = tS;
    }
    state.cellV.length = 0;
    for (let i = 0; i < pack.cellCount; i++) state.cellV.push(pack.cellV(i));
    state.currentA = pack.currentA;
    state.tempC.length = 0;
    for (let k = 0; k < opts.tempCount; k++) state.tempC.push(k < pack.cellCount ? pack.cellTempC(k) : pack.ambientC);
    return state;
  };
  return { source, runner };
}
