/**
 * PackModel: the composition of the model's modules, stepped once per sample.
 *
 *   sample → counting (offset, trapezoid, gaps) → segmentation → cycles (on a switch:
 *   record, SOC capacity, self-discharge half end) → SOC → self-discharge → alarms → events
 *
 * Every stateful number lives in one plain tree (`this.st`) of numbers and typed arrays, so
 * `snapshot()` (shared/state/snapshot.ts) is exact and restore + continue is bit-identical to
 * never stopping. step() never throws on bad sample data (NaN or missing channels become
 * invalid channels: sensorFault alarm) and allocates nothing unless it emits an event.
 */
import type { PackConfig } from "../config/packConfig";
import type { Sample } from "../sample";
import type { CycleRecord, EventSink, ModelEvent, SegmentCode } from "./events";
import { SEG_CHARGE, SEG_DISCHARGE } from "./events";
import type { PackStatus } from "./packStatus";
import { createCountingState, markCounters, stepCounting, type CountingState } from "../counting/coulombCounter";
import {
  SEG_STEP_CANDIDATE,
  SEG_STEP_SWITCH,
  createSegmentationState,
  segmentCode,
  stepSegmentation,
  type SegmentationState,
} from "../segmentation/segmenter";
import { createCycleState, markCycleRestored, onSegmentSwitch, stepCycleSample, type CycleState } from "../cycles/cycleTracker";
import { ringCycles } from "../cycles/cycleRing";
import { createSocState, socOfCell, stepSoc, updateSocCapacity, type SocState } from "../soc/socEstimator";
import {
  createSelfDischargeState,
  lastRetentionFrac,
  liveRateFracPerH,
  onHalfEnd,
  stepSelfDischarge,
  type SelfDischargeState,
} from "../selfDischarge/restAnalyzer";
import { activeAlarmMask, createAlarmInputs, createAlarmState, invalidateAlarmCache, stepAlarms, type AlarmInputs, type AlarmState } from "../alarms/alarmTable";
import { restoreState, snapshotState } from "../state/snapshot";

export type { PackStatus } from "./packStatus";

/** Per-sample values the composition keeps itself. */
export interface PackMiscState {
  /** Time of the latest sample with a finite time (ms); NaN before the first. */
  tMs: number;
  /** Time of the sample before it (ms), for SOC's Δt. */
  prevTMs: number;
  /** Invalid channels in the latest sample. */
  invalidChannels: number;
  /** Latest temperatures (°C), NaN = invalid. */
  tempC: Float64Array;
}

/** The whole model state: one tree, the snapshot's layout. */
export interface PackModelState {
  count: CountingState;
  seg: SegmentationState;
  cyc: CycleState;
  soc: SocState;
  sd: SelfDischargeState;
  alarm: AlarmState;
  misc: PackMiscState;
}

const EMPTY: number[] = [];

function noEvent(ev: ModelEvent): void {
  void ev;
}

/** A fresh state tree for a config. */
export function createPackModelState(config: PackConfig): PackModelState {
  const temps = new Float64Array(config.tempCount);
  temps.fill(NaN);
  return {
    count: createCountingState(config),
    seg: createSegmentationState(),
    cyc: createCycleState(),
    soc: createSocState(config),
    sd: createSelfDischargeState(config),
    alarm: createAlarmState(config),
    misc: { tMs: NaN, prevTMs: NaN, invalidChannels: 0, tempC: temps },
  };
}

export class PackModel {
  readonly config: PackConfig;
  private st: PackModelState;
  private emit: EventSink;
  private inp: AlarmInputs;

  /** `config` must be validated already (validateConfig). */
  constructor(config: PackConfig, onEvent?: EventSink) {
    this.config = config;
    this.emit = onEvent ? onEvent : noEvent;
    // not `PackModel.createState`: a class naming itself in its body breaks on Espruino (host/bundle/espruinoSubset.ts)
    this.st = createPackModelState(config);
    this.inp = createAlarmInputs();
  }

  /** Step one sample. Never throws on bad sample data. */
  step(s: Sample): void {
    const cfg = this.config;
    const st = this.st;
    const emit = this.emit;
    const count = st.count;
    const misc = st.misc;
    const ok = s !== null && typeof s === "object";
    const tMs = ok && typeof s.tMs === "number" ? s.tMs : NaN;
    const rawCellV: ArrayLike<number> = ok && s.cellV && typeof s.cellV.length === "number" ? s.cellV : EMPTY;
    const rawTempC: ArrayLike<number> = ok && s.tempC && typeof s.tempC.length === "number" ? s.tempC : EMPTY;
    const rawA = ok && typeof s.currentA === "number" ? s.currentA : NaN;
    const oc = ok && s.openCircuit === 1 ? 1 : 0;

    // 1. Counting (also sanitises cell voltages into count.cellV).
    stepCounting(count, cfg, tMs, rawA, rawCellV, oc, emit);

    // Channel validity and temperatures.
    // (lengths read once: on Espruino `.length` is a prototype lookup at every read)
    let invalid = rawA === rawA ? 0 : 1;
    let maxT = NaN;
    let minT = NaN;
    const temps = misc.tempC;
    const nTemps = temps.length;
    const nRawTemps = rawTempC.length;
    for (let i = 0; i < nTemps; i++) {
      const t = i < nRawTemps ? rawTempC[i] : NaN;
      if (typeof t !== "number" || t !== t) {
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
    const v = count.cellV;
    const nCells = v.length;
    for (let i = 0; i < nCells; i++) {
      const x = v[i];
      if (x !== x) invalid++;
      else {
        if (!(x <= maxV)) maxV = x;
        if (!(x >= minV)) minV = x;
      }
    }
    misc.invalidChannels = invalid;
    if (!isFinite(tMs)) return; // counted as a gap; nothing else can use a sample without time
    misc.prevTMs = misc.tMs;
    misc.tMs = tMs;

    // 2. Segmentation on the corrected current; 3. cycles on a switch.
    const seg = st.seg;
    const segStep = stepSegmentation(seg, cfg.segmentation, tMs, count.currentA, oc);
    if ((segStep & SEG_STEP_CANDIDATE) !== 0) markCounters(count);
    if ((segStep & SEG_STEP_SWITCH) !== 0) this.onSwitch(seg.previous, seg.segment, seg.boundaryTMs);
    stepCycleSample(st.cyc, minT, maxT);

    // 4. SOC, self-discharge.
    const segment: SegmentCode = segmentCode(seg);
    stepSoc(st.soc, cfg, tMs, tMs - misc.prevTMs, count.currentA, v, segment);
    stepSelfDischarge(st.sd, cfg, tMs, v, segment, st.soc, emit);

    // 5. Alarms.
    const inp = this.inp;
    const a = count.currentA;
    inp.maxCellV = maxV;
    inp.minCellV = minV;
    inp.chargeCurrentA = a === a ? (a > 0 ? a : 0) : NaN;
    inp.dischargeCurrentA = a === a ? (a < 0 ? -a : 0) : NaN;
    inp.maxTempC = maxT;
    inp.minTempC = minT;
    inp.imbalanceV = maxV - minV;
    inp.sensorFault = invalid;
    inp.selfDischargeFracPerH = liveRateFracPerH(st.sd);
    inp.retentionFrac = lastRetentionFrac(st.sd);
    inp.lastCe = st.cyc.lastGoodCe;
    stepAlarms(st.alarm, cfg, tMs, inp, emit);
  }

  private onSwitch(from: number, to: number, firstSampleTMs: number): void {
    const cfg = this.config;
    const st = this.st;
    const mark = st.count.mark;
    const rec = onSegmentSwitch(st.cyc, cfg, from, to, mark, firstSampleTMs, st.count.firstTMs);
    if (from === SEG_CHARGE || from === SEG_DISCHARGE) {
      onHalfEnd(st.sd, cfg, mark.tMs, from === SEG_CHARGE ? SEG_CHARGE : SEG_DISCHARGE, st.cyc.endedHalfAh, this.emit);
    }
    this.emit({ kind: "segment", tMs: firstSampleTMs, from: codeOf(from), to: codeOf(to) });
    if (rec !== null) {
      updateSocCapacity(st.soc, cfg, rec);
      this.emit({ kind: "cycle", tMs: rec.endTMs, cycle: rec });
    }
  }

  /** Live numbers (allocates; call at telemetry rate). */
  status(): PackStatus {
    const st = this.st;
    const n = this.config.cellCount;
    const count = st.count;
    const soc = st.soc;
    const v = count.cellV;
    const cellV: number[] = [];
    const socFrac: number[] = [];
    // index writes, not push: a method lookup less per item on Espruino (status is every sample)
    for (let i = 0; i < n; i++) {
      cellV[i] = v[i];
      socFrac[i] = socOfCell(soc, i);
    }
    const t = st.misc.tempC;
    const tempC: number[] = [];
    for (let i = 0; i < t.length; i++) tempC[i] = t[i];
    return {
      tMs: st.misc.tMs,
      cellV: cellV,
      currentA: count.currentA,
      tempC: tempC,
      socFrac: socFrac,
      segment: segmentCode(st.seg),
      cycleCount: st.cyc.completed,
      chargeAh: count.chargeAh,
      dischargeAh: count.dischargeAh,
      lastCe: st.cyc.lastCe,
      lastCeBound: st.cyc.lastCeBound,
      lastEe: st.cyc.lastEe,
      alarmMask: activeAlarmMask(st.alarm),
      offsetA: count.offset.offsetA,
      gapCount: count.gapCount,
      sensorFault: st.misc.invalidChannels,
    };
  }

  /** Exact snapshot of the whole state (one double per leaf). */
  snapshot(): Float64Array {
    return snapshotState(this.st);
  }

  /** Restore a snapshot taken from a model of the same config; throws if the length differs. */
  restore(snap: ArrayLike<number>): void {
    restoreState(this.st, snap);
    invalidateAlarmCache(this.st.alarm);
  }

  /** Flag the current cycle (or the next, if none is open) CYCLE_FLAG_RESTORED. */
  markRestored(): void {
    markCycleRestored(this.st.cyc);
  }

  /** The last few cycle records, oldest first (allocates). */
  recentCycles(): CycleRecord[] {
    return ringCycles(this.st.cyc.ring);
  }

  /** Read-only view of the state tree (tests, host analysis). */
  state(): PackModelState {
    return this.st;
  }
}

function codeOf(seg: number): SegmentCode {
  return seg === SEG_CHARGE ? SEG_CHARGE : seg === SEG_DISCHARGE ? SEG_DISCHARGE : 0;
}
