/**
 * The long-rest scenario of issue 20: one simulated 1 Ah Zn‖MnO2 pouch cell cycled at C/5, with
 * one 24 h rest after a charge, read through an independent sensor model (current offset 20 µA,
 * current noise 50 µA σ, voltage noise 0.3 mV σ), with no open-circuit flag and no rest labels —
 * what a cycler export or a hand-made log looks like. The cell leaks (faulty self-discharge,
 * `leakA` at full charge). Used by bench:accuracy and by test/shared/model/longRest.test.ts.
 */
import type { ChemistryId } from "../shared/chemistry/presets";
import { defaultPackConfig } from "../shared/config/defaults";
import { validateConfig } from "../shared/config/validateConfig";
import type { PackConfig } from "../shared/config/packConfig";
import type { CycleRecord, ModelEvent, RestRecord } from "../shared/model/events";
import { PackModel } from "../shared/model/packModel";
import type { Sample } from "../shared/sample";
import { Simulation } from "../host/sim/simulate";
import { createRng, normal } from "../host/sim/rng";
import type { CycleTruth, RestTruth } from "../host/sim/truth";

export interface LongRestOptions {
  /** Cell chemistry (the simulator's cell and the model's preset). */
  chemistry: ChemistryId;
  /** Sensor offset (A), current noise σ (A), voltage noise σ (V). */
  offsetA: number;
  noiseA: number;
  noiseV: number;
  /** Extra leak of the faulty cell at SOC 1 (A); 0 = healthy. */
  leakA: number;
  /** 1: no leak at all (background leak and charge redistribution off too). */
  noLeak?: number;
  /** Rest length (h) after the middle cycle's charge. */
  restH: number;
  /** Sample period (ms). */
  samplePeriodMs: number;
  /** Cycles before and after the long-rest cycle. */
  cyclesAround: number;
  seed: number;
}

export const ISSUE20_OPTIONS: LongRestOptions = {
  chemistry: "ZnMnO2",
  offsetA: 20e-6,
  noiseA: 50e-6,
  noiseV: 0.3e-3,
  leakA: 0.002,
  restH: 24,
  samplePeriodMs: 2000,
  cyclesAround: 2,
  seed: 2020,
};

export interface LongRestResult {
  cycles: CycleRecord[];
  rests: RestRecord[];
  retentions: { restIndex: number; retention: number; rcld: number; chargeLostAh: number }[];
  truthCycles: CycleTruth[];
  truthRests: RestTruth[];
  alarms: { tMs: number; id: string; raised: boolean }[];
  config: PackConfig;
}

function protocol(o: LongRestOptions): string {
  const hi = o.chemistry === "ZnI2" ? "1.6 V" : "1.8 V";
  const lo = o.chemistry === "ZnI2" ? "0.6 V" : "0.8 V";
  const cycle = [`  Charge at C/5 until ${hi}`, `  Hold at ${hi} until C/50`, "  Rest for 30 minutes", `  Discharge at C/5 until ${lo}`, "  Rest for 30 minutes"];
  return [
    `Discharge at C/5 until ${lo}`,
    "Rest for 1 hour",
    `Repeat ${o.cyclesAround} times:`,
    ...cycle,
    `Charge at C/5 until ${hi}`,
    `Hold at ${hi} until C/50`,
    `Rest for ${o.restH} hours`,
    `Discharge at C/5 until ${lo}`,
    "Rest for 30 minutes",
    `Repeat ${o.cyclesAround} times:`,
    ...cycle,
    `Charge at C/5 until ${hi}`,
  ].join("\n");
}

/** The scenario's simulation (true pack and protocol; its sensors are ours, below). */
function longRestSim(o: LongRestOptions): Simulation {
  return new Simulation({
    pack: {
      chemistry: o.chemistry,
      cellCount: 1,
      capacityAh: 1,
      seed: o.seed,
      initialSocFrac: 0.5,
      spread: null,
      faultyCells: o.leakA > 0 ? [0] : [],
      cellOverrides: o.noLeak === 1 ? { faultyLeakA: 0, baseLeakA: 0, redistributionA: 0 } : o.leakA > 0 ? { faultyLeakA: o.leakA } : undefined,
    },
    protocol: protocol(o),
    board: "esp32-ina226",
    seed: o.seed + 1,
    samplePeriodMs: o.samplePeriodMs,
    ideal: true,
    markOpenCircuit: false,
  });
}

/**
 * Feed every sample of the scenario, as the independent sensor model reads it (openCircuit = 0,
 * tMs = true time), to `onSample` (the object is reused); returns the finished simulation.
 */
export function forEachLongRestSample(o: LongRestOptions, onSample: (s: Sample) => void): Simulation {
  const sim = longRestSim(o);
  const rng = createRng(o.seed + 2);
  const s: Sample = { tMs: 0, cellV: [0], currentA: 0, tempC: [25], openCircuit: 0 };
  for (;;) {
    const x = sim.next();
    if (!x) break;
    s.tMs = x.truth.tS * 1000;
    s.currentA = x.truth.currentA + o.offsetA + normal(rng, 0, o.noiseA);
    (s.cellV as number[])[0] = x.truth.cellV[0] + normal(rng, 0, o.noiseV);
    (s.tempC as number[])[0] = x.truth.cellTempC[0];
    onSample(s);
  }
  return sim;
}

/** The scenario as a BDF CSV (test time, voltage, current): no rest labels. Returns the truth. */
export function longRestCsv(o: LongRestOptions): { text: string; truthCycles: CycleTruth[]; truthRests: RestTruth[] } {
  const lines = ["Test Time / s,Voltage / V,Current / A"];
  const sim = forEachLongRestSample(o, (s) => {
    lines.push(`${(s.tMs / 1000).toFixed(3)},${s.cellV[0].toFixed(6)},${s.currentA.toExponential(6)}`);
  });
  return { text: lines.join("\n") + "\n", truthCycles: sim.runner.cycles, truthRests: sim.runner.rests };
}

/** Run the scenario through PackModel (default config for one 1 Ah cell, `configure` may edit it). */
export function runLongRest(o: LongRestOptions, configure?: (c: PackConfig) => void): LongRestResult {
  const c = defaultPackConfig(o.chemistry, 1, 1);
  c.tempCount = 1;
  c.samplePeriodMs = o.samplePeriodMs;
  c.counting.maxGapMs = 10 * o.samplePeriodMs;
  if (configure) configure(c);
  const config = validateConfig(c);
  const res: LongRestResult = { cycles: [], rests: [], retentions: [], truthCycles: [], truthRests: [], alarms: [], config };
  const model = new PackModel(config, (ev: ModelEvent) => {
    if (ev.kind === "cycle") res.cycles.push(ev.cycle);
    else if (ev.kind === "rest") res.rests.push(ev.rest);
    else if (ev.kind === "retention") res.retentions.push({ restIndex: ev.restIndex, retention: ev.retention, rcld: ev.rcld, chargeLostAh: ev.chargeLostAh });
    else if (ev.kind === "alarm") res.alarms.push({ tMs: ev.tMs, id: ev.id, raised: ev.raised });
  });
  const sim = forEachLongRestSample(o, (s) => model.step(s));
  res.truthCycles = sim.runner.cycles;
  res.truthRests = sim.runner.rests;
  return res;
}

/** Model cycle matched to a true cycle by start and end time (within 10 min each), or null. */
export function matchTruth(rec: CycleRecord, truth: CycleTruth[]): CycleTruth | null {
  for (const t of truth) {
    if (Math.abs(t.startS * 1000 - rec.startTMs) < 600000 && Math.abs(t.endS * 1000 - rec.endTMs) < 600000) return t;
  }
  return null;
}
