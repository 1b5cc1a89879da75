/**
 * One simulated Zn-metal cell: an equivalent circuit (OCV with hysteresis, series R, two RC
 * pairs and an end-of-range polarisation pair) plus side reactions (H2 evolution on charge, leaks), capacity fade and a lumped
 * thermal model. Stepped with a constant terminal current over each step, with exact
 * exponential solutions for the RC pairs, the hysteresis state and the temperature, so a step
 * may be long (minutes) without losing accuracy; only the SOC-dependent side currents are held
 * at their start-of-step value.
 *
 * Terminal voltage:  V = OCVmean(soc) + halfGap(soc)·(2h − 1) + kT·(T − Tref) + I·R0 + v1 + v2 + v3
 * Stored charge:     dQ/dt = I − I_H2 − I_leak            (+ = charge; all in A)
 * where h ∈ [0, 1] is the hysteresis state (1 = relaxed onto the charge branch), driven by the
 * terminal current with e-folding charge capacity / hysteresisRate.
 *
 * Energy bookkeeping (Wh), so that terminal energy = Δstored + Δcapacitors + losses:
 *   stored     = capacity · ∫ OCVmean dsoc       (exact, piecewise-linear table integral)
 *   losses     = ohmic (I²R0) + RC (v²/R) + hysteresis (vh·I) + side reactions (OCVmean·I_side)
 *                + entropic (kT·(T − Tref)·I), the reversible part.
 */
import type { CellParams } from "./cellParams";
import { ocvCurveFor, ocvEnergyWhPerAh, ocvHalfGapV, ocvMeanV, type OcvCurve } from "./ocvCurve";
import { S_PER_H as SECONDS_PER_HOUR } from "../../shared/units";

/** 0 °C in kelvin. */
export const KELVIN_OFFSET = 273.15;
/** State of one cell. Plain numbers; `copyCellState` makes an exact copy. */
export interface CellState {
  /** Charge stored (Ah), 0 = empty at `capacityRefAh`'s scale. */
  storedAh: number;
  /** Present capacity at the reference temperature (Ah): fresh capacity minus fade and calendar loss. */
  capacityRefAh: number;
  /** Hysteresis state in [0, 1]: 1 = on the charge branch, 0 = on the discharge branch. */
  hyst: number;
  /** RC pair voltages (V). */
  v1V: number;
  v2V: number;
  /** End-of-range polarisation pair voltage (V). */
  v3V: number;
  /** Cell temperature (°C). */
  tempC: number;
  /** Present charge-redistribution leak (A); set on charge, decays at rest and on discharge. */
  redistA: number;
  /** Terminal voltage at the end of the last step (V). */
  terminalV: number;
  /** Mean terminal voltage over the last step (V). */
  stepMeanV: number;
  /** Totals since creation (truth for tests and the benchmark). */
  totals: CellTotals;
}

export interface CellTotals {
  /** Charge in through the terminals while charging (Ah, ≥ 0) and out while discharging (Ah, ≥ 0). */
  chargeInAh: number;
  chargeOutAh: number;
  /** Terminal energy in while charging / out while discharging (Wh, ≥ 0). */
  energyInWh: number;
  energyOutWh: number;
  /** Charge consumed by H2 evolution (Ah) and by leaks (Ah). */
  h2Ah: number;
  leakAh: number;
  /** Capacity lost to cycling fade and to calendar loss (Ah). */
  fadeLossAh: number;
  calendarLossAh: number;
  /** Energy lost (Wh): ohmic, RC pairs, hysteresis, side reactions, entropic (reversible). */
  ohmicWh: number;
  rcWh: number;
  hysteresisWh: number;
  sideReactionWh: number;
  entropicWh: number;
}

/** Zeroed totals. */
export function zeroTotals(): CellTotals {
  return {
    chargeInAh: 0,
    chargeOutAh: 0,
    energyInWh: 0,
    energyOutWh: 0,
    h2Ah: 0,
    leakAh: 0,
    fadeLossAh: 0,
    calendarLossAh: 0,
    ohmicWh: 0,
    rcWh: 0,
    hysteresisWh: 0,
    sideReactionWh: 0,
    entropicWh: 0,
  };
}

/** A fresh cell at `socFrac` of its capacity, relaxed, at `tempC`, on the discharge branch. */
export function createCellState(p: CellParams, socFrac: number, tempC: number): CellState {
  if (!isFinite(socFrac) || socFrac < 0 || socFrac > 1) {
    throw new Error(`initial socFrac must be in [0, 1], got ${String(socFrac)}`);
  }
  const s: CellState = {
    storedAh: socFrac * p.capacityAh,
    capacityRefAh: p.capacityAh,
    hyst: 0,
    v1V: 0,
    v2V: 0,
    v3V: 0,
    tempC,
    redistA: 0,
    terminalV: 0,
    stepMeanV: 0,
    totals: zeroTotals(),
  };
  s.terminalV = cellOcvV(p, ocvCurveFor(p.chemistry), s);
  s.stepMeanV = s.terminalV;
  return s;
}

/** Deep copy of a cell state. */
export function copyCellState(s: CellState): CellState {
  const t: CellTotals = { ...s.totals };
  return { ...s, totals: t };
}

/** Capacity at the cell's present temperature (Ah). */
export function cellCapacityAh(p: CellParams, s: CellState): number {
  return s.capacityRefAh * (1 + p.capacityTempCoeffPerK * (s.tempC - p.refTempC));
}

/** True SOC (fraction of present capacity; may leave [0, 1] by ~1 % at the cut-offs). */
export function cellSoc(p: CellParams, s: CellState): number {
  return s.storedAh / cellCapacityAh(p, s);
}

/** Open-circuit voltage including hysteresis and temperature (V), no IR, no RC. */
export function cellOcvV(p: CellParams, c: OcvCurve, s: CellState): number {
  const soc = cellSoc(p, s);
  return ocvMeanV(c, soc) + ocvHalfGapV(c, soc) * (2 * s.hyst - 1) + p.ocvTempCoeffVPerK * (s.tempC - p.refTempC);
}

/** Arrhenius factor exp(k·(1/Tref − 1/T)) (1 at the reference temperature). */
export function arrhenius(activationK: number, tempC: number, refTempC: number): number {
  return Math.exp(activationK * (1 / (refTempC + KELVIN_OFFSET) - 1 / (tempC + KELVIN_OFFSET)));
}

/** Series resistance at the cell's temperature (Ω). */
export function cellR0Ohm(p: CellParams, s: CellState): number {
  return p.r0Ohm * arrhenius(p.resistanceActivationK, s.tempC, p.refTempC);
}

/** Side currents at the start of a step (A): H2 evolution (charge only) and total leak. */
export interface SideCurrents {
  h2A: number;
  leakA: number;
}

/** Side currents for terminal current `currentA` (A) in the cell's present state. */
export function cellSideCurrents(p: CellParams, s: CellState, currentA: number, out: SideCurrents): SideCurrents {
  const soc = cellSoc(p, s);
  const arr = arrhenius(p.sideReactionActivationK, s.tempC, p.refTempC);
  let h2 = 0;
  if (currentA > 0 && p.h2CurrentAtFullA > 0) {
    h2 = p.h2CurrentAtFullA * Math.exp((soc - 1) / p.h2SocScale) * arr;
    if (h2 > currentA) h2 = currentA;
  }
  const socForLeak = soc > 0 ? soc : 0;
  const steady = p.baseLeakA + (p.selfDischargeMode === "faulty" ? p.faultyLeakA : 0);
  out.h2A = h2;
  const over = soc > 1 && p.overchargeRelaxTauS < Infinity ? ((soc - 1) * cellCapacityAh(p, s) * SECONDS_PER_HOUR) / p.overchargeRelaxTauS : 0;
  out.leakA = steady * socForLeak * arr + s.redistA + over;
  return out;
}

/** SOC beyond the table's ends at which the polarisation resistance stops growing. */
const R3_MAX_OVERSHOOT_SOC = 0.05;

/** End-of-range polarisation resistance (Ω) at soc, before the temperature factor. */
export function r3AtSoc(p: CellParams, soc: number): number {
  if (p.r3Ohm <= 0) return 0;
  const w = p.r3SocWidth;
  // Beyond the table's ends it keeps growing, up to a cap that keeps the exponentials finite.
  const hi = soc > 1 + R3_MAX_OVERSHOOT_SOC ? 1 + R3_MAX_OVERSHOOT_SOC : soc;
  const lo = soc < -R3_MAX_OVERSHOOT_SOC ? -R3_MAX_OVERSHOOT_SOC : soc;
  return p.r3Ohm * (Math.exp((hi - 1) / w) + Math.exp(-lo / w));
}

/** ∫₀^dt v(t)²/R dt for v(t) = a + b·e^(−t/τ) (exact; Wh after /3600 by the caller). */
function rcLossJ(a: number, b: number, tauS: number, rOhm: number, dtS: number, decay: number): number {
  if (rOhm <= 0) return 0;
  return (a * a * dtS + 2 * a * b * tauS * (1 - decay) + ((b * b * tauS) / 2) * (1 - decay * decay)) / rOhm;
}

/** Mean of a + b·e^(−t/τ) over [0, dt]. */
function rcMean(a: number, b: number, tauS: number, dtS: number, decay: number): number {
  return a + (b * (1 - decay) * tauS) / dtS;
}

/**
 * Hysteresis state after `dtS` at `i`: exact exponential approach to the branch of the present
 * direction, driven by the terminal current only (Plett): leaks at rest do not walk the branch.
 */
function nextHysteresis(p: CellParams, h0: number, i: number, dtS: number, capAh: number): number {
  if (i === 0) return h0;
  const target = i > 0 ? 1 : 0;
  return target + (h0 - target) * Math.exp((-p.hysteresisRate * Math.abs(i * dtS)) / SECONDS_PER_HOUR / capAh);
}

/** Lumped thermal model: exact first-order response over `dtS` to a mean irreversible heat `heatW`. */
function nextTempC(p: CellParams, tempC: number, heatW: number, dtS: number, ambientC: number): number {
  const tauThS = p.thermalResistanceKPerW * p.heatCapacityJPerK;
  const tInf = ambientC + heatW * p.thermalResistanceKPerW;
  return tauThS > 0 ? tInf + (tempC - tInf) * Math.exp(-dtS / tauThS) : tInf;
}

const scratchSide: SideCurrents = { h2A: 0, leakA: 0 };

/**
 * Advance a cell by `dtS` seconds at constant terminal current `currentA` (A, + = charge),
 * with ambient temperature `ambientC`. Updates `s` in place, including its totals.
 */
export function stepCell(p: CellParams, s: CellState, currentA: number, dtS: number, ambientC: number): void {
  if (!(dtS > 0)) return;
  const c = ocvCurveFor(p.chemistry);
  const i = currentA;
  const tK = p.refTempC;
  const rArr = arrhenius(p.resistanceActivationK, s.tempC, tK);
  const r0 = p.r0Ohm * rArr;
  const r1 = p.r1Ohm * rArr;
  const r2 = p.r2Ohm * rArr;
  const capAh = cellCapacityAh(p, s);

  const side = cellSideCurrents(p, s, i, scratchSide);
  const sideA = side.h2A + side.leakA;
  const iInt = i - sideA;
  const dAh = (iInt * dtS) / SECONDS_PER_HOUR;

  const soc0 = s.storedAh / capAh;
  const soc1 = (s.storedAh + dAh) / capAh;
  const socMid = (soc0 + soc1) / 2;

  const h0 = s.hyst;
  const h1 = nextHysteresis(p, h0, i, dtS, capAh);
  const hMid = (h0 + h1) / 2;

  // RC pairs: v(t) = I·R + (v0 − I·R)·e^(−t/τ).
  const d1 = Math.exp(-dtS / p.tau1S);
  const d2 = Math.exp(-dtS / p.tau2S);
  const a1 = i * r1;
  const b1 = s.v1V - a1;
  const a2 = i * r2;
  const b2 = s.v2V - a2;
  const v1Mean = rcMean(a1, b1, p.tau1S, dtS, d1);
  const v2Mean = rcMean(a2, b2, p.tau2S, dtS, d2);
  const r3 = r3AtSoc(p, soc0) * rArr;
  const tau3 = r3 * p.c3F;
  const d3 = tau3 > 0 ? Math.exp(-dtS / tau3) : 0;
  const a3 = i * r3;
  const b3 = s.v3V - a3;
  const v3Mean = tau3 > 0 ? rcMean(a3, b3, tau3, dtS, d3) : 0;

  const meanMid = ocvMeanV(c, socMid);
  const gapMid = ocvHalfGapV(c, socMid);
  const vHystMid = gapMid * (2 * hMid - 1);
  const vTemp = p.ocvTempCoeffVPerK * (s.tempC - tK);
  const vMean = meanMid + vHystMid + vTemp + i * r0 + v1Mean + v2Mean + v3Mean;

  // Energy terms of this step (J).
  const ohmicJ = i * i * r0 * dtS;
  const rcJ =
    rcLossJ(a1, b1, p.tau1S, r1, dtS, d1) +
    rcLossJ(a2, b2, p.tau2S, r2, dtS, d2) +
    (tau3 > 0 ? rcLossJ(a3, b3, tau3, r3, dtS, d3) : 0);
  const hystJ = vHystMid * i * dtS;
  const sideJ = meanMid * sideA * dtS;
  const entropicJ = vTemp * i * dtS;

  // State update.
  s.storedAh += dAh;
  s.hyst = h1;
  s.v1V = a1 + b1 * d1;
  s.v2V = a2 + b2 * d2;
  s.v3V = tau3 > 0 ? a3 + b3 * d3 : 0;

  // Charge redistribution: re-armed while charging, decays otherwise (Conway).
  if (i > 0) s.redistA = p.redistributionA;
  else s.redistA *= Math.exp(-dtS / p.redistributionTauS);

  // Capacity fade per equivalent full cycle (charge + discharge of the fresh capacity).
  const throughputAh = (Math.abs(i) * dtS) / SECONDS_PER_HOUR;
  const fadeAh = (p.fadePerCycleFrac * throughputAh) / 2;
  const calendarAh = (p.calendarLossShare * side.leakA * dtS) / SECONDS_PER_HOUR;
  s.capacityRefAh -= fadeAh + calendarAh;

  s.tempC = nextTempC(p, s.tempC, (ohmicJ + rcJ + Math.abs(hystJ) + sideJ) / dtS, dtS, ambientC);

  // Outputs.
  s.stepMeanV = vMean;
  s.terminalV = cellOcvV(p, c, s) + i * cellR0Ohm(p, s) + s.v1V + s.v2V + s.v3V;

  addTotals(s.totals, i, vMean, dtS, side, fadeAh, calendarAh, ohmicJ, rcJ, hystJ, sideJ, entropicJ);
}

/** One step's terminal charge and energy, side reactions, losses and energy terms (J → Wh) into the cell's totals. */
function addTotals(
  t: CellState["totals"],
  i: number,
  vMean: number,
  dtS: number,
  side: SideCurrents,
  fadeAh: number,
  calendarAh: number,
  ohmicJ: number,
  rcJ: number,
  hystJ: number,
  sideJ: number,
  entropicJ: number,
): void {
  const dTermAh = (i * dtS) / SECONDS_PER_HOUR;
  const dTermWh = (vMean * i * dtS) / SECONDS_PER_HOUR;
  if (i > 0) {
    t.chargeInAh += dTermAh;
    t.energyInWh += dTermWh;
  } else if (i < 0) {
    t.chargeOutAh -= dTermAh;
    t.energyOutWh -= dTermWh;
  }
  t.h2Ah += (side.h2A * dtS) / SECONDS_PER_HOUR;
  t.leakAh += (side.leakA * dtS) / SECONDS_PER_HOUR;
  t.fadeLossAh += fadeAh;
  t.calendarLossAh += calendarAh;
  t.ohmicWh += ohmicJ / SECONDS_PER_HOUR;
  t.rcWh += rcJ / SECONDS_PER_HOUR;
  t.hysteresisWh += hystJ / SECONDS_PER_HOUR;
  t.sideReactionWh += sideJ / SECONDS_PER_HOUR;
  t.entropicWh += entropicJ / SECONDS_PER_HOUR;
}

/**
 * Terminal voltage the cell would show at the end of a step of `dtS` at `currentA`, without
 * changing the cell (used to find where a voltage limit is crossed, and for CV holds).
 * Side currents and temperature are frozen at their present values.
 */
export function previewTerminalV(p: CellParams, s: CellState, currentA: number, dtS: number): number {
  const c = ocvCurveFor(p.chemistry);
  const rArr = arrhenius(p.resistanceActivationK, s.tempC, p.refTempC);
  const capAh = cellCapacityAh(p, s);
  const side = cellSideCurrents(p, s, currentA, scratchSide);
  const iInt = currentA - side.h2A - side.leakA;
  const dAh = (iInt * dtS) / SECONDS_PER_HOUR;
  const soc1 = (s.storedAh + dAh) / capAh;
  let h1 = s.hyst;
  if (currentA !== 0) {
    const target = currentA > 0 ? 1 : 0;
    h1 = target + (s.hyst - target) * Math.exp((-p.hysteresisRate * Math.abs(currentA * dtS)) / SECONDS_PER_HOUR / capAh);
  }
  const d1 = Math.exp(-dtS / p.tau1S);
  const d2 = Math.exp(-dtS / p.tau2S);
  const a1 = currentA * p.r1Ohm * rArr;
  const a2 = currentA * p.r2Ohm * rArr;
  const v1 = a1 + (s.v1V - a1) * d1;
  const v2 = a2 + (s.v2V - a2) * d2;
  const soc0 = s.storedAh / capAh;
  const r3 = r3AtSoc(p, soc0) * rArr;
  const tau3 = r3 * p.c3F;
  const a3 = currentA * r3;
  const v3 = tau3 > 0 ? a3 + (s.v3V - a3) * Math.exp(-dtS / tau3) : 0;
  return (
    ocvMeanV(c, soc1) +
    ocvHalfGapV(c, soc1) * (2 * h1 - 1) +
    p.ocvTempCoeffVPerK * (s.tempC - p.refTempC) +
    currentA * p.r0Ohm * rArr +
    v1 +
    v2 +
    v3
  );
}

/** Stored chemical energy (Wh) = capacity · ∫₀^soc OCVmean dsoc, for the energy balance. */
export function cellStoredEnergyWh(p: CellParams, s: CellState): number {
  const capAh = cellCapacityAh(p, s);
  return capAh * ocvEnergyWhPerAh(ocvCurveFor(p.chemistry), s.storedAh / capAh);
}

/** Energy held in the RC pairs' capacitors (Wh): ½·C·v² with C = τ/R. */
export function cellCapacitorEnergyWh(p: CellParams, s: CellState): number {
  const rArr = arrhenius(p.resistanceActivationK, s.tempC, p.refTempC);
  let j = 0;
  if (p.r1Ohm > 0) j += (0.5 * p.tau1S * s.v1V * s.v1V) / (p.r1Ohm * rArr);
  if (p.r2Ohm > 0) j += (0.5 * p.tau2S * s.v2V * s.v2V) / (p.r2Ohm * rArr);
  j += 0.5 * p.c3F * s.v3V * s.v3V;
  return j / SECONDS_PER_HOUR;
}
