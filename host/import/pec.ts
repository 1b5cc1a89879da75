/**
 * PEC SBT test export (CSV): ~30 "key:,value" lines and a #RESULTS CHECK block, then the table
 * Test, Cell, …, Step, Cycle, Total Time (Seconds), …, Voltage (mV), Current (mA), Charge
 * Capacity (mAh), Discharge Capacity (mAh), Charge Capacity (mWh) [an energy, as labelled by
 * PEC], Discharge Capacity (mWh), …, Cell surface temperature (°C). Current + = charge.
 * Capacities count from the start of each cycle.
 */
import { tabularImporter, type TabularFormat } from "./tabular";

const MILLI = 1e-3;
/** Lines searched for the table header (cellpy's pec.csv: line 33). */
const PEC_HEADER_WITHIN = 120;

export const PEC_FORMAT: TabularFormat = {
  format: "pec",
  description: "PEC SBT CSV export",
  columns: {
    time: [{ header: "Total Time (Seconds)", scale: 1 }],
    voltage: [{ header: "Voltage (mV)", scale: MILLI }, { header: "Voltage (V)", scale: 1 }],
    current: [{ header: "Current (mA)", scale: MILLI }, { header: "Current (A)", scale: 1 }],
    temp: [{ header: "Cell surface temperature (°C)", scale: 1 }, { header: "Ambient temperature (°C)", scale: 1 }],
    cycle: [{ header: "Cycle", scale: 1 }],
    step: [{ header: "Step", scale: 1 }],
    stepTime: [{ header: "Step Time (Seconds)", scale: 1 }],
    chargeAh: [{ header: "Charge Capacity (mAh)", scale: MILLI }, { header: "Charge Capacity (Ah)", scale: 1 }],
    dischargeAh: [{ header: "Discharge Capacity (mAh)", scale: MILLI }, { header: "Discharge Capacity (Ah)", scale: 1 }],
    chargeWh: [{ header: "Charge Capacity (mWh)", scale: MILLI }, { header: "Charge Energy (mWh)", scale: MILLI }],
    dischargeWh: [{ header: "Discharge Capacity (mWh)", scale: MILLI }, { header: "Discharge Energy (mWh)", scale: MILLI }],
  },
  required: ["time", "voltage", "current", "cycle", "step"],
  currentSign: 1,
  headerWithin: PEC_HEADER_WITHIN,
  skipTimeGoingBack: true,
};

export const pecImporter = tabularImporter(PEC_FORMAT);
