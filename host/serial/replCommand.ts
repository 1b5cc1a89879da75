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

/**
 * User text as a JavaScript string literal whose every byte is printable ASCII and which no
 * byte of the text can end: the text's UTF-8 bytes, each byte outside 0x20…0x7E and each `"`
 * and `\` written as `\xHH`. Espruino 2v29 on the ESP32 has no Unicode (strings hold bytes)
 * and keeps only the low byte of a `\uXXXX` escape; `\xHH` is one byte on every build (with or
 * without ESPR_UNICODE_SUPPORT, src/jslex.c) and one char U+00HH in Node (the virtual board), so
 * the board holds the text's UTF-8 bytes and prints them back as `%hh` escapes, which
 * `boardText` turns into the text typed. docs/security.md.
 */
export function byteStringLiteral(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '"';
  for (const b of bytes) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : "\\x" + b.toString(16).padStart(2, "0");
  }
  return out + '"';
}

/** `text` as the string of its UTF-8 bytes (one char U+00HH per byte): what the board holds. */
export function utf8ByteString(text: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(text)) out += String.fromCharCode(b);
  return out;
}

/**
 * Text the board printed (chars U+0000…U+00FF = its bytes) read back as the UTF-8 the host
 * sent (`byteStringLiteral`); text that is not valid UTF-8 (the board's own, or bytes from
 * elsewhere) is returned unchanged.
 */
export function boardText(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return s;
    if (c > 0x7f) plain = false;
  }
  if (plain) return s;
  try {
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return UTF8_STRICT.decode(bytes);
  } catch {
    return s;
  }
}
const UTF8_STRICT = new TextDecoder("utf-8", { fatal: true });

/** One command-line word as a JavaScript literal: numbers and booleans stay typed, the rest are strings. */
export function wordToLiteral(word: string): string {
  if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(word)) return String(Number(word));
  if (word === "true" || word === "false") return word;
  return byteStringLiteral(word);
}

/** `["set","sampleMs","1000"]` → `zbms("set","sampleMs",1000)`. */
export function formatCommandCall(words: string[]): string {
  if (words.length === 0) throw new Error(`no command given; expected e.g. "status", "ident", "set <field> <value>"`);
  return `${ENTRY_POINT}(${words.map(wordToLiteral).join(",")})`;
}

/**
 * The bytes to send for one REPL line with echo off. Only printable ASCII may follow the DLE:
 * a control byte, DEL (backspace to the REPL) or a char above U+00FF (the port writes its low
 * byte) could end the line or edit it (user text goes through `byteStringLiteral`).
 */
export function replLine(code: string): string {
  if (!/^[\x20-\x7e]*$/.test(code)) throw new Error(`a REPL command must be one line of printable ASCII; got ${JSON.stringify(code)}`);
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
