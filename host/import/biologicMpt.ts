/**
 * BioLogic EC-Lab text export (.mpt, "EC-Lab ASCII FILE", "Nb header lines : N", Latin-1,
 * tab-separated; also exported as CSV with ';' or ',' and without the header block): time/s, Ewe/V (or Ecell/V), I/mA or <I>/mA (signed, + = oxidation of the
 * working electrode = charge of a cell wired as EC-Lab's battery techniques assume),
 * cycle number, Ns (the technique's sequence = step), mode (1 CC, 2 CV, 3 rest), and the
 * counters Q charge/mA.h and Q discharge/mA.h (from the start of each cycle). Rows with a
 * non-zero freq/Hz are impedance (Modulo Bat with EIS). The header line is the N-th line.
 */
import { STEP_REST, STEP_UNKNOWN } from "./record";
import { tabularImporter, type TabularFormat } from "./tabular";

const MILLI = 1e-3;
/** EC-Lab writes up to ~100 header lines (the technique's parameter table). */
const MPT_HEADER_WITHIN = 400;
/** EC-Lab "mode" column: 3 = open circuit (rest). */
const MODE_REST = "3";

export function biologicStepKind(mode: string): number {
  return mode.trim() === MODE_REST ? STEP_REST : STEP_UNKNOWN;
}

export const BIOLOGIC_MPT_FORMAT: TabularFormat = {
  format: "biologic-mpt",
  description: "BioLogic EC-Lab text export (.mpt)",
  columns: {
    time: [{ header: "time/s", scale: 1 }],
    voltage: [{ header: "Ewe/V", scale: 1 }, { header: "Ecell/V", scale: 1 }, { header: "<Ewe>/V", scale: 1 }],
    current: [{ header: "I/mA", scale: MILLI }, { header: "<I>/mA", scale: MILLI }, { header: "I/A", scale: 1 }],
    temp: [{ header: "Temperature/°C", scale: 1 }],
    cycle: [{ header: "cycle number", scale: 1 }],
    step: [{ header: "Ns", scale: 1 }],
    stepTime: [{ header: "step time/s", scale: 1 }],
    stepType: [{ header: "mode", scale: 1 }],
    chargeAh: [{ header: "Q charge/mA.h", scale: MILLI }],
    dischargeAh: [{ header: "Q discharge/mA.h", scale: MILLI }],
    chargeWh: [{ header: "Energy charge/W.h", scale: 1 }, { header: "Energy we charge/W.h", scale: 1 }],
    dischargeWh: [{ header: "Energy discharge/W.h", scale: 1 }, { header: "Energy we discharge/W.h", scale: 1 }],
    impedanceMarker: [{ header: "freq/Hz", scale: 1 }],
  },
  required: ["time", "voltage", "current", "stepType"],
  currentSign: 1,
  stepKind: biologicStepKind,
  headerWithin: MPT_HEADER_WITHIN,
  skipTimeGoingBack: true,
};

export const biologicMptImporter = tabularImporter(BIOLOGIC_MPT_FORMAT);
