/**
 * A simulated series pack: N cells, cell 0 at the pack's negative end, one current through
 * all of them, with seeded cell-to-cell spread in capacity, resistance and leakage. Its analog
 * state (cell terminal voltages, current, temperatures) can be read at any simulated time by
 * the sensor chain or by the virtual board's chip emulators.
 */
import type { ChemistryId } from "../../shared/chemistry/presets";
import {
  cellSoc,
  copyCellState,
  createCellState,
  previewTerminalV,
  stepCell,
  type CellState,
} from "./cell";
import { defaultCellParams, type CellParams, type SelfDischargeMode } from "./cellParams";
import { createRng, normal, type Rng } from "./rng";

/** Cell-to-cell spread (1σ, fractions) of a pack built from one batch. */
export interface CellSpread {
  /** Capacity σ (fraction), e.g. 0.01 for ±1 %. */
  capacitySdFrac: number;
  /** Resistance σ (fraction), all resistances of a cell scaled together. */
  resistanceSdFrac: number;
  /** Leak σ (fraction of the log-normal leak multiplier), base and faulty leaks alike. */
  leakSdFrac: number;
  /** Initial SOC σ (fraction of capacity). */
  initialSocSd: number;
}

/** Spread of a careful pouch-cell batch (assumption: ±1 % capacity, ±5 % resistance, ±30 % leak). */
export const DEFAULT_SPREAD: CellSpread = {
  capacitySdFrac: 0.01,
  resistanceSdFrac: 0.05,
  leakSdFrac: 0.3,
  initialSocSd: 0.005,
};

export interface PackSpec {
  chemistry: ChemistryId;
  cellCount: number;
  /** Nominal capacity of one cell (Ah). */
  capacityAh: number;
  /** Seed of the pack's build (spread draws). */
  seed: number;
  /** Initial SOC of every cell (fraction), before spread. Default 0.5. */
  initialSocFrac?: number;
  /** Ambient and initial cell temperature (°C). Default 25. */
  ambientC?: number;
  /** Spread; default DEFAULT_SPREAD; `null` = identical cells. */
  spread?: CellSpread | null;
  /** Cells (indices) whose self-discharge is faulty; default none. */
  faultyCells?: number[];
  /** Overrides applied to every cell's default parameters before the spread. */
  cellOverrides?: Partial<CellParams>;
}

/** Validate a pack spec; throws an error naming the field, the value and the accepted range. */
export function checkPackSpec(spec: PackSpec): void {
  if (!(Number.isInteger(spec.cellCount) && spec.cellCount >= 1 && spec.cellCount <= 32)) {
    throw new Error(`pack cellCount must be an integer 1…32, got ${String(spec.cellCount)}`);
  }
  if (!(spec.capacityAh > 0 && isFinite(spec.capacityAh))) {
    throw new Error(`pack capacityAh must be a finite number > 0, got ${String(spec.capacityAh)}`);
  }
  if (typeof spec.seed !== "number" || !isFinite(spec.seed)) {
    throw new Error(`pack seed must be a finite number, got ${String(spec.seed)}`);
  }
  const soc = spec.initialSocFrac === undefined ? 0.5 : spec.initialSocFrac;
  if (!(soc >= 0 && soc <= 1)) throw new Error(`pack initialSocFrac must be in [0, 1], got ${String(soc)}`);
  for (const i of spec.faultyCells || []) {
    if (!(Number.isInteger(i) && i >= 0 && i < spec.cellCount)) {
      throw new Error(`pack faultyCells entry ${String(i)} is not a cell index 0…${spec.cellCount - 1}`);
    }
  }
}

function spreadFactor(rng: Rng, sd: number): number {
  const f = normal(rng, 1, sd);
  return f < 0.2 ? 0.2 : f;
}

function logNormalFactor(rng: Rng, sd: number): number {
  return Math.exp(normal(rng, 0, sd) - (sd * sd) / 2);
}

export class SimPack {
  readonly spec: PackSpec;
  readonly params: CellParams[];
  readonly cells: CellState[];
  /** Simulated time since the start (s). */
  tS = 0;
  /** Pack current during the last step (A, + = charge). */
  currentA = 0;
  /** Ambient temperature (°C) during the last step. */
  ambientC: number;

  constructor(spec: PackSpec) {
    checkPackSpec(spec);
    this.spec = spec;
    const rng = createRng(spec.seed);
    const spread = spec.spread === null ? null : spec.spread || DEFAULT_SPREAD;
    const faulty = spec.faultyCells || [];
    this.ambientC = spec.ambientC === undefined ? 25 : spec.ambientC;
    const soc0 = spec.initialSocFrac === undefined ? 0.5 : spec.initialSocFrac;
    this.params = [];
    this.cells = [];
    for (let i = 0; i < spec.cellCount; i++) {
      const p = defaultCellParams(spec.chemistry, spec.capacityAh);
      if (spec.cellOverrides) Object.assign(p, spec.cellOverrides);
      let soc = soc0;
      if (spread) {
        p.capacityAh *= spreadFactor(rng, spread.capacitySdFrac);
        const r = spreadFactor(rng, spread.resistanceSdFrac);
        p.r0Ohm *= r;
        p.r1Ohm *= r;
        p.r2Ohm *= r;
        const leak = logNormalFactor(rng, spread.leakSdFrac);
        p.baseLeakA *= leak;
        p.faultyLeakA *= leak;
        p.redistributionA *= leak;
        soc = soc0 + normal(rng, 0, spread.initialSocSd);
        if (soc < 0) soc = 0;
        if (soc > 1) soc = 1;
      }
      p.selfDischargeMode = (faulty.indexOf(i) >= 0 ? "faulty" : "healthy") as SelfDischargeMode;
      this.params.push(p);
      this.cells.push(createCellState(p, soc, this.ambientC));
    }
  }

  get cellCount(): number {
    return this.cells.length;
  }

  /** Advance every cell by dtS at pack current currentA (A), ambient ambientC (°C). */
  step(currentA: number, dtS: number, ambientC: number): void {
    for (let i = 0; i < this.cells.length; i++) stepCell(this.params[i], this.cells[i], currentA, dtS, ambientC);
    this.tS += dtS;
    this.currentA = currentA;
    this.ambientC = ambientC;
  }

  /** Set the current that flows from now on (for readers between steps; no state change). */
  setCurrent(currentA: number): void {
    this.currentA = currentA;
  }

  /** Terminal voltage of cell i (V) now. */
  cellV(i: number): number {
    return this.cells[i].terminalV;
  }

  /** Pack voltage (V): sum of cell terminal voltages. */
  packV(): number {
    let v = 0;
    for (let i = 0; i < this.cells.length; i++) v += this.cells[i].terminalV;
    return v;
  }

  /** Voltage of tap k (V): top of cell k against the pack's negative end. */
  tapV(k: number): number {
    let v = 0;
    for (let i = 0; i <= k; i++) v += this.cells[i].terminalV;
    return v;
  }

  /** Temperature of cell i (°C). */
  cellTempC(i: number): number {
    return this.cells[i].tempC;
  }

  /** True SOC of cell i (fraction of its present capacity). */
  cellSoc(i: number): number {
    return cellSoc(this.params[i], this.cells[i]);
  }

  /** Highest / lowest cell voltage now (V). */
  maxCellV(): number {
    let m = -Infinity;
    for (const c of this.cells) if (c.terminalV > m) m = c.terminalV;
    return m;
  }
  minCellV(): number {
    let m = Infinity;
    for (const c of this.cells) if (c.terminalV < m) m = c.terminalV;
    return m;
  }

  /** Highest and lowest cell voltage the pack would show after dtS at currentA (no change). */
  previewExtremes(currentA: number, dtS: number, out: { maxV: number; minV: number }): { maxV: number; minV: number } {
    let hi = -Infinity;
    let lo = Infinity;
    for (let i = 0; i < this.cells.length; i++) {
      const v = previewTerminalV(this.params[i], this.cells[i], currentA, dtS);
      if (v > hi) hi = v;
      if (v < lo) lo = v;
    }
    out.maxV = hi;
    out.minV = lo;
    return out;
  }

  /** Exact copy (cells and clock), for look-ahead and for tests. */
  clone(): SimPack {
    const c = Object.create(SimPack.prototype) as SimPack;
    (c as { spec: PackSpec }).spec = this.spec;
    (c as { params: CellParams[] }).params = this.params.map((p) => ({ ...p }));
    (c as { cells: CellState[] }).cells = this.cells.map(copyCellState);
    c.tS = this.tS;
    c.currentA = this.currentA;
    c.ambientC = this.ambientC;
    return c;
  }
}
