/**
 * Shared machinery for the "one header line, one record per row" formats (BDF, Neware
 * record-level export, Landt Record Tab, BatteryData raw CSV, PyBaMM/PyBOP CSV): find each
 * quantity's column by its accepted header spellings (each with its unit's scale to SI),
 * then stream the rows into `ImportedRecord`s.
 */
import { CsvRow, guessDelimiter, readCsv } from "./csvStream";
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

/** Every quantity, in the order RowValues keeps them. */
const QUANTITIES: readonly Quantity[] = [
  "time", "voltage", "current", "temp", "cycle", "step", "stepType", "chargeAh",
  "dischargeAh", "chargeWh", "dischargeWh", "capacityAh", "energyWh", "impedanceMarker", "stepTime",
];

/** Index of each quantity in a header row, or idx −1. */
export function bindColumns(fmt: TabularFormat, header: string[]): Record<Quantity, Bound> {
  const lower = header.map(normHeader);
  const out = {} as Record<Quantity, Bound>;
  for (const q of QUANTITIES) {
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

const Q_TIME = 0;
const Q_VOLTAGE = 1;
const Q_CURRENT = 2;
const Q_TEMP = 3;
const Q_CYCLE = 4;
const Q_STEP = 5;
const Q_CHARGE_AH = 7;
const Q_DISCHARGE_AH = 8;
const Q_CHARGE_WH = 9;
const Q_DISCHARGE_WH = 10;
const Q_CAPACITY_AH = 11;
const Q_ENERGY_WH = 12;
const Q_IMPEDANCE_MARKER = 13;
const Q_STEP_TIME = 14;

/** One row of a table, as CsvRow hands it out (also built from spreadsheet cells: xlsx.ts). */
export interface TableRow {
  lineNo: number;
  num(i: number): number;
  str(i: number): string;
  strings(): string[];
}

/**
 * A row's bound quantities as numbers in SI units (NaN when absent or not a number): the number
 * columns of a CSV row read in one CsvRow.numbersInto call (other rows field by field), "hms"
 * ones through parseHms.
 */
class RowValues {
  readonly v = new Float64Array(QUANTITIES.length);
  private readonly idx = new Int32Array(QUANTITIES.length);
  private readonly scale = new Float64Array(QUANTITIES.length);
  private readonly hms: number[] = [];

  constructor(private readonly b: Record<Quantity, Bound>) {
    QUANTITIES.forEach((q, k) => {
      const bound = b[q];
      this.idx[k] = bound.parser === "number" ? bound.idx : -1;
      this.scale[k] = bound.scale;
      if (bound.parser === "hms" && bound.idx >= 0) this.hms.push(k);
    });
    // The step type is a label, not a number.
    this.idx[QUANTITIES.indexOf("stepType")] = -1;
  }

  read(row: TableRow): Float64Array {
    if (row instanceof CsvRow) row.numbersInto(this.idx, this.scale, this.v);
    else {
      for (let k = 0; k < this.idx.length; k++) this.v[k] = this.idx[k] >= 0 ? row.num(this.idx[k]) * this.scale[k] : NaN;
    }
    for (let j = 0; j < this.hms.length; j++) {
      const k = this.hms[j];
      this.v[k] = parseHms(row.str(this.b[QUANTITIES[k]].idx)) * this.scale[k];
    }
    return this.v;
  }
}

/** Build a streaming importer for a tabular format. */
export function tabularImporter(fmt: TabularFormat): Importer {
  return {
    format: fmt.format,
    description: fmt.description,
    expected: expectedHeaders(fmt),
    detect: (head: string[][]) => headerLineIn(fmt, head) >= 0,
    tabular: fmt,
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
  const reader = new TabularReader(fmt, path, onRecord, opts?.cyclerColumns !== false);
  const within = fmt.headerWithin ?? 1;
  await readCsv(path, (row) => reader.row(row), {
    // Sampling hands out line 1 as the header: not for tables below metadata lines.
    stride: within > 1 ? undefined : opts?.stride,
    sampleByBytes: opts?.sampleByBytes,
    pause: opts?.pause,
    delimiter: fmt.delimiter ?? (within > 1 ? headerDelimiter(fmt, path) : undefined),
    ...(onProgress ? { onProgress: (done: number, total: number) => onProgress(total > 0 ? done / total : 1) } : {}),
  });
  return reader.finish();
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

/**
 * The row logic of a tabular format for rows from elsewhere (spreadsheet cells: xlsx.ts): the
 * header (found within `headerWithin` rows), then each row as records. `finish` hands out a
 * held record and returns the stats.
 */
export function tabularRows(
  fmt: TabularFormat,
  path: string,
  onRecord: (r: ImportedRecord) => void,
  opts?: ReadOptions,
): { onRow: (row: TableRow) => void; finish: () => ImportStats } {
  const reader = new TabularReader(fmt, path, onRecord, opts?.cyclerColumns !== false);
  return { onRow: (row) => reader.row(row), finish: () => reader.finish() };
}

/** One tabular read: the header binds the columns, then each row becomes a record (or a counted skip). */
class TabularReader {
  readonly stats = newStats();
  private readonly rec = newRecord();
  private b: Record<Quantity, Bound> | null = null;
  private values: RowValues | null = null;
  // currentHeldBackward: the previous row's values.
  private prevTS = NaN;
  private prevI = NaN;
  private prevV = NaN;
  private prevTemp = NaN;
  // stepStartCurrentFromNext: the held first record of the current step.
  private readonly pending = newRecord();
  private pendingStart = false;
  private lastStep = NaN;
  private lastEmittedI = NaN;
  // headerWithin: non-empty lines seen before the header.
  private linesBefore = 0;
  // skipTimeGoingBack: the last accepted row's time.
  private lastRowTS = -Infinity;
  // stepTime: the previous row's time and what a step-start boundary record takes from it.
  private prevRowTS = NaN;
  private readonly prevRow = { v: NaN, i: NaN, temp: NaN, kind: STEP_UNKNOWN, cycle: NaN, step: NaN };

  constructor(
    private readonly fmt: TabularFormat,
    private readonly path: string,
    private readonly onRecord: (r: ImportedRecord) => void,
    private readonly withCycler: boolean,
  ) {}

  row(row: TableRow): void {
    if (this.b === null || this.values === null) {
      this.header(row);
      return;
    }
    const b = this.b;
    const x = this.values.read(row);
    const tS = x[Q_TIME];
    const i = x[Q_CURRENT];
    if (!Number.isFinite(tS) || !Number.isFinite(i)) {
      noteSkip(this.stats, `line ${row.lineNo}: time "${row.str(b.time.idx)}" or current "${row.str(b.current.idx)}" is not a number`);
      return;
    }
    const fmt = this.fmt;
    if (fmt.skipTimeGoingBack === true) {
      if (tS < this.lastRowTS) {
        // A test time earlier than the row before: a clock fault of the export.
        noteSkip(this.stats, `line ${row.lineNo}: test time ${sanitizeForMessage(row.str(b.time.idx))} goes back from ${this.lastRowTS} s`);
        return;
      }
      this.lastRowTS = tS;
    }
    const rec = this.rec;
    rec.line = row.lineNo;
    rec.tS = tS;
    rec.voltageV = x[Q_VOLTAGE];
    rec.currentA = i * fmt.currentSign;
    if (rec.currentA === 0) rec.currentA = 0; // no −0
    rec.tempC = x[Q_TEMP];
    rec.cycle = x[Q_CYCLE];
    rec.step = x[Q_STEP];
    rec.stepKind = b.stepType.idx >= 0 && fmt.stepKind ? fmt.stepKind(row.str(b.stepType.idx)) : STEP_UNKNOWN;
    const freq = x[Q_IMPEDANCE_MARKER];
    if (Number.isFinite(freq) && freq !== 0) {
      rec.stepKind = 4; // STEP_OTHER: impedance row
    }
    if (fmt.currentFromStepKind) {
      if (rec.stepKind === 2) rec.currentA = Math.abs(rec.currentA);
      else if (rec.stepKind === 3) rec.currentA = -Math.abs(rec.currentA);
    }
    rec.chargeAh = x[Q_CHARGE_AH];
    rec.dischargeAh = x[Q_DISCHARGE_AH];
    rec.chargeWh = x[Q_CHARGE_WH];
    rec.dischargeWh = x[Q_DISCHARGE_WH];
    if (b.capacityAh.idx >= 0) this.directionalCounters(Math.abs(x[Q_CAPACITY_AH]), Math.abs(x[Q_ENERGY_WH]));
    if (b.stepTime.idx >= 0) this.stepStartBoundary(tS - x[Q_STEP_TIME]);
    if (fmt.currentHeldBackward) this.holdCurrentBackward();
    if (fmt.stepStartCurrentFromNext && rec.step === rec.step && this.holdStepStart()) return;
    this.emit(rec);
  }

  private header(row: TableRow): void {
    const fmt = this.fmt;
    const headerCells = row.strings();
    if (!headerMatches(fmt, headerCells)) {
      // Tables below metadata lines: the header is one of the first `headerWithin` lines.
      if (++this.linesBefore < (fmt.headerWithin ?? 1)) return;
      throw new ImportError(
        `${this.path}: not a ${fmt.description} file. Columns found: ${sanitizeForMessage(headerCells
          .map((h) => `"${h}"`)
          .join(", "))}. Expected: ${expectedHeaders(fmt).join(", ")}.`,
      );
    }
    const b = bindColumns(fmt, headerCells);
    if (!this.withCycler) {
      // Step type and impedance markers stay: the replay uses them.
      for (const q of ["cycle", "step", "chargeAh", "dischargeAh", "chargeWh", "dischargeWh", "capacityAh", "energyWh"] as Quantity[]) {
        if (q === "step" && fmt.stepStartCurrentFromNext) continue;
        b[q] = NONE;
      }
    }
    this.b = b;
    this.values = new RowValues(b);
  }

  /** A single capacity / energy counter whose direction the step type decides (Landt). */
  private directionalCounters(cap: number, en: number): void {
    const rec = this.rec;
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

  /**
   * stepTime: a row whose step began after the previous row (at `startS`) gets a boundary record
   * at the step start first, carrying the previous row's current, voltage, kind and indices.
   */
  private stepStartBoundary(startS: number): void {
    const rec = this.rec;
    const prev = this.prevRow;
    const tS = rec.tS;
    if (startS > this.prevRowTS && startS < tS && prev.i === prev.i) {
      const v = rec.voltageV;
      const i = rec.currentA;
      const temp = rec.tempC;
      const kind = rec.stepKind;
      const cycle = rec.cycle;
      const step = rec.step;
      rec.tS = startS;
      rec.voltageV = prev.v;
      rec.currentA = prev.i;
      rec.tempC = prev.temp;
      rec.stepKind = prev.kind;
      rec.cycle = prev.cycle;
      rec.step = prev.step;
      this.onRecord(rec);
      rec.tS = tS;
      rec.voltageV = v;
      rec.currentA = i;
      rec.tempC = temp;
      rec.stepKind = kind;
      rec.cycle = cycle;
      rec.step = step;
    }
    this.prevRowTS = tS;
    prev.v = rec.voltageV;
    prev.i = rec.currentA;
    prev.temp = rec.tempC;
    prev.kind = rec.stepKind;
    prev.cycle = rec.cycle;
    prev.step = rec.step;
  }

  /** currentHeldBackward: a changed current also gets a record at the previous row's time. */
  private holdCurrentBackward(): void {
    const rec = this.rec;
    const nowT = rec.tS;
    const nowV = rec.voltageV;
    const nowTemp = rec.tempC;
    const nowI = rec.currentA;
    if (this.prevI === this.prevI && nowI !== this.prevI) {
      rec.tS = this.prevTS;
      rec.voltageV = this.prevV;
      rec.tempC = this.prevTemp;
      this.stats.records++;
      this.onRecord(rec);
      rec.tS = nowT;
      rec.voltageV = nowV;
      rec.tempC = nowTemp;
      rec.currentA = nowI;
    }
    this.prevTS = nowT;
    this.prevI = nowI;
    this.prevV = nowV;
    this.prevTemp = nowTemp;
  }

  /**
   * stepStartCurrentFromNext: emit the held first record of the previous step (with this step's
   * current when it applies); hold this record when it opens a step (returns true: not emitted yet).
   */
  private holdStepStart(): boolean {
    const rec = this.rec;
    const pending = this.pending;
    if (this.pendingStart) {
      const first = pending.currentA;
      const next = rec.currentA;
      this.pendingStart = false;
      if (rec.step === pending.step && Math.abs(next) > Math.abs(first) && (first === 0 || first > 0 === next > 0)) {
        // The step's current starts at the step's first record: the previous current holds
        // up to that instant (a boundary record), then the step's current applies.
        if (this.lastEmittedI === this.lastEmittedI) {
          pending.currentA = this.lastEmittedI;
          this.stats.records++;
          this.onRecord(pending);
        }
        pending.currentA = next;
      }
      this.emit(pending);
    }
    if (rec.step !== this.lastStep) {
      this.lastStep = rec.step;
      Object.assign(pending, rec);
      this.pendingStart = true;
      return true;
    }
    return false;
  }

  private emit(r: ImportedRecord): void {
    this.stats.records++;
    this.onRecord(r);
    this.lastEmittedI = r.currentA;
  }

  finish(): ImportStats {
    if (this.b === null) throw new ImportError(`${this.path}: the file is empty (no header line).`);
    if (this.pendingStart) {
      this.stats.records++;
      this.onRecord(this.pending);
    }
    return this.stats;
  }
}
