/**
 * BatteryData-style raw CSV (battery-data-toolkit / data-portal layout: Cycle_Index, Step,
 * Time_s, Current_A, Voltage_V, Cell_Temperature_C, per-step Charge/Discharge capacity and
 * energy, impedance columns). Current + = charge. Rows with a Frequency_Hz value are
 * impedance measurements: their voltage is not a terminal voltage under DC load. A step's
 * first record carries a set-up current, not the step's current (see stepStartCurrentFromNext).
 */
import { tabularImporter, type TabularFormat } from "./tabular";

export const BATTERYDATA_RAW_FORMAT: TabularFormat = {
  format: "batterydata-raw",
  description: "BatteryData-style raw CSV",
  columns: {
    time: [{ header: "Time_s", scale: 1 }, { header: "test_time", scale: 1 }],
    voltage: [{ header: "Voltage_V", scale: 1 }, { header: "voltage", scale: 1 }],
    current: [{ header: "Current_A", scale: 1 }, { header: "current", scale: 1 }],
    temp: [{ header: "Cell_Temperature_C", scale: 1 }, { header: "temperature", scale: 1 }],
    cycle: [{ header: "Cycle_Index", scale: 1 }, { header: "cycle_number", scale: 1 }],
    step: [{ header: "Step", scale: 1 }, { header: "step_index", scale: 1 }],
    chargeAh: [{ header: "Charge_Capacity_Ah", scale: 1 }],
    dischargeAh: [{ header: "Discharge_Capacity_Ah", scale: 1 }],
    chargeWh: [{ header: "Charge_Energy_Wh", scale: 1 }],
    dischargeWh: [{ header: "Discharge_Energy_Wh", scale: 1 }],
    impedanceMarker: [{ header: "Frequency_Hz", scale: 1 }],
  },
  required: ["time", "voltage", "current"],
  markers: ["Cycle_Index"],
  currentSign: 1,
  // Every step's first record shows a ±0.15 mA set-up current 12 ms into the step, while the
  // cycler's own counter (Charge_Capacity_Ah) shows the full step current from the start
  // (p492-13 raw, t = 293108.466 s: 0.15 mA, then 20 s later 19 mA with 0.104 mAh counted).
  stepStartCurrentFromNext: true,
};

export const batteryDataRawImporter = tabularImporter(BATTERYDATA_RAW_FORMAT);
