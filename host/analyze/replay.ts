/**
 * Replay an input through the shared model (the same PackModel the board runs): stream the
 * importer's records as `Sample`s into `PackModel.step`, collect the model's events, and keep
 * the fixed-size extracts the report plots (decimated V/I series, rest voltage curves, dQ/dV
 * histograms of chosen cycles). Memory is flat in the number of samples: only cycle and rest
 * records grow, one small object per cycle or rest.
 */
import { statSync } from "node:fs";
import type { PackConfig } from "../../shared/config/packConfig";
import type { CycleRecord, ModelEvent, RestRecord } from "../../shared/model/events";
import { SEG_DISCHARGE, SEG_CHARGE, SEG_REST } from "../../shared/model/events";
import { PackModel } from "../../shared/model/packModel";
import { fastForward, type SampleColumns } from "../../shared/model/fastForward";
import { negativeAreaAh, negativeEnergyWh, positiveAreaAh, positiveEnergyWh } from "../../shared/counting/trapezoid";
import type { Sample } from "../../shared/sample";
import type { BdfWriter } from "../bdf/writer";
import { STEP_OTHER, STEP_REST, type ImportedRecord, type Importer, type ImportStats, type ProgressFn } from "../import/record";
import type { InputProfile } from "./profile";
import { canReadInWorker, startWorkerRead, type WorkerRead } from "./parallelRead";
import { FIELDS_PER_RECORD, F_I, F_RESTORED, F_STEP_KIND, F_T, F_TEMP, F_V } from "./batchLayout";
import { HalfCollector, type HalfRecord } from "./adams";

/** Points kept for the voltage/current-vs-time plot (min/max per bucket → 2 per bucket drawn). */
export const PLOT_BUCKETS = 3000;
/** Points kept per rest voltage curve (log-spaced in time since the rest began). */
export const REST_CURVE_POINTS = 240;
/** Growth factor between kept rest-curve points (log spacing). */
const REST_CURVE_LOG_STEP = 1.04;
/** Rest curves kept for the report (the longest ones). */
export const MAX_REST_CURVES = 40;
/** Voltage bins of the dQ/dV histograms over the input's voltage range. */
export const DQDV_BINS = 160;
/** Two timestamps closer than this (ms), or equal, are one instant: nudged apart by NUDGE_MS. */
const DUPLICATE_TOLERANCE_MS = 1;
/** Nudge applied to equal timestamps (cycler exports repeat the time at step boundaries). */
const NUDGE_MS = 1;
const MS_PER_S = 1000;
/**
 * Analysis-level cycle flag (above the model's CYCLE_FLAG_* bits): the input ended while the
 * cycle's second half was still running, so its numbers cover only part of that half.
 */
export const CYCLE_FLAG_TRUNCATED = 256;
/** Inputs from this size (bytes) are parsed on a worker thread by default. */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
/** Closing sample's current as a multiple of activeCurrentA (just above the threshold). */
const CLOSE_CURRENT_OF_ACTIVE = 2;
const MS_PER_H = 3600000;

export interface PlotSeries {
  tS: number[];
  vMin: number[];
  vMax: number[];
  iMin: number[];
  iMax: number[];
}

export interface RestCurve {
  /** Model's rest index (matches RestRecord.index when the rest completed; else −1). */
  restIndex: number;
  startS: number;
  /** Time since the rest began (s) and voltage (V). */
  tS: number[];
  v: number[];
}

export interface DqDvCurve {
  cycle: number;
  /** Bin centre voltages (V). */
  v: number[];
  /** dQ/dV (Ah/V) on charge and on discharge (positive). */
  charge: number[];
  discharge: number[];
}

export interface RetentionEvent {
  tS: number;
  restIndex: number;
  retention: number;
  rcld: number;
}

export interface AdamsEvent {
  tS: number;
  ce: number;
  ceBound: number;
}

export interface AlarmSummary {
  id: string;
  level: string;
  raised: number;
  firstTS: number;
  worstValue: number;
}

export interface ReplayResult {
  samples: number;
  importStats: ImportStats;
  cycles: CycleRecord[];
  rests: RestRecord[];
  retentions: RetentionEvent[];
  adams: AdamsEvent[];
  /** The model's half-cycles in order (for the Adams reservoir CE of a labelled span, adams.ts). */
  halves: HalfRecord[];
  gaps: { count: number; longestS: number };
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
  /**
   * Parse on a worker thread while the model runs here: true, false, or (default) "auto" =
   * for inputs of PARALLEL_MIN_BYTES or more.
   */
  parallel?: boolean | "auto";
  /** When given, every replayed sample is also written as a BDF row. */
  bdf?: BdfWriter;
  /**
   * A worker read of this input started earlier with `startReplayRead` (so that the worker
   * booted while the caller profiled the input); used instead of starting one.
   */
  reader?: WorkerRead | null;
}

/** What the replay asks of an importer: no cycler columns (it recounts everything itself). */
const REPLAY_READ_OPTIONS = { cyclerColumns: false };

/** True when the replay of `path` reads it on a worker thread (see ReplayOptions.parallel). */
export function replayReadsInWorker(imp: Importer, path: string, parallel: boolean | "auto" = "auto"): boolean {
  return canReadInWorker(imp) && (parallel === true || (parallel !== false && fileSize(path) >= PARALLEL_MIN_BYTES));
}

/**
 * Start the worker read that `replay(imp, path, …)` would start, now (null when the replay
 * reads in-thread): pass it as ReplayOptions.reader; cancel it if the replay does not happen.
 */
export function startReplayRead(imp: Importer, path: string, parallel: boolean | "auto" = "auto"): WorkerRead | null {
  return replayReadsInWorker(imp, path, parallel) ? startWorkerRead(imp, path, REPLAY_READ_OPTIONS) : null;
}

/**
 * Margin (fraction of the values involved) by which the batch loop's quick same-bin tests (plot
 * bucket, dQ/dV voltage bin) stay inside a bin's edges: 1e-9 ≫ the 2 × 2⁻⁵³ relative rounding of
 * the subtraction and division that compute a bin (IEEE 754 binary64), so a quick test never
 * disagrees with the floor((x − origin) / width) it saves.
 */
const QUICK_BIN_MARGIN_FRAC = 1e-9;

/**
 * Min/max per time bucket of the V/I plot. The open bucket's extremes are kept in fields and
 * written to the series when the next bucket opens and by `flush()` (call it before reading `s`).
 */
class Decimator {
  readonly s: PlotSeries = { tS: [], vMin: [], vMax: [], iMin: [], iMax: [] };
  /** Open bucket: index and extremes so far (NaN voltage = none valid yet). */
  bucket = -1;
  vMin = NaN;
  vMax = NaN;
  iMin = NaN;
  iMax = NaN;
  constructor(readonly startS: number, readonly widthS: number) {}
  bucketOf(tS: number): number {
    return Math.floor((tS - this.startS) / this.widthS);
  }
  /**
   * A time range certainly inside bucket `b`: bucketOf gives `b` for every tS in [lo, hi)
   * (the bucket's edges pulled in by QUICK_BIN_MARGIN_FRAC of the times involved, far more
   * than the rounding of bucketOf's subtraction and division); empty for a NaN bucket.
   */
  safeLoS(b: number): number {
    return this.startS + b * this.widthS + QUICK_BIN_MARGIN_FRAC * (Math.abs(this.startS) + (Math.abs(b) + 1) * this.widthS);
  }
  safeHiS(b: number): number {
    return this.startS + (b + 1) * this.widthS - QUICK_BIN_MARGIN_FRAC * (Math.abs(this.startS) + (Math.abs(b) + 1) * this.widthS);
  }
  add(tS: number, v: number, i: number): void {
    const b = this.bucketOf(tS);
    if (b !== this.bucket) {
      this.open(b, tS, v, i);
      return;
    }
    if (v < this.vMin || this.vMin !== this.vMin) this.vMin = v;
    if (v > this.vMax || this.vMax !== this.vMax) this.vMax = v;
    if (i < this.iMin) this.iMin = i;
    if (i > this.iMax) this.iMax = i;
  }
  /** Close the open bucket and open bucket `b` with its first sample. */
  open(b: number, tS: number, v: number, i: number): void {
    this.flush();
    this.bucket = b;
    this.s.tS.push(tS);
    this.s.vMin.push(v);
    this.s.vMax.push(v);
    this.s.iMin.push(i);
    this.s.iMax.push(i);
    this.vMin = v;
    this.vMax = v;
    this.iMin = i;
    this.iMax = i;
  }
  /** Write the open bucket's extremes to the series. */
  flush(): void {
    const k = this.s.tS.length - 1;
    if (k < 0) return;
    this.s.vMin[k] = this.vMin;
    this.s.vMax[k] = this.vMax;
    this.s.iMin[k] = this.iMin;
    this.s.iMax[k] = this.iMax;
  }
}

/**
 * A worker batch as the model's columns (shared/model/fastForward.ts), plus what the replay
 * keeps per row: the row's voltage before it is spread over the cells (the cell column itself
 * for a one-cell pack), the restored flag, and the row's dQ and dQ/dV bin.
 * Reused from batch to batch (grown when a batch is longer).
 */
class BatchColumns implements SampleColumns {
  tMs = new Float64Array(0);
  currentA = new Float64Array(0);
  cellV = new Float64Array(0);
  tempC = new Float64Array(0);
  openCircuit = new Uint8Array(0);
  v = new Float64Array(0);
  restored = new Uint8Array(0);
  /** dQ of the row's interval (Ah; + charge, − discharge, 0 none) and its dQ/dV voltage bin. */
  dqAh = new Float64Array(0);
  dqBin = new Int32Array(0);
  constructor(readonly cellCount: number, readonly tempCount: number) {}
  ensure(rows: number): BatchColumns {
    if (this.tMs.length < rows) {
      this.tMs = new Float64Array(rows);
      this.currentA = new Float64Array(rows);
      this.cellV = new Float64Array(rows * this.cellCount);
      this.tempC = new Float64Array(rows * this.tempCount);
      this.openCircuit = new Uint8Array(rows);
      this.v = this.cellCount === 1 ? this.cellV : new Float64Array(rows);
      this.restored = new Uint8Array(rows);
      this.dqAh = new Float64Array(rows);
      this.dqBin = new Int32Array(rows);
    }
    return this;
  }
}

export async function replay(imp: Importer, path: string, opts: ReplayOptions): Promise<ReplayResult> {
  const cfg = opts.config;
  const prof = opts.profile;
  const cycles: CycleRecord[] = [];
  const rests: RestRecord[] = [];
  const retentions: RetentionEvent[] = [];
  const adams: AdamsEvent[] = [];
  const halfCollector = new HalfCollector();
  const alarms = new Map<string, AlarmSummary>();
  const gaps = { count: 0, longestS: 0 };
  const restCurves: RestCurve[] = [];
  let openRest: RestCurve | null = null;
  let lastClosedRest: RestCurve | null = null;
  let nextRestLogS = 0;

  // dQ/dV histograms: voltage range of the input.
  const vLo = Number.isFinite(prof.minV) ? prof.minV : 0;
  const vHi = Number.isFinite(prof.maxV) && prof.maxV > vLo ? prof.maxV : vLo + 1;
  const binW = (vHi - vLo) / DQDV_BINS;
  const hC = new Float64Array(DQDV_BINS);
  const hD = new Float64Array(DQDV_BINS);
  const dqdv: DqDvCurve[] = [];
  const wanted = new Set(opts.dqdvCycles ?? []);
  let firstCleanKept = (opts.dqdvCycles ?? []).length > 0;
  let lastCurve: DqDvCurve | null = null;
  const curveOf = (cycle: number): DqDvCurve => {
    const v: number[] = [];
    const c: number[] = [];
    const d: number[] = [];
    for (let b = 0; b < DQDV_BINS; b++) {
      v.push(vLo + (b + 0.5) * binW);
      c.push(hC[b] / binW);
      d.push(hD[b] / binW);
    }
    return { cycle, v, charge: c, discharge: d };
  };

  // BDF export bookkeeping (counts per cycle with the model's own trapezoid rule).
  let stepCount = 1;
  let cycC = 0;
  let cycD = 0;
  let cycCWh = 0;
  let cycDWh = 0;

  const onEvent = (ev: ModelEvent): void => {
    switch (ev.kind) {
      case "cycle": {
        cycles.push(ev.cycle);
        const clean = ev.cycle.flags === 0;
        if (wanted.has(ev.cycle.index) || (!firstCleanKept && clean)) {
          dqdv.push(curveOf(ev.cycle.index));
          if (!wanted.has(ev.cycle.index)) firstCleanKept = true;
          lastCurve = null;
        } else {
          lastCurve = curveOf(ev.cycle.index);
        }
        hC.fill(0);
        hD.fill(0);
        cycC = 0;
        cycD = 0;
        cycCWh = 0;
        cycDWh = 0;
        break;
      }
      case "rest":
        rests.push(ev.rest);
        // The model reports a rest when it ends, after its segment event closed our curve.
        if (lastClosedRest && lastClosedRest.restIndex < 0) lastClosedRest.restIndex = ev.rest.index;
        else if (openRest && openRest.restIndex < 0) openRest.restIndex = ev.rest.index;
        break;
      case "retention":
        retentions.push({ tS: ev.tMs / MS_PER_S, restIndex: ev.restIndex, retention: ev.retention, rcld: ev.rcld });
        break;
      case "adams":
        adams.push({ tS: ev.tMs / MS_PER_S, ce: ev.ce, ceBound: ev.ceBound });
        break;
      case "gap":
        gaps.count++;
        if (ev.dtMs / MS_PER_S > gaps.longestS) gaps.longestS = ev.dtMs / MS_PER_S;
        break;
      case "alarm": {
        if (!ev.raised) break;
        const key = ev.id + "/" + ev.level;
        const a = alarms.get(key);
        if (a) {
          a.raised++;
          if (Math.abs(ev.value) > Math.abs(a.worstValue)) a.worstValue = ev.value;
        } else {
          alarms.set(key, { id: ev.id, level: ev.level, raised: 1, firstTS: ev.tMs / MS_PER_S, worstValue: ev.value });
        }
        break;
      }
      case "segment": {
        // The counters at the switch: the boundary of the model's half-cycles.
        const mark = model.state().count.mark;
        halfCollector.boundary(mark, mark.tMs, ev.to);
        stepCount++;
        lastClosedRest = null;
        if (ev.to === SEG_REST) {
          closeRest();
          openRest = { restIndex: -1, startS: ev.tMs / MS_PER_S, tS: [], v: [] };
          nextRestLogS = 0;
        } else if (ev.from === SEG_REST) {
          closeRest();
        }
        break;
      }
    }
  };
  const closeRest = (): void => {
    if (!openRest) return;
    const r = openRest;
    openRest = null;
    lastClosedRest = r;
    if (r.tS.length < 2) return;
    if (restCurves.length < MAX_REST_CURVES) {
      restCurves.push(r);
      return;
    }
    // Keep the longest rests: replace the shortest kept one if this one is longer.
    let shortest = 0;
    for (let k = 1; k < restCurves.length; k++) {
      if (lastOf(restCurves[k].tS) < lastOf(restCurves[shortest].tS)) shortest = k;
    }
    if (lastOf(r.tS) > lastOf(restCurves[shortest].tS)) restCurves[shortest] = r;
  };

  const model = new PackModel(cfg, onEvent);
  const cellCount = cfg.cellCount;
  const cellV = new Float64Array(cellCount);
  const tempArr = new Float64Array(cfg.tempCount > 0 ? cfg.tempCount : 0);
  const sample: Sample = { tMs: 0, cellV, currentA: 0, tempC: tempArr, openCircuit: 0 };
  const batchCols = new BatchColumns(cellCount, tempArr.length);
  /** onBatch's carried-in doubles (see there). */
  const carryF64 = new Float64Array(4);
  const spanS = Number.isFinite(prof.endS - prof.startS) && prof.endS > prof.startS ? prof.endS - prof.startS : 1;
  const dec = new Decimator(prof.startS, spanS / PLOT_BUCKETS);
  let prevTMs = -Infinity;
  let prevRawTMs = -Infinity;
  let prevI = NaN;
  let prevV = NaN;
  let prevT = NaN;
  let samples = 0;
  let impedanceRows = 0;
  const bdf = opts.bdf;
  const zeroIsOpen = opts.zeroCurrentIsOpenCircuit === true;

  if (opts.reader && (opts.reader.path !== path || opts.reader.format !== imp.format || opts.reader.cyclerColumns)) {
    throw new Error(
      `replay of ${path} (${imp.format}) was given a worker read of ${opts.reader.path} (${opts.reader.format}, cyclerColumns ${opts.reader.cyclerColumns}); start it with startReplayRead(imp, path)`,
    );
  }
  const reader = opts.reader ?? (replayReadsInWorker(imp, path, opts.parallel) ? startWorkerRead(imp, path, REPLAY_READ_OPTIONS) : null);
  /** One sample: the record's fields as scalars (per-cell arrays only for zbms logs). */
  const stepRow = (
    tSIn: number,
    voltageV: number,
    currentA: number,
    tempC: number,
    stepKind: number,
    restored: number,
    cellsV: number[] | null,
    tempsC: number[] | null,
  ): void => {
      const rawTMs = tSIn * MS_PER_S;
      let tMs = rawTMs;
      // Repeated timestamps (step boundaries, 1-s time resolution) are nudged forward; a real
      // clock-back (earlier than the previous raw time) reaches the model as it is.
      if (tMs <= prevTMs && rawTMs >= prevRawTMs - DUPLICATE_TOLERANCE_MS) tMs = prevTMs + NUDGE_MS;
      prevRawTMs = rawTMs;
      const impedance = stepKind === STEP_OTHER;
      if (impedance) impedanceRows++;
      const v = impedance ? NaN : voltageV;
      if (cellsV !== null && !impedance) {
        for (let c = 0; c < cellCount; c++) cellV[c] = c < cellsV.length ? cellsV[c] : NaN;
      } else {
        // One voltage for the whole (series) stack: spread evenly over the configured cells.
        for (let c = 0; c < cellCount; c++) cellV[c] = v / cellCount;
      }
      if (tempsC !== null) {
        for (let k = 0; k < tempArr.length; k++) tempArr[k] = k < tempsC.length ? tempsC[k] : NaN;
      } else {
        for (let k = 0; k < tempArr.length; k++) tempArr[k] = tempC;
      }
      if (restored === 1) model.markRestored();
      sample.tMs = tMs;
      sample.currentA = currentA;
      sample.openCircuit = stepKind === STEP_REST || (zeroIsOpen && currentA === 0) ? 1 : 0;
      model.step(sample);
      samples++;
      const tS = tMs / MS_PER_S;
      dec.add(tS, v, currentA);
      if (prevT === prevT && tMs > prevTMs && currentA === currentA && prevI === prevI) {
        const dtH = (tMs - prevTMs) / MS_PER_H;
        const dq = Math.abs(currentA) * dtH;
        if (v === v) {
          const b = Math.floor((v - vLo) / binW);
          const bb = b < 0 ? 0 : b >= DQDV_BINS ? DQDV_BINS - 1 : b;
          if (currentA > 0) hC[bb] += dq;
          else if (currentA < 0) hD[bb] += dq;
        }
        if (bdf) {
          cycC += positiveAreaAh(prevI, currentA, dtH);
          cycD += negativeAreaAh(prevI, currentA, dtH);
          if (v === v && prevV === prevV) {
            cycCWh += positiveEnergyWh(prevV, v, prevI, currentA, dtH);
            cycDWh += negativeEnergyWh(prevV, v, prevI, currentA, dtH);
          }
        }
      }
      if (samples === 1) {
        // The model starts in rest: a run that opens at open circuit has a first rest too.
        openRest = { restIndex: -1, startS: tS, tS: [], v: [] };
        nextRestLogS = 0;
      }
      if (openRest && v === v) {
        const since = tS - openRest.startS;
        if (since >= nextRestLogS && openRest.tS.length < REST_CURVE_POINTS) {
          openRest.tS.push(since);
          openRest.v.push(v);
          nextRestLogS = since <= 0 ? 1 : since * REST_CURVE_LOG_STEP;
        }
      }
      if (bdf) {
        bdf.writeRow({
          testTimeS: tS,
          voltageV: voltageV,
          currentA: currentA,
          cycleCount: cycles.length + 1,
          stepCount,
          ambientTempC: tempC,
          chargingCapacityAh: cycC,
          dischargingCapacityAh: cycD,
          chargingEnergyWh: cycCWh,
          dischargingEnergyWh: cycDWh,
        });
      }
      prevTMs = tMs;
      prevT = tS;
      prevI = currentA;
      prevV = v;
  };
  const onRecord = (r: ImportedRecord): void => {
    stepRow(r.tS, r.voltageV, r.currentA, r.tempC, r.stepKind, r.restored, r.cellsV.length > 0 ? r.cellsV : null, r.tempsC.length > 0 ? r.tempsC : null);
  };
  /**
   * A worker batch. Without a BDF writer this gives what stepRow (cellsV = tempsC = null) gives
   * row by row, in two passes over the batch's columns and with fastForward for the steady rows
   * (the replay's hot loop: ~10⁷ rows on long inputs); a change to stepRow must be made here
   * too (test/host/analyze: parallel and in-thread replays give identical results).
   */
  const onBatch = (b: Float64Array, count: number): void => {
    if (bdf) {
      for (let k = 0; k < count; k++) {
        const o = k * FIELDS_PER_RECORD;
        stepRow(b[o + F_T], b[o + F_V], b[o + F_I], b[o + F_TEMP], b[o + F_STEP_KIND], b[o + F_RESTORED], null, null);
      }
      return;
    }
    // No double is carried from row to row in a local: a row reads the previous row's values
    // from the columns (row 0 from the previous batch, through a Float64Array). V8 boxes a loop
    // variable whose first value is a closure variable (a heap number) — one heap number per row
    // and update, ≈ 590 MB of garbage per 10⁷ rows in about half of the runs (sampling heap
    // profiler); values read from typed arrays stay plain doubles.
    carryF64[0] = prevTMs;
    carryF64[1] = prevRawTMs;
    carryF64[2] = prevI;
    carryF64[3] = nextRestLogS;
    const nTemps = tempArr.length;
    // Pass 1, everything that does not depend on the model: the rows as the model's columns
    // (times nudged apart, voltages spread over the cells), the V/I plot's buckets, and each
    // row's dQ (Ah, + charge, − discharge) and dQ/dV voltage bin.
    const cols = batchCols.ensure(count);
    const tCol = cols.tMs;
    const aCol = cols.currentA;
    const vCol = cols.cellV;
    const tempCol = cols.tempC;
    const ocCol = cols.openCircuit;
    const restoredCol = cols.restored;
    const vRow = cols.v;
    const dqCol = cols.dqAh;
    const binCol = cols.dqBin;
    /** stepRow's `prevT === prevT` for row 0 (a previous sample with a valid time). */
    const firstPrevTOk = prevT === prevT;
    // The decimator's open bucket in locals (Decimator.add inlined: no call per sample).
    let dBucket = dec.bucket;
    let dVMin = dec.vMin;
    let dVMax = dec.vMax;
    let dIMin = dec.iMin;
    let dIMax = dec.iMax;
    // The open bucket's safe range in ms: tS = tMs / MS_PER_S is computed only where needed.
    let dLoMs = dec.safeLoS(dBucket) * MS_PER_S;
    let dHiMs = dec.safeHiS(dBucket) * MS_PER_S;
    // dQ/dV: the last voltage bin (clamped) and the range of v certainly inside it.
    let qBin = 0;
    let qLoV = NaN;
    let qHiV = NaN;
    let restoredRows = 0;
    for (let k = 0; k < count; k++) {
      const o = k * FIELDS_PER_RECORD;
      const rawTMs = b[o + F_T] * MS_PER_S;
      const currentA = b[o + F_I];
      const stepKind = b[o + F_STEP_KIND];
      const pTMs = k > 0 ? tCol[k - 1] : carryF64[0];
      const lastRawTMs = k > 0 ? b[o - FIELDS_PER_RECORD + F_T] * MS_PER_S : carryF64[1];
      let tMs = rawTMs;
      if (tMs <= pTMs && rawTMs >= lastRawTMs - DUPLICATE_TOLERANCE_MS) tMs = pTMs + NUDGE_MS;
      const impedance = stepKind === STEP_OTHER;
      if (impedance) impedanceRows++;
      const v = impedance ? NaN : b[o + F_V];
      tCol[k] = tMs;
      aCol[k] = currentA;
      vRow[k] = v; // one cell: vRow is vCol
      if (cellCount !== 1) for (let c = 0; c < cellCount; c++) vCol[k * cellCount + c] = v / cellCount;
      if (nTemps > 0) {
        const tempC = b[o + F_TEMP];
        for (let q = 0; q < nTemps; q++) tempCol[k * nTemps + q] = tempC;
      }
      ocCol[k] = stepKind === STEP_REST || (zeroIsOpen && currentA === 0) ? 1 : 0;
      const restored = b[o + F_RESTORED] === 1 ? 1 : 0;
      restoredCol[k] = restored;
      restoredRows += restored;
      // Same bucket as the previous sample when well inside its edges, else bucketOf decides.
      const bucket = tMs >= dLoMs && tMs < dHiMs ? dBucket : dec.bucketOf(tMs / MS_PER_S);
      if (bucket !== dBucket) {
        const tS = tMs / MS_PER_S;
        dec.vMin = dVMin;
        dec.vMax = dVMax;
        dec.iMin = dIMin;
        dec.iMax = dIMax;
        dec.open(bucket, tS, v, currentA);
        dBucket = bucket;
        dLoMs = dec.safeLoS(bucket) * MS_PER_S;
        dHiMs = dec.safeHiS(bucket) * MS_PER_S;
        dVMin = v;
        dVMax = v;
        dIMin = currentA;
        dIMax = currentA;
      } else {
        if (v < dVMin || dVMin !== dVMin) dVMin = v;
        if (v > dVMax || dVMax !== dVMax) dVMax = v;
        if (currentA < dIMin) dIMin = currentA;
        if (currentA > dIMax) dIMax = currentA;
      }
      const pI = k > 0 ? aCol[k - 1] : carryF64[2];
      const pTOk = k > 0 ? pTMs === pTMs : firstPrevTOk;
      let dqAh = 0;
      if (pTOk && tMs > pTMs && currentA === currentA && pI === pI && v === v) {
        const dq = Math.abs(currentA) * ((tMs - pTMs) / MS_PER_H);
        if (!(v >= qLoV && v < qHiV)) {
          // Outside the last voltage bin's safe range: compute the bin (as stepRow does).
          const bin = Math.floor((v - vLo) / binW);
          qBin = bin < 0 ? 0 : bin >= DQDV_BINS ? DQDV_BINS - 1 : bin;
          const margin = QUICK_BIN_MARGIN_FRAC * (Math.abs(vLo) + (Math.abs(bin) + 1) * binW);
          qLoV = vLo + bin * binW + margin;
          qHiV = vLo + (bin + 1) * binW - margin;
        }
        if (currentA > 0) dqAh = dq;
        else if (currentA < 0) dqAh = -dq;
      }
      dqCol[k] = dqAh;
      binCol[k] = qBin;
    }
    dec.bucket = dBucket;
    dec.vMin = dVMin;
    dec.vMax = dVMax;
    dec.iMin = dIMin;
    dec.iMax = dIMax;
    // Pass 2: the model (fastForward over the steady rows of a half, step for the others) and,
    // row by row after it, what depends on its events: the dQ/dV histograms (reset when a cycle
    // closes) and the open rest's voltage curve. A fast-forwarded row emits no event.
    let n = samples;
    let rest = openRest as RestCurve | null;
    let restNextS = carryF64[3];
    let fastEnd = 0;
    let nextRestored = -1;
    for (let k = 0; k < count; k++) {
      if (k >= fastEnd) {
        if (restoredRows > 0 && nextRestored < k) {
          // A restored row is stepped (markRestored first): a fast run stops before it.
          nextRestored = k;
          while (nextRestored < count && restoredCol[nextRestored] === 0) nextRestored++;
        }
        fastEnd = fastForward(model, cols, k, restoredRows > 0 ? nextRestored : count);
        if (fastEnd === k) {
          if (restoredCol[k] === 1) model.markRestored();
          for (let c = 0; c < cellCount; c++) cellV[c] = vCol[k * cellCount + c];
          for (let q = 0; q < nTemps; q++) tempArr[q] = tempCol[k * nTemps + q];
          sample.tMs = tCol[k];
          sample.currentA = aCol[k];
          sample.openCircuit = ocCol[k];
          model.step(sample);
          fastEnd = k + 1;
          if ((openRest as RestCurve | null) !== rest) {
            // A segment event opened or closed a rest curve.
            rest = openRest as RestCurve | null;
            restNextS = nextRestLogS;
          }
        }
      }
      const dqAh = dqCol[k];
      if (dqAh > 0) hC[binCol[k]] += dqAh;
      else if (dqAh < 0) hD[binCol[k]] -= dqAh;
      if (n + k === 0) {
        // The model starts in rest: a run that opens at open circuit has a first rest too.
        rest = { restIndex: -1, startS: tCol[k] / MS_PER_S, tS: [], v: [] };
        openRest = rest;
        restNextS = 0;
      }
      if (rest !== null) {
        const v = vRow[k];
        const since = tCol[k] / MS_PER_S - rest.startS;
        if (v === v && since >= restNextS && rest.tS.length < REST_CURVE_POINTS) {
          rest.tS.push(since);
          rest.v.push(v);
          restNextS = since <= 0 ? 1 : since * REST_CURVE_LOG_STEP;
        }
      }
    }
    n += count;
    openRest = rest;
    nextRestLogS = restNextS;
    if (count > 0) {
      const last = count - 1;
      prevTMs = tCol[last];
      prevRawTMs = b[last * FIELDS_PER_RECORD + F_T] * MS_PER_S;
      prevT = prevTMs / MS_PER_S;
      prevI = aCol[last];
      prevV = vRow[last];
    }
    samples = n;
  };
  const importStats = reader !== null
    ? await reader.consume(onRecord, opts.onProgress, onBatch)
    : await imp.read(path, onRecord, opts.onProgress, undefined, REPLAY_READ_OPTIONS);
  // The model closes a cycle only when the next one starts; at the end of the input, one
  // synthetic sample 1 ms later carrying a small first-half current closes the open cycle
  // (its counted charge, < activeCurrentA × 1 ms, falls into the never-reported next cycle).
  // A cycle whose second half was still running at the end is marked truncated.
  let truncatedCycle = -1;
  const counted = model.state().count;
  halfCollector.finish(counted, counted.havePrev === 1 ? counted.lastTMs : prevTMs);
  if (samples > 0) {
    const segNow = model.status().segment;
    const secondSeg = cfg.segmentation.firstHalf === "charge" ? SEG_DISCHARGE : SEG_CHARGE;
    const before = cycles.length;
    const sign = cfg.segmentation.firstHalf === "charge" ? 1 : -1;
    const closeA = sign * CLOSE_CURRENT_OF_ACTIVE * cfg.segmentation.activeCurrentA;
    sample.openCircuit = 0;
    sample.currentA = closeA;
    for (let c = 0; c < cellCount; c++) cellV[c] = prevV === prevV ? prevV / cellCount : NaN;
    sample.tMs = prevTMs + NUDGE_MS;
    model.step(sample);
    if (cfg.segmentation.dwellMs > 0) {
      sample.tMs = prevTMs + NUDGE_MS + cfg.segmentation.dwellMs;
      model.step(sample);
    }
    if (cycles.length > before && segNow === secondSeg) {
      const last = cycles[cycles.length - 1];
      truncatedCycle = last.index;
      last.flags |= CYCLE_FLAG_TRUNCATED;
    }
  }
  closeRest();
  const lc = lastCurve as DqDvCurve | null;
  if (lc && !dqdv.some((d) => d.cycle === lc.cycle)) dqdv.push(lc);
  return {
    truncatedCycle,
    samples,
    importStats,
    cycles,
    rests,
    retentions,
    adams,
    halves: halfCollector.halves,
    gaps,
    alarms: Array.from(alarms.values()),
    series: flushed(dec),
    restCurves: restCurves.sort((a, b) => a.startS - b.startS),
    dqdv,
    impedanceRows,
  };
}

function flushed(dec: Decimator): PlotSeries {
  dec.flush();
  return dec.s;
}

function lastOf(a: number[]): number {
  return a.length > 0 ? a[a.length - 1] : 0;
}
