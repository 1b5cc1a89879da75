/**
 * Neware BTS record-level export (one row per record): Cumulative Time as h:mm:ss (hours may
 * exceed 24), Current(A|mA), Voltage(V), per-step Chg./DChg. capacity and energy counters,
 * Step Type "Rest" / "CC Chg" / "CC DChg" / "CCCV Chg" … Current + = charge.
 */
import { STEP_CHARGE, STEP_DISCHARGE, STEP_OTHER, STEP_REST, STEP_UNKNOWN } from "./record";
import { tabularImporter, type TabularFormat } from "./tabular";

const MILLI = 1e-3;
/** mA·s → Ah and mW·s → Wh (BTS 8 exports count capacity in mAs). */
const MILLI_SECOND_TO_HOUR = 1e-3 / 3600;

export function newareStepKind(label: string): number {
  const l = label.trim().toLowerCase();
  if (l === "") return STEP_UNKNOWN;
  if (l.indexOf("rest") >= 0) return STEP_REST;
  if (l.indexOf("dchg") >= 0 || l.indexOf("dc") === 0 || l.indexOf("discharge") >= 0) return STEP_DISCHARGE;
  if (l.indexOf("chg") >= 0 || l.indexOf("charge") >= 0) return STEP_CHARGE;
  return STEP_OTHER;
}

export const NEWARE_RECORD_FORMAT: TabularFormat = {
  format: "neware-record",
  description: "Neware record-level export",
  columns: {
    time: [
      { header: "Cumulative Time", scale: 1, parser: "hms" },
      { header: "Total Time", scale: 1, parser: "hms" },
    ],
    voltage: [{ header: "Voltage(V)", scale: 1 }, { header: "Voltage(mV)", scale: MILLI }],
    current: [{ header: "Current(A)", scale: 1 }, { header: "Current(mA)", scale: MILLI }, { header: "Current(uA)", scale: 1e-6 }, { header: "Current(nA)", scale: 1e-9 }],
    temp: [{ header: "T1(°C)", scale: 1 }, { header: "T1(℃)", scale: 1 }, { header: "Temperature(°C)", scale: 1 }],
    cycle: [{ header: "Cycle Index", scale: 1 }],
    step: [{ header: "Step Index", scale: 1 }],
    stepType: [{ header: "Step Type", scale: 1 }],
    chargeAh: [{ header: "Chg. Cap.(Ah)", scale: 1 }, { header: "Chg. Cap.(mAh)", scale: MILLI }, { header: "Chg. Cap.(mAs)", scale: MILLI_SECOND_TO_HOUR }],
    dischargeAh: [{ header: "DChg. Cap.(Ah)", scale: 1 }, { header: "DChg. Cap.(mAh)", scale: MILLI }, { header: "DChg. Cap.(mAs)", scale: MILLI_SECOND_TO_HOUR }],
    chargeWh: [{ header: "Chg. Energy(Wh)", scale: 1 }, { header: "Chg. Energy(mWh)", scale: MILLI }, { header: "Chg. Energy(mWs)", scale: MILLI_SECOND_TO_HOUR }],
    dischargeWh: [{ header: "DChg. Energy(Wh)", scale: 1 }, { header: "DChg. Energy(mWh)", scale: MILLI }, { header: "DChg. Energy(mWs)", scale: MILLI_SECOND_TO_HOUR }],
  },
  // With or without the leading DataPoint column (BTS 7 / BTS 8 record exports).
  required: ["time", "voltage", "current", "stepType", "cycle"],
  currentSign: 1,
  stepKind: newareStepKind,
};

export const newareRecordImporter = tabularImporter(NEWARE_RECORD_FORMAT);
