/**
 * State of charge per cell: coulomb counting from an anchor, corrected from the open-circuit
 * voltage only once the cell has relaxed, with a Kalman-style weight that accounts for the OCV
 * curve's slope (a flat Zn‖I2 plateau barely moves SOC). Also the usable capacity (state of
 * health), updated from full cycles. Definitions and formulas: docs/model-soc-selfdischarge-alarms.md.
 *
 * Per-cell quantities (series string: every cell sees the pack current):
 * - `countSocFrac` / `sigmaFrac`: the committed estimate and its standard deviation, moved only
 *   by counting and by cut-off anchors;
 * - `socFrac` / `postSigmaFrac`: the reported estimate = committed estimate plus the OCV
 *   correction of the current rest. Each relaxed window of a rest recomputes the correction
 *   from the committed prior (the OCV error is systematic, so repeated readings in one rest are
 *   not independent evidence); the rest's last correction is committed when the rest ends.
 *
 * Update in place, no allocation per sample. State is plain numbers and Float64Arrays
 * (snapshot-exact via shared/state/snapshot.ts).
 */
import type { PackConfig, SocConfig } from "../config/packConfig";
import type { CycleRecord, SegmentCode } from "../model/events";
import { SEG_CHARGE, SEG_DISCHARGE, SEG_REST, CYCLE_FLAG_PARTIAL, CYCLE_FLAG_GAP, CYCLE_FLAG_SENSOR_FAULT } from "../model/events";
import { CHEMISTRY_PRESETS, OCV_SOC_GRID } from "../chemistry/presets";
import type { ChemistryId } from "../chemistry/presets";
import { ocvSlopeAtSoc, socAtOcv, OCV_BRANCH_MEAN } from "../chemistry/ocv";
import { MS_PER_H, MS_PER_S } from "../units";

/** An OCV slope below this (V per unit SOC = 0.1 mV over the whole SOC range) carries no SOC
 *  information: no correction (numerical guard, well below any preset's flattest segment). */
const MIN_OCV_SLOPE_V = 1e-4;
/**
 * Standard deviation of an error known only by its worst case a (sensorChain.voltageOffsetV is
 * a data-sheet bound): a rectangular distribution on [−a, a] has σ = a / √3 (GUM, JCGM 100:2008 §4.3.7).
 */
const RECT_SIGMA_PER_BOUND = 1 / Math.sqrt(3);
/** `known` codes: no valid voltage seen yet / provisional guess from an unrelaxed voltage /
 *  anchored (a relaxed OCV or a cut-off has fixed the SOC at least once). */
export const SOC_UNKNOWN = 0;
const SOC_PROVISIONAL = 1;
const SOC_ANCHORED = 2;
/** `corrected` codes (see SocState.corrected). */
const CORR_WEIGHTED = 1;
const CORR_ANCHOR = 2;
/** A per-cell capacity measurement whose relative standard deviation √(σ₁² + σ₂²) / |ΔSOC|
 *  exceeds this is not used (engineering choice: 10 %, so one update at capacityUpdateGain moves
 *  the estimate by at most ~3 % of noise). */
const MAX_CAP_REL_SIGMA = 0.1;
/** A per-cell capacity measurement needs at least this share of nominal capacity counted between
 *  its two readings (engineering choice: below it, reading errors dominate). */
const MIN_CAP_SPAN_FRAC = 0.2;
/** Cycle flags that disqualify a cycle from the capacity (SOH) update. */
const SOH_REJECT_FLAGS = CYCLE_FLAG_PARTIAL | CYCLE_FLAG_GAP | CYCLE_FLAG_SENSOR_FAULT;

/** SOC estimator state (one per pack). */
export interface SocState {
  /** Usable capacity of the string (Ah), nominal until a full cycle updates it. */
  capacityAh: number;
  /** Last direction of current: SEG_CHARGE, SEG_DISCHARGE, or 0 (unknown); picks the OCV branch. */
  dir: number;
  /** Segment of the previous sample (SEG_*), to detect a rest's end. */
  prevSeg: number;
  /** Last valid pack current (A), NaN if none yet or the last one was invalid. */
  prevCurrentA: number;
  /** Magnitude of the last valid current (A): bounds the charge moved while current is unknown. */
  lastAbsCurrentA: number;
  /** Per cell: 1 after that cell's full anchor, cleared when a new charge starts; a discharge
   *  in which the same cell then reaches the empty anchor is a full discharge (a string whose
   *  top and bottom are set by different cells has moved less than any one cell's capacity). */
  fromFull: Float64Array;
  /** 1 when a full discharge (full anchor → empty anchor) happened since the last cycle record. */
  fullDischarge: number;
  /** Start time (ms) of the current relaxation window (NaN outside a rest). */
  winStartTMs: number;
  /** Reported SOC per cell (fraction 0…1). */
  socFrac: Float64Array;
  /** Standard deviation of the reported SOC (fraction). */
  postSigmaFrac: Float64Array;
  /** Committed (counted + anchored) SOC per cell (fraction 0…1). */
  countSocFrac: Float64Array;
  /** Standard deviation of the committed SOC (fraction). */
  sigmaFrac: Float64Array;
  /** SOC_UNKNOWN / SOC_PROVISIONAL / SOC_ANCHORED per cell. */
  known: Float64Array;
  /** Uncommitted OCV correction of the current rest in socFrac: 0 none, CORR_WEIGHTED (a
   *  weighted correction), CORR_ANCHOR (informative enough to anchor an unanchored cell). */
  corrected: Float64Array;
  /** Current window's sums: valid samples, Σ V (V), Σ t (ms, relative to winStartTMs). */
  winN: Float64Array;
  winSumV: Float64Array;
  winSumT: Float64Array;
  /** Previous window's mean voltage (V) and mean time (ms, absolute), NaN if none. */
  prevMeanV: Float64Array;
  prevMeanTMs: Float64Array;
  /** How long (ms) the cell's window slopes have stayed below relaxedDvDtVPerS. */
  relaxedForMs: Float64Array;
  /** |current| (A) of the latest sample of the current half whose |current| exceeded the
   *  segmentation's restCurrentA (NaN if none yet): the current when the half ended. */
  lastActiveA: number;
  /** Per cell: voltage (V) at that sample (NaN if none or invalid): the end-of-half voltage. */
  lastActiveV: Float64Array;
  /** Net charge counted since the start (Ah, + = charge): the clock of the capacity readings. */
  netAh: number;
  /** Per cell: capacity (Ah) used to turn counted charge into SOC; nominal until measured. In a
   *  series string cells fade apart, so each cell has its own. */
  cellCapAh: Float64Array;
  /** Per cell: the latest SOC reading (fraction) made from a voltage (OCV, CV-hold end, cut-off),
   *  its standard deviation, and netAh when it was made (NaN before the first). */
  refSocFrac: Float64Array;
  refSigmaFrac: Float64Array;
  refAh: Float64Array;
}

/** Default SOC settings for a chemistry (H1's defaults.ts calls this). */
export function defaultSocConfig(chemistry: ChemistryId): SocConfig {
  const p = CHEMISTRY_PRESETS[chemistry];
  return {
    // Engineering choice: 14.4 mV/h. A relaxation drop (tens of mV per hour and more right after
    // the current stops) does not pass; the slow tail of a pouch cell's diffusion relaxation
    // (~5 mV left half an hour after a C/5 discharge, inside ocvSigmaV) does.
    relaxedDvDtVPerS: 4e-6,
    // Engineering choice: one quiet window pair (10 min), so the usual 30-min open-circuit rest
    // after a discharge gives every cell a reading at low SOC, where the OCV curve is steep (what
    // per-cell capacities are measured from). In a long rest later windows recompute the
    // correction from the same committed prior, so the early reading is superseded, not stacked.
    relaxedMinMs: 10 * 60 * 1000,
    // Engineering choice: 10-min means; 1 mV of ADC noise then gives < 1.7e-6 V/s.
    relaxedWindowMs: 10 * 60 * 1000,
    // Engineering choice: residual hysteresis, incomplete relaxation and ~0.5 mV/K temperature.
    ocvSigmaV: 0.01,
    // Engineering choice: an OCV reading worth less than ±10 % SOC is ignored once anchored;
    // with σ_V = 10 mV this means slopes below 0.1 V per 100 % SOC (the Zn‖I2 plateau, ~0.05).
    maxOcvSigmaFrac: 0.1,
    // Article (seed, "Energy efficiency"/CE): practical pouch cells ~97.5 % CE → ~2 % of the
    // counted charge goes to side reactions.
    countingSigmaFrac: 0.02,
    // Uniform prior on [0, 1]: σ = 1/√12 ≈ 0.29.
    initialSigmaFrac: 0.29,
    // Engineering choice: a cut-off reached under load at C/4–C/6 is within ~5 % of full/empty.
    anchorSigmaFrac: 0.05,
    fullCellV: p.maxCellV,
    emptyCellV: p.minCellV,
    ocvChargeV: p.ocvChargeV.slice(),
    ocvDischargeV: p.ocvDischargeV.slice(),
    // Engineering choice: a full cycle moves the capacity 30 % of the way to its measurement.
    capacityUpdateGain: 0.3,
    // Engineering choice: CV holds end at C/20–C/50; at ≤ C/20 a pouch cell's IR drop
    // (~0.15 Ω·Ah) is under 10 mV, inside ocvSigmaV, so the loaded voltage reads as OCV.
    fullTaperCurrentC: 1 / 20,
  };
}

/** Fresh state for a config (all cells unknown until their first valid voltage). */
export function createSocState(config: PackConfig): SocState {
  const n = config.cellCount;
  const st: SocState = {
    capacityAh: config.capacityAh,
    dir: 0,
    prevSeg: SEG_REST,
    prevCurrentA: NaN,
    lastAbsCurrentA: 0,
    fromFull: new Float64Array(n),
    fullDischarge: 0,
    winStartTMs: NaN,
    socFrac: new Float64Array(n),
    postSigmaFrac: new Float64Array(n),
    countSocFrac: new Float64Array(n),
    sigmaFrac: new Float64Array(n),
    known: new Float64Array(n),
    corrected: new Float64Array(n),
    winN: new Float64Array(n),
    winSumV: new Float64Array(n),
    winSumT: new Float64Array(n),
    prevMeanV: new Float64Array(n),
    prevMeanTMs: new Float64Array(n),
    relaxedForMs: new Float64Array(n),
    lastActiveA: NaN,
    lastActiveV: new Float64Array(n),
    netAh: 0,
    cellCapAh: new Float64Array(n),
    refSocFrac: new Float64Array(n),
    refSigmaFrac: new Float64Array(n),
    refAh: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    st.socFrac[i] = 0.5;
    st.countSocFrac[i] = 0.5;
    st.sigmaFrac[i] = config.soc.initialSigmaFrac;
    st.postSigmaFrac[i] = config.soc.initialSigmaFrac;
    st.prevMeanV[i] = NaN;
    st.prevMeanTMs[i] = NaN;
    st.lastActiveV[i] = NaN;
    st.cellCapAh[i] = config.capacityAh;
    st.refSocFrac[i] = NaN;
    st.refSigmaFrac[i] = NaN;
    st.refAh[i] = NaN;
  }
  return st;
}

/** Reported SOC of cell i (fraction, always in [0, 1]; 0.5 before any valid voltage). */
export function socOfCell(st: SocState, i: number): number {
  return st.socFrac[i];
}

/** Standard deviation of cell i's reported SOC (fraction). */
export function socSigmaOfCell(st: SocState, i: number): number {
  return st.postSigmaFrac[i];
}

/** 1 when cell i's SOC has been anchored (relaxed OCV or cut-off) at least once, else 0. */
export function socAnchored(st: SocState, i: number): number {
  return st.known[i] === SOC_ANCHORED ? 1 : 0;
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/**
 * One sample. `dtMs` = time since the previous sample; `currentA` the offset-corrected pack
 * current (+ = charge, NaN if invalid); `cellV` per-cell volts (NaN = invalid); `segment` the
 * segmentation's verdict for this sample. In order: the interval's counted charge and its
 * uncertainty, the segment bookkeeping (anchors at a half's end, a rest's OCV correction
 * committed, relaxation windows opened), each cell's estimate, and a relaxation window closed.
 */
export function stepSoc(
  st: SocState,
  config: PackConfig,
  tMs: number,
  dtMs: number,
  currentA: number,
  cellV: ArrayLike<number>,
  segment: SegmentCode,
): void {
  // 1. Counting (trapezoid with the previous valid current; rectangle after an invalid one), in
  // Ah here and per cell (÷ that cell's capacity) in stepCells.
  const chain = config.sensorChain;
  let dAh = 0;
  let dSigmaAh = 0;
  const currentOk = isFinite(currentA);
  if (isFinite(dtMs) && dtMs > 0) {
    const dtH = dtMs / MS_PER_H;
    if (currentOk && dtMs <= config.counting.maxGapMs) {
      const meanA = isNaN(st.prevCurrentA) ? currentA : 0.5 * (st.prevCurrentA + currentA);
      dAh = meanA * dtH;
      dSigmaAh = (config.soc.countingSigmaFrac + chain.currentGainErrFrac) * Math.abs(dAh) + chain.currentOffsetA * dtH;
    } else {
      // Current unknown (invalid channel or a time gap): no counting, but the SOC may have
      // moved by up to the last known current times the interval.
      dSigmaAh = (st.lastAbsCurrentA + chain.currentOffsetA) * dtH;
    }
    st.netAh += dAh;
  }
  if (currentOk) {
    st.prevCurrentA = currentA;
    st.lastAbsCurrentA = Math.abs(currentA);
  } else st.prevCurrentA = NaN;
  const loaded = enterSegment(st, config, tMs, currentA, segment);
  const windowEnds = segment === SEG_REST && tMs - st.winStartTMs >= config.soc.relaxedWindowMs;
  stepCells(st, config, tMs, dAh, dSigmaAh, cellV, segment, loaded);
  if (windowEnds) closeRelaxationWindow(st, config, tMs);
}

/**
 * 2. The segment's bookkeeping: a half that ended sets per-cell anchors from its last loaded
 * voltages (endOfCharge / endOfDischarge); a rest that ended commits its OCV correction; a rest
 * opens its relaxation windows. Returns true when the sample is loaded in the half's own
 * direction (the dwell before a switch may already carry the next half's current, or none).
 */
function enterSegment(st: SocState, config: PackConfig, tMs: number, currentA: number, segment: SegmentCode): boolean {
  if (segment !== st.prevSeg) switchSegment(st, config, tMs, segment);
  else if (segment === SEG_REST && isNaN(st.winStartTMs)) openRelaxationWindows(st, config.cellCount, tMs);
  const restA = config.segmentation.restCurrentA;
  const loaded = (segment === SEG_CHARGE && currentA > restA) || (segment === SEG_DISCHARGE && currentA < -restA);
  if (loaded) st.lastActiveA = Math.abs(currentA);
  return loaded;
}

/**
 * The first sample of a new segment. Within a segment nothing here changes again (the direction
 * is the segment's, winStartTMs stays NaN outside rests), so enterSegment calls it only on a switch.
 */
function switchSegment(st: SocState, config: PackConfig, tMs: number, segment: SegmentCode): void {
  const n = config.cellCount;
  if (st.prevSeg === SEG_CHARGE) endOfCharge(st, config);
  else if (st.prevSeg === SEG_DISCHARGE) endOfDischarge(st, config);
  st.lastActiveA = NaN;
  for (let i = 0; i < n; i++) st.lastActiveV[i] = NaN;
  if (segment === SEG_CHARGE) {
    for (let i = 0; i < n; i++) st.fromFull[i] = 0;
  }
  if (segment === SEG_CHARGE || segment === SEG_DISCHARGE) st.dir = segment;
  if (segment !== SEG_REST && st.prevSeg === SEG_REST) commitRestCorrections(st, n);
  if (segment !== SEG_REST) st.winStartTMs = NaN;
  else if (isNaN(st.winStartTMs)) openRelaxationWindows(st, n, tMs);
  st.prevSeg = segment;
}

/** A rest ended: its OCV corrections become the committed estimates. */
function commitRestCorrections(st: SocState, n: number): void {
  for (let i = 0; i < n; i++) {
    if (st.corrected[i] !== 0) {
      st.countSocFrac[i] = st.socFrac[i];
      st.sigmaFrac[i] = st.postSigmaFrac[i];
      if (st.corrected[i] === CORR_ANCHOR) st.known[i] = SOC_ANCHORED;
      st.corrected[i] = 0;
    }
  }
}

/** A rest began at `tMs`: empty relaxation windows, no earlier window mean. */
function openRelaxationWindows(st: SocState, n: number, tMs: number): void {
  st.winStartTMs = tMs;
  for (let i = 0; i < n; i++) {
    st.winN[i] = 0;
    st.winSumV[i] = 0;
    st.winSumT[i] = 0;
    st.prevMeanV[i] = NaN;
    st.prevMeanTMs[i] = NaN;
    st.relaxedForMs[i] = 0;
  }
}

/**
 * Each cell: counting moves both the committed and the reported estimate; a first valid voltage
 * gives a provisional guess; 3. cut-off voltages anchor it (and an empty cell gives a capacity
 * reading); 4. during a rest the voltage joins the relaxation window.
 */
function stepCells(
  st: SocState,
  config: PackConfig,
  tMs: number,
  dAh: number,
  dSigmaAh: number,
  cellV: ArrayLike<number>,
  segment: SegmentCode,
  loaded: boolean,
): void {
  const sc = config.soc;
  const n = config.cellCount;
  // the state's arrays read once (each `st.x` is a name search in the state's ≈ 30 fields on Espruino)
  const capAh = st.cellCapAh;
  const countSoc = st.countSocFrac;
  const soc = st.socFrac;
  const sigma = st.sigmaFrac;
  const postSigma = st.postSigmaFrac;
  const known = st.known;
  const lastActiveV = st.lastActiveV;
  const rest = segment === SEG_REST;
  for (let i = 0; i < n; i++) {
    const v = cellV[i];
    const capI = capAh[i];
    const dSoc = dAh / capI;
    const dSigma = dSigmaAh / capI;
    // clamp01 written out: two calls per cell per sample cost more than the test on Espruino
    const c = countSoc[i] + dSoc;
    countSoc[i] = c < 0 ? 0 : c > 1 ? 1 : c;
    const r = soc[i] + dSoc;
    soc[i] = r < 0 ? 0 : r > 1 ? 1 : r;
    sigma[i] += dSigma;
    postSigma[i] += dSigma;
    if (loaded) lastActiveV[i] = v;
    if (!isFinite(v)) continue;
    if (known[i] === SOC_UNKNOWN) {
      // First valid voltage: provisional guess from the mid OCV curve, wide uncertainty.
      const g = socAtOcv(OCV_SOC_GRID, sc.ocvChargeV, sc.ocvDischargeV, OCV_BRANCH_MEAN, v);
      countSoc[i] = g;
      soc[i] = g;
      known[i] = SOC_PROVISIONAL;
    }
    if (segment === SEG_CHARGE && v >= sc.fullCellV) {
      anchor(st, i, 1, sc.anchorSigmaFrac);
      st.fromFull[i] = 1;
    } else if (segment === SEG_DISCHARGE && v <= sc.emptyCellV) {
      anchor(st, i, 0, sc.anchorSigmaFrac);
      capacityReading(st, config, i, 0, sc.anchorSigmaFrac);
      if (st.fromFull[i] === 1) st.fullDischarge = 1;
    }
    if (rest) {
      st.winN[i] += 1;
      st.winSumV[i] += v;
      st.winSumT[i] += tMs - st.winStartTMs;
    }
  }
}

/**
 * A relaxation window closed at `tMs`: each cell's window mean against the previous one; a cell
 * whose voltage has changed slowly enough for long enough gets an OCV correction.
 */
function closeRelaxationWindow(st: SocState, config: PackConfig, tMs: number): void {
  const sc = config.soc;
  for (let i = 0; i < config.cellCount; i++) {
    if (st.winN[i] === 0) {
      st.prevMeanV[i] = NaN;
      st.relaxedForMs[i] = 0;
      continue;
    }
    const meanV = st.winSumV[i] / st.winN[i];
    const meanTMs = st.winStartTMs + st.winSumT[i] / st.winN[i];
    if (!isNaN(st.prevMeanV[i]) && meanTMs > st.prevMeanTMs[i]) {
      const dvdt = (meanV - st.prevMeanV[i]) / ((meanTMs - st.prevMeanTMs[i]) / MS_PER_S);
      if (Math.abs(dvdt) < sc.relaxedDvDtVPerS) st.relaxedForMs[i] += meanTMs - st.prevMeanTMs[i];
      else st.relaxedForMs[i] = 0;
    }
    st.prevMeanV[i] = meanV;
    st.prevMeanTMs[i] = meanTMs;
    st.winN[i] = 0;
    st.winSumV[i] = 0;
    st.winSumT[i] = 0;
    if (st.relaxedForMs[i] >= sc.relaxedMinMs) correctFromOcv(st, config, i, meanV, ocvReadingSigmaV(config, i));
  }
  st.winStartTMs = tMs;
}

/**
 * σ of a relaxed OCV reading of cell `i` (V): the curve's own σ and the cell's declared offset
 * bound (sensorChain.cellVoltageOffsetV[i] when declared: on tap-wired boards each cell has its
 * own; else, and for i < 0, the worst cell's voltageOffsetV) as a rectangular σ, in quadrature.
 */
function ocvReadingSigmaV(config: PackConfig, i: number): number {
  const sc = config.soc;
  const chain = config.sensorChain;
  const cells = chain.cellVoltageOffsetV;
  const off = (cells !== undefined && i >= 0 && i < cells.length ? cells[i] : chain.voltageOffsetV) * RECT_SIGMA_PER_BOUND;
  return Math.sqrt(sc.ocvSigmaV * sc.ocvSigmaV + off * off);
}

/**
 * A charge half just ended. When it ended as a CV hold does — current tapered to at most
 * fullTaperCurrentC × capacity with the highest cell at the top voltage (within one OCV-reading
 * σ of fullCellV) — every cell's last loaded voltage is read on the charge branch: at that small
 * current the IR drop is a few mV, so V ≈ OCV. The cell held at the top reads SOC 1 (the table's
 * end); a cell the string left behind reads its own, lower SOC. Each reading updates the
 * committed SOC with the Kalman weight of an OCV reading (flat parts of the curve are skipped as
 * in correctFromOcv). This is what keeps per-cell SOC right when charge lost to H2 evolution at
 * the top of charge would otherwise be counted as stored.
 */
function endOfCharge(st: SocState, config: PackConfig): void {
  const sc = config.soc;
  const n = config.cellCount;
  const capAh = st.capacityAh > 0 ? st.capacityAh : config.capacityAh;
  if (!(st.lastActiveA <= sc.fullTaperCurrentC * capAh)) return;
  // the CV-hold test uses the worst cell's σ (which cell is highest is not known beforehand)
  const worstSigmaV = ocvReadingSigmaV(config, -1);
  let maxV = NaN;
  for (let i = 0; i < n; i++) {
    const v = st.lastActiveV[i];
    if (v === v && !(v <= maxV)) maxV = v;
  }
  if (!(maxV >= sc.fullCellV - worstSigmaV)) return;
  for (let i = 0; i < n; i++) {
    const v = st.lastActiveV[i];
    if (!isFinite(v)) continue;
    const sigmaV = ocvReadingSigmaV(config, i);
    const socOcv = socAtOcv(OCV_SOC_GRID, sc.ocvChargeV, sc.ocvDischargeV, SEG_CHARGE, v);
    const slope = Math.abs(ocvSlopeAtSoc(OCV_SOC_GRID, sc.ocvChargeV, sc.ocvDischargeV, SEG_CHARGE, socOcv));
    if (!(slope >= MIN_OCV_SLOPE_V)) continue;
    const sOcv = sigmaV / slope;
    if (sOcv > sc.maxOcvSigmaFrac && st.known[i] === SOC_ANCHORED) continue;
    const prior = st.countSocFrac[i];
    const p = st.sigmaFrac[i] * st.sigmaFrac[i];
    const k = p / (p + sOcv * sOcv);
    const post = clamp01(prior + k * (socOcv - prior));
    const postSigma = Math.sqrt((1 - k) * p);
    st.countSocFrac[i] = post;
    st.socFrac[i] = post;
    st.sigmaFrac[i] = postSigma;
    st.postSigmaFrac[i] = postSigma;
    st.corrected[i] = 0;
    if (sOcv <= sc.maxOcvSigmaFrac) st.known[i] = SOC_ANCHORED;
    if (v >= sc.fullCellV - sigmaV) st.fromFull[i] = 1;
    capacityReading(st, config, i, socOcv, sOcv);
  }
}

/**
 * A discharge half just ended: a cell whose last loaded voltage is within one OCV-reading σ of
 * emptyCellV reached the cut-off (the last sample before the cycler stopped may lie just above
 * it) and is anchored at SOC 0, like a cell sampled below the cut-off. It does not mark a full
 * discharge for the capacity update: the cycle record of this half is already out (the model
 * steps cycles before SOC), so only a sample below the cut-off does that.
 */
function endOfDischarge(st: SocState, config: PackConfig): void {
  const sc = config.soc;
  for (let i = 0; i < config.cellCount; i++) {
    const v = st.lastActiveV[i];
    if (!(v <= sc.emptyCellV + ocvReadingSigmaV(config, i))) continue;
    anchor(st, i, 0, sc.anchorSigmaFrac);
    capacityReading(st, config, i, 0, sc.anchorSigmaFrac);
  }
}

/**
 * A SOC reading of cell i made from a voltage (`socFrac` ± `sigmaFrac`). Paired with the cell's
 * previous reading when the string was discharged in between (net counted charge falling by at
 * least MIN_CAP_SPAN_FRAC of nominal): that cell's capacity is measured as
 * C = −ΔQ / (SOC_prev − SOC_now) and, when its relative σ is at most MAX_CAP_REL_SIGMA, moves
 * cellCapAh[i] by capacityUpdateGain towards it. Charge-direction pairs are not used: charge
 * going to H2 evolution is counted but not stored. Either way the reading becomes the reference.
 */
function capacityReading(st: SocState, config: PackConfig, i: number, socFrac: number, sigmaFrac: number): void {
  const prevAh = st.refAh[i];
  const dAh = st.netAh - prevAh;
  const dSoc = st.refSocFrac[i] - socFrac;
  if (-dAh >= MIN_CAP_SPAN_FRAC * config.capacityAh && dSoc > 0) {
    const s1 = st.refSigmaFrac[i];
    const relSigma = Math.sqrt(s1 * s1 + sigmaFrac * sigmaFrac) / dSoc;
    if (relSigma <= MAX_CAP_REL_SIGMA) {
      const capAh = -dAh / dSoc;
      st.cellCapAh[i] += config.soc.capacityUpdateGain * (capAh - st.cellCapAh[i]);
    }
  }
  st.refSocFrac[i] = socFrac;
  st.refSigmaFrac[i] = sigmaFrac;
  st.refAh[i] = st.netAh;
}

/** Fix cell i's SOC at a cut-off (committed and reported). */
function anchor(st: SocState, i: number, socFrac: number, sigmaFrac: number): void {
  st.countSocFrac[i] = socFrac;
  st.socFrac[i] = socFrac;
  st.sigmaFrac[i] = sigmaFrac;
  st.postSigmaFrac[i] = sigmaFrac;
  st.known[i] = SOC_ANCHORED;
  st.corrected[i] = 0;
}

/**
 * OCV correction of cell i from a relaxed mean voltage, recomputed from the committed prior:
 * SOC_ocv = SOC(OCV) on the last direction's branch, σ_ocv = σ_V / |dOCV/dSOC| at SOC_ocv.
 * - anchored cell: ignored when σ_ocv > maxOcvSigmaFrac (flat curve); else the Kalman weight
 *   K = σ² / (σ² + σ_ocv²), SOC = SOC_prior + K (SOC_ocv − SOC_prior), σ_post = σ √(1 − K);
 * - not yet anchored and σ_ocv ≤ maxOcvSigmaFrac: the initial SOC comes from OCV (K = 1),
 *   σ_post = σ_ocv; the cell counts as anchored once the rest ends;
 * - not yet anchored on a flat curve: the Kalman weight against the wide provisional prior.
 */
function correctFromOcv(st: SocState, config: PackConfig, i: number, ocvV: number, sigmaV: number): void {
  const sc = config.soc;
  const branch = st.dir;
  const socOcv = socAtOcv(OCV_SOC_GRID, sc.ocvChargeV, sc.ocvDischargeV, branch, ocvV);
  const slope = Math.abs(ocvSlopeAtSoc(OCV_SOC_GRID, sc.ocvChargeV, sc.ocvDischargeV, branch, socOcv));
  if (!(slope >= MIN_OCV_SLOPE_V)) return;
  const sOcv = sigmaV / slope;
  const informative = sOcv <= sc.maxOcvSigmaFrac;
  const anchored = st.known[i] === SOC_ANCHORED;
  if (anchored && !informative) return;
  if (informative) capacityReading(st, config, i, socOcv, sOcv);
  if (!anchored && informative) {
    st.socFrac[i] = clamp01(socOcv);
    st.postSigmaFrac[i] = sOcv;
    st.corrected[i] = CORR_ANCHOR;
    return;
  }
  const prior = st.countSocFrac[i];
  const p = st.sigmaFrac[i] * st.sigmaFrac[i];
  const k = p / (p + sOcv * sOcv);
  st.socFrac[i] = clamp01(prior + k * (socOcv - prior));
  st.postSigmaFrac[i] = Math.sqrt((1 - k) * p);
  st.corrected[i] = CORR_WEIGHTED;
}

/**
 * Capacity (state of health) from a completed cycle: when a full discharge (from the full
 * anchor to the empty anchor) happened since the last cycle record and the cycle carries none
 * of the partial / gap / sensor-fault flags, capacityAh moves towards the cycle's discharge
 * capacity by capacityUpdateGain. SOC fractions are kept (they are fractions of capacity).
 */
export function updateSocCapacity(st: SocState, config: PackConfig, cycle: CycleRecord): void {
  const full = st.fullDischarge === 1;
  st.fullDischarge = 0;
  if (!full || (cycle.flags & SOH_REJECT_FLAGS) !== 0) return;
  const q = cycle.dischargeAh;
  if (!isFinite(q) || q <= 0) return;
  st.capacityAh += config.soc.capacityUpdateGain * (q - st.capacityAh);
}

/** State of health: usable capacity / nominal capacity (fraction). */
export function sohFrac(st: SocState, config: PackConfig): number {
  return st.capacityAh / config.capacityAh;
}
