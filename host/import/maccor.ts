/**
 * Maccor text exports (tab-separated; a title line "Today's Date … Procedure: …" above the
 * header in the beep files, none in others). Header styles seen and accepted:
 *   Rec#, Cyc#, Step, Test (Sec), Step (Sec), Amp-hr, Watt-hr, Amps, Volts, State, ES, …  (.0xx)
 *   Rec, Cycle P, Cycle C, Step, Test Time, Step Time, Capacity, Energy, Current, Voltage, MD, ES …
 * State/MD: C charge, D discharge, R rest (others: unknown). Amp-hr and Watt-hr count within
 * each step, unsigned; the direction is the state's. Amps is signed in the beep files but only
 * a magnitude in some exports, so the current's sign is taken from the state.
 */
import { STEP_CHARGE, STEP_DISCHARGE, STEP_REST, STEP_UNKNOWN } from "./record";
import { tabularImporter, type TabularFormat } from "./tabular";

/** Lines searched for the header (a title line, sometimes a blank or a units line). */
const MACCOR_HEADER_WITHIN = 5;

export function maccorStepKind(label: string): number {
  const l = label.trim().toUpperCase();
  if (l === "C") return STEP_CHARGE;
  if (l === "D") return STEP_DISCHARGE;
  if (l === "R") return STEP_REST;
  return STEP_UNKNOWN;
}

export const MACCOR_FORMAT: TabularFormat = {
  format: "maccor",
  description: "Maccor text export",
  columns: {
    time: [
      { header: "Test (Sec)", scale: 1 },
      { header: "Test Time (sec)", scale: 1 },
      { header: "TestTime(s)", scale: 1 },
      { header: "Test Time", scale: 1 },
    ],
    voltage: [{ header: "Volts", scale: 1 }, { header: "Voltage", scale: 1 }, { header: "Voltage [V]", scale: 1 }],
    current: [{ header: "Amps", scale: 1 }, { header: "Current", scale: 1 }, { header: "Current [A]", scale: 1 }],
    temp: [{ header: "Temp 1", scale: 1 }, { header: "Temperature", scale: 1 }],
    cycle: [{ header: "Cyc#", scale: 1 }, { header: "Cycle C", scale: 1 }, { header: "Cycle", scale: 1 }],
    step: [{ header: "Step", scale: 1 }],
    stepType: [{ header: "State", scale: 1 }, { header: "MD", scale: 1 }],
    stepTime: [{ header: "Step (Sec)", scale: 1 }, { header: "Step Time (sec)", scale: 1 }],
    capacityAh: [{ header: "Amp-hr", scale: 1 }, { header: "Capacity", scale: 1 }, { header: "Capacity [Ah]", scale: 1 }, { header: "Cap. [Ah]", scale: 1 }],
    energyWh: [{ header: "Watt-hr", scale: 1 }, { header: "Energy", scale: 1 }, { header: "Energy [Wh]", scale: 1 }, { header: "Ener. [Wh]", scale: 1 }],
  },
  required: ["time", "voltage", "current", "stepType", "step"],
  markers: ["ES"],
  currentSign: 1,
  stepKind: maccorStepKind,
  headerWithin: MACCOR_HEADER_WITHIN,
  currentFromStepKind: true,
  skipTimeGoingBack: true,
};

export const maccorImporter = tabularImporter(MACCOR_FORMAT);
