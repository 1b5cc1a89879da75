/**
 * The raw log: every line received from one board in one monitor session, as received.
 *
 * Format (one text file, append-only, bytes exactly as received):
 * - each received line is written verbatim (its "\r\n" or "\n" end replaced by a single "\n");
 * - the monitor's own notes are lines starting with `#zbms-monitor ` followed by one JSON object
 *   (`{"tHost":"<ISO time>","event":"open"|"disconnected"|"reconnected"|"boot"|"gap"|"seqRestart"|"rejected"|"partial"|"clock"|"close"|
 *   "resume"|"gapUnknown"|"timeBase"|"derivedStopped"|"derivedResumed"|"writeResumed"|"tornTail",…}`),
 *   so a reader can tell them from board output and knows the host time to within
 *   CLOCK_NOTE_INTERVAL_MS.
 *
 * Durability (the bound we promise):
 * - every line is handed to the kernel with a synchronous write() in the same event-loop turn
 *   in which the line splitter produced it, so a SIGKILL of the monitor, a crash or an
 *   exception loses no line the monitor had received (the kernel owns the bytes from then on);
 * - fdatasync() runs at most FSYNC_INTERVAL_MS after a write, so an OS crash or power cut of
 *   the host loses at most the last second;
 * - when the file cannot be written (disk full, read-only or removed disk), lines are kept in
 *   memory in order, up to RAW_LOG_MEMORY_MAX_B, retried every WRITE_RETRY_MS and written as soon
 *   as the disk takes them again; `onWriteError` / `onWriteResumed` say so (once per outage),
 *   and a `writeResumed` note records the outage and anything dropped beyond the bound.
 */
import * as fs from "node:fs";
import { describeWriteError, formatBytes, RAW_LOG_MEMORY_MAX_B, WRITE_RETRY_MS } from "./writeFailure";

/** Longest time a written line may stay only in the page cache (ms): "flushed within a second". */
export const FSYNC_INTERVAL_MS = 1000;

/** Marker that starts every note the monitor itself writes into a raw log. */
export const NOTE_PREFIX = "#zbms-monitor ";

export interface RawLogNote {
  event: string;
  [field: string]: unknown;
}

export interface RawLogEvents {
  /** Writing failed; the lines are kept in memory (called once per outage). */
  onWriteError?(message: string): void;
  /** Writing works again; what was kept has been written (called once per outage). */
  onWriteResumed?(message: string): void;
  /** Memory bound for held lines (bytes); default RAW_LOG_MEMORY_MAX_B. */
  memoryMaxB?: number;
}

export class RawLog {
  readonly path: string;
  private fd: number;
  private dirty = false;
  private syncTimer: NodeJS.Timeout | null = null;
  private linesWritten = 0;
  private readonly events: RawLogEvents;
  /** Bytes not yet on disk, in order (non-empty only while writes fail). */
  private pending: Buffer[] = [];
  private pendingB = 0;
  private failingSinceMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Largest number of bytes held in memory during the current or last outage. */
  maxHeldB = 0;
  /** Lines (and bytes) dropped because the memory bound was reached. */
  droppedLines = 0;
  droppedB = 0;

  /** Opens (creates or appends to) `path`; the directory must exist. */
  constructor(path: string, events: RawLogEvents = {}) {
    this.path = path;
    this.events = events;
    this.fd = fs.openSync(path, "a");
  }

  /** Bytes held in memory because the file cannot be written now. */
  heldBytes(): number {
    return this.pendingB;
  }

  /** Append one received line verbatim (latin1 keeps every byte as received). */
  writeLine(line: string): void {
    this.writeRaw(line + "\n");
    this.linesWritten++;
  }

  /** Append a monitor note (gap, reset, reconnect…) with the host time. */
  writeNote(note: RawLogNote, now: Date = new Date()): void {
    this.writeRaw(NOTE_PREFIX + JSON.stringify({ tHost: now.toISOString(), ...note }) + "\n");
  }

  /** Lines (not notes) written so far. */
  lineCount(): number {
    return this.linesWritten;
  }

  /** fdatasync now if anything is unsynced (a failing sync is retried at the next one). */
  sync(): void {
    if (this.fd < 0 || !this.dirty) return;
    try {
      fs.fdatasyncSync(this.fd);
      this.dirty = false;
    } catch (e) {
      this.failed(e);
    }
  }

  /** Write what is held, sync and close; further writes throw. Returns the bytes that could not be written. */
  close(): number {
    if (this.fd < 0) return 0;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
    this.drain();
    this.sync();
    const lost = this.pendingB;
    fs.closeSync(this.fd);
    this.fd = -1;
    return lost;
  }

  private writeRaw(text: string): void {
    if (this.fd < 0) throw new Error(`raw log ${this.path} is closed; cannot append ${JSON.stringify(text.slice(0, 40))}`);
    const buf = Buffer.from(text, "latin1");
    if (this.pending.length > 0) {
      this.drain(); // older lines first; if the disk takes them, this one goes straight after
      if (this.pending.length > 0) {
        this.hold(buf);
        return;
      }
    }
    let off = 0;
    try {
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      this.hold(buf.subarray(off));
      this.failed(e);
      return;
    }
    this.dirty = true;
    if (!this.syncTimer) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = null;
        this.sync();
      }, FSYNC_INTERVAL_MS);
      this.syncTimer.unref();
    }
  }

  /** Keep bytes that could not be written, within RAW_LOG_MEMORY_MAX_B. */
  private hold(buf: Buffer): void {
    if (buf.length === 0) return;
    if (this.pendingB + buf.length > (this.events.memoryMaxB ?? RAW_LOG_MEMORY_MAX_B)) {
      this.droppedLines++;
      this.droppedB += buf.length;
      return;
    }
    this.pending.push(Buffer.from(buf));
    this.pendingB += buf.length;
    if (this.pendingB > this.maxHeldB) this.maxHeldB = this.pendingB;
  }

  /** A write or sync failed: say so once, and retry every WRITE_RETRY_MS. */
  private failed(e: unknown): void {
    if (this.retryTimer) return;
    this.failingSinceMs = Date.now();
    this.retryTimer = setInterval(() => this.drain(), WRITE_RETRY_MS);
    this.retryTimer.unref();
    if (this.events.onWriteError) {
      this.events.onWriteError(
        `cannot write the raw log ${this.path}: ${describeWriteError(e)}. Keeping the board's lines in memory ` +
          `(up to ${formatBytes(this.events.memoryMaxB ?? RAW_LOG_MEMORY_MAX_B)}; ${formatBytes(RAW_LOG_MEMORY_MAX_B)} is about 97 min of a 115200-baud link at full speed) and retrying every ` +
          `${WRITE_RETRY_MS / 1000} s; free some space or fix the folder, nothing is lost until then.`,
      );
    }
  }

  /** Write held bytes in order; when all are out, end the outage with a note. */
  private drain(): void {
    if (this.fd < 0) return;
    while (this.pending.length > 0) {
      const head = this.pending[0]!;
      let n = 0;
      try {
        while (n < head.length) n += fs.writeSync(this.fd, head, n, head.length - n);
      } catch (e) {
        if (n > 0) {
          this.pending[0] = head.subarray(n);
          this.pendingB -= n;
        }
        this.failed(e);
        return;
      }
      this.pending.shift();
      this.pendingB -= head.length;
      this.dirty = true;
    }
    if (this.retryTimer) {
      clearInterval(this.retryTimer);
      this.retryTimer = null;
      const downMs = Date.now() - this.failingSinceMs;
      const held = this.maxHeldB;
      const dropped = this.droppedLines;
      this.writeNote({ event: "writeResumed", downMs, heldBytes: held, droppedLines: dropped, droppedBytes: this.droppedB });
      this.maxHeldB = 0;
      if (this.events.onWriteResumed) {
        this.events.onWriteResumed(
          `raw log ${this.path} is written again after ${(downMs / 1000).toFixed(1)} s; ${formatBytes(held)} kept in memory were written` +
            (dropped > 0 ? `, ${dropped} line(s) beyond the memory bound were dropped (noted in the log)` : ", nothing lost"),
        );
      }
      this.droppedLines = 0;
      this.droppedB = 0;
    }
  }
}

/** True when a raw-log line is a monitor note rather than board output. */
export function isNoteLine(line: string): boolean {
  return line.startsWith(NOTE_PREFIX);
}

/** Parse a note line; null when it is board output. */
export function parseNoteLine(line: string): RawLogNote | null {
  if (!isNoteLine(line)) return null;
  try {
    return JSON.parse(line.slice(NOTE_PREFIX.length)) as RawLogNote;
  } catch {
    return null;
  }
}
