/**
 * Current-sensor offset estimation while the pack is known to carry no current.
 *
 * Open circuit is known either from the sample (`openCircuit = 1`: a relay is open or the
 * operator marked a rest) or from a qualified rest: |raw current| below
 * `counting.offsetRestMaxA` for `counting.offsetRestMs` (assumes no standing load through the
 * shunt; a cell's own self-discharge never passes it). The raw readings of one open-circuit
 * window are averaged; after `offsetMinSamples` of them their mean becomes the offset that is
 * subtracted from every later reading. When a window re-zeroes an existing estimate, the change
 * |new − previous| is the measured residual (drift since the last zero); it enters the
 * per-time error bound of the counter (see errorRateA) and so the CE bound.
 */
import type { CountingConfig, SensorChainConfig } from "../config/packConfig";

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
  /** Sum of raw readings in the window (A) and their count. */
  windowSumA: number;
  windowN: number;
  /** Estimate in use when the window began (A); NaN if none. */
  windowPrevOffsetA: number;
  /** Start (ms) of the current quiet stretch (|raw| < offsetRestMaxA); NaN when not quiet. */
  quietSinceMs: number;
}

export function createOffsetState(): OffsetState {
  return {
    offsetA: 0,
    known: 0,
    residualA: 0,
    inWindow: 0,
    windowSumA: 0,
    windowN: 0,
    windowPrevOffsetA: NaN,
    quietSinceMs: NaN,
  };
}

/**
 * Feed one valid raw current reading (A) at `tMs`; `openCircuit` is the sample's flag.
 * Returns 1 when this sample is treated as open circuit (its true current is known to be 0).
 */
export function stepOffset(st: OffsetState, cfg: CountingConfig, tMs: number, rawA: number, openCircuit: number): number {
  const quiet = rawA < cfg.offsetRestMaxA && rawA > -cfg.offsetRestMaxA;
  if (!quiet) st.quietSinceMs = NaN;
  else if (isNaN(st.quietSinceMs)) st.quietSinceMs = tMs;
  const qualified = cfg.offsetRestMs > 0 && quiet && tMs - st.quietSinceMs >= cfg.offsetRestMs;
  const oc = openCircuit === 1;
  if (!oc && !qualified) {
    st.inWindow = 0;
    return 0;
  }
  if (st.inWindow === 0) {
    st.inWindow = 1;
    st.windowSumA = 0;
    st.windowN = 0;
    st.windowPrevOffsetA = st.known === 1 ? st.offsetA : NaN;
  }
  st.windowSumA += rawA;
  st.windowN++;
  if (st.windowN >= cfg.offsetMinSamples) {
    const est = st.windowSumA / st.windowN;
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
 * with one, the estimate's own quantisation (LSB/2) plus the measured residual.
 */
export function errorRateA(st: OffsetState, chain: SensorChainConfig): number {
  const halfLsb = 0.5 * chain.currentLsbA;
  if (st.known === 1) return halfLsb + halfLsb + st.residualA;
  return halfLsb + chain.currentOffsetA;
}
