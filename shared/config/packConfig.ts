/**
 * Pack configuration: what the model needs to know about a pack and its sensor chain.
 * One documented structure; every physical field carries its unit in its name.
 * Validation lives in `validateConfig.ts`; defaults and presets in `defaults.ts`.
 */
import type { ChemistryId } from "../chemistry/presets";

/** Alarm identifiers. `Record<AlarmId, …>` tables make the compiler see a missing one. */
export type AlarmId =
  | "cellOverVoltage"
  | "cellUnderVoltage"
  | "chargeOverCurrent"
  | "dischargeOverCurrent"
  | "overTemp"
  | "underTemp"
  | "cellImbalance"
  | "sensorFault"
  | "selfDischarge"
  | "ceDrop";

/** Alarm levels, in order of severity. */
export type AlarmLevel = "warning" | "alarm";

/**
 * One row of the levelled alarm table. For "over"-type alarms (over-voltage, over-current,
 * over-temperature, imbalance, self-discharge slope) the alarm raises when the watched value
 * stays above `limit` for `delayMs` and clears when it stays below `reset` for `delayMs`
 * (so `reset < limit`). For "under"-type alarms (under-voltage, under-temperature, CE drop,
 * retention) it is mirrored: raises below `limit`, clears above `reset` (`reset > limit`).
 * Units are those of the watched value (V, A, °C, V, mV/h, fraction); see docs/model.md.
 */
export interface AlarmRow {
  id: AlarmId;
  level: AlarmLevel;
  limit: number;
  reset: number;
  delayMs: number;
}

/** Declared sensor chain: the error budget the CE uncertainty bound is derived from. */
export interface SensorChainConfig {
  /** Worst-case residual current offset after auto-zero (A), e.g. INA226 Vos / Rshunt. */
  currentOffsetA: number;
  /** Worst-case current gain error (fraction), shunt tolerance + ADC gain error. */
  currentGainErrFrac: number;
  /** Gain mismatch between charge and discharge directions (fraction); 0 for one ADC. */
  currentGainMismatchFrac: number;
  /** Current resolution, 1 LSB (A). */
  currentLsbA: number;
  /** Worst-case cell-voltage offset (V). */
  voltageOffsetV: number;
  /** Worst-case cell-voltage gain error (fraction). */
  voltageGainErrFrac: number;
  /** Cell-voltage resolution, 1 LSB (V). */
  voltageLsbV: number;
  /** Time-base error of the board clock (fraction), e.g. ESP32 crystal ±50 ppm = 5e-5. */
  timeBaseErrFrac: number;
}

export interface SegmentationConfig {
  /** Which half opens a cycle: full cells charge first; Zn‖Cu and half-cells discharge first. */
  firstHalf: "charge" | "discharge";
  /** |current| above this (A) counts as charge/discharge; below `restCurrentA` as rest. */
  activeCurrentA: number;
  /** |current| below this (A) counts as rest (hysteresis band between the two). */
  restCurrentA: number;
  /** A new state must hold this long (ms) before the segment switches. */
  dwellMs: number;
  /** A half-cycle shorter than this share of nominal capacity is flagged partial. */
  minHalfCapacityFrac: number;
}

export interface CountingConfig {
  /** A Δt above this (ms) is a gap: not integrated blindly, bounded, counted, reported. */
  maxGapMs: number;
}

export interface SocConfig {
  /** Cell is relaxed when |dV/dt| stays below this (V/s) … */
  relaxedDvDtVPerS: number;
  /** … for at least this long (ms). */
  relaxedMinMs: number;
  /** Voltage error assumed for an OCV reading (V): sets how far OCV may move SOC. */
  ocvSigmaV: number;
  /** SOC uncertainty growth per Ah counted (fraction of capacity per Ah·h⁻¹), for weighting. */
  countingSigmaFracPerAh: number;
}

export interface SelfDischargeConfig {
  /** Early part of a rest treated as relaxation (ms), not as self-discharge. */
  relaxationMs: number;
  /** Minimum rest (ms) before a steady slope is estimated. */
  minRestMs: number;
}

/** Optional practical-cell conditions the article asks a run to report (may be absent). */
export interface PracticalConditions {
  cathodeLoadingMgPerCm2?: number;
  znFoilThicknessUm?: number;
  npRatio?: number;
  ecRatioGPerAh?: number;
  znArealCapacityMAhPerCm2?: number;
  depthOfDischargeFrac?: number;
}

export interface PackConfig {
  /** Human name of the pack, e.g. "ZnMnO2 4S pouch". */
  name: string;
  chemistry: ChemistryId;
  /** Cells in series. */
  cellCount: number;
  /** Number of temperature channels (NTCs). */
  tempCount: number;
  /** Nominal capacity of one cell (Ah) = of the series pack. */
  capacityAh: number;
  /** Firmware sample period (ms). */
  samplePeriodMs: number;
  /** Firmware state save interval (s). */
  saveIntervalS: number;
  segmentation: SegmentationConfig;
  counting: CountingConfig;
  soc: SocConfig;
  selfDischarge: SelfDischargeConfig;
  sensorChain: SensorChainConfig;
  alarms: AlarmRow[];
  practical?: PracticalConditions;
}
