/**
 * Neware .nda (BTSDA binary), read from the layout reverse-engineered by the NewareNDA project
 * (facts only; this reader is written here). "NEWARE" magic; byte 14 = file version. Read:
 * version 130 as BTS 9.1 writes it (byte 1024 = 0x55): fixed-size records from byte 1024, the
 * record size being the distance to the next record with the same two first bytes; a record
 * starting 0x55 is data: step index u8 @2, state u8 @3, record index u32 @8, test time s u32
 * @12 + ns u32 @16, current mA f32 @20, voltage V f32 @24, step capacity mA·s f32 @28 (signed:
 * + charge), step energy mW·s f32 @32, cycle u32 @36 (from 0), and in 56-byte records a
 * temperature f32 @52; a record starting 0x81 ends the data. Other versions (29, BTS 9.0's 130)
 * are refused by number. Records are handed out in index order (a repeated index is skipped).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { newareStepKind } from "./newareRecord";
import { ImportError, newRecord, newStats, noteSkip, STEP_CHARGE, STEP_DISCHARGE, type ImportedRecord, type Importer, type ImportStats, type ProgressFn } from "./record";

const MAGIC = "NEWARE";
const VERSION_AT = 14;
const VERSION_BTS91 = 130;
const DATA_FROM = 1024;
const DATA_MARK = 0x55;
const END_MARK = 0x81;
const AUX_RECORD_BYTES = 56;
const MILLI = 1e-3;
const NANO = 1e-9;
/** mA·s → Ah and mW·s → Wh. */
const MILLI_SECOND_TO_HOUR = 1e-3 / 3600;
/** Records read per positioned read. */
const RECORDS_PER_READ = 4096;

/** Neware step states by number (as in data_step.ndc of .ndax files). */
const STATES: Record<number, string> = {
  1: "CC_Chg", 2: "CC_DChg", 3: "CV_Chg", 4: "Rest", 5: "Cycle", 7: "CCCV_Chg", 8: "CP_DChg", 9: "CP_Chg",
  10: "CR_DChg", 13: "Pause", 16: "Pulse", 17: "SIM", 19: "CV_DChg", 20: "CCCV_DChg", 21: "Control", 22: "OCV",
  26: "CPCV_DChg", 27: "CPCV_Chg",
};

export const newareNdaImporter: Importer = {
  format: "neware-nda",
  description: "Neware BTSDA binary file (.nda)",
  expected: ['the "NEWARE" magic'],
  // Binary: chosen by its magic in detect.ts, never from text lines.
  detect: () => false,
  read: readNda,
};

async function readNda(path: string, onRecord: (r: ImportedRecord) => void, onProgress?: ProgressFn): Promise<ImportStats> {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(DATA_FROM + 2);
    readSync(fd, head, 0, head.length, 0);
    if (head.toString("latin1", 0, MAGIC.length) !== MAGIC) throw new ImportError(`${path}: not a Neware .nda file (no "NEWARE" magic).`);
    const version = head[VERSION_AT];
    if (version !== VERSION_BTS91 || head[DATA_FROM] !== DATA_MARK) {
      throw new ImportError(`${path}: Neware .nda version ${version}${version === VERSION_BTS91 ? " (BTS 9.0 layout)" : ""} is not known (known: 130 as BTS 9.1 writes it); export the test as CSV (record layer) or .xlsx from BTSDA.`);
    }
    // Record size: distance to the next record that starts with the same two bytes.
    const probe = Buffer.alloc(Math.min(4096, size - DATA_FROM));
    readSync(fd, probe, 0, probe.length, DATA_FROM);
    const rl = probe.indexOf(probe.subarray(0, 2), 2);
    if (rl <= 0) throw new ImportError(`${path}: Neware .nda: cannot find the record size.`);
    const stats = newStats();
    const rec = newRecord();
    let lastIndex = 0;
    const buf = Buffer.alloc(rl * RECORDS_PER_READ);
    for (let pos = DATA_FROM; pos + rl <= size; pos += rl * RECORDS_PER_READ) {
      const got = readSync(fd, buf, 0, buf.length, pos);
      for (let o = 0; o + rl <= got; o += rl) {
        if (buf[o] === END_MARK) return done(stats, onProgress);
        if (buf[o] !== DATA_MARK) continue;
        const index = buf.readUInt32LE(o + 8);
        if (index <= lastIndex) {
          noteSkip(stats, `record ${index} repeated or out of order after ${lastIndex}`);
          continue;
        }
        lastIndex = index;
        const state = STATES[buf[o + 3]] ?? `state ${buf[o + 3]}`;
        const q = buf.readFloatLE(o + 28) * MILLI_SECOND_TO_HOUR;
        const e = buf.readFloatLE(o + 32) * MILLI_SECOND_TO_HOUR;
        rec.line = index;
        rec.tS = buf.readUInt32LE(o + 12) + buf.readUInt32LE(o + 16) * NANO;
        rec.currentA = buf.readFloatLE(o + 20) * MILLI;
        rec.voltageV = buf.readFloatLE(o + 24);
        rec.stepKind = newareStepKind(state);
        if (rec.stepKind === STEP_CHARGE) rec.currentA = Math.abs(rec.currentA);
        else if (rec.stepKind === STEP_DISCHARGE) rec.currentA = -Math.abs(rec.currentA);
        if (rec.currentA === 0) rec.currentA = 0;
        rec.cycle = buf.readUInt32LE(o + 36) + 1;
        rec.step = buf[o + 2];
        rec.tempC = rl === AUX_RECORD_BYTES ? buf.readFloatLE(o + 52) : NaN;
        rec.chargeAh = q > 0 ? q : 0;
        rec.dischargeAh = q < 0 ? -q : 0;
        rec.chargeWh = e > 0 ? e : 0;
        rec.dischargeWh = e < 0 ? -e : 0;
        stats.records++;
        onRecord(rec);
      }
      if (onProgress) onProgress(Math.min(1, (pos + got) / size));
    }
    return done(stats, onProgress);
  } finally {
    closeSync(fd);
  }
}

function done(stats: ImportStats, onProgress?: ProgressFn): ImportStats {
  if (onProgress) onProgress(1);
  return stats;
}
