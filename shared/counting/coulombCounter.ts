/**
 * Coulomb and energy counting: trapezoidal, charge and discharge kept apart (Ah), energy per
 * cell and for the pack (Wh), updated in place with no allocation per sample.
 *
 * Policy for bad time steps (documented in docs/model.md, "Counting"):
 * - Δt > counting.maxGapMs: a gap. Nothing is integrated across it. The charge it may hide is
 *   bounded by Δt × max(|I0| + e0, |I1| + e1) (current assumed to stay inside the envelope of
 *   its two end readings, e = per-reading error bound) and added to `gapErrAh`; counted in
 *   `gapCount`; a `gap` event is emitted. Counting restarts from the sample after the gap.
 * - Δt ≤ 0 or a non-finite time: also a gap (clock went back, duplicate or corrupt time); nothing
 *   is integrated, nothing can be bounded (elapsed time unknown), counted and reported. A
 *   repeated time stamp (Δt = 0, cyclers write one at each step change) hides no charge: it is
 *   counted and reported but does not count as lost time (`lostTimeCount`).
 * - After a step back in time of at most maxGapMs, the samples until the clock passes the latest
 *   time already counted (`maxTMs`) cover time counted once: their charge is left out (a stretch
 *   of log written twice would count twice), and, in case the clock was wrong rather than the
 *   data repeated, its worst case (as for a gap) goes into `gapErrAh`. A longer step back is a
 *   new time base (a board's clock restarts at a reboot): nothing is left out after it.
 * - Invalid current (NaN): the sample is not integrated and counted in `invalidCurrentCount`;
 *   the next valid sample integrates from the last valid one (bridging by the trapezoid) unless
 *   that span exceeds maxGapMs, which makes it a gap.
 * - Invalid cell voltage: that cell's energy for the interval is not integrated; counted in
 *   `invalidVoltageCount`.
 * Open circuit (issue 20): while the pack is at rest — flagged (`openCircuit = 1`, the true
 * current is known to be 0) or judged from the data (a qualified quiet stretch, currentOffset.ts:
 * |raw I| within the chain's quiet band, its mean within the declared offset, steady, for
 * offsetRestMs) — the corrected current over intervals with both ends calm is counted, signed,
 * into the rest ledger `restNetAh` (the offset estimator's food; a standing load shows as a
 * net), never split by sign into chargeAh / dischargeAh. A quiet stretch not yet qualified is
 * counted the same way into a provisional net `quietNetAh`: it joins the ledger when the stretch
 * qualifies, and goes, as one net, to charge or discharge when the stretch ends or restarts
 * without qualifying (a CV tail, a short pause). Energy is not counted while calm (µWh). The
 * error bound grows as for any interval (zero on a flagged rest). A cycle leaves its ledger out
 * of its totals and adds |ledger| to its CE error (cycleTracker.ts).
 */
import type { PackConfig } from "../config/packConfig";
import type { EventSink } from "../model/events";
import { createOffsetState, errorRateA, stepOffset, type OffsetState } from "./currentOffset";
import { negativeAreaAh, negativeEnergyWh, positiveAreaAh, positiveEnergyWh, trapezoidAh, trapezoidWh } from "./trapezoid";
import { MS_PER_H } from "../units";

/** Bits of `CountingState.stepFlags`, what happened on the latest sample. */
export const COUNT_STEP_GAP = 1;
export const COUNT_STEP_INVALID_CURRENT = 2;
export const COUNT_STEP_INVALID_VOLTAGE = 4;

/** Counter values copied at a moment (segment boundary); all cumulative since creation. */
export interface CounterMark {
  tMs: number;
  chargeAh: number;
  dischargeAh: number;
  chargeWh: number;
  dischargeWh: number;
  /** Cumulative offset + resolution error bound (Ah). */
  errAh: number;
  /** Cumulative gap bound (Ah). */
  gapErrAh: number;
  gapCount: number;
  /** Gaps where time went missing or is unknown (Δt > maxGapMs, Δt < 0, bad time). */
  lostTimeCount: number;
  faultCount: number;
  /** Cumulative net charge counted at open circuit (Ah, + = into the pack), see restNetAh. */
  restNetAh: number;
}

/** State of the counter. Cumulative values never reset (cycles take differences). */
export interface CountingState {
  /** 1 once a sample with valid time and current has been taken as the interval start. */
  havePrev: number;
  /** Time of the model's first sample (ms); NaN before it. */
  firstTMs: number;
  /** Latest time up to which charge has been counted (ms); NaN before the first sample. */
  maxTMs: number;
  /** Time (ms), corrected current (A), error bound (A) of the last integrated sample. */
  lastTMs: number;
  lastCurrentA: number;
  lastErrA: number;
  /** Cell voltages (V) at lastTMs; NaN where invalid. */
  lastCellV: Float64Array;
  /** Cell voltages (V) of the latest sample, sanitised (NaN where invalid or missing). */
  cellV: Float64Array;
  /** Corrected current of the latest sample (A), 0 at open circuit, NaN if invalid. */
  currentA: number;
  /** Δt integrated on the latest sample (ms); 0 when nothing was integrated. */
  dtMs: number;
  /** COUNT_STEP_* bits of the latest sample. */
  stepFlags: number;
  /** Pack charge and discharge throughput (Ah, both ≥ 0), open-circuit rests left out. */
  chargeAh: number;
  dischargeAh: number;
  /** Pack energy in and out (Wh, ≥ 0) = sum over cells. */
  chargeWh: number;
  dischargeWh: number;
  /** Per-cell energy in and out (Wh). */
  cellChargeWh: Float64Array;
  cellDischargeWh: Float64Array;
  /** Cumulative worst-case |error| of the counted charge from offset and resolution (Ah). */
  errAh: number;
  /** Cumulative bound on charge hidden in gaps (Ah). */
  gapErrAh: number;
  /** Gaps of every kind (Δt > maxGapMs, Δt ≤ 0, bad time), each reported by a `gap` event. */
  gapCount: number;
  /** Of those, the ones where time went missing or is unknown (all but Δt = 0, a repeated
   *  time stamp, which hides no charge): these flag the cycle CYCLE_FLAG_GAP. */
  lostTimeCount: number;
  /** Samples with invalid current / voltage; faultCount = samples with either. */
  invalidCurrentCount: number;
  invalidVoltageCount: number;
  faultCount: number;
  /** Rest ledger: net corrected charge counted while at open circuit (Ah, signed, cumulative). */
  restNetAh: number;
  /** 1 when the latest integrated sample was calm: at open circuit (flagged or qualified) or in
   *  a quiet stretch not yet qualified. */
  lastCalm: number;
  /** Provisional net of the present quiet stretch while it is not yet qualified (Ah, signed). */
  quietNetAh: number;
  offset: OffsetState;
  /** Counters just before the latest sample was counted (time = the previous sample's). */
  before: CounterMark;
  /** Counters at the latest mark (segment candidate start). */
  mark: CounterMark;
}

/** A fresh mark (all counters 0, time NaN). */
export function createCounterMark(): CounterMark {
  return { tMs: NaN, chargeAh: 0, dischargeAh: 0, chargeWh: 0, dischargeWh: 0, errAh: 0, gapErrAh: 0, gapCount: 0, lostTimeCount: 0, faultCount: 0, restNetAh: 0 };
}

/** Copy the counters of `src` (a mark or the counting state itself) into mark `dst`, at `tMs`. */
export function copyMark(dst: CounterMark, src: Omit<CounterMark, "tMs">, tMs: number): void {
  dst.tMs = tMs;
  dst.chargeAh = src.chargeAh;
  dst.dischargeAh = src.dischargeAh;
  dst.chargeWh = src.chargeWh;
  dst.dischargeWh = src.dischargeWh;
  dst.errAh = src.errAh;
  dst.gapErrAh = src.gapErrAh;
  dst.gapCount = src.gapCount;
  dst.lostTimeCount = src.lostTimeCount;
  dst.faultCount = src.faultCount;
  dst.restNetAh = src.restNetAh;
}

export function createCountingState(config: PackConfig): CountingState {
  const n = config.cellCount;
  const lastCellV = new Float64Array(n);
  lastCellV.fill(NaN);
  return {
    havePrev: 0,
    firstTMs: NaN,
    maxTMs: NaN,
    lastTMs: NaN,
    lastCurrentA: NaN,
    lastErrA: 0,
    lastCellV: lastCellV,
    cellV: new Float64Array(n),
    currentA: NaN,
    dtMs: 0,
    stepFlags: 0,
    chargeAh: 0,
    dischargeAh: 0,
    chargeWh: 0,
    dischargeWh: 0,
    cellChargeWh: new Float64Array(n),
    cellDischargeWh: new Float64Array(n),
    errAh: 0,
    gapErrAh: 0,
    gapCount: 0,
    lostTimeCount: 0,
    invalidCurrentCount: 0,
    invalidVoltageCount: 0,
    faultCount: 0,
    restNetAh: 0,
    lastCalm: 0,
    quietNetAh: 0,
    offset: createOffsetState(),
    before: createCounterMark(),
    mark: createCounterMark(),
  };
}

/**
 * Count one valid interval of `dtMs` ending at the present sample (current `curA`, its error
 * rate `curErrA`, cell voltages in `st.cellV`, n cells) from the latest sample's values: charge,
 * energy per cell and in all, the error bound. The latest-sample fields are left to the caller.
 * stepCounting's steady branch.
 */
export function countInterval(st: CountingState, dtMs: number, curA: number, curErrA: number, n: number): void {
  const dtH = dtMs / MS_PER_H;
  const i0 = st.lastCurrentA;
  const nowV = st.cellV;
  st.dtMs = dtMs;
  st.errAh += 0.5 * (st.lastErrA + curErrA) * dtH;
  const lastV = st.lastCellV;
  // sign +1: I ≥ 0 over the whole interval, −1: I ≤ 0, 0: it changes sign inside. With one
  // sign the split functions reduce to the plain trapezoid on that side and exactly 0 (or −0,
  // which adds nothing) on the other, so the one-sided sums below are bit for bit theirs.
  const sign = i0 >= 0 && curA >= 0 ? 1 : i0 <= 0 && curA <= 0 ? -1 : 0;
  if (sign === 1) st.chargeAh += trapezoidAh(i0, curA, dtH);
  else if (sign === -1) st.dischargeAh += trapezoidAh(-i0, -curA, dtH);
  else {
    st.chargeAh += positiveAreaAh(i0, curA, dtH);
    st.dischargeAh += negativeAreaAh(i0, curA, dtH);
  }
  let inWh = 0;
  let outWh = 0;
  const cellInWh = st.cellChargeWh;
  const cellOutWh = st.cellDischargeWh;
  for (let i = 0; i < n; i++) {
    const v0 = lastV[i];
    const v1 = nowV[i];
    if (v0 === v0 && v1 === v1) {
      if (sign === 1) {
        const ein = trapezoidWh(v0, v1, i0, curA, dtH);
        cellInWh[i] += ein;
        inWh += ein;
      } else if (sign === -1) {
        const eout = trapezoidWh(v0, v1, -i0, -curA, dtH);
        cellOutWh[i] += eout;
        outWh += eout;
      } else {
        const ein = positiveEnergyWh(v0, v1, i0, curA, dtH);
        const eout = negativeEnergyWh(v0, v1, i0, curA, dtH);
        cellInWh[i] += ein;
        cellOutWh[i] += eout;
        inWh += ein;
        outWh += eout;
      }
    }
  }
  if (sign !== -1) st.chargeWh += inWh;
  if (sign !== 1) st.dischargeWh += outWh;
}

/**
 * Mark the counters as they were just before the latest sample (called when a segment
 * candidate starts at that sample): the interval leading to the sample, where the current
 * changed, belongs to the new segment.
 */
export function markCounters(st: CountingState): void {
  copyMark(st.mark, st.before, st.before.tMs);
}

/**
 * Count one calm interval: the signed trapezoid into the rest ledger (`atRest` = 1) or the quiet
 * stretch's provisional net, the error bound as for any interval (zero on a flagged rest, where
 * curErrA = 0 and curA = 0).
 */
function countCalmInterval(st: CountingState, dtMs: number, curA: number, curErrA: number, atRest: number): void {
  const dtH = dtMs / MS_PER_H;
  st.dtMs = dtMs;
  st.errAh += 0.5 * (st.lastErrA + curErrA) * dtH;
  const q = trapezoidAh(st.lastCurrentA, curA, dtH);
  if (atRest === 1) st.restNetAh += q;
  else st.quietNetAh += q;
}

/**
 * Settle the provisional net of a quiet stretch: into the rest ledger when the pack is at open
 * circuit (`toRest` = 1), else as one net into charge or discharge. `before` moves with it, so a
 * segment mark taken at this sample has the stretch on the side it ended on. Called only with a
 * net to settle (quietNetAh ≠ 0).
 */
function settleQuiet(st: CountingState, toRest: number): void {
  const q = st.quietNetAh;
  st.quietNetAh = 0;
  const b = st.before;
  if (toRest === 1) {
    st.restNetAh += q;
    b.restNetAh += q;
  } else if (q > 0) {
    st.chargeAh += q;
    b.chargeAh += q;
  } else {
    st.dischargeAh -= q;
    b.dischargeAh -= q;
  }
}

function abs(x: number): number {
  return x < 0 ? -x : x;
}

/**
 * A gap, or time counted once already (after a step back): the interval is bounded, not
 * integrated — its worst-case charge (the larger end's |I| + error over dt) goes to gapErrAh.
 */
function boundInterval(st: CountingState, config: PackConfig, tMs: number, dtMs: number, gap: boolean, curA: number, curErrA: number, emit: EventSink): void {
  if (gap) {
    st.gapCount++;
    if (dtMs !== 0) st.lostTimeCount++;
    if (-dtMs > config.counting.maxGapMs) st.maxTMs = NaN;
    st.stepFlags |= COUNT_STEP_GAP;
    emit({ kind: "gap", tMs: tMs, dtMs: dtMs });
  }
  if (dtMs > 0) {
    const a = abs(st.lastCurrentA) + st.lastErrA;
    const b = abs(curA) + curErrA;
    st.gapErrAh += ((a > b ? a : b) * dtMs) / MS_PER_H;
  }
}

/**
 * Count one sample. `rawCurrentA` is the sensor's reading (+ = charge, NaN = invalid),
 * `cellV` the cell voltages (NaN = invalid; missing entries count as invalid).
 */
export function stepCounting(
  st: CountingState,
  config: PackConfig,
  tMs: number,
  rawCurrentA: number,
  cellV: ArrayLike<number>,
  openCircuit: number,
  emit: EventSink,
): void {
  const n = config.cellCount;
  st.dtMs = 0;
  st.stepFlags = 0;
  copyMark(st.before, st, st.havePrev === 1 ? st.lastTMs : tMs);
  let vBad = 0;
  const nowV = st.cellV;
  const nIn = cellV.length;
  for (let i = 0; i < n; i++) {
    const v = i < nIn ? cellV[i] : NaN;
    if (typeof v !== "number" || v !== v) {
      vBad = 1;
      nowV[i] = NaN;
    } else nowV[i] = v;
  }
  if (vBad === 1) {
    st.invalidVoltageCount++;
    st.stepFlags |= COUNT_STEP_INVALID_VOLTAGE;
  }
  const iBad = typeof rawCurrentA !== "number" || rawCurrentA !== rawCurrentA;
  if (iBad) {
    st.invalidCurrentCount++;
    st.stepFlags |= COUNT_STEP_INVALID_CURRENT;
    st.currentA = NaN;
  }
  if (iBad || vBad === 1) st.faultCount++;
  if (typeof tMs !== "number" || !isFinite(tMs)) {
    st.gapCount++;
    st.lostTimeCount++;
    st.stepFlags |= COUNT_STEP_GAP;
    emit({ kind: "gap", tMs: tMs, dtMs: NaN });
    return;
  }
  if (isNaN(st.firstTMs)) st.firstTMs = tMs;
  if (iBad) return;

  const off = st.offset;
  const chain = config.sensorChain;
  const oc = stepOffset(off, config.counting, tMs, rawCurrentA, openCircuit, chain.currentOffsetA + chain.currentLsbA);
  const curA = oc === 1 ? 0 : rawCurrentA - off.offsetA;
  const curErrA = oc === 1 ? 0 : errorRateA(off, chain);
  st.currentA = curA;
  const atRest = off.inWindow;
  // Quiet counts only where rests are judged from the data at all (offsetRestMs > 0).
  const quiet = config.counting.offsetRestMs > 0 && off.quietSinceMs === off.quietSinceMs ? 1 : 0;
  // qN = 1: a quiet stretch (re)starts at this sample (stepOffset restarts a drifting one).
  const starts = quiet === 1 && off.qN === 1 && atRest === 0 ? 1 : 0;
  // A stretch that ends or restarts unqualified was no rest: its provisional net is charge or discharge.
  if (st.quietNetAh !== 0) {
    if (atRest === 1) settleQuiet(st, 1);
    else if (quiet === 0 || starts === 1) settleQuiet(st, 0);
  }
  const calm = atRest === 1 || quiet === 1 ? 1 : 0;

  if (st.havePrev === 1) {
    const dtMs = tMs - st.lastTMs;
    const gap = dtMs > config.counting.maxGapMs || dtMs <= 0;
    if (gap || st.lastTMs < st.maxTMs) {
      boundInterval(st, config, tMs, dtMs, gap, curA, curErrA, emit);
    } else if (calm === 1 && st.lastCalm === 1 && starts === 0) {
      // Both ends calm (the interval into a calm stretch's first sample holds the step edge).
      countCalmInterval(st, dtMs, curA, curErrA, atRest);
    } else {
      countInterval(st, dtMs, curA, curErrA, n);
    }
  }
  st.havePrev = 1;
  st.lastCalm = calm;
  st.lastTMs = tMs;
  if (!(tMs <= st.maxTMs)) st.maxTMs = tMs;
  st.lastCurrentA = curA;
  st.lastErrA = curErrA;
  st.lastCellV.set(nowV); // one native copy: a loop pass costs 2–3 reference iterations on Espruino
}
