/**
 * Battery Data Format (BDF) column names, as the Battery Data Alliance's BDF specification
 * spells them (human-readable "Quantity / unit" labels). Source: battery-data-alliance
 * battery-data-format, column table (https://w3id.org/battery-data-alliance/ontology/battery-data-format).
 * Sign convention of BDF and of zbms alike: positive current charges the cell.
 */
export const BDF_TEST_TIME_S = "Test Time / s";
export const BDF_VOLTAGE_V = "Voltage / V";
export const BDF_CURRENT_A = "Current / A";
export const BDF_UNIX_TIME_S = "Unix Time / s";
export const BDF_CYCLE_COUNT = "Cycle Count / 1";
export const BDF_STEP_COUNT = "Step Count / 1";
export const BDF_STEP_INDEX = "Step Index / 1";
export const BDF_AMBIENT_TEMP_C = "Ambient Temperature / degC";
export const BDF_SURFACE_TEMP_T1_C = "Surface Temperature T1 / degC";
export const BDF_CHARGING_CAPACITY_AH = "Charging Capacity / Ah";
export const BDF_DISCHARGING_CAPACITY_AH = "Discharging Capacity / Ah";
export const BDF_CHARGING_ENERGY_WH = "Charging Energy / Wh";
export const BDF_DISCHARGING_ENERGY_WH = "Discharging Energy / Wh";
export const BDF_POWER_W = "Power / W";

/** Columns a BDF file must have. */
export const BDF_REQUIRED = [BDF_TEST_TIME_S, BDF_VOLTAGE_V, BDF_CURRENT_A] as const;

/**
 * Columns zbms writes, in this order. Capacity and energy columns are running totals from the
 * test's start, never reset (the BDF ontology's definition); cycle and step counts are the
 * cycler's when the input has them.
 */
export const BDF_ZBMS_COLUMNS = [
  BDF_TEST_TIME_S,
  BDF_VOLTAGE_V,
  BDF_CURRENT_A,
  BDF_CYCLE_COUNT,
  BDF_STEP_COUNT,
  BDF_AMBIENT_TEMP_C,
  BDF_CHARGING_CAPACITY_AH,
  BDF_DISCHARGING_CAPACITY_AH,
  BDF_CHARGING_ENERGY_WH,
  BDF_DISCHARGING_ENERGY_WH,
] as const;

/**
 * Machine-readable aliases of the same quantities (the BDF spec also names each column in
 * snake_case); a reader accepts either spelling.
 */
export const BDF_MACHINE_ALIASES: Record<string, string> = {
  test_time_second: BDF_TEST_TIME_S,
  voltage_volt: BDF_VOLTAGE_V,
  current_ampere: BDF_CURRENT_A,
  unix_time_second: BDF_UNIX_TIME_S,
  cycle_count: BDF_CYCLE_COUNT,
  step_count: BDF_STEP_COUNT,
  step_index: BDF_STEP_INDEX,
  ambient_temperature_celsius: BDF_AMBIENT_TEMP_C,
  charging_capacity_ah: BDF_CHARGING_CAPACITY_AH,
  discharging_capacity_ah: BDF_DISCHARGING_CAPACITY_AH,
  charging_energy_wh: BDF_CHARGING_ENERGY_WH,
  discharging_energy_wh: BDF_DISCHARGING_ENERGY_WH,
};

/** Canonical BDF name of a header cell (trimmed; machine aliases mapped), or the cell itself. */
export function canonicalBdfName(header: string): string {
  const h = header.trim();
  const alias = BDF_MACHINE_ALIASES[h.toLowerCase()];
  return alias === undefined ? h : alias;
}
