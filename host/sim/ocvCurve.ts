/**
 * The simulator's own view of a preset's OCV tables: branch mean, half gap (hysteresis), and
 * the exact integral of the mean (stored chemical energy per Ah). Written independently of the
 * model's `shared/chemistry/ocv.ts` so that a bug there cannot hide in the truth.
 *
 * Beyond the table (SOC < 0 or > 1) the curve continues with a steeper slope; the cut-offs
 * themselves are reached mostly through the end-of-range polarisation (cell.ts, pair 3).
 */
import { CHEMISTRY_PRESETS, OCV_SOC_GRID, type ChemistryId } from "../../shared/chemistry/presets";

/** Slope of the OCV beyond the table's ends (V per unit SOC): 50 mV per 1 % SOC. */
export const OCV_END_SLOPE_V_PER_SOC = 5;

export interface OcvCurve {
  chemistry: ChemistryId;
  socGrid: Float64Array;
  /** (charge branch + discharge branch) / 2 (V). */
  meanV: Float64Array;
  /** (charge branch − discharge branch) / 2 (V): the hysteresis half gap. */
  halfGapV: Float64Array;
  /** ∫₀^soc meanV dsoc at each knot (V·SOC): stored energy per Ah of capacity, in Wh/Ah. */
  energyWhPerAh: Float64Array;
}

const curveCache: Partial<Record<ChemistryId, OcvCurve>> = {};

/** The curve of a chemistry preset (built once, then shared). */
export function ocvCurveFor(chemistry: ChemistryId): OcvCurve {
  const cached = curveCache[chemistry];
  if (cached) return cached;
  const preset = CHEMISTRY_PRESETS[chemistry];
  if (!preset) {
    throw new Error(`unknown chemistry ${JSON.stringify(chemistry)}; accepted: ZnMnO2, ZnVOx, ZnI2, ZnPBA`);
  }
  const n = OCV_SOC_GRID.length;
  const socGrid = new Float64Array(OCV_SOC_GRID);
  const meanV = new Float64Array(n);
  const halfGapV = new Float64Array(n);
  const energy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    meanV[i] = (preset.ocvChargeV[i] + preset.ocvDischargeV[i]) / 2;
    halfGapV[i] = (preset.ocvChargeV[i] - preset.ocvDischargeV[i]) / 2;
    if (i > 0) energy[i] = energy[i - 1] + ((meanV[i] + meanV[i - 1]) / 2) * (socGrid[i] - socGrid[i - 1]);
  }
  const curve: OcvCurve = { chemistry, socGrid, meanV, halfGapV, energyWhPerAh: energy };
  curveCache[chemistry] = curve;
  return curve;
}

/** Index i of the table segment [i, i+1] holding soc (clamped to the table). */
function segmentOf(c: OcvCurve, soc: number): number {
  const g = c.socGrid;
  const last = g.length - 2;
  let i = 0;
  while (i < last && soc > g[i + 1]) i++;
  return i;
}

/** Branch-mean OCV (V) at soc, with the steep continuation beyond the table. */
export function ocvMeanV(c: OcvCurve, soc: number): number {
  const g = c.socGrid;
  const n = g.length;
  if (soc <= 0) return c.meanV[0] + OCV_END_SLOPE_V_PER_SOC * soc;
  if (soc >= 1) return c.meanV[n - 1] + OCV_END_SLOPE_V_PER_SOC * (soc - 1);
  const i = segmentOf(c, soc);
  const f = (soc - g[i]) / (g[i + 1] - g[i]);
  return c.meanV[i] + f * (c.meanV[i + 1] - c.meanV[i]);
}

/** Hysteresis half gap (V) at soc, held at its end values beyond the table. */
export function ocvHalfGapV(c: OcvCurve, soc: number): number {
  const g = c.socGrid;
  const n = g.length;
  if (soc <= 0) return c.halfGapV[0];
  if (soc >= 1) return c.halfGapV[n - 1];
  const i = segmentOf(c, soc);
  const f = (soc - g[i]) / (g[i + 1] - g[i]);
  return c.halfGapV[i] + f * (c.halfGapV[i + 1] - c.halfGapV[i]);
}

/** Exact ∫₀^soc ocvMeanV dsoc (Wh per Ah of capacity), continuation included. */
export function ocvEnergyWhPerAh(c: OcvCurve, soc: number): number {
  const g = c.socGrid;
  const n = g.length;
  if (soc <= 0) return c.meanV[0] * soc + (OCV_END_SLOPE_V_PER_SOC * soc * soc) / 2;
  if (soc >= 1) {
    const d = soc - 1;
    return c.energyWhPerAh[n - 1] + c.meanV[n - 1] * d + (OCV_END_SLOPE_V_PER_SOC * d * d) / 2;
  }
  const i = segmentOf(c, soc);
  const v = ocvMeanV(c, soc);
  return c.energyWhPerAh[i] + ((c.meanV[i] + v) / 2) * (soc - g[i]);
}

/** OCV slope dV/dSOC of the branch mean (V per unit SOC) at soc. */
export function ocvSlopeVPerSoc(c: OcvCurve, soc: number): number {
  const g = c.socGrid;
  if (soc <= 0 || soc >= 1) return OCV_END_SLOPE_V_PER_SOC;
  const i = segmentOf(c, soc);
  return (c.meanV[i + 1] - c.meanV[i]) / (g[i + 1] - g[i]);
}

/** SOC (unclamped to the table) whose branch-mean OCV is v; inverse of ocvMeanV (monotone). */
export function socAtOcvMean(c: OcvCurve, v: number): number {
  const n = c.socGrid.length;
  if (v <= c.meanV[0]) return (v - c.meanV[0]) / OCV_END_SLOPE_V_PER_SOC;
  if (v >= c.meanV[n - 1]) return 1 + (v - c.meanV[n - 1]) / OCV_END_SLOPE_V_PER_SOC;
  let i = 0;
  while (i < n - 2 && v > c.meanV[i + 1]) i++;
  const f = (v - c.meanV[i]) / (c.meanV[i + 1] - c.meanV[i]);
  return c.socGrid[i] + f * (c.socGrid[i + 1] - c.socGrid[i]);
}
