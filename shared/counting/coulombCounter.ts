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
 * - Invalid current (NaN): the sample is not integrated and counted in `invalidCurrentCount`;
 *   the next valid sample integrates from the last valid one (bridging by the trapezoid) unless
 *   that span exceeds maxGapMs, which makes it a gap.
 * - Invalid cell voltage: that cell's energy for the interval is not integrated; counted in
 *   `invalidVoltageCount`.
 * While the pack is known to be at open circuit (see currentOffset.ts) the true current is 0
 * and is integrated as 0 with zero error.
 */
import type { PackConfig } from "../config/packConfig";
import type { EventSink } from "../model/events";
import { createOffsetState, errorRateA, stepOffset, type OffsetState } from "./currentOffset";
import { negativeAreaAh, negativeEnergyWh, positiveAreaAh, positiveEnergyWh, trapezoidAh, trapezoidWh } from "./trapezoid";

/** Milliseconds per hour: Ah = A · ms / MS_PER_H. */
export const MS_PER_H = 3600000;

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
}

/** State of the counter. Cumulative values never reset (cycles take differences). */
export interface CountingState {
  /** 1 once a sample with valid time and current has been taken as the interval start. */
  havePrev: number;
  /** Time of the model's first sample (ms); NaN before it. */
  firstTMs: number;
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
  /** Pack charge and discharge throughput (Ah, both ≥ 0). */
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
  offset: OffsetState;
  /** Counters just before the latest sample was counted (time = the previous sample's). */
  before: CounterMark;
  /** Counters at the latest mark (segment candidate start). */
  mark: CounterMark;
}

function createMark(): CounterMark {
  return { tMs: NaN, chargeAh: 0, dischargeAh: 0, chargeWh: 0, dischargeWh: 0, errAh: 0, gapErrAh: 0, gapCount: 0, lostTimeCount: 0, faultCount: 0 };
}

export function createCountingState(config: PackConfig): CountingState {
  const n = config.cellCount;
  const lastCellV = new Float64Array(n);
  lastCellV.fill(NaN);
  return {
    havePrev: 0,
    firstTMs: NaN,
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
    offset: createOffsetState(),
    before: createMark(),
    mark: createMark(),
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
  for (let i = 0; i < n; i++) {
    const v0 = lastV[i];
    const v1 = nowV[i];
    if (v0 === v0 && v1 === v1) {
      if (sign === 1) {
        const ein = trapezoidWh(v0, v1, i0, curA, dtH);
        st.cellChargeWh[i] += ein;
        inWh += ein;
      } else if (sign === -1) {
        const eout = trapezoidWh(v0, v1, -i0, -curA, dtH);
        st.cellDischargeWh[i] += eout;
        outWh += eout;
      } else {
        const ein = positiveEnergyWh(v0, v1, i0, curA, dtH);
        const eout = negativeEnergyWh(v0, v1, i0, curA, dtH);
        st.cellChargeWh[i] += ein;
        st.cellDischargeWh[i] += eout;
        inWh += ein;
        outWh += eout;
      }
    }
  }
  if (sign !== -1) st.chargeWh += inWh;
  if (sign !== 1) st.dischargeWh += outWh;
}

/** Copy the cumulative counters into mark `m`, at time `tMs` (stepCounting's `before`). */
export function copyCounters(st: CountingState, m: CounterMark, tMs: number): void {
  m.tMs = tMs;
  m.chargeAh = st.chargeAh;
  m.dischargeAh = st.dischargeAh;
  m.chargeWh = st.chargeWh;
  m.dischargeWh = st.dischargeWh;
  m.errAh = st.errAh;
  m.gapErrAh = st.gapErrAh;
  m.gapCount = st.gapCount;
  m.lostTimeCount = st.lostTimeCount;
  m.faultCount = st.faultCount;
}

/**
 * Mark the counters as they were just before the latest sample (called when a segment
 * candidate starts at that sample): the interval leading to the sample, where the current
 * changed, belongs to the new segment.
 */
export function markCounters(st: CountingState): void {
  const b = st.before;
  const m = st.mark;
  m.tMs = b.tMs;
  m.chargeAh = b.chargeAh;
  m.dischargeAh = b.dischargeAh;
  m.chargeWh = b.chargeWh;
  m.dischargeWh = b.dischargeWh;
  m.errAh = b.errAh;
  m.gapErrAh = b.gapErrAh;
  m.gapCount = b.gapCount;
  m.lostTimeCount = b.lostTimeCount;
  m.faultCount = b.faultCount;
}

function abs(x: number): number {
  return x < 0 ? -x : x;
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
  copyCounters(st, st.before, st.havePrev === 1 ? st.lastTMs : tMs);
  let vBad = 0;
  const nowV = st.cellV;
  for (let i = 0; i < n; i++) {
    const v = i < cellV.length ? cellV[i] : NaN;
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

  const oc = stepOffset(st.offset, config.counting, tMs, rawCurrentA, openCircuit);
  const curA = oc === 1 ? 0 : rawCurrentA - st.offset.offsetA;
  const curErrA = oc === 1 ? 0 : errorRateA(st.offset, config.sensorChain);
  st.currentA = curA;

  if (st.havePrev === 1) {
    const dtMs = tMs - st.lastTMs;
    if (dtMs > config.counting.maxGapMs || dtMs <= 0) {
      st.gapCount++;
      if (dtMs !== 0) st.lostTimeCount++;
      st.stepFlags |= COUNT_STEP_GAP;
      if (dtMs > 0) {
        const a = abs(st.lastCurrentA) + st.lastErrA;
        const b = abs(curA) + curErrA;
        st.gapErrAh += ((a > b ? a : b) * dtMs) / MS_PER_H;
      }
      emit({ kind: "gap", tMs: tMs, dtMs: dtMs });
    } else {
      countInterval(st, dtMs, curA, curErrA, n);
    }
  }
  st.havePrev = 1;
  st.lastTMs = tMs;
  st.lastCurrentA = curA;
  st.lastErrA = curErrA;
  for (let i = 0; i < n; i++) st.lastCellV[i] = nowV[i];
}
