/**
 * Cycles: a cycle is a charge half plus a discharge half, in the order `segmentation.firstHalf`
 * gives (full cells charge first; Zn‖Cu and half-cells discharge first). Rests anywhere inside
 * a cycle are allowed, and repeated segments of the same direction merge into one half. A cycle
 * opens when its first-half direction starts and closes when that direction starts again after
 * the second half has been seen; the record is emitted then.
 *
 * A cycle's capacities and energies are the counter differences between its two boundaries
 * (charge and discharge throughput kept apart, rests included), so every Ah counted after the
 * first cycle opened lands in exactly one cycle. Charge counted at open circuit is not in either
 * half: it is the cycle's `restAh`, and its magnitude widens the CE bound (coulombCounter.ts).
 * A second-half segment before any first half (a run that starts mid-cycle) opens a cycle of its
 * own, partial: every half is in some row.
 *
 * Partial: a cycle whose first half was already running at the model's first sample, or
 * whose either half is below `segmentation.minHalfCapacityFrac` of nominal capacity, carries
 * CYCLE_FLAG_PARTIAL and reports ce, ee, ve, ceBound and the projections as NaN (never a
 * 1000 % CE). Flagged cycles (any flag) are left out of the cumulative and rolling CE.
 */
import type { PackConfig } from "../config/packConfig";
import { copyMark, createCounterMark, type CounterMark } from "../counting/coulombCounter";
import {
  CYCLE_FLAG_GAP,
  CYCLE_FLAG_PARTIAL,
  CYCLE_FLAG_UNBALANCED,
  CE_PLAUSIBLE_MIN,
  CE_PLAUSIBLE_MAX,
  CYCLE_FLAG_RESTORED,
  CYCLE_FLAG_SENSOR_FAULT,
  SEG_CHARGE,
  SEG_DISCHARGE,
  type CycleRecord,
} from "../model/events";
import { ceBoundWithRest } from "./ceBound";
import { createCycleRing, pushCycle, type CycleRingState } from "./cycleRing";
import { cyclesToRetention } from "./projection";

/** Unflagged cycles averaged by the rolling CE. */
export const ROLLING_CE_WINDOW = 10;

const PHASE_NONE = 0;
export const PHASE_FIRST = 1;
const PHASE_SECOND = 2;

export interface CycleState {
  /** 0 = no cycle open, 1 = first half seen, 2 = second half seen. */
  phase: number;
  /** Cycles completed so far (= index of the last record). */
  completed: number;
  /** Counters at the open cycle's start. */
  start: CounterMark;
  /** Time in the charge / discharge segments of the open cycle (s). */
  chargeDurationS: number;
  dischargeDurationS: number;
  /** Temperature range of the open cycle (°C); +∞/−∞ until a valid reading. */
  tempMinC: number;
  tempMaxC: number;
  /** CYCLE_FLAG_* gathered for the open cycle. */
  flags: number;
  /** 1 when markRestored came with no cycle open: the next cycle is flagged restored. */
  restoredPending: number;
  /** Start (ms) and counters at the start of the present segment. */
  segStartTMs: number;
  segStartChargeAh: number;
  segStartDischargeAh: number;
  /** Capacity of the half segment that ended at the latest switch (Ah); NaN after a rest. */
  endedHalfAh: number;
  /** Σ ln CE and count over unflagged cycles (cumulative CE = exp(Σ/n)). */
  sumLnCe: number;
  nCe: number;
  /** Last ROLLING_CE_WINDOW unflagged CEs, count and next slot. */
  rolling: Float64Array;
  rollingN: number;
  rollingNext: number;
  /** The last record's ce, ceBound, ee (NaN before the first). */
  lastCe: number;
  lastCeBound: number;
  lastEe: number;
  /** CE of the last unflagged cycle (fraction; NaN before one): what the ceDrop alarm watches. */
  lastGoodCe: number;
  ring: CycleRingState;
}

export function createCycleState(): CycleState {
  return {
    phase: PHASE_NONE,
    completed: 0,
    start: createCounterMark(),
    chargeDurationS: 0,
    dischargeDurationS: 0,
    tempMinC: Infinity,
    tempMaxC: -Infinity,
    flags: 0,
    restoredPending: 0,
    segStartTMs: NaN,
    segStartChargeAh: 0,
    segStartDischargeAh: 0,
    endedHalfAh: NaN,
    sumLnCe: 0,
    nCe: 0,
    rolling: new Float64Array(ROLLING_CE_WINDOW),
    rollingN: 0,
    rollingNext: 0,
    lastCe: NaN,
    lastCeBound: NaN,
    lastEe: NaN,
    lastGoodCe: NaN,
    ring: createCycleRing(),
  };
}

function openCycle(st: CycleState, mark: CounterMark, partial: boolean): void {
  st.phase = PHASE_FIRST;
  copyMark(st.start, mark, mark.tMs);
  st.chargeDurationS = 0;
  st.dischargeDurationS = 0;
  st.tempMinC = Infinity;
  st.tempMaxC = -Infinity;
  st.flags = partial ? CYCLE_FLAG_PARTIAL : 0;
  if (st.restoredPending === 1) {
    st.flags |= CYCLE_FLAG_RESTORED;
    st.restoredPending = 0;
  }
}

/** Flag the open cycle as restored (after a reboot), or the next one if none is open. */
export function markCycleRestored(st: CycleState): void {
  if (st.phase === PHASE_NONE) st.restoredPending = 1;
  else st.flags |= CYCLE_FLAG_RESTORED;
}

/**
 * Per-sample update of the open cycle: its temperature range, from the sample's lowest and
 * highest valid temperature (°C; NaN when none is valid).
 */
export function stepCycleSample(st: CycleState, minTempC: number, maxTempC: number): void {
  if (st.phase === PHASE_NONE) return;
  if (minTempC < st.tempMinC) st.tempMinC = minTempC;
  if (maxTempC > st.tempMaxC) st.tempMaxC = maxTempC;
}

function finite(x: number): number {
  return isFinite(x) ? x : NaN;
}

function closeCycle(st: CycleState, config: PackConfig, end: CounterMark): CycleRecord {
  const s = st.start;
  const chargeFirst = config.segmentation.firstHalf === "charge";
  const chargeAh = end.chargeAh - s.chargeAh;
  const dischargeAh = end.dischargeAh - s.dischargeAh;
  const chargeWh = end.chargeWh - s.chargeWh;
  const dischargeWh = end.dischargeWh - s.dischargeWh;
  const inAh = chargeFirst ? chargeAh : dischargeAh;
  const outAh = chargeFirst ? dischargeAh : chargeAh;
  const inWh = chargeFirst ? chargeWh : dischargeWh;
  const outWh = chargeFirst ? dischargeWh : chargeWh;
  // Open-circuit rests' net (counting's rest ledger) is left out of the halves, as zero current;
  // if it was real current after all (a standing load), it is at most |restAh| off: in the bound.
  const restAh = end.restNetAh - s.restNetAh;
  const errAh = end.errAh - s.errAh + (end.gapErrAh - s.gapErrAh);
  const minHalfAh = config.segmentation.minHalfCapacityFrac * config.capacityAh;
  let flags = st.flags;
  if (!(inAh >= minHalfAh) || !(outAh >= minHalfAh)) flags |= CYCLE_FLAG_PARTIAL;
  if (end.lostTimeCount > s.lostTimeCount) flags |= CYCLE_FLAG_GAP;
  if (end.faultCount > s.faultCount) flags |= CYCLE_FLAG_SENSOR_FAULT;
  const partial = (flags & CYCLE_FLAG_PARTIAL) !== 0;
  const chain = config.sensorChain;
  const ce = partial ? NaN : outAh / inAh;
  const ee = partial ? NaN : outWh / inWh;
  if (!partial && !(ce >= CE_PLAUSIBLE_MIN && ce <= CE_PLAUSIBLE_MAX)) flags |= CYCLE_FLAG_UNBALANCED;
  const ceBound = partial
    ? NaN
    : ceBoundWithRest(outAh, inAh, errAh, errAh, restAh, chain);
  if (flags === 0 && ce > 0) {
    st.lastGoodCe = ce;
    st.sumLnCe += Math.log(ce);
    st.nCe++;
    st.rolling[st.rollingNext] = ce;
    st.rollingNext = (st.rollingNext + 1) % ROLLING_CE_WINDOW;
    if (st.rollingN < ROLLING_CE_WINDOW) st.rollingN++;
  }
  let rollSum = 0;
  for (let k = 0; k < st.rollingN; k++) rollSum += st.rolling[k];
  const meanChargeV = finite(chargeWh / chargeAh);
  const meanDischargeV = finite(dischargeWh / dischargeAh);
  st.completed++;
  const rec: CycleRecord = {
    index: st.completed,
    startTMs: s.tMs,
    endTMs: end.tMs,
    chargeAh: chargeAh,
    dischargeAh: dischargeAh,
    chargeWh: chargeWh,
    dischargeWh: dischargeWh,
    ce: ce,
    ceBound: ceBound,
    ee: ee,
    ve: ee / ce,
    meanChargeV: meanChargeV,
    meanDischargeV: meanDischargeV,
    voltageGapV: meanChargeV - meanDischargeV,
    chargeDurationS: st.chargeDurationS,
    dischargeDurationS: st.dischargeDurationS,
    tempMinC: finite(st.tempMinC),
    tempMaxC: finite(st.tempMaxC),
    flags: flags,
    cumulativeCe: st.nCe > 0 ? Math.exp(st.sumLnCe / st.nCe) : NaN,
    rollingCe: st.rollingN > 0 ? rollSum / st.rollingN : NaN,
    cyclesTo80: cyclesToRetention(ce),
    cyclesTo80Low: cyclesToRetention(ce - ceBound),
    cyclesTo80High: cyclesToRetention(ce + ceBound),
    restAh: restAh,
  };
  st.lastCe = ce;
  st.lastCeBound = ceBound;
  st.lastEe = ee;
  pushCycle(st.ring, rec);
  st.phase = PHASE_NONE;
  return rec;
}

/**
 * A segment switch from `from` to `to` (SEG_*), back-dated to `mark` (the counters just before
 * the new segment's first sample, whose time is `firstSampleTMs`). `runStartTMs` is the model's
 * first sample time (a first half whose first sample is the run's first was already running:
 * partial). Sets `st.endedHalfAh`. Returns the record of the
 * cycle this switch closed, or null.
 */
export function onSegmentSwitch(
  st: CycleState,
  config: PackConfig,
  from: number,
  to: number,
  mark: CounterMark,
  firstSampleTMs: number,
  runStartTMs: number,
): CycleRecord | null {
  const durS = (mark.tMs - st.segStartTMs) / 1000;
  st.endedHalfAh = NaN;
  if (from === SEG_CHARGE) {
    st.endedHalfAh = mark.chargeAh - st.segStartChargeAh;
    if (st.phase !== PHASE_NONE && durS > 0) st.chargeDurationS += durS;
  } else if (from === SEG_DISCHARGE) {
    st.endedHalfAh = mark.dischargeAh - st.segStartDischargeAh;
    if (st.phase !== PHASE_NONE && durS > 0) st.dischargeDurationS += durS;
  }
  st.segStartTMs = mark.tMs;
  st.segStartChargeAh = mark.chargeAh;
  st.segStartDischargeAh = mark.dischargeAh;

  const first = config.segmentation.firstHalf === "charge" ? SEG_CHARGE : SEG_DISCHARGE;
  let rec: CycleRecord | null = null;
  if (to === first) {
    if (st.phase === PHASE_SECOND) {
      rec = closeCycle(st, config, mark);
      openCycle(st, mark, false);
    } else if (st.phase === PHASE_NONE) {
      openCycle(st, mark, firstSampleTMs === runStartTMs);
    }
  } else if (to !== first && (to === SEG_CHARGE || to === SEG_DISCHARGE)) {
    if (st.phase === PHASE_FIRST) st.phase = PHASE_SECOND;
    else if (st.phase === PHASE_NONE) {
      // A lone second half at the start (no first half before it): a partial cycle.
      openCycle(st, mark, true);
      st.phase = PHASE_SECOND;
    }
  }
  return rec;
}
