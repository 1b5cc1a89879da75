/**
 * Fast-forward: step a run of samples through a PackModel in one loop, for the rows where a
 * step would only accumulate (the body of a charge or discharge half), and hand every other row
 * back to `PackModel.step`.
 *
 * A row is taken only when every module would do its "steady" update on it:
 *   counting: valid time, current and cell voltages, 0 < Δt ≤ maxGapMs, one current sign over
 *             the interval, not at open circuit, current outside the offset estimator's quiet band;
 *   segmentation: the row's class is the present segment (charge or discharge), nothing pending;
 *   SOC: same segment as the previous row, no cut-off anchor, every cell's SOC known;
 *   self-discharge: not in a rest;  alarms: `alarmsQuiet` (nothing can change or become pending).
 * All of it is checked from the state before the row and the row's values, before anything is
 * written, so a refused row leaves the state exactly as the previous row did.
 *
 * On the rows it takes, the state after the run is bit for bit what `step` would leave: every
 * sum is accumulated in the same order with the same expressions (the trapezoid helpers, SOC's
 * clamp01), and the "latest sample" fields hold the last row's values. No events are emitted
 * (a taken row emits none in `step` either). Property-tested against `step` row by row
 * (test/shared/model/fastForward.test.ts).
 *
 * Host-side speed (the analysis replays 10⁷ rows); the firmware steps one sample at a time and
 * does not import this module, so it adds nothing to the board's bundle.
 *
 * The loop keeps the run's scalar state (counters, last time and current, SOC's net charge) in
 * locals and writes it back once after the run; per-cell values stay in their typed arrays. The
 * replay (host/analyze/replay.ts) calls it for runs of at most 1 024 rows after a JIT warm-up
 * (host/analyze/warmUp.ts), so V8 optimises it for its normal entry, where those locals live in
 * registers: `zbms analyze` of the 10⁷-row benchmark 623 → 607 ms (medians of 15 alternating
 * runs, 2026-11-25) against writing every field in place row by row. (Code that V8 compiles on
 * stack replacement, entered mid-loop from the interpreter, keeps double loop variables boxed:
 * a heap number per row and update. Called only at the start of each half, without warm-up,
 * that doubled the time per row in a microbenchmark; the results are the same either way.)
 */
import type { PackModel } from "./packModel";
import { SEG_CHARGE, SEG_DISCHARGE } from "./events";
import { errorRateA } from "../counting/currentOffset";
import { MS_PER_H, copyCounters } from "../counting/coulombCounter";
import { trapezoidAh, trapezoidWh } from "../counting/trapezoid";
import { classifyCurrent } from "../segmentation/segmenter";
import { stepCycleSample } from "../cycles/cycleTracker";
import { SOC_UNKNOWN, clamp01 } from "../soc/socEstimator";
import { ALARM_INPUT_INDEX, inQuietBand, quietBands } from "../alarms/alarmTable";

/** A run of samples as columns (the host's batches): row r's values at index r (× stride). */
export interface SampleColumns {
  /** Time (ms) per row. */
  tMs: Float64Array;
  /** Pack current (A, + = charge) per row. */
  currentA: Float64Array;
  /** Cell voltages (V), row-major: config.cellCount per row. */
  cellV: Float64Array;
  /** Temperatures (°C), row-major: config.tempCount per row. */
  tempC: Float64Array;
  /** 1 = open circuit (Sample.openCircuit) per row. */
  openCircuit: Float64Array | Uint8Array;
}

/**
 * Step rows `from`, `from + 1`, … of `cols` through `model` while each can be taken (see the
 * file comment); returns the index of the first row not taken (`to` when all were). The caller
 * steps that row with `model.step` and may call again from the next one.
 */
export function fastForward(model: PackModel, cols: SampleColumns, from: number, to: number): number {
  const cfg = model.config;
  const st = model.state();
  const count = st.count;
  const offset = count.offset;
  const seg = st.seg;
  const soc = st.soc;
  const misc = st.misc;
  const n = cfg.cellCount;
  const nT = cfg.tempCount;
  const segment = seg.segment;
  // Preconditions that hold for the whole run (nothing a taken row does changes them).
  if (from >= to) return from;
  if (segment !== SEG_CHARGE && segment !== SEG_DISCHARGE) return from;
  if (count.havePrev !== 1 || isNaN(count.firstTMs)) return from;
  if (soc.prevSeg !== segment || st.sd.inRest === 1) return from;
  if (!isNaN(seg.candidateSinceMs)) return from;
  for (let i = 0; i < n; i++) {
    if (soc.known[i] === SOC_UNKNOWN) return from;
    if (count.lastCellV[i] !== count.lastCellV[i]) return from;
  }
  const segCfg = cfg.segmentation;
  const countCfg = cfg.counting;
  const chain = cfg.sensorChain;
  const sc = cfg.soc;
  const maxGapMs = countCfg.maxGapMs;
  const quietA = countCfg.offsetRestMaxA;
  const offsetA = offset.offsetA;
  const curErrA = errorRateA(offset, chain);
  const restA = segCfg.restCurrentA;
  const sigmaPerAh = sc.countingSigmaFrac + chain.currentGainErrFrac;
  const offsetSigmaA = chain.currentOffsetA;
  const fullV = sc.fullCellV;
  const emptyV = sc.emptyCellV;
  const charging = segment === SEG_CHARGE;
  const lastV = count.lastCellV;
  const nowV = count.cellV;
  const temps = misc.tempC;
  const cellCapAh = soc.cellCapAh;
  const countSoc = soc.countSocFrac;
  const socFrac = soc.socFrac;
  const sigmaFrac = soc.sigmaFrac;
  const postSigma = soc.postSigmaFrac;
  const lastActiveV = soc.lastActiveV;
  const cellChargeWh = count.cellChargeWh;
  const cellDischargeWh = count.cellDischargeWh;
  const cyc = st.cyc;
  const before = count.before;
  // Alarms: the bands cannot move during the run (no row changes); the inputs a taken row
  // cannot change are checked once here (the self-discharge rate is NaN outside a rest: in band).
  const bands = quietBands(st.alarm, cfg);
  if (bands === null) return from;
  const lo = bands.lo;
  const hi = bands.hi;
  const K = ALARM_INPUT_INDEX;
  if (!inQuietBand(st.sd.retentionFrac, lo[K.retentionFrac], hi[K.retentionFrac])) return from;
  if (!inQuietBand(cyc.lastGoodCe, lo[K.lastCe], hi[K.lastCe])) return from;
  const loMaxV = lo[K.maxCellV];
  const hiMaxV = hi[K.maxCellV];
  const loMinV = lo[K.minCellV];
  const hiMinV = hi[K.minCellV];
  const loChargeA = lo[K.chargeCurrentA];
  const hiChargeA = hi[K.chargeCurrentA];
  const loDischargeA = lo[K.dischargeCurrentA];
  const hiDischargeA = hi[K.dischargeCurrentA];
  const loMaxT = lo[K.maxTempC];
  const hiMaxT = hi[K.maxTempC];
  const loMinT = lo[K.minTempC];
  const hiMinT = hi[K.minTempC];
  const loImbalanceV = lo[K.imbalanceV];
  const hiImbalanceV = hi[K.imbalanceV];
  const loFault = lo[K.sensorFault];
  const hiFault = hi[K.sensorFault];
  // What a taken row cannot change: with one cell the imbalance is 0 (every voltage is finite);
  // without temperature sensors both temperatures are NaN (in band) and no channel is invalid.
  if (n === 1 && !inQuietBand(0, loImbalanceV, hiImbalanceV)) return from;
  if (nT === 0 && !inQuietBand(0, loFault, hiFault)) return from;
  const tCol = cols.tMs;
  const aCol = cols.currentA;
  const vCol = cols.cellV;
  const tempCol = cols.tempC;
  const ocCol = cols.openCircuit;

  let lastInvalid = 0;
  // The run's scalar state (see the file comment), written back after the loop.
  let lastTMs = count.lastTMs;
  let lastA = count.lastCurrentA;
  let lastErrA = count.lastErrA;
  let errAh = count.errAh;
  let chargeAh = count.chargeAh;
  let dischargeAh = count.dischargeAh;
  let chargeWh = count.chargeWh;
  let dischargeWh = count.dischargeWh;
  let dtLastMs = 0;
  let socTMs = misc.tMs;
  let prevSocTMs = misc.prevTMs;
  let netAh = soc.netAh;
  let prevSocA = soc.prevCurrentA;
  let lastActiveA = soc.lastActiveA;
  // The counters before the last taken row (stepCounting's `before` mark).
  let bTMs = 0;
  let bChargeAh = 0;
  let bDischargeAh = 0;
  let bChargeWh = 0;
  let bDischargeWh = 0;
  let bErrAh = 0;
  let r = from;
  for (; r < to; r++) {
    // 1. Checks (nothing written yet).
    const tMs = tCol[r];
    const rawA = aCol[r];
    if (ocCol[r] !== 0 || rawA !== rawA || !isFinite(tMs)) break;
    if (rawA < quietA && rawA > -quietA) break; // offset estimator's quiet stretch
    const dtMs = tMs - lastTMs;
    if (!(dtMs > 0 && dtMs <= maxGapMs)) break;
    const socDtMs = tMs - socTMs;
    if (!(socDtMs > 0 && socDtMs <= maxGapMs)) break;
    const curA = rawA - offsetA;
    const sign = lastA >= 0 && curA >= 0 ? 1 : lastA <= 0 && curA <= 0 ? -1 : 0;
    if (sign === 0) break;
    let cls = classifyCurrent(segCfg, curA, 0);
    if (cls === -1) cls = segment;
    if (cls !== segment) break;
    const o = r * n;
    let maxV = NaN;
    let minV = NaN;
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const x = vCol[o + i];
      if (!isFinite(x)) bad = 1;
      else if (charging ? x >= fullV : x <= emptyV) bad = 1; // a cut-off anchor
      if (!(x <= maxV)) maxV = x;
      if (!(x >= minV)) minV = x;
    }
    if (bad === 1) break;
    const ot = r * nT;
    let invalid = 0;
    let maxT = NaN;
    let minT = NaN;
    for (let i = 0; i < nT; i++) {
      const t = tempCol[ot + i];
      if (t !== t) invalid++;
      else {
        if (!(t <= maxT)) maxT = t;
        if (!(t >= minT)) minT = t;
      }
    }
    if (
      !inQuietBand(maxV, loMaxV, hiMaxV) ||
      !inQuietBand(minV, loMinV, hiMinV) ||
      !inQuietBand(curA > 0 ? curA : 0, loChargeA, hiChargeA) ||
      !inQuietBand(curA < 0 ? -curA : 0, loDischargeA, hiDischargeA)
    )
      break;
    if (n > 1 && !inQuietBand(maxV - minV, loImbalanceV, hiImbalanceV)) break;
    if (nT > 0 && (!inQuietBand(maxT, loMaxT, hiMaxT) || !inQuietBand(minT, loMinT, hiMinT) || !inQuietBand(invalid, loFault, hiFault))) break;
    lastInvalid = invalid;

    // 2. Counting (stepCounting's steady branch), with the values before this row kept.
    bTMs = lastTMs;
    bChargeAh = chargeAh;
    bDischargeAh = dischargeAh;
    bChargeWh = chargeWh;
    bDischargeWh = dischargeWh;
    bErrAh = errAh;
    const dtH = dtMs / MS_PER_H;
    errAh += 0.5 * (lastErrA + curErrA) * dtH;
    let inWh = 0;
    let outWh = 0;
    if (sign === 1) {
      chargeAh += trapezoidAh(lastA, curA, dtH);
      for (let i = 0; i < n; i++) {
        const v1 = vCol[o + i];
        const ein = trapezoidWh(lastV[i], v1, lastA, curA, dtH);
        cellChargeWh[i] += ein;
        inWh += ein;
        lastV[i] = v1;
      }
      chargeWh += inWh;
    } else {
      dischargeAh += trapezoidAh(-lastA, -curA, dtH);
      for (let i = 0; i < n; i++) {
        const v1 = vCol[o + i];
        const eout = trapezoidWh(lastV[i], v1, -lastA, -curA, dtH);
        cellDischargeWh[i] += eout;
        outWh += eout;
        lastV[i] = v1;
      }
      dischargeWh += outWh;
    }
    dtLastMs = dtMs;
    lastTMs = tMs;
    lastA = curA;
    lastErrA = curErrA;

    // 3. Temperatures, cycle temperature extremes (nothing to do without sensors).
    if (nT > 0) {
      for (let i = 0; i < nT; i++) temps[i] = tempCol[ot + i];
      stepCycleSample(cyc, temps, nT);
    }

    // 4. SOC (stepSoc's counting and per-cell updates within one half).
    const socDtH = socDtMs / MS_PER_H;
    const meanA = isNaN(prevSocA) ? curA : 0.5 * (prevSocA + curA);
    const dAh = meanA * socDtH;
    const dSigmaAh = sigmaPerAh * Math.abs(dAh) + offsetSigmaA * socDtH;
    netAh += dAh;
    prevSocA = curA;
    const loaded = charging ? curA > restA : curA < -restA;
    if (loaded) lastActiveA = Math.abs(curA);
    for (let i = 0; i < n; i++) {
      const capI = cellCapAh[i];
      const dSoc = dAh / capI;
      const dSigma = dSigmaAh / capI;
      countSoc[i] = clamp01(countSoc[i] + dSoc);
      socFrac[i] = clamp01(socFrac[i] + dSoc);
      sigmaFrac[i] += dSigma;
      postSigma[i] += dSigma;
      if (loaded) lastActiveV[i] = vCol[o + i];
    }
    prevSocTMs = socTMs;
    socTMs = tMs;
  }
  if (r === from) return from;

  // 5. The run's state, and the latest row's values where step leaves them. The `before` mark:
  // copyCounters for the counters a run leaves alone, then the ones it moved.
  copyCounters(count, before, bTMs);
  before.chargeAh = bChargeAh;
  before.dischargeAh = bDischargeAh;
  before.chargeWh = bChargeWh;
  before.dischargeWh = bDischargeWh;
  before.errAh = bErrAh;
  count.errAh = errAh;
  count.chargeAh = chargeAh;
  count.dischargeAh = dischargeAh;
  count.chargeWh = chargeWh;
  count.dischargeWh = dischargeWh;
  count.dtMs = dtLastMs;
  count.currentA = lastA;
  count.lastTMs = lastTMs;
  count.lastCurrentA = lastA;
  count.lastErrA = lastErrA;
  soc.netAh = netAh;
  soc.prevCurrentA = prevSocA;
  soc.lastAbsCurrentA = Math.abs(lastA);
  soc.lastActiveA = lastActiveA;
  misc.prevTMs = prevSocTMs;
  misc.tMs = socTMs;

  count.stepFlags = 0;
  for (let i = 0; i < n; i++) nowV[i] = lastV[i];
  offset.quietSinceMs = NaN;
  offset.inWindow = 0;
  misc.invalidChannels = lastInvalid;
  seg.candidate = segment;
  seg.candidateSinceMs = NaN;
  soc.dir = segment;
  soc.winStartTMs = NaN;
  st.sd.lastActiveSeg = segment;
  return r;
}
