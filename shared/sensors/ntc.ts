/**
 * NTC thermistor in a voltage divider → resistance → °C, by the Beta equation or by
 * Steinhart–Hart; and the inverses (for simulators).
 *
 * Circuit: the NTC and a fixed resistor `rFixedOhm` divide a reference voltage; the reading
 * is the ratio = V(tap) / V(reference) (ratiometric, so the reference's value cancels).
 * `ntcLowSide` = true when the NTC sits between the tap and ground.
 *
 * API:
 * - `NtcParams` — one channel's description (model "beta" or "steinhartHart", valid range).
 * - `ntcResistanceFromRatio(ratio, rFixedOhm, ntcLowSide)` → Ω; NaN unless 0 < ratio < 1
 *   (a ratio at 0 or 1 is an open or shorted sensor).
 * - `ntcBetaTempC(rOhm, r0Ohm, t0C, betaK)`: 1/T = 1/T0 + ln(R/R0)/B.
 * - `ntcSteinhartHartTempC(rOhm, a, b, c)`: 1/T = A + B·ln R + C·(ln R)³.
 * - `steinhartHartFromPoints(r1, t1C, r2, t2C, r3, t3C)` → {a, b, c} through three points.
 * - `ntcTempCFromRatio(ratio, p)` — the whole chain; NaN when open, shorted, or outside
 *   [p.minTempC, p.maxTempC] (the thermistor's rated range — never clamped).
 * - inverses: `ntcBetaResistance`, `ntcSteinhartHartResistance`, `ntcRatioFromResistance`.
 */

/** 0 °C in kelvin (SI definition). */
export const KELVIN_OFFSET_K = 273.15;

export interface NtcParams {
  /** "beta": uses r0Ohm, t0C, betaK. "steinhartHart": uses shA, shB, shC. */
  model: "beta" | "steinhartHart";
  /** Nominal resistance (Ω) at t0C, e.g. 10 000. */
  r0Ohm: number;
  /** Reference temperature of r0Ohm (°C), usually 25. */
  t0C: number;
  /** B constant (K), e.g. 3950 (data sheets give B25/85 or B25/50). */
  betaK: number;
  /** Steinhart–Hart coefficients (1/K, 1/K, 1/K) for R in Ω. */
  shA: number;
  shB: number;
  shC: number;
  /** Fixed divider resistor (Ω). */
  rFixedOhm: number;
  /** True when the NTC is the lower leg (tap to ground). */
  ntcLowSide: boolean;
  /** Rated temperature range of the thermistor (°C); readings outside are invalid. */
  minTempC: number;
  maxTempC: number;
}

/** NTC resistance (Ω) from the divider ratio; NaN unless 0 < ratio < 1 and rFixedOhm > 0. */
export function ntcResistanceFromRatio(ratio: number, rFixedOhm: number, ntcLowSide: boolean): number {
  if (!(ratio > 0 && ratio < 1) || !(rFixedOhm > 0)) return NaN;
  return ntcLowSide ? (rFixedOhm * ratio) / (1 - ratio) : (rFixedOhm * (1 - ratio)) / ratio;
}

/** Divider ratio for an NTC resistance (inverse of `ntcResistanceFromRatio`). */
export function ntcRatioFromResistance(rOhm: number, rFixedOhm: number, ntcLowSide: boolean): number {
  return ntcLowSide ? rOhm / (rOhm + rFixedOhm) : rFixedOhm / (rOhm + rFixedOhm);
}

/**
 * Beta equation (B-parameter form of Steinhart–Hart, as in NTC data sheets, e.g. Vishay
 * NTCLE100E3 "B25/85"): 1/T = 1/T0 + ln(R/R0)/B, T in kelvin. NaN for R ≤ 0 or bad parameters.
 */
export function ntcBetaTempC(rOhm: number, r0Ohm: number, t0C: number, betaK: number): number {
  if (!(rOhm > 0) || !(r0Ohm > 0) || !(betaK > 0) || !isFinite(rOhm)) return NaN;
  const invT = 1 / (t0C + KELVIN_OFFSET_K) + Math.log(rOhm / r0Ohm) / betaK;
  if (!(invT > 0)) return NaN;
  return 1 / invT - KELVIN_OFFSET_K;
}

/** Resistance (Ω) at `tempC` by the Beta equation: R = R0·exp(B·(1/T − 1/T0)). */
export function ntcBetaResistance(tempC: number, r0Ohm: number, t0C: number, betaK: number): number {
  return r0Ohm * Math.exp(betaK * (1 / (tempC + KELVIN_OFFSET_K) - 1 / (t0C + KELVIN_OFFSET_K)));
}

/**
 * Steinhart–Hart equation (J. S. Steinhart, S. R. Hart, Deep-Sea Research 15 (1968) 497–503):
 * 1/T = A + B·ln R + C·(ln R)³, T in kelvin, R in Ω. NaN for R ≤ 0.
 */
export function ntcSteinhartHartTempC(rOhm: number, a: number, b: number, c: number): number {
  if (!(rOhm > 0) || !isFinite(rOhm)) return NaN;
  const l = Math.log(rOhm);
  const invT = a + b * l + c * l * l * l;
  if (!(invT > 0)) return NaN;
  return 1 / invT - KELVIN_OFFSET_K;
}

/** Real cube root (Math.cbrt is missing on Espruino). */
function cubeRoot(x: number): number {
  return x < 0 ? -Math.exp(Math.log(-x) / 3) : x === 0 ? 0 : Math.exp(Math.log(x) / 3);
}

/** Resistance (Ω) at `tempC` by inverting Steinhart–Hart (Cardano's formula; C > 0 required). */
export function ntcSteinhartHartResistance(tempC: number, a: number, b: number, c: number): number {
  const invT = 1 / (tempC + KELVIN_OFFSET_K);
  if (c === 0) return Math.exp((invT - a) / b);
  const x = (a - invT) / c;
  const y = Math.sqrt((b / (3 * c)) * (b / (3 * c)) * (b / (3 * c)) + (x * x) / 4);
  return Math.exp(cubeRoot(y - x / 2) - cubeRoot(y + x / 2));
}

/** Steinhart–Hart coefficients through three (R, °C) points (exact solution of the 3×3 system). */
export function steinhartHartFromPoints(
  r1: number,
  t1C: number,
  r2: number,
  t2C: number,
  r3: number,
  t3C: number,
): { a: number; b: number; c: number } {
  const l1 = Math.log(r1);
  const l2 = Math.log(r2);
  const l3 = Math.log(r3);
  const y1 = 1 / (t1C + KELVIN_OFFSET_K);
  const y2 = 1 / (t2C + KELVIN_OFFSET_K);
  const y3 = 1 / (t3C + KELVIN_OFFSET_K);
  const g2 = (y2 - y1) / (l2 - l1);
  const g3 = (y3 - y1) / (l3 - l1);
  const c = (g3 - g2) / (l3 - l2) / (l1 + l2 + l3);
  const b = g2 - c * (l1 * l1 + l1 * l2 + l2 * l2);
  const a = y1 - (b + l1 * l1 * c) * l1;
  return { a: a, b: b, c: c };
}

/** Temperature (°C) of one NTC channel from its divider ratio; NaN when open, shorted or out of rated range. */
export function ntcTempCFromRatio(ratio: number, p: NtcParams): number {
  const r = ntcResistanceFromRatio(ratio, p.rFixedOhm, p.ntcLowSide);
  const t =
    p.model === "beta" ? ntcBetaTempC(r, p.r0Ohm, p.t0C, p.betaK) : ntcSteinhartHartTempC(r, p.shA, p.shB, p.shC);
  if (!(t >= p.minTempC && t <= p.maxTempC)) return NaN;
  return t;
}
