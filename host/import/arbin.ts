/**
 * Arbin MITS CSV export (one row per record): Test_Time (s), Current (A), Voltage (V),
 * Cycle_Index, Step_Index, Charge/Discharge_Capacity (Ah) and _Energy (Wh), the cycler's
 * running counters. MITS Pro Excel-to-CSV exports write the units into the names
 * ("Test_Time(s)", "Current(A)"). Current + = charge (beep test files: charge capacity rises
 * while Current > 0). The `_Metadata.csv` companion (test id, schedule, start time) holds no
 * records: given alone it is refused, naming the data file to read instead (detect.ts).
 */
import { tabularImporter, type TabularFormat } from "./tabular";

const ARBIN_TEMP_ALIASES = [
  { header: "Temperature", scale: 1 },
  { header: "Aux_Temperature_1(C)", scale: 1 },
  { header: "Temperature (C)_1", scale: 1 },
];

export const ARBIN_FORMAT: TabularFormat = {
  format: "arbin",
  description: "Arbin MITS CSV export",
  columns: {
    time: [{ header: "Test_Time", scale: 1 }, { header: "Test_Time(s)", scale: 1 }, { header: "Test Time (s)", scale: 1 }],
    voltage: [{ header: "Voltage", scale: 1 }, { header: "Voltage(V)", scale: 1 }, { header: "Voltage (V)", scale: 1 }],
    current: [{ header: "Current", scale: 1 }, { header: "Current(A)", scale: 1 }, { header: "Current (A)", scale: 1 }],
    temp: ARBIN_TEMP_ALIASES,
    cycle: [{ header: "Cycle_Index", scale: 1 }, { header: "Cycle Index", scale: 1 }],
    step: [{ header: "Step_Index", scale: 1 }, { header: "Step Index", scale: 1 }],
    stepTime: [{ header: "Step_Time", scale: 1 }, { header: "Step_Time(s)", scale: 1 }, { header: "Step Time (s)", scale: 1 }],
    chargeAh: [{ header: "Charge_Capacity", scale: 1 }, { header: "Charge_Capacity(Ah)", scale: 1 }, { header: "Charge Capacity (Ah)", scale: 1 }],
    dischargeAh: [{ header: "Discharge_Capacity", scale: 1 }, { header: "Discharge_Capacity(Ah)", scale: 1 }, { header: "Discharge Capacity (Ah)", scale: 1 }],
    chargeWh: [{ header: "Charge_Energy", scale: 1 }, { header: "Charge_Energy(Wh)", scale: 1 }, { header: "Charge Energy (Wh)", scale: 1 }],
    dischargeWh: [{ header: "Discharge_Energy", scale: 1 }, { header: "Discharge_Energy(Wh)", scale: 1 }, { header: "Discharge Energy (Wh)", scale: 1 }],
  },
  required: ["time", "voltage", "current", "step"],
  markers: [],
  currentSign: 1,
  skipTimeGoingBack: true,
};

export const arbinImporter = tabularImporter(ARBIN_FORMAT);

/** Header cells of an Arbin `_Metadata.csv` companion (either case), for the refusal message. */
export function isArbinMetadata(header: string[]): boolean {
  const lower = header.map((h) => h.trim().toLowerCase());
  return lower.indexOf("test_id") >= 0 && lower.indexOf("schedule_file_name") >= 0 && lower.indexOf("first_start_datetime") >= 0;
}
