/**
 * Send one command to the firmware's entry point and collect its answer.
 *
 * The firmware (firmware/commands.ts) answers `zbms("name#ID", …)` with a `reply` or `error`
 * line whose id is ID, with an `ident` line (command `ident`), or with `cycle` lines closed by
 * a `done` line with id ID (command `cycles`). We tag every command with a fresh ID so that an
 * answer is never confused with telemetry or with the answer to an earlier command.
 */
import { classifyLine } from "../monitor/classifyLine";
import type { CycleSummary, MonitorRecord } from "../monitor/monitorRecord";
import { byteStringLiteral, DEFAULT_REPLY_TIMEOUT_MS, sendAndAwait, wordToLiteral, ENTRY_POINT, type LineChannel } from "./replCommand";

export type CommandAnswer =
  | { kind: "reply"; id: string; payload: string }
  | { kind: "error"; id: string; text: string }
  | { kind: "ident"; fwVersion: string; bundleHash: string; board: string; pack: string }
  | { kind: "cycles"; id: string; cycles: CycleSummary[] };

let counter = 0;

/** A host id unlikely to repeat across runs: time-based prefix plus a counter. */
export function freshCommandId(): string {
  counter = (counter + 1) % 1000;
  return "h" + (Date.now() % 100000000).toString(36) + counter.toString(36);
}

/** `zbms("status#ID", …)` for the words of a command. */
export function taggedCall(words: string[], id: string): string {
  if (words.length === 0) throw new Error(`no command given; expected e.g. "status", "ident", "set <field> <value>"`);
  if (words[0]!.includes("#")) throw new Error(`command name "${words[0]}" must not contain "#" (zbms adds its own id)`);
  return `${ENTRY_POINT}(${[byteStringLiteral(words[0] + "#" + id)].concat(words.slice(1).map(wordToLiteral)).join(",")})`;
}

/** Send `words` as one command on `ch`; resolve with its answer (rejects with ReplyTimeoutError). */
export function sendBoardCommand(ch: LineChannel, words: string[], timeoutMs: number = DEFAULT_REPLY_TIMEOUT_MS): Promise<CommandAnswer> {
  const id = freshCommandId();
  const code = taggedCall(words, id);
  const cycles: CycleSummary[] = [];
  const isIdent = words[0] === "ident";
  return sendAndAwait(
    ch,
    code,
    (line): CommandAnswer | undefined => {
      const c = classifyLine(line);
      if (c.kind !== "telemetry") return undefined;
      const r: MonitorRecord = c.record;
      if (r.kind === "reply" && r.id === id) return { kind: "reply", id, payload: r.payload };
      if (r.kind === "error" && r.id === id) return { kind: "error", id, text: r.text };
      if (r.kind === "ident" && isIdent) return { kind: "ident", fwVersion: r.fwVersion, bundleHash: r.bundleHash, board: r.board, pack: r.pack };
      if (r.kind === "cycle") cycles.push(r.cycle);
      if (r.kind === "done" && r.id === id) return { kind: "cycles", id, cycles: cycles.slice() };
      return undefined;
    },
    timeoutMs,
  );
}
