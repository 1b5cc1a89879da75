/**
 * First pass over an input: what the data itself says about the cell, so that a config can be
 * fitted to it (chemistry-agnostic for non-zinc cycler data). Streams; memory is fixed
 * (a log-spaced histogram of |current|), however long the input.
 */
import { statSync } from "node:fs";
import { STEP_OTHER, type ImportedRecord, type Importer, type ProgressFn } from "../import/record";

/** Log-histogram of |I|: decades covered and bins per decade. */
const HIST_MIN_LOG10_A = -9;
const HIST_MAX_LOG10_A = 4;
const HIST_BINS_PER_DECADE = 20;
const HIST_BINS = (HIST_MAX_LOG10_A - HIST_MIN_LOG10_A) * HIST_BINS_PER_DECADE;
/** Currents below this share of the largest |I| are treated as noise when fitting thresholds. */
export const ACTIVE_FLOOR_FRAC_OF_MAX = 1e-3;
/** Percentile of the active |I| distribution that sets the smallest "real" current. */
const LOW_CURRENT_PERCENTILE = 0.01;

export interface InputProfile {
  /** Records read (on inputs above PROFILE_FULL_PARSE_BYTES, only the sampled ones). */
  records: number;
  startS: number;
  endS: number;
  minV: number;
  maxV: number;
  maxAbsCurrentA: number;
  /** |I| at the low percentile of active samples (A): the smallest real test current. */
  lowActiveCurrentA: number;
  /**
   * Largest charge moved in one direction between two reversals (Ah): a capacity estimate
   * (on sampled inputs a lower bound, see PROFILE_FULL_PARSE_BYTES).
   */
  maxHalfAh: number;
  /** Sign of the first half-cycle holding ≥ FIRST_HALF_MIN_FRAC of maxHalfAh: +1 charge, −1 discharge. */
  firstHalfSign: number;
  /**
   * Which current direction opens the cycler's own cycles (+1 charge, −1 discharge; 0 when the
   * input has no cycle index, or one value only): that of the first half of a cycle after the
   * input's first one (the input may start mid-cycle), else of the first one. Exact inputs only
   * (not sampled).
   */
  cyclerFirstHalfSign: number;
  /** Direction of the first current step (first half of any size): +1, −1, or 0 when none. */
  firstStepSign: number;
  /** Test time (s) at which each cycler cycle index first appears, in order (empty when none or sampled). */
  cyclerCycles: { tS: number; cycle: number }[];
  /**
   * Adjacent rows whose test time goes back (a clock fault of the file; importers that skip
   * such rows never show one), and the first of them as "line N: t1 s after t0 s".
   */
  timeBackCount: number;
  timeBackFirst: string;
  /** Largest time step between two active samples (s). */
  maxActiveDtS: number;
  /** Median sample interval (s), from a log histogram. */
  medianDtS: number;
  hasTemp: boolean;
  /** Cells with their own voltage channel (zbms logs); 1 for single-voltage formats. */
  cellCount: number;
  /** Temperature channels (0 when none). */
  tempCount: number;
}

/** A half-cycle smaller than this share of the largest one does not decide the cycle order. */
const FIRST_HALF_MIN_FRAC = 0.1;
/** Halves kept for the cycle-order decisions (the first ones of the input). */
const MAX_PROFILE_HALVES = 4096;

/**
 * Direction opening the cycler's cycles: the first half of the second (or a later) cycler cycle
 * that has one (the first cycle may have begun before the input did), else of the first; 0 if none.
 */
function cyclerOpeningSign(halves: { sign: number; ah: number; cycleSeq: number }[]): number {
  let firstCycleSign = 0;
  let seq = 0;
  for (const h of halves) {
    if (h.cycleSeq === seq) continue; // not the first half of its cycle
    seq = h.cycleSeq;
    // Even a small first step (a top-up) opens the cycle: the cycler says so.
    if (h.cycleSeq === 1) firstCycleSign = h.sign;
    else return h.sign;
  }
  return firstCycleSign;
}

function signOf(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

function binOf(x: number): number {
  const b = Math.floor((Math.log10(x) - HIST_MIN_LOG10_A) * HIST_BINS_PER_DECADE);
  return b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b;
}
function binValue(b: number): number {
  return Math.pow(10, HIST_MIN_LOG10_A + (b + 0.5) / HIST_BINS_PER_DECADE);
}

/** Lower edge of a bin: a percentile read from it never exceeds any value counted in it. */
function binLowerEdge(b: number): number {
  return Math.pow(10, HIST_MIN_LOG10_A + b / HIST_BINS_PER_DECADE);
}

function percentile(hist: Float64Array, frac: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i];
  if (total === 0) return NaN;
  const target = total * frac;
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i];
    if (acc >= target) return binLowerEdge(i);
  }
  return binLowerEdge(hist.length - 1);
}

/**
 * Sampling of large inputs. Inputs up to PROFILE_FULL_PARSE_BYTES are parsed row by row (every
 * real cycler file and test fixture: their profile is exact). Larger ones are profiled from a
 * systematic sample: a pair of adjacent rows every `stride` rows, found by byte position
 * (readCsv `sampleByBytes`: the skipped rows are jumped over, not read), with
 * stride = size / (PROFILE_SAMPLE_POSITIONS × PROFILE_NARROW_ROW_BYTES), so that a file of
 * rows as narrow as the benchmark's gets about PROFILE_SAMPLE_POSITIONS pairs whatever its
 * length (wider rows: fewer). The profile only sizes the config; the replay reads every row.
 *
 * What sampling changes: the voltage and current extremes are those of the sampled rows; time
 * steps are measured within pairs only; a half-cycle's charge is integrated between sampled rows,
 * and a step between two non-adjacent rows where the current changed sign, started or stopped
 * counts for no half, so each sampled half is a lower bound, short by at most the charge of
 * one stride at each end (when no whole step shorter than a stride hides between two samples).
 * The largest of many halves comes out close below the true largest (−0.7 % on the benchmark,
 * where integrating across those steps over-estimated it by 4–6 %: docs/performance.md).
 */
export const PROFILE_FULL_PARSE_BYTES = 16 * 1024 * 1024;
/**
 * Pairs sampled from a large input of narrow rows: each costs one positioned read of the file
 * (a few µs) and two parsed rows; 6000 keep the pass to tens of ms on the 10⁷-row benchmark
 * (figures: docs/performance.md, "Figures behind a few constants").
 */
export const PROFILE_SAMPLE_POSITIONS = 6000;
/** Narrow CSV row (bytes): time, voltage, current, cycle, step, as in bench/analyzeGen.ts (≈ 32 B). */
export const PROFILE_NARROW_ROW_BYTES = 32;

/** Rows between sampled pairs for an input of `sizeBytes` (1 = every row). */
export function profileStride(sizeBytes: number): number {
  if (!(sizeBytes > PROFILE_FULL_PARSE_BYTES)) return 1;
  return Math.max(1, Math.round(sizeBytes / (PROFILE_SAMPLE_POSITIONS * PROFILE_NARROW_ROW_BYTES)));
}

export async function profileInput(imp: Importer, path: string, onProgress?: ProgressFn): Promise<InputProfile> {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    size = 0;
  }
  const stride = profileStride(size);
  const b = new ProfileBuilder(stride > 1);
  // The cycler's cycle index only on exact (unsampled) reads: it decides the pairing.
  await imp.read(path, (r: ImportedRecord) => b.add(r), onProgress, undefined, { cyclerColumns: stride <= 1, stride, sampleByBytes: true });
  return b.finish();
}

/** The profile pass's statistics, record by record (`sampled`: the records are a systematic sample). */
class ProfileBuilder {
  readonly p: InputProfile = {
    records: 0, startS: NaN, endS: NaN, minV: Infinity, maxV: -Infinity, maxAbsCurrentA: 0,
    lowActiveCurrentA: NaN, maxHalfAh: 0, firstHalfSign: 0, cyclerFirstHalfSign: 0, firstStepSign: 0, cyclerCycles: [], timeBackCount: 0, timeBackFirst: "", maxActiveDtS: 0, medianDtS: NaN, hasTemp: false, cellCount: 1, tempCount: 0,
  };
  private readonly iHist = new Float64Array(HIST_BINS);
  private readonly dtHist = new Float64Array(HIST_BINS);
  private prevT = NaN;
  /** Latest time seen: after a step back, time below it is covered twice and counts for no half (as in the model). */
  private maxT = -Infinity;
  private prevI = NaN;
  private prevLine = NaN;
  private runSign = 0;
  private runAh = 0;
  private runCycleSeq = 0;
  /** Cycler cycles seen so far (a new index value = a new cycle). */
  private cycleSeq = 0;
  private lastCycle = NaN;
  private readonly halves: { sign: number; ah: number; cycleSeq: number }[] = [];

  constructor(private readonly sampled: boolean) {}

  add(r: ImportedRecord): void {
    const p = this.p;
    p.records++;
    if (p.records === 1) p.startS = r.tS;
    p.endS = r.tS;
    if (r.stepKind !== STEP_OTHER) {
      if (r.voltageV < p.minV) p.minV = r.voltageV;
      if (r.voltageV > p.maxV) p.maxV = r.voltageV;
    }
    if (r.tempC === r.tempC) p.hasTemp = true;
    if (r.cellsV.length > p.cellCount) p.cellCount = r.cellsV.length;
    const nT = r.tempsC.length > 0 ? r.tempsC.length : r.tempC === r.tempC ? 1 : 0;
    if (nT > p.tempCount) p.tempCount = nT;
    if (!this.sampled && r.cycle === r.cycle && r.cycle !== this.lastCycle) {
      this.lastCycle = r.cycle;
      this.cycleSeq++;
      p.cyclerCycles.push({ tS: r.tS, cycle: r.cycle });
    }
    const a = Math.abs(r.currentA);
    if (a > p.maxAbsCurrentA) p.maxAbsCurrentA = a;
    if (a > 0) this.iHist[binOf(a)]++;
    if (this.prevT === this.prevT) this.step(r, a);
    this.prevT = r.tS;
    this.prevI = r.currentA;
    this.prevLine = r.line;
  }

  /** The step from the previous record: clock faults, time-step statistics and the one-direction runs of charge. */
  private step(r: ImportedRecord, a: number): void {
    const p = this.p;
    const dt = r.tS - this.prevT;
    // Time-step statistics only between adjacent source rows (sampling skips some).
    const adjacent = r.line !== r.line || r.line - this.prevLine <= 1;
    if (dt < 0 && adjacent) {
      if (p.timeBackCount === 0) p.timeBackFirst = `line ${r.line}: ${r.tS} s after ${this.prevT} s`;
      p.timeBackCount++;
    }
    const recovered = this.prevT < this.maxT;
    if (r.tS > this.maxT) this.maxT = r.tS;
    if (!(dt > 0)) return;
    const prevI = this.prevI;
    if (adjacent) {
      this.dtHist[binOf(dt)]++;
      if (a > 0 && Math.abs(prevI) > 0 && dt > p.maxActiveDtS) p.maxActiveDtS = dt;
    }
    // Between sampled rows that are not adjacent, a change of the current's sign (or a start or
    // stop) happened at an unknown time: that step counts for no half. (Unsampled inputs
    // integrate every step, also across rows an importer left out.)
    const edge = (this.sampled && !adjacent && signOf(prevI) !== signOf(r.currentA)) || recovered;
    const area = edge ? 0 : 0.5 * (prevI + r.currentA) * (dt / 3600);
    const s = area > 0 ? 1 : area < 0 ? -1 : 0;
    if (s !== 0) {
      if (s !== this.runSign) {
        this.closeRun();
        this.runSign = s;
        this.runAh = 0;
        this.runCycleSeq = this.cycleSeq;
        if (p.firstStepSign === 0) p.firstStepSign = s;
      }
      this.runAh += Math.abs(area);
    }
  }

  private closeRun(): void {
    if (this.runSign !== 0) {
      if (this.runAh > this.p.maxHalfAh) this.p.maxHalfAh = this.runAh;
      if (this.halves.length < MAX_PROFILE_HALVES) this.halves.push({ sign: this.runSign, ah: this.runAh, cycleSeq: this.runCycleSeq });
    }
  }

  finish(): InputProfile {
    const p = this.p;
    this.closeRun();
    // Fit the smallest real current from currents above the noise floor.
    const floor = p.maxAbsCurrentA * ACTIVE_FLOOR_FRAC_OF_MAX;
    const active = new Float64Array(HIST_BINS);
    for (let b = 0; b < HIST_BINS; b++) if (binValue(b) >= floor) active[b] = this.iHist[b];
    p.lowActiveCurrentA = percentile(active, LOW_CURRENT_PERCENTILE);
    p.medianDtS = percentile(this.dtHist, 0.5);
    for (const h of this.halves) {
      if (h.ah >= FIRST_HALF_MIN_FRAC * p.maxHalfAh) {
        p.firstHalfSign = h.sign;
        break;
      }
    }
    if (p.cyclerCycles.length >= 2) p.cyclerFirstHalfSign = cyclerOpeningSign(this.halves);
    return p;
  }
}
