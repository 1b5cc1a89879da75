/**
 * What every importer produces: one record per data row, normalised to SI units and to the
 * zbms sign convention (positive current charges the cell). Fields a format lacks are NaN.
 *
 * Importers reuse one record object from row to row: copy what you keep.
 */
import type { TabularFormat } from "./tabular";

/** Step kinds a cycler labels its steps with (from its own step-type column). */
export const STEP_UNKNOWN = 0;
export const STEP_REST = 1;
export const STEP_CHARGE = 2;
export const STEP_DISCHARGE = 3;
/** Impedance / EIS / pulse steps: voltage may be junk; not a charge or discharge. */
export const STEP_OTHER = 4;

export interface ImportedRecord {
  /** Line of the source file this record came from (1-based); NaN when not line-based. */
  line: number;
  /** Time since the start of the test (s). */
  tS: number;
  /** Terminal voltage (V). */
  voltageV: number;
  /** Current (A), + = charge. */
  currentA: number;
  /** Temperature (°C); NaN when absent. */
  tempC: number;
  /** Cycler's cycle number; NaN when absent. */
  cycle: number;
  /** Cycler's step number; NaN when absent. */
  step: number;
  /** STEP_* kind from the cycler's label; STEP_UNKNOWN when the format has none. */
  stepKind: number;
  /** Per-cell voltages (V) when the format has them (zbms logs); empty otherwise. */
  cellsV: number[];
  /** All temperature channels (°C) when the format has several; empty otherwise. */
  tempsC: number[];
  /** 1 on the first record after the board restarted from a stored model state. */
  restored: number;
  /** Cycler's own running counters (Ah, Wh, positive), as the file states them; NaN when absent. */
  chargeAh: number;
  dischargeAh: number;
  chargeWh: number;
  dischargeWh: number;
}

export function newRecord(): ImportedRecord {
  return {
    line: NaN,
    tS: NaN,
    voltageV: NaN,
    currentA: NaN,
    tempC: NaN,
    cycle: NaN,
    step: NaN,
    stepKind: STEP_UNKNOWN,
    cellsV: [],
    tempsC: [],
    restored: 0,
    chargeAh: NaN,
    dischargeAh: NaN,
    chargeWh: NaN,
    dischargeWh: NaN,
  };
}

/** Supported input formats. */
export type FormatId =
  | "zbms-log"
  | "bdf"
  | "neware-record"
  | "neware-regular"
  | "landt-record"
  | "batterydata-raw"
  | "pybamm"
  | "arbin"
  | "maccor"
  | "pec"
  | "biologic-mpt"
  | "landt-raw"
  | "biologic-mpr"
  | "neware-xlsx"
  | "neware-ndax"
  | "neware-nda";

export const FORMAT_IDS: readonly FormatId[] = [
  "zbms-log",
  "bdf",
  "neware-record",
  "neware-regular",
  "landt-record",
  "batterydata-raw",
  "pybamm",
  "arbin",
  "maccor",
  "pec",
  "biologic-mpt",
  "landt-raw",
  "biologic-mpr",
  "neware-xlsx",
  "neware-ndax",
  "neware-nda",
];

/** Progress callback: fraction of the input read so far (0..1). */
export type ProgressFn = (frac: number) => void;

/** One streaming importer. */
export interface Importer {
  format: FormatId;
  /** Human description (used in error messages and the report). */
  description: string;
  /** Columns (or markers) this format needs, for the unknown-format error. */
  expected: readonly string[];
  /** True when a file's first lines (split into cells) look like this format. */
  detect(head: string[][]): boolean;
  /** The column table, for the "one header line, one record per row" formats (tabular.ts). */
  tabular?: TabularFormat;
  /**
   * Stream the file, calling `onRecord` for every data row (the record object is reused).
   * Rejects with an ImportError quoting the bad value and line on malformed input.
   */
  read(
    path: string,
    onRecord: (r: ImportedRecord) => void,
    onProgress?: ProgressFn,
    onCyclerCycle?: (c: CyclerCycle) => void,
    opts?: ReadOptions,
  ): Promise<ImportStats>;
}

export interface ReadOptions {
  /**
   * Parse the cycler's own cycle/step numbers and capacity/energy counters (default true).
   * The replay needs none of them: false skips their parsing on long inputs.
   */
  cyclerColumns?: boolean;
  /**
   * Deliver only a systematic sample of the rows (see CsvReadOptions.stride) for quick
   * statistics; importers that cannot sample deliver every row. `line` tells which rows came.
   */
  stride?: number;
  /** With stride: sample by byte position (CsvReadOptions.sampleByBytes; line numbers estimated). */
  sampleByBytes?: boolean;
  /** Flow control of a consumer (CsvReadOptions.pause); importers that cannot pause ignore it. */
  pause?: () => Promise<void> | undefined;
}

/** A cycler's own per-cycle summary row, where the format carries one (Neware regular export). */
export interface CyclerCycle {
  cycle: number;
  chargeAh: number;
  dischargeAh: number;
  chargeWh: number;
  dischargeWh: number;
}

export interface ImportStats {
  /** Data rows delivered. */
  records: number;
  /** Rows skipped (unparseable time, voltage or current), with the first few reasons. */
  skipped: number;
  skippedExamples: string[];
}

/** Bad or unsupported input: the message quotes what was found and what is accepted. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportError";
  }
}

/** How many skipped-row reasons to keep for the report. */
export const MAX_SKIP_EXAMPLES = 5;

export function newStats(): ImportStats {
  return { records: 0, skipped: 0, skippedExamples: [] };
}

export function noteSkip(stats: ImportStats, reason: string): void {
  stats.skipped++;
  if (stats.skippedExamples.length < MAX_SKIP_EXAMPLES) stats.skippedExamples.push(reason);
}
