/**
 * Shared machinery for the "one header line, one record per row" formats (BDF, Neware
 * record-level export, Landt Record Tab, BatteryData raw CSV, PyBaMM/PyBOP CSV): find each
 * quantity's column by its accepted header spellings (each with its unit's scale to SI),
 * then stream the rows into `ImportedRecord`s.
 */
import { guessDelimiter, readCsv } from "../bdf/csvStream";
import { normHeader, readTextHead, sanitizeForMessage } from "./textHead";
import {
  ImportError,
  newRecord,
  newStats,
  noteSkip,
  STEP_UNKNOWN,
  type FormatId,
  type ImportedRecord,
  type Importer,
  type ImportStats,
  type ProgressFn,
  type ReadOptions,
} from "./record";

/** Quantities a tabular format may carry. */
export type Quantity =
  | "time"
  | "voltage"
  | "current"
  | "temp"
  | "cycle"
  | "step"
  | "stepType"
  | "chargeAh"
  | "dischargeAh"
  | "chargeWh"
  | "dischargeWh"
  /** A single capacity / energy counter whose direction the step type decides (Landt). */
  | "capacityAh"
  | "energyWh"
  /** Non-empty on impedance rows (BatteryData raw: Frequency_Hz). */
  | "impedanceMarker"
  /**
   * Time since the step began (s). A record whose step time is shorter than the interval since
   * the record before it starts a step that began after that record: the importer emits a
   * boundary record at the step's start carrying the earlier record's current, so that the
   * trapezoid does not ramp the new step's current across the unlogged end of the step before
   * (Maccor beep file, cycle 36: a 900 s ramp from a rest into a 0.69 A charge counted 0.087 Ah
   * that the cycler did not).
   */
  | "stepTime";

/** How a column's text becomes a number. */
export type ValueParser = "number" | "hms";

/** One accepted spelling of a column: header text (case-insensitive) and its scale to SI. */
export interface ColumnAlias {
  header: string;
  /** Multiply the file's value by this to get SI (e.g. mA → A: 1e-3). */
  scale: number;
  parser?: ValueParser;
}

export interface TabularFormat {
  format: FormatId;
  description: string;
  /** Accepted spellings per quantity; the first found wins. */
  columns: Partial<Record<Quantity, ColumnAlias[]>>;
  /** Quantities that must be present for this format to match. */
  required: Quantity[];
  /** Extra header cells whose presence identifies the format (all must be present). */
  markers?: string[];
  /** +1 when the file's positive current charges, −1 when it discharges (PyBaMM). */
  currentSign: 1 | -1;
  /** Maps a step-type label to a STEP_* kind. */
  stepKind?: (label: string) => number;
  /**
   * True when a row's current held over the whole interval ending at that row (a simulator's
   * step-function current sampled at the end of each output period). When the current
   * changes between two rows, the importer then emits an extra record at the earlier row's
   * time carrying the new current, so that trapezoidal integration sees the step where it
   * happened instead of a ramp across the interval.
   */
  currentHeldBackward?: boolean;
  /**
   * True when the first record of each step is logged at the step's start, before the cycler
   * has regulated the current (a fixed set-up value), while the cycler applies the step's
   * current from its start. The importer then gives that first record the current of the
   * step's next record (when larger in magnitude and not of the opposite sign), holding it
   * back to the step start. Needs the step column.
   */
  stepStartCurrentFromNext?: boolean;
  /**
   * The header is the first of this many non-empty lines that has the required columns
   * (exports with metadata lines above the table: PEC, Landt raw, Maccor, BioLogic .mpt);
   * default 1 (the header is the first line).
   */
  headerWithin?: number;
  /**
   * Skip (noting it) a row whose test time is earlier than the row before: a clock fault of
   * the export, not a time to count across. Formats without it read such rows as they are.
   */
  skipTimeGoingBack?: boolean;
  /** Field delimiter byte; default: guessed from the header line (tables below metadata lines) or the first line. */
  delimiter?: number;
  /**
   * The current's direction comes from the step kind (charge +|I|, discharge −|I|), for
   * exports that print the magnitude only in some versions (Maccor).
   */
  currentFromStepKind?: boolean;
}

interface Bound {
  idx: number;
  scale: number;
  parser: ValueParser;
}

const NONE: Bound = { idx: -1, scale: 1, parser: "number" };

/** Index of each quantity in a header row, or idx −1. */
export function bindColumns(fmt: TabularFormat, header: string[]): Record<Quantity, Bound> {
  const lower = header.map(normHeader);
  const out = {} as Record<Quantity, Bound>;
  const all: Quantity[] = [
    "time", "voltage", "current", "temp", "cycle", "step", "stepType", "chargeAh",
    "dischargeAh", "chargeWh", "dischargeWh", "capacityAh", "energyWh", "impedanceMarker", "stepTime",
  ];
  for (const q of all) {
    out[q] = NONE;
    const aliases = fmt.columns[q];
    if (!aliases) continue;
    for (const a of aliases) {
      const i = lower.indexOf(normHeader(a.header));
      if (i >= 0) {
        out[q] = { idx: i, scale: a.scale, parser: a.parser ?? "number" };
        break;
      }
    }
  }
  return out;
}

/** Header spellings a format expects (for the unknown-format error). */
export function expectedHeaders(fmt: TabularFormat): string[] {
  const out: string[] = [];
  for (const q of fmt.required) {
    const aliases = fmt.columns[q] ?? [];
    out.push(aliases.map((a) => `"${a.header}"`).join(" or "));
  }
  for (const m of fmt.markers ?? []) out.push(`"${m}"`);
  return out;
}

export function headerMatches(fmt: TabularFormat, header: string[]): boolean {
  const b = bindColumns(fmt, header);
  for (const q of fmt.required) if (b[q].idx < 0) return false;
  const lower = header.map(normHeader);
  for (const m of fmt.markers ?? []) if (lower.indexOf(normHeader(m)) < 0) return false;
  return true;
}

/** Index (0-based, among non-empty lines) of the format's header in `head`, or −1. */
export function headerLineIn(fmt: TabularFormat, head: string[][]): number {
  const n = Math.min(head.length, fmt.headerWithin ?? 1);
  for (let k = 0; k < n; k++) if (headerMatches(fmt, head[k])) return k;
  return -1;
}

/** Parse "h:mm:ss", "hh:mm:ss.fff", "d-hh:mm:ss" or plain seconds into seconds; NaN if bad. */
export function parseHms(text: string): number {
  const t = text.trim();
  if (t === "") return NaN;
  let days = 0;
  let rest = t;
  const dash = t.indexOf("-");
  if (dash > 0) {
    days = Number(t.slice(0, dash));
    rest = t.slice(dash + 1);
  }
  const parts = rest.split(":");
  if (parts.length > 3) return NaN;
  let s = 0;
  for (const p of parts) {
    const v = Number(p);
    if (p.trim() === "" || !Number.isFinite(v)) return NaN;
    s = s * 60 + v;
  }
  return days * 86400 + s;
}

function readValue(row: TableRow, b: Bound): number {
  if (b.idx < 0) return NaN;
  if (b.parser === "hms") return parseHms(row.str(b.idx)) * b.scale;
  return row.num(b.idx) * b.scale;
}

/** Build a streaming importer for a tabular format. */
export function tabularImporter(fmt: TabularFormat): Importer {
  return {
    format: fmt.format,
    description: fmt.description,
    expected: expectedHeaders(fmt),
    detect: (head: string[][]) => headerLineIn(fmt, head) >= 0,
    // The numeric fast path (readWorker) reads a header on the first line only.
    tabular: (fmt.headerWithin ?? 1) > 1 || fmt.delimiter !== undefined || fmt.skipTimeGoingBack === true ? undefined : fmt,
    read: (path, onRecord, onProgress, _onCycle, opts) => readTabular(fmt, path, onRecord, onProgress, opts),
  };
}

async function readTabular(
  fmt: TabularFormat,
  path: string,
  onRecord: (r: ImportedRecord) => void,
  onProgress?: ProgressFn,
  opts?: ReadOptions,
): Promise<ImportStats> {
  const h = tabularRows(fmt, path, onRecord, opts);
  const within = fmt.headerWithin ?? 1;
  await readCsv(path, h.onRow, {
    // Sampling hands out line 1 as the header: not for tables below metadata lines.
    stride: within > 1 ? undefined : opts?.stride,
    sampleByBytes: opts?.sampleByBytes,
    delimiter: fmt.delimiter ?? (within > 1 ? headerDelimiter(fmt, path) : undefined),
    ...(onProgress ? { onProgress: (done: number, total: number) => onProgress(total > 0 ? done / total : 1) } : {}),
  });
  return h.finish();
}

/**
 * The delimiter of a table below metadata lines, from its header line (the tokenizer would
 * guess from the first line: "EC-Lab ASCII FILE" has none); undefined when not found.
 */
function headerDelimiter(fmt: TabularFormat, path: string): number | undefined {
  const head = readTextHead(path);
  const k = headerLineIn(fmt, head.cells);
  return k >= 0 ? guessDelimiter(head.lines[k]) : undefined;
}

/** One row of a table, as CsvRow hands it out (also built from spreadsheet cells: xlsx.ts). */
export interface TableRow {
  lineNo: number;
  num(i: number): number;
  str(i: number): string;
  strings(): string[];
}

/**
 * The row logic of a tabular format: the header (found within `headerWithin` lines), then each
 * row as records. `finish` hands out a held record and returns the stats.
 */
export function tabularRows(
  fmt: TabularFormat,
  path: string,
  onRecord: (r: ImportedRecord) => void,
  opts?: ReadOptions,
): { onRow: (row: TableRow) => void; finish: () => ImportStats } {
  const withCycler = opts?.cyclerColumns !== false;
  const stats = newStats();
  const rec = newRecord();
  let b: Record<Quantity, Bound> | null = null;
  let headerCells: string[] = [];
  let prevTS = NaN;
  let prevI = NaN;
  // stepStartCurrentFromNext: the held first record of the current step.
  const pending = newRecord();
  let pendingStart = false;
  let lastStep = NaN;
  let lastEmittedI = NaN;
  let prevV = NaN;
  let prevTemp = NaN;
  let linesBefore = 0;
  let lastRowTS = -Infinity;
  // stepTime: the previous row's time, current, voltage and temperature.
  let prevRowTS = NaN;
  let prevRowI = NaN;
  const prevRow = { v: NaN, i: NaN, temp: NaN, kind: STEP_UNKNOWN, cycle: NaN, step: NaN };
  const within = fmt.headerWithin ?? 1;
  const onRow = (row: TableRow): void => {
      if (b === null) {
        headerCells = row.strings();
        if (!headerMatches(fmt, headerCells)) {
          if (++linesBefore < within) return;
          throw new ImportError(
            `${path}: not a ${fmt.description} file. Columns found: ${sanitizeForMessage(headerCells
              .map((h) => `"${h}"`)
              .join(", "))}. Expected: ${expectedHeaders(fmt).join(", ")}.`,
          );
        }
        b = bindColumns(fmt, headerCells);
        if (!withCycler) {
          // Step type and impedance markers stay: the replay uses them.
          for (const q of ["cycle", "step", "chargeAh", "dischargeAh", "chargeWh", "dischargeWh", "capacityAh", "energyWh"] as Quantity[]) {
            if (q === "step" && fmt.stepStartCurrentFromNext) continue;
            b[q] = NONE;
          }
        }
        return;
      }
      const tS = readValue(row, b.time);
      const v = readValue(row, b.voltage);
      const i = readValue(row, b.current);
      if (!Number.isFinite(tS) || !Number.isFinite(i)) {
        noteSkip(
          stats,
          `line ${row.lineNo}: time "${row.str(b.time.idx)}" or current "${row.str(b.current.idx)}" is not a number`,
        );
        return;
      }
      if (fmt.skipTimeGoingBack === true && tS < lastRowTS) {
        // A test time earlier than the row before: a clock fault of the export.
        noteSkip(stats, `line ${row.lineNo}: test time ${sanitizeForMessage(row.str(b.time.idx))} goes back from ${lastRowTS} s`);
        return;
      }
      lastRowTS = tS;
      rec.line = row.lineNo;
      rec.tS = tS;
      rec.voltageV = v;
      rec.currentA = i * fmt.currentSign;
      if (rec.currentA === 0) rec.currentA = 0; // no −0
      rec.tempC = readValue(row, b.temp);
      rec.cycle = readValue(row, b.cycle);
      rec.step = readValue(row, b.step);
      rec.stepKind = b.stepType.idx >= 0 && fmt.stepKind ? fmt.stepKind(row.str(b.stepType.idx)) : STEP_UNKNOWN;
      const freq = b.impedanceMarker.idx >= 0 ? row.num(b.impedanceMarker.idx) : NaN;
      if (Number.isFinite(freq) && freq !== 0) {
        rec.stepKind = 4; // STEP_OTHER: impedance row
      }
      if (fmt.currentFromStepKind) {
        if (rec.stepKind === 2) rec.currentA = Math.abs(rec.currentA);
        else if (rec.stepKind === 3) rec.currentA = -Math.abs(rec.currentA);
      }
      rec.chargeAh = readValue(row, b.chargeAh);
      rec.dischargeAh = readValue(row, b.dischargeAh);
      rec.chargeWh = readValue(row, b.chargeWh);
      rec.dischargeWh = readValue(row, b.dischargeWh);
      if (b.capacityAh.idx >= 0) {
        const cap = Math.abs(readValue(row, b.capacityAh));
        const en = Math.abs(readValue(row, b.energyWh));
        if (rec.stepKind === 2) {
          rec.chargeAh = cap;
          rec.chargeWh = en;
          rec.dischargeAh = 0;
          rec.dischargeWh = 0;
        } else if (rec.stepKind === 3) {
          rec.dischargeAh = cap;
          rec.dischargeWh = en;
          rec.chargeAh = 0;
          rec.chargeWh = 0;
        }
      }
      if (b.stepTime.idx >= 0) {
        const startS = tS - readValue(row, b.stepTime);
        if (startS > prevRowTS && startS < tS && prevRowI === prevRowI) {
          // The boundary record belongs to the step before: its current, voltage, kind, indices.
          const now = { v: rec.voltageV, i: rec.currentA, temp: rec.tempC, kind: rec.stepKind, cycle: rec.cycle, step: rec.step };
          rec.tS = startS;
          rec.voltageV = prevRow.v;
          rec.currentA = prevRow.i;
          rec.tempC = prevRow.temp;
          rec.stepKind = prevRow.kind;
          rec.cycle = prevRow.cycle;
          rec.step = prevRow.step;
          onRecord(rec);
          rec.tS = tS;
          rec.voltageV = now.v;
          rec.currentA = now.i;
          rec.tempC = now.temp;
          rec.stepKind = now.kind;
          rec.cycle = now.cycle;
          rec.step = now.step;
        }
        prevRowTS = tS;
        prevRowI = rec.currentA;
        prevRow.v = rec.voltageV;
        prevRow.i = rec.currentA;
        prevRow.temp = rec.tempC;
        prevRow.kind = rec.stepKind;
        prevRow.cycle = rec.cycle;
        prevRow.step = rec.step;
      }
      if (fmt.currentHeldBackward) {
        const nowT = rec.tS;
        const nowV = rec.voltageV;
        const nowTemp = rec.tempC;
        const nowI = rec.currentA;
        if (prevI === prevI && nowI !== prevI) {
          rec.tS = prevTS;
          rec.voltageV = prevV;
          rec.tempC = prevTemp;
          stats.records++;
          onRecord(rec);
          rec.tS = nowT;
          rec.voltageV = nowV;
          rec.tempC = nowTemp;
          rec.currentA = nowI;
        }
        prevTS = nowT;
        prevI = nowI;
        prevV = nowV;
        prevTemp = nowTemp;
      }
      if (fmt.stepStartCurrentFromNext && rec.step === rec.step) {
        if (pendingStart) {
          const first = pending.currentA;
          const next = rec.currentA;
          pendingStart = false;
          if (rec.step === pending.step && Math.abs(next) > Math.abs(first) && (first === 0 || first > 0 === next > 0)) {
            // The step's current starts at the step's first record: the previous current holds
            // up to that instant (a boundary record), then the step's current applies.
            if (lastEmittedI === lastEmittedI) {
              pending.currentA = lastEmittedI;
              stats.records++;
              onRecord(pending);
            }
            pending.currentA = next;
          }
          stats.records++;
          onRecord(pending);
          lastEmittedI = pending.currentA;
        }
        if (rec.step !== lastStep) {
          lastStep = rec.step;
          Object.assign(pending, rec);
          pendingStart = true;
          return;
        }
      }
      stats.records++;
      onRecord(rec);
      lastEmittedI = rec.currentA;
  };
  const finish = (): ImportStats => {
    if (b === null) throw new ImportError(`${path}: the file is empty (no header line).`);
    if (pendingStart) {
      stats.records++;
      onRecord(pending);
    }
    return stats;
  };
  return { onRow, finish };
}
