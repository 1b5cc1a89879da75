/**
 * Shared machinery for the "one header line, one record per row" formats (BDF, Neware
 * record-level export, Landt Record Tab, BatteryData raw CSV, PyBaMM/PyBOP CSV): find each
 * quantity's column by its accepted header spellings (each with its unit's scale to SI),
 * then stream the rows into `ImportedRecord`s.
 */
import { readCsv, type CsvRow } from "../bdf/csvStream";
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
  | "impedanceMarker";

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
}

interface Bound {
  idx: number;
  scale: number;
  parser: ValueParser;
}

const NONE: Bound = { idx: -1, scale: 1, parser: "number" };

/** Index of each quantity in a header row, or idx −1. */
export function bindColumns(fmt: TabularFormat, header: string[]): Record<Quantity, Bound> {
  const lower = header.map((h) => h.trim().toLowerCase());
  const out = {} as Record<Quantity, Bound>;
  const all: Quantity[] = [
    "time", "voltage", "current", "temp", "cycle", "step", "stepType", "chargeAh",
    "dischargeAh", "chargeWh", "dischargeWh", "capacityAh", "energyWh", "impedanceMarker",
  ];
  for (const q of all) {
    out[q] = NONE;
    const aliases = fmt.columns[q];
    if (!aliases) continue;
    for (const a of aliases) {
      const i = lower.indexOf(a.header.toLowerCase());
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
  const lower = header.map((h) => h.trim().toLowerCase());
  for (const m of fmt.markers ?? []) if (lower.indexOf(m.toLowerCase()) < 0) return false;
  return true;
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

/** Every quantity, in the order RowValues keeps them. */
const QUANTITIES: readonly Quantity[] = [
  "time", "voltage", "current", "temp", "cycle", "step", "stepType", "chargeAh",
  "dischargeAh", "chargeWh", "dischargeWh", "capacityAh", "energyWh", "impedanceMarker",
];
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

/**
 * A row's bound quantities as numbers in SI units (NaN when absent or not a number): the number
 * columns read in one CsvRow.numbersInto call, "hms" ones through parseHms.
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

  read(row: CsvRow): Float64Array {
    row.numbersInto(this.idx, this.scale, this.v);
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
    detect: (head: string[][]) => head.length > 0 && headerMatches(fmt, head[0]),
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
  await readCsv(path, (row) => reader.row(row), {
    stride: opts?.stride,
    sampleByBytes: opts?.sampleByBytes,
    pause: opts?.pause,
    ...(onProgress ? { onProgress: (done: number, total: number) => onProgress(total > 0 ? done / total : 1) } : {}),
  });
  return reader.finish();
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

  constructor(
    private readonly fmt: TabularFormat,
    private readonly path: string,
    private readonly onRecord: (r: ImportedRecord) => void,
    private readonly withCycler: boolean,
  ) {}

  row(row: CsvRow): void {
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
    const rec = this.rec;
    const fmt = this.fmt;
    rec.line = row.lineNo;
    rec.tS = tS;
    rec.voltageV = x[Q_VOLTAGE];
    rec.currentA = i * fmt.currentSign;
    if (rec.currentA === 0) rec.currentA = 0; // no −0
    rec.tempC = x[Q_TEMP];
    rec.cycle = x[Q_CYCLE];
    rec.step = x[Q_STEP];
    rec.stepKind = b.stepType.idx >= 0 && fmt.stepKind ? fmt.stepKind(row.str(b.stepType.idx)) : STEP_UNKNOWN;
    if (b.impedanceMarker.idx >= 0 && Number.isFinite(row.num(b.impedanceMarker.idx))) {
      rec.stepKind = 4; // STEP_OTHER: impedance row
    }
    rec.chargeAh = x[Q_CHARGE_AH];
    rec.dischargeAh = x[Q_DISCHARGE_AH];
    rec.chargeWh = x[Q_CHARGE_WH];
    rec.dischargeWh = x[Q_DISCHARGE_WH];
    if (b.capacityAh.idx >= 0) this.directionalCounters(Math.abs(x[Q_CAPACITY_AH]), Math.abs(x[Q_ENERGY_WH]));
    if (fmt.currentHeldBackward) this.holdCurrentBackward();
    if (fmt.stepStartCurrentFromNext && rec.step === rec.step && this.holdStepStart()) return;
    this.emit(rec);
  }

  private header(row: CsvRow): void {
    const fmt = this.fmt;
    const headerCells = row.strings();
    if (!headerMatches(fmt, headerCells)) {
      throw new ImportError(
        `${this.path}: not a ${fmt.description} file. Columns found: ${headerCells
          .map((h) => `"${h}"`)
          .join(", ")}. Expected: ${expectedHeaders(fmt).join(", ")}.`,
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
