/**
 * Pass 1 of the analysis replay in WebAssembly (rowColumns.wat, bytes in the generated
 * rowColumnsWasm.ts): `WasmRowColumnizer` has RowColumnizer's surface (host/analyze/rowColumns.ts)
 * and gives bit for bit its columns, return values, plot series and impedance count
 * (test/host/analyze/rowColumnsWasm.test.ts). The read worker uses it (readWorker.ts), where
 * the JS pass took ≈ 20 ns per row and the worker is the replay's critical path;
 * `createColumnizer` falls back to the JS RowColumnizer when WebAssembly is not there or the
 * module cannot be instantiated.
 *
 * One instance per read: the module is compiled once per process, and each instance gets a
 * memory created at its final size (maximum = initial) and never grown — growing detaches the
 * memory's ArrayBuffer, and the first detach in an isolate slows every typed-array access of V8's
 * optimised code for the rest of the process (host/import/wasm/numericRows.ts, readWorker.ts).
 *
 * Memory layout: the state block at 0 (parameters, the state carried from call to call, the last
 * call's impedance count; documented in the .wat), the records region at RECORDS_AT (one batch,
 * FIELDS_PER_RECORD f64 per record), the columns region at COLUMNS_AT (COLUMNS columns of
 * COLUMN_BATCH_ROWS f64). `columnize` copies the records in with one `set`, runs the module, and
 * copies each column it wrote out with one `set`. A row that opens a new plot bucket (≈ 3000 per
 * input) calls back into JS (`open` below), which runs the Decimator as RowColumnizer does.
 */
import { BATCH_RECORDS, F_I, F_RESTORED, F_STEP_KIND, F_T, F_TEMP, F_V, FIELDS_PER_RECORD } from "../batchLayout";
import { STEP_OTHER, STEP_REST } from "../../import/record";
import {
  COLUMNS,
  COLUMN_BATCH_ROWS,
  C_CURRENT_A,
  C_DQ_AH,
  C_DQ_BIN,
  C_OPEN_CIRCUIT,
  C_RESTORED,
  C_TEMP_C,
  C_T_MS,
  C_V,
  DQDV_BINS,
  DUPLICATE_TOLERANCE_MS,
  Decimator,
  MS_PER_H,
  MS_PER_S,
  NUDGE_MS,
  QUICK_BIN_MARGIN_FRAC,
  RowColumnizer,
  type ColumnParams,
  type PlotSeries,
} from "../rowColumns";
import { ROW_COLUMNS_WASM_BASE64 } from "./rowColumnsWasm";
import { WASM_PAGE_BYTES, wasmApi, type WasmApi, type WasmGlobal } from "../../import/wasm/wasmApi";

/** What rowColumns.wat exports: `columnize` and its layout (byte offsets, sizes, constants). */
interface ColumnsExports {
  columnize(recordsAt: number, columnsAt: number, count: number): number;
  [layout: string]: WasmGlobal | ((...args: number[]) => number);
}

/**
 * Slots of the state block (f64 index = the .wat's byte offset / 8; each checked against the
 * module's `<NAME>_AT` export at the first instantiation).
 */
const S_PLOT_START_S = 0;
const S_PLOT_WIDTH_S = 1;
const S_V_LO = 2;
const S_BIN_W = 3;
const S_ZERO_IS_OPEN = 4;
const S_TEMPS = 5;
const S_PREV_T_MS = 6;
const S_PREV_RAW_T_MS = 7;
const S_PREV_I = 8;
const S_HAVE_PREV = 9;
const S_DEC_V_MIN = 10;
const S_DEC_V_MAX = 11;
const S_DEC_I_MIN = 12;
const S_DEC_I_MAX = 13;
const S_DEC_LO_MS = 14;
const S_DEC_HI_MS = 15;
const S_Q_LO_V = 16;
const S_Q_HI_V = 17;
const S_Q_BIN = 18;
const S_BUCKET = 19;
const S_IMPEDANCE = 20;
/** Slots in all. */
const STATE_SLOTS = 21;

const STATE_LAYOUT: [string, number][] = [
  ["PLOT_START_S_AT", S_PLOT_START_S],
  ["PLOT_WIDTH_S_AT", S_PLOT_WIDTH_S],
  ["V_LO_AT", S_V_LO],
  ["BIN_W_AT", S_BIN_W],
  ["ZERO_IS_OPEN_AT", S_ZERO_IS_OPEN],
  ["TEMPS_AT", S_TEMPS],
  ["PREV_T_MS_AT", S_PREV_T_MS],
  ["PREV_RAW_T_MS_AT", S_PREV_RAW_T_MS],
  ["PREV_I_AT", S_PREV_I],
  ["HAVE_PREV_AT", S_HAVE_PREV],
  ["DEC_V_MIN_AT", S_DEC_V_MIN],
  ["DEC_V_MAX_AT", S_DEC_V_MAX],
  ["DEC_I_MIN_AT", S_DEC_I_MIN],
  ["DEC_I_MAX_AT", S_DEC_I_MAX],
  ["DEC_LO_MS_AT", S_DEC_LO_MS],
  ["DEC_HI_MS_AT", S_DEC_HI_MS],
  ["Q_LO_V_AT", S_Q_LO_V],
  ["Q_HI_V_AT", S_Q_HI_V],
  ["Q_BIN_AT", S_Q_BIN],
  ["BUCKET_AT", S_BUCKET],
  ["IMPEDANCE_AT", S_IMPEDANCE],
];

/** Bytes per f64: the module addresses bytes, the layouts count f64s. */
const F64_BYTES = Float64Array.BYTES_PER_ELEMENT;
/** Address of the records region: after the state block (STATE_BYTES, checked), 8-aligned. */
const RECORDS_AT = 1024;
/** Address of the columns region: after one batch of records. */
const COLUMNS_AT = RECORDS_AT + BATCH_RECORDS * FIELDS_PER_RECORD * F64_BYTES;
/** The memory's size: state, records, columns (8 MiB + 1 KiB: 129 pages). */
const MEMORY_PAGES = Math.ceil((COLUMNS_AT + COLUMNS * COLUMN_BATCH_ROWS * F64_BYTES) / WASM_PAGE_BYTES);

/** The compiled module: compiled on first use, once per process. */
let compiled: object | undefined;
/** Set once the module's layout exports were checked against batchLayout.ts and rowColumns.ts. */
let layoutChecked = false;

function checkLayout(x: ColumnsExports): void {
  const value = (name: string): number => {
    const g = x[name];
    return typeof g === "object" && g !== null ? g.value : NaN;
  };
  const want: [string, number][] = [
    ...STATE_LAYOUT.map(([name, slot]): [string, number] => [name, slot * F64_BYTES]),
    ["STATE_BYTES", STATE_SLOTS * F64_BYTES],
    ["RECORD_BYTES", FIELDS_PER_RECORD * F64_BYTES],
    ["T_AT", F_T * F64_BYTES],
    ["V_AT", F_V * F64_BYTES],
    ["I_AT", F_I * F64_BYTES],
    ["TEMP_AT", F_TEMP * F64_BYTES],
    ["STEP_KIND_AT", F_STEP_KIND * F64_BYTES],
    ["RESTORED_AT", F_RESTORED * F64_BYTES],
    ["COLUMN_ROWS", COLUMN_BATCH_ROWS],
    ["COL_T_MS_AT", C_T_MS * COLUMN_BATCH_ROWS * F64_BYTES],
    ["COL_CURRENT_A_AT", C_CURRENT_A * COLUMN_BATCH_ROWS * F64_BYTES],
    ["COL_V_AT", C_V * COLUMN_BATCH_ROWS * F64_BYTES],
    ["COL_TEMP_C_AT", C_TEMP_C * COLUMN_BATCH_ROWS * F64_BYTES],
    ["COL_OPEN_CIRCUIT_AT", C_OPEN_CIRCUIT * COLUMN_BATCH_ROWS * F64_BYTES],
    ["COL_RESTORED_AT", C_RESTORED * COLUMN_BATCH_ROWS * F64_BYTES],
    ["COL_DQ_AH_AT", C_DQ_AH * COLUMN_BATCH_ROWS * F64_BYTES],
    ["COL_DQ_BIN_AT", C_DQ_BIN * COLUMN_BATCH_ROWS * F64_BYTES],
    ["MS_PER_S", MS_PER_S],
    ["MS_PER_H", MS_PER_H],
    ["DUPLICATE_TOLERANCE_MS", DUPLICATE_TOLERANCE_MS],
    ["NUDGE_MS", NUDGE_MS],
    ["DQDV_BINS", DQDV_BINS],
    ["QUICK_BIN_MARGIN_FRAC", QUICK_BIN_MARGIN_FRAC],
    ["STEP_OTHER", STEP_OTHER],
    ["STEP_REST", STEP_REST],
  ];
  const bad = want.filter(([name, need]) => !Object.is(value(name), need)).map(([name, need]) => `${name} = ${value(name)}, expected ${need}`);
  if (COLUMN_BATCH_ROWS !== BATCH_RECORDS) bad.push(`COLUMN_BATCH_ROWS = ${COLUMN_BATCH_ROWS}, expected BATCH_RECORDS = ${BATCH_RECORDS}`);
  if (STATE_SLOTS * F64_BYTES > RECORDS_AT) bad.push(`STATE_BYTES = ${STATE_SLOTS * F64_BYTES}, expected at most RECORDS_AT = ${RECORDS_AT}`);
  if (bad.length > 0) {
    throw new Error(
      `host/analyze/wasm/rowColumns.wat does not match batchLayout.ts / rowColumns.ts / rowColumnsWasmColumnizer.ts: ${bad.join("; ")}. Fix the .wat and run \`npm run build:wasm\`.`,
    );
  }
  layoutChecked = true;
}

/** Pass 1 over successive record batches of one input, in WebAssembly (state carried from batch to batch). */
export class WasmRowColumnizer {
  readonly dec: Decimator;
  /** Rows labelled impedance / pulse (STEP_OTHER): fed to the model with an invalid voltage. */
  impedanceRows = 0;
  private readonly x: ColumnsExports;
  /** The state block (a view of the module's memory; slots S_*). */
  private readonly st: Float64Array;
  /** The records region: one batch. */
  private readonly records: Float64Array;
  /** Column c of the columns region (COLUMN_BATCH_ROWS rows). */
  private readonly cols: Float64Array[];

  private constructor(
    readonly params: ColumnParams,
    api: WasmApi,
    module: object,
  ) {
    const dec = (this.dec = new Decimator(params.plotStartS, params.plotWidthS));
    const memory = new api.Memory({ initial: MEMORY_PAGES, maximum: MEMORY_PAGES });
    const st = (this.st = new Float64Array(memory.buffer, 0, STATE_SLOTS));
    // A row opens plot bucket `bucket`: what RowColumnizer.columnize does on that branch, the
    // open bucket's extremes taken from the state block and the new safe range written there.
    const open = (bucket: number, tS: number, v: number, iA: number): void => {
      dec.vMin = st[S_DEC_V_MIN];
      dec.vMax = st[S_DEC_V_MAX];
      dec.iMin = st[S_DEC_I_MIN];
      dec.iMax = st[S_DEC_I_MAX];
      dec.open(bucket, tS, v, iA);
      st[S_DEC_LO_MS] = dec.safeLoS(bucket) * MS_PER_S;
      st[S_DEC_HI_MS] = dec.safeHiS(bucket) * MS_PER_S;
    };
    this.x = new api.Instance(module, { env: { mem: memory, open } }).exports as unknown as ColumnsExports;
    if (!layoutChecked) checkLayout(this.x);
    this.records = new Float64Array(memory.buffer, RECORDS_AT, BATCH_RECORDS * FIELDS_PER_RECORD);
    this.cols = Array.from({ length: COLUMNS }, (_, c) => new Float64Array(memory.buffer, COLUMNS_AT + c * COLUMN_BATCH_ROWS * F64_BYTES, COLUMN_BATCH_ROWS));
    st[S_PLOT_START_S] = params.plotStartS;
    st[S_PLOT_WIDTH_S] = params.plotWidthS;
    st[S_V_LO] = params.vLo;
    st[S_BIN_W] = params.binW;
    st[S_ZERO_IS_OPEN] = params.zeroIsOpen ? 1 : 0;
    st[S_TEMPS] = params.temps ? 1 : 0;
    // RowColumnizer's first values.
    st[S_PREV_T_MS] = -Infinity;
    st[S_PREV_RAW_T_MS] = -Infinity;
    st[S_PREV_I] = NaN;
    st[S_HAVE_PREV] = 0;
    st[S_DEC_V_MIN] = NaN;
    st[S_DEC_V_MAX] = NaN;
    st[S_DEC_I_MIN] = NaN;
    st[S_DEC_I_MAX] = NaN;
    // No bucket open: an empty safe range.
    st[S_DEC_LO_MS] = NaN;
    st[S_DEC_HI_MS] = NaN;
    st[S_Q_LO_V] = NaN;
    st[S_Q_HI_V] = NaN;
    st[S_Q_BIN] = 0;
    st[S_BUCKET] = dec.bucket;
    st[S_IMPEDANCE] = 0;
  }

  /** An instance for one input; undefined when this runtime has no WebAssembly. Throws if the module does not match (checkLayout). */
  static create(params: ColumnParams): WasmRowColumnizer | undefined {
    const api = wasmApi();
    if (api === undefined) return undefined;
    if (compiled === undefined) compiled = new api.Module(Buffer.from(ROW_COLUMNS_WASM_BASE64, "base64"));
    return new WasmRowColumnizer(params, api, compiled);
  }

  /**
   * Records 0 … count − 1 of `b` (record layout) into the columns of `out` (column layout for
   * `rows` rows, rows ≥ count; count ≤ BATCH_RECORDS). Returns the number of restored rows in
   * the batch. Writes the columns RowColumnizer.columnize writes, and only those.
   */
  columnize(b: Float64Array, count: number, out: Float64Array, rows: number): number {
    if (count > rows || out.length < COLUMNS * rows) {
      throw new Error(`WasmRowColumnizer: ${count} records do not fit a column batch of ${rows} rows (${out.length} numbers)`);
    }
    const fields = count * FIELDS_PER_RECORD;
    if (count > BATCH_RECORDS) throw new Error(`WasmRowColumnizer: ${count} records in one call; its records region holds ${BATCH_RECORDS}`);
    if (b.length < fields) throw new Error(`WasmRowColumnizer: ${count} records asked of a batch of ${b.length / FIELDS_PER_RECORD}`);
    this.records.set(b.length === fields ? b : b.subarray(0, fields));
    const restoredRows = this.x.columnize(RECORDS_AT, COLUMNS_AT, count);
    this.impedanceRows += this.st[S_IMPEDANCE];
    const cols = this.cols;
    for (let c = 0; c < COLUMNS; c++) {
      if (c === C_TEMP_C && !this.params.temps) continue;
      if (c === C_RESTORED && restoredRows === 0) continue;
      out.set(count === COLUMN_BATCH_ROWS ? cols[c] : cols[c].subarray(0, count), c * rows);
    }
    return restoredRows;
  }

  /** The plot series so far, with the open bucket's extremes written. */
  series(): PlotSeries {
    const dec = this.dec;
    dec.vMin = this.st[S_DEC_V_MIN];
    dec.vMax = this.st[S_DEC_V_MAX];
    dec.iMin = this.st[S_DEC_I_MIN];
    dec.iMax = this.st[S_DEC_I_MAX];
    return dec.series();
  }
}

/** What the read worker needs of pass 1 (RowColumnizer and WasmRowColumnizer both have it). */
export type Columnizer = Pick<RowColumnizer, "columnize" | "series" | "impedanceRows">;

/** Pass 1 for one input: in WebAssembly, or the JS RowColumnizer when the module cannot run here. */
export function createColumnizer(params: ColumnParams): Columnizer {
  try {
    const wasm = WasmRowColumnizer.create(params);
    if (wasm !== undefined) return wasm;
  } catch {
    // No usable WebAssembly: the JS pass gives the same columns.
  }
  return new RowColumnizer(params);
}
