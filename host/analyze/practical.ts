/**
 * The article's practical-cell protocol, checked against a run: which conditions hold, which
 * do not, which were not declared. Source: the article [A] of docs/model.md (Li, Liang, Fang,
 * EES Batteries 2026, doi:10.1039/d5eb00159e; practical test conditions): rates C/4 to C/6; cathode loading > 20 mg cm⁻²;
 * Zn foil < 50 µm; N/P < 5; E/C < 10 g Ah⁻¹; Zn areal capacity > 5 mAh cm⁻² at DOD > 50 %.
 */
import type { PracticalConditions } from "../../shared/config/packConfig";
import type { CycleRecord } from "../../shared/model/events";
import { S_PER_H } from "../../shared/units";

/** Rate window of the article: C/6 … C/4 (1/h). */
export const RATE_MIN_C = 1 / 6;
export const RATE_MAX_C = 1 / 4;
export const LOADING_MIN_MG_PER_CM2 = 20;
export const ZN_FOIL_MAX_UM = 50;
export const NP_MAX = 5;
export const EC_MAX_G_PER_AH = 10;
export const ZN_AREAL_MIN_MAH_PER_CM2 = 5;
export const DOD_MIN_FRAC = 0.5;

export interface ProtocolCheck {
  id: string;
  condition: string;
  /** What the run has (text), or "not declared". */
  value: string;
  /** true holds, false fails, null unknown (not declared / no data). */
  holds: boolean | null;
}

/** Median of `xs` (NaN when empty). */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** C-rate (1/h) of one half: mean current over its duration, per nominal capacity. */
export function halfRateC(ah: number, durationS: number, capacityAh: number): number {
  if (!(durationS > 0) || !(capacityAh > 0)) return NaN;
  return ah / (durationS / S_PER_H) / capacityAh;
}

function rateText(c: number): string {
  return c > 0 && Number.isFinite(c) ? `C/${(1 / c).toFixed(2)} (${c.toFixed(3)} C)` : "no data";
}

export function checkProtocol(cycles: CycleRecord[], capacityAh: number, practical?: PracticalConditions): ProtocolCheck[] {
  const clean = cycles.filter((c) => c.flags === 0);
  const use = clean.length > 0 ? clean : cycles;
  const chg = median(use.map((c) => halfRateC(c.chargeAh, c.chargeDurationS, capacityAh)).filter(Number.isFinite));
  const dis = median(use.map((c) => halfRateC(c.dischargeAh, c.dischargeDurationS, capacityAh)).filter(Number.isFinite));
  const inWindow = (c: number): boolean | null => (Number.isFinite(c) ? c >= RATE_MIN_C && c <= RATE_MAX_C : null);
  const out: ProtocolCheck[] = [
    { id: "chargeRate", condition: "charge rate within C/6 … C/4 (median cycle)", value: rateText(chg), holds: inWindow(chg) },
    { id: "dischargeRate", condition: "discharge rate within C/6 … C/4 (median cycle)", value: rateText(dis), holds: inWindow(dis) },
  ];
  const p = practical ?? {};
  const declared = (
    id: string,
    condition: string,
    v: number | undefined,
    unit: string,
    test: (x: number) => boolean,
  ): void => {
    if (v === undefined || !Number.isFinite(v)) {
      out.push({ id, condition, value: "not declared", holds: null });
    } else {
      out.push({ id, condition, value: `${v} ${unit}`.trim(), holds: test(v) });
    }
  };
  declared("cathodeLoading", "cathode loading > 20 mg cm⁻²", p.cathodeLoadingMgPerCm2, "mg cm⁻²", (x) => x > LOADING_MIN_MG_PER_CM2);
  declared("znFoil", "Zn foil < 50 µm", p.znFoilThicknessUm, "µm", (x) => x < ZN_FOIL_MAX_UM);
  declared("npRatio", "N/P < 5", p.npRatio, "", (x) => x < NP_MAX);
  declared("ecRatio", "E/C < 10 g Ah⁻¹", p.ecRatioGPerAh, "g Ah⁻¹", (x) => x < EC_MAX_G_PER_AH);
  const areal = p.znArealCapacityMAhPerCm2;
  const dod = p.depthOfDischargeFrac;
  if (areal === undefined || dod === undefined) {
    out.push({
      id: "znArealAtDod",
      condition: "Zn areal capacity > 5 mAh cm⁻² at DOD > 50 %",
      value: areal === undefined && dod === undefined ? "not declared" : `areal ${areal ?? "?"} mAh cm⁻², DOD ${dod === undefined ? "?" : dod * 100 + " %"}`,
      holds: null,
    });
  } else {
    out.push({
      id: "znArealAtDod",
      condition: "Zn areal capacity > 5 mAh cm⁻² at DOD > 50 %",
      value: `${areal} mAh cm⁻² at DOD ${(dod * 100).toFixed(0)} %`,
      holds: areal > ZN_AREAL_MIN_MAH_PER_CM2 && dod > DOD_MIN_FRAC,
    });
  }
  return out;
}
