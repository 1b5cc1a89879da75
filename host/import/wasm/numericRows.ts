/**
 * The numericRows WebAssembly module (numericRows.wat, bytes in the generated numericRowsWasm.ts)
 * for host/import/numericFast.ts: compiled once per process, instantiated once per read over a
 * memory sized once for that read and never grown.
 *
 * Why never grown: `memory.grow` detaches the memory's old ArrayBuffer, and the first detach in
 * an isolate invalidates V8's ArrayBufferDetaching protector, after which every typed-array
 * access of optimised code checks for detachment (the analyze replay took ≈ 70 ms more per 10⁷
 * rows; see host/analyze/readWorker.ts). So the memory is created at its final size, with that
 * size as its maximum too.
 *
 * Memory layout of one read: the module's tables (powers of ten, the column plan) at 0, then
 * the records region (one batch, FIELDS_PER_RECORD f64 per record), then the input buffer the
 * file is read into.
 */
import { F_I, F_LINE, F_RESTORED, F_STEP_KIND, F_T, F_TEMP, F_V, FIELDS_PER_RECORD } from "../../analyze/batchLayout";
import { EXACT_POW10 } from "../../bdf/csvStream";
import { NUMERIC_ROWS_WASM_BASE64 } from "./numericRowsWasm";
import { WASM_PAGE_BYTES, wasmApi, type WasmApi, type WasmGlobal, type WasmMemory } from "./wasmApi";

/** What numericRows.wat exports. */
interface RowsExports {
  setup(planLen: number, delim: number, out: number, capacity: number, sign: number, stepUnknown: number): void;
  rows(p: number, limit: number, n: number, line: number): number;
  RESULTS_AT: WasmGlobal;
  POW10_AT: WasmGlobal;
  POW10_COUNT: WasmGlobal;
  PLAN_AT: WasmGlobal;
  PLAN_MAX: WasmGlobal;
  PLAN_ENTRY_BYTES: WasmGlobal;
  TABLES_BYTES: WasmGlobal;
  MAX_DIGITS: WasmGlobal;
  RECORD_BYTES: WasmGlobal;
  LINE_AT: WasmGlobal;
  T_AT: WasmGlobal;
  V_AT: WasmGlobal;
  I_AT: WasmGlobal;
  TEMP_AT: WasmGlobal;
  STEP_KIND_AT: WasmGlobal;
  RESTORED_AT: WasmGlobal;
  DONE: WasmGlobal;
  FULL: WasmGlobal;
  ODD: WasmGlobal;
}

/** `rows` statuses (numericRows.wat; checked against its exports at the first instantiation). */
export const enum RowsStatus {
  /** Every row up to the limit read; `pos` = limit + 1. */
  DONE = 0,
  /** The records region is full; `pos` = the next row. */
  FULL = 1,
  /** `pos` = the first byte of a row JS must read (its line not counted yet), `end` = its LF. */
  ODD = 2,
}

/** Most pages a wasm32 memory can have (4 GiB). */
const MAX_PAGES = 65536;
/** Bytes per record field (f64): the module addresses bytes, the batch layout counts f64s. */
const F64_BYTES = Float64Array.BYTES_PER_ELEMENT;
/**
 * Address of the records region: after the module's tables (its TABLES_BYTES export, 216;
 * checked at the first instantiation), with room to spare, 8-aligned for the f64 view.
 */
const RECORDS_AT = 1024;
/** The results block (numericRows.wat RESULTS_AT): 3 i32 (pos, count, end) from byte 0, then the f64 line at byte 16 (8-aligned). */
const RESULT_I32S = 3;
const RESULT_LINE_AT = 16;

/** One bound column for the module: its index, the record field it feeds (F_*) and its scale. */
export interface PlanColumn {
  idx: number;
  field: number;
  scale: number;
}

/** The compiled module: compiled on first use, once per process. */
let compiled: object | undefined;
/** Set once the module's layout exports were checked against batchLayout.ts. */
let layoutChecked = false;

function checkLayout(x: RowsExports): void {
  const want: [string, number, number][] = [
    ["RECORD_BYTES", x.RECORD_BYTES.value, FIELDS_PER_RECORD * F64_BYTES],
    ["LINE_AT", x.LINE_AT.value, F_LINE * F64_BYTES],
    ["T_AT", x.T_AT.value, F_T * F64_BYTES],
    ["V_AT", x.V_AT.value, F_V * F64_BYTES],
    ["I_AT", x.I_AT.value, F_I * F64_BYTES],
    ["TEMP_AT", x.TEMP_AT.value, F_TEMP * F64_BYTES],
    ["STEP_KIND_AT", x.STEP_KIND_AT.value, F_STEP_KIND * F64_BYTES],
    ["RESTORED_AT", x.RESTORED_AT.value, F_RESTORED * F64_BYTES],
    ["DONE", x.DONE.value, RowsStatus.DONE],
    ["FULL", x.FULL.value, RowsStatus.FULL],
    ["ODD", x.ODD.value, RowsStatus.ODD],
    // 10^(MAX_DIGITS) must be in the table, and exact (EXACT_POW10 holds the exact ones).
    ["POW10_COUNT", x.POW10_COUNT.value, x.MAX_DIGITS.value + 1],
  ];
  const bad: [string, number, number][] = want.filter(([, got, need]) => got !== need);
  if (x.TABLES_BYTES.value > RECORDS_AT) bad.push(["TABLES_BYTES (at most)", x.TABLES_BYTES.value, RECORDS_AT]);
  if (x.POW10_COUNT.value > EXACT_POW10.length) bad.push(["POW10_COUNT (at most, exact powers)", x.POW10_COUNT.value, EXACT_POW10.length]);
  if (bad.length > 0) {
    throw new Error(
      `host/import/wasm/numericRows.wat does not match host/analyze/batchLayout.ts / numericRows.ts: ${bad
        .map(([name, got, need]) => `${name} = ${got}, expected ${need}`)
        .join("; ")}. Fix the .wat and run \`npm run build:wasm\`.`,
    );
  }
  layoutChecked = true;
}

/** One read's instance of the module and its memory. */
export class NumericRowsWasm {
  /** The input buffer (a view of the module's memory): the file is read straight into it. */
  readonly input: Uint8Array;
  /** The records region (a view of the module's memory): `capacity` records. */
  readonly records: Float64Array;
  /** Address of input[0] in the module's memory. */
  readonly inputAt: number;
  /** Most bound columns the module takes. */
  readonly planMax: number;
  private readonly x: RowsExports;
  private readonly memory: WasmMemory;
  /** The results of `rows` (RESULTS_AT): i32 pos, count, end; f64 line at +16. */
  private readonly resultsI32: Int32Array;
  private readonly resultsF64: Float64Array;

  private constructor(api: WasmApi, module: object, capacity: number, inputBytes: number, pages: number) {
    this.memory = new api.Memory({ initial: pages, maximum: pages });
    this.x = new api.Instance(module, { env: { mem: this.memory } }).exports as unknown as RowsExports;
    if (!layoutChecked) checkLayout(this.x);
    this.records = new Float64Array(this.memory.buffer, RECORDS_AT, capacity * FIELDS_PER_RECORD);
    this.inputAt = RECORDS_AT + capacity * FIELDS_PER_RECORD * F64_BYTES;
    this.input = new Uint8Array(this.memory.buffer, this.inputAt, inputBytes);
    this.planMax = this.x.PLAN_MAX.value;
    this.resultsI32 = new Int32Array(this.memory.buffer, this.x.RESULTS_AT.value, RESULT_I32S);
    this.resultsF64 = new Float64Array(this.memory.buffer, this.x.RESULTS_AT.value + RESULT_LINE_AT, 1);
    const pow10 = new Float64Array(this.memory.buffer, this.x.POW10_AT.value, this.x.POW10_COUNT.value);
    for (let k = 0; k < pow10.length; k++) pow10[k] = EXACT_POW10[k];
  }

  /**
   * An instance whose memory holds `capacity` records and an input buffer of `inputBytes`;
   * undefined when this runtime has no WebAssembly or the two do not fit in a wasm32 memory.
   */
  static create(capacity: number, inputBytes: number): NumericRowsWasm | undefined {
    const api = wasmApi();
    if (api === undefined) return undefined;
    if (compiled === undefined) compiled = new api.Module(Buffer.from(NUMERIC_ROWS_WASM_BASE64, "base64"));
    const bytes = RECORDS_AT + capacity * FIELDS_PER_RECORD * F64_BYTES + inputBytes;
    const pages = Math.ceil(bytes / WASM_PAGE_BYTES);
    if (pages > MAX_PAGES) return undefined;
    return new NumericRowsWasm(api, compiled, capacity, inputBytes, pages);
  }

  /**
   * Settings of this read: the bound columns in ascending index order (at most `planMax`),
   * the delimiter byte, the format's current sign and STEP_UNKNOWN.
   */
  setup(plan: readonly PlanColumn[], delim: number, sign: number, stepUnknown: number): void {
    if (plan.length < 1 || plan.length > this.planMax) throw new Error(`numericRows: ${plan.length} bound columns; the module takes 1 to ${this.planMax}.`);
    const at = this.x.PLAN_AT.value;
    const entryBytes = this.x.PLAN_ENTRY_BYTES.value;
    const i32 = new Int32Array(this.memory.buffer, at, (plan.length * entryBytes) / Int32Array.BYTES_PER_ELEMENT);
    const f64 = new Float64Array(this.memory.buffer, at, (plan.length * entryBytes) / F64_BYTES);
    let col = 0;
    plan.forEach((c, k) => {
      if (c.idx < col) throw new Error(`numericRows: plan columns must be distinct and ascending (column ${c.idx} after ${col - 1}).`);
      // Entry: i32 columns to skip before this one, i32 record byte offset, f64 scale.
      i32[(k * entryBytes) / 4] = c.idx - col;
      i32[(k * entryBytes) / 4 + 1] = c.field * F64_BYTES;
      f64[(k * entryBytes) / F64_BYTES + 1] = c.scale;
      col = c.idx + 1;
    });
    this.x.setup(plan.length, delim, this.records.byteOffset, this.records.length / FIELDS_PER_RECORD, sign, stepUnknown);
  }

  /**
   * Rows of input[p..limit] (input[limit] is an LF); `n` records already in the region, `line`
   * lines counted before p. Returns the status; then `pos()`, `count()`, `line()`, and for ODD
   * `end()`.
   */
  rows(p: number, limit: number, n: number, line: number): RowsStatus {
    return this.x.rows(this.inputAt + p, this.inputAt + limit, n, line) as RowsStatus;
  }

  /** Input index where to go on (see RowsStatus). */
  pos(): number {
    return this.resultsI32[0] - this.inputAt;
  }

  /** Records in the region now. */
  count(): number {
    return this.resultsI32[1];
  }

  /** ODD: input index of the row's LF. */
  end(): number {
    return this.resultsI32[2] - this.inputAt;
  }

  /** Lines counted so far. */
  line(): number {
    return this.resultsF64[0];
  }
}
