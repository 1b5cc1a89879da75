/**
 * What the replay keeps for the report's plots besides the model's records: the V/I plot's
 * min/max per time bucket (Decimator), the dQ/dV histograms' voltage bins, and the rule that
 * turns a row's time into the model's (repeated time stamps nudged apart).
 */

/** Points kept for the voltage/current-vs-time plot (min/max per bucket → 2 per bucket drawn). */
export const PLOT_BUCKETS = 3000;
/** Voltage bins of the dQ/dV histograms over the input's voltage range. */
export const DQDV_BINS = 160;
/** Two timestamps closer than this (ms), or equal, are one instant: nudged apart by NUDGE_MS. */
export const DUPLICATE_TOLERANCE_MS = 1;
/** Nudge applied to equal timestamps (cycler exports repeat the time at step boundaries). */
export const NUDGE_MS = 1;
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
