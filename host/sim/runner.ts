/**
 * Runs a parsed protocol on a SimPack as fast as the CPU goes, with a variable internal step,
 * and records the ground truth (cycles, rests). The pack can be read between calls to
 * `advanceTo`, so a sampler (simulate.ts) or the virtual board's chip emulators see its
 * analog state at any simulated time. Deterministic: same pack spec, protocol and seed →
 * the same run, bit for bit.
 */
import type { SimPack } from "./pack";
import type { ProtocolNode, ProtocolStep } from "./protocol";
import { createRng, uniform, uniformIn, type Rng } from "./rng";
import type { CycleTruth, RestTruth } from "./truth";
import { S_PER_H as SECONDS_PER_HOUR } from "../../shared/units";

export interface RunOptions {
  /** Seed of the protocol's random choices (random rests). */
  seed: number;
  /** Ambient temperature (°C): a constant, or a function of simulated time (s). Default: the pack's. */
  ambientC?: number | ((tS: number) => number);
  /** Longest internal step (s). Default 60. */
  maxStepS?: number;
  /** Which half opens a cycle. Default "charge" (full cells). */
  firstHalf?: "charge" | "discharge";
  /** A charge/discharge with no time limit is stopped after this many nominal-capacity hours ×. Default 3. */
  safetyCapacityFactor?: number;
}

/** Voltage within which a CC step looks ahead for its cut-off (V); beyond it, no look-ahead is needed. */
const LOOKAHEAD_MARGIN_V = 0.15;
/** Bisection steps that place a voltage cut-off in time (2^-24 of a step). */
const CUTOFF_BISECTIONS = 24;
/** Bisection steps that place a hold's end-of-current in time (2^-16 of a step). */
const HOLD_END_BISECTIONS = 16;
/** Iterations of the secant solve for a CV hold's current. */
const HOLD_SOLVE_ITERATIONS = 6;

type Half = "charge" | "discharge";

export class ProtocolRunner {
  readonly pack: SimPack;
  readonly cycles: CycleTruth[] = [];
  readonly rests: RestTruth[] = [];
  /** Called when a cycle / rest record is complete. */
  onCycle: ((c: CycleTruth) => void) | null = null;
  onRest: ((r: RestTruth) => void) | null = null;

  private readonly rng: Rng;
  private readonly ambient: number | ((tS: number) => number);
  private readonly maxStepS: number;
  private readonly firstHalf: Half;
  private readonly safetyFactor: number;
  private readonly nominalAh: number;
  /** Stack of (nodes, next index, repeats left) frames. */
  private readonly stack: { nodes: ProtocolNode[]; idx: number; left: number }[];
  private step: ProtocolStep | null = null;
  private stepStartS = 0;
  private stepEndS = Infinity; // rests and timed steps
  private holdCurrentA = 0;
  /** Current of the last internal step that carried current (A). */
  private lastActiveCurrentA = 0;
  private finished = false;
  /** Last active half seen, for cycle and rest bookkeeping. */
  private lastHalf: Half | null = null;
  private cycle: CycleTruth | null = null;
  private cycleHasSecondHalf = false;
  private rest: RestTruth | null = null;
  private restMidV: number[] | null = null;
  private restMidS = 0;
  private restHourV: number[] | null = null;
  private restStartV: number[] = [];
  private restStartLeakAh: number[] = [];
  private restStartCalendarAh: number[] = [];
  private restIsRandom = 0;
  private readonly extremes = { maxV: 0, minV: 0 };
  /** Name of the current step's end condition once it ended: for reports. */
  lastEndReason = "";

  constructor(pack: SimPack, protocol: ProtocolNode[], opts: RunOptions) {
    if (!opts || typeof opts.seed !== "number" || !isFinite(opts.seed)) {
      throw new Error(`run options need a finite seed, got ${String(opts && opts.seed)}`);
    }
    this.pack = pack;
    this.rng = createRng(opts.seed);
    this.ambient = opts.ambientC === undefined ? pack.ambientC : opts.ambientC;
    this.maxStepS = opts.maxStepS === undefined ? 60 : opts.maxStepS;
    if (!(this.maxStepS > 0)) throw new Error(`maxStepS must be > 0, got ${String(opts.maxStepS)}`);
    this.firstHalf = opts.firstHalf || "charge";
    this.safetyFactor = opts.safetyCapacityFactor || 3;
    this.nominalAh = pack.spec.capacityAh;
    this.stack = [{ nodes: protocol, idx: 0, left: 1 }];
  }

  /** True once the protocol's last step has ended; the pack then rests at open circuit. */
  get done(): boolean {
    return this.finished;
  }

  /** The step running now (null when done). */
  get currentStep(): ProtocolStep | null {
    return this.step;
  }

  /** True when no current flows by the protocol's choice (a rest, or after the end). */
  isOpenCircuit(): boolean {
    return this.finished || (this.step !== null && this.step.kind === "rest");
  }

  private ambientAt(tS: number): number {
    return typeof this.ambient === "number" ? this.ambient : this.ambient(tS);
  }

  /** Next plain step from the protocol tree, or null at the end. Random rests are decided here. */
  private nextStep(): ProtocolStep | null {
    for (;;) {
      const f = this.stack[this.stack.length - 1];
      if (!f) return null;
      if (f.idx >= f.nodes.length) {
        f.left--;
        if (f.left > 0) {
          f.idx = 0;
          continue;
        }
        this.stack.pop();
        continue;
      }
      const node = f.nodes[f.idx++];
      if (node.kind === "repeat") {
        this.stack.push({ nodes: node.body, idx: 0, left: node.times });
        continue;
      }
      if (node.kind === "rest" && !isNaN(node.probability)) {
        // Draw both numbers every time so the stream does not depend on the outcome.
        const take = uniform(this.rng) < node.probability;
        const dur = uniformIn(this.rng, node.durationS, node.maxDurationS);
        if (!take) continue;
        this.restIsRandom = 1;
        return { ...node, durationS: dur };
      }
      this.restIsRandom = 0;
      return node;
    }
  }

  private startStep(): void {
    const st = this.nextStep();
    const t = this.pack.tS;
    if (!st) {
      this.finished = true;
      this.step = null;
      this.closeCycleIfComplete(t);
      return;
    }
    this.step = st;
    this.stepStartS = t;
    let end = isNaN(st.durationS) ? Infinity : t + st.durationS;
    if (st.kind === "charge" || st.kind === "discharge") {
      const safety = t + (this.safetyFactor * this.nominalAh * SECONDS_PER_HOUR) / st.currentA;
      if (safety < end) end = safety;
    }
    this.stepEndS = end;
    if (st.kind === "charge" || st.kind === "discharge") this.enterHalf(st.kind, t);
    if (st.kind === "hold") {
      this.holdCurrentA = this.lastActiveCurrentA > 0 ? this.lastActiveCurrentA : this.nominalAh / 20;
      this.enterHalf("charge", t);
    }
    if (st.kind === "rest") this.beginRest(t);
  }

  private endStep(reason: string): void {
    this.lastEndReason = reason;
    if (this.step && this.step.kind === "rest") this.endRest(this.pack.tS);
    this.step = null;
  }

  // ---- cycles ----------------------------------------------------------------------------

  private enterHalf(h: Half, t: number): void {
    if (h === this.lastHalf) return;
    if (h === this.firstHalf) {
      this.closeCycleIfComplete(t);
      this.cycle = {
        index: this.cycles.length + 1,
        startS: t,
        endS: t,
        chargeAh: 0,
        dischargeAh: 0,
        chargeWh: 0,
        dischargeWh: 0,
        ce: NaN,
        ee: NaN,
        ve: NaN,
        hadRest: 0,
      };
      this.cycleHasSecondHalf = false;
    } else if (this.cycle) {
      this.cycleHasSecondHalf = true;
    }
    this.lastHalf = h;
  }

  private closeCycleIfComplete(t: number): void {
    const c = this.cycle;
    if (!c || !this.cycleHasSecondHalf) return;
    c.endS = t;
    if (this.firstHalf === "charge") {
      c.ce = c.dischargeAh / c.chargeAh;
      c.ee = c.dischargeWh / c.chargeWh;
    } else {
      c.ce = c.chargeAh / c.dischargeAh;
      c.ee = c.chargeWh / c.dischargeWh;
    }
    c.ve = c.ee / c.ce;
    this.cycles.push(c);
    for (const r of this.rests) {
      if (isNaN(r.retention) && r.after === "charge" && r.startS >= c.startS && r.endS <= t) {
        r.retention = c.dischargeAh / c.chargeAh;
      }
    }
    this.cycle = null;
    if (this.onCycle) this.onCycle(c);
  }

  // ---- rests -----------------------------------------------------------------------------

  private beginRest(t: number): void {
    const p = this.pack;
    const n = p.cellCount;
    const faulty = p.params.some((q) => q.selfDischargeMode === "faulty") ? 1 : 0;
    this.rest = {
      index: this.rests.length + 1,
      startS: t,
      endS: t,
      durationS: 0,
      after: this.lastHalf || "none",
      random: this.restIsRandom,
      faulty,
      socStart: [],
      socEnd: [],
      leakAh: [],
      calendarLossAh: [],
      selfDischargeFracPerH: [],
      lateSlopeMVPerH: [],
      firstHourDropV: [],
      retention: NaN,
    };
    if (this.cycle) this.cycle.hadRest = 1;
    this.restStartV = [];
    this.restStartLeakAh = [];
    this.restStartCalendarAh = [];
    for (let i = 0; i < n; i++) {
      this.rest.socStart.push(p.cellSoc(i));
      this.restStartLeakAh.push(p.cells[i].totals.leakAh);
      this.restStartCalendarAh.push(p.cells[i].totals.calendarLossAh);
    }
    this.restMidV = null;
    this.restHourV = null;
    this.restMidS = t + (isFinite(this.stepEndS) ? (this.stepEndS - t) / 2 : Infinity);
  }

  /** Called after every internal step inside a rest, to catch the 1-hour and mid points. */
  private onRestWatch(t: number): void {
    const p = this.pack;
    if (this.restStartV.length === 0) {
      // First step of the rest: voltages just after the current stopped.
      for (let i = 0; i < p.cellCount; i++) this.restStartV.push(p.cellV(i));
    }
    if (!this.restHourV && t - this.rest!.startS >= SECONDS_PER_HOUR) {
      this.restHourV = [];
      for (let i = 0; i < p.cellCount; i++) this.restHourV.push(p.cellV(i));
    }
    if (!this.restMidV && t >= this.restMidS) {
      this.restMidV = [];
      for (let i = 0; i < p.cellCount; i++) this.restMidV.push(p.cellV(i));
      this.restMidS = t;
    }
  }

  private endRest(t: number): void {
    const r = this.rest;
    if (!r) return;
    const p = this.pack;
    r.endS = t;
    r.durationS = t - r.startS;
    const hours = r.durationS / SECONDS_PER_HOUR;
    for (let i = 0; i < p.cellCount; i++) {
      r.socEnd.push(p.cellSoc(i));
      const leak = p.cells[i].totals.leakAh - this.restStartLeakAh[i];
      r.leakAh.push(leak);
      r.calendarLossAh.push(p.cells[i].totals.calendarLossAh - this.restStartCalendarAh[i]);
      r.selfDischargeFracPerH.push(hours > 0 ? leak / p.params[i].capacityAh / hours : NaN);
      const midV = this.restMidV ? this.restMidV[i] : NaN;
      const midH = (t - this.restMidS) / SECONDS_PER_HOUR;
      r.lateSlopeMVPerH.push(midH > 0 ? ((p.cellV(i) - midV) * 1000) / midH : NaN);
      const v0 = this.restStartV.length ? this.restStartV[i] : NaN;
      r.firstHourDropV.push(this.restHourV ? v0 - this.restHourV[i] : NaN);
    }
    this.rests.push(r);
    this.rest = null;
    if (this.onRest) this.onRest(r);
  }

  // ---- stepping --------------------------------------------------------------------------

  /** Solve the current that puts the highest cell at vSet after dtS (secant on the preview). */
  private holdCurrent(vSet: number, dtS: number): number {
    const p = this.pack;
    let i0 = this.holdCurrentA;
    let f0 = p.previewExtremes(i0, dtS, this.extremes).maxV - vSet;
    let i1 = i0 * 0.9 - 1e-4;
    let f1 = p.previewExtremes(i1, dtS, this.extremes).maxV - vSet;
    for (let k = 0; k < HOLD_SOLVE_ITERATIONS && f1 !== f0; k++) {
      const i2 = i1 - (f1 * (i1 - i0)) / (f1 - f0);
      i0 = i1;
      f0 = f1;
      i1 = i2;
      f1 = p.previewExtremes(i1, dtS, this.extremes).maxV - vSet;
      if (Math.abs(f1) < 1e-9) break;
    }
    return i1;
  }

  /** Does a CC step of dtS reach its cut-off? */
  private crosses(st: ProtocolStep, currentA: number, dtS: number): boolean {
    const e = this.pack.previewExtremes(currentA, dtS, this.extremes);
    return st.kind === "charge" ? e.maxV >= st.cellV : e.minV <= st.cellV;
  }

  /** Advance the simulation to time tS (s). */
  advanceTo(tS: number): void {
    const p = this.pack;
    let guard = 0;
    while (p.tS < tS) {
      if (++guard > 10_000_000) throw new Error("runner made no progress (internal error)");
      if (!this.finished && !this.step) {
        this.startStep();
        continue;
      }
      let dt = tS - p.tS;
      if (dt > this.maxStepS) dt = this.maxStepS;
      const st = this.step;
      if (!st) {
        // After the protocol: open circuit.
        p.step(0, dt, this.ambientAt(p.tS));
        continue;
      }
      let endsByTime = false;
      if (this.stepEndS - p.tS <= dt) {
        dt = this.stepEndS - p.tS;
        endsByTime = true;
      }
      if (dt <= 0) {
        this.endStep("time");
        continue;
      }
      const amb = this.ambientAt(p.tS);
      if (st.kind === "rest") {
        p.step(0, dt, amb);
        this.onRestWatch(p.tS);
        if (endsByTime) this.endStep("time");
        continue;
      }
      if (st.kind === "hold") this.advanceHold(st, dt, amb, endsByTime);
      else this.advanceConstantCurrent(st, dt, amb, endsByTime);
    }
  }

  /** One slice of a constant-voltage hold: the current that puts the highest cell exactly at the
   *  hold voltage at the slice's end; the step ends when that current reaches its end value. */
  private advanceHold(st: ProtocolStep, dt: number, amb: number, endsByTime: boolean): void {
    const p = this.pack;
    const i = this.holdCurrent(st.cellV, dt);
    if (!isNaN(st.untilCurrentA) && Math.abs(i) <= st.untilCurrentA) {
      // The current reaches its end value inside this slice: place the end in time (as the
      // voltage cut-offs are), so the cycler's timing is not locked to the sampling.
      let lo = 0;
      let hi = dt;
      for (let k = 0; k < HOLD_END_BISECTIONS; k++) {
        const mid = (lo + hi) / 2;
        if (Math.abs(this.holdCurrent(st.cellV, mid)) <= st.untilCurrentA) hi = mid;
        else lo = mid;
      }
      if (lo > 0) {
        const iLast = this.holdCurrent(st.cellV, lo);
        this.holdCurrentA = iLast;
        this.stepPack(iLast, lo, amb);
      }
      p.setCurrent(0);
      this.endStep("current");
      return;
    }
    this.holdCurrentA = i;
    this.stepPack(i, dt, amb);
    if (endsByTime) this.endStep("time");
  }

  /** One slice of a constant-current step, with its voltage cut-off placed in time by bisection. */
  private advanceConstantCurrent(st: ProtocolStep, dt: number, amb: number, endsByTime: boolean): void {
    const p = this.pack;
    const i = st.kind === "charge" ? st.currentA : -st.currentA;
    if (!isNaN(st.cellV)) {
      const near = st.kind === "charge" ? p.maxCellV() > st.cellV - LOOKAHEAD_MARGIN_V : p.minCellV() < st.cellV + LOOKAHEAD_MARGIN_V;
      if (near && this.crosses(st, i, dt)) {
        let lo = 0;
        let hi = dt;
        for (let k = 0; k < CUTOFF_BISECTIONS; k++) {
          const mid = (lo + hi) / 2;
          if (this.crosses(st, i, mid)) hi = mid;
          else lo = mid;
        }
        if (hi > 0) this.stepPack(i, hi, amb);
        p.setCurrent(0);
        this.endStep("voltage");
        return;
      }
    }
    this.stepPack(i, dt, amb);
    if (endsByTime) {
      p.setCurrent(0);
      this.endStep(p.tS >= this.stepStartS + (isNaN(st.durationS) ? Infinity : st.durationS) - 1e-9 ? "time" : "safety");
    }
  }

  /** Step the pack and add the step's charge and terminal energy to the open cycle (truth). */
  private stepPack(currentA: number, dtS: number, ambientC: number): void {
    const p = this.pack;
    p.step(currentA, dtS, ambientC);
    if (currentA !== 0) this.lastActiveCurrentA = currentA;
    const c = this.cycle;
    if (!c || currentA === 0) return;
    let packMeanV = 0;
    for (let k = 0; k < p.cells.length; k++) packMeanV += p.cells[k].stepMeanV;
    const ah = (Math.abs(currentA) * dtS) / SECONDS_PER_HOUR;
    if (currentA > 0) {
      c.chargeAh += ah;
      c.chargeWh += packMeanV * ah;
    } else {
      c.dischargeAh += ah;
      c.dischargeWh += packMeanV * ah;
    }
  }
}
