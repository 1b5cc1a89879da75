/**
 * Fast rest: step a run of open-circuit rest samples through a PackModel in one loop, doing
 * inline what `PackModel.step` does for such a row in the counter, the offset estimator, the
 * segmenter and the step itself (the interval's counting and the quiet stretch's sums through
 * the helpers stepCounting and stepOffset use: countInterval, addQuietSample), and calling the SOC, self-discharge, cycle and alarm steps as
 * `step` does; every other row is handed back to `PackModel.step`.
 *
 * A row is taken only when the state before it and the row itself make it an open-circuit row
 * in a rest that is already under way:
 *   segmentation: the segment is rest, nothing pending;
 *   counting: a previous sample, valid time, 0 < Δt ≤ maxGapMs, the row at open circuit with a
 *             valid current inside the offset estimator's quiet band (its quiet stretch and its
 *             open-circuit window already open), every cell voltage finite.
 * All of it is checked from the state before the row and the row's values, before anything is
 * written, so a refused row leaves the state exactly as the previous row did. On the rows it
 * takes, the state and the events are bit for bit what `step` gives (the same expressions in
 * the same order, the same helper functions): property-tested against `step` row by row
 * (test/shared/model/fastForward.test.ts, with fastForward for the halves).
 *
 * Why: in the analysis replay (host/analyze/replay.ts) the 9 % of rows in rests cost `step`
 * ≈ 145 ns each on a 10⁷-row input, a quarter of the main thread's replay; most of it was the
 * step's own bookkeeping and the calls (V8 boxes the doubles passed to functions it does not
 * inline). Host-side only: the firmware steps one sample at a time and does not import this
 * module, which follows the Espruino rules of shared/ all the same.
 */
import type { PackModel } from "./packModel";
import type { EventSink } from "./events";
import type { SampleColumns } from "./fastForward";
import { SEG_REST } from "./events";
import { copyCounters, countInterval } from "../counting/coulombCounter";
import { addQuietSample } from "../counting/currentOffset";
import { stepCycleSample } from "../cycles/cycleTracker";
import { stepSoc } from "../soc/socEstimator";
import { lastRetentionFrac, liveRateFracPerH, stepSelfDischarge } from "../selfDischarge/restAnalyzer";
import { createAlarmInputs, stepAlarms, type AlarmInputs } from "../alarms/alarmTable";

/** The alarm inputs of the row being stepped (one object for every call: no allocation per row). */
const INP: AlarmInputs = createAlarmInputs();

/**
 * Step rows `from`, `from + 1`, … of `cols` through `model` while each is an open-circuit rest
 * row (see the file comment); returns the index of the first row not taken (`to` when all were).
 * `emit` must be the sink `model` was made with (its events go there, as from `step`).
 */
export function fastRest(model: PackModel, cols: SampleColumns, from: number, to: number, emit: EventSink): number {
  const cfg = model.config;
  const st = model.state();
  const count = st.count;
  const offset = count.offset;
  const seg = st.seg;
  const misc = st.misc;
  const n = cfg.cellCount;
  const nT = cfg.tempCount;
  // Preconditions that hold for the whole run (a taken row keeps them).
  if (from >= to) return from;
  if (seg.segment !== SEG_REST || !isNaN(seg.candidateSinceMs)) return from;
  if (count.havePrev !== 1 || isNaN(count.firstTMs)) return from;
  if (offset.inWindow !== 1 || isNaN(offset.quietSinceMs)) return from;
  const countCfg = cfg.counting;
  const maxGapMs = countCfg.maxGapMs;
  const quietA = countCfg.offsetRestMaxA;
  const minSamples = countCfg.offsetMinSamples;
  const before = count.before;
  const lastV = count.lastCellV;
  const nowV = count.cellV;
  const temps = misc.tempC;
  const tCol = cols.tMs;
  const aCol = cols.currentA;
  const vCol = cols.cellV;
  const tempCol = cols.tempC;
  const ocCol = cols.openCircuit;
  const inp = INP;
  let r = from;
  for (; r < to; r++) {
    // 1. Checks (nothing written yet).
    const tMs = tCol[r];
    const rawA = aCol[r];
    if (ocCol[r] !== 1 || rawA !== rawA || !isFinite(tMs)) break;
    if (!(rawA < quietA && rawA > -quietA)) break; // the offset estimator's quiet stretch goes on
    const dtMs = tMs - count.lastTMs;
    if (!(dtMs > 0 && dtMs <= maxGapMs)) break;
    const i0 = count.lastCurrentA;
    if (i0 !== i0) break;
    const o = r * n;
    let bad = 0;
    for (let i = 0; i < n; i++) if (!isFinite(vCol[o + i])) bad = 1;
    if (bad === 1) break;

    // 2. Counting (stepCounting with a valid current at open circuit).
    count.dtMs = 0;
    count.stepFlags = 0;
    copyCounters(count, before, count.lastTMs);
    for (let i = 0; i < n; i++) nowV[i] = vCol[o + i];
    // stepOffset: the quiet stretch's sums, then the open-circuit window's mean.
    addQuietSample(offset, tMs, rawA);
    // (qualified or not: the window is open, so no drift check, and the row is at open circuit)
    offset.windowSumA += rawA;
    offset.windowN++;
    if (offset.windowN >= minSamples) {
      const est = offset.windowSumA / offset.windowN;
      const prev = offset.windowPrevOffsetA;
      offset.residualA = isNaN(prev) ? 0 : est > prev ? est - prev : prev - est;
      offset.offsetA = est;
      offset.known = 1;
    }
    const curA = 0;
    const curErrA = 0;
    count.currentA = curA;
    countInterval(count, dtMs, curA, curErrA, n);
    count.lastTMs = tMs;
    count.lastCurrentA = curA;
    count.lastErrA = curErrA;
    for (let i = 0; i < n; i++) lastV[i] = nowV[i];

    // 3. Channels and temperatures (step), the segmenter (a rest stays a rest at open circuit).
    let invalid = 0;
    let maxT = NaN;
    let minT = NaN;
    const ot = r * nT;
    for (let i = 0; i < temps.length; i++) {
      const t = i < nT ? tempCol[ot + i] : NaN;
      if (t !== t) {
        temps[i] = NaN;
        invalid++;
      } else {
        temps[i] = t;
        if (!(t <= maxT)) maxT = t;
        if (!(t >= minT)) minT = t;
      }
    }
    let maxV = NaN;
    let minV = NaN;
    for (let i = 0; i < n; i++) {
      const x = nowV[i];
      if (!(x <= maxV)) maxV = x;
      if (!(x >= minV)) minV = x;
    }
    misc.invalidChannels = invalid;
    misc.prevTMs = misc.tMs;
    misc.tMs = tMs;
    seg.candidate = SEG_REST;
    seg.candidateSinceMs = NaN;
    stepCycleSample(st.cyc, temps, temps.length);

    // 4. SOC, self-discharge, alarms: as step calls them.
    stepSoc(st.soc, cfg, tMs, tMs - misc.prevTMs, curA, nowV, SEG_REST);
    stepSelfDischarge(st.sd, cfg, tMs, nowV, SEG_REST, st.soc, emit);
    inp.maxCellV = maxV;
    inp.minCellV = minV;
    inp.chargeCurrentA = 0;
    inp.dischargeCurrentA = 0;
    inp.maxTempC = maxT;
    inp.minTempC = minT;
    inp.imbalanceV = maxV - minV;
    inp.sensorFault = invalid;
    inp.selfDischargeFracPerH = liveRateFracPerH(st.sd);
    inp.retentionFrac = lastRetentionFrac(st.sd);
    inp.lastCe = st.cyc.lastGoodCe;
    stepAlarms(st.alarm, cfg, tMs, inp, emit);
  }
  return r;
}
