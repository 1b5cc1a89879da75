/**
 * Self-discharge from open-circuit rests, and retention after shelving.
 *
 * During a rest (segment SEG_REST) each cell's voltage is split into:
 * - the relaxation: the first `relaxationMs` (charge redistribution, overpotential decay — the
 *   steep early drop of a healthy cell), summarised as its voltage drop;
 * - the steady part: a least-squares line of V against t fitted after the relaxation, with
 *   exponential forgetting (time constant `slopeWindowMs`) so the relaxation's tail fades out;
 *   O(1) per sample per cell. Its slope (mV/h) is the self-discharge signature (cathode
 *   dissolution, Zn corrosion / hydrogen evolution: a steady slope).
 * When the rest ends a `rest` event carries a RestRecord, with the charge lost estimated from the
 * steady voltage fall through the OCV curve's slope and the capacity.
 *
 * Retention (the article's "CE after shelving"): for a charge half followed by a qualified rest
 * (≥ relaxationMs + minSteadyMs) and then a discharge half, retention = discharge Ah / charge Ah.
 * Rcld (calendar-loss share) = Σ calendar losses / Σ all capacity losses; see
 * docs/model-soc-selfdischarge-alarms.md for the exact definition.
 *
 * State: plain numbers and Float64Arrays, updated in place; events allocate.
 */
import type { PackConfig, SelfDischargeConfig } from "../config/packConfig";
import type { EventSink, RestRecord, SegmentCode } from "../model/events";
import { SEG_CHARGE, SEG_DISCHARGE, SEG_REST } from "../model/events";
import { OCV_SOC_GRID } from "../chemistry/presets";
import { ocvSlopeAtSoc } from "../chemistry/ocv";
import type { SocState } from "../soc/socEstimator";
import { socOfCell } from "../soc/socEstimator";

/** Milliseconds per hour (unit conversion). */
const MS_PER_H = 3600000;
/** Millivolts per volt (unit conversion). */
const MV_PER_V = 1000;
/** An OCV slope below this (V per unit SOC) gives no usable charge estimate (same guard as SOC). */
const MIN_OCV_SLOPE_V = 1e-4;
/** Fewer fitted samples than this: no slope (a line through 2 points is not a fit). */
const MIN_FIT_SAMPLES = 3;
/** Unrested charge→discharge pairs averaged (at most) into the reference CE. */
const CE_REF_WINDOW = 10;

/** Default self-discharge settings (H1's defaults.ts calls this). */
export function defaultSelfDischargeConfig(): SelfDischargeConfig {
  return {
    // Engineering choice: the article's healthy hybrid-electrolyte cell shows its steep drop
    // early in a 24 h rest (Fig. 11b); 2 h covers relaxation time constants up to ~15 min (e^-8).
    relaxationMs: 2 * 3600 * 1000,
    // Engineering choice: 1 h of steady data before a slope is reported.
    minSteadyMs: 3600 * 1000,
    // Engineering choice: the fit remembers the last ~6 h.
    slopeWindowMs: 6 * 3600 * 1000,
  };
}

/** Self-discharge analyzer state (one per pack). */
export interface SelfDischargeState {
  /** 1 while in a rest. */
  inRest: number;
  restStartTMs: number;
  /** Time of the last sample in the rest (ms). */
  lastTMs: number;
  /** Last non-rest segment seen (SEG_CHARGE / SEG_DISCHARGE; SEG_REST if none yet). */
  lastActiveSeg: number;
  /** Segment before the current rest. */
  restAfter: number;
  /** Rests completed so far (the next RestRecord's index is this + 1). */
  restCount: number;
  /** 1 once the current rest has lasted relaxationMs + minSteadyMs (slope reportable). */
  slopeKnown: number;
  /** Time of the previous fitted sample (ms), for the forgetting factor; NaN before the first. */
  fitLastTMs: number;
  /** Per cell: first valid voltage of the rest (V), NaN if none yet. */
  v0V: Float64Array;
  /** Per cell: reference voltage = first valid voltage after the relaxation (V), NaN if none. */
  vRefV: Float64Array;
  /** Per cell: weighted least-squares sums; t in h since relaxation end, v in mV from vRefV. */
  sW: Float64Array;
  sT: Float64Array;
  sTT: Float64Array;
  sV: Float64Array;
  sTV: Float64Array;
  /** Per cell: number of samples fitted (unweighted). */
  nFit: Float64Array;
  /** Charge Ah of the last charge half not yet paired with a discharge (NaN if none). */
  chargeBeforeAh: number;
  /** 1 when a qualified rest followed that charge half. */
  shelved: number;
  /** Index of that rest (for the retention event), 0 if none. */
  shelvedRestIndex: number;
  /** Reference CE of unrested charge→discharge pairs (fraction), NaN until one is seen. */
  ceRefFrac: number;
  /** Unrested pairs averaged into ceRefFrac (saturates at CE_REF_WINDOW). */
  ceRefCount: number;
  /** Σ (charge Ah − discharge Ah) over all charge→discharge pairs (Ah). */
  totalLossAh: number;
  /** Σ calendar losses of rested pairs (Ah). */
  calendarLossAh: number;
  /** Last retention (fraction), NaN until one is measured. */
  retentionFrac: number;
  /** Rcld = calendarLossAh / totalLossAh (fraction), NaN while totalLossAh ≤ 0. */
  rcldFrac: number;
}

/** Fresh state for a config. */
export function createSelfDischargeState(config: PackConfig): SelfDischargeState {
  const n = config.cellCount;
  const st: SelfDischargeState = {
    inRest: 0,
    restStartTMs: NaN,
    lastTMs: NaN,
    lastActiveSeg: SEG_REST,
    restAfter: SEG_REST,
    restCount: 0,
    slopeKnown: 0,
    fitLastTMs: NaN,
    v0V: new Float64Array(n),
    vRefV: new Float64Array(n),
    sW: new Float64Array(n),
    sT: new Float64Array(n),
    sTT: new Float64Array(n),
    sV: new Float64Array(n),
    sTV: new Float64Array(n),
    nFit: new Float64Array(n),
    chargeBeforeAh: NaN,
    shelved: 0,
    shelvedRestIndex: 0,
    ceRefFrac: NaN,
    ceRefCount: 0,
    totalLossAh: 0,
    calendarLossAh: 0,
    retentionFrac: NaN,
    rcldFrac: NaN,
  };
  clearRest(st);
  return st;
}

function clearRest(st: SelfDischargeState): void {
  st.fitLastTMs = NaN;
  st.slopeKnown = 0;
  for (let i = 0; i < st.v0V.length; i++) {
    st.v0V[i] = NaN;
    st.vRefV[i] = NaN;
    st.sW[i] = 0;
    st.sT[i] = 0;
    st.sTT[i] = 0;
    st.sV[i] = 0;
    st.sTV[i] = 0;
    st.nFit[i] = 0;
  }
}

/** Fitted steady slope of cell i (mV/h, negative = falling), NaN with too few samples. */
function cellSlopeMVPerH(st: SelfDischargeState, i: number): number {
  if (st.nFit[i] < MIN_FIT_SAMPLES) return NaN;
  const den = st.sW[i] * st.sTT[i] - st.sT[i] * st.sT[i];
  if (!(den > 0)) return NaN;
  return (st.sW[i] * st.sTV[i] - st.sT[i] * st.sV[i]) / den;
}

/**
 * Worst cell's falling-slope magnitude during the current rest (mV/h, ≥ 0; 0 when no cell
 * falls), NaN when not in a rest or the steady slope is not known yet (rest shorter than
 * relaxationMs + minSteadyMs, or no valid voltage). Call after stepSelfDischarge.
 */
export function liveSlopeMVPerH(st: SelfDischargeState): number {
  if (st.inRest !== 1 || st.slopeKnown !== 1) return NaN;
  let worst = NaN;
  for (let i = 0; i < st.v0V.length; i++) {
    const s = cellSlopeMVPerH(st, i);
    if (isNaN(s)) continue;
    const fall = s < 0 ? -s : 0;
    if (isNaN(worst) || fall > worst) worst = fall;
  }
  return worst;
}

/**
 * One sample. Starts, extends and ends rests; a rest's end emits its RestRecord. `soc` gives
 * each cell's SOC and the usable capacity for the charge-lost estimate.
 */
export function stepSelfDischarge(
  st: SelfDischargeState,
  config: PackConfig,
  tMs: number,
  cellV: ArrayLike<number>,
  segment: SegmentCode,
  soc: SocState,
  emit: EventSink,
): void {
  const sc = config.selfDischarge;
  if (segment !== SEG_REST) {
    if (st.inRest === 1) endRest(st, config, soc, emit);
    st.lastActiveSeg = segment;
    return;
  }
  if (st.inRest !== 1) {
    st.inRest = 1;
    st.restStartTMs = tMs;
    st.restAfter = st.lastActiveSeg;
    clearRest(st);
  }
  st.lastTMs = tMs;
  const elapsedMs = tMs - st.restStartTMs;
  if (elapsedMs >= sc.relaxationMs + sc.minSteadyMs) st.slopeKnown = 1;
  const fitting = elapsedMs >= sc.relaxationMs;
  let lambda = 1;
  if (fitting) {
    if (!isNaN(st.fitLastTMs) && tMs > st.fitLastTMs) lambda = Math.exp(-(tMs - st.fitLastTMs) / sc.slopeWindowMs);
    st.fitLastTMs = tMs;
  }
  const tH = (elapsedMs - sc.relaxationMs) / MS_PER_H;
  for (let i = 0; i < st.v0V.length; i++) {
    const v = cellV[i];
    if (fitting) {
      // Forget old samples even when this cell's reading is invalid.
      st.sW[i] *= lambda;
      st.sT[i] *= lambda;
      st.sTT[i] *= lambda;
      st.sV[i] *= lambda;
      st.sTV[i] *= lambda;
    }
    if (!isFinite(v)) continue;
    if (isNaN(st.v0V[i])) st.v0V[i] = v;
    if (!fitting) continue;
    if (isNaN(st.vRefV[i])) st.vRefV[i] = v;
    const vMv = (v - st.vRefV[i]) * MV_PER_V;
    st.sW[i] += 1;
    st.sT[i] += tH;
    st.sTT[i] += tH * tH;
    st.sV[i] += vMv;
    st.sTV[i] += tH * vMv;
    st.nFit[i] += 1;
  }
}

/** Alarm-level threshold (mV/h) of the selfDischarge rows: lowest "alarm" limit, else lowest limit. */
function faultySlopeMVPerH(config: PackConfig): number {
  let alarm = NaN;
  let any = NaN;
  for (let i = 0; i < config.alarms.length; i++) {
    const r = config.alarms[i];
    if (r.id !== "selfDischarge") continue;
    if (isNaN(any) || r.limit < any) any = r.limit;
    if (r.level === "alarm" && (isNaN(alarm) || r.limit < alarm)) alarm = r.limit;
  }
  return isNaN(alarm) ? any : alarm;
}

/** Close the current rest: build and emit its RestRecord, mark a shelving test. */
function endRest(st: SelfDischargeState, config: PackConfig, soc: SocState, emit: EventSink): void {
  const sc = config.selfDischarge;
  const socCfg = config.soc;
  st.inRest = 0;
  st.restCount += 1;
  const durationMs = st.lastTMs - st.restStartTMs;
  const steadyH = (durationMs - sc.relaxationMs) / MS_PER_H;
  const known = st.slopeKnown === 1;
  let dropSum = 0;
  let dropN = 0;
  let slopeSum = 0;
  let slopeN = 0;
  let worst = NaN;
  let lostAh = NaN;
  for (let i = 0; i < st.v0V.length; i++) {
    if (!isNaN(st.v0V[i]) && !isNaN(st.vRefV[i])) {
      dropSum += st.v0V[i] - st.vRefV[i];
      dropN++;
    }
    if (!known) continue;
    const s = cellSlopeMVPerH(st, i);
    if (isNaN(s)) continue;
    slopeSum += s;
    slopeN++;
    if (isNaN(worst) || s < worst) worst = s;
    // Charge lost by this cell: steady fall / OCV slope × capacity, at most what it held.
    const socFrac = socOfCell(soc, i);
    const ocvSlope = Math.abs(ocvSlopeAtSoc(OCV_SOC_GRID, socCfg.ocvChargeV, socCfg.ocvDischargeV, st.restAfter, socFrac));
    if (ocvSlope >= MIN_OCV_SLOPE_V) {
      const fallV = s < 0 ? (-s * steadyH) / MV_PER_V : 0;
      let q = (fallV / ocvSlope) * soc.capacityAh;
      const heldAh = socFrac * soc.capacityAh;
      if (q > heldAh) q = heldAh;
      if (isNaN(lostAh) || q > lostAh) lostAh = q;
    }
  }
  const threshold = faultySlopeMVPerH(config);
  const rec: RestRecord = {
    index: st.restCount,
    startTMs: st.restStartTMs,
    endTMs: st.lastTMs,
    durationS: durationMs / 1000,
    after: st.restAfter as SegmentCode,
    relaxationDropV: dropN > 0 ? dropSum / dropN : NaN,
    steadySlopeMVPerH: slopeN > 0 ? slopeSum / slopeN : NaN,
    worstSlopeMVPerH: worst,
    chargeLostAh: lostAh,
    faulty: !isNaN(worst) && !isNaN(threshold) && -worst >= threshold ? 1 : 0,
  };
  if (known && st.restAfter === SEG_CHARGE && !isNaN(st.chargeBeforeAh)) {
    st.shelved = 1;
    st.shelvedRestIndex = rec.index;
  }
  emit({ kind: "rest", tMs: st.lastTMs, rest: rec });
}

/**
 * A charge or discharge half just ended with `capacityAh` moved (Ah, ≥ 0). A charge half opens
 * a pair; the next discharge half closes it: retention (if a qualified rest came between),
 * losses for Rcld, and the reference CE of unrested pairs. Emits `retention` for rested pairs.
 */
export function onHalfEnd(
  st: SelfDischargeState,
  _config: PackConfig,
  tMs: number,
  seg: SegmentCode,
  capacityAh: number,
  emit: EventSink,
): void {
  if (seg === SEG_CHARGE) {
    // A rest still open would belong to the previous half; a new charge restarts the pair.
    st.chargeBeforeAh = isFinite(capacityAh) && capacityAh > 0 ? capacityAh : NaN;
    st.shelved = 0;
    st.shelvedRestIndex = 0;
    return;
  }
  if (seg !== SEG_DISCHARGE) return;
  const qc = st.chargeBeforeAh;
  st.chargeBeforeAh = NaN;
  const shelved = st.shelved === 1;
  st.shelved = 0;
  if (isNaN(qc) || !isFinite(capacityAh) || capacityAh < 0) return;
  const qd = capacityAh;
  const pairCe = qd / qc;
  st.totalLossAh += qc - qd;
  if (!shelved) {
    // Unrested pair: reference CE (running mean, then a window of CE_REF_WINDOW pairs).
    if (st.ceRefCount < CE_REF_WINDOW) st.ceRefCount += 1;
    st.ceRefFrac = isNaN(st.ceRefFrac) ? pairCe : st.ceRefFrac + (pairCe - st.ceRefFrac) / st.ceRefCount;
  } else {
    const ceRef = isNaN(st.ceRefFrac) ? 1 : st.ceRefFrac;
    st.calendarLossAh += qc * ceRef - qd;
    st.retentionFrac = pairCe;
  }
  st.rcldFrac = st.totalLossAh > 0 ? st.calendarLossAh / st.totalLossAh : NaN;
  if (shelved) {
    emit({ kind: "retention", tMs: tMs, restIndex: st.shelvedRestIndex, retention: pairCe, rcld: st.rcldFrac });
  }
}

/** Last retention after a shelving rest (fraction), NaN if none yet (for AlarmInputs.retentionFrac). */
export function lastRetentionFrac(st: SelfDischargeState): number {
  return st.retentionFrac;
}

/** Accumulated calendar-loss share Rcld (fraction), NaN while no capacity loss is recorded. */
export function rcldFrac(st: SelfDischargeState): number {
  return st.rcldFrac;
}
