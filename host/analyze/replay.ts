/**
 * Replay an input through the shared model (the same PackModel the board runs): stream the
 * importer's records as `Sample`s into `PackModel.step`, collect the model's events, and keep
 * the fixed-size extracts the report plots (decimated V/I series, rest voltage curves, dQ/dV
 * histograms of chosen cycles). Memory is flat in the number of samples: only cycle and rest
 * records grow, one small object per cycle or rest.
 *
 * Two ways: in-thread, record by record (`stepRow`: zbms logs, small files, the BDF export), or
 * on a worker (large files) in two passes: pass 1 (rowColumns.ts, on the read worker) turns the
 * records into the model's columns with each row's dQ and dQ/dV bin and keeps the plot buckets;
 * pass 2 (`onColumns`, here) steps the model over them. Both give identical results (tested).
 */
import { statSync } from "node:fs";
import type { PackConfig } from "../../shared/config/packConfig";
import type { CycleRecord, ModelEvent, RestRecord } from "../../shared/model/events";
import { SEG_DISCHARGE, SEG_CHARGE, SEG_REST } from "../../shared/model/events";
import { PackModel } from "../../shared/model/packModel";
import { PHASE_FIRST } from "../../shared/cycles/cycleTracker";
import { fastForward, type SampleColumns } from "../../shared/model/fastForward";
import { fastRest } from "../../shared/model/fastRest";
import { negativeAreaAh, negativeEnergyWh, positiveAreaAh, positiveEnergyWh } from "../../shared/counting/trapezoid";
import type { Sample } from "../../shared/sample";
import type { BdfWriter } from "../bdf/writer";
import { STEP_OTHER, STEP_REST, type ImportedRecord, type Importer, type ImportStats, type ProgressFn } from "../import/record";
import type { InputProfile } from "./profile";
import { canReadInWorker, startWorkerRead, type BatchRead, type WorkerRead } from "./parallelRead";
import { FIELDS_PER_RECORD, F_I, F_RESTORED, F_STEP_KIND, F_T, F_TEMP, F_V } from "./batchLayout";
import {
  COLUMN_BATCH_ROWS,
  C_CURRENT_A,
  C_DQ_AH,
  C_DQ_BIN,
  C_OPEN_CIRCUIT,
  C_RESTORED,
  C_TEMP_C,
  C_T_MS,
  C_V,
  DQDV_BINS,
  Decimator,
  MS_PER_H,
  MS_PER_S,
  NUDGE_MS,
  dqdvBinOf,
  dqdvBins,
  nudgedTMs,
  plotBuckets,
  type PlotSeries,
} from "./rowColumns";
import { HalfCollector, type HalfRecord } from "./adams";
import { warmUpRun } from "./warmUp";

export { DQDV_BINS, PLOT_BUCKETS, type PlotSeries } from "./rowColumns";

/** Points kept per rest voltage curve (log-spaced in time since the rest began). */
export const REST_CURVE_POINTS = 240;
/** Growth factor between kept rest-curve points (log spacing). */
const REST_CURVE_LOG_STEP = 1.04;
/** Rest curves kept for the report (the longest ones). */
export const MAX_REST_CURVES = 40;
/**
 * Analysis-level cycle flag (above the model's CYCLE_FLAG_* bits): the input ended while the
 * cycle's second half was still running, so its numbers cover only part of that half.
 */
export const CYCLE_FLAG_TRUNCATED = 256;
/** Inputs from this size (bytes) are parsed on a worker thread by default. */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;
/** Set once the JIT warm-up has run in this process (warmUp.ts): once is enough. */
let warmedUp = false;

/** True once a replay of this process has run the JIT warm-up (ReplayOptions.warmUp). */
export function warmUpDone(): boolean {
  return warmedUp;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
/**
 * Rows a fastForward call takes at most (the loop calls it again for the next ones). Short calls
 * make V8 optimise fastForward for its normal entry. Once fastRest took the rests, fastForward
 * was called only at the start of each half (a few hundred calls of thousands of rows) and ran
 * as on-stack-replacement code: the 10⁷-row replay took 651–1040 ms, against 498–571 ms with
 * this cap (6 runs each, 2026-11-25).
 */
const FAST_RUN_ROWS = 1024;
/** Closing sample's current as a multiple of activeCurrentA (just above the threshold). */
const CLOSE_CURRENT_OF_ACTIVE = 2;

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
   * With `bdf`: write the cycler's cycle number and step count where the input has them. The
   * worker's record batches do not carry them: needs the in-thread read (parallel false).
   */
  cyclerCounts?: boolean;
  /**
   * A worker read of this input started earlier with `startReplayRead` (so that the worker
   * booted while the caller profiled the input); used instead of starting one.
   */
  reader?: BatchRead | null;
  /**
   * Before consuming a worker's column batches, replay a short synthetic run through a throwaway
   * model once per process (warmUp.ts; default true). Changes no result, only how soon V8 has
   * good machine code.
   */
  warmUp?: boolean;
}

/** What the replay asks of an importer: no cycler columns (it recounts everything itself). */
const REPLAY_READ_OPTIONS = { cyclerColumns: false };
/** The BDF export (in-thread, ReplayOptions.parallel false) writes the cycler's cycle and step numbers. */
const BDF_EXPORT_READ_OPTIONS = { cyclerColumns: true };

/** True when the replay of `path` reads it on a worker thread (see ReplayOptions.parallel). */
export function replayReadsInWorker(imp: Importer, path: string, parallel: boolean | "auto" = "auto"): boolean {
  return canReadInWorker(imp) && (parallel === true || (parallel !== false && fileSize(path) >= PARALLEL_MIN_BYTES));
}

/** How the replay reads on a worker (see `startReplayRead`). */
export interface ReplayReadOptions {
  /** As ReplayOptions.parallel. */
  parallel?: boolean | "auto";
  /** As ReplayOptions.zeroCurrentIsOpenCircuit. */
  zeroCurrentIsOpenCircuit?: boolean;
  /** The replay writes a BDF file (ReplayOptions.bdf): it needs the records, not pass 1's columns. */
  bdf?: boolean;
}

/**
 * Start the worker read that `replay(imp, path, …)` would start, now (null when the replay
 * reads in-thread): pass it as ReplayOptions.reader, with the same zeroCurrentIsOpenCircuit and
 * bdf; cancel it if the replay does not happen. Without a BDF writer the worker runs pass 1
 * (rowColumns.ts) and waits for its parameters, which the replay sets from the profile.
 */
export function startReplayRead(imp: Importer, path: string, opts: ReplayReadOptions = {}): WorkerRead | null {
  if (!replayReadsInWorker(imp, path, opts.parallel)) return null;
  const columns = opts.bdf === true ? undefined : { zeroIsOpen: opts.zeroCurrentIsOpenCircuit === true };
  return startWorkerRead(imp, path, { ...REPLAY_READ_OPTIONS, columns });
}

/**
 * A column batch from the read worker (rowColumns.ts) as the model's columns
 * (shared/model/fastForward.ts) and the replay's own: the row voltage, the restored flag, and
 * the row's dQ and dQ/dV bin. Views into the batch, except where the pack needs a copy: the row
 * voltage spread over several cells, one temperature for several sensors. One object, rebound
 * to each batch (one hidden class for fastForward).
 */
class BatchColumns implements SampleColumns {
  tMs: Float64Array = new Float64Array(0);
  currentA: Float64Array = new Float64Array(0);
  cellV: Float64Array = new Float64Array(0);
  tempC: Float64Array = new Float64Array(0);
  openCircuit: Float64Array = new Float64Array(0);
  v: Float64Array = new Float64Array(0);
  restored: Float64Array = new Float64Array(0);
  dqAh: Float64Array = new Float64Array(0);
  dqBin: Float64Array = new Float64Array(0);
  private spreadV: Float64Array = new Float64Array(0);
  private spreadTemp: Float64Array = new Float64Array(0);
  constructor(
    readonly cellCount: number,
    readonly tempCount: number,
  ) {}
  bind(b: Float64Array, count: number): BatchColumns {
    const rows = COLUMN_BATCH_ROWS;
    const col = (c: number): Float64Array => b.subarray(c * rows, c * rows + count);
    this.tMs = col(C_T_MS);
    this.currentA = col(C_CURRENT_A);
    this.v = col(C_V);
    this.openCircuit = col(C_OPEN_CIRCUIT);
    this.restored = col(C_RESTORED);
    this.dqAh = col(C_DQ_AH);
    this.dqBin = col(C_DQ_BIN);
    const n = this.cellCount;
    if (n === 1) this.cellV = this.v;
    else {
      // One voltage for the whole (series) stack: spread evenly over the configured cells.
      if (this.spreadV.length < count * n) this.spreadV = new Float64Array(rows * n);
      const v = this.v;
      const out = this.spreadV;
      for (let k = 0; k < count; k++) for (let c = 0; c < n; c++) out[k * n + c] = v[k] / n;
      this.cellV = out;
    }
    const nT = this.tempCount;
    const temp = col(C_TEMP_C);
    if (nT === 1) this.tempC = temp;
    else if (nT > 1) {
      if (this.spreadTemp.length < count * nT) this.spreadTemp = new Float64Array(rows * nT);
      const out = this.spreadTemp;
      for (let k = 0; k < count; k++) for (let q = 0; q < nT; q++) out[k * nT + q] = temp[k];
      this.tempC = out;
    } else this.tempC = this.spreadTemp;
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
  const { vLo, binW } = dqdvBins(prof.minV, prof.maxV);
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

  // BDF export bookkeeping: charge and energy from the test's start (BDF ontology: cumulative,
  // never reset), with the model's own trapezoid rule; with cyclerCounts, cycle and step counts
  // the cycler's where the record carries them (its cycle number as reported; +1 at each change
  // of its step), else the model's (its cycles, +1 at each segment switch).
  let stepCount = 1;
  let cycC = 0;
  let cycD = 0;
  let cycCWh = 0;
  let cycDWh = 0;
  let rowCycle = NaN;
  let rowStep = NaN;
  let lastRowStep = NaN;
  let lastRowCycle = NaN;
  let cyclerStepCount = 0;
  let firstModelStep = NaN;
  // The cycler's cycle numbers only when BDF can take them as they are: integers ≥ 0, never
  // decreasing (the BDF repository's Neware example writes 2π on every row).
  const cc = prof.cyclerCycles;
  const cyclerCountsOk = opts.cyclerCounts === true && cc.length > 0 && cc.every((e, k) => Number.isInteger(e.cycle) && e.cycle >= 0 && (k === 0 || e.cycle >= cc[k - 1].cycle));

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
  /** onColumns's carried-in double (see there). */
  const carryF64 = new Float64Array(1);
  const buckets = plotBuckets(prof.startS, prof.endS);
  const dec = new Decimator(buckets.plotStartS, buckets.plotWidthS);
  let prevTMs = -Infinity;
  let prevRawTMs = -Infinity;
  let prevI = NaN;
  let prevV = NaN;
  let prevT = NaN;
  let samples = 0;
  let impedanceRows = 0;
  const bdf = opts.bdf;
  const zeroIsOpen = opts.zeroCurrentIsOpenCircuit === true;

  /** The worker read this replay needs: records for the BDF export, else pass 1's columns with this zero-current rule. */
  const columnsWanted = bdf ? null : zeroIsOpen;
  if (
    opts.reader &&
    (opts.reader.path !== path || opts.reader.format !== imp.format || opts.reader.cyclerColumns || opts.reader.columnsZeroIsOpen !== columnsWanted)
  ) {
    throw new Error(
      `replay of ${path} (${imp.format}, ${columnsWanted === null ? "records" : `columns, zero current open circuit ${columnsWanted}`}) was given a worker read of ${opts.reader.path} (${opts.reader.format}, cyclerColumns ${opts.reader.cyclerColumns}, ${opts.reader.columnsZeroIsOpen === null ? "records" : `columns, zero current open circuit ${opts.reader.columnsZeroIsOpen}`}); start it with startReplayRead(imp, path, { zeroCurrentIsOpenCircuit, bdf }) as the replay is called`,
    );
  }
  const reader =
    opts.reader ?? startReplayRead(imp, path, { parallel: opts.parallel, zeroCurrentIsOpenCircuit: zeroIsOpen, bdf: bdf !== undefined });
  if (reader !== null && opts.cyclerCounts === true) {
    reader.cancel();
    throw new Error(`replay of ${path}: cyclerCounts needs the in-thread read (parallel: false): the worker's record batches carry no cycler cycle or step`);
  }
  if (reader !== null && columnsWanted !== null) {
    reader.setColumnParams({ plotStartS: buckets.plotStartS, plotWidthS: buckets.plotWidthS, vLo, binW, temps: tempArr.length > 0 });
  }
  if (reader !== null && columnsWanted !== null && opts.warmUp !== false && !warmedUp) {
    // The worker now runs pass 1 on its first rows: meanwhile, the JIT warm-up (warmUp.ts). It
    // only makes the replay faster: should it ever fail, the replay goes on without it.
    warmedUp = true;
    const run = warmUpRun(cfg, imp.format, zeroIsOpen);
    await replay(imp, run.read.path, { config: cfg, profile: run.profile, zeroCurrentIsOpenCircuit: zeroIsOpen, reader: run.read, warmUp: false }).catch(() => undefined);
  }
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
      const tMs = nudgedTMs(rawTMs, prevTMs, prevRawTMs);
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
          const bb = dqdvBinOf(v, vLo, binW);
          if (currentA > 0) hC[bb] += dq;
          else if (currentA < 0) hD[bb] += dq;
        }
        if (bdf) {
          cycC += positiveAreaAh(prevI, currentA, dtH);
          cycD += negativeAreaAh(prevI, currentA, dtH);
          if (v === v && prevV === prevV) {
            // BDF: charging energy = ∫ max(P, 0) dt, by the sign of the power (a negative
            // voltage, as a three-electrode cell's Ewe can be, turns a charge's energy into
            // energy out), exact when the voltage keeps its sign over the interval.
            const eC = positiveEnergyWh(prevV, v, prevI, currentA, dtH);
            const eD = negativeEnergyWh(prevV, v, prevI, currentA, dtH);
            cycCWh += (eC > 0 ? eC : 0) + (eD < 0 ? -eD : 0);
            cycDWh += (eD > 0 ? eD : 0) + (eC < 0 ? -eC : 0);
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
        const cyclerStep = opts.cyclerCounts === true && rowStep === rowStep;
        // The model's count as BDF wants it: 1 on the first row (a run may open with a switch).
        if (firstModelStep !== firstModelStep) firstModelStep = stepCount;
        if (cyclerStep && (rowStep !== lastRowStep || rowCycle !== lastRowCycle)) cyclerStepCount++;
        lastRowStep = rowStep;
        lastRowCycle = rowCycle;
        bdf.writeRow({
          testTimeS: tS,
          voltageV: voltageV,
          currentA: currentA,
          cycleCount: cyclerCountsOk && rowCycle === rowCycle ? rowCycle : cycles.length + 1,
          stepCount: cyclerStep ? cyclerStepCount : stepCount - firstModelStep + 1,
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
    rowCycle = r.cycle;
    rowStep = r.step;
    stepRow(r.tS, r.voltageV, r.currentA, r.tempC, r.stepKind, r.restored, r.cellsV.length > 0 ? r.cellsV : null, r.tempsC.length > 0 ? r.tempsC : null);
  };
  /** A worker batch of records (a read for the BDF export): row by row. */
  const onBatch = (b: Float64Array, count: number): void => {
    for (let k = 0; k < count; k++) {
      const o = k * FIELDS_PER_RECORD;
      stepRow(b[o + F_T], b[o + F_V], b[o + F_I], b[o + F_TEMP], b[o + F_STEP_KIND], b[o + F_RESTORED], null, null);
    }
  };
  /**
   * A worker batch of pass 1's columns (rowColumns.ts: the rows as the model's columns, each
   * row's dQ and bin; the plot buckets stay on the worker). Pass 2, the replay's hot loop
   * (~10⁷ rows on long inputs): the model — fastForward over the steady rows of a half,
   * fastRest over the open-circuit rows of a rest, step for the others — and, row by row after
   * it, what depends on its events: the dQ/dV histograms (reset when a cycle closes) and the
   * open rest's voltage curve. A fast-forwarded row emits no event; a fastRest row at most an
   * alarm, which neither depends on. Gives what stepRow (cellsV = tempsC = null) gives row by
   * row; a change to stepRow must be made here and in rowColumns.ts too (test/host/analyze:
   * parallel and in-thread replays give identical results).
   */
  const onColumns = (b: Float64Array, count: number, restoredRows: number): void => {
    const cols = batchCols.bind(b, count);
    const tCol = cols.tMs;
    const aCol = cols.currentA;
    const vCol = cols.cellV;
    const tempCol = cols.tempC;
    const ocCol = cols.openCircuit;
    const restoredCol = cols.restored;
    const vRow = cols.v;
    const dqCol = cols.dqAh;
    const binCol = cols.dqBin;
    const nTemps = tempArr.length;
    // No double is carried from row to row in a local (see shared/model/fastForward.ts): the
    // rest curve's next log time enters through a Float64Array.
    carryF64[0] = nextRestLogS;
    let n = samples;
    let rest = openRest as RestCurve | null;
    let restNextS = carryF64[0];
    let fastEnd = 0;
    let nextRestored = -1;
    for (let k = 0; k < count; k++) {
      if (k >= fastEnd) {
        if (restoredRows > 0 && nextRestored < k) {
          // A restored row is stepped (markRestored first): a fast run stops before it.
          nextRestored = k;
          while (nextRestored < count && restoredCol[nextRestored] === 0) nextRestored++;
        }
        const limit = restoredRows > 0 ? nextRestored : count;
        fastEnd = fastForward(model, cols, k, limit - k > FAST_RUN_ROWS ? k + FAST_RUN_ROWS : limit);
        // Open-circuit rows of a rest: fastRest (emits what step would, to onEvent).
        if (fastEnd === k) fastEnd = fastRest(model, cols, k, limit, onEvent);
        if (fastEnd === k) {
          // (The restored column holds stale values in a batch without restored rows.)
          if (restoredRows > 0 && restoredCol[k] === 1) model.markRestored();
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
      prevTMs = tCol[count - 1];
      prevV = vRow[count - 1];
    }
    samples = n;
  };
  const importStats = reader !== null
    ? await reader.consume(onRecord, opts.onProgress, columnsWanted !== null ? onColumns : onBatch)
    : await imp.read(path, onRecord, opts.onProgress, undefined, bdf && opts.cyclerCounts === true ? BDF_EXPORT_READ_OPTIONS : REPLAY_READ_OPTIONS);
  // Pass 1 ran on the worker: its plot series and impedance count.
  const fromWorker = reader !== null && columnsWanted !== null ? reader.columnResult() : null;
  if (fromWorker !== null) impedanceRows = fromWorker.impedanceRows;
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
    for (let c = 0; c < cellCount; c++) cellV[c] = prevV === prevV ? prevV / cellCount : NaN;
    let synthTMs = prevTMs;
    const synthetic = (currentA: number): void => {
      sample.currentA = currentA;
      synthTMs += NUDGE_MS;
      sample.tMs = synthTMs;
      model.step(sample);
      if (cfg.segmentation.dwellMs > 0) {
        synthTMs += cfg.segmentation.dwellMs;
        sample.tMs = synthTMs;
        model.step(sample);
      }
    };
    const inFirstHalf = model.state().cyc.phase === PHASE_FIRST;
    synthetic(closeA);
    let lone = false;
    if (cycles.length === before && inFirstHalf) {
      // A last first half with no second half after it: a short second-half current, then the
      // first-half one, close it as a cycle of its own (partial, and truncated: every half is in
      // some row). Their charge, < 2 × activeCurrentA × (1 ms + dwell), is the second half's.
      lone = true;
      synthetic(-closeA);
      synthetic(closeA);
    }
    if (cycles.length > before && (segNow === secondSeg || lone)) {
      const last = cycles[cycles.length - 1];
      truncatedCycle = last.index;
      last.flags |= CYCLE_FLAG_TRUNCATED;
      if (lone) {
        // The second half of a lone first half is the synthetic samples' alone: none in the data.
        if (cfg.segmentation.firstHalf === "charge") {
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
    series: fromWorker !== null ? fromWorker.series : dec.series(),
    restCurves: restCurves.sort((a, b) => a.startS - b.startS),
    dqdv,
    impedanceRows,
  };
}

function lastOf(a: number[]): number {
  return a.length > 0 ? a[a.length - 1] : 0;
}
