/**
 * Landt (LANHE) "Record Tab" sheet saved as CSV: TestTime/Sec, Current/mA, Voltage/V,
 * Capacity/mAh and Energy/mWh counted within each step, Step-State R / RateC / RateD / CCCV…
 * Current in mA with + = charge.
 */
import { STEP_CHARGE, STEP_DISCHARGE, STEP_OTHER, STEP_REST, STEP_UNKNOWN } from "./record";
import { tabularImporter, type TabularFormat } from "./tabular";

const MILLI = 1e-3;

/** Landt step-state labels: "R" rest; "…C" charge (RateC, CCCV_C, CV_C); "…D" discharge. */
export function landtStepKind(label: string): number {
  const l = label.trim().toUpperCase();
  if (l === "") return STEP_UNKNOWN;
  if (l === "R" || l === "REST") return STEP_REST;
  if (l.endsWith("D") || l.indexOf("DCHG") >= 0 || l.indexOf("DISCHARGE") >= 0) return STEP_DISCHARGE;
  if (l.endsWith("C") || l.indexOf("CHG") >= 0 || l.indexOf("CHARGE") >= 0) return STEP_CHARGE;
  return STEP_OTHER;
}

export const LANDT_RECORD_FORMAT: TabularFormat = {
  format: "landt-record",
  description: "Landt Record-Tab CSV",
  columns: {
    time: [{ header: "TestTime/Sec", scale: 1 }, { header: "TestTime/S", scale: 1 }],
    voltage: [{ header: "Voltage/V", scale: 1 }, { header: "Voltage/mV", scale: MILLI }],
    current: [{ header: "Current/mA", scale: MILLI }, { header: "Current/A", scale: 1 }, { header: "Current/uA", scale: 1e-6 }],
    temp: [{ header: "AuxTemp/dC.", scale: 1 }, { header: "AuxTemp/°C", scale: 1 }],
    cycle: [{ header: "Cycle-Index", scale: 1 }, { header: "Cycle", scale: 1 }],
    step: [{ header: "Step-Index", scale: 1 }],
    stepType: [{ header: "Step-State", scale: 1 }],
    capacityAh: [{ header: "Capacity/mAh", scale: MILLI }, { header: "Capacity/Ah", scale: 1 }],
    energyWh: [{ header: "Energy/mWh", scale: MILLI }, { header: "Energy/Wh", scale: 1 }],
  },
  required: ["time", "voltage", "current"],
  markers: ["Step-State"],
  currentSign: 1,
  stepKind: landtStepKind,
};

export const landtRecordImporter = tabularImporter(LANDT_RECORD_FORMAT);

/** Lines searched for the raw CSV's header (6 metadata lines in the BDF repository's file). */
const LANDT_RAW_HEADER_WITHIN = 30;

/**
 * Landt raw CSV (as in the Battery Data Alliance's example data): metadata lines ("cell
 * model:", "Nominal capacity …") above a header test_time_s, current_A, voltage_V,
 * cycle_index, step_index, discharge/charge_capacity_Ah and _energy_Wh (counted within each
 * step), temperature_1_C, step_name ("rest", "charge CC", "discharge CC"). Current + = charge.
 */
export const LANDT_RAW_FORMAT: TabularFormat = {
  format: "landt-raw",
  description: "Landt raw CSV",
  columns: {
    time: [{ header: "test_time_s", scale: 1 }],
    voltage: [{ header: "voltage_V", scale: 1 }],
    current: [{ header: "current_A", scale: 1 }, { header: "current_mA", scale: MILLI }],
    temp: [{ header: "temperature_1_C", scale: 1 }],
    cycle: [{ header: "cycle_index", scale: 1 }],
    step: [{ header: "step_index", scale: 1 }],
    stepTime: [{ header: "step_time_s", scale: 1 }],
    stepType: [{ header: "step_name", scale: 1 }],
    chargeAh: [{ header: "charge_capacity_Ah", scale: 1 }],
    dischargeAh: [{ header: "discharge_capacity_Ah", scale: 1 }],
    chargeWh: [{ header: "charge_energy_Wh", scale: 1 }],
    dischargeWh: [{ header: "discharge_energy_Wh", scale: 1 }],
  },
  required: ["time", "voltage", "current", "stepType"],
  currentSign: 1,
  stepKind: landtStepKind,
  headerWithin: LANDT_RAW_HEADER_WITHIN,
  skipTimeGoingBack: true,
};

export const landtRawImporter = tabularImporter(LANDT_RAW_FORMAT);
