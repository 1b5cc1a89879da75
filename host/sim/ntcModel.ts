/**
 * NTC thermistor as built: the part's R25 and B constant differ from their nominal values
 * within the data sheet's tolerance. Vishay NTCLE100E3103JB0 (data sheet 29049, "electrical
 * data"): "J" = R25 ±5 %, B25/85 = 3977 K ±0.75 %. Ideal coding in shared/sensors/ntc.ts.
 */
import { ntcBetaResistance, ntcSteinhartHartResistance, type NtcParams } from "../../shared/sensors/ntc";
import { normal, type Rng } from "./rng";

/** R25 tolerance ±5 % (J grade), drawn with σ = 5 %/3. */
export const NTC_R25_SD_FRAC = 0.05 / 3;
/** B tolerance ±0.75 %, drawn with σ = 0.75 %/3. */
export const NTC_BETA_SD_FRAC = 0.0075 / 3;
/** Fixed divider resistor tolerance ±1 % (common 1 % metal film), σ = 1 %/3. */
export const NTC_RFIXED_SD_FRAC = 0.01 / 3;

export interface NtcPart {
  /** Multipliers of the nominal R25, B and fixed resistor. */
  r25Factor: number;
  betaFactor: number;
  rFixedFactor: number;
}

export function createNtcPart(rng: Rng, ideal: boolean): NtcPart {
  if (ideal) return { r25Factor: 1, betaFactor: 1, rFixedFactor: 1 };
  return {
    r25Factor: normal(rng, 1, NTC_R25_SD_FRAC),
    betaFactor: normal(rng, 1, NTC_BETA_SD_FRAC),
    rFixedFactor: normal(rng, 1, NTC_RFIXED_SD_FRAC),
  };
}

/** Real resistance (Ω) of this part at tempC. */
export function ntcPartResistanceOhm(tempC: number, p: NtcParams, part: NtcPart): number {
  if (p.model === "beta") return ntcBetaResistance(tempC, p.r0Ohm * part.r25Factor, p.t0C, p.betaK * part.betaFactor);
  return ntcSteinhartHartResistance(tempC, p.shA, p.shB, p.shC) * part.r25Factor;
}

/** Voltage at the divider tap (V) for supplyV, this part at tempC. */
export function ntcTapV(tempC: number, p: NtcParams, part: NtcPart, supplyV: number): number {
  const r = ntcPartResistanceOhm(tempC, p, part);
  const rf = p.rFixedOhm * part.rFixedFactor;
  return p.ntcLowSide ? (supplyV * r) / (r + rf) : (supplyV * rf) / (r + rf);
}
