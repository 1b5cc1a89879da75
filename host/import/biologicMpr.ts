/**
 * BioLogic EC-Lab binary file (.mpr), read from its reverse-engineered layout (facts as
 * documented by the galvani and yadg projects; this reader is written here):
 *
 *   "BIO-LOGIC MODULAR FILE\x1a" padded to 48 bytes, 4 zero bytes; then modules, each
 *   "MODULE" + header + data. Header: short name (10 B), long name (25 B), then either
 *   length u32, version u32, date (8 B)                                   (old, 51 B)
 *   or 0xFFFFFFFF, length u32, old version u32, new version u32, date    (EC-Lab ≥ 11.50, 59 B)
 *   with version = new + old. The "VMP data" module: point count u32, column count u8, the
 *   column IDs (version 10/11: big-endian u16 from byte 5, points from byte 0x3EF; version 2:
 *   little-endian u16, points from 0x195; version 3: from 0x196), then fixed-size packed
 *   little-endian rows. IDs 1, 2, 3, 21, 31, 65 are bits of one flags byte (mode = bits 0–1,
 *   3 = open circuit); the others are values whose type the ID gives (version 10/11: ID mod 256).
 *
 * Records: time/s, Ewe/V (or <Ewe>/V), I/mA or <I>/mA; files without a current column (GCPL
 * saves only dq/mA.h per point) get the interval's mean current dq/dt, held over the interval
 * (a record at the interval's start carries it), so that the trapezoid counts Σ dq exactly.
 * Ns is the step, "cycle number" the cycle when saved (EC-Lab's .mpt export computes it from
 * the half cycles otherwise). Rows with a non-zero freq/Hz are impedance. + current = charge.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import {
  ImportError,
  newRecord,
  newStats,
  STEP_OTHER,
  STEP_REST,
  STEP_UNKNOWN,
  type ImportedRecord,
  type Importer,
  type ImportStats,
  type ProgressFn,
} from "./record";
import { S_PER_H } from "../../shared/units";

const MAGIC = "BIO-LOGIC MODULAR FILE\u001a";
const MAGIC_BYTES = 52;
const MODULE = "MODULE";
const HEADER_OLD_BYTES = 51;
const HEADER_NEW_BYTES = 59;
const NAME_BYTES = 10;
const LONG_NAME_END = 35;
const MILLI = 1e-3;
/** EC-Lab "mode" 3 = open circuit (rest). */
const MODE_REST = 3;
/** Rows read per positioned read. */
const ROWS_PER_READ = 4096;

/** Flag column IDs and their bit masks in the row's flags byte. */
const FLAG_MASKS: Record<number, number> = { 1: 0x03, 2: 0x04, 3: 0x08, 21: 0x10, 31: 0x20, 65: 0x80 };

type Kind = "f8" | "f4" | "u2" | "u4" | "u1";
const KIND_BYTES: Record<Kind, number> = { f8: 8, f4: 4, u2: 2, u4: 4, u1: 1 };

/** Value columns by ID: type and name (names as the .mpt header writes them). */
const COLUMNS: Record<number, [Kind, string]> = {
  4: ["f8", "time/s"],
  5: ["f4", "control/V/mA"],
  6: ["f4", "Ewe/V"],
  7: ["f8", "dq/mA.h"],
  8: ["f4", "I/mA"],
  9: ["f4", "Ece/V"],
  11: ["f8", "<I>/mA"],
  13: ["f8", "(Q-Qo)/mA.h"],
  16: ["f4", "Analog IN 1/V"],
  17: ["f4", "Analog IN 2/V"],
  19: ["f4", "control/V"],
  20: ["f4", "control/mA"],
  23: ["f8", "dQ/mA.h"],
  24: ["f8", "cycle number"],
  26: ["f4", "Rapp/Ohm"],
  27: ["f4", "Ewe-Ece/V"],
  32: ["f4", "freq/Hz"],
  33: ["f4", "|Ewe|/V"],
  34: ["f4", "|I|/A"],
  35: ["f4", "Phase(Z)/deg"],
  36: ["f4", "|Z|/Ohm"],
  37: ["f4", "Re(Z)/Ohm"],
  38: ["f4", "-Im(Z)/Ohm"],
  39: ["u2", "I Range"],
  69: ["f4", "R/Ohm"],
  70: ["f4", "P/W"],
  74: ["f8", "|Energy|/W.h"],
  76: ["f4", "<I>/mA"],
  77: ["f4", "<Ewe>/V"],
  112: ["f8", "Energy we/W.h"],
  123: ["f8", "Energy charge/W.h"],
  124: ["f8", "Energy discharge/W.h"],
  125: ["f8", "Capacitance charge/µF"],
  126: ["f8", "Capacitance discharge/µF"],
  131: ["u2", "Ns"],
  169: ["f4", "Cs/µF"],
  172: ["f4", "Cp/µF"],
  174: ["f4", "<Ewe>/V"],
  211: ["f8", "Q charge/discharge/mA.h"],
  212: ["u4", "half cycle"],
  213: ["u4", "z cycle"],
};

/** Version 2/3 files number some columns above 255. */
const COLUMNS_WIDE: Record<number, [Kind, string]> = {
  438: ["f8", "step time/s"],
  462: ["f4", "Temperature/°C"],
  467: ["f8", "Q charge/discharge/mA.h"],
  468: ["u4", "half cycle"],
  469: ["u4", "z cycle"],
  498: ["f8", "Q charge/mA.h"],
  499: ["f8", "Q discharge/mA.h"],
  500: ["f8", "step time/s"],
  501: ["f8", "Efficiency/%"],
  502: ["f8", "Capacity/mA.h"],
};

interface Layout {
  points: number;
  rowBytes: number;
  dataStart: number;
  /** Byte offset in the row of each named column (first of a name wins); flags at `flags`. */
  at: Map<string, { off: number; kind: Kind }>;
  flags: number;
}

function readAt(fd: number, pos: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  const got = readSync(fd, b, 0, n, pos);
  return got === n ? b : b.subarray(0, got);
}

function layoutOf(path: string, fd: number, size: number): Layout {
  if (readAt(fd, 0, MAGIC.length).toString("latin1") !== MAGIC) throw new ImportError(`${path}: not a BioLogic .mpr file (no "BIO-LOGIC MODULAR FILE" magic).`);
  let pos = MAGIC_BYTES;
  while (pos + MODULE.length + HEADER_NEW_BYTES <= size) {
    const h = readAt(fd, pos, MODULE.length + HEADER_NEW_BYTES);
    if (h.toString("latin1", 0, MODULE.length) !== MODULE) throw new ImportError(`${path}: BioLogic .mpr: no module at byte ${pos}.`);
    const m = h.subarray(MODULE.length);
    const name = m.toString("latin1", 0, NAME_BYTES).trim();
    const wide = m.readUInt32LE(LONG_NAME_END) === 0xffffffff;
    const length = wide ? m.readUInt32LE(LONG_NAME_END + 4) : m.readUInt32LE(LONG_NAME_END);
    const version = wide ? m.readUInt32LE(LONG_NAME_END + 8) + m.readUInt32LE(LONG_NAME_END + 12) : m.readUInt32LE(LONG_NAME_END + 4);
    const dataPos = pos + MODULE.length + (wide ? HEADER_NEW_BYTES : HEADER_OLD_BYTES);
    if (dataPos + length > size) {
      throw new ImportError(`${path}: BioLogic .mpr cut short: module "${name}" needs ${length} bytes from byte ${dataPos}, the file has ${size}.`);
    }
    if (name === "VMP data") return dataLayout(path, fd, dataPos, length, version);
    pos = dataPos + length;
  }
  throw new ImportError(`${path}: BioLogic .mpr without a "VMP data" module.`);
}

function dataLayout(path: string, fd: number, pos: number, length: number, version: number): Layout {
  const head = readAt(fd, pos, 5);
  const points = head.readUInt32LE(0);
  const nCols = head.readUInt8(4);
  const ids = readAt(fd, pos + 5, 2 * nCols);
  let start: number;
  let bigEndian = false;
  if (version === 10 || version === 11) {
    start = 0x3ef;
    bigEndian = true;
  } else if (version === 2) start = 0x195;
  else if (version === 3) start = 0x196;
  else throw new ImportError(`${path}: BioLogic .mpr data module version ${version} is not known (known: 2, 3, 10, 11); export the file as .mpt text from EC-Lab.`);
  const at = new Map<string, { off: number; kind: Kind }>();
  let off = 0;
  let flags = -1;
  for (let k = 0; k < nCols; k++) {
    const id = bigEndian ? ids.readUInt16BE(2 * k) : ids.readUInt16LE(2 * k);
    if (FLAG_MASKS[id] !== undefined) {
      if (flags < 0) {
        flags = off;
        off += 1;
      }
      continue;
    }
    const col = bigEndian ? COLUMNS[id % 256] : (COLUMNS_WIDE[id] ?? COLUMNS[id]);
    if (col === undefined) {
      throw new ImportError(`${path}: BioLogic .mpr column ID ${id} (data module version ${version}) is not known; export the file as .mpt text from EC-Lab.`);
    }
    if (!at.has(col[1])) at.set(col[1], { off, kind: col[0] });
    off += KIND_BYTES[col[0]];
  }
  if (off === 0 || start + points * off > length) {
    throw new ImportError(`${path}: BioLogic .mpr data module holds ${length} bytes, too few for ${points} points of ${off} bytes.`);
  }
  return { points, rowBytes: off, dataStart: pos + start, at, flags };
}

function value(b: Buffer, o: number, c: { off: number; kind: Kind } | undefined): number {
  if (c === undefined) return NaN;
  const p = o + c.off;
  switch (c.kind) {
    case "f8":
      return b.readDoubleLE(p);
    case "f4":
      return b.readFloatLE(p);
    case "u2":
      return b.readUInt16LE(p);
    case "u4":
      return b.readUInt32LE(p);
    default:
      return b.readUInt8(p);
  }
}

export const biologicMprImporter: Importer = {
  format: "biologic-mpr",
  description: "BioLogic EC-Lab binary file (.mpr)",
  expected: ['the "BIO-LOGIC MODULAR FILE" magic'],
  // Binary: chosen by its magic in detect.ts, never from text lines.
  detect: () => false,
  read: readMpr,
};

async function readMpr(path: string, onRecord: (r: ImportedRecord) => void, onProgress?: ProgressFn): Promise<ImportStats> {
  const fd = openSync(path, "r");
  try {
    const L = layoutOf(path, fd, fstatSync(fd).size);
    const col = (n: string): { off: number; kind: Kind } | undefined => L.at.get(n);
    const [cT, cV, cDq, cCycle, cNs, cFreq, cTemp] = [col("time/s"), col("Ewe/V") ?? col("<Ewe>/V"), col("dq/mA.h") ?? col("dQ/mA.h"), col("cycle number"), col("Ns"), col("freq/Hz"), col("Temperature/°C")];
    const cI = col("I/mA") ?? col("<I>/mA");
    if (cT === undefined || cV === undefined || (cI === undefined && cDq === undefined)) {
      throw new ImportError(`${path}: BioLogic .mpr without time, Ewe or a current (I, <I> or dq) column; found: ${[...L.at.keys()].join(", ")}.`);
    }
    const stats = newStats();
    const rec = newRecord();
    let prevT = NaN;
    let prevV = NaN;
    let prevI = NaN;
    for (let first = 0; first < L.points; first += ROWS_PER_READ) {
      const n = Math.min(ROWS_PER_READ, L.points - first);
      const buf = readAt(fd, L.dataStart + first * L.rowBytes, n * L.rowBytes);
      for (let k = 0; k < n; k++) {
        const o = k * L.rowBytes;
        const tS = value(buf, o, cT);
        const v = value(buf, o, cV);
        let iA: number;
        if (cI !== undefined) iA = value(buf, o, cI) * MILLI;
        else {
          // Mean current over the interval ending here, held over it (see the file comment).
          const dqAh = value(buf, o, cDq) * MILLI;
          const dtH = (tS - prevT) / S_PER_H;
          iA = dtH > 0 ? dqAh / dtH : 0;
          if (prevT === prevT && dtH > 0 && iA !== prevI) {
            rec.tS = prevT;
            rec.voltageV = prevV;
            rec.currentA = iA;
            onRecord(rec);
          }
        }
        const mode = L.flags >= 0 ? buf.readUInt8(o + L.flags) & FLAG_MASKS[1] : 0;
        const freq = value(buf, o, cFreq);
        rec.line = first + k + 1;
        rec.tS = tS;
        rec.voltageV = v;
        rec.currentA = iA === 0 ? 0 : iA;
        rec.tempC = value(buf, o, cTemp);
        rec.cycle = value(buf, o, cCycle);
        rec.step = value(buf, o, cNs);
        rec.stepKind = freq === freq && freq !== 0 ? STEP_OTHER : mode === MODE_REST ? STEP_REST : STEP_UNKNOWN;
        stats.records++;
        onRecord(rec);
        prevT = tS;
        prevV = v;
        prevI = iA;
      }
      if (onProgress) onProgress((first + n) / L.points);
    }
    return stats;
  } finally {
    closeSync(fd);
  }
}
