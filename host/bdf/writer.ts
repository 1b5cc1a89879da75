/**
 * Streaming BDF CSV writer: rows are formatted into a buffer and written to the file with
 * synchronous writes of at most `FLUSH_BYTES`, so memory stays flat and nothing waits on
 * stream back-pressure. `flush()` pushes what is buffered to disk now (the monitor calls it
 * after each line it must not lose); `close()` flushes and closes.
 */
import { closeSync, existsSync, fsyncSync, openSync, statSync, writeSync } from "node:fs";
import { BDF_ZBMS_COLUMNS } from "./columns";

/** Buffered bytes before a write to the file (1 MiB). */
const FLUSH_BYTES = 1 << 20;

/** One BDF row; + current = charge. NaN fields are written as empty cells. */
export interface BdfRow {
  /** Test time since the start of the run (s). */
  testTimeS: number;
  /** Pack (or cell) voltage (V). */
  voltageV: number;
  /** Current (A), + = charge. */
  currentA: number;
  /** Cycle count: the cycler's cycle number as reported, else zbms's (1-based). */
  cycleCount: number;
  /** 1-based step count: +1 at every new cycler step, else at every change of charge / discharge / rest. */
  stepCount: number;
  /** Ambient (or cell surface) temperature (°C); NaN when not measured. */
  ambientTempC: number;
  /** Charge counted since the test's start (Ah). */
  chargingCapacityAh: number;
  /** Discharge counted since the test's start (Ah, positive). */
  dischargingCapacityAh: number;
  /** Charge energy since the test's start (Wh). */
  chargingEnergyWh: number;
  /** Discharge energy since the test's start (Wh, positive). */
  dischargingEnergyWh: number;
}

export interface BdfWriterOptions {
  /** Append to an existing file (no second header) instead of truncating it. */
  append?: boolean;
  /** fsync on every flush (durable against power loss; slower). */
  fsync?: boolean;
}

function cell(v: number): string {
  return v === v ? String(v) : "";
}

export class BdfWriter {
  private fd: number;
  private buf = "";
  /** Buffer length at which writeRow flushes by itself. */
  private autoFlushAtB = FLUSH_BYTES;
  private readonly fsync: boolean;
  /** Rows written so far (this session). */
  rows = 0;

  constructor(path: string, opts: BdfWriterOptions = {}) {
    const append = opts.append === true;
    const hasContent = append && existsSync(path) && statSync(path).size > 0;
    this.fd = openSync(path, append ? "a" : "w");
    this.fsync = opts.fsync === true;
    if (!hasContent) this.buf = BDF_ZBMS_COLUMNS.join(",") + "\n";
  }

  /** Column order written (BDF names). */
  static columns(): readonly string[] {
    return BDF_ZBMS_COLUMNS;
  }

  writeRow(r: BdfRow): void {
    if (this.fd < 0) throw new Error("BdfWriter: write after close");
    this.buf +=
      cell(r.testTimeS) + "," + cell(r.voltageV) + "," + cell(r.currentA) + "," +
      cell(r.cycleCount) + "," + cell(r.stepCount) + "," + cell(r.ambientTempC) + "," +
      cell(r.chargingCapacityAh) + "," + cell(r.dischargingCapacityAh) + "," +
      cell(r.chargingEnergyWh) + "," + cell(r.dischargingEnergyWh) + "\n";
    this.rows++;
    if (this.buf.length >= this.autoFlushAtB) {
      // after a failed flush (disk full) wait for another FLUSH_BYTES before trying again here,
      // so a refusing disk does not cost a copy of the whole buffer per row
      this.autoFlushAtB = this.buf.length + FLUSH_BYTES;
      this.flush();
      this.autoFlushAtB = FLUSH_BYTES;
    }
  }

  /**
   * Write buffered rows to the file now. If the disk refuses (full, read-only), what was not
   * written stays buffered, in order, and the error is thrown; the next flush goes on from there.
   */
  flush(): void {
    if (this.fd < 0) return;
    if (this.buf.length > 0) {
      const bytes = Buffer.from(this.buf, "latin1");
      let off = 0;
      try {
        while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
      } finally {
        this.buf = off === bytes.length ? "" : bytes.subarray(off).toString("latin1");
      }
    }
    if (this.fsync) fsyncSync(this.fd);
  }

  /** Bytes of rows formatted but not yet written. */
  bufferedBytes(): number {
    return this.buf.length;
  }

  /** Flush and close; the file is closed even when the last flush fails (its error is thrown). */
  close(): void {
    if (this.fd < 0) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

/** The header line zbms writes (for tests and for other writers). */
export const BDF_HEADER_LINE = BDF_ZBMS_COLUMNS.join(",");
