/**
 * Talking to the board's REPL: commands are calls of the firmware's one global entry point,
 * typed into Espruino's console the way the Espruino IDE does it.
 *
 * - A line that starts with `\x10` (DLE) is not echoed by Espruino, and the value of the
 *   expression is not printed either, so the only output is what the command prints: its
 *   answer as one telemetry line (docs/espruino.md, "Talking to a board").
 * - Telemetry keeps flowing while we wait, so the answer is found by a predicate on decoded
 *   lines (the caller knows which record type answers which command), not by "the next line".
 */

import { decodeLine } from "../../shared/telemetry/lineFormat";

/** DLE: at the start of a line, Espruino suppresses that line's echo (Espruino IDE convention). */
export const ECHO_OFF = "\x10";

/** Name of the firmware's global command entry point. */
export const ENTRY_POINT = "zbms";

/** How long a command may take to answer by default (ms): a few telemetry periods at 1 Hz. */
export const DEFAULT_REPLY_TIMEOUT_MS = 5000;

/** One command-line word as a JavaScript literal: numbers and booleans stay typed, the rest are strings. */
export function wordToLiteral(word: string): string {
  if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(word)) return String(Number(word));
  if (word === "true" || word === "false") return word;
  // JSON string escapes (\" \\ \n \uXXXX) are valid Espruino string literals too
  return JSON.stringify(word);
}

/** `["set","sampleMs","1000"]` → `zbms("set","sampleMs",1000)`. */
export function formatCommandCall(words: string[]): string {
  if (words.length === 0) throw new Error(`no command given; expected e.g. "status", "ident", "set <field> <value>"`);
  return `${ENTRY_POINT}(${words.map(wordToLiteral).join(",")})`;
}

/** The bytes to send for one REPL line with echo off. */
export function replLine(code: string): string {
  if (/[\r\n]/.test(code)) throw new Error(`a REPL command must be one line; got ${JSON.stringify(code)}`);
  return ECHO_OFF + code + "\n";
}

export interface LineChannel {
  write(text: string): Promise<void>;
  /** Subscribe to received lines; returns an unsubscribe function. */
  subscribe(onLine: (line: string) => void): () => void;
}

export class ReplyTimeoutError extends Error {
  constructor(code: string, timeoutMs: number, seen: string[]) {
    const zbmsLines = seen.filter((l) => decodeLine(l).ok).length;
    super(
      `timeout: no answer to ${code} within ${timeoutMs} ms. ` +
        (seen.length === 0
          ? "The port is silent: is an ESP32 with Espruino connected and running (try its reset button)?"
          : zbmsLines > 0
            ? `The board runs zbms (${zbmsLines} telemetry line(s) arrived meanwhile) but did not answer: ` +
              "try again, or give it longer with --timeout."
            : `The board printed ${seen.length} other line(s), last: ${JSON.stringify(seen[seen.length - 1]!.slice(0, 120))}. ` +
              "Is zbms firmware on it? Flash it with `zbms flash --port …`."),
    );
    this.name = "ReplyTimeoutError";
  }
}

/**
 * Send `code` as one echo-off REPL line; resolve with the first received line for which
 * `isReply(line)` returns a value other than undefined (that value), or reject on timeout.
 */
export function sendAndAwait<T>(ch: LineChannel, code: string, isReply: (line: string) => T | undefined, timeoutMs: number = DEFAULT_REPLY_TIMEOUT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const seen: string[] = [];
    let done = false;
    const finish = (): void => {
      done = true;
      unsubscribe();
      clearTimeout(timer);
    };
    const unsubscribe = ch.subscribe((line) => {
      if (done) return;
      let v: T | undefined;
      try {
        v = isReply(line);
      } catch {
        v = undefined;
      }
      if (v !== undefined) {
        finish();
        resolve(v);
      } else {
        seen.push(line);
      }
    });
    const timer = setTimeout(() => {
      if (done) return;
      finish();
      reject(new ReplyTimeoutError(code, timeoutMs, seen));
    }, timeoutMs);
    ch.write(replLine(code)).catch((e: unknown) => {
      if (done) return;
      finish();
      reject(e);
    });
  });
}
