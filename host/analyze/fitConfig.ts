/**
 * The analysis config: a PackConfig fitted to the input, so that the shared model's
 * segmentation, gap detection and uncertainty suit the data at hand.
 *
 * - Capacity: `--capacity-ah` if given, else the largest one-direction charge in the data
 *   (profile.maxHalfAh).
 * - Cycle order: `--first-half` if given, else the direction of the first substantial half.
 * - Current thresholds from the data: cycler exports hold exact zeros at rest and the
 *   smallest test current is `profile.lowActiveCurrentA`; active = half of it, rest = a quarter.
 * - Rest is taken from the cycler's own rest label (sample.openCircuit) and, where there is none,
 *   judged from the data as the model does (issue 20): a quiet stretch of OFFSET_REST_MS with
 *   |I| below the rest threshold, its mean within the cycler's declared offset and no drift
 *   beyond QUIET_NOISE_LSB of its resolution. Segments switch at once (dwell 0): a cycler's
 *   steps are clean, and its records can be minutes apart.
 * - Gaps: a step longer than GAP_FACTOR × the longest step seen during current flow.
 * - Sensor chain: a lab cycler's accuracy (CYCLER_* below) instead of the board's chips.
 * - Voltage alarms: the data's own window with a margin, so a non-zinc cell does not sit in
 *   permanent over/under-voltage alarm (alarms do not change counting; they are reported);
 *   rows the product's plausibility bounds refuse (a non-zinc cell's voltages) are left out.
 */
import type { ChemistryId } from "../../shared/chemistry/presets";
import { OFFSET_REST_MS, QUIET_NOISE_LSB, defaultPackConfig } from "../../shared/config/defaults";
import type { PackConfig, PracticalConditions } from "../../shared/config/packConfig";
import { validateConfig } from "../../shared/config/validateConfig";
import { checkAlarmTable } from "../../shared/alarms/alarmTable";
import type { InputProfile } from "./profile";

/** Active threshold as a share of the smallest real test current (engineering choice). */
export const ACTIVE_OF_LOW_CURRENT = 0.5;
/** Rest threshold as a share of the active threshold (hysteresis band below it). */
export const REST_OF_ACTIVE = 0.5;
/** A Δt this many times the longest step seen during current flow is a gap. */
export const GAP_FACTOR = 3;
/** Floor of the gap threshold (ms): never smaller than 10 min, a common cycler record period cap. */
export const MIN_GAP_MS = 600000;
/**
 * Lab-cycler accuracy: ±0.05 % of full scale for current and voltage, the class of Neware
 * BTS4000 / Landt CT3002 data sheets ("current/voltage accuracy ±0.05 % FS"); the largest
 * current in the file stands in for the range's full scale. One channel for both signs: no
 * charge/discharge gain mismatch. Resolution: 1e-5 of full scale (16-bit-class converters).
 */
export const CYCLER_ACCURACY_FRAC_FS = 5e-4;
export const CYCLER_RESOLUTION_FRAC_FS = 1e-5;
/** Cycler clock error (fraction): a quartz time base, ±20 ppm. */
export const CYCLER_TIME_BASE_ERR_FRAC = 20e-6;
/** Margin added to the data's voltage window for the voltage alarms (fraction of the window). */
export const VOLTAGE_ALARM_MARGIN_FRAC = 0.1;
/** validateConfig's accepted sample-period range (ms), shared/config/validateConfig.ts. */
export const MIN_SAMPLE_PERIOD_MS = 50;
export const MAX_SAMPLE_PERIOD_MS = 60000;
/** Chemistry id used for non-zinc data: its OCV curve is not used for capacity or CE. */
export const PLACEHOLDER_CHEMISTRY: ChemistryId = "ZnMnO2";

export interface FitOptions {
  capacityAh?: number;
  firstHalf?: "charge" | "discharge";
  chemistry?: ChemistryId;
  practical?: PracticalConditions;
  /** Use the model's default thresholds and sensor chain (zbms's own logs). */
  keepBoardDefaults?: boolean;
}

export class AnalysisConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AnalysisConfigError";
  }
}

/** The fitted config, checked by the shared validator (the model's constructor expects that). */
export function fitValidConfig(p: InputProfile, o: FitOptions = {}): PackConfig {
  return validated(fitConfig(p, o), "the config fitted to this input");
}

/**
 * A user's pack config (already validated) adapted to the input: capacity, cycle order and
 * practical conditions overridden only where the options give them.
 */
export function userConfig(base: PackConfig, p: InputProfile, o: FitOptions = {}): PackConfig {
  if (p.cellCount > 1 && p.cellCount !== base.cellCount) {
    throw new AnalysisConfigError(
      `the pack config has cellCount ${base.cellCount} but the input has ${p.cellCount} cell voltages; give the config of the pack that made this log`,
    );
  }
  const cfg = JSON.parse(JSON.stringify(base)) as PackConfig;
  if (o.capacityAh !== undefined) cfg.capacityAh = o.capacityAh;
  if (o.firstHalf !== undefined) cfg.segmentation.firstHalf = o.firstHalf;
  if (o.practical !== undefined) cfg.practical = o.practical;
  return validated(cfg, "the pack config with the command-line overrides");
}

function validated(cfg: PackConfig, what: string): PackConfig {
  try {
    return validateConfig(cfg);
  } catch (e) {
    throw new AnalysisConfigError(`${what} is not valid: ${(e as Error).message}`);
  }
}

/**
 * Which half opens a cycle: the cycler's pairing when the input has a cycle index (its index is
 * the truth about which charge goes with which discharge), else the first substantial half.
 */
export function firstHalfOf(p: InputProfile): "charge" | "discharge" {
  const sign = p.cyclerFirstHalfSign !== 0 ? p.cyclerFirstHalfSign : p.firstHalfSign;
  return sign < 0 ? "discharge" : "charge";
}

export function fitConfig(p: InputProfile, o: FitOptions = {}): PackConfig {
  const capacityAh = o.capacityAh ?? p.maxHalfAh;
  if (!(capacityAh > 0) || !Number.isFinite(capacityAh)) {
    throw new AnalysisConfigError(
      `cannot size the cell: capacity ${capacityAh} Ah (the input moved no charge). ` +
        `Give --capacity-ah with a positive number, e.g. --capacity-ah 0.5.`,
    );
  }
  const chemistry = o.chemistry ?? PLACEHOLDER_CHEMISTRY;
  const cfg = defaultPackConfig(chemistry, p.cellCount, capacityAh);
  cfg.name = "analysis of imported data";
  cfg.tempCount = p.tempCount;
  cfg.segmentation.firstHalf = o.firstHalf ?? firstHalfOf(p);
  if (o.practical) cfg.practical = o.practical;
  if (o.keepBoardDefaults) return cfg;

  const low = Number.isFinite(p.lowActiveCurrentA) ? p.lowActiveCurrentA : cfg.segmentation.activeCurrentA;
  cfg.segmentation.activeCurrentA = ACTIVE_OF_LOW_CURRENT * low;
  cfg.segmentation.restCurrentA = REST_OF_ACTIVE * cfg.segmentation.activeCurrentA;
  cfg.segmentation.dwellMs = 0;
  cfg.counting.offsetRestMs = OFFSET_REST_MS;
  cfg.counting.offsetRestMaxA = cfg.segmentation.restCurrentA;
  const medianMs = Number.isFinite(p.medianDtS) ? p.medianDtS * 1000 : cfg.samplePeriodMs;
  // The firmware's sample period: the replay does not integrate by it; kept inside the range
  // validateConfig accepts for a board.
  cfg.samplePeriodMs = Math.min(MAX_SAMPLE_PERIOD_MS, Math.max(MIN_SAMPLE_PERIOD_MS, Math.round(medianMs)));
  cfg.counting.maxGapMs = Math.max(MIN_GAP_MS, GAP_FACTOR * p.maxActiveDtS * 1000);

  const fsA = p.maxAbsCurrentA > 0 ? p.maxAbsCurrentA : capacityAh;
  const fsV = Number.isFinite(p.maxV) && p.maxV > 0 ? p.maxV : 1;
  cfg.sensorChain = {
    currentOffsetA: CYCLER_ACCURACY_FRAC_FS * fsA,
    currentGainErrFrac: CYCLER_ACCURACY_FRAC_FS,
    currentGainMismatchFrac: 0,
    currentLsbA: CYCLER_RESOLUTION_FRAC_FS * fsA,
    voltageOffsetV: CYCLER_ACCURACY_FRAC_FS * fsV,
    voltageGainErrFrac: CYCLER_ACCURACY_FRAC_FS,
    voltageLsbV: CYCLER_RESOLUTION_FRAC_FS * fsV,
    timeBaseErrFrac: CYCLER_TIME_BASE_ERR_FRAC,
  };
  cfg.counting.offsetRestMaxDriftA = QUIET_NOISE_LSB * cfg.sensorChain.currentLsbA;

  if (Number.isFinite(p.minV) && Number.isFinite(p.maxV) && p.maxV > p.minV) {
    const margin = VOLTAGE_ALARM_MARGIN_FRAC * (p.maxV - p.minV);
    for (const row of cfg.alarms) {
      const hyst = Math.abs(row.limit - row.reset);
      if (row.id === "cellOverVoltage") {
        row.limit = p.maxV + margin * (row.level === "alarm" ? 2 : 1);
        row.reset = row.limit - hyst;
      } else if (row.id === "cellUnderVoltage") {
        row.limit = Math.max(0, p.minV - margin * (row.level === "alarm" ? 2 : 1));
        row.reset = row.limit + hyst;
      } else if (row.id === "chargeOverCurrent" || row.id === "dischargeOverCurrent") {
        const f = row.level === "alarm" ? 2 : 1.5;
        const ratio = row.limit > 0 ? row.reset / row.limit : 0.9;
        row.limit = f * fsA;
        row.reset = ratio * row.limit;
      }
    }
    // Rows outside the product's plausibility bounds (shared/alarms/alarmTable checkAlarmTable: a
    // non-zinc cell's voltages beyond the pack window ± 0.5 V, currents beyond 1000 A) are left
    // out: a board would refuse them, and the analysis reports no alarm a board could not raise.
    const window = [cfg.soc.emptyCellV, cfg.soc.fullCellV];
    cfg.alarms = cfg.alarms.filter((row) => checkAlarmTable([row], window).length === 0);
  }
  return cfg;
}
