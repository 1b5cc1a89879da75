/**
 * Neware BTSDA "regular export": one file, three nested kinds of row under three header lines.
 *
 *   Cycle ID,Cap_Chg(mAh),Cap_DChg(mAh),…,Engy_Chg(mWh),Engy_DChg(mWh),…     ← cycle header
 *   ,Step ID,Step Name,Step Time(h:min:s.ms),Capacity(mAh),…                   ← step header
 *   ,,Record ID,Time(h:min:s.ms),Voltage(V),Current(mA),Temperature(°C),…      ← record header
 *   1,4.10,4.05,…          ← a cycle row: the cycler's own per-cycle numbers
 *   ,1,CC_Chg,…            ← a step row
 *   ,,1,0:00:00.000,3.0,…  ← a record row; its time counts from the start of its step
 *
 * Records carry step-relative time; the test time is rebuilt by adding each step's start
 * (= the last record's test time when the step row appears). The current's sign is taken
 * from the step name (charge +, discharge −) because exports differ on how they print it.
 */
import { readCsv } from "./csvStream";
import {
  ImportError,
  newRecord,
  newStats,
  noteSkip,
  STEP_CHARGE,
  STEP_DISCHARGE,
  STEP_UNKNOWN,
  type CyclerCycle,
  type ImportedRecord,
  type Importer,
  type ImportStats,
  type ProgressFn,
} from "./record";
import { newareStepKind } from "./newareRecord";
import { parseHms } from "./tabular";

const MILLI = 1e-3;

interface UnitCol {
  idx: number;
  scale: number;
}

/** Find a column whose header starts with one of `prefixes` and read its unit in (…). */
function unitColumn(header: string[], prefixes: string[], units: Record<string, number>): UnitCol {
  for (let i = 0; i < header.length; i++) {
    const h = header[i].trim();
    for (const p of prefixes) {
      if (h.toLowerCase().startsWith(p.toLowerCase())) {
        const m = /\(([^)]*)\)\s*$/.exec(h);
        // µ as Windows exports write it (Latin-1 byte, or decoded as U+FFFD) reads as "u".
        const unit = m ? m[1].replace(/[µμ\ufffd]/g, "u") : "";
        const scale = units[unit];
        if (scale !== undefined) return { idx: i, scale };
      }
    }
  }
  return { idx: -1, scale: 1 };
}

const CAP_UNITS: Record<string, number> = { Ah: 1, mAh: MILLI, uAh: 1e-6 };
const ENERGY_UNITS: Record<string, number> = { Wh: 1, mWh: MILLI, uWh: 1e-6 };
const CURRENT_UNITS: Record<string, number> = { A: 1, mA: MILLI, uA: 1e-6 };
const VOLT_UNITS: Record<string, number> = { V: 1, mV: MILLI };
const TEMP_UNITS: Record<string, number> = { "°C": 1, "℃": 1, C: 1 };

const EXPECTED = [
  'line 1 starting "Cycle ID"',
  'line 2 ",Step ID,Step Name…"',
  'line 3 ",,Record ID,Time(h:min:s.ms),Voltage(V),Current(mA)…"',
];

/** First-column names of the three header lines: BTS 7 ("… ID") and BTS 8 ("… Index"). */
const CYCLE_HEADS = ["cycle id", "cycle index"];
const STEP_HEADS = ["step id", "step index"];
const RECORD_HEADS = ["record id", "record index", "datapoint"];

function cell(head: string[][], line: number, col: number): string {
  const l = head[line];
  return l !== undefined && col < l.length ? l[col].trim().toLowerCase() : "";
}

function isRegularHead(head: string[][]): boolean {
  return (
    head.length >= 3 &&
    CYCLE_HEADS.indexOf(cell(head, 0, 0)) >= 0 &&
    cell(head, 1, 0) === "" &&
    STEP_HEADS.indexOf(cell(head, 1, 1)) >= 0 &&
    cell(head, 2, 0) === "" &&
    cell(head, 2, 1) === "" &&
    RECORD_HEADS.indexOf(cell(head, 2, 2)) >= 0
  );
}

export const newareRegularImporter: Importer = {
  format: "neware-regular",
  description: "Neware regular export (cycle / step / record rows)",
  expected: EXPECTED,
  detect: isRegularHead,
  read: readRegular,
};

async function readRegular(
  path: string,
  onRecord: (r: ImportedRecord) => void,
  onProgress?: ProgressFn,
  onCyclerCycle?: (c: CyclerCycle) => void,
): Promise<ImportStats> {
  const stats = newStats();
  const rec = newRecord();
  const headers: string[][] = [];
  let cyc = { chg: { idx: -1, scale: 1 }, dchg: { idx: -1, scale: 1 }, echg: { idx: -1, scale: 1 }, edchg: { idx: -1, scale: 1 } };
  let stepNameIdx = -1;
  let rTime = -1;
  let rTotal = -1;
  let rV: UnitCol = { idx: -1, scale: 1 };
  let rI: UnitCol = { idx: -1, scale: 1 };
  let rT: UnitCol = { idx: -1, scale: 1 };
  let cycle = NaN;
  let step = NaN;
  let stepCount = 0;
  let stepKind = STEP_UNKNOWN;
  let stepStartS = 0;
  let lastTS = 0;

  await readCsv(
    path,
    (row) => {
      if (headers.length < 3) {
        headers.push(row.strings());
        if (headers.length === 3) {
          if (!isRegularHead(headers)) {
            throw new ImportError(
              `${path}: not a Neware regular export. First lines found: ${headers
                .map((h) => JSON.stringify(h.slice(0, 4).join(",")))
                .join(" / ")}. Expected: ${EXPECTED.join("; ")}.`,
            );
          }
          const ch = headers[0];
          cyc = {
            chg: unitColumn(ch, ["Cap_Chg", "Chg. Cap", "Charge Capacity"], CAP_UNITS),
            dchg: unitColumn(ch, ["Cap_DChg", "DChg. Cap", "Discharge Capacity"], CAP_UNITS),
            echg: unitColumn(ch, ["Engy_Chg", "Chg. Energy", "Charge Energy"], ENERGY_UNITS),
            edchg: unitColumn(ch, ["Engy_DChg", "DChg. Energy", "Discharge Energy"], ENERGY_UNITS),
          };
          stepNameIdx = headers[1].findIndex((h) => h.trim().toLowerCase() === "step name" || h.trim().toLowerCase() === "step type");
          const rh = headers[2];
          // Step-relative "Time(h:min:s.ms)" (BTS 7); BTS 8 also writes the test time ("Total Time").
          rTotal = rh.findIndex((h) => h.trim().toLowerCase().startsWith("total time"));
          rTime = rh.findIndex((h) => h.trim().toLowerCase().startsWith("time"));
          rV = unitColumn(rh, ["Voltage"], VOLT_UNITS);
          rI = unitColumn(rh, ["Current"], CURRENT_UNITS);
          rT = unitColumn(rh, ["Temperature", "T1"], TEMP_UNITS);
          if (rTime < 0 || rV.idx < 0 || rI.idx < 0) {
            throw new ImportError(
              `${path}: Neware regular export without time, voltage or current in its record header. Found: ${rh
                .map((h) => `"${h}"`)
                .join(", ")}. Expected "Time(h:min:s.ms)", "Voltage(V)", "Current(mA)" (or A/uA).`,
            );
          }
        }
        return;
      }
      const c0 = row.str(0);
      if (c0 !== "") {
        cycle = row.num(0);
        if (onCyclerCycle) {
          onCyclerCycle({
            cycle,
            chargeAh: row.num(cyc.chg.idx) * cyc.chg.scale,
            dischargeAh: row.num(cyc.dchg.idx) * cyc.dchg.scale,
            chargeWh: row.num(cyc.echg.idx) * cyc.echg.scale,
            dischargeWh: row.num(cyc.edchg.idx) * cyc.edchg.scale,
          });
        }
        return;
      }
      if (row.str(1) !== "") {
        step = row.num(1);
        stepCount++;
        stepKind = stepNameIdx >= 0 ? newareStepKind(row.str(stepNameIdx)) : STEP_UNKNOWN;
        stepStartS = lastTS;
        return;
      }
      const relS = parseHms(row.str(rTime));
      const iRaw = row.num(rI.idx) * rI.scale;
      if (!Number.isFinite(relS) || !Number.isFinite(iRaw)) {
        noteSkip(stats, `line ${row.lineNo}: time "${row.str(rTime)}" or current "${row.str(rI.idx)}" is not a number`);
        return;
      }
      let iA = iRaw;
      if (stepKind === STEP_CHARGE) iA = Math.abs(iRaw);
      else if (stepKind === STEP_DISCHARGE) iA = -Math.abs(iRaw);
      rec.line = row.lineNo;
      const totalS = rTotal >= 0 ? parseHms(row.str(rTotal)) : NaN;
      rec.tS = Number.isFinite(totalS) ? totalS : stepStartS + relS;
      lastTS = rec.tS;
      rec.voltageV = row.num(rV.idx) * rV.scale;
      rec.currentA = iA === 0 ? 0 : iA;
      rec.tempC = rT.idx >= 0 ? row.num(rT.idx) * rT.scale : NaN;
      rec.cycle = cycle;
      rec.step = Number.isFinite(step) ? step : stepCount;
      rec.stepKind = stepKind;
      stats.records++;
      onRecord(rec);
    },
    onProgress ? { onProgress: (d, t) => onProgress(t > 0 ? d / t : 1) } : {},
  );
  if (headers.length < 3) throw new ImportError(`${path}: too short for a Neware regular export (needs 3 header lines).`);
  return stats;
}
