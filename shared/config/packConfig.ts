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
  | "lowRetention"
  | "ceDrop";

/** Alarm levels, in order of severity. */
export type AlarmLevel = "warning" | "alarm";

/**
 * One row of the levelled alarm table. For "over"-type alarms (over-voltage, over-current,
 * over-temperature, imbalance, self-discharge slope) the alarm raises when the watched value
 * stays above `limit` for `delayMs` and clears when it stays below `reset` for `delayMs`
 * (so `reset < limit`). For "under"-type alarms (under-voltage, under-temperature, CE drop,
 * retention) it is mirrored: raises below `limit`, clears above `reset` (`reset > limit`).
 * Units are those of the watched value (V, A, °C, V, fraction of capacity per hour, fraction);
 * see docs/model-soc-selfdischarge-alarms.md.
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
  /** Worst-case cell-voltage offset (V): the worst cell's (build floor, alarms, cut-off anchors). */
  voltageOffsetV: number;
  /** Optional worst-case offset of each cell (V), cellCount entries, each ≤ voltageOffsetV: on
   *  tap-wired boards cell k is tap k − tap k−1, so its offset grows with k. The SOC estimator
   *  weights cell i's OCV reading with entry i when present, else with voltageOffsetV. */
  cellVoltageOffsetV?: number[];
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
  /**
   * A Δt above this (ms) is a gap: nothing is integrated across it; its unaccounted charge is
   * bounded by Δt × the larger |current| at its two ends, counted and reported (`gap` event).
   * A Δt ≤ 0 (clock went back, duplicate sample) is also a gap, integrated as nothing.
   */
  maxGapMs: number;
  /**
   * A rest qualifies as open circuit for offset estimation once |raw current| has stayed below
   * `offsetRestMaxA` for this long (ms); 0 = only `sample.openCircuit` marks open circuit.
   * Assumes no standing load through the shunt at rest (the cell's own self-discharge never
   * passes the shunt).
   */
  offsetRestMs: number;
  /** |raw current| (A) below which a rest counts as quiet for `offsetRestMs`. */
  offsetRestMaxA: number;
  /** A quiet stretch qualifies only if its raw current's fitted line changes over `offsetRestMs`
   *  by at most this (A) beyond 3 standard errors: a sensor offset is steady, a CV hold's tail
   *  below `offsetRestMaxA` decays. */
  offsetRestMaxDriftA: number;
  /** Open-circuit samples averaged before their mean replaces the current-offset estimate. */
  offsetMinSamples: number;
}

/** SOC estimation (shared/soc/socEstimator.ts; docs/model-soc-selfdischarge-alarms.md). */
export interface SocConfig {
  /** A cell is relaxed when |dV/dt| of its window-mean voltage stays below this (V/s) … */
  relaxedDvDtVPerS: number;
  /** … for at least this long (ms). */
  relaxedMinMs: number;
  /** Averaging window (ms) over which dV/dt is measured during a rest (beats ADC noise). */
  relaxedWindowMs: number;
  /** Standard deviation of a relaxed OCV reading against the OCV curve (V): hysteresis residual,
   *  incomplete relaxation, temperature. Added in quadrature to σ of sensorChain.voltageOffsetV (bound / √3). */
  ocvSigmaV: number;
  /** An OCV reading whose SOC-equivalent standard deviation σ_V / |dOCV/dSOC| exceeds this
   *  (fraction) does not correct an anchored SOC: the curve is too flat there (Zn‖I2 plateau). */
  maxOcvSigmaFrac: number;
  /** Standard deviation of counted charge (fraction of the charge counted) beyond the sensor
   *  chain: charge going to side reactions (CE < 1). σ_SOC grows by this × |ΔQ| / capacity. */
  countingSigmaFrac: number;
  /** Standard deviation (fraction) of the first SOC guess, made from an unrelaxed voltage. */
  initialSigmaFrac: number;
  /** Standard deviation (fraction) of SOC right after a cut-off anchor (full or empty). */
  anchorSigmaFrac: number;
  /** During charge, a cell at or above this voltage (V) is anchored at SOC = 1. */
  fullCellV: number;
  /** During discharge, a cell at or below this voltage (V) is anchored at SOC = 0. */
  emptyCellV: number;
  /** Relaxed OCV after charge (V) on OCV_SOC_GRID, strictly rising (default: chemistry preset). */
  ocvChargeV: number[];
  /** Relaxed OCV after discharge (V) on OCV_SOC_GRID, strictly rising (default: chemistry preset). */
  ocvDischargeV: number[];
  /** Weight (fraction, 0…1) of a full cycle's discharge capacity in the capacity (SOH) update. */
  capacityUpdateGain: number;
  /** A charge half that ends at or below this current (C-rate: A per Ah of capacity) with the
   *  highest cell at fullCellV ended a CV hold: each cell's last voltage is then read as OCV on
   *  the charge branch (per-cell full anchor). */
  fullTaperCurrentC: number;
}

/** Self-discharge analysis of rests (shared/selfDischarge/restAnalyzer.ts). */
export interface SelfDischargeConfig {
  /** Early part of a rest treated as relaxation (ms), not as self-discharge. */
  relaxationMs: number;
  /** Steady time after the relaxation (ms) before a steady slope is reported. A rest after a
   *  charge that reaches relaxationMs + minSteadyMs counts as a shelving (retention) test. */
  minSteadyMs: number;
  /** Forgetting time constant (ms) of the least-squares slope fit: the fit weighs samples by
   *  exp(−age / slopeWindowMs), so the tail of the relaxation fades out of the slope. */
  slopeWindowMs: number;
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
