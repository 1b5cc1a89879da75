/**
 * Split a byte stream into text lines with @serialport/parser-readline.
 *
 * Espruino ends console lines with "\r\n"; we split on "\n" and drop one trailing "\r", so a
 * line is exactly the text the board printed between two line ends, whatever the chunking
 * (a line may arrive over any number of reads). Bytes after the last "\n" stay in the parser
 * until their line ends; `pending()` exposes them so a shutdown can log the partial line.
 */
import type { Readable } from "node:stream";
import { requirePackage } from "../util/lazyPackage";

/**
 * Longest line kept whole (bytes). A telemetry line is a few hundred bytes (docs/protocol.md);
 * a device that never sends a newline (wrong baud rate, binary output) must not grow memory
 * without bound, so a longer run is cut and delivered as a line of its own.
 */
export const MAX_LINE_BYTES = 64 * 1024;

/** Remove one trailing carriage return, if any. */
export function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

export interface LineSplitter {
  /** Text received after the last line end (a line not finished yet). */
  pending(): string;
  /** Stop splitting (unpipes the parser). */
  detach(): void;
}

/** Pipe `source` through a readline parser; call `onLine` for every complete line, in order. */
export function attachLineSplitter(source: Readable, onLine: (line: string) => void): LineSplitter {
  const { ReadlineParser } = requirePackage<typeof import("@serialport/parser-readline")>("@serialport/parser-readline", "split serial input into lines");
  const parser = new ReadlineParser({ delimiter: "\n", encoding: "latin1", includeDelimiter: false });
  source.pipe(parser);
  parser.on("data", (line: string) => onLine(stripCr(line)));
  const state = parser as unknown as { buffer?: Buffer };
  const guard = (): void => {
    // runs after the pipe has handed the chunk to the parser (listeners fire in order)
    const buf = state.buffer;
    if (buf && buf.length > MAX_LINE_BYTES) {
      state.buffer = Buffer.alloc(0);
      onLine(buf.toString("latin1"));
    }
  };
  source.on("data", guard);
  return {
    pending(): string {
      // ReadlineParser extends DelimiterParser, whose only state is its leftover `buffer`.
      const buf = (parser as unknown as { buffer?: Buffer }).buffer;
      return buf && buf.length > 0 ? stripCr(buf.toString("latin1")) : "";
    },
    detach(): void {
      source.off("data", guard);
      source.unpipe(parser);
      parser.removeAllListeners("data");
    },
  };
}
