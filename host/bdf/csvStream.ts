/**
 * Streaming CSV tokenizer over raw bytes: the one fast path every importer reads through.
 *
 * The file is read in chunks (never whole); each complete line is split into fields by
 * offsets into the chunk, and a reused `CsvRow` hands fields out as numbers (parsed straight
 * from the bytes, no string allocated) or strings. Memory stays flat however long the file.
 *
 * Supported: `,` `;` or tab delimiters, `\n` or `\r\n` line ends, a UTF-8 BOM, double-quoted
 * fields (quotes are stripped, `""` inside quotes becomes `"`; a quoted field may not span
 * lines — cycler exports never do).
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from "node:fs";
import { stat } from "node:fs/promises";

const BYTE_LF = 10;
const BYTE_CR = 13;
const BYTE_QUOTE = 34;
const BYTE_MINUS = 45;
const BYTE_PLUS = 43;
const BYTE_DOT = 46;
const BYTE_0 = 48;
const BYTE_9 = 57;
const BYTE_E_LOWER = 101;
const BYTE_E_UPPER = 69;
const BYTE_SPACE = 32;

/** Largest mantissa kept exact in a double (2^53). */
export const EXACT_MANTISSA_LIMIT = 9007199254740992;
/** Powers of ten are exact in a double up to 1e22 (IEEE 754 binary64). */
export const EXACT_POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
];

/** Read chunk size (bytes): large enough to amortise stream overhead, small for flat memory. */
const CHUNK_BYTES = 1 << 20;
/** Field offsets kept per row; grows if a file has more columns. */
const INITIAL_FIELDS = 64;

const utf8 = new TextDecoder("utf-8");

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
  while (s < e && (buf[s] === BYTE_SPACE || buf[s] === BYTE_QUOTE)) s++;
  while (e > s && (buf[e - 1] === BYTE_SPACE || buf[e - 1] === BYTE_QUOTE)) e--;
  if (s >= e) return NaN;
  let i = s;
  let neg = false;
  if (buf[i] === BYTE_MINUS) {
    neg = true;
    i++;
  } else if (buf[i] === BYTE_PLUS) {
    i++;
  }
  let mant = 0;
  let digits = 0;
  let fracDigits = 0;
  let c = 0;
  while (i < e) {
    c = buf[i];
    if (c < BYTE_0 || c > BYTE_9) break;
    mant = mant * 10 + (c - BYTE_0);
    digits++;
    i++;
  }
  if (i < e && buf[i] === BYTE_DOT) {
    i++;
    while (i < e) {
      c = buf[i];
      if (c < BYTE_0 || c > BYTE_9) break;
      mant = mant * 10 + (c - BYTE_0);
      digits++;
      fracDigits++;
      i++;
    }
  }
  if (digits === 0) return slowParse(buf, s, e);
  let exp = 0;
  if (i < e && (buf[i] === BYTE_E_LOWER || buf[i] === BYTE_E_UPPER)) {
    i++;
    let expNeg = false;
    if (i < e && buf[i] === BYTE_MINUS) {
      expNeg = true;
      i++;
    } else if (i < e && buf[i] === BYTE_PLUS) {
      i++;
    }
    let expDigits = 0;
    while (i < e) {
      c = buf[i];
      if (c < BYTE_0 || c > BYTE_9) break;
      exp = exp * 10 + (c - BYTE_0);
      expDigits++;
      i++;
    }
    if (expDigits === 0) return NaN;
    if (expNeg) exp = -exp;
  }
  if (i !== e) return NaN;
  if (mant >= EXACT_MANTISSA_LIMIT) return slowParse(buf, s, e);
  const scale = exp - fracDigits;
  let v: number;
  if (scale === 0) v = mant;
  else if (scale < 0 && -scale <= 22) v = mant / EXACT_POW10[-scale];
  else if (scale > 0 && scale <= 22) v = mant * EXACT_POW10[scale];
  else return slowParse(buf, s, e);
  return neg ? -v : v;
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
 * caller decides what a header is). Return `false` from `onRow` to stop early.
 */
export async function readCsv(
  path: string,
  onRow: (row: CsvRow) => boolean | void,
  opts: CsvReadOptions = {},
): Promise<{ lines: number; bytes: number }> {
  if (opts.sampleByBytes === true && opts.stride !== undefined && opts.stride > 1) {
    return readCsvSampledByBytes(path, onRow, Math.floor(opts.stride), opts);
  }
  const totalBytes = (await stat(path)).size;
  const stream = createReadStream(path, { highWaterMark: opts.chunkBytes ?? CHUNK_BYTES });
  const row = new CsvRow();
  let delimiter = opts.delimiter ?? -1;
  let carry: Uint8Array = new Uint8Array(0);
  let lineNo = 0;
  let bytesRead = 0;
  let stopped = false;
  let first = true;
  const stride = opts.stride !== undefined && opts.stride > 1 ? Math.floor(opts.stride) : 1;
  let dataIdx = -1;
  // Last line skipped by the stride (buffer, start, end) and whether a line came after it.
  let skippedBuf: Uint8Array | null = null;
  let skippedS = 0;
  let skippedE = 0;

  const processLine = (buf: Uint8Array, s: number, e: number): boolean => {
    if (stride > 1 && !first) {
      dataIdx++;
      if (dataIdx % stride >= 2) {
        lineNo++;
        skippedBuf = buf;
        skippedS = s;
        skippedE = e;
        return true;
      }
      skippedBuf = null;
    }
    lineNo++;
    if (e > s && buf[e - 1] === BYTE_CR) e--;
    if (first) {
      first = false;
      if (e - s >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
      if (delimiter < 0) delimiter = guessDelimiter(utf8.decode(buf.subarray(s, e)));
    }
    if (e <= s) return true;
    splitFields(row, buf, s, e, delimiter);
    row.lineNo = lineNo;
    return onRow(row) !== false;
  };

  const processLineAll = (buf: Uint8Array, s: number, e: number): boolean => {
    lineNo++;
    if (e > s && buf[e - 1] === BYTE_CR) e--;
    if (e <= s) return true;
    if (delimiter < 0) delimiter = guessDelimiter(utf8.decode(buf.subarray(s, e)));
    splitFields(row, buf, s, e, delimiter);
    row.lineNo = lineNo;
    return onRow(row) !== false;
  };

  try {
    for await (const chunkAny of stream) {
      const chunk = chunkAny as Uint8Array;
      bytesRead += chunk.length;
      let buf: Uint8Array = chunk;
      let lineStart = 0;
      if (carry.length > 0) {
        // Only the line that straddles the chunk boundary is copied, not the whole chunk.
        const firstNl = chunk.indexOf(BYTE_LF);
        if (firstNl < 0) {
          const joined = new Uint8Array(carry.length + chunk.length);
          joined.set(carry, 0);
          joined.set(chunk, carry.length);
          carry = joined;
          if (opts.onProgress) opts.onProgress(bytesRead, totalBytes);
          continue;
        }
        const line = new Uint8Array(carry.length + firstNl);
        line.set(carry, 0);
        line.set(chunk.subarray(0, firstNl), carry.length);
        if (!processLine(line, 0, line.length)) {
          stopped = true;
          break;
        }
        lineStart = firstNl + 1;
      }
      let nl = buf.indexOf(BYTE_LF, lineStart);
      while (nl >= 0) {
        if (!processLine(buf, lineStart, nl)) {
          stopped = true;
          break;
        }
        lineStart = nl + 1;
        nl = buf.indexOf(BYTE_LF, lineStart);
      }
      if (stopped) break;
      carry = buf.slice(lineStart);
      if (opts.onProgress) opts.onProgress(bytesRead, totalBytes);
    }
    if (!stopped && carry.length > 0) {
      // The final line has no line end: it is the last line, never skipped by the stride.
      if (first || stride === 1) processLine(carry, 0, carry.length);
      else processLineAll(carry, 0, carry.length);
    } else if (!stopped && skippedBuf !== null) {
      // The file's last line was skipped by the stride: hand it out after all.
      const b = skippedBuf as Uint8Array;
      lineNo--;
      processLineAll(b, skippedS, skippedE);
    }
  } finally {
    stream.destroy();
  }
  return { lines: lineNo, bytes: bytesRead };
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
    const size = fstatSync(fd).size;
    const windowBytes = opts.chunkBytes !== undefined && opts.chunkBytes > 0 ? opts.chunkBytes : CHUNK_BYTES;
    let buf = new Uint8Array(windowBytes);
    let winStart = 0;
    let winLen = 0;
    const load = (at: number): void => {
      winStart = at;
      winLen = size - at < buf.length ? size - at : buf.length;
      let got = 0;
      while (got < winLen) {
        const n = readSync(fd, buf, got, winLen - got, at + got);
        if (n <= 0) break;
        got += n;
      }
      winLen = got;
    };
    const lfFrom = (i: number): number => (winLen === buf.length ? buf.indexOf(BYTE_LF, i) : buf.subarray(0, winLen).indexOf(BYTE_LF, i));
    /**
     * Make the window hold the line that starts at absolute byte `abs` up to its LF; returns
     * that LF's index in the window, or −1 when the file ends first.
     */
    const findLf = (abs: number): number => {
      if (abs < winStart || abs >= winStart + winLen) load(abs);
      let nl = lfFrom(abs - winStart);
      if (nl >= 0 || winStart + winLen >= size) return nl;
      load(abs);
      nl = lfFrom(0);
      while (nl < 0 && winLen === buf.length) {
        // A line longer than the window: grow the window.
        buf = new Uint8Array(buf.length * 2);
        load(abs);
        nl = lfFrom(0);
      }
      return nl;
    };
    const row = new CsvRow();
    let delimiter = opts.delimiter ?? -1;
    let lineNo = 0;
    /** Absolute start of the line after the last one handed out. */
    let nextAbs = 0;
    /** Hand out the line [s, e) of the window as line `no`; false = stop. */
    const deliver = (s: number, e: number, no: number): boolean => {
      nextAbs = winStart + e + 1;
      lineNo = no;
      if (e > s && buf[e - 1] === BYTE_CR) e--;
      if (no === 1 && e - s >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
      if (e <= s) return true;
      if (delimiter < 0) delimiter = guessDelimiter(utf8.decode(buf.subarray(s, e)));
      splitFields(row, buf, s, e, delimiter);
      row.lineNo = no;
      return onRow(row) !== false;
    };
    load(0);
    // Header.
    const e = findLf(0);
    if (e < 0) {
      if (winLen > 0) deliver(0, winLen, 1);
      return { lines: winLen > 0 ? 1 : 0, bytes: size };
    }
    if (!deliver(0, e, 1)) return { lines: 1, bytes: size };
    const dataStart = winStart + e + 1;
    // Mean line length: of the first lines and of the last window's lines (early lines of a
    // log are often shorter: small time stamps).
    const bytesPerLine = (from: number): number => {
      let k = from;
      let counted = 0;
      while (counted < SAMPLE_LENGTH_LINES) {
        const nl = lfFrom(k);
        if (nl < 0) break;
        k = nl + 1;
        counted++;
      }
      return counted > 0 ? (k - from) / counted : 0;
    };
    const headMean = bytesPerLine(e + 1);
    let meanLineBytes = headMean > 0 ? headMean : 1;
    if (size > dataStart + buf.length) {
      load(size - buf.length);
      const first = lfFrom(0);
      const tailMean = first >= 0 ? bytesPerLine(first + 1) : 0;
      if (tailMean > 0 && headMean > 0) meanLineBytes = 0.5 * (headMean + tailMean);
    }
    const jump = Math.max(1, Math.round(stride * meanLineBytes));
    // Far-apart positions: a small window per position instead of whole windows that would
    // read every byte of the file (a positioned read costs ~1 µs; reading all of a 318 MB file
    // ~40–55 ms, measured 2026-11-24). The rows handed out do not depend on the window size.
    const sparseWindow = sparseWindowBytes(meanLineBytes);
    if (jump >= SPARSE_JUMP_OF_WINDOW * sparseWindow && sparseWindow < buf.length) {
      buf = new Uint8Array(sparseWindow);
      winLen = 0;
    }
    /** Line number of the line starting at `abs`: the next one when adjacent, else estimated and ≥ 2 past. */
    const numberAt = (abs: number): number => {
      if (abs === nextAbs) return lineNo + 1;
      const est = 2 + Math.round((abs - dataStart) / meanLineBytes);
      return est > lineNo + 1 ? est : lineNo + 2;
    };
    let stopped = false;
    for (let at = dataStart; at < size && !stopped; at += jump) {
      // The first whole line at or after `at` starts after the LF ending the line holding at − 1.
      let lineAbs = at;
      if (at > dataStart) {
        const nl = findLf(at - 1);
        if (nl < 0) break;
        lineAbs = winStart + nl + 1;
      }
      if (lineAbs < nextAbs) lineAbs = nextAbs;
      let no = numberAt(lineAbs);
      for (let pair = 0; pair < 2 && lineAbs < size; pair++) {
        const nl = findLf(lineAbs);
        if (nl < 0) break; // the last line (no line end) is handed out below
        if (!deliver(lineAbs - winStart, nl, no)) {
          stopped = true;
          break;
        }
        lineAbs = winStart + nl + 1;
        no++;
      }
      if (opts.onProgress) opts.onProgress(lineAbs, size);
    }
    if (!stopped) {
      // The file's last line, unless already handed out.
      let end = 0;
      let prevNl = -1;
      for (;;) {
        load(size > buf.length ? size - buf.length : 0);
        end = winLen;
        while (end > 0 && (buf[end - 1] === BYTE_LF || buf[end - 1] === BYTE_CR)) end--;
        prevNl = end > 0 ? buf.subarray(0, end).lastIndexOf(BYTE_LF) : -1;
        if (prevNl >= 0 || winStart === 0) break;
        buf = new Uint8Array(buf.length * 2); // the last line is longer than the window
      }
      const start = prevNl + 1;
      if (end > start && winStart + start >= nextAbs && winStart + start >= dataStart) {
        deliver(start, end, numberAt(winStart + start));
      }
    }
    return { lines: lineNo, bytes: size };
  } finally {
    closeSync(fd);
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
