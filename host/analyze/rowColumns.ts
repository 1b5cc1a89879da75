/**
 * Pass 1 of the batch replay: what does not depend on the model. A batch of records (the read
 * worker's layout, batchLayout.ts) becomes the model's columns — times nudged apart, voltage
 * NaN on impedance rows, open circuit — plus each row's dQ and dQ/dV voltage bin, and the
 * V/I plot's min/max buckets are updated. The read worker runs it (readWorker.ts) so that the
 * main thread only steps the model (replay.ts, pass 2): on a 2-core machine the parse and this
 * pass together take about as long as the model.
 *
 * Row by row it gives exactly what replay.ts's `stepRow` gives (test/host/analyze: replays
 * read in-thread and on the worker are compared field by field).
 */
import { MS_PER_H } from "../../shared/counting/coulombCounter";
import { STEP_OTHER, STEP_REST } from "../import/record";
import { BATCH_RECORDS, FIELDS_PER_RECORD, F_I, F_RESTORED, F_STEP_KIND, F_T, F_V, F_TEMP } from "./batchLayout";

/** Points kept for the voltage/current-vs-time plot (min/max per bucket → 2 per bucket drawn). */
export const PLOT_BUCKETS = 3000;
/** Voltage bins of the dQ/dV histograms over the input's voltage range. */
export const DQDV_BINS = 160;
/** Two timestamps closer than this (ms), or equal, are one instant: nudged apart by NUDGE_MS. */
export const DUPLICATE_TOLERANCE_MS = 1;
/** Nudge applied to equal timestamps (cycler exports repeat the time at step boundaries). */
export const NUDGE_MS = 1;
export const MS_PER_S = 1000;
export { MS_PER_H };
/**
 * Margin (fraction of the values involved) by which the quick same-bin tests (plot bucket,
 * dQ/dV voltage bin) stay inside a bin's edges: 1e-9 ≫ the 2 × 2⁻⁵³ relative rounding of the
 * subtraction and division that compute a bin (IEEE 754 binary64), so a quick test never
 * disagrees with the floor((x − origin) / width) it saves.
 */
export const QUICK_BIN_MARGIN_FRAC = 1e-9;

/**
 * Column batch layout: column `C_*` of a batch of `rows` rows occupies [C_* × rows, (C_* + 1) × rows)
 * of the batch's Float64Array, which holds COLUMNS × rows numbers (the same size as a record
 * batch: FIELDS_PER_RECORD = COLUMNS).
 */
export const C_T_MS = 0;
export const C_CURRENT_A = 1;
/** Row voltage (V), NaN on impedance rows. */
export const C_V = 2;
export const C_TEMP_C = 3;
/** 1 = open circuit (Sample.openCircuit). */
export const C_OPEN_CIRCUIT = 4;
/**
 * 1 = the record says the logger restored its state here. Written only in a batch that has such
 * a row (`columnize` returns their count; without one the column holds stale values).
 */
export const C_RESTORED = 5;
/** dQ of the row's interval (Ah; + charge, − discharge, 0 none). */
export const C_DQ_AH = 6;
/** dQ/dV voltage bin of the row (0 … DQDV_BINS − 1). */
export const C_DQ_BIN = 7;
export const COLUMNS = 8;
/** Rows per column batch (the record batch's). */
export const COLUMN_BATCH_ROWS = BATCH_RECORDS;

/** What pass 1 needs from the profile pass (profile.ts) and the replay's options. */
export interface ColumnParams {
  /** Plot buckets: first time (s) and bucket width (s). */
  plotStartS: number;
  plotWidthS: number;
  /** dQ/dV bins: lowest voltage (V) and bin width (V). */
  vLo: number;
  binW: number;
  /** An exact 0 A reading is open circuit (cycler exports). */
  zeroIsOpen: boolean;
  /**
   * Write the temperature column (the pack has temperature sensors); without, it holds whatever
   * the batch held before (the worker writes less: it is the replay's critical path once the
   * model's rests are fast, host/analyze/README.md).
   */
  temps: boolean;
}

/**
 * The parameters as the read worker gets them (parallelRead.ts `setColumnParams`): a
 * SharedArrayBuffer with an Int32 flag at byte 0 (1 once set) and the four doubles of
 * PARAMS_ORDER from byte PARAMS_AT_BYTE; the main thread sets them after its profile pass.
 */
const PARAMS_AT_BYTE = 8;
const PARAMS_ORDER = ["plotStartS", "plotWidthS", "vLo", "binW", "temps"] as const;

/** A shared buffer for the column parameters (not set yet). */
export function columnParamsBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(PARAMS_AT_BYTE + PARAMS_ORDER.length * Float64Array.BYTES_PER_ELEMENT);
}

/** Set the parameters in `buf` and wake a thread waiting in `waitColumnParams`; throws if set already. */
export function setColumnParams(buf: SharedArrayBuffer, p: Omit<ColumnParams, "zeroIsOpen">): void {
  const flag = new Int32Array(buf, 0, 1);
  if (Atomics.load(flag, 0) !== 0) throw new Error("the column parameters are set already");
  const values = new Float64Array(buf, PARAMS_AT_BYTE, PARAMS_ORDER.length);
  PARAMS_ORDER.forEach((key, k) => (values[k] = Number(p[key])));
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

/** Block until the parameters in `buf` are set, then return them. */
export function waitColumnParams(buf: SharedArrayBuffer, zeroIsOpen: boolean): ColumnParams {
  const flag = new Int32Array(buf, 0, 1);
  while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0);
  const values = new Float64Array(buf, PARAMS_AT_BYTE, PARAMS_ORDER.length);
  return { plotStartS: values[0], plotWidthS: values[1], vLo: values[2], binW: values[3], temps: values[4] === 1, zeroIsOpen };
}

/**
 * A row's time (ms) as the model gets it: a repeated timestamp (a step boundary, 1-s time
 * resolution) is nudged NUDGE_MS past the previous row's; a real clock-back (earlier than the
 * previous raw time by more than DUPLICATE_TOLERANCE_MS) reaches the model as it is.
 */
export function nudgedTMs(rawTMs: number, prevTMs: number, prevRawTMs: number): number {
  return rawTMs <= prevTMs && rawTMs >= prevRawTMs - DUPLICATE_TOLERANCE_MS ? prevTMs + NUDGE_MS : rawTMs;
}

/** The plot's bucket origin and width for a profile's time span. */
export function plotBuckets(startS: number, endS: number): { plotStartS: number; plotWidthS: number } {
  const spanS = Number.isFinite(endS - startS) && endS > startS ? endS - startS : 1;
  return { plotStartS: startS, plotWidthS: spanS / PLOT_BUCKETS };
}

/** The dQ/dV bins' origin and width for a profile's voltage range. */
export function dqdvBins(minV: number, maxV: number): { vLo: number; binW: number } {
  const vLo = Number.isFinite(minV) ? minV : 0;
  const vHi = Number.isFinite(maxV) && maxV > vLo ? maxV : vLo + 1;
  return { vLo, binW: (vHi - vLo) / DQDV_BINS };
}

export interface PlotSeries {
  tS: number[];
  vMin: number[];
  vMax: number[];
  iMin: number[];
  iMax: number[];
}

/** A plot series with no bucket (an input with no row). */
export function emptyPlotSeries(): PlotSeries {
  return { tS: [], vMin: [], vMax: [], iMin: [], iMax: [] };
}

/**
 * Min/max per time bucket of the V/I plot. The open bucket's extremes are kept in fields and
 * written to the series when the next bucket opens and by `flush()` (call it before reading `s`).
 */
export class Decimator {
  readonly s: PlotSeries = emptyPlotSeries();
  /** Open bucket: index and extremes so far (NaN voltage = none valid yet). */
  bucket = -1;
  vMin = NaN;
  vMax = NaN;
  iMin = NaN;
  iMax = NaN;
  constructor(
    readonly startS: number,
    readonly widthS: number,
  ) {}
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
  /** The series with the open bucket written. */
  series(): PlotSeries {
    this.flush();
    return this.s;
  }
}

/** The dQ/dV bin of voltage `v` (clamped to the histogram). */
export function dqdvBinOf(v: number, vLo: number, binW: number): number {
  const b = Math.floor((v - vLo) / binW);
  return b < 0 ? 0 : b >= DQDV_BINS ? DQDV_BINS - 1 : b;
}

/** Carried from batch to batch (a Float64Array: see `RowColumnizer.columnize`). */
const K_PREV_T_MS = 0;
const K_PREV_RAW_T_MS = 1;
const K_PREV_I = 2;
/** 1 once a row has been seen (the next row has a previous sample). */
const K_HAVE_PREV = 3;
const K_DEC_V_MIN = 4;
const K_DEC_V_MAX = 5;
const K_DEC_I_MIN = 6;
const K_DEC_I_MAX = 7;
const K_DEC_LO_MS = 8;
const K_DEC_HI_MS = 9;
const K_Q_LO_V = 10;
const K_Q_HI_V = 11;
const CARRIED = 12;

/** Pass 1 over successive record batches of one input (state carried from batch to batch). */
export class RowColumnizer {
  readonly dec: Decimator;
  /** Rows labelled impedance / pulse (STEP_OTHER): fed to the model with an invalid voltage. */
  impedanceRows = 0;
  /** dQ/dV bin of the last row that had a dQ. */
  private qBin = 0;
  /**
   * The doubles a row hands to the next. They live in a Float64Array, not in locals of the
   * loop: V8 compiles this long loop on stack replacement, and such code keeps a double loop
   * variable boxed (a heap number per update); a value loaded from a Float64Array is a plain
   * double (see shared/model/fastForward.ts).
   */
  private readonly k = new Float64Array(CARRIED);

  constructor(readonly params: ColumnParams) {
    this.dec = new Decimator(params.plotStartS, params.plotWidthS);
    const k = this.k;
    k[K_PREV_T_MS] = -Infinity;
    k[K_PREV_RAW_T_MS] = -Infinity;
    k[K_PREV_I] = NaN;
    k[K_HAVE_PREV] = 0;
    k[K_DEC_V_MIN] = NaN;
    k[K_DEC_V_MAX] = NaN;
    k[K_DEC_I_MIN] = NaN;
    k[K_DEC_I_MAX] = NaN;
    // No bucket open: an empty safe range.
    k[K_DEC_LO_MS] = NaN;
    k[K_DEC_HI_MS] = NaN;
    k[K_Q_LO_V] = NaN;
    k[K_Q_HI_V] = NaN;
  }

  /**
   * Records 0 … count − 1 of `b` (record layout) into the columns of `out` (column layout for
   * `rows` rows, rows ≥ count). Returns the number of restored rows in the batch.
   */
  columnize(b: Float64Array, count: number, out: Float64Array, rows: number): number {
    if (count > rows || out.length < COLUMNS * rows) {
      throw new Error(`RowColumnizer: ${count} records do not fit a column batch of ${rows} rows (${out.length} numbers)`);
    }
    const k = this.k;
    const dec = this.dec;
    const zeroIsOpen = this.params.zeroIsOpen;
    const vLo = this.params.vLo;
    const binW = this.params.binW;
    const oT = C_T_MS * rows;
    const oA = C_CURRENT_A * rows;
    const oV = C_V * rows;
    const oTemp = C_TEMP_C * rows;
    const oOc = C_OPEN_CIRCUIT * rows;
    const oRestored = C_RESTORED * rows;
    const oDq = C_DQ_AH * rows;
    const oBin = C_DQ_BIN * rows;
    const withTemp = this.params.temps;
    let dBucket = dec.bucket;
    let qBin = this.qBin;
    let impedance = 0;
    let restoredRows = 0;
    for (let r = 0; r < count; r++) {
      const o = r * FIELDS_PER_RECORD;
      const rawTMs = b[o + F_T] * MS_PER_S;
      const currentA = b[o + F_I];
      const stepKind = b[o + F_STEP_KIND];
      const pTMs = r > 0 ? out[oT + r - 1] : k[K_PREV_T_MS];
      const lastRawTMs = r > 0 ? b[o - FIELDS_PER_RECORD + F_T] * MS_PER_S : k[K_PREV_RAW_T_MS];
      const tMs = nudgedTMs(rawTMs, pTMs, lastRawTMs);
      const isImpedance = stepKind === STEP_OTHER;
      if (isImpedance) impedance++;
      const v = isImpedance ? NaN : b[o + F_V];
      out[oT + r] = tMs;
      out[oA + r] = currentA;
      out[oV + r] = v;
      if (withTemp) out[oTemp + r] = b[o + F_TEMP];
      out[oOc + r] = stepKind === STEP_REST || (zeroIsOpen && currentA === 0) ? 1 : 0;
      if (b[o + F_RESTORED] === 1) restoredRows++;
      // The plot: same bucket as the previous sample when well inside its edges, else bucketOf
      // decides; a new bucket opens with this sample, else it widens the open one's extremes.
      let opened = false;
      if (!(tMs >= k[K_DEC_LO_MS] && tMs < k[K_DEC_HI_MS])) {
        const bucket = dec.bucketOf(tMs / MS_PER_S);
        if (bucket !== dBucket) {
          dec.vMin = k[K_DEC_V_MIN];
          dec.vMax = k[K_DEC_V_MAX];
          dec.iMin = k[K_DEC_I_MIN];
          dec.iMax = k[K_DEC_I_MAX];
          dec.open(bucket, tMs / MS_PER_S, v, currentA);
          dBucket = bucket;
          k[K_DEC_LO_MS] = dec.safeLoS(bucket) * MS_PER_S;
          k[K_DEC_HI_MS] = dec.safeHiS(bucket) * MS_PER_S;
          k[K_DEC_V_MIN] = v;
          k[K_DEC_V_MAX] = v;
          k[K_DEC_I_MIN] = currentA;
          k[K_DEC_I_MAX] = currentA;
          opened = true;
        }
      }
      if (!opened) {
        if (v < k[K_DEC_V_MIN] || k[K_DEC_V_MIN] !== k[K_DEC_V_MIN]) k[K_DEC_V_MIN] = v;
        if (v > k[K_DEC_V_MAX] || k[K_DEC_V_MAX] !== k[K_DEC_V_MAX]) k[K_DEC_V_MAX] = v;
        if (currentA < k[K_DEC_I_MIN]) k[K_DEC_I_MIN] = currentA;
        if (currentA > k[K_DEC_I_MAX]) k[K_DEC_I_MAX] = currentA;
      }
      // dQ of the interval since the previous row and its voltage bin (stepRow's histogram rule).
      const pI = r > 0 ? out[oA + r - 1] : k[K_PREV_I];
      const pTOk = r > 0 ? pTMs === pTMs : k[K_HAVE_PREV] === 1 && pTMs === pTMs;
      let dqAh = 0;
      if (pTOk && tMs > pTMs && currentA === currentA && pI === pI && v === v) {
        const dq = Math.abs(currentA) * ((tMs - pTMs) / MS_PER_H);
        if (!(v >= k[K_Q_LO_V] && v < k[K_Q_HI_V])) {
          // Outside the last voltage bin's safe range: compute the bin.
          const bin = Math.floor((v - vLo) / binW);
          qBin = bin < 0 ? 0 : bin >= DQDV_BINS ? DQDV_BINS - 1 : bin;
          const margin = QUICK_BIN_MARGIN_FRAC * (Math.abs(vLo) + (Math.abs(bin) + 1) * binW);
          k[K_Q_LO_V] = vLo + bin * binW + margin;
          k[K_Q_HI_V] = vLo + (bin + 1) * binW - margin;
        }
        if (currentA > 0) dqAh = dq;
        else if (currentA < 0) dqAh = -dq;
      }
      out[oDq + r] = dqAh;
      out[oBin + r] = qBin;
    }
    if (restoredRows > 0) {
      for (let r = 0; r < count; r++) out[oRestored + r] = b[r * FIELDS_PER_RECORD + F_RESTORED] === 1 ? 1 : 0;
    }
    dec.bucket = dBucket;
    this.qBin = qBin;
    this.impedanceRows += impedance;
    if (count > 0) {
      const last = count - 1;
      k[K_PREV_T_MS] = out[oT + last];
      k[K_PREV_RAW_T_MS] = b[last * FIELDS_PER_RECORD + F_T] * MS_PER_S;
      k[K_PREV_I] = out[oA + last];
      k[K_HAVE_PREV] = 1;
    }
    return restoredRows;
  }

  /** The plot series so far, with the open bucket's extremes written. */
  series(): PlotSeries {
    const dec = this.dec;
    dec.vMin = this.k[K_DEC_V_MIN];
    dec.vMax = this.k[K_DEC_V_MAX];
    dec.iMin = this.k[K_DEC_I_MIN];
    dec.iMax = this.k[K_DEC_I_MAX];
    return dec.series();
  }
}
