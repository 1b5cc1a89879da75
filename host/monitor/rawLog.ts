/**
 * The raw log: every line received from one board in one monitor session, as received.
 *
 * Format (one text file, append-only, bytes exactly as received):
 * - each received line is written verbatim (its "\r\n" or "\n" end replaced by a single "\n");
 * - the monitor's own notes are lines starting with `#zbms-monitor ` followed by one JSON object
 *   (`{"tHost":"<ISO time>","event":"open"|"disconnected"|"reconnected"|"boot"|"gap"|"clock"|"close",…}`),
 *   so a reader can tell them from board output and knows the host time to within
 *   CLOCK_NOTE_INTERVAL_MS.
 *
 * Durability (the bound we promise):
 * - every line is handed to the kernel with a synchronous write() in the same event-loop turn
 *   in which the line splitter produced it, so a SIGKILL of the monitor, a crash or an
 *   exception loses no line the monitor had received (the kernel owns the bytes from then on);
 * - fdatasync() runs at most FSYNC_INTERVAL_MS after a write, so an OS crash or power cut of
 *   the host loses at most the last second.
 */
import * as fs from "node:fs";

/** Longest time a written line may stay only in the page cache (ms): "flushed within a second". */
export const FSYNC_INTERVAL_MS = 1000;

/** Marker that starts every note the monitor itself writes into a raw log. */
export const NOTE_PREFIX = "#zbms-monitor ";

export interface RawLogNote {
  event: string;
  [field: string]: unknown;
}

export class RawLog {
  readonly path: string;
  private fd: number;
  private dirty = false;
  private syncTimer: NodeJS.Timeout | null = null;
  private linesWritten = 0;

  /** Opens (creates or appends to) `path`; the directory must exist. */
  constructor(path: string) {
    this.path = path;
    this.fd = fs.openSync(path, "a");
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

  /** fdatasync now if anything is unsynced. */
  sync(): void {
    if (this.fd < 0 || !this.dirty) return;
    fs.fdatasyncSync(this.fd);
    this.dirty = false;
  }

  /** Sync and close; further writes throw. */
  close(): void {
    if (this.fd < 0) return;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.sync();
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  private writeRaw(text: string): void {
    if (this.fd < 0) throw new Error(`raw log ${this.path} is closed; cannot append ${JSON.stringify(text.slice(0, 40))}`);
    const buf = Buffer.from(text, "latin1");
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    this.dirty = true;
    if (!this.syncTimer) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = null;
        this.sync();
      }, FSYNC_INTERVAL_MS);
      this.syncTimer.unref();
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
