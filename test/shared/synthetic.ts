/**
 * Synthetic pack profiles for tests: piecewise-constant current steps sampled at a fixed
 * period, a simple cell-voltage model, and an optional sensor chain that adds declared errors
 * (gain per direction, offset, quantisation, time base). Shared by the model's test suites.
 */
import type { Sample } from "../../shared/sample";
import { defaultPackConfig } from "../../shared/config/defaults";
import type { PackConfig, SensorChainConfig } from "../../shared/config/packConfig";

/** One constant-current step of a profile. */
export interface ProfileStep {
  durationMs: number;
  /** + = charge (A). */
  currentA: number;
  /** 1 when the step is a known open circuit (sample.openCircuit). */
  openCircuit: number;
}

/** One cycle: charge, rest, discharge, rest (durations in ms, currents as magnitudes in A). */
export interface CycleSpec {
  chargeA: number;
  chargeMs: number;
  restAfterChargeMs: number;
  dischargeA: number;
  dischargeMs: number;
  restAfterDischargeMs: number;
  /** Mark the rests as known open circuit. */
  openCircuitRests: number;
}

/** Steps of a run of cycles, opening with `leadRestMs` of open-circuit rest. */
export function cycleSteps(cycles: CycleSpec[], leadRestMs: number, dischargeFirst: boolean): ProfileStep[] {
  const out: ProfileStep[] = [];
  if (leadRestMs > 0) out.push({ durationMs: leadRestMs, currentA: 0, openCircuit: 1 });
  for (const c of cycles) {
    const firstA = dischargeFirst ? -c.dischargeA : c.chargeA;
    const firstMs = dischargeFirst ? c.dischargeMs : c.chargeMs;
    const secondA = dischargeFirst ? c.chargeA : -c.dischargeA;
    const secondMs = dischargeFirst ? c.chargeMs : c.dischargeMs;
    out.push({ durationMs: firstMs, currentA: firstA, openCircuit: 0 });
    out.push({ durationMs: c.restAfterChargeMs, currentA: 0, openCircuit: c.openCircuitRests });
    out.push({ durationMs: secondMs, currentA: secondA, openCircuit: 0 });
    out.push({ durationMs: c.restAfterDischargeMs, currentA: 0, openCircuit: c.openCircuitRests });
  }
  return out;
}

/** True (error-free) current of a step profile at time t (right-continuous), and its OC flag. */
export function profileAt(steps: ProfileStep[], tMs: number): ProfileStep {
  let t0 = 0;
  for (const s of steps) {
    if (tMs < t0 + s.durationMs) return s;
    t0 += s.durationMs;
  }
  return steps[steps.length - 1];
}

export function profileDurationMs(steps: ProfileStep[]): number {
  let t = 0;
  for (const s of steps) t += s.durationMs;
  return t;
}

/** Simple cell: V = v0 + slope·(charge state Ah) + r·I, per cell with its own v0. */
export interface CellModel {
  v0V: number[];
  slopeVPerAh: number;
  resistanceOhm: number;
}

/** Declared-chain errors actually applied to the measured samples. */
export interface AppliedErrors {
  /** Gain error of positive / negative currents (fraction). */
  gainChargeFrac: number;
  gainDischargeFrac: number;
  /** Constant current offset (A). */
  offsetA: number;
  /** Quantisation step (A), 0 = none; readings are rounded to the nearest multiple. */
  lsbA: number;
  /** Board clock error (fraction): measured t = true t · (1 + timeBaseFrac). */
  timeBaseFrac: number;
}

export const NO_ERRORS: AppliedErrors = { gainChargeFrac: 0, gainDischargeFrac: 0, offsetA: 0, lsbA: 0, timeBaseFrac: 0 };

/** Sampled run: samples (measured) and the true currents at the same instants. */
export interface SampledRun {
  samples: Sample[];
  trueCurrentA: number[];
  trueTMs: number[];
}

/**
 * Sample a profile every `periodMs` from t = 0 to its end (inclusive), with `tempC` constant.
 * Cell voltages follow `cell` with the true current; the measured current carries `err`.
 */
export function sampleProfile(
  steps: ProfileStep[],
  periodMs: number,
  cell: CellModel,
  tempCount: number,
  err: AppliedErrors,
): SampledRun {
  const end = profileDurationMs(steps);
  const samples: Sample[] = [];
  const trueCurrentA: number[] = [];
  const trueTMs: number[] = [];
  let qAh = 0;
  let prevA = 0;
  let prevT = 0;
  for (let t = 0; t <= end; t += periodMs) {
    const st = profileAt(steps, t);
    const a = st.currentA;
    if (t > 0) qAh += (0.5 * (prevA + a) * (t - prevT)) / 3600000;
    prevA = a;
    prevT = t;
    const cellV: number[] = [];
    for (let i = 0; i < cell.v0V.length; i++) cellV.push(cell.v0V[i] + cell.slopeVPerAh * qAh + cell.resistanceOhm * a);
    const temps: number[] = [];
    for (let i = 0; i < tempCount; i++) temps.push(25);
    samples.push({ tMs: t * (1 + err.timeBaseFrac), cellV, currentA: measure(a, err), tempC: temps, openCircuit: st.openCircuit });
    trueCurrentA.push(a);
    trueTMs.push(t);
  }
  return { samples, trueCurrentA, trueTMs };
}

/** What a sensor with errors `err` reads for a true current `a` (A). */
export function measure(a: number, err: AppliedErrors): number {
  const g = a >= 0 ? err.gainChargeFrac : err.gainDischargeFrac;
  const x = a * (1 + g) + err.offsetA;
  if (err.lsbA > 0) return Math.round(x / err.lsbA) * err.lsbA;
  return x;
}

/** Plain trapezoid of a sampled current (Ah), net (charge positive). */
export function netTrapezoidAh(tMs: number[], currentA: number[]): number {
  let q = 0;
  for (let k = 1; k < tMs.length; k++) q += (0.5 * (currentA[k - 1] + currentA[k]) * (tMs[k] - tMs[k - 1])) / 3600000;
  return q;
}

/** Sample period used by the model tests (ms): 10 s keeps runs short. */
export const TEST_PERIOD_MS = 10000;

/**
 * A Zn‖MnO2 pack of `cellCount` cells of 1 Ah sampled every TEST_PERIOD_MS: thresholds well
 * apart from the test currents (0.2–0.5 A), dwell 30 s, gaps above 60 s, qualified rests after
 * 5 min. `chain` replaces the declared sensor chain when given.
 */
export function testPackConfig(cellCount: number, firstHalf: "charge" | "discharge", chain?: SensorChainConfig): PackConfig {
  const cfg = defaultPackConfig("ZnMnO2", cellCount, 1);
  cfg.samplePeriodMs = TEST_PERIOD_MS;
  cfg.segmentation.firstHalf = firstHalf;
  cfg.segmentation.activeCurrentA = 0.1;
  cfg.segmentation.restCurrentA = 0.05;
  cfg.segmentation.dwellMs = 30000;
  cfg.counting.maxGapMs = 60000;
  cfg.counting.offsetRestMs = 300000;
  cfg.counting.offsetMinSamples = 4;
  if (chain) {
    cfg.sensorChain = chain;
    cfg.counting.offsetRestMaxA = chain.currentOffsetA + chain.currentLsbA;
  }
  return cfg;
}

/** A plain cell model: 4 cells around 1.3 V, 0.3 V/Ah, 0.2 Ω. */
export function testCell(cellCount: number): CellModel {
  const v0: number[] = [];
  for (let i = 0; i < cellCount; i++) v0.push(1.2 + 0.01 * i);
  return { v0V: v0, slopeVPerAh: 0.3, resistanceOhm: 0.2 };
}
