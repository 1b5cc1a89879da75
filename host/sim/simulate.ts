/**
 * One call from a pack, a protocol and a board to a stream of (Sample, truth): what tests, the
 * accuracy benchmark and the demo use. Samples are taken every `samplePeriodMs` of true time
 * with jitter; their `tMs` is the board's clock (crystal error); their readings go through the
 * board's simulated sensor chain and back through shared/sensors' conversions.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BoardDef } from "../../shared/config/boardDef";
import { validateBoard } from "../../shared/config/validateBoard";
import { REPO_ROOT } from "../util/repoRoot";
import type { Sample } from "../../shared/sample";
import { SimPack, type PackSpec } from "./pack";
import { parseProtocol, type ProtocolJsonItem, type ProtocolNode } from "./protocol";
import { createRng, forkRng, normal, type Rng } from "./rng";
import { ProtocolRunner, type RunOptions } from "./runner";
import { SensorChain, type CalibrationMode, type RawReadings } from "./sensorChain";

/** Sample-time jitter σ (ms): Espruino's setInterval under load (assumption; a few ms). */
export const DEFAULT_JITTER_SD_MS = 2;
/** Board crystal error σ (fraction): ESP32 data sheet asks ±10 ppm for the 40 MHz crystal; σ = 10 ppm/3. */
export const CLOCK_ERR_SD_FRAC = 10e-6 / 3;

/** Folder of the board definition files. */
export const BOARDS_DIR = join(REPO_ROOT, "hardware", "boards");

/** Load and validate `hardware/boards/<id>.json`. */
export function loadBoard(id: string): BoardDef {
  if (!/^[a-z0-9-]+$/.test(id)) throw new Error(`board id ${JSON.stringify(id)} must be a file name like "esp32-ina226"`);
  let text: string;
  try {
    text = readFileSync(join(BOARDS_DIR, id + ".json"), "utf8");
  } catch {
    throw new Error(`board ${JSON.stringify(id)} not found in ${BOARDS_DIR}; e.g. "esp32-ina226", "esp32-adc", "esp32-ads1115"`);
  }
  return validateBoard(JSON.parse(text));
}

export interface SimulateOptions {
  pack: PackSpec;
  /** Protocol text or JSON (see protocol.ts), or an already parsed one. */
  protocol: string | ProtocolJsonItem[] | ProtocolNode[];
  /** Board definition or its id in hardware/boards. */
  board: BoardDef | string;
  /** Seed of everything random outside the pack's build: parts, noise, jitter, random rests. */
  seed: number;
  /** Nominal sample period (ms). Default 1000. */
  samplePeriodMs?: number;
  /** Jitter σ (ms) of the true sampling instant. Default DEFAULT_JITTER_SD_MS. */
  jitterSdMs?: number;
  /** Temperature channels read. Default: as many as the board has, at most the cell count. */
  tempCount?: number;
  /** Calibration of the way back. Default "measured". */
  calibration?: CalibrationMode;
  /** Perfect parts and clock (noise stays). Default false. */
  ideal?: boolean;
  /** Set sample.openCircuit = 1 during protocol rests (a relay opens the pack). Default true. */
  markOpenCircuit?: boolean;
  /** Stop after the protocol ends plus this long (s). Default 0. */
  tailS?: number;
  ambientC?: RunOptions["ambientC"];
  maxStepS?: number;
  firstHalf?: RunOptions["firstHalf"];
}

/** What was true at a sample's instant. */
export interface SampleTruth {
  /** True time of the sample (s since start). */
  tS: number;
  /** True pack current (A, + = charge). */
  currentA: number;
  /** True cell terminal voltages (V), SOC (fraction) and temperatures (°C). */
  cellV: number[];
  socFrac: number[];
  cellTempC: number[];
  /** Kind of the protocol step running ("charge", "discharge", "hold", "rest", "done"). */
  step: string;
}

export interface SimSample {
  sample: Sample;
  truth: SampleTruth;
  raw: RawReadings;
}

/** A running simulation: pull samples with `next()`; truth records on `runner`. */
export class Simulation {
  readonly pack: SimPack;
  readonly runner: ProtocolRunner;
  readonly chain: SensorChain;
  readonly board: BoardDef;
  readonly samplePeriodMs: number;
  private readonly rng: Rng;
  private readonly jitterSdMs: number;
  private readonly clockFactor: number;
  private readonly markOc: boolean;
  private readonly tailS: number;
  private k = 0;
  private endS = Infinity;

  constructor(opts: SimulateOptions) {
    this.board = typeof opts.board === "string" ? loadBoard(opts.board) : opts.board;
    this.pack = new SimPack(opts.pack);
    const nodes = isParsed(opts.protocol)
      ? (opts.protocol as ProtocolNode[])
      : parseProtocol(opts.protocol as string | ProtocolJsonItem[], { capacityAh: opts.pack.capacityAh });
    const root = createRng(opts.seed);
    const runSeed = normal(forkRng(root, 1), 0, 1e9);
    this.runner = new ProtocolRunner(this.pack, nodes, {
      seed: runSeed,
      ambientC: opts.ambientC,
      maxStepS: opts.maxStepS,
      firstHalf: opts.firstHalf,
    });
    const tempCount = opts.tempCount === undefined ? Math.min(this.board.temps.length, opts.pack.cellCount) : opts.tempCount;
    this.chain = new SensorChain(this.board, opts.pack.cellCount, tempCount, {
      seed: Math.floor(normal(forkRng(root, 2), 0, 1e9)),
      ideal: opts.ideal,
      calibration: opts.calibration,
    });
    this.rng = forkRng(root, 3);
    this.samplePeriodMs = opts.samplePeriodMs === undefined ? 1000 : opts.samplePeriodMs;
    if (!(this.samplePeriodMs > 0)) throw new Error(`samplePeriodMs must be > 0, got ${String(opts.samplePeriodMs)}`);
    this.jitterSdMs = opts.ideal ? 0 : opts.jitterSdMs === undefined ? DEFAULT_JITTER_SD_MS : opts.jitterSdMs;
    this.clockFactor = opts.ideal ? 1 : 1 + normal(forkRng(root, 4), 0, CLOCK_ERR_SD_FRAC);
    this.markOc = opts.markOpenCircuit !== false;
    this.tailS = opts.tailS || 0;
  }

  /** Next sample, or null once the protocol (plus tail) is over. Fresh objects each call. */
  next(): SimSample | null {
    const r = this.runner;
    if (r.done && this.endS === Infinity) this.endS = this.pack.tS + this.tailS;
    let tS = (this.k * this.samplePeriodMs + (this.jitterSdMs > 0 ? this.jitterSdMs * normal(this.rng, 0, 1) : 0)) / 1000;
    if (tS < this.pack.tS) tS = this.pack.tS;
    if (tS > this.endS) return null;
    this.k++;
    r.advanceTo(tS);
    const p = this.pack;
    const n = p.cellCount;
    const raw = this.chain.readRaw(p, this.chain.newRaw());
    const sample: Sample = { tMs: 0, cellV: new Array(n), currentA: 0, tempC: new Array(this.chain.tempCount), openCircuit: 0 };
    const oc = this.markOc && r.isOpenCircuit() ? 1 : 0;
    this.chain.toSample(raw, tS * 1000 * this.clockFactor, oc, sample);
    const truth: SampleTruth = {
      tS,
      currentA: p.currentA,
      cellV: [],
      socFrac: [],
      cellTempC: [],
      step: r.currentStep ? r.currentStep.kind : "done",
    };
    for (let i = 0; i < n; i++) {
      truth.cellV.push(p.cellV(i));
      truth.socFrac.push(p.cellSoc(i));
      truth.cellTempC.push(p.cellTempC(i));
    }
    return { sample, truth, raw };
  }
}

function isParsed(x: unknown): boolean {
  return Array.isArray(x) && x.length > 0 && typeof x[0] === "object" && x[0] !== null && "kind" in (x[0] as object);
}

/** Iterate (Sample, truth) pairs of a whole run. */
export function* simulateSamples(opts: SimulateOptions): Generator<SimSample, Simulation, void> {
  const sim = new Simulation(opts);
  for (;;) {
    const s = sim.next();
    if (!s) return sim;
    yield s;
  }
}
