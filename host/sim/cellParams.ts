/**
 * Parameters of one simulated Zn-metal pouch cell (equivalent circuit + side reactions),
 * and the defaults per chemistry preset. Pure data; the physics is in `cell.ts`.
 *
 * The numbers are plausible for an aqueous Zn pouch cell of about 1 Ah, chosen so that the
 * article's headline behaviours appear (article [A] of docs/model.md): CE slightly below 1
 * and worse at low current, EE 60–90 %, a healthy rest that drops steeply and then lies flat,
 * a faulty one that slopes steadily. They are not fitted to any one cell.
 */
import type { ChemistryId } from "../../shared/chemistry/presets";

/** Self-discharge behaviour of a cell during rests (article §4.3, Fig. 11a/b). */
export type SelfDischargeMode = "healthy" | "faulty";

export interface CellParams {
  chemistry: ChemistryId;
  /** Capacity when fresh, at `refTempC` (Ah). */
  capacityAh: number;
  /** Series (ohmic) resistance at `refTempC` (Ω). */
  r0Ohm: number;
  /** Fast RC pair: resistance (Ω) and time constant (s) — charge transfer / double layer. */
  r1Ohm: number;
  tau1S: number;
  /** Slow RC pair: resistance (Ω) and time constant (s) — diffusion; the rest's early relaxation. */
  r2Ohm: number;
  tau2S: number;
  /**
   * End-of-range polarisation pair (concentration overpotential near full charge and near empty):
   * R3(soc) = r3Ohm·(exp((soc − 1)/r3SocWidth) + exp(−soc/r3SocWidth)), capacitance c3F, so
   * τ3 = R3·C3. It is what lifts the charge voltage to the cut-off and relaxes in the first hours
   * of a rest after a charge: the healthy rest's "steep drop, then flat" (article §4.3).
   */
  r3Ohm: number;
  r3SocWidth: number;
  c3F: number;
  /**
   * Hysteresis rate (dimensionless): the OCV moves from one branch to the other with
   * e-folding charge `capacity / hysteresisRate` (Plett's one-state hysteresis model).
   */
  hysteresisRate: number;
  /** Reference temperature of all parameters (°C). */
  refTempC: number;
  /** Arrhenius temperature of the resistances (K): R(T) = R_ref·exp(k·(1/T − 1/T_ref)). */
  resistanceActivationK: number;
  /** Relative capacity change per kelvin (1/K). */
  capacityTempCoeffPerK: number;
  /** OCV change per kelvin (V/K): the entropic coefficient. */
  ocvTempCoeffVPerK: number;
  /** Lumped heat capacity of the cell (J/K). */
  heatCapacityJPerK: number;
  /** Thermal resistance cell → ambient (K/W). */
  thermalResistanceKPerW: number;
  /**
   * Hydrogen-evolution side current on charge at SOC 1 and `refTempC` (A); it falls with
   * e-folding SOC width `h2SocScale` below full charge, so it matters near the top of charge,
   * and it is an absolute current, so it costs a larger share of a smaller charge current.
   */
  h2CurrentAtFullA: number;
  h2SocScale: number;
  /** Arrhenius temperature of the side reactions (K). */
  sideReactionActivationK: number;
  /** Capacity lost per equivalent full cycle (fraction of fresh capacity). */
  fadePerCycleFrac: number;
  /** Self-discharge mode. */
  selfDischargeMode: SelfDischargeMode;
  /**
   * Charge-redistribution leak right after a charge (A), decaying with `redistributionTauS`:
   * Conway's "charge redistribution"; gives the healthy rest's steep early drop.
   */
  redistributionA: number;
  redistributionTauS: number;
  /**
   * Charge stored beyond SOC 1 (surface overcharge after a CV hold) relaxes with this time
   * constant (s): an extra leak (soc − 1)·capacity/τ, also charge redistribution.
   */
  overchargeRelaxTauS: number;
  /** Background leak at SOC 1 and `refTempC` (A), proportional to SOC: the flat tail. */
  baseLeakA: number;
  /**
   * Extra leak of a faulty cell at SOC 1 and `refTempC` (A), proportional to SOC: cathode
   * dissolution and Zn corrosion, the steady slope. Used only in mode "faulty".
   */
  faultyLeakA: number;
  /** Share of the leaked charge that is also lost capacity (Zn corroded for good): calendar loss. */
  calendarLossShare: number;
}

/** Fresh capacity of the default simulated pouch cell (Ah). */
export const DEFAULT_CAPACITY_AH = 1;

/** Per-chemistry resistances and hysteresis: V-oxide has the widest gap, PBA the smallest (article [A], "Energy efficiency"). */
const CHEMISTRY_ELECTRICAL: Record<ChemistryId, { r0Ohm: number; r1Ohm: number; r2Ohm: number }> = {
  ZnMnO2: { r0Ohm: 0.06, r1Ohm: 0.04, r2Ohm: 0.05 },
  ZnVOx: { r0Ohm: 0.09, r1Ohm: 0.06, r2Ohm: 0.08 },
  ZnI2: { r0Ohm: 0.05, r1Ohm: 0.03, r2Ohm: 0.04 },
  ZnPBA: { r0Ohm: 0.04, r1Ohm: 0.02, r2Ohm: 0.03 },
};

/** Fast RC time constant (s): charge-transfer scale, tens of seconds. */
const TAU1_S = 30;
/** Slow RC time constant (s): ~40 min, so a rest relaxes mostly within its first 2–3 h. */
const TAU2_S = 2400;
/**
 * End-of-range polarisation resistance at SOC 1 or 0 for a 1 Ah cell (Ω): 10 Ω puts a CV hold's
 * C/50 tail 0.2 V above the OCV at full charge; with the e-folding width below it is ~0.9 Ω
 * (0.17 V at C/5) at SOC 0.98, so a C/5 charge meets its cut-off a couple of per cent before full.
 */
const R3_OHM_AH = 10;
/** SOC width over which that polarisation rises (fraction). */
const R3_SOC_WIDTH = 0.008;
/** Its capacitance per Ah (F): τ3 ≤ 17 min, so it relaxes within a rest's first hour or two. */
const C3_F_PER_AH = 100;
/** Arrhenius temperature of electrolyte + charge-transfer resistance (K), ~25 kJ/mol / R. */
const RESISTANCE_ACTIVATION_K = 3000;
/** Arrhenius temperature of Zn corrosion / HER (K), ~50 kJ/mol / R. */
const SIDE_REACTION_ACTIVATION_K = 6000;
/** Pouch cell of ~25 g at ~1 J/(g·K) (aqueous electrolyte dominated). */
const HEAT_CAPACITY_J_PER_K = 25;
/** Still-air thermal resistance of a small pouch (K/W). */
const THERMAL_RESISTANCE_K_PER_W = 15;

/**
 * Default parameters for a chemistry, for a fresh healthy cell of `capacityAh`. Currents
 * scale with capacity (they are given here per Ah).
 */
export function defaultCellParams(chemistry: ChemistryId, capacityAh: number): CellParams {
  if (!(capacityAh > 0) || !isFinite(capacityAh)) {
    throw new Error(`cell capacityAh must be a finite number > 0, got ${String(capacityAh)}; e.g. 1`);
  }
  const e = CHEMISTRY_ELECTRICAL[chemistry];
  if (!e) {
    throw new Error(`unknown chemistry ${JSON.stringify(chemistry)}; accepted: ZnMnO2, ZnVOx, ZnI2, ZnPBA`);
  }
  const perAh = capacityAh;
  return {
    chemistry,
    capacityAh,
    // Resistances scale inversely with capacity (a bigger pouch has more electrode area).
    r0Ohm: e.r0Ohm / perAh,
    r1Ohm: e.r1Ohm / perAh,
    tau1S: TAU1_S,
    r2Ohm: e.r2Ohm / perAh,
    tau2S: TAU2_S,
    r3Ohm: R3_OHM_AH / perAh,
    r3SocWidth: R3_SOC_WIDTH,
    c3F: C3_F_PER_AH * perAh,
    hysteresisRate: 25,
    refTempC: 25,
    resistanceActivationK: RESISTANCE_ACTIVATION_K,
    capacityTempCoeffPerK: 0.003,
    ocvTempCoeffVPerK: -0.0002,
    heatCapacityJPerK: HEAT_CAPACITY_J_PER_K * perAh,
    thermalResistanceKPerW: THERMAL_RESISTANCE_K_PER_W / Math.sqrt(perAh),
    // ~0.3 % of a C/5 charge lost to H2 near the top: CE ≈ 0.995–0.998 at C/5 (pouch-cell range).
    h2CurrentAtFullA: 0.004 * perAh,
    h2SocScale: 0.08,
    sideReactionActivationK: SIDE_REACTION_ACTIVATION_K,
    fadePerCycleFrac: 0.0003,
    selfDischargeMode: "healthy",
    redistributionA: 0.002 * perAh,
    redistributionTauS: 3600,
    overchargeRelaxTauS: 1800,
    baseLeakA: 0.0002 * perAh,
    // ~1 %/h: ~20 % lost over a 24 h shelf, the "capacity drops sharply after a resting period"
    // of aqueous-electrolyte Zn||HVO cells (article §4.3, Fig. 11a; Pu et al. report worse).
    faultyLeakA: 0.01 * perAh,
    calendarLossShare: 0.3,
  };
}

/** A cell with every loss switched off: no side reactions, no fade, no leaks (for tests). */
export function losslessCellParams(chemistry: ChemistryId, capacityAh: number): CellParams {
  const p = defaultCellParams(chemistry, capacityAh);
  p.h2CurrentAtFullA = 0;
  p.fadePerCycleFrac = 0;
  p.redistributionA = 0;
  p.overchargeRelaxTauS = Infinity;
  p.baseLeakA = 0;
  p.faultyLeakA = 0;
  p.calendarLossShare = 0;
  return p;
}
