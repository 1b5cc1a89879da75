/**
 * Code injection through `zbms send` (issue 21): user text reaches the board's REPL as the
 * arguments of `zbms(…)`. The core, `probeText(link, text)`, takes any line channel to a board
 * running the firmware (the virtual board here; the real interpreter through its own link) and
 * one string, sends it the way `zbms send` does (`sendBoardCommand`) as
 *   - `get TEXT` (the reported attack: a path that no field has) → must be an error answer, and
 *   - `set name TEXT` → must be saved and read back by `get name` as exactly TEXT,
 * and reports what arrived. `InjectionWatch` watches every line the board prints for the
 * payloads' markers ("INJ") and counts status lines, so "telemetry continues" and "no injected
 * code ran" are checked across a whole run (the payloads' timers fire seconds later).
 */
import { sendBoardCommand } from "../../../host/serial/commandAnswer";
import type { LineChannel } from "../../../host/serial/replCommand";
import { classifyLine } from "../../../host/monitor/classifyLine";
import { startFirmwareBoard } from "../firmwareBoard";
import { PtyBoard } from "../../../host/virtualBoard/ptyBoard";
import { openLineChannel, type OpenLineChannel } from "../../../host/serial/lineChannel";

/** The payloads of the report (issue 21), as typed: `Ģ` (U+0122) was sent as `"`, `Ċ` as a newline, `ă` as Ctrl-C. */
export const KNOWN_PAYLOADS = [
  '\u0122);setTimeout(function(){print("INJ-B")},4000);//',
  "\u0122);clearInterval();//",
  "\u0122);print('INJ-A');//",
  "\x7f",
  "ab\x7f\x7f\x7fINJ-C",
  "\u0103",
  "\u010a",
  "\u010aprint('INJ-D')\u010a",
  '\\");print("INJ-E");//',
  "Zn\u2016MnO2 4S",
];

/** Marker every payload that would run code prints. */
export const INJECTION_MARKER = "INJ";
/** Longest pack name the board accepts (bytes: the board has no Unicode; shared/config/validateConfig). */
export const NAME_MAX_BYTES = 64;

export interface TextProbe {
  text: string;
  /** `get TEXT` was answered with an error (no field of that name), as it must be. */
  getRefused: boolean;
  /** What `get name` returned after `set name TEXT` (null: set refused or no reply). */
  arrived: string | null;
  /** Why `set name` was refused, when it was. */
  refused: string | null;
}

/** Send `text` through the host's command path on `ch` (see the file comment). */
export async function probeText(ch: LineChannel, text: string, timeoutMs = 5000): Promise<TextProbe> {
  const g = await sendBoardCommand(ch, ["get", text], timeoutMs);
  const getRefused = g.kind === "error";
  const s = await sendBoardCommand(ch, ["set", "name", text], timeoutMs);
  if (s.kind !== "reply") return { text, getRefused, arrived: null, refused: s.kind === "error" ? s.text : JSON.stringify(s) };
  const r = await sendBoardCommand(ch, ["get", "name"], timeoutMs);
  const arrived = r.kind === "reply" ? ((JSON.parse(r.payload) as { value: string }).value) : null;
  return { text, getRefused, arrived, refused: null };
}

/** Watches every line on a channel: injection markers and status lines. */
export class InjectionWatch {
  markers: string[] = [];
  statusLines = 0;
  private readonly off: () => void;
  constructor(ch: LineChannel) {
    this.off = ch.subscribe((line) => {
      if (line.includes(INJECTION_MARKER) && !line.includes("#Z")) this.markers.push(line);
      const c = classifyLine(line);
      if (c.kind === "telemetry" && c.record.kind === "sample") this.statusLines++;
      // a telemetry line quoting a payload (an error naming the bad path) is data, not a run
    });
  }
  /** Resolves once `n` more status lines came, or false after `ms`. */
  async moreStatus(n: number, ms: number): Promise<boolean> {
    const want = this.statusLines + n;
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (this.statusLines >= want) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.statusLines >= want;
  }
  dispose(): void {
    this.off();
  }
}

export interface InjectionFigures {
  texts: number;
  /** Texts that did not come back unchanged (within the name's length limit) or were refused. */
  corrupted: number;
  /** `get TEXT` not answered as an error. */
  getNotRefused: number;
  /** Injection markers printed by the board (code that ran). */
  injectedRuns: number;
  /** Telemetry still flowing at the end (status lines after the last probe). */
  telemetryContinues: boolean;
  examples: string[];
}

/** A firmware board on a pseudo-terminal and the host's channel to it. */
export async function startLinkedBoard(speed: number): Promise<{ ch: OpenLineChannel; stop: () => Promise<void> }> {
  const board = await startFirmwareBoard();
  const pb = await PtyBoard.start(board);
  board.runRealTime(speed);
  const ch = await openLineChannel(pb.path!);
  return {
    ch,
    stop: async () => {
      await ch.close();
      board.stopRealTime();
      pb.close();
    },
  };
}

/** Probe every text on `ch`, then wait `settleStatus` status lines (payload timers fire) and sum up. */
export async function runInjection(ch: LineChannel, texts: string[], settleStatus = 6, settleMs = 15000): Promise<InjectionFigures> {
  const watch = new InjectionWatch(ch);
  const f: InjectionFigures = { texts: 0, corrupted: 0, getNotRefused: 0, injectedRuns: 0, telemetryContinues: false, examples: [] };
  try {
    for (const text of texts) {
      f.texts++;
      let p: TextProbe;
      try {
        p = await probeText(ch, text);
      } catch (e) {
        // no answer: the text ended the call (the command never ran as sent)
        p = { text, getRefused: false, arrived: null, refused: (e as Error).message.slice(0, 120) };
      }
      const fits = new TextEncoder().encode(text).length <= NAME_MAX_BYTES && text.length > 0;
      if (!p.getRefused) f.getNotRefused++;
      if (fits && p.arrived !== text) {
        f.corrupted++;
        if (f.examples.length < 3) f.examples.push(`${JSON.stringify(text)} arrived as ${JSON.stringify(p.arrived)} (${p.refused ?? "saved"})`);
      }
    }
    f.telemetryContinues = await watch.moreStatus(settleStatus, settleMs);
    f.injectedRuns = watch.markers.length;
    if (watch.markers.length > 0) f.examples.push(`board printed ${JSON.stringify(watch.markers[0])}`);
  } finally {
    watch.dispose();
  }
  return f;
}
