/**
 * Streaming CSV tokenizer over raw bytes: the one fast path every importer reads through.
 *
 * The file is read in chunks (never whole); each complete line is split into fields by
 * offsets into the chunk, and a reused `CsvRow` hands fields out as numbers (parsed straight
 * from the bytes, no string allocated) or strings. Memory stays flat however long the file.
 *
 * Supported: `,` `;` or tab delimiters, `\n`, `\r\n` or lone `\r` line ends, a UTF-8 BOM,
 * double-quoted fields (quotes are stripped, `""` inside quotes becomes `"`; a quoted field may
 * not span lines — cycler exports never do). Lines are capped at MAX_LINE_BYTES.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";

const BYTE_LF = 10;
const BYTE_CR = 13;
const BYTE_QUOTE = 34;
const BYTE_MINUS = 45;
const BYTE_PLUS = 43;
const BYTE_DOT = 46;
const BYTE_0 = 48;
const BYTE_E_LOWER = 101;
const BYTE_E_UPPER = 69;
const BYTE_SPACE = 32;

/** Largest mantissa kept exact in a double (2^53). */
export const EXACT_MANTISSA_LIMIT = 9007199254740992;
/** Powers of ten are exact in a double up to 1e22 (IEEE 754 binary64). */
export const EXACT_POW10 = new Float64Array([
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
]);
const MAX_EXACT_POW10 = 22;

/** Read chunk size (bytes): large enough to amortise read overhead, small for flat memory. */
const CHUNK_BYTES = 1 << 20;
/**
 * Longest line readCsv accepts (bytes, CsvReadOptions.maxLineBytes): a cycler export's row is
 * well under 1 kB, its header a few kB; a longer "line" is not CSV (a binary file, a file
 * without line ends) and would otherwise be held in memory whole.
 */
export const MAX_LINE_BYTES = 1 << 20;
/** Bytes of a too-long line quoted in its error. */
const LINE_QUOTE_BYTES = 40;
/** Field offsets kept per row; grows if a file has more columns. */
const INITIAL_FIELDS = 64;

const utf8 = new TextDecoder("utf-8");

/** A line longer than the cap (CsvReadOptions.maxLineBytes): the message names the line and quotes its start. */
export class CsvLineTooLongError extends Error {
  constructor(path: string, lineNo: number, maxBytes: number, head: Uint8Array) {
    const quoted = JSON.stringify(utf8.decode(head).replace(/[^\x20-\x7e]/g, "?"));
    super(`${path}: line ${lineNo} is longer than ${maxBytes} bytes (it begins ${quoted}); a CSV row is far shorter: is this a CSV file with line ends?`);
    this.name = "CsvLineTooLongError";
  }
}

/** One row of the CSV, reused from row to row: read what you need inside the callback. */
export class CsvRow {
  /** Bytes of the current chunk (valid only during the callback). */
  buf: Uint8Array = new Uint8Array(0);
  starts: Int32Array = new Int32Array(INITIAL_FIELDS);
  ends: Int32Array = new Int32Array(INITIAL_FIELDS);
  /** Number of fields in this row. */
  count = 0;
  /** 1-based line number in the file (header = line 1 unless lines were skipped). */
  lineNo = 0;
  /** 1 when a field of this row was quoted (then `str` unescapes it). */
  quoted = 0;

  /** Field `i` as a number; NaN when the field is missing, empty or not a number. */
  num(i: number): number {
    if (i < 0 || i >= this.count) return NaN;
    return parseNumberBytes(this.buf, this.starts[i], this.ends[i]);
  }

  /**
   * Fields idx[k] as numbers times scale[k] into out[k] (NaN where idx[k] < 0, or as `num`):
   * one call for all of a row's number columns.
   */
  numbersInto(idx: Int32Array, scale: Float64Array, out: Float64Array): void {
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k];
      out[k] = i >= 0 && i < this.count ? parseNumberBytes(this.buf, this.starts[i], this.ends[i]) * scale[k] : NaN;
    }
  }

  /** Field `i` as a string ("" when missing). */
  str(i: number): string {
    if (i < 0 || i >= this.count) return "";
    let s = this.starts[i];
    let e = this.ends[i];
    if (e - s >= 2 && this.buf[s] === BYTE_QUOTE && this.buf[e - 1] === BYTE_QUOTE) {
      return utf8.decode(this.buf.subarray(s + 1, e - 1)).replace(/""/g, '"');
    }
    while (s < e && this.buf[s] === BYTE_SPACE) s++;
    while (e > s && this.buf[e - 1] === BYTE_SPACE) e--;
    return utf8.decode(this.buf.subarray(s, e));
  }

  /** All fields as strings (for headers and error messages). */
  strings(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.str(i));
    return out;
  }
}

/**
 * Parse a decimal number from bytes [s, e): optional spaces and quotes, sign, digits, dot,
 * exponent. Falls back to `Number()` for anything unusual (NaN, Infinity, > 15 digits after
 * trimming). Returns NaN for an empty or non-numeric field.
 */
export function parseNumberBytes(buf: Uint8Array, s: number, e: number): number {
  const v = parsePlainDecimal(buf, s, e);
  return v === v ? v : parseNumberGeneral(buf, s, e);
}

/**
 * The common case alone, fast: [sign] digits [. digits], nothing around, < 2^53 as an integer
 * mantissa; NaN for anything else (parseNumberGeneral then decides; where this gives a number,
 * it is the one parseNumberGeneral gives).
 */
function parsePlainDecimal(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  const first = i < e ? buf[i] : 0;
  const neg = first === BYTE_MINUS;
  if (neg || first === BYTE_PLUS) i++;
  const from = i;
  let mant = 0;
  let c = 0;
  while (i < e) {
    c = buf[i] - BYTE_0;
    if (c < 0 || c > 9) break;
    mant = mant * 10 + c;
    i++;
  }
  const intDigits = i - from;
  let fracDigits = 0;
  if (i < e && buf[i] === BYTE_DOT) {
    i++;
    const fracStart = i;
    while (i < e) {
      c = buf[i] - BYTE_0;
      if (c < 0 || c > 9) return NaN;
      mant = mant * 10 + c;
      i++;
    }
    fracDigits = i - fracStart;
  }
  if (i !== e || intDigits + fracDigits === 0 || mant >= EXACT_MANTISSA_LIMIT || fracDigits > MAX_EXACT_POW10) return NaN;
  const v = fracDigits === 0 ? mant : mant / EXACT_POW10[fracDigits];
  return neg ? -v : v;
}

/** parseNumberBytes for every field the plain-decimal path leaves. */
function parseNumberGeneral(buf: Uint8Array, s: number, e: number): number {
  while (s < e && (buf[s] === BYTE_SPACE || buf[s] === BYTE_QUOTE)) s++;
  while (e > s && (buf[e - 1] === BYTE_SPACE || buf[e - 1] === BYTE_QUOTE)) e--;
  let i = s;
  let c = i < e ? buf[i] : 0;
  const neg = c === BYTE_MINUS;
  if (neg || c === BYTE_PLUS) i++;
  let mant = 0;
  const intStart = i;
  while (i < e) {
    c = buf[i] - BYTE_0;
    if (c < 0 || c > 9) break;
    mant = mant * 10 + c;
    i++;
  }
  let digits = i - intStart;
  let fracDigits = 0;
  if (i < e && buf[i] === BYTE_DOT) {
    i++;
    const fracStart = i;
    while (i < e) {
      c = buf[i] - BYTE_0;
      if (c < 0 || c > 9) break;
      mant = mant * 10 + c;
      i++;
    }
    fracDigits = i - fracStart;
    digits += fracDigits;
  }
  if (digits === 0) return slowParse(buf, s, e);
  let scale = -fracDigits;
  if (i < e) {
    const exp = parseExponent(buf, i, e);
    if (exp !== exp) return NaN;
    scale += exp;
  }
  if (mant >= EXACT_MANTISSA_LIMIT) return slowParse(buf, s, e);
  let v: number;
  if (scale === 0) v = mant;
  else if (scale < 0 && scale >= -MAX_EXACT_POW10) v = mant / EXACT_POW10[-scale];
  else if (scale > 0 && scale <= MAX_EXACT_POW10) v = mant * EXACT_POW10[scale];
  else return slowParse(buf, s, e);
  return neg ? -v : v;
}

/** The exponent `e±ddd` that fills bytes [i, e) exactly, or NaN (no `e`, no digit, other bytes). */
function parseExponent(buf: Uint8Array, i: number, e: number): number {
  if (buf[i] !== BYTE_E_LOWER && buf[i] !== BYTE_E_UPPER) return NaN;
  i++;
  let expNeg = false;
  if (i < e && buf[i] === BYTE_MINUS) {
    expNeg = true;
    i++;
  } else if (i < e && buf[i] === BYTE_PLUS) {
    i++;
  }
  const from = i;
  let exp = 0;
  while (i < e) {
    const c = buf[i] - BYTE_0;
    if (c < 0 || c > 9) return NaN;
    exp = exp * 10 + c;
    i++;
  }
  if (i === from) return NaN;
  return expNeg ? -exp : exp;
}

function slowParse(buf: Uint8Array, s: number, e: number): number {
  const text = utf8.decode(buf.subarray(s, e)).trim();
  if (text === "") return NaN;
  const v = Number(text);
  return v;
}

export interface CsvReadOptions {
  /** Field delimiter byte; default: guessed from the first line (`,` `;` or tab). */
  delimiter?: number;
  /** Read chunk size (bytes); default 1 MiB. Small values exercise lines split across chunks. */
  chunkBytes?: number;
  /**
   * Systematic sampling for quick statistics of huge files: with stride k > 1, only the first
   * line (the header), each pair of consecutive lines starting every k-th data line, and the
   * last line reach `onRow`; the others are only scanned for their line end. Default 1 (all).
   */
  stride?: number;
  /**
   * With stride k > 1: sample by byte position instead of by counting lines (much faster on
   * huge files: skipped lines are jumped over, not scanned). A pair of consecutive lines is
   * handed out every ≈ k lines (k × the mean line length of the file's first lines, in bytes),
   * plus the header and the last line. `lineNo` is then an estimate (mean line length), exact
   * only in being consecutive within a pair and ≥ 2 apart between pairs.
   */
  sampleByBytes?: boolean;
  /**
   * Called before each chunk is read: when it returns a promise, the read waits for it (flow
   * control of a consumer that cannot keep up, host/analyze/readAheadWorker.ts).
   */
  pause?: () => Promise<void> | undefined;
  /** Longest line accepted (bytes); default MAX_LINE_BYTES. */
  maxLineBytes?: number;
  /** Called with the number of bytes consumed so far and the total (for progress bars). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Guess the delimiter from a header line: the most frequent of `,` `;` tab. */
export function guessDelimiter(line: string): number {
  const counts = [
    [44, line.split(",").length],
    [59, line.split(";").length],
    [9, line.split("\t").length],
  ];
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 1 ? counts[0][0] : 44;
}

/**
 * Stream the CSV at `path`, calling `onRow` for every non-empty line (the header too: the
 * caller decides what a header is). Return `false` from `onRow` to stop early. A line longer
 * than `maxLineBytes` stops the read with CsvLineTooLongError (memory stays bounded by it).
 */
export async function readCsv(
  path: string,
  onRow: (row: CsvRow) => boolean | void,
  opts: CsvReadOptions = {},
): Promise<{ lines: number; bytes: number }> {
  if (opts.sampleByBytes === true && opts.stride !== undefined && opts.stride > 1) {
    return readCsvSampledByBytes(path, onRow, Math.floor(opts.stride), opts);
  }
  const fh = await open(path, "r");
  try {
    const totalBytes = (await fh.stat()).size;
    const reader = new LineScanner(path, onRow, opts);
    const chunk = opts.chunkBytes !== undefined && opts.chunkBytes > 0 ? Math.floor(opts.chunkBytes) : CHUNK_BYTES;
    const maxLine = maxLineOf(opts);
    let buf = new Uint8Array(2 * chunk);
    let len = 0;
    let start = 0;
    let bytesRead = 0;
    for (;;) {
      // The unfinished line moves to the front; the buffer grows only while that line is allowed.
      if (start > 0) {
        buf.copyWithin(0, start, len);
        len -= start;
        start = 0;
      }
      if (buf.length - len < chunk) {
        const grown = new Uint8Array(len + 2 * chunk);
        grown.set(buf.subarray(0, len));
        buf = grown;
      }
      const wait = opts.pause ? opts.pause() : undefined;
      if (wait) await wait;
      const got = (await fh.read(buf, len, chunk, bytesRead)).bytesRead;
      bytesRead += got;
      len += got;
      const eof = got === 0;
      start = reader.scan(buf, start, len, eof);
      if (opts.onProgress) opts.onProgress(bytesRead, totalBytes);
      if (start < 0 || eof) break;
      if (len - start > maxLine) throw reader.tooLong(buf, start);
    }
    return { lines: reader.lineNo, bytes: bytesRead };
  } finally {
    await fh.close();
  }
}

/** Byte classes of the tokenizer: a field delimiter, a quote, a line end (CR or LF); 0 = plain. */
const CLASS_DELIMITER = 1;
const CLASS_QUOTE = 2;
const CLASS_LINE_END = 3;
const BYTE_VALUES = 256;

/**
 * readCsv's tokenizer: one pass over the bytes splits lines (at `\n`, `\r\n` or a lone `\r`)
 * and fields (at the delimiter outside quotes) into the reused CsvRow, then hands the row out.
 */
class LineScanner {
  readonly row = new CsvRow();
  /** Lines ended so far (empty ones included). */
  lineNo = 0;
  private readonly classes = new Uint8Array(BYTE_VALUES);
  private delimiter: number;
  private first = true;
  private readonly stride: number;
  private dataIdx = -1;
  /** A copy of the last line skipped by the stride (handed out if it was the file's last). */
  private skipped: Uint8Array | null = null;

  private readonly maxLine: number;

  constructor(
    private readonly path: string,
    private readonly onRow: (row: CsvRow) => boolean | void,
    opts: CsvReadOptions,
  ) {
    this.maxLine = maxLineOf(opts);
    this.classes[BYTE_QUOTE] = CLASS_QUOTE;
    this.classes[BYTE_LF] = CLASS_LINE_END;
    this.classes[BYTE_CR] = CLASS_LINE_END;
    this.delimiter = opts.delimiter ?? -1;
    if (this.delimiter >= 0) this.classes[this.delimiter] = CLASS_DELIMITER;
    this.stride = opts.stride !== undefined && opts.stride > 1 ? Math.floor(opts.stride) : 1;
  }

  /**
   * Hand out every complete line of buf[from, to) (and, at the end of the file, the last line
   * without a line end). Returns where the unfinished line begins, or −1 when onRow said stop.
   */
  scan(buf: Uint8Array, from: number, to: number, eof: boolean): number {
    const classes = this.classes;
    const row = this.row;
    row.buf = buf;
    let lineStart = from;
    let fieldStart = from;
    let n = 0;
    let inQuote = false;
    let quoted = 0;
    let i = from;
    while (i < to) {
      const k = classes[buf[i]];
      if (k === 0) {
        i++;
      } else if (k === CLASS_DELIMITER) {
        if (!inQuote) {
          if (n + 1 >= row.starts.length) growRow(row);
          row.starts[n] = fieldStart;
          row.ends[n] = i;
          n++;
          fieldStart = i + 1;
        }
        i++;
      } else if (k === CLASS_QUOTE) {
        inQuote = !inQuote;
        quoted = 1;
        i++;
      } else {
        // A line end: `\r\n` is one (a `\r` at the buffer's end waits for the next read).
        let next = i + 1;
        if (buf[i] === BYTE_CR) {
          if (next === to && !eof) break;
          if (next < to && buf[next] === BYTE_LF) next++;
        }
        if (i - lineStart > this.maxLine) throw this.tooLong(buf, lineStart);
        row.starts[n] = fieldStart;
        row.ends[n] = i;
        row.count = n + 1;
        row.quoted = quoted;
        if (!this.line(buf, lineStart, i)) return -1;
        lineStart = next;
        fieldStart = next;
        n = 0;
        inQuote = false;
        quoted = 0;
        i = next;
      }
    }
    if (eof) return this.end(buf, lineStart, to, n, fieldStart, quoted);
    return lineStart;
  }

  /** The error for the line beginning at buf[start], the one after the last counted. */
  tooLong(buf: Uint8Array, start: number): CsvLineTooLongError {
    return new CsvLineTooLongError(this.path, this.lineNo + 1, this.maxLine, buf.subarray(start, start + LINE_QUOTE_BYTES));
  }

  /** The end of the file: its last line if it has no line end, or the stride's last skipped line. */
  private end(buf: Uint8Array, lineStart: number, to: number, n: number, fieldStart: number, quoted: number): number {
    if (lineStart < to) {
      if (to - lineStart > this.maxLine) throw this.tooLong(buf, lineStart);
      const row = this.row;
      row.starts[n] = fieldStart;
      row.ends[n] = to;
      row.count = n + 1;
      row.quoted = quoted;
      return this.line(buf, lineStart, to, true) ? to : -1;
    }
    const last = this.skipped;
    if (last !== null) {
      this.lineNo--;
      splitFields(this.row, last, 0, last.length, this.delimiter);
      if (!this.line(last, 0, last.length, true)) return -1;
    }
    return to;
  }

  /**
   * One line [s, e) whose fields are in `row`: counted, and handed out unless empty or skipped
   * by the stride (never the file's `last` line).
   */
  private line(buf: Uint8Array, s: number, e: number, last = false): boolean {
    this.lineNo++;
    if (e <= s) return true;
    const row = this.row;
    if (this.first) {
      this.first = false;
      if (e - s >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
      if (this.delimiter < 0) {
        this.delimiter = guessDelimiter(utf8.decode(buf.subarray(s, e)));
        this.classes[this.delimiter] = CLASS_DELIMITER;
      }
      splitFields(row, buf, s, e, this.delimiter);
    } else if (this.stride > 1 && !last) {
      this.dataIdx++;
      if (this.dataIdx % this.stride >= 2) {
        this.skipped = buf.slice(s, e);
        return true;
      }
    }
    this.skipped = null;
    row.lineNo = this.lineNo;
    return this.onRow(row) !== false;
  }
}

/** The line-length cap of `opts` (bytes). */
function maxLineOf(opts: CsvReadOptions): number {
  return opts.maxLineBytes !== undefined && opts.maxLineBytes > 0 ? opts.maxLineBytes : MAX_LINE_BYTES;
}

/**
 * Index of the byte ending the line that holds buf[from] within buf[0, len): a LF, the LF of a
 * CR LF, or a lone CR; −1 when none (a CR at len − 1 ends a line only at the end of the file,
 * `final`: else a LF may follow in the next window).
 */
function lineEndIn(buf: Uint8Array, from: number, len: number, final: boolean): number {
  for (let i = from; i < len; i++) {
    const c = buf[i];
    if (c === BYTE_LF) return i;
    if (c === BYTE_CR) {
      if (i + 1 < len) return buf[i + 1] === BYTE_LF ? i + 1 : i;
      return final ? i : -1;
    }
  }
  return -1;
}

/** Lines whose mean length sets the byte jump of readCsvSampledByBytes. */
const SAMPLE_LENGTH_LINES = 1000;

/** Window of a sparse byte-position sample: this many mean lines (a pair and the line before it, with room). */
const SPARSE_WINDOW_LINES = 8;
/** Smallest sparse window (bytes). */
const SPARSE_WINDOW_MIN_BYTES = 256;
/** Positions this many windows apart or more are read through a sparse window. */
const SPARSE_JUMP_OF_WINDOW = 4;

/** A power of two ≥ SPARSE_WINDOW_LINES mean lines (and ≥ SPARSE_WINDOW_MIN_BYTES). */
function sparseWindowBytes(meanLineBytes: number): number {
  let w = SPARSE_WINDOW_MIN_BYTES;
  while (w < SPARSE_WINDOW_LINES * meanLineBytes) w *= 2;
  return w;
}

/**
 * readCsv with `sampleByBytes` (see CsvReadOptions): positioned reads of 1 MiB windows (the
 * header and the mean line length), then, when the positions are far apart, of small windows.
 */
function readCsvSampledByBytes(
  path: string,
  onRow: (row: CsvRow) => boolean | void,
  stride: number,
  opts: CsvReadOptions,
): { lines: number; bytes: number } {
  const fd = openSync(path, "r");
  try {
    return new SampledReader(path, fd, onRow, opts).read(stride);
  } finally {
    closeSync(fd);
  }
}

/** The state of one sampled read: a window of the file (`buf` from `winStart`) and the lines handed out. */
class SampledReader {
  private readonly size: number;
  private buf: Uint8Array;
  private winStart = 0;
  private winLen = 0;
  private readonly maxLine: number;
  private readonly row = new CsvRow();
  private delimiter: number;
  private lineNo = 0;
  /** Absolute start of the line after the last one handed out. */
  private nextAbs = 0;
  /** Absolute start of the first data line (after the header). */
  private dataStart = 0;
  private meanLineBytes = 1;

  constructor(
    private readonly path: string,
    private readonly fd: number,
    private readonly onRow: (row: CsvRow) => boolean | void,
    private readonly opts: CsvReadOptions,
  ) {
    this.size = fstatSync(fd).size;
    this.buf = new Uint8Array(opts.chunkBytes !== undefined && opts.chunkBytes > 0 ? opts.chunkBytes : CHUNK_BYTES);
    this.maxLine = maxLineOf(opts);
    this.delimiter = opts.delimiter ?? -1;
  }

  read(stride: number): { lines: number; bytes: number } {
    this.load(0);
    const e = this.findLf(0);
    if (e < 0) {
      // A file of one line, the header.
      if (this.winLen > 0) this.deliver(0, this.winLen, 1);
      return { lines: this.winLen > 0 ? 1 : 0, bytes: this.size };
    }
    if (!this.deliver(0, e, 1)) return { lines: 1, bytes: this.size };
    this.dataStart = this.winStart + e + 1;
    this.meanLineBytes = this.measureMeanLine(e + 1);
    const jump = Math.max(1, Math.round(stride * this.meanLineBytes));
    // Far-apart positions: a small window per position instead of whole windows that would
    // read every byte of the file (a positioned read costs about a µs, reading a whole 318 MB file
    // tens of ms: docs/performance.md). The rows handed out do not depend on the window size.
    const sparseWindow = sparseWindowBytes(this.meanLineBytes);
    if (jump >= SPARSE_JUMP_OF_WINDOW * sparseWindow && sparseWindow < this.buf.length) {
      this.buf = new Uint8Array(sparseWindow);
      this.winLen = 0;
    }
    if (this.samplePairs(jump)) this.deliverLastLine();
    return { lines: this.lineNo, bytes: this.size };
  }

  /** Window = the file from `at` (as much as fits). */
  private load(at: number): void {
    this.winStart = at;
    const want = this.size - at < this.buf.length ? this.size - at : this.buf.length;
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, this.buf, got, want - got, at + got);
      if (n <= 0) break;
      got += n;
    }
    this.winLen = got;
  }

  private lfFrom(i: number): number {
    return lineEndIn(this.buf, i, this.winLen, this.winStart + this.winLen >= this.size);
  }

  /** A window about to grow past the line cap: the line at `abs` is too long. */
  private checkCap(abs: number): void {
    if (this.buf.length > this.maxLine) {
      const at = abs - this.winStart;
      throw new CsvLineTooLongError(this.path, this.lineNo + 1, this.maxLine, this.buf.subarray(at, at + LINE_QUOTE_BYTES));
    }
  }

  /**
   * Make the window hold the line that starts at absolute byte `abs` up to its LF; returns
   * that LF's index in the window, or −1 when the file ends first.
   */
  private findLf(abs: number): number {
    if (abs < this.winStart || abs >= this.winStart + this.winLen) this.load(abs);
    let nl = this.lfFrom(abs - this.winStart);
    if (nl >= 0 || this.winStart + this.winLen >= this.size) return nl;
    this.load(abs);
    nl = this.lfFrom(0);
    while (nl < 0 && this.winLen === this.buf.length) {
      // A line longer than the window: grow the window (up to the line cap).
      this.checkCap(abs);
      this.buf = new Uint8Array(this.buf.length * 2);
      this.load(abs);
      nl = this.lfFrom(0);
    }
    return nl;
  }

  /** Hand out the line [s, e) of the window as line `no`; false = stop. */
  private deliver(s: number, e: number, no: number): boolean {
    const buf = this.buf;
    this.nextAbs = this.winStart + e + 1;
    this.lineNo = no;
    if (e > s && buf[e - 1] === BYTE_CR) e--;
    if (no === 1 && e - s >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
    if (e <= s) return true;
    if (this.delimiter < 0) this.delimiter = guessDelimiter(utf8.decode(buf.subarray(s, e)));
    splitFields(this.row, buf, s, e, this.delimiter);
    this.row.lineNo = no;
    return this.onRow(this.row) !== false;
  }

  /** Mean bytes per line of up to SAMPLE_LENGTH_LINES lines of the window from `from` (0 when none). */
  private bytesPerLine(from: number): number {
    let k = from;
    let counted = 0;
    while (counted < SAMPLE_LENGTH_LINES) {
      // (A CR ending the window counts as a line end here, as a LF would: an estimate.)
      const nl = lineEndIn(this.buf, k, this.winLen, true);
      if (nl < 0) break;
      k = nl + 1;
      counted++;
    }
    return counted > 0 ? (k - from) / counted : 0;
  }

  /**
   * Mean line length: of the first lines (from window index `from`) and of the last window's
   * lines (early lines of a log are often shorter: small time stamps).
   */
  private measureMeanLine(from: number): number {
    const headMean = this.bytesPerLine(from);
    let mean = headMean > 0 ? headMean : 1;
    if (this.size > this.dataStart + this.buf.length) {
      this.load(this.size - this.buf.length);
      const first = this.lfFrom(0);
      const tailMean = first >= 0 ? this.bytesPerLine(first + 1) : 0;
      if (tailMean > 0 && headMean > 0) mean = 0.5 * (headMean + tailMean);
    }
    return mean;
  }

  /** Line number of the line starting at `abs`: the next one when adjacent, else estimated and ≥ 2 past. */
  private numberAt(abs: number): number {
    if (abs === this.nextAbs) return this.lineNo + 1;
    const est = 2 + Math.round((abs - this.dataStart) / this.meanLineBytes);
    return est > this.lineNo + 1 ? est : this.lineNo + 2;
  }

  /** Two whole lines every `jump` bytes; false when onRow asked to stop. */
  private samplePairs(jump: number): boolean {
    for (let at = this.dataStart; at < this.size; at += jump) {
      // The first whole line at or after `at` starts after the LF ending the line holding at − 1.
      let lineAbs = at;
      if (at > this.dataStart) {
        const nl = this.findLf(at - 1);
        if (nl < 0) break;
        lineAbs = this.winStart + nl + 1;
      }
      if (lineAbs < this.nextAbs) lineAbs = this.nextAbs;
      let no = this.numberAt(lineAbs);
      for (let pair = 0; pair < 2 && lineAbs < this.size; pair++) {
        const nl = this.findLf(lineAbs);
        if (nl < 0) break; // the last line (no line end) is handed out by deliverLastLine
        if (!this.deliver(lineAbs - this.winStart, nl, no)) return false;
        lineAbs = this.winStart + nl + 1;
        no++;
      }
      if (this.opts.onProgress) this.opts.onProgress(lineAbs, this.size);
    }
    return true;
  }

  /** The file's last line, unless already handed out. */
  private deliverLastLine(): void {
    let end = 0;
    let prevNl = -1;
    for (;;) {
      this.load(this.size > this.buf.length ? this.size - this.buf.length : 0);
      const buf = this.buf;
      end = this.winLen;
      while (end > 0 && (buf[end - 1] === BYTE_LF || buf[end - 1] === BYTE_CR)) end--;
      prevNl = end - 1;
      while (prevNl >= 0 && buf[prevNl] !== BYTE_LF && buf[prevNl] !== BYTE_CR) prevNl--;
      if (prevNl >= 0 || this.winStart === 0) break;
      this.checkCap(this.winStart);
      this.buf = new Uint8Array(this.buf.length * 2); // the last line is longer than the window
    }
    const start = prevNl + 1;
    if (end > start && this.winStart + start >= this.nextAbs && this.winStart + start >= this.dataStart) {
      this.deliver(start, end, this.numberAt(this.winStart + start));
    }
  }
}

/**
 * Split the line [s, e) of `buf` (line end and BOM already removed) into `row`'s fields, as
 * readCsv does for every row it hands out (quotes group delimiters; `row.buf` becomes `buf`).
 */
export function splitFields(row: CsvRow, buf: Uint8Array, s: number, e: number, delim: number): void {
  row.buf = buf;
  let n = 0;
  let fs = s;
  let inQuote = false;
  row.quoted = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c === BYTE_QUOTE) {
      inQuote = !inQuote;
      row.quoted = 1;
    } else if (c === delim && !inQuote) {
      if (n >= row.starts.length) growRow(row);
      row.starts[n] = fs;
      row.ends[n] = i;
      n++;
      fs = i + 1;
    }
  }
  if (n >= row.starts.length) growRow(row);
  row.starts[n] = fs;
  row.ends[n] = e;
  row.count = n + 1;
}

function growRow(row: CsvRow): void {
  const starts = new Int32Array(row.starts.length * 2);
  const ends = new Int32Array(row.ends.length * 2);
  starts.set(row.starts);
  ends.set(row.ends);
  row.starts = starts;
  row.ends = ends;
}

/** Read only the first `maxLines` non-empty lines as string arrays (format detection). */
export async function readCsvHead(path: string, maxLines: number): Promise<string[][]> {
  const lines: string[][] = [];
  await readCsv(path, (row) => {
    lines.push(row.strings());
    return lines.length < maxLines;
  });
  return lines;
}
