/**
 * Zn reservoir coulombic efficiency (Adams' method, extended to aqueous Zn by Ma et al.; the
 * source article, §2.1, recommends it): plate a reservoir Q_T on the substrate, then cycle a
 * capacity Q_C n times (plate Q_C, strip Q_C), then strip everything that is left (Q_S):
 *   CE_avg = (n·Q_C + Q_S) / (n·Q_C + Q_T)
 * (B. D. Adams et al., Adv. Energy Mater. 2018, 8, 1702097). This module takes the labelled
 * steps of such a protocol; with per-cycle plated and stripped capacities that differ it uses
 * their sums, CE = (Σ stripped + Q_S) / (Σ plated + Q_T): total charge out over total charge in,
 * which is Adams' formula when each cycle strips what it plated.
 * Each step carries its own absolute error bound (Ah, e.g. the counter's errAh difference over
 * the step), and `adamsRest` the rest ledger net of each step's span (charge counted at open
 * circuit, left out of the capacities); the CE bound is the same worst-case bound as a cycle's,
 * rests included (ceBound.ts ceBoundWithRest).
 */
import type { SensorChainConfig } from "../config/packConfig";
import { ceBoundWithRest } from "./ceBound";

/** Steps of the protocol, in order. */
export const ADAMS_STEP_NONE = 0;
export const ADAMS_STEP_RESERVOIR = 1;
export const ADAMS_STEP_CYCLING = 2;
export const ADAMS_STEP_DONE = 3;

export interface AdamsState {
  /** ADAMS_STEP_* reached. */
  step: number;
  /** Reservoir plated (Ah). */
  reservoirAh: number;
  /** Σ plated and Σ stripped in the n cycles (Ah), and n. */
  platedAh: number;
  strippedAh: number;
  cycles: number;
  /** Final strip (Ah). */
  finalStripAh: number;
  /** Σ of the steps' absolute error bounds, plating side and stripping side (Ah). */
  inErrAh: number;
  outErrAh: number;
  /** Σ |rest ledger net| of the steps' spans (Ah): left out of the capacities, in the bound. */
  restAh: number;
}

export function createAdamsState(): AdamsState {
  return { step: ADAMS_STEP_NONE, reservoirAh: 0, platedAh: 0, strippedAh: 0, cycles: 0, finalStripAh: 0, inErrAh: 0, outErrAh: 0, restAh: 0 };
}

/** CE_avg = (n·Q_C + Q_S)/(n·Q_C + Q_T) (fraction), all capacities in Ah. */
export function adamsCe(n: number, cycleAh: number, finalStripAh: number, reservoirAh: number): number {
  return (n * cycleAh + finalStripAh) / (n * cycleAh + reservoirAh);
}

function checkAh(what: string, ah: number): void {
  if (typeof ah !== "number" || !isFinite(ah) || ah < 0) {
    throw new Error("Adams " + what + " must be a finite capacity ≥ 0 Ah, got " + ah);
  }
}

function checkStep(st: AdamsState, allowed: number, allowed2: number, what: string): void {
  if (st.step !== allowed && st.step !== allowed2) {
    throw new Error(
      "Adams protocol: '" + what + "' cannot follow step " + st.step +
        " (order: reservoir, cycle × n, final strip)",
    );
  }
}

/** Step 1: the reservoir Q_T was plated (Ah), with its error bound (Ah). */
export function adamsReservoir(st: AdamsState, reservoirAh: number, errAh: number): void {
  checkStep(st, ADAMS_STEP_NONE, ADAMS_STEP_NONE, "reservoir");
  checkAh("reservoir", reservoirAh);
  checkAh("reservoir error", errAh);
  st.reservoirAh = reservoirAh;
  st.inErrAh += errAh;
  st.step = ADAMS_STEP_RESERVOIR;
}

/** Step 2 (n times): one cycle plated and stripped these capacities (Ah), each with its bound. */
export function adamsCycle(st: AdamsState, platedAh: number, strippedAh: number, platedErrAh: number, strippedErrAh: number): void {
  checkStep(st, ADAMS_STEP_RESERVOIR, ADAMS_STEP_CYCLING, "cycle");
  checkAh("cycle plated", platedAh);
  checkAh("cycle stripped", strippedAh);
  checkAh("cycle plated error", platedErrAh);
  checkAh("cycle stripped error", strippedErrAh);
  st.platedAh += platedAh;
  st.strippedAh += strippedAh;
  st.inErrAh += platedErrAh;
  st.outErrAh += strippedErrAh;
  st.cycles++;
  st.step = ADAMS_STEP_CYCLING;
}

/** Step 3: everything left was stripped, Q_S (Ah), with its bound. */
export function adamsFinalStrip(st: AdamsState, finalStripAh: number, errAh: number): void {
  checkStep(st, ADAMS_STEP_RESERVOIR, ADAMS_STEP_CYCLING, "final strip");
  checkAh("final strip", finalStripAh);
  checkAh("final strip error", errAh);
  st.finalStripAh = finalStripAh;
  st.outErrAh += errAh;
  st.step = ADAMS_STEP_DONE;
}

/**
 * The rest ledger net (Ah, signed) counted at open circuit during one step's span (a rest's
 * residual current, left out of the step's capacity as zero current); any step, any order.
 */
export function adamsRest(st: AdamsState, restAh: number): void {
  if (typeof restAh !== "number" || !isFinite(restAh)) throw new Error("Adams rest ledger net must be a finite charge in Ah, got " + restAh);
  st.restAh += restAh < 0 ? -restAh : restAh;
}

/** Result of a finished protocol: CE and its half-width (fractions); NaN before the final strip. */
export function adamsResult(st: AdamsState, chain: SensorChainConfig): { ce: number; ceBound: number } {
  if (st.step !== ADAMS_STEP_DONE) return { ce: NaN, ceBound: NaN };
  const outAh = st.strippedAh + st.finalStripAh;
  const inAh = st.platedAh + st.reservoirAh;
  return {
    ce: outAh / inAh,
    ceBound: ceBoundWithRest(outAh, inAh, st.outErrAh, st.inErrAh, st.restAh, chain),
  };
}
