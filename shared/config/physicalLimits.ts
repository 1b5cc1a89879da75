/**
 * Plausibility limits of the product, one copy for every place that checks a setting or a
 * reading: the config rules (validateConfig.ts, hence the board's CONFIG_LIMITS), the alarm
 * table's rows (shared/alarms/alarmTable checkAlarmTable, on the board and the host), and the
 * telemetry fields the monitor accepts (shared/telemetry/fieldBounds.ts). A value outside is
 * a typo or a fault, never a pack this product monitors.
 */

/** Most cells in series one board monitors (cell-tap channels on the supported boards). */
export const MAX_CELLS = 16;
/** Most NTC channels: one per cell. */
export const MAX_TEMPS = MAX_CELLS;
/** Smallest nominal capacity (Ah): 10 µAh, below the smallest lab half-cells analysed (Zn‖Cu coin cells of ~1 mAh and less). */
export const MIN_CAPACITY_AH = 0.00001;
/** Largest nominal capacity (Ah) the counters and telemetry resolutions are designed for. */
export const MAX_CAPACITY_AH = 1000;
/** Highest cell voltage any aqueous Zn chemistry reaches, with margin (V): water splits near 2 V + overpotential. */
export const MAX_CELL_V = 3;
/** Alarm voltage limits stay within the pack's own window (soc.emptyCellV … soc.fullCellV) ± this (V): engineering choice. */
export const ALARM_V_WINDOW_MARGIN_V = 0.5;
/** Longest time setting (ms): one week ("delays up to days"). */
export const MAX_TIME_MS = 7 * 24 * 3600 * 1000;
/** Largest current setting (A): 1 C of the largest pack. */
export const MAX_CURRENT_A = MAX_CAPACITY_AH;
/** Temperature range of the NTC channels (°C): the usual NTC thermistor data-sheet range, −40…+125 °C. */
export const MIN_TEMP_C = -40;
export const MAX_TEMP_C = 125;

/** The words of every range refusal (one copy in the bundle). */
export const OUT_OF_RANGE = " is out of range; accepted: ";
