/**
 * The one place the firmware prints: every line goes through the shared encoder
 * (shared/telemetry/lineFormat) with the firmware's own sequence counter, so numbers are
 * never printed by Espruino's float formatting. Encoding a malformed record cannot stop the
 * caller: the line is replaced by an error line.
 */
import { encodeLine, nextSeq } from "../shared/telemetry/lineFormat";
import type { Crc32Fn } from "../shared/telemetry/crc32";
import type { TelemetryRecord } from "../shared/telemetry/records";

export interface TelemetryOut {
  /** Sequence number of the next line (restarts at 0 on boot). */
  seq: number;
  /** Writes one line to the console (Espruino: console.log). */
  print: (line: string) => void;
  /** CRC-32 of a string: `E.CRC32` on the board, undefined = the portable one. */
  crc: Crc32Fn | undefined;
  /** Lines printed since boot. */
  lines: number;
}

/** Encode and print one record. */
export function emit(t: TelemetryOut, rec: TelemetryRecord): void {
  let line: string;
  try {
    line = encodeLine(rec, t.seq, t.crc);
  } catch (e) {
    line = encodeLine({ type: "error", id: "telemetry", text: errorText(e) }, t.seq, t.crc);
  }
  emitLine(t, line);
}

/**
 * Print a finished line (encoded for sequence number `t.seq`) and count it; null = the caller has
 * written it already (a reply line written in parts, firmware/commands.ts replyLine).
 */
export function emitLine(t: TelemetryOut, line: string | null): void {
  t.seq = nextSeq(t.seq);
  t.lines++;
  if (line !== null) t.print(line);
}

/** Shorthand for an error line (`id` = command id or driver/source name). */
export function emitError(t: TelemetryOut, id: string, text: string): void {
  emit(t, { type: "error", id: id, text: text });
}

/** Shorthand for a reply line. */
export function emitReply(t: TelemetryOut, id: string, payload: string): void {
  emit(t, { type: "reply", id: id, payload: payload });
}

/** Message of anything thrown (Espruino's errors have `.message` but no `.name`). */
export function errorText(e: unknown): string {
  if (e !== null && typeof e === "object" && typeof (e as { message?: unknown }).message === "string") {
    return (e as { message: string }).message;
  }
  return String(e);
}
