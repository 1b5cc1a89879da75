/**
 * Chemistry presets: voltage windows and relaxed open-circuit-voltage curves of aqueous
 * Zn-metal cells, as data. Starting points from the source article's survey
 * (article [A] of docs/model.md, "Energy efficiency" section and its cited curves; shapes
 * listed in docs/model-soc-selfdischarge-alarms.md) — all configurable, refine with data.
 *
 * Each curve is tabulated on the common SOC grid `OCV_SOC_GRID` (fraction 0…1). Two branches:
 * the OCV reached after relaxing from charge (`ocvChargeV`, higher) and from discharge
 * (`ocvDischargeV`, lower); the gap between them is the cell's OCV hysteresis.
 */

export type ChemistryId = "ZnMnO2" | "ZnVOx" | "ZnI2" | "ZnPBA";

export interface ChemistryPreset {
  id: ChemistryId;
  label: string;
  /** Lowest cell voltage of normal use (V): discharge cut-off. */
  minCellV: number;
  /** Highest cell voltage of normal use (V): charge cut-off. */
  maxCellV: number;
  /** Relaxed OCV after charge (V), on OCV_SOC_GRID. */
  ocvChargeV: number[];
  /** Relaxed OCV after discharge (V), on OCV_SOC_GRID. */
  ocvDischargeV: number[];
}

/**
 * Physically possible cell voltage of any aqueous Zn cell (V). Water splitting caps the charge
 * voltage (the article's highest-voltage family, Zn‖PBA, charges to 2.0 V), and a cell driven
 * into reversal in a series string sits at a few hundred mV below zero at most. A reading
 * outside this window is not a cell voltage but a broken tap wire or a floating input: the
 * channel is invalid (NaN), never a number that pins SOC or raises a voltage alarm.
 */
export const CELL_V_PLAUSIBLE_MIN_V = -0.5;
export const CELL_V_PLAUSIBLE_MAX_V = 2.6;

/**
 * SOC grid (fraction) of every preset's OCV table. A typed array: on the ESP32 an array of floats
 * costs 2 JsVars per element, this one ≈ 11 in all (docs/performance.md).
 */
export const OCV_SOC_GRID: Float64Array = new Float64Array([0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1]);

/** Zn‖MnO2: two sloping plateaus, ~1.4 V and ~1.25 V on discharge; window 0.8–1.8 V (article). */
const ZN_MNO2: ChemistryPreset = {
  id: "ZnMnO2",
  label: "Zn||MnO2",
  minCellV: 0.8,
  maxCellV: 1.8,
  ocvDischargeV: [1.05, 1.17, 1.21, 1.245, 1.27, 1.3, 1.34, 1.375, 1.4, 1.42, 1.45, 1.49, 1.56],
  ocvChargeV: [1.12, 1.24, 1.28, 1.31, 1.33, 1.36, 1.39, 1.42, 1.44, 1.46, 1.49, 1.53, 1.6],
};

/** Zn‖V-oxide (V2O5, HVO, V3O7·H2O): sloping, mean ~0.8–0.9 V, wide gap; window 0.2–1.6 V. */
const ZN_VOX: ChemistryPreset = {
  id: "ZnVOx",
  label: "Zn||V-oxide",
  minCellV: 0.2,
  maxCellV: 1.6,
  ocvDischargeV: [0.45, 0.55, 0.62, 0.7, 0.76, 0.81, 0.86, 0.91, 0.97, 1.04, 1.12, 1.18, 1.28],
  ocvChargeV: [0.55, 0.65, 0.72, 0.8, 0.86, 0.91, 0.96, 1.01, 1.07, 1.13, 1.2, 1.26, 1.35],
};

/** Zn‖I2: flat plateau ~1.2–1.3 V (OCV says little about SOC); window 0.6–1.6 V. */
const ZN_I2: ChemistryPreset = {
  id: "ZnI2",
  label: "Zn||I2",
  minCellV: 0.6,
  maxCellV: 1.6,
  ocvDischargeV: [1.0, 1.17, 1.2, 1.215, 1.222, 1.228, 1.233, 1.238, 1.243, 1.249, 1.258, 1.27, 1.33],
  ocvChargeV: [1.05, 1.2, 1.225, 1.238, 1.245, 1.25, 1.255, 1.26, 1.265, 1.271, 1.28, 1.292, 1.36],
};

/** Zn‖Prussian-blue analogue (ZnHCF, FeMnHCF): high plateau ~1.7–1.9 V, small gap; 1.0–2.0 V. */
const ZN_PBA: ChemistryPreset = {
  id: "ZnPBA",
  label: "Zn||PBA",
  minCellV: 1.0,
  maxCellV: 2.0,
  ocvDischargeV: [1.3, 1.55, 1.63, 1.68, 1.7, 1.72, 1.735, 1.75, 1.765, 1.78, 1.8, 1.83, 1.9],
  ocvChargeV: [1.36, 1.6, 1.67, 1.71, 1.73, 1.75, 1.765, 1.78, 1.795, 1.81, 1.83, 1.86, 1.93],
};

/** All presets by id. */
export const CHEMISTRY_PRESETS: Record<ChemistryId, ChemistryPreset> = {
  ZnMnO2: ZN_MNO2,
  ZnVOx: ZN_VOX,
  ZnI2: ZN_I2,
  ZnPBA: ZN_PBA,
};

export const CHEMISTRY_IDS: ChemistryId[] = ["ZnMnO2", "ZnVOx", "ZnI2", "ZnPBA"];
