/**
 * Neware .ndax (BTS 8): a zip (zip.ts) of XML settings and binary .ndc tables, read from the
 * layout reverse-engineered by the NewareNDA project (facts only; this reader is written here).
 *
 * Every .ndc: byte 0 = table type, byte 2 = version; a 4096-byte header, then 4096-byte pages
 * whose records run from byte 132 to the page's end less a tail (4, 5, 16 or 64 bytes).
 * - data.ndc (type 1): per record float32 voltage and current (versions 14, 17: V and A;
 *   version 11: 0.1 mV and mA); a record's index is its slot number from 1; voltage 0 = empty.
 * - data_runInfo.ndc (type 18): for some records, int32 step time (ms), 1 pad byte, float32
 *   charge and discharge capacity and energy (v14/17: Ah, Wh; v11: mAs, mWs), 8 pad bytes,
 *   int32 interval (ms), unix time (s), step, record index, int16 ms (+ 8 / 53 unknown bytes).
 *   A step starts where the last record of the step before ended; records without an entry
 *   are at the last record's time plus one interval each (the unix time's ms field is not
 *   consistent: interp-test.ndax, 0.2 s off BTSDA's own CSV export of the same test).
 * - data_step.ndc (type 7): one row per step run: int32 cycle (from 0), int32 step index,
 *   16 bytes, uint8 state (1 CC_Chg, 2 CC_DChg, 3 CV_Chg, 4 Rest, 7 CCCV_Chg, …), …; the
 *   runInfo step number counts changes of its step field and picks the row.
 * Unknown table versions are refused by number. The tables are read whole (a few MB even for
 * long tests: 108 563 records in 4 MB); records are then handed out one by one.
 */
import { newareStepKind } from "./newareRecord";
import {
  ImportError,
  newRecord,
  newStats,
  STEP_CHARGE,
  STEP_DISCHARGE,
  type ImportedRecord,
  type Importer,
  type ImportStats,
  type ProgressFn,
} from "./record";
import { zipEntries, zipRead, type ZipEntry } from "./zip";
import { MS_PER_S, S_PER_H } from "../../shared/units";

const PAGE_BYTES = 4096;
const RECORDS_FROM = 132;
const TYPE_DATA = 1;
const TYPE_STEP = 7;
const TYPE_RUNINFO = 18;
const MILLI = 1e-3;

/** Record size and page tail per (type, version). */
const LAYOUTS: Record<string, { size: number; tail: number }> = {
  "1/11": { size: 8, tail: 4 },
  "1/14": { size: 8, tail: 4 },
  "1/17": { size: 8, tail: 4 },
  "18/11": { size: 47, tail: 16 },
  "18/14": { size: 55, tail: 4 },
  "18/17": { size: 100, tail: 64 },
  "7/11": { size: 37, tail: 5 },
  "7/14": { size: 37, tail: 5 },
  "7/17": { size: 100, tail: 64 },
};

/** Neware step states (data_step.ndc) by number. */
const STATES: Record<number, string> = {
  1: "CC_Chg", 2: "CC_DChg", 3: "CV_Chg", 4: "Rest", 5: "Cycle", 7: "CCCV_Chg", 8: "CP_DChg", 9: "CP_Chg",
  10: "CR_DChg", 13: "Pause", 16: "Pulse", 17: "SIM", 19: "CV_DChg", 20: "CCCV_DChg", 21: "Control", 22: "OCV",
  26: "CPCV_DChg", 27: "CPCV_Chg",
};

/** Visit each record of an .ndc table: (page buffer, record offset). Returns the version. */
export function ndcRecords(path: string, name: string, b: Buffer, type: number, visit: (b: Buffer, o: number) => void): number {
  if (b.length < PAGE_BYTES || b[0] !== type) throw new ImportError(`${path}: Neware .ndax: ${name} is not a type-${type} table.`);
  const version = b[2];
  const L = LAYOUTS[type + "/" + version];
  if (L === undefined) throw new ImportError(`${path}: Neware .ndax: ${name} version ${version} is not known (known: 11, 14, 17); export the test as CSV from BTSDA.`);
  for (let page = PAGE_BYTES; page + PAGE_BYTES <= b.length; page += PAGE_BYTES) {
    const end = page + PAGE_BYTES - L.tail;
    for (let o = page + RECORDS_FROM; o + L.size <= end; o += L.size) visit(b, o);
  }
  return version;
}

interface RunInfo {
  /** Time since the step's start (s). */
  stepTimeS: number;
  dtS: number;
  chargeAh: number;
  dischargeAh: number;
  chargeWh: number;
  dischargeWh: number;
  /** Running count of changes of the step field (1 = the first step). */
  step: number;
}

interface StepRow {
  cycle: number;
  stepIndex: number;
  state: string;
}

export interface NdaxTables {
  v: Float64Array;
  iA: Float64Array;
  runInfo: Map<number, RunInfo>;
  steps: StepRow[];
}

function entry(path: string, entries: Map<string, ZipEntry>, name: string): Buffer {
  const e = entries.get(name);
  if (e === undefined) throw new ImportError(`${path}: Neware .ndax without ${name} (entries: ${[...entries.keys()].slice(0, 12).join(", ")}).`);
  return zipRead(path, e);
}

/** The three tables of an .ndax at `path`. */
export function readNdaxTables(path: string, entries = zipEntries(path)): NdaxTables {
  const data = entry(path, entries, "data.ndc");
  const vs: number[] = [];
  const is: number[] = [];
  const dataVersion = ndcRecords(path, "data.ndc", data, TYPE_DATA, (b, o) => {
    vs.push(b.readFloatLE(o));
    is.push(b.readFloatLE(o + 4));
  });
  const v = new Float64Array(vs.length);
  const iA = new Float64Array(is.length);
  const vScale = dataVersion === 11 ? 1e-4 : 1;
  const iScale = dataVersion === 11 ? MILLI : 1;
  for (let k = 0; k < vs.length; k++) {
    v[k] = vs[k] * vScale;
    iA[k] = is[k] * iScale;
  }
  const runInfo = new Map<number, RunInfo>();
  const steps: StepRow[] = [];
  if (entries.has("data_runInfo.ndc") && entries.has("data_step.ndc")) {
    let lastRaw = NaN;
    let count = 0;
    const rb = entry(path, entries, "data_runInfo.ndc");
    const rv = rb[2];
    // Counters in Ah and Wh (v14/17) or A·s and W·s (v11).
    const qScale = rv === 11 ? 1 / S_PER_H / MS_PER_S : 1;
    ndcRecords(path, "data_runInfo.ndc", rb, TYPE_RUNINFO, (b, o) => {
      const index = b.readInt32LE(o + 41);
      const raw = b.readInt32LE(o + 37);
      if (index === 0) return;
      if (raw !== lastRaw) count++;
      lastRaw = raw;
      if (runInfo.has(index)) return;
      runInfo.set(index, {
        stepTimeS: b.readInt32LE(o) / MS_PER_S,
        chargeAh: b.readFloatLE(o + 5) * qScale,
        dischargeAh: b.readFloatLE(o + 9) * qScale,
        chargeWh: b.readFloatLE(o + 13) * qScale,
        dischargeWh: b.readFloatLE(o + 17) * qScale,
        dtS: b.readInt32LE(o + 29) / MS_PER_S,
        step: count,
      });
    });
    const sb = entry(path, entries, "data_step.ndc");
    const sv = sb[2];
    ndcRecords(path, "data_step.ndc", sb, TYPE_STEP, (b, o) => {
      const stepIndex = b.readInt32LE(o + 4);
      const keep = sv === 17 ? b.readInt32LE(o + 33) !== 0 : stepIndex !== 0;
      if (!keep) return;
      const state = b[o + 24];
      steps.push({ cycle: b.readInt32LE(o) + 1, stepIndex, state: STATES[state] ?? `state ${state}` });
    });
  }
  if (runInfo.size === 0) {
    throw new ImportError(`${path}: Neware .ndax whose test times are not in data_runInfo.ndc: this layout is not read; export the test as CSV from BTSDA.`);
  }
  return { v, iA, runInfo, steps };
}

export const newareNdaxImporter: Importer = {
  format: "neware-ndax",
  description: "Neware BTS 8 binary file (.ndax)",
  expected: ["a zip holding data.ndc, data_runInfo.ndc and data_step.ndc"],
  // Binary: chosen by its zip entries in detect.ts, never from text lines.
  detect: () => false,
  read: readNdax,
};

async function readNdax(path: string, onRecord: (r: ImportedRecord) => void, onProgress?: ProgressFn): Promise<ImportStats> {
  const t = readNdaxTables(path);
  const stats = newStats();
  const rec = newRecord();
  let lastT = NaN;
  let lastDt = NaN;
  let step = NaN;
  let stepStartS = 0;
  const n = t.v.length;
  for (let k = 0; k < n; k++) {
    if (t.v[k] === 0) continue; // an empty slot
    const index = k + 1;
    const ri = t.runInfo.get(index);
    if (ri !== undefined) {
      // A new step starts where the last record of the one before ended (its time 0 = then).
      if (ri.step !== step && lastT === lastT) stepStartS = lastT;
      lastT = stepStartS + ri.stepTimeS;
      lastDt = ri.dtS;
      step = ri.step;
    } else if (lastT === lastT) {
      lastT += lastDt;
    } else continue; // before the first timed record
    const s = step >= 1 && step <= t.steps.length ? t.steps[step - 1] : undefined;
    rec.line = index;
    rec.tS = lastT;
    rec.voltageV = t.v[k];
    rec.stepKind = s !== undefined ? newareStepKind(s.state) : 0;
    const i = t.iA[k];
    rec.currentA = rec.stepKind === STEP_CHARGE ? Math.abs(i) : rec.stepKind === STEP_DISCHARGE ? -Math.abs(i) : i === 0 ? 0 : i;
    rec.cycle = s !== undefined ? s.cycle : NaN;
    rec.step = s !== undefined ? s.stepIndex : NaN;
    rec.chargeAh = ri !== undefined ? ri.chargeAh : NaN;
    rec.dischargeAh = ri !== undefined ? ri.dischargeAh : NaN;
    rec.chargeWh = ri !== undefined ? ri.chargeWh : NaN;
    rec.dischargeWh = ri !== undefined ? ri.dischargeWh : NaN;
    stats.records++;
    onRecord(rec);
  }
  if (onProgress) onProgress(1);
  return stats;
}
