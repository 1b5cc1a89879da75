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
 * When the rest ends a `rest` event carries a RestRecord, with an estimate of the charge lost
 * (`chargeLostEstAh`) from the steady voltage fall through the OCV curve: NaN, "not
 * determinable", where the curve is flatter than MIN_OCV_SLOPE_V_PER_SOC (a plateau: Zn‖I2).
 *
 * Counted figures (the article's definitions), once the discharge after the rest is known:
 * - retention ("CE after shelving") = discharge Ah after a qualified rest (≥ relaxationMs +
 *   minSteadyMs) ÷ charge Ah of the charge half before it;
 * - charge lost to the rest = charge before × reference CE of unrested pairs − discharge after,
 *   within [0, the pair's own loss];
 * - Rcld = Σ charge lost to rests ÷ Σ every charge→discharge pair's loss (charge − discharge,
 *   ≥ 0): a share, 0–100 % by construction.
 *
 * State: plain numbers and Float64Arrays, updated in place; events allocate.
 */
import type { PackConfig, SelfDischargeConfig } from "../config/packConfig";
import type { EventSink, RestRecord, SegmentCode } from "../model/events";
import { SEG_CHARGE, SEG_DISCHARGE, SEG_REST } from "../model/events";
import { OCV_SOC_GRID } from "../chemistry/presets";
import { ocvAtSoc, ocvSlopeAtSoc, socAtOcv } from "../chemistry/ocv";
import type { SocState } from "../soc/socEstimator";
import { socOfCell } from "../soc/socEstimator";
import { MS_PER_H } from "../units";

/** Millivolts per volt (unit conversion). */
const MV_PER_V = 1000;
/** Fewer fitted samples than this: no slope (a line through 2 points is not a fit). */
const MIN_FIT_SAMPLES = 3;
/** Unrested charge→discharge pairs averaged (at most) into the reference CE. */
const CE_REF_WINDOW = 10;
/** The per-cell self-discharge rates are recomputed at most this often (ms) during a rest:
 *  engineering choice, far below the hours a steady slope takes and the selfDischarge alarm's
 *  10-min delay, and it keeps the two OCV look-ups per cell off most samples. */
const RATE_REFRESH_MS = 60000;
/** A falling slope counts as self-discharge only by what exceeds this many of its standard errors
 *  (engineering choice: 3 σ, so ADC noise on a flat part of the OCV curve, where a small mV/h
 *  is a large rate, does not raise the alarm; a steady slope is many σ above it). */
const SLOPE_SIGNIFICANCE_K = 3;
/** A cell reading below this SOC (fraction) at the start of its steady fit holds too little
 *  charge for a leak to show — Zn corrosion and cathode dissolution consume charged material,
 *  so the loss rate falls with the charge held — and its rest cannot clear an earlier faulty
 *  verdict (engineering choice: 10 %). */
const MIN_JUDGED_SOC_FRAC = 0.1;

/** The OCV curve must fall at least this steeply (V per unit SOC) where a cell rests for its
 *  voltage fall to say how much charge it lost: 0.1 V/SOC = 1 mV per 1 % of capacity, so a few
 *  mV of table error or cell spread (a plateau's level) stay within a few % (engineering choice;
 *  Zn‖MnO2's curve is ≥ 0.2 V/SOC, Zn‖I2's plateau 0.05–0.07). */
const MIN_OCV_SLOPE_V_PER_SOC = 0.1;

/** Default self-discharge settings (H1's defaults.ts calls this). */
export function defaultSelfDischargeConfig(): SelfDischargeConfig {
  return {
    // Engineering choice: the article's healthy hybrid-electrolyte cell shows its steep drop
    // early in a 24 h rest (Fig. 11b); 4 h covers relaxation time constants up to 30 min (e^-8)
    // and leaves ~0.25 % of a 40-min diffusion relaxation (a pouch cell's slow RC pair), whose
    // tail would otherwise read as a self-discharge rate of several 0.01 %/h.
    relaxationMs: 4 * 3600 * 1000,
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
  /** Per cell: SOC read from the first fitted voltage through the OCV curve (fraction), NaN if
   *  none; the SOC fit below works relative to it. */
  socRefFrac: Float64Array;
  /** Per cell: weighted least-squares sums of s = SOC(V) − socRefFrac (fraction) against t (h):
   *  Σw·s, Σw·t·s, Σw·s² (the weights and Σw, Σw·t, Σw·t² are those of the voltage fit). */
  sS: Float64Array;
  sTS: Float64Array;
  sSS: Float64Array;
  /** The rest's OCV branch ends, cached at its start: OCV at SOC 0 and 1 (V) and the end
   *  segments' slopes (V per unit SOC), to read voltages beyond the table (restSocAtV). */
  branchBottomV: number;
  branchTopV: number;
  branchBottomSlopeV: number;
  branchTopSlopeV: number;
  /** Per cell: number of samples fitted (unweighted). */
  nFit: Float64Array;
  /** Per cell: self-discharge rate (fraction of capacity per hour, ≥ 0) as last computed by
   *  updateRates; NaN while unknown. */
  rateFracPerH: Float64Array;
  /** Time (ms) of the last updateRates in this rest, NaN if none. */
  rateTMs: number;
  /** Per cell: the rate (fraction/h) of the last rest that judged the cell faulty (at or above
   *  the lowest selfDischarge limit), kept until a rest in which the cell held enough charge to
   *  show a leak (MIN_JUDGED_SOC_FRAC) measures it below that limit; 0 = not suspect. Survives
   *  rests (not cleared by clearRest). */
  suspectFracPerH: Float64Array;
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
  /** Σ max(0, charge Ah − discharge Ah) over all charge→discharge pairs (Ah). */
  totalLossAh: number;
  /** Σ charge lost to rests of rested pairs (Ah), each within [0, its pair's loss]. */
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
    socRefFrac: new Float64Array(n),
    sS: new Float64Array(n),
    sTS: new Float64Array(n),
    sSS: new Float64Array(n),
    branchBottomV: NaN,
    branchTopV: NaN,
    branchBottomSlopeV: NaN,
    branchTopSlopeV: NaN,
    nFit: new Float64Array(n),
    rateFracPerH: new Float64Array(n),
    rateTMs: NaN,
    suspectFracPerH: new Float64Array(n),
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
  st.rateTMs = NaN;
  for (let i = 0; i < st.v0V.length; i++) {
    st.v0V[i] = NaN;
    st.vRefV[i] = NaN;
    st.sW[i] = 0;
    st.sT[i] = 0;
    st.sTT[i] = 0;
    st.sV[i] = 0;
    st.sTV[i] = 0;
    st.nFit[i] = 0;
    st.rateFracPerH[i] = NaN;
    st.socRefFrac[i] = NaN;
    st.sS[i] = 0;
    st.sTS[i] = 0;
    st.sSS[i] = 0;
  }
}

/**
 * Slope of cell i's weighted least-squares line of y against t (Σw·y in `sy`, Σw·t·y in `sty`):
 * the steady voltage slope (mV/h, negative = falling) with sV, sTV; NaN with too few samples.
 */
function cellFitSlope(st: SelfDischargeState, i: number, sy: Float64Array, sty: Float64Array): number {
  if (st.nFit[i] < MIN_FIT_SAMPLES) return NaN;
  const den = st.sW[i] * st.sTT[i] - st.sT[i] * st.sT[i];
  if (!(den > 0)) return NaN;
  return (st.sW[i] * sty[i] - st.sT[i] * sy[i]) / den;
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
    const s = cellFitSlope(st, i, st.sV, st.sTV);
    if (isNaN(s)) continue;
    const fall = s < 0 ? -s : 0;
    if (isNaN(worst) || fall > worst) worst = fall;
  }
  return worst;
}

/**
 * SOC (fraction) of a rest voltage v on the rest's OCV branch (the segment before the rest), the
 * table's end segments extended beyond it (a cell relaxing above the top of the table still
 * reads a falling SOC, not a clamped 1).
 */
function restSocAtV(st: SelfDischargeState, config: PackConfig, v: number): number {
  if (v > st.branchTopV) return 1 + (v - st.branchTopV) / st.branchTopSlopeV;
  if (v < st.branchBottomV) return (v - st.branchBottomV) / st.branchBottomSlopeV;
  const c = config.soc;
  return socAtOcv(OCV_SOC_GRID, c.ocvChargeV, c.ocvDischargeV, st.restAfter, v);
}

/**
 * Self-discharge rate of cell i (fraction of capacity per hour, ≥ 0): minus the slope of the
 * weighted least-squares line of SOC(V) against time, each voltage read through the OCV curve
 * (restSocAtV) — so a cell is judged on charge lost, whatever the steepness of the curve where it
 * sits, and a cell crossing a knee of the curve is not misread. Only the part of the fall beyond
 * SLOPE_SIGNIFICANCE_K standard errors of that slope counts:
 *   r = max(0, −(b + K·se(b))),  se² = [RSS / (Σw − 2)] · Σw / (Σw·Σwt² − (Σwt)²).
 * NaN with fewer than MIN_FIT_SAMPLES samples.
 */
function cellRateFracPerH(st: SelfDischargeState, i: number): number {
  const b = cellFitSlope(st, i, st.sS, st.sTS);
  if (b !== b) return NaN;
  const w = st.sW[i];
  const den = w * st.sTT[i] - st.sT[i] * st.sT[i];
  const a = (st.sS[i] - b * st.sT[i]) / w;
  let rss = st.sSS[i] - a * st.sS[i] - b * st.sTS[i];
  if (!(rss > 0)) rss = 0;
  const se = w > 2 ? Math.sqrt(((rss / (w - 2)) * w) / den) : 0;
  const fall = -(b + SLOPE_SIGNIFICANCE_K * se);
  return fall > 0 ? fall : 0;
}

/** Recompute every cell's rate (see cellRateFracPerH) at rest time tMs. */
function updateRates(st: SelfDischargeState, tMs: number): void {
  for (let i = 0; i < st.v0V.length; i++) st.rateFracPerH[i] = cellRateFracPerH(st, i);
  st.rateTMs = tMs;
}

/**
 * Rate (fraction/h) on which cell i is judged in this rest: its measured rate, or — while it
 * holds less than MIN_JUDGED_SOC_FRAC, too little to show a leak — at least the rate of its last
 * faulty verdict (a cell found leaking does not heal by running empty). NaN without a rate.
 */
function judgedRateFracPerH(st: SelfDischargeState, i: number): number {
  const r = st.rateFracPerH[i];
  if (isNaN(r) || !(st.socRefFrac[i] < MIN_JUDGED_SOC_FRAC)) return r;
  const suspect = st.suspectFracPerH[i];
  return suspect > r ? suspect : r;
}

/**
 * Worst cell's self-discharge rate during the current rest (fraction of capacity per hour, ≥ 0):
 * the `selfDischargeFracPerH` alarm input. Judged as charge lost rather than volts, so a faulty
 * cell on a flat part of its OCV curve (a small mV/h) and a healthy one on a steep part (a larger
 * mV/h) are told apart. NaN when not in a rest or before relaxationMs + minSteadyMs (as
 * liveSlopeMVPerH). Call after stepSelfDischarge.
 */
export function liveRateFracPerH(st: SelfDischargeState): number {
  if (st.inRest !== 1 || st.slopeKnown !== 1) return NaN;
  let worst = NaN;
  for (let i = 0; i < st.v0V.length; i++) {
    const r = judgedRateFracPerH(st, i);
    if (!isNaN(r) && (isNaN(worst) || r > worst)) worst = r;
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
    const c = config.soc;
    const br = st.restAfter;
    st.branchBottomV = ocvAtSoc(OCV_SOC_GRID, c.ocvChargeV, c.ocvDischargeV, br, 0);
    st.branchTopV = ocvAtSoc(OCV_SOC_GRID, c.ocvChargeV, c.ocvDischargeV, br, 1);
    st.branchBottomSlopeV = ocvSlopeAtSoc(OCV_SOC_GRID, c.ocvChargeV, c.ocvDischargeV, br, 0);
    st.branchTopSlopeV = ocvSlopeAtSoc(OCV_SOC_GRID, c.ocvChargeV, c.ocvDischargeV, br, 1);
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
      st.sS[i] *= lambda;
      st.sTS[i] *= lambda;
      st.sSS[i] *= lambda;
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
    const socV = restSocAtV(st, config, v);
    if (isNaN(st.socRefFrac[i])) st.socRefFrac[i] = socV;
    const sRel = socV - st.socRefFrac[i];
    st.sS[i] += sRel;
    st.sTS[i] += tH * sRel;
    st.sSS[i] += sRel * sRel;
    st.nFit[i] += 1;
  }
  if (st.slopeKnown === 1 && !(tMs - st.rateTMs < RATE_REFRESH_MS)) updateRates(st, tMs);
}

/** Lowest limit (fraction of capacity per hour) of the selfDischarge alarm rows, any level: a
 *  rest whose worst cell reached it is flagged `faulty` in its RestRecord (NaN: no rows). */
function faultyRateFracPerH(config: PackConfig): number {
  let lowest = NaN;
  for (let i = 0; i < config.alarms.length; i++) {
    const r = config.alarms[i];
    if (r.id === "selfDischarge" && (isNaN(lowest) || r.limit < lowest)) lowest = r.limit;
  }
  return lowest;
}

/** Close the current rest: build and emit its RestRecord, mark a shelving test. */
function endRest(st: SelfDischargeState, config: PackConfig, soc: SocState, emit: EventSink): void {
  const sc = config.selfDischarge;
  st.inRest = 0;
  st.restCount += 1;
  const durationMs = st.lastTMs - st.restStartTMs;
  const steadyH = (durationMs - sc.relaxationMs) / MS_PER_H;
  const known = st.slopeKnown === 1;
  if (known) updateRates(st, st.lastTMs);
  const threshold = faultyRateFracPerH(config);
  let dropSum = 0;
  let dropN = 0;
  let slopeSum = 0;
  let slopeN = 0;
  let worst = NaN;
  let worstRate = NaN;
  let lostAh = NaN;
  for (let i = 0; i < st.v0V.length; i++) {
    if (!isNaN(st.v0V[i]) && !isNaN(st.vRefV[i])) {
      dropSum += st.v0V[i] - st.vRefV[i];
      dropN++;
    }
    if (!known) continue;
    const s = cellFitSlope(st, i, st.sV, st.sTV);
    if (isNaN(s)) continue;
    slopeSum += s;
    slopeN++;
    if (isNaN(worst) || s < worst) worst = s;
    // Estimated charge lost by this cell: its rate (cellRateFracPerH) over the steady part ×
    // capacity, at most what it held.
    const r = st.rateFracPerH[i];
    if (isNaN(r)) continue;
    const judged = judgedRateFracPerH(st, i);
    if (isNaN(worstRate) || judged > worstRate) worstRate = judged;
    // A cell that held enough charge to show a leak gets a new verdict; one that did not keeps its old.
    if (st.socRefFrac[i] >= MIN_JUDGED_SOC_FRAC) st.suspectFracPerH[i] = r >= threshold ? r : 0;
    // On a flat stretch of the curve the voltage fall says nothing about the charge: no estimate.
    const c = config.soc;
    if (!(ocvSlopeAtSoc(OCV_SOC_GRID, c.ocvChargeV, c.ocvDischargeV, st.restAfter, st.socRefFrac[i]) >= MIN_OCV_SLOPE_V_PER_SOC)) continue;
    let q = r * steadyH * soc.capacityAh;
    const heldAh = socOfCell(soc, i) * soc.capacityAh;
    if (q > heldAh) q = heldAh;
    if (isNaN(lostAh) || q > lostAh) lostAh = q;
  }
  const rec: RestRecord = {
    index: st.restCount,
    startTMs: st.restStartTMs,
    endTMs: st.lastTMs,
    durationS: durationMs / 1000,
    after: st.restAfter as SegmentCode,
    relaxationDropV: dropN > 0 ? dropSum / dropN : NaN,
    steadySlopeMVPerH: slopeN > 0 ? slopeSum / slopeN : NaN,
    worstSlopeMVPerH: worst,
    chargeLostEstAh: lostAh,
    faulty: !isNaN(worstRate) && !isNaN(threshold) && worstRate >= threshold ? 1 : 0,
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
  let pairLossAh = qc - qd;
  if (!(pairLossAh > 0)) pairLossAh = 0;
  st.totalLossAh += pairLossAh;
  let lostAh = NaN;
  if (!shelved) {
    // Unrested pair: reference CE (running mean, then a window of CE_REF_WINDOW pairs).
    if (st.ceRefCount < CE_REF_WINDOW) st.ceRefCount += 1;
    st.ceRefFrac = isNaN(st.ceRefFrac) ? pairCe : st.ceRefFrac + (pairCe - st.ceRefFrac) / st.ceRefCount;
  } else {
    // Charge lost to the rest: what an unrested pair would have returned, minus what came back.
    const ceRef = isNaN(st.ceRefFrac) ? 1 : st.ceRefFrac;
    lostAh = qc * ceRef - qd;
    if (!(lostAh > 0)) lostAh = 0;
    if (lostAh > pairLossAh) lostAh = pairLossAh;
    st.calendarLossAh += lostAh;
    st.retentionFrac = pairCe;
  }
  st.rcldFrac = st.totalLossAh > 0 ? st.calendarLossAh / st.totalLossAh : NaN;
  if (shelved) {
    emit({ kind: "retention", tMs: tMs, restIndex: st.shelvedRestIndex, retention: pairCe, rcld: st.rcldFrac, chargeLostAh: lostAh });
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
