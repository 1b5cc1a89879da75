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
import { readCsv, type CsvRow } from "./csvStream";
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

/** Where the regular export's three header lines put each column. */
interface RegularColumns {
  chg: UnitCol;
  dchg: UnitCol;
  echg: UnitCol;
  edchg: UnitCol;
  stepName: number;
  time: number;
  total: number;
  v: UnitCol;
  i: UnitCol;
  t: UnitCol;
}

/** The columns of the three header lines (cycle, step, record), or an ImportError quoting them. */
function regularColumns(path: string, headers: string[][]): RegularColumns {
  if (!isRegularHead(headers)) {
    throw new ImportError(
      `${path}: not a Neware regular export. First lines found: ${headers
        .map((h) => JSON.stringify(h.slice(0, 4).join(",")))
        .join(" / ")}. Expected: ${EXPECTED.join("; ")}.`,
    );
  }
  const [ch, sh, rh] = headers;
  const cols: RegularColumns = {
    chg: unitColumn(ch, ["Cap_Chg", "Chg. Cap", "Charge Capacity"], CAP_UNITS),
    dchg: unitColumn(ch, ["Cap_DChg", "DChg. Cap", "Discharge Capacity"], CAP_UNITS),
    echg: unitColumn(ch, ["Engy_Chg", "Chg. Energy", "Charge Energy"], ENERGY_UNITS),
    edchg: unitColumn(ch, ["Engy_DChg", "DChg. Energy", "Discharge Energy"], ENERGY_UNITS),
    stepName: sh.findIndex((h) => h.trim().toLowerCase() === "step name" || h.trim().toLowerCase() === "step type"),
    // Step-relative "Time(h:min:s.ms)" (BTS 7); BTS 8 also writes the test time ("Total Time").
    total: rh.findIndex((h) => h.trim().toLowerCase().startsWith("total time")),
    time: rh.findIndex((h) => h.trim().toLowerCase().startsWith("time")),
    v: unitColumn(rh, ["Voltage"], VOLT_UNITS),
    i: unitColumn(rh, ["Current"], CURRENT_UNITS),
    t: unitColumn(rh, ["Temperature", "T1"], TEMP_UNITS),
  };
  if (cols.time < 0 || cols.v.idx < 0 || cols.i.idx < 0) {
    throw new ImportError(
      `${path}: Neware regular export without time, voltage or current in its record header. Found: ${rh
        .map((h) => `"${h}"`)
        .join(", ")}. Expected "Time(h:min:s.ms)", "Voltage(V)", "Current(mA)" (or A/uA).`,
    );
  }
  return cols;
}

/** Where the reader is: the cycle and step rows seen last, and the last record's test time. */
interface RegularPlace {
  cycle: number;
  step: number;
  stepCount: number;
  stepKind: number;
  stepStartS: number;
  lastTS: number;
}

/** A cycle row (first column set): the cycler's own per-cycle totals. */
function cycleRow(row: CsvRow, cols: RegularColumns, place: RegularPlace, onCyclerCycle?: (c: CyclerCycle) => void): void {
  place.cycle = row.num(0);
  if (!onCyclerCycle) return;
  onCyclerCycle({
    cycle: place.cycle,
    chargeAh: row.num(cols.chg.idx) * cols.chg.scale,
    dischargeAh: row.num(cols.dchg.idx) * cols.dchg.scale,
    chargeWh: row.num(cols.echg.idx) * cols.echg.scale,
    dischargeWh: row.num(cols.edchg.idx) * cols.edchg.scale,
  });
}

/** A record row into `rec` (current signed by the step's kind); false when time or current is not a number. */
function recordRow(row: CsvRow, cols: RegularColumns, place: RegularPlace, rec: ImportedRecord): boolean {
  const relS = parseHms(row.str(cols.time));
  const iRaw = row.num(cols.i.idx) * cols.i.scale;
  if (!Number.isFinite(relS) || !Number.isFinite(iRaw)) return false;
  let iA = iRaw;
  if (place.stepKind === STEP_CHARGE) iA = Math.abs(iRaw);
  else if (place.stepKind === STEP_DISCHARGE) iA = -Math.abs(iRaw);
  rec.line = row.lineNo;
  const totalS = cols.total >= 0 ? parseHms(row.str(cols.total)) : NaN;
  rec.tS = Number.isFinite(totalS) ? totalS : place.stepStartS + relS;
  place.lastTS = rec.tS;
  rec.voltageV = row.num(cols.v.idx) * cols.v.scale;
  rec.currentA = iA === 0 ? 0 : iA;
  rec.tempC = cols.t.idx >= 0 ? row.num(cols.t.idx) * cols.t.scale : NaN;
  rec.cycle = place.cycle;
  rec.step = Number.isFinite(place.step) ? place.step : place.stepCount;
  rec.stepKind = place.stepKind;
  return true;
}

async function readRegular(
  path: string,
  onRecord: (r: ImportedRecord) => void,
  onProgress?: ProgressFn,
  onCyclerCycle?: (c: CyclerCycle) => void,
): Promise<ImportStats> {
  const stats = newStats();
  const rec = newRecord();
  const headers: string[][] = [];
  let cols: RegularColumns | null = null;
  const place: RegularPlace = { cycle: NaN, step: NaN, stepCount: 0, stepKind: STEP_UNKNOWN, stepStartS: 0, lastTS: 0 };
  await readCsv(
    path,
    (row) => {
      if (cols === null) {
        headers.push(row.strings());
        if (headers.length === 3) cols = regularColumns(path, headers);
        return;
      }
      if (row.str(0) !== "") return cycleRow(row, cols, place, onCyclerCycle);
      if (row.str(1) !== "") {
        place.step = row.num(1);
        place.stepCount++;
        place.stepKind = cols.stepName >= 0 ? newareStepKind(row.str(cols.stepName)) : STEP_UNKNOWN;
        place.stepStartS = place.lastTS;
        return;
      }
      if (!recordRow(row, cols, place, rec)) {
        noteSkip(stats, `line ${row.lineNo}: time "${row.str(cols.time)}" or current "${row.str(cols.i.idx)}" is not a number`);
        return;
      }
      stats.records++;
      onRecord(rec);
    },
    onProgress ? { onProgress: (d, t) => onProgress(t > 0 ? d / t : 1) } : {},
  );
  if (headers.length < 3) throw new ImportError(`${path}: too short for a Neware regular export (needs 3 header lines).`);
  return stats;
}
