/**
 * Current-sensor offset estimation while the pack is known to carry no current.
 *
 * Open circuit is known either from the sample (`openCircuit = 1`: a relay is open or the
 * operator marked a rest) or from a qualified rest: |raw current| below
 * `counting.offsetRestMaxA` for `counting.offsetRestMs`, and steady over that stretch — its
 * least-squares line may change by at most `counting.offsetRestMaxDriftA` beyond 3 standard
 * errors (a CV hold's decaying tail can sit below the declared offset of a coarse chain such as
 * the ESP32's ADC, but it drifts; a sensor offset does not), and its mean must lie within the
 * chain's declared offset (+ 1 LSB): a steady small current beyond what the sensor can read at
 * zero is a real current, not an offset. A stretch that fails either test starts afresh.
 * (Assumes no standing load through the shunt; a cell's own self-discharge never passes it.) The raw readings of one open-circuit
 * window are averaged; after `offsetMinSamples` of them their mean becomes the offset that is
 * subtracted from every later reading. When a window re-zeroes an existing estimate, the change
 * |new − previous| is the measured residual (drift since the last zero); it enters the
 * per-time error bound of the counter (see errorRateA) and so the CE bound.
 */
import type { CountingConfig, SensorChainConfig } from "../config/packConfig";
import { MS_PER_S } from "../units";

/** State of the offset estimator; plain numbers, updated in place. */
export interface OffsetState {
  /** Offset subtracted from raw readings (A); 0 until `known`. */
  offsetA: number;
  /** 1 once an estimate exists. */
  known: number;
  /** Measured residual: change of the estimate at the latest re-zero (A). */
  residualA: number;
  /** 1 while inside an open-circuit window. */
  inWindow: number;
  /** Sum of raw readings in the window (A), of their squares (A²), and their count. */
  windowSumA: number;
  windowSumAA: number;
  windowN: number;
  /** Standard error of the estimate in use (A): the window's scatter / √n. */
  estSeA: number;
  /** Estimate in use when the window began (A); NaN if none. */
  windowPrevOffsetA: number;
  /** Start (ms) of the current quiet stretch (|raw| < offsetRestMaxA); NaN when not quiet. */
  quietSinceMs: number;
  /** Least-squares sums of the quiet stretch, t in s since quietSinceMs, raw current a in A:
   *  count, Σt, Σt², Σa, Σt·a, Σa². */
  qN: number;
  qSumT: number;
  qSumTT: number;
  qSumA: number;
  qSumTA: number;
  qSumAA: number;
}

/** A quiet stretch's drift counts only beyond this many standard errors of its fitted slope
 *  (engineering choice: 3 σ, so ADC noise alone never disqualifies a rest). */
const DRIFT_SIGNIFICANCE_K = 3;

export function createOffsetState(): OffsetState {
  return {
    offsetA: 0,
    known: 0,
    residualA: 0,
    inWindow: 0,
    windowSumA: 0,
    windowSumAA: 0,
    windowN: 0,
    estSeA: 0,
    windowPrevOffsetA: NaN,
    quietSinceMs: NaN,
    qN: 0,
    qSumT: 0,
    qSumTT: 0,
    qSumA: 0,
    qSumTA: 0,
    qSumAA: 0,
  };
}

/** Start a quiet stretch at tMs (its sums empty). */
function startStretch(st: OffsetState, tMs: number): void {
  st.quietSinceMs = tMs;
  st.qN = 0;
  st.qSumT = 0;
  st.qSumTT = 0;
  st.qSumA = 0;
  st.qSumTA = 0;
  st.qSumAA = 0;
}

/**
 * 1 when the quiet stretch cannot be a sensor offset: its mean lies beyond `maxOffsetA`, or its
 * raw current drifts (its fitted line changes over offsetRestMs by more than
 * offsetRestMaxDriftA + DRIFT_SIGNIFICANCE_K standard errors of that change).
 */
function stretchDrifts(st: OffsetState, cfg: CountingConfig, maxOffsetA: number): number {
  const n = st.qN;
  const mean = n > 0 ? st.qSumA / n : 0;
  if (mean > maxOffsetA || mean < -maxOffsetA) return 1;
  if (n < 3) return 0;
  const den = n * st.qSumTT - st.qSumT * st.qSumT;
  if (!(den > 0)) return 0;
  const b = (n * st.qSumTA - st.qSumT * st.qSumA) / den;
  const a0 = (st.qSumA - b * st.qSumT) / n;
  let rss = st.qSumAA - a0 * st.qSumA - b * st.qSumTA;
  if (!(rss > 0)) rss = 0;
  const se = Math.sqrt(((rss / (n - 2)) * n) / den);
  const spanS = cfg.offsetRestMs / MS_PER_S;
  const change = (b < 0 ? -b : b) * spanS;
  return change > cfg.offsetRestMaxDriftA + DRIFT_SIGNIFICANCE_K * se * spanS ? 1 : 0;
}

/**
 * Feed one valid raw current reading (A) at `tMs`; `openCircuit` is the sample's flag;
 * `maxOffsetA` the largest offset the chain can have (its declared offset + 1 LSB). Returns 1 when this sample is flagged open circuit (its true current is
 * known to be 0); `st.inWindow` is 1 when it is at open circuit, flagged or judged.
 */
export function stepOffset(st: OffsetState, cfg: CountingConfig, tMs: number, rawA: number, openCircuit: number, maxOffsetA: number): number {
  const quiet = rawA < cfg.offsetRestMaxA && rawA > -cfg.offsetRestMaxA;
  if (!quiet) st.quietSinceMs = NaN;
  else {
    if (isNaN(st.quietSinceMs)) startStretch(st, tMs);
    const tS = (tMs - st.quietSinceMs) / MS_PER_S;
    st.qN += 1;
    st.qSumT += tS;
    st.qSumTT += tS * tS;
    st.qSumA += rawA;
    st.qSumTA += tS * rawA;
    st.qSumAA += rawA * rawA;
  }
  let qualified = cfg.offsetRestMs > 0 && quiet && tMs - st.quietSinceMs >= cfg.offsetRestMs;
  if (qualified && st.inWindow === 0 && stretchDrifts(st, cfg, maxOffsetA) === 1) {
    // Not a rest: the current is still settling (a CV hold's tail) or too large for an offset.
    qualified = false;
    startStretch(st, tMs);
    st.qN = 1;
    st.qSumA = rawA;
    st.qSumAA = rawA * rawA;
  }
  const oc = openCircuit === 1;
  if (!oc && !qualified) {
    st.inWindow = 0;
    return 0;
  }
  if (st.inWindow === 0) {
    st.inWindow = 1;
    st.windowSumA = 0;
    st.windowSumAA = 0;
    st.windowN = 0;
    st.windowPrevOffsetA = st.known === 1 ? st.offsetA : NaN;
  }
  st.windowSumA += rawA;
  st.windowSumAA += rawA * rawA;
  st.windowN++;
  if (st.windowN >= cfg.offsetMinSamples) {
    const est = st.windowSumA / st.windowN;
    const v = st.windowSumAA / st.windowN - est * est;
    st.estSeA = v > 0 ? Math.sqrt(v / st.windowN) : 0;
    const prev = st.windowPrevOffsetA;
    st.residualA = isNaN(prev) ? 0 : est > prev ? est - prev : prev - est;
    st.offsetA = est;
    st.known = 1;
  }
  return oc ? 1 : 0;
}

/**
 * Worst-case error of one corrected current reading (A), offset and resolution together:
 * quantisation of the reading (LSB/2) plus, without an estimate, the declared offset;
 * with one, the estimate's own quantisation (LSB/2), the measured residual and
 * DRIFT_SIGNIFICANCE_K standard errors of the estimate (noise averaged over a short window).
 */
export function errorRateA(st: OffsetState, chain: SensorChainConfig): number {
  const halfLsb = 0.5 * chain.currentLsbA;
  if (st.known === 1) return halfLsb + halfLsb + st.residualA + DRIFT_SIGNIFICANCE_K * st.estSeA;
  return halfLsb + chain.currentOffsetA;
}
