/**
 * What the replay (replay.ts) keeps of the model's events and of the rows for the report: the
 * event records and tallies (EventLog), the rest voltage curves (RestCurves), the dQ/dV
 * histograms of chosen cycles (DqDvKeeper) and, for the BDF export, the cumulative counters
 * (BdfCounters). Each is small and flat in the number of rows.
 */
import type { CycleRecord, ModelEvent, RestRecord } from "../../shared/model/events";
import { SEG_REST } from "../../shared/model/events";
import type { PackModel } from "../../shared/model/packModel";
import { negativeAreaAh, negativeEnergyWh, positiveAreaAh, positiveEnergyWh } from "../../shared/counting/trapezoid";
import type { BdfWriter } from "../bdf/writer";
import type { ImportedRecord } from "../import/record";
import { HalfCollector } from "./adams";
import { DQDV_BINS, dqdvBinOf, dqdvBins } from "./plotSeries";
import { MS_PER_S } from "../../shared/units";
import { alarmWorse } from "../util/alarmValue";

/** Points kept per rest voltage curve (log-spaced in time since the rest began). */
export const REST_CURVE_POINTS = 240;
/** Growth factor between kept rest-curve points (log spacing). */
const REST_CURVE_LOG_STEP = 1.04;
/** Rest curves kept for the report (the longest ones). */
export const MAX_REST_CURVES = 40;

export interface RestCurve {
  /** Model's rest index (matches RestRecord.index when the rest completed; else −1). */
  restIndex: number;
  startS: number;
  /** Time since the rest began (s) and voltage (V). */
  tS: number[];
  v: number[];
}

export interface DqDvCurve {
  cycle: number;
  /** Bin centre voltages (V). */
  v: number[];
  /** dQ/dV (Ah/V) on charge and on discharge (positive). */
  charge: number[];
  discharge: number[];
}

export interface RetentionEvent {
  tS: number;
  restIndex: number;
  retention: number;
  rcld: number;
  /** Charge lost to the rest, counted (Ah): see the model's `retention` event. */
  chargeLostAh: number;
}

export interface AdamsEvent {
  tS: number;
  ce: number;
  ceBound: number;
}

export interface AlarmSummary {
  id: string;
  level: string;
  raised: number;
  firstTS: number;
  worstValue: number;
}

/** The model's events as records and tallies; cycle, rest and segment events also reach the extracts. */
export class EventLog {
  readonly cycles: CycleRecord[] = [];
  readonly rests: RestRecord[] = [];
  readonly retentions: RetentionEvent[] = [];
  readonly adams: AdamsEvent[] = [];
  readonly halves = new HalfCollector();
  /** Gaps of every kind; the longest forward one (s); each step back in time, its size (s, > 0). */
  readonly gaps = { count: 0, longestS: 0, backS: [] as number[] };
  private readonly alarms = new Map<string, AlarmSummary>();

  constructor(
    private readonly restCurves: RestCurves,
    private readonly dqdv: DqDvKeeper,
    private readonly counters: BdfCounters,
  ) {}

  onEvent(ev: ModelEvent, model: PackModel): void {
    switch (ev.kind) {
      case "cycle":
        this.cycles.push(ev.cycle);
        this.dqdv.cycleClosed(ev.cycle.index, ev.cycle.flags === 0);
        break;
      case "rest":
        this.rests.push(ev.rest);
        this.restCurves.restRecorded(ev.rest.index);
        break;
      case "retention":
        this.retentions.push({ tS: ev.tMs / MS_PER_S, restIndex: ev.restIndex, retention: ev.retention, rcld: ev.rcld, chargeLostAh: ev.chargeLostAh });
        break;
      case "adams":
        this.adams.push({ tS: ev.tMs / MS_PER_S, ce: ev.ce, ceBound: ev.ceBound });
        break;
      case "gap":
        this.gaps.count++;
        if (ev.dtMs / MS_PER_S > this.gaps.longestS) this.gaps.longestS = ev.dtMs / MS_PER_S;
        if (ev.dtMs < 0) this.gaps.backS.push(-ev.dtMs / MS_PER_S);
        break;
      case "alarm":
        if (ev.raised) this.alarmRaised(ev.id, ev.level, ev.tMs, ev.value);
        break;
      case "segment": {
        // The counters at the switch: the boundary of the model's half-cycles.
        const mark = model.state().count.mark;
        this.halves.boundary(mark, mark.tMs, ev.to);
        this.counters.stepCount++;
        this.restCurves.segmentSwitched(ev.from, ev.to, ev.tMs / MS_PER_S);
        break;
      }
    }
  }

  private alarmRaised(id: string, level: string, tMs: number, value: number): void {
    const key = id + "/" + level;
    const a = this.alarms.get(key);
    if (a) {
      a.raised++;
      if (alarmWorse(id, value, a.worstValue)) a.worstValue = value;
    } else {
      this.alarms.set(key, { id, level, raised: 1, firstTS: tMs / MS_PER_S, worstValue: value });
    }
  }

  alarmList(): AlarmSummary[] {
    return Array.from(this.alarms.values());
  }
}

/** Rest voltage curves: the open rest's points (log-spaced in time), the MAX_REST_CURVES longest kept. */
export class RestCurves {
  private readonly kept: RestCurve[] = [];
  private openRest: RestCurve | null = null;
  private lastClosed: RestCurve | null = null;
  private nextLogS = 0;

  /** A rest begins at `startS` (s). */
  open(startS: number): void {
    this.openRest = { restIndex: -1, startS, tS: [], v: [] };
    this.nextLogS = 0;
  }

  /** A segment event: a rest curve closes when the model leaves or enters a rest, and opens when it enters one. */
  segmentSwitched(from: number, to: number, tS: number): void {
    this.lastClosed = null;
    if (to === SEG_REST) {
      this.close();
      this.open(tS);
    } else if (from === SEG_REST) {
      this.close();
    }
  }

  /** The model reports a rest when it ends, after its segment event closed our curve. */
  restRecorded(index: number): void {
    if (this.lastClosed && this.lastClosed.restIndex < 0) this.lastClosed.restIndex = index;
    else if (this.openRest && this.openRest.restIndex < 0) this.openRest.restIndex = index;
  }

  /** A valid voltage `v` at `tS` (s): a point of the open curve when due. */
  add(tS: number, v: number): void {
    const r = this.openRest;
    if (r === null) return;
    const since = tS - r.startS;
    if (since >= this.nextLogS && r.tS.length < REST_CURVE_POINTS) {
      r.tS.push(since);
      r.v.push(v);
      this.nextLogS = since <= 0 ? 1 : since * REST_CURVE_LOG_STEP;
    }
  }

  close(): void {
    const r = this.openRest;
    if (!r) return;
    this.openRest = null;
    this.lastClosed = r;
    if (r.tS.length < 2) return;
    const kept = this.kept;
    if (kept.length < MAX_REST_CURVES) {
      kept.push(r);
      return;
    }
    // Keep the longest rests: replace the shortest kept one if this one is longer.
    let shortest = 0;
    for (let k = 1; k < kept.length; k++) {
      if (lastOf(kept[k].tS) < lastOf(kept[shortest].tS)) shortest = k;
    }
    if (lastOf(r.tS) > lastOf(kept[shortest].tS)) kept[shortest] = r;
  }

  /** The kept curves in time order. */
  sorted(): RestCurve[] {
    return this.kept.sort((a, b) => a.startS - b.startS);
  }
}

/** dQ/dV histograms of the open cycle, kept as curves for the wanted cycles (default: first clean and last). */
export class DqDvKeeper {
  private readonly vLo: number;
  private readonly binW: number;
  private readonly hC = new Float64Array(DQDV_BINS);
  private readonly hD = new Float64Array(DQDV_BINS);
  private readonly curves: DqDvCurve[] = [];
  private readonly wanted: Set<number>;
  private firstCleanKept: boolean;
  private lastCurve: DqDvCurve | null = null;

  constructor(minV: number, maxV: number, wanted: number[]) {
    const bins = dqdvBins(minV, maxV);
    this.vLo = bins.vLo;
    this.binW = bins.binW;
    this.wanted = new Set(wanted);
    this.firstCleanKept = wanted.length > 0;
  }

  /** dq (Ah, positive) moved at voltage `v` by current `currentA` (its sign says which histogram). */
  add(v: number, currentA: number, dq: number): void {
    const b = dqdvBinOf(v, this.vLo, this.binW);
    if (currentA > 0) this.hC[b] += dq;
    else if (currentA < 0) this.hD[b] += dq;
  }

  /** Cycle `index` closed: keep its curve if wanted (or the first clean one), remember it as the last; reset. */
  cycleClosed(index: number, clean: boolean): void {
    const wanted = this.wanted.has(index);
    if (wanted || (!this.firstCleanKept && clean)) {
      this.curves.push(this.curveOf(index));
      if (!wanted) this.firstCleanKept = true;
      this.lastCurve = null;
    } else {
      this.lastCurve = this.curveOf(index);
    }
    this.hC.fill(0);
    this.hD.fill(0);
  }

  private curveOf(cycle: number): DqDvCurve {
    const v: number[] = [];
    const c: number[] = [];
    const d: number[] = [];
    for (let b = 0; b < DQDV_BINS; b++) {
      v.push(this.vLo + (b + 0.5) * this.binW);
      c.push(this.hC[b] / this.binW);
      d.push(this.hD[b] / this.binW);
    }
    return { cycle, v, charge: c, discharge: d };
  }

  /** The kept curves, the last closed cycle's added. */
  finish(): DqDvCurve[] {
    const lc = this.lastCurve;
    if (lc && !this.curves.some((d) => d.cycle === lc.cycle)) this.curves.push(lc);
    return this.curves;
  }
}

/**
 * The BDF export's counters: charge and energy from the test's start (BDF ontology: cumulative,
 * never reset), with the model's own trapezoid rule; with `cyclerCounts`, cycle and step counts
 * the cycler's where the record carries them (its cycle number as reported when
 * `cyclerCyclesOk`; +1 at each change of its step), else the model's (its cycles, +1 at each
 * segment switch, 1 on the first row).
 */
export class BdfCounters {
  /** The model's segment switches + 1 (EventLog counts them). */
  stepCount = 1;
  private chargeAh = 0;
  private dischargeAh = 0;
  private chargeWh = 0;
  private dischargeWh = 0;
  private lastRowStep = NaN;
  private lastRowCycle = NaN;
  private cyclerStepCount = 0;
  private firstModelStep = NaN;

  constructor(
    private readonly cyclerCounts: boolean,
    private readonly cyclerCyclesOk: boolean,
  ) {}

  /** One interval of `dtH` hours from (prevV, prevI) to (v, i). */
  add(prevV: number, v: number, prevI: number, i: number, dtH: number): void {
    this.chargeAh += positiveAreaAh(prevI, i, dtH);
    this.dischargeAh += negativeAreaAh(prevI, i, dtH);
    if (v === v && prevV === prevV) {
      // BDF: charging energy = ∫ max(P, 0) dt, by the sign of the power (a negative voltage, as
      // a three-electrode cell's Ewe can be, turns a charge's energy into energy out), exact
      // when the voltage keeps its sign over the interval.
      const eC = positiveEnergyWh(prevV, v, prevI, i, dtH);
      const eD = negativeEnergyWh(prevV, v, prevI, i, dtH);
      this.chargeWh += (eC > 0 ? eC : 0) + (eD < 0 ? -eD : 0);
      this.dischargeWh += (eD > 0 ? eD : 0) + (eC < 0 ? -eC : 0);
    }
  }

  write(bdf: BdfWriter, tS: number, r: ImportedRecord, modelCycleCount: number): void {
    const rowStep = r.step;
    const rowCycle = r.cycle;
    const cyclerStep = this.cyclerCounts && rowStep === rowStep;
    if (this.firstModelStep !== this.firstModelStep) this.firstModelStep = this.stepCount;
    if (cyclerStep && (rowStep !== this.lastRowStep || rowCycle !== this.lastRowCycle)) this.cyclerStepCount++;
    this.lastRowStep = rowStep;
    this.lastRowCycle = rowCycle;
    bdf.writeRow({
      testTimeS: tS,
      voltageV: r.voltageV,
      currentA: r.currentA,
      cycleCount: this.cyclerCyclesOk && rowCycle === rowCycle ? rowCycle : modelCycleCount,
      stepCount: cyclerStep ? this.cyclerStepCount : this.stepCount - this.firstModelStep + 1,
      ambientTempC: r.tempC,
      chargingCapacityAh: this.chargeAh,
      dischargingCapacityAh: this.dischargeAh,
      chargingEnergyWh: this.chargeWh,
      dischargingEnergyWh: this.dischargeWh,
    });
  }
}

function lastOf(a: number[]): number {
  return a.length > 0 ? a[a.length - 1] : 0;
}
