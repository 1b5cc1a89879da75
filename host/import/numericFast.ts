/**
 * Fast numeric read of a tabular format (BDF and any other format that qualifies) straight into
 * the analyze worker's Float64Array record batches (layout: host/analyze/batchLayout.ts).
 *
 * One tight loop per chunk of bytes: it counts delimiters, parses only the time, voltage,
 * current and temperature columns inline (the digit accumulation and exact-power-of-ten scaling
 * of `parseNumberBytes`, so every value is bit-identical), jumps over the other columns without
 * parsing them, and allocates nothing per row. A row the loop cannot read exactly (a quote, a
 * field that is not a plain decimal number, > 2^53 mantissa, an exponent outside the exact
 * range, time or current missing or not a number, a lone `\r`) is handed, alone, to the generic
 * row logic of tabular.ts (`splitFields` + `CsvRow.num` + the same skip message), so the result
 * — records, line numbers, skipped rows and their reasons — is the generic importer's, exactly.
 *
 * The common rows run in WebAssembly (host/import/wasm/numericRows.wat, `engine: "wasm"`, the
 * default): the same loop for rows whose bound fields are all `[-]digits[.digits]` with at most
 * 15 digits, written straight into the records region of the module's memory (bit-identical:
 * exact mantissa, one exact power-of-ten division). Every other row stops the WASM loop, is read
 * alone by the JS loop below (`fastRows`, which hands it on to the generic row logic when it
 * must), and the WASM loop goes on after it. `engine: "js"` runs the JS loop on every row.
 *
 * The file is read with `readSync` into one reused buffer (the WASM memory's input region): memory
 * stays flat. A line longer than it needs a bigger buffer; the WASM memory is never grown, so
 * that buffer is JS memory, whose rows the JS loop reads, until what is carried over fits the
 * WASM buffer again.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { CsvRow, EXACT_MANTISSA_LIMIT, EXACT_POW10, guessDelimiter, splitFields } from "../bdf/csvStream";
import { BATCH_RECORDS, F_I, F_LINE, F_RESTORED, F_STEP_KIND, F_T, F_TEMP, F_V, FIELDS_PER_RECORD } from "../analyze/batchLayout";
import { ImportError, newStats, noteSkip, STEP_UNKNOWN, type ImportStats, type ProgressFn } from "./record";
import { bindColumns, expectedHeaders, headerMatches, type Quantity, type TabularFormat } from "./tabular";
import { NumericRowsWasm, RowsStatus, type PlanColumn } from "./wasm/numericRows";

/**
 * Bytes the parser looks at (ASCII). A const enum, so that the hot loop compares with literal
 * numbers whatever module format runs it (a module-level const costs a load and a hole check
 * per use in an ES module: 660 → 470 ms on the bench file, esbuild ESM bundle, 2026-11-24).
 */
const enum Byte {
  LF = 10,
  CR = 13,
  SPACE = 32,
  QUOTE = 34,
  PLUS = 43,
  MINUS = 45,
  DOT = 46,
  ZERO = 48,
  NINE = 57,
  E_UPPER = 69,
  E_LOWER = 101,
  /** UTF-8 byte order mark (EF BB BF), stripped from the first line as readCsv does. */
  BOM_0 = 0xef,
  BOM_1 = 0xbb,
  BOM_2 = 0xbf,
}

/** Read size per `readSync` (bytes); 64 KiB to 4 MiB timed within noise of each other on the 318 MB bench file (bench/parseSpeed.ts --chunk). */
const DEFAULT_CHUNK_BYTES = 1 << 20;
/**
 * When the WASM loop hands too many rows back to JS, JS reads the rest of the chunk itself: once
 * it has handed back ODD_ROWS_MIN rows in the chunk and they are more than ODD_SHARE_MAX of the
 * chunk's rows so far. Measured on 10⁶-row files (esbuild bundle, 2026-11-25): the JS loop takes
 * ≈ 41 ns per row, the WASM loop ≈ 17 ns, a row handed back ≈ 72 ns (the return, fastRows on one
 * row, the call back; ≈ 170 ns under tsx, whose imports are getters); so at a quarter of rows
 * handed back the mix costs ≈ 31 ns per row, still below the JS loop, and a file whose rows all
 * need JS (exponents, spaces, quotes) costs what the JS loop costs; with 1 % odd rows, 10⁶ rows
 * take 19 ms (40 ms in the JS loop).
 */
const ODD_ROWS_MIN = 32;
const ODD_SHARE_MAX = 0.25;
/** Largest power of ten kept exact (index of 1e22 in EXACT_POW10). */
const MAX_EXACT_POW10 = EXACT_POW10.length - 1;

/** What a column feeds in a record (per column index of the header). */
const enum Role {
  NONE = 0,
  T = 1,
  V = 2,
  I = 3,
  TEMP = 4,
}

/** Quantities that reach the record batch (the others are never parsed on the fast path). */
const BATCH_QUANTITIES: readonly Quantity[] = ["time", "voltage", "current", "temp"];

/**
 * True when the fast path gives exactly what the generic importer's records give in the batch
 * layout: no row depends on another row (no `currentHeldBackward`, no
 * `stepStartCurrentFromNext`), no step-type or impedance column (the batch's step kind is then
 * always STEP_UNKNOWN), and the batch's quantities are plain numbers (no "hms" parser). The
 * cycler's own columns (cycle, step, counters) never reach the batch, so `cyclerColumns` does
 * not matter.
 */
export function numericFastEligible(fmt: TabularFormat): boolean {
  if (fmt.currentHeldBackward === true || fmt.stepStartCurrentFromNext === true) return false;
  if ((fmt.columns.stepType ?? []).length > 0 || (fmt.columns.impedanceMarker ?? []).length > 0) return false;
  for (const q of BATCH_QUANTITIES) {
    for (const a of fmt.columns[q] ?? []) if (a.parser !== undefined && a.parser !== "number") return false;
  }
  return true;
}

/**
 * Receives the reader's own record buffer holding `count` records at its start (a full batch,
 * or the last records at the end of the file). The view is valid only during the call: the
 * reader fills it again after the call returns, so copy out what must outlive it. (It is the
 * WASM memory's records region, or a Float64Array on the JS path; no copy is made for the call.)
 */
export type BatchSink = (batch: Float64Array, count: number) => void;

/** Which loop reads the common rows: "wasm" (where WebAssembly can, the default) or "js". */
export type NumericEngine = "wasm" | "js";

/** How a read went, for tests and benchmarks (`NumericReadOptions.onReport`). */
export interface NumericReadReport {
  /** True when the WASM loop was set up for the rows (false: `engine: "js"`, no WebAssembly, a format binding it does not take). */
  wasm: boolean;
  /** Records the WASM loop wrote itself. */
  wasmRecords: number;
  /** Rows the WASM loop handed back to JS one at a time. */
  oddRows: number;
  /** Chunk ends JS read alone because the WASM loop handed back too many rows (ODD_ROWS_MIN, ODD_SHARE_MAX). */
  jsChunkEnds: number;
  /** Chunks read into a bigger JS buffer (a line longer than the WASM input buffer), rows by the JS loop. */
  jsBufferChunks: number;
}

export interface NumericReadOptions {
  /** Bytes per read (default 1 MiB); small values put rows across chunk boundaries (tests). */
  chunkBytes?: number;
  /** Records per batch handed to the sink (default BATCH_RECORDS). */
  batchRecords?: number;
  /** "wasm" (default, where WebAssembly is available) or "js" (the JS loop on every row). */
  engine?: NumericEngine;
  /** Fraction of the file read so far (0..1), after each chunk. */
  onProgress?: ProgressFn;
  /** Called once at the end of a read that succeeded, with how it went. */
  onReport?: (report: NumericReadReport) => void;
}

/** Column binding and per-file state of one read. */
class NumericReader {
  readonly stats: ImportStats = newStats();
  /** 1-based line number of the last line seen (every LF-terminated line counts, as in readCsv). */
  lineNo = 0;
  /** Records in `batch` so far (always below `capacity` between rows). */
  n = 0;
  /** The WASM loop reads the common rows (else the JS loop). */
  useWasm = false;
  readonly report: NumericReadReport = { wasm: false, wasmRecords: 0, oddRows: 0, jsChunkEnds: 0, jsBufferChunks: 0 };
  /** Field delimiter byte, guessed from the first line; −1 before it. */
  delim = -1;
  headerDone = false;
  /** Role of each column up to the last bound one (Role.*). */
  roles = new Uint8Array(0);
  lastBound = -1;
  /** Two quantities in one column: every row goes through the generic row logic. */
  allSlow = false;
  tIdx = -1;
  vIdx = -1;
  iIdx = -1;
  tempIdx = -1;
  tScale = 1;
  vScale = 1;
  iScale = 1;
  tempScale = 1;
  readonly row = new CsvRow();

  /**
   * @param batch the record buffer (`capacity` records): the WASM records region, or JS memory
   * @param wasm the WASM loop's instance, whose memory holds `batch` and the input buffer
   */
  constructor(
    readonly fmt: TabularFormat,
    readonly path: string,
    readonly batch: Float64Array,
    readonly capacity: number,
    readonly onBatch: BatchSink,
    readonly wasm: NumericRowsWasm | undefined,
  ) {}

  /** Append one record (the caller counted the line already). */
  push(tS: number, voltageV: number, currentA: number, tempC: number): void {
    const o = this.n * FIELDS_PER_RECORD;
    const b = this.batch;
    b[o + F_LINE] = this.lineNo;
    b[o + F_T] = tS;
    b[o + F_V] = voltageV;
    b[o + F_I] = currentA;
    b[o + F_TEMP] = tempC;
    b[o + F_STEP_KIND] = STEP_UNKNOWN;
    b[o + F_RESTORED] = 0;
    this.stats.records++;
    this.n++;
    if (this.n === this.capacity) {
      this.onBatch(this.batch, this.n);
      this.n = 0;
    }
  }

  /** A line before the header (or the header): readCsv's first-line rules, then tabular's header check. */
  headerLine(buf: Uint8Array, s: number, e: number): void {
    this.lineNo++;
    if (e > s && buf[e - 1] === Byte.CR) e--;
    if (this.lineNo === 1) {
      if (e - s >= 3 && buf[s] === Byte.BOM_0 && buf[s + 1] === Byte.BOM_1 && buf[s + 2] === Byte.BOM_2) s += 3;
      this.delim = guessDelimiter(new TextDecoder("utf-8").decode(buf.subarray(s, e)));
    }
    if (e <= s) return;
    splitFields(this.row, buf, s, e, this.delim);
    const headerCells = this.row.strings();
    const fmt = this.fmt;
    if (!headerMatches(fmt, headerCells)) {
      throw new ImportError(
        `${this.path}: not a ${fmt.description} file. Columns found: ${headerCells
          .map((h) => `"${h}"`)
          .join(", ")}. Expected: ${expectedHeaders(fmt).join(", ")}.`,
      );
    }
    const b = bindColumns(fmt, headerCells);
    this.tIdx = b.time.idx;
    this.vIdx = b.voltage.idx;
    this.iIdx = b.current.idx;
    this.tempIdx = b.temp.idx;
    this.tScale = b.time.scale;
    this.vScale = b.voltage.scale;
    this.iScale = b.current.scale;
    this.tempScale = b.temp.scale;
    this.lastBound = Math.max(this.tIdx, this.vIdx, this.iIdx, this.tempIdx);
    this.roles = new Uint8Array(this.lastBound + 1);
    const bind = (idx: number, role: number): void => {
      if (idx < 0) return;
      if (this.roles[idx] !== Role.NONE) this.allSlow = true;
      this.roles[idx] = role;
    };
    bind(this.tIdx, Role.T);
    bind(this.vIdx, Role.V);
    bind(this.iIdx, Role.I);
    bind(this.tempIdx, Role.TEMP);
    this.headerDone = true;
    this.setUpWasm();
  }

  /**
   * Hand the columns to the WASM loop, when there is one and it takes this binding: time and
   * current bound (else every row is skipped, in JS), no column bound twice (`allSlow`).
   */
  setUpWasm(): void {
    const wasm = this.wasm;
    if (wasm === undefined || this.allSlow || this.tIdx < 0 || this.iIdx < 0) return;
    const plan: PlanColumn[] = [];
    plan.push({ idx: this.tIdx, field: F_T, scale: this.tScale });
    if (this.vIdx >= 0) plan.push({ idx: this.vIdx, field: F_V, scale: this.vScale });
    plan.push({ idx: this.iIdx, field: F_I, scale: this.iScale });
    if (this.tempIdx >= 0) plan.push({ idx: this.tempIdx, field: F_TEMP, scale: this.tempScale });
    if (plan.length > wasm.planMax) return;
    plan.sort((a, b) => a.idx - b.idx);
    wasm.setup(plan, this.delim, this.fmt.currentSign, STEP_UNKNOWN);
    this.useWasm = true;
    this.report.wasm = true;
  }

  /** One data line [s, e) (e = its LF), counted already: tabular.ts's row logic, exactly. */
  slowRow(buf: Uint8Array, s: number, e: number): void {
    if (e > s && buf[e - 1] === Byte.CR) e--;
    if (e <= s) return;
    const row = this.row;
    splitFields(row, buf, s, e, this.delim);
    row.lineNo = this.lineNo;
    const tS = row.num(this.tIdx) * this.tScale;
    const v = row.num(this.vIdx) * this.vScale;
    const i = row.num(this.iIdx) * this.iScale;
    if (!Number.isFinite(tS) || !Number.isFinite(i)) {
      noteSkip(this.stats, `line ${row.lineNo}: time "${row.str(this.tIdx)}" or current "${row.str(this.iIdx)}" is not a number`);
      return;
    }
    let cur = i * this.fmt.currentSign;
    if (cur === 0) cur = 0; // no −0
    const temp = this.tempIdx >= 0 ? row.num(this.tempIdx) * this.tempScale : NaN;
    this.push(tS, v, cur, temp);
  }

  /**
   * All lines of buf[start..limit] (buf[limit] is an LF, the last one in the range); returns
   * the index after `limit`.
   */
  lines(buf: Uint8Array, start: number, limit: number): number {
    let p = start;
    while (!this.headerDone && p <= limit) {
      const nl = buf.indexOf(Byte.LF, p);
      this.headerLine(buf, p, nl);
      p = nl + 1;
    }
    if (p > limit) return p;
    if (this.allSlow) {
      while (p <= limit) {
        const nl = buf.indexOf(Byte.LF, p);
        this.lineNo++;
        this.slowRow(buf, p, nl);
        p = nl + 1;
      }
      return p;
    }
    // The WASM loop reads its own memory only: a chunk in a bigger JS buffer is the JS loop's.
    if (this.useWasm && buf === this.wasm!.input) return this.wasmRows(buf, p, limit);
    return this.fastRows(buf, p, limit);
  }

  /**
   * Rows of buf[start..limit] through the WASM loop (buf is the WASM memory's input buffer);
   * each row it hands back is read alone by fastRows, the rest of the chunk too when they are
   * too many (ODD_ROWS_MIN, ODD_SHARE_MAX). Returns the index after `limit`.
   */
  wasmRows(buf: Uint8Array, start: number, limit: number): number {
    const wasm = this.wasm!;
    const report = this.report;
    let odd = 0;
    let chunkRecords = 0;
    let p = start;
    while (p <= limit) {
      const status = wasm.rows(p, limit, this.n, this.lineNo);
      const n = wasm.count();
      this.stats.records += n - this.n;
      report.wasmRecords += n - this.n;
      chunkRecords += n - this.n;
      this.n = n;
      this.lineNo = wasm.line();
      p = wasm.pos();
      if (status === RowsStatus.DONE) break;
      if (status === RowsStatus.FULL) {
        this.onBatch(this.batch, n);
        this.n = 0;
        continue;
      }
      // RowsStatus.ODD: the row at p is JS's.
      report.oddRows++;
      if (++odd >= ODD_ROWS_MIN && odd > ODD_SHARE_MAX * (odd + chunkRecords)) {
        report.jsChunkEnds++;
        return this.fastRows(buf, p, limit);
      }
      p = this.fastRows(buf, p, wasm.end());
    }
    return p;
  }

  /** The hot loop: rows of buf[start..limit], parsed inline; odd rows go to slowRow. */
  fastRows(buf: Uint8Array, start: number, limit: number): number {
    // Imported and module-level constants as locals: one load per call, not one per use.
    const fields = FIELDS_PER_RECORD;
    const fLine = F_LINE;
    const fT = F_T;
    const fV = F_V;
    const fI = F_I;
    const fTemp = F_TEMP;
    const fStepKind = F_STEP_KIND;
    const fRestored = F_RESTORED;
    const stepUnknown = STEP_UNKNOWN;
    const mantissaLimit = EXACT_MANTISSA_LIMIT;
    const maxPow10 = MAX_EXACT_POW10;
    const delim = this.delim;
    const roles = this.roles;
    const lastBound = this.lastBound;
    const tScale = this.tScale;
    const vScale = this.vScale;
    const iScale = this.iScale;
    const tempScale = this.tempScale;
    const sign = this.fmt.currentSign;
    const pow10 = EXACT_POW10;
    const batch = this.batch;
    let n = this.n;
    let lineNo = this.lineNo;
    let records = 0;
    const capacity = this.capacity;
    let p = start;
    while (p <= limit) {
      lineNo++;
      const rowStart = p;
      let c = buf[p];
      if (c === Byte.LF) {
        p++;
        continue; // empty line
      }
      let t = NaN;
      let v = NaN;
      let cur = NaN;
      let temp = NaN;
      let ok = true;
      let col = 0;
      for (;;) {
        if (col > lastBound) {
          // Past the last column read: quotes and CRs here change no value read.
          while (c !== Byte.LF) c = buf[++p];
          break;
        }
        const role = roles[col];
        if (role === Role.NONE) {
          while (c !== delim && c !== Byte.LF) {
            if (c === Byte.QUOTE) {
              ok = false;
              break;
            }
            c = buf[++p];
          }
          if (!ok) break;
        } else {
          while (c === Byte.SPACE) c = buf[++p];
          let val = NaN;
          if (c === Byte.CR && buf[p + 1] === Byte.LF) {
            c = buf[++p]; // "\r\n" line end: a blank last field
          } else if (c !== delim && c !== Byte.LF) {
            let neg = false;
            if (c === Byte.MINUS) {
              neg = true;
              c = buf[++p];
            } else if (c === Byte.PLUS) {
              c = buf[++p];
            }
            let mant = 0;
            let digits = 0;
            let fracDigits = 0;
            let d = c - Byte.ZERO;
            while (d >>> 0 <= 9) {
              mant = mant * 10 + d;
              digits++;
              c = buf[++p];
              d = c - Byte.ZERO;
            }
            if (c === Byte.DOT) {
              c = buf[++p];
              d = c - Byte.ZERO;
              const intDigits = digits;
              while (d >>> 0 <= 9) {
                mant = mant * 10 + d;
                digits++;
                c = buf[++p];
                d = c - Byte.ZERO;
              }
              fracDigits = digits - intDigits;
            }
            if (digits === 0) {
              ok = false;
              break;
            }
            let exp = 0;
            if (c === Byte.E_LOWER || c === Byte.E_UPPER) {
              c = buf[++p];
              let expNeg = false;
              if (c === Byte.MINUS) {
                expNeg = true;
                c = buf[++p];
              } else if (c === Byte.PLUS) {
                c = buf[++p];
              }
              let expDigits = 0;
              while (c >= Byte.ZERO && c <= Byte.NINE) {
                exp = exp * 10 + (c - Byte.ZERO);
                expDigits++;
                c = buf[++p];
              }
              if (expDigits === 0) {
                ok = false;
                break;
              }
              if (expNeg) exp = -exp;
            }
            while (c === Byte.SPACE) c = buf[++p];
            if (c !== delim && c !== Byte.LF) {
              if (c === Byte.CR && buf[p + 1] === Byte.LF) {
                c = buf[++p];
              } else {
                ok = false;
                break;
              }
            }
            if (mant >= mantissaLimit) {
              ok = false;
              break;
            }
            const scale = exp - fracDigits;
            if (scale === 0) val = mant;
            else if (scale < 0 && -scale <= maxPow10) val = mant / pow10[-scale];
            else if (scale > 0 && scale <= maxPow10) val = mant * pow10[scale];
            else {
              ok = false;
              break;
            }
            if (neg) val = -val;
          }
          if (role === Role.T) t = val * tScale;
          else if (role === Role.V) v = val * vScale;
          else if (role === Role.I) cur = val * iScale;
          else temp = val * tempScale;
        }
        if (c === Byte.LF) break;
        c = buf[++p];
        col++;
      }
      if (!ok || !Number.isFinite(t) || !Number.isFinite(cur)) {
        // Hand this row, alone, to the generic row logic.
        this.n = n;
        this.lineNo = lineNo;
        this.stats.records += records;
        records = 0;
        const nl = buf.indexOf(Byte.LF, rowStart);
        this.slowRow(buf, rowStart, nl);
        n = this.n;
        p = nl + 1;
        continue;
      }
      cur *= sign;
      if (cur === 0) cur = 0; // no −0
      const o = n * fields;
      batch[o + fLine] = lineNo;
      batch[o + fT] = t;
      batch[o + fV] = v;
      batch[o + fI] = cur;
      batch[o + fTemp] = temp;
      batch[o + fStepKind] = stepUnknown;
      batch[o + fRestored] = 0;
      records++;
      n++;
      if (n === capacity) {
        this.onBatch(batch, n);
        n = 0;
      }
      p++;
    }
    this.n = n;
    this.lineNo = lineNo;
    this.stats.records += records;
    return p;
  }
}

/**
 * Copy the seven F_* fields of `count` records from `from` to `to` (batch layout), leaving each
 * record's spare slot of `to` as it was: the batch layout promises the reader never writes it
 * (test/host/analyze/batchRecycling.test.ts tags buffers there). For a sink that must keep the
 * records beyond its call (the read worker's shared batches); ≈ 1.3× the time of a
 * `to.set(from.subarray(...))` copy (27 vs 21 ms per 10⁷ records, 2026-11-25).
 */
export function copyRecordFields(from: Float64Array, to: Float64Array, count: number): void {
  const fields = FIELDS_PER_RECORD;
  const fLine = F_LINE;
  const fT = F_T;
  const fV = F_V;
  const fI = F_I;
  const fTemp = F_TEMP;
  const fStepKind = F_STEP_KIND;
  const fRestored = F_RESTORED;
  for (let k = 0, o = 0; k < count; k++, o += fields) {
    to[o + fLine] = from[o + fLine];
    to[o + fT] = from[o + fT];
    to[o + fV] = from[o + fV];
    to[o + fI] = from[o + fI];
    to[o + fTemp] = from[o + fTemp];
    to[o + fStepKind] = from[o + fStepKind];
    to[o + fRestored] = from[o + fRestored];
  }
}

/**
 * Read the tabular file at `path` into record batches (see batchLayout.ts): hands each full
 * batch to `onBatch`, and the last, partly filled one too (when it holds any record), always in
 * the reader's own buffer (see BatchSink). Gives the generic importer's records (in the batch
 * layout) and stats, exactly, whichever engine runs; throws the generic importer's ImportError
 * for a file of another format or an empty file. Only for formats where `numericFastEligible`
 * is true (else it throws).
 */
export function readTabularNumeric(fmt: TabularFormat, path: string, onBatch: BatchSink, opts: NumericReadOptions = {}): ImportStats {
  if (!numericFastEligible(fmt)) {
    throw new ImportError(
      `numeric fast read: format "${fmt.format}" has rows that depend on other rows, a step-type, impedance or h:mm:ss column; read it with its importer. Accepted: formats where numericFastEligible() is true (e.g. "bdf").`,
    );
  }
  const chunkBytes = opts.chunkBytes !== undefined ? Math.floor(opts.chunkBytes) : DEFAULT_CHUNK_BYTES;
  if (!(chunkBytes >= 1)) {
    throw new ImportError(`numeric fast read: chunkBytes ${opts.chunkBytes} is not a positive whole number of bytes; give ≥ 1 (default ${DEFAULT_CHUNK_BYTES}).`);
  }
  const capacity = opts.batchRecords !== undefined ? opts.batchRecords : BATCH_RECORDS;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new ImportError(`numeric fast read: batchRecords ${opts.batchRecords} is not a positive whole number of records; give ≥ 1 (default ${BATCH_RECORDS}).`);
  }
  const engine = opts.engine ?? "wasm";
  if (engine !== "wasm" && engine !== "js") {
    throw new ImportError(`numeric fast read: engine "${String(engine)}" is not one of "wasm", "js".`);
  }
  // Room for a chunk after a partial line carried over, plus the end-of-file LF sentinel.
  const bufBytes = 2 * chunkBytes + 1;
  // The WASM memory holds the records region and the input buffer, sized once for the read.
  const wasm = engine === "wasm" ? NumericRowsWasm.create(capacity, bufBytes) : undefined;
  const batch = wasm !== undefined ? wasm.records : new Float64Array(capacity * FIELDS_PER_RECORD);
  const reader = new NumericReader(fmt, path, batch, capacity, onBatch, wasm);
  const fd = openSync(path, "r");
  try {
    const totalBytes = fstatSync(fd).size;
    /** The buffer reads go to: the WASM memory's input region when there is one. */
    const home = wasm !== undefined ? wasm.input : new Uint8Array(bufBytes);
    let buf = home;
    let have = 0;
    let bytesRead = 0;
    for (;;) {
      if (buf.length - have - 1 < chunkBytes) {
        // A line longer than the buffer: grow it (the partial line stays at the front). The
        // WASM memory is never grown (see numericRows.ts): the bigger buffer is JS memory.
        const bigger = new Uint8Array(2 * buf.length);
        bigger.set(buf.subarray(0, have));
        buf = bigger;
      }
      const got = readSync(fd, buf, have, chunkBytes, null);
      if (got <= 0) break;
      bytesRead += got;
      const from = have;
      have += got;
      let lastLf = have - 1;
      while (lastLf >= from && buf[lastLf] !== Byte.LF) lastLf--;
      if (lastLf >= from) {
        if (buf !== home) reader.report.jsBufferChunks++;
        reader.lines(buf, 0, lastLf);
        buf.copyWithin(0, lastLf + 1, have);
        have -= lastLf + 1;
        if (buf !== home && wasm !== undefined && home.length - have - 1 >= chunkBytes) {
          // The long line is done: back to the WASM memory's buffer (and loop).
          home.set(buf.subarray(0, have));
          buf = home;
        }
      }
      if (opts.onProgress) opts.onProgress(totalBytes > 0 ? bytesRead / totalBytes : 1);
    }
    if (have > 0) {
      // The last line has no line end: readCsv hands it out all the same.
      if (buf !== home) reader.report.jsBufferChunks++;
      buf[have] = Byte.LF;
      reader.lines(buf, 0, have);
    }
  } finally {
    closeSync(fd);
  }
  if (!reader.headerDone) throw new ImportError(`${path}: the file is empty (no header line).`);
  if (reader.n > 0) onBatch(reader.batch, reader.n);
  if (opts.onReport) opts.onReport(reader.report);
  return reader.stats;
}
