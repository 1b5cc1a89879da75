/**
 * Replay an input through the shared model (the same PackModel the board runs): stream the
 * importer's records as `Sample`s into `PackModel.step`, collect the model's events, and keep
 * the fixed-size extracts the report plots (decimated V/I series, rest voltage curves, dQ/dV
 * histograms of chosen cycles). Memory is flat in the number of samples: only cycle and rest
 * records grow, one small object per cycle or rest.
 *
 * One record at a time, in the order the importer reads them (for large tabular inputs parsed
 * on a worker thread meanwhile, readAhead.ts): `Replay.record` turns a record into a sample
 * (time nudged, voltage spread over the cells), steps the model, then feeds what the report
 * keeps (replayExtracts.ts); `Replay.finish` closes the last cycle.
 */
import { statSync } from "node:fs";
import type { PackConfig } from "../../shared/config/packConfig";
import type { CycleRecord, ModelEvent, RestRecord } from "../../shared/model/events";
import { SEG_DISCHARGE, SEG_CHARGE } from "../../shared/model/events";
import { PackModel } from "../../shared/model/packModel";
import { PHASE_FIRST } from "../../shared/cycles/cycleTracker";
import type { Sample } from "../../shared/sample";
import type { BdfWriter } from "../bdf/writer";
import { STEP_OTHER, STEP_REST, type ImportedRecord, type Importer, type ImportStats, type ProgressFn } from "../import/record";
import type { InputProfile } from "./profile";
import { Decimator, NUDGE_MS, nudgedTMs, plotBuckets, type PlotSeries } from "./plotSeries";
import { MS_PER_H, MS_PER_S } from "../../shared/units";
import type { HalfRecord } from "./adams";
import { READ_AHEAD_MIN_BYTES, canReadAhead, readAhead } from "./readAhead";
import { BdfCounters, DqDvKeeper, EventLog, RestCurves, type AdamsEvent, type AlarmSummary, type DqDvCurve, type RestCurve, type RetentionEvent } from "./replayExtracts";

export { DQDV_BINS, PLOT_BUCKETS, type PlotSeries } from "./plotSeries";
export { MAX_REST_CURVES, REST_CURVE_POINTS, type AdamsEvent, type AlarmSummary, type DqDvCurve, type RestCurve, type RetentionEvent } from "./replayExtracts";

/**
 * Analysis-level cycle flag (above the model's CYCLE_FLAG_* bits): the input ended while the
 * cycle's second half was still running, so its numbers cover only part of that half.
 */
export const CYCLE_FLAG_TRUNCATED = 256;
/** Closing sample's current as a multiple of activeCurrentA (just above the threshold). */
const CLOSE_CURRENT_OF_ACTIVE = 2;

export interface ReplayResult {
  samples: number;
  importStats: ImportStats;
  cycles: CycleRecord[];
  rests: RestRecord[];
  retentions: RetentionEvent[];
  adams: AdamsEvent[];
  /** The model's half-cycles in order (for the Adams reservoir CE of a labelled span, adams.ts). */
  halves: HalfRecord[];
  gaps: { count: number; longestS: number; backS: number[] };
  alarms: AlarmSummary[];
  series: PlotSeries;
  restCurves: RestCurve[];
  dqdv: DqDvCurve[];
  /** Cycler-labelled impedance / pulse rows fed with an invalid voltage. */
  impedanceRows: number;
  /** Index of a last cycle cut short by the end of the input (second half still running), or −1. */
  truncatedCycle: number;
}

export interface ReplayOptions {
  config: PackConfig;
  profile: InputProfile;
  /** Cycles whose dQ/dV is kept; default: the first unflagged cycle and the last cycle. */
  dqdvCycles?: number[];
  onProgress?: ProgressFn;
  /**
   * Treat an exact 0 A reading as open circuit (cycler exports: a channel at rest reports
   * exactly zero; a board's sensor never does, so never for zbms logs).
   */
  zeroCurrentIsOpenCircuit?: boolean;
  /** When given, every replayed sample is also written as a BDF row. */
  bdf?: BdfWriter;
  /**
   * With `bdf`: write the cycler's cycle number and step count where the input has them (read
   * with the importer's cycler columns).
   */
  cyclerCounts?: boolean;
  /**
   * Parse on a worker thread while the model runs here (readAhead.ts): true, false, or (default)
   * "auto" = for tabular inputs of READ_AHEAD_MIN_BYTES or more. Changes no result.
   */
  readAhead?: boolean | "auto";
}


/** What the replay asks of an importer: no cycler columns (it recounts everything itself). */
const REPLAY_READ_OPTIONS = { cyclerColumns: false };
/** The BDF export with cyclerCounts writes the cycler's cycle and step numbers. */
const BDF_EXPORT_READ_OPTIONS = { cyclerColumns: true };

export async function replay(imp: Importer, path: string, opts: ReplayOptions): Promise<ReplayResult> {
  const run = new Replay(opts);
  const onRecord = (r: ImportedRecord): void => run.record(r);
  const readOpts = opts.bdf && opts.cyclerCounts === true ? BDF_EXPORT_READ_OPTIONS : REPLAY_READ_OPTIONS;
  const importStats = readsAhead(imp, path, opts.readAhead)
    ? await readAhead(imp, path, onRecord, opts.onProgress, readOpts)
    : await imp.read(path, onRecord, opts.onProgress, undefined, readOpts);
  return run.finish(importStats);
}

/** True when the replay of `path` parses it on a worker thread (ReplayOptions.readAhead). */
export function readsAhead(imp: Importer, path: string, readAheadOpt: boolean | "auto" = "auto"): boolean {
  if (readAheadOpt === false) return false;
  let large = false;
  try {
    large = statSync(path).size >= READ_AHEAD_MIN_BYTES;
  } catch {
    large = false;
  }
  return (readAheadOpt === true || large) && canReadAhead(imp);
}

/** One replay: the model, the sample it is fed, and the extracts kept for the report. */
class Replay {
  private readonly cfg: PackConfig;
  private readonly model: PackModel;
  private readonly sample: Sample;
  private readonly cellV: Float64Array;
  private readonly tempArr: Float64Array;
  private readonly zeroIsOpen: boolean;
  private readonly bdf: BdfWriter | undefined;
  private readonly events: EventLog;
  private readonly restCurves = new RestCurves();
  private readonly dqdv: DqDvKeeper;
  private readonly counters: BdfCounters;
  private readonly dec: Decimator;
  private prevTMs = -Infinity;
  private prevRawTMs = -Infinity;
  private prevI = NaN;
  private prevV = NaN;
  private prevT = NaN;
  /**
   * The record being replayed: its model time (ms) and voltage (NaN on impedance rows). Fields,
   * not arguments: V8 boxes a double passed to a method it does not inline, once per row.
   */
  private tMs = NaN;
  private v = NaN;
  private samples = 0;
  private impedanceRows = 0;
  /** Time of the last synthetic closing sample (closeLastCycle). */
  private synthTMs = 0;

  constructor(opts: ReplayOptions) {
    const cfg = opts.config;
    this.cfg = cfg;
    this.zeroIsOpen = opts.zeroCurrentIsOpenCircuit === true;
    this.bdf = opts.bdf;
    this.counters = new BdfCounters(opts.cyclerCounts === true, opts.cyclerCounts === true && cyclerCyclesUsable(opts.profile));
    this.dqdv = new DqDvKeeper(opts.profile.minV, opts.profile.maxV, opts.dqdvCycles ?? []);
    const buckets = plotBuckets(opts.profile.startS, opts.profile.endS);
    this.dec = new Decimator(buckets.plotStartS, buckets.plotWidthS);
    this.events = new EventLog(this.restCurves, this.dqdv, this.counters);
    this.model = new PackModel(cfg, (ev: ModelEvent) => this.events.onEvent(ev, this.model));
    this.cellV = new Float64Array(cfg.cellCount);
    this.tempArr = new Float64Array(cfg.tempCount > 0 ? cfg.tempCount : 0);
    this.sample = { tMs: 0, cellV: this.cellV, currentA: 0, tempC: this.tempArr, openCircuit: 0 };
  }

  /** One record: the model's sample, the model's step, then what the report keeps of the row. */
  record(r: ImportedRecord): void {
    const rawTMs = r.tS * MS_PER_S;
    this.tMs = nudgedTMs(rawTMs, this.prevTMs, this.prevRawTMs);
    this.prevRawTMs = rawTMs;
    const impedance = r.stepKind === STEP_OTHER;
    if (impedance) this.impedanceRows++;
    this.v = impedance ? NaN : r.voltageV;
    this.fillSample(r, impedance);
    if (r.restored === 1) this.model.markRestored();
    this.model.step(this.sample);
    this.samples++;
    this.afterStep(r);
  }

  /** The sample's cells (a stack voltage spread evenly over the cells), temperatures, current, open circuit. */
  private fillSample(r: ImportedRecord, impedance: boolean): void {
    const v = this.v;
    const cellV = this.cellV;
    const n = cellV.length;
    const cellsV = r.cellsV;
    if (cellsV.length > 0 && !impedance) {
      for (let c = 0; c < n; c++) cellV[c] = c < cellsV.length ? cellsV[c] : NaN;
    } else {
      for (let c = 0; c < n; c++) cellV[c] = v / n;
    }
    const temps = this.tempArr;
    const tempsC = r.tempsC;
    if (tempsC.length > 0) {
      for (let k = 0; k < temps.length; k++) temps[k] = k < tempsC.length ? tempsC[k] : NaN;
    } else {
      for (let k = 0; k < temps.length; k++) temps[k] = r.tempC;
    }
    const s = this.sample;
    s.tMs = this.tMs;
    s.currentA = r.currentA;
    s.openCircuit = r.stepKind === STEP_REST || (this.zeroIsOpen && r.currentA === 0) ? 1 : 0;
  }

  /** The plot bucket, the dQ/dV histogram, the open rest's curve and the BDF row of a stepped record. */
  private afterStep(r: ImportedRecord): void {
    const tMs = this.tMs;
    const v = this.v;
    const currentA = r.currentA;
    const tS = tMs / MS_PER_S;
    this.dec.add(tS, v, currentA);
    const prevI = this.prevI;
    if (this.prevT === this.prevT && tMs > this.prevTMs && currentA === currentA && prevI === prevI) {
      const dtH = (tMs - this.prevTMs) / MS_PER_H;
      if (v === v) this.dqdv.add(v, currentA, Math.abs(currentA) * dtH);
      if (this.bdf) this.counters.add(this.prevV, v, prevI, currentA, dtH);
    }
    // The model starts in rest: a run that opens at open circuit has a first rest too.
    if (this.samples === 1) this.restCurves.open(tS);
    if (v === v) this.restCurves.add(tS, v);
    if (this.bdf) this.counters.write(this.bdf, tS, r, this.events.cycles.length + 1);
    this.prevTMs = tMs;
    this.prevT = tS;
    this.prevI = currentA;
    this.prevV = v;
  }

  /**
   * The end of the input. The model closes a cycle only when the next one starts: one synthetic
   * sample 1 ms later carrying a small first-half current closes the open cycle (its counted
   * charge, < activeCurrentA × 1 ms, falls into the never-reported next cycle). A cycle whose
   * second half was still running at the end is marked truncated.
   */
  finish(importStats: ImportStats): ReplayResult {
    const counted = this.model.state().count;
    this.events.halves.finish(counted, counted.havePrev === 1 ? counted.lastTMs : this.prevTMs);
    const truncatedCycle = this.samples > 0 ? this.closeLastCycle() : -1;
    this.restCurves.close();
    const ev = this.events;
    return {
      truncatedCycle,
      samples: this.samples,
      importStats,
      cycles: ev.cycles,
      rests: ev.rests,
      retentions: ev.retentions,
      adams: ev.adams,
      halves: ev.halves.halves,
      gaps: ev.gaps,
      alarms: ev.alarmList(),
      series: this.dec.series(),
      restCurves: this.restCurves.sorted(),
      dqdv: this.dqdv.finish(),
      impedanceRows: this.impedanceRows,
    };
  }

  /** Step the closing sample(s); the index of the last cycle if it was cut short, else −1. */
  private closeLastCycle(): number {
    const seg = this.cfg.segmentation;
    const segNow = this.model.status().segment;
    const secondSeg = seg.firstHalf === "charge" ? SEG_DISCHARGE : SEG_CHARGE;
    const cycles = this.events.cycles;
    const before = cycles.length;
    const closeA = (seg.firstHalf === "charge" ? 1 : -1) * CLOSE_CURRENT_OF_ACTIVE * seg.activeCurrentA;
    const prevV = this.prevV;
    for (let c = 0; c < this.cellV.length; c++) this.cellV[c] = prevV === prevV ? prevV / this.cfg.cellCount : NaN;
    this.sample.openCircuit = 0;
    this.synthTMs = this.prevTMs;
    const inFirstHalf = this.model.state().cyc.phase === PHASE_FIRST;
    this.synthetic(closeA);
    // A last first half with no second half after it: a short second-half current, then the
    // first-half one, close it as a cycle of its own (partial, and truncated: every half is in
    // some row). Their charge, < 2 × activeCurrentA × (1 ms + dwell), is the second half's.
    const lone = cycles.length === before && inFirstHalf;
    if (lone) {
      this.synthetic(-closeA);
      this.synthetic(closeA);
    }
    if (cycles.length > before && (segNow === secondSeg || lone)) {
      const last = cycles[cycles.length - 1];
      last.flags |= CYCLE_FLAG_TRUNCATED;
      if (lone) noSecondHalf(last, seg.firstHalf);
      return last.index;
    }
    return -1;
  }

  /** One synthetic closing sample of `currentA` 1 ms after the last (and one a dwell later). */
  private synthetic(currentA: number): void {
    const s = this.sample;
    s.currentA = currentA;
    this.synthTMs += NUDGE_MS;
    s.tMs = this.synthTMs;
    this.model.step(s);
    const dwellMs = this.cfg.segmentation.dwellMs;
    if (dwellMs > 0) {
      this.synthTMs += dwellMs;
      s.tMs = this.synthTMs;
      this.model.step(s);
    }
  }
}

/** The second half of a lone first half is the synthetic samples' alone: none in the data. */
function noSecondHalf(last: CycleRecord, firstHalf: "charge" | "discharge"): void {
  if (firstHalf === "charge") {
    last.dischargeAh = 0;
    last.dischargeWh = 0;
    last.meanDischargeV = NaN;
  } else {
    last.chargeAh = 0;
    last.chargeWh = 0;
    last.meanChargeV = NaN;
  }
  last.voltageGapV = NaN;
}

/**
 * The cycler's cycle numbers go to BDF only as they are when BDF can take them: integers ≥ 0,
 * never decreasing (the BDF repository's Neware example writes 2π on every row).
 */
function cyclerCyclesUsable(prof: InputProfile): boolean {
  const cc = prof.cyclerCycles;
  return cc.length > 0 && cc.every((e, k) => Number.isInteger(e.cycle) && e.cycle >= 0 && (k === 0 || e.cycle >= cc[k - 1].cycle));
}
