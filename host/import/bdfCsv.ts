/** Battery Data Format CSV (zbms's own export and any BDF file): SI units, + = charge. */
import {
  BDF_AMBIENT_TEMP_C,
  BDF_CHARGING_CAPACITY_AH,
  BDF_CHARGING_ENERGY_WH,
  BDF_CURRENT_A,
  BDF_CYCLE_COUNT,
  BDF_DISCHARGING_CAPACITY_AH,
  BDF_DISCHARGING_ENERGY_WH,
  BDF_STEP_COUNT,
  BDF_STEP_INDEX,
  BDF_SURFACE_TEMP_T1_C,
  BDF_TEST_TIME_S,
  BDF_VOLTAGE_V,
} from "../bdf/columns";
import { tabularImporter, type TabularFormat } from "./tabular";
import { S_PER_DAY, S_PER_H, S_PER_MIN, S_PER_MS } from "../../shared/units";

const SI = 1;
const MILLI = 1e-3;

export const BDF_FORMAT: TabularFormat = {
  format: "bdf",
  description: "Battery Data Format CSV",
  columns: {
    time: [
      { header: BDF_TEST_TIME_S, scale: SI },
      { header: "test_time_second", scale: SI },
      { header: "test_time_s", scale: SI },
      { header: "Test Time / ms", scale: S_PER_MS },
      { header: "test_time_millisecond", scale: S_PER_MS },
      { header: "test_time_ms", scale: S_PER_MS },
      { header: "Test Time / min", scale: S_PER_MIN },
      { header: "test_time_minute", scale: S_PER_MIN },
      { header: "Test Time / h", scale: S_PER_H },
      { header: "test_time_hour", scale: S_PER_H },
      { header: "Test Time / d", scale: S_PER_DAY },
      { header: "Test Time / day", scale: S_PER_DAY },
      { header: "test_time_day", scale: S_PER_DAY },
    ],
    voltage: [
      { header: BDF_VOLTAGE_V, scale: SI },
      { header: "voltage_volt", scale: SI },
      { header: "voltage_v", scale: SI },
      { header: "Voltage / mV", scale: MILLI },
      { header: "voltage_millivolt", scale: MILLI },
    ],
    current: [
      { header: BDF_CURRENT_A, scale: SI },
      { header: "current_ampere", scale: SI },
      { header: "current_a", scale: SI },
      { header: "Current / mA", scale: MILLI },
      { header: "current_milliampere", scale: MILLI },
    ],
    temp: [
      { header: BDF_AMBIENT_TEMP_C, scale: SI },
      { header: BDF_SURFACE_TEMP_T1_C, scale: SI },
      { header: "ambient_temperature_celsius", scale: SI },
    ],
    cycle: [{ header: BDF_CYCLE_COUNT, scale: SI }, { header: "cycle_count", scale: SI }],
    step: [
      { header: BDF_STEP_COUNT, scale: SI },
      { header: BDF_STEP_INDEX, scale: SI },
      { header: "step_count", scale: SI },
    ],
    chargeAh: [{ header: BDF_CHARGING_CAPACITY_AH, scale: SI }],
    dischargeAh: [{ header: BDF_DISCHARGING_CAPACITY_AH, scale: SI }],
    chargeWh: [{ header: BDF_CHARGING_ENERGY_WH, scale: SI }],
    dischargeWh: [{ header: BDF_DISCHARGING_ENERGY_WH, scale: SI }],
  },
  required: ["time", "voltage", "current"],
  currentSign: 1,
};

export const bdfImporter = tabularImporter(BDF_FORMAT);
