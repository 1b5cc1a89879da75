/**
 * Several raw codes of one channel, one per board sample: wait for a fresh status line, then
 * ask `raw` (which answers the last sample's codes). Waiting on status lines, not on a host
 * timer, makes the readings distinct samples at any sample period and any board speed.
 */
import { classifyLine } from "../monitor/classifyLine";
import { sendBoardCommand } from "../serial/commandAnswer";
import type { LineChannel } from "../serial/replCommand";

/** Codes of one channel over several samples, with their mean and spread. */
export interface RawReadings {
  codes: number[];
  meanCode: number;
  /** max − min of the codes. */
  spreadCode: number;
}

/** Resolve at the next status line the board prints (rejects after `timeoutMs`). */
export function nextSample(ch: LineChannel, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no status line from the board within ${timeoutMs} ms: is it sampling (are its sensors valid)? Check with zbms monitor --port …`));
    }, timeoutMs);
    const unsubscribe = ch.subscribe((line) => {
      const c = classifyLine(line);
      if (c.kind === "telemetry" && c.record.kind === "sample") {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  });
}

/** The `raw` reply: channel name → last raw code (null = that read failed). */
export async function readRawAll(ch: LineChannel, timeoutMs: number): Promise<Record<string, number | null>> {
  const a = await sendBoardCommand(ch, ["raw"], timeoutMs);
  if (a.kind === "error") throw new Error(`the board refused raw: ${a.text}`);
  if (a.kind !== "reply") throw new Error(`unexpected answer to raw: ${JSON.stringify(a)}`);
  return JSON.parse(a.payload) as Record<string, number | null>;
}

/** The `raw` reply's code for `channel` (throws naming the channel when the board has none or the read failed). */
export async function readRawOnce(ch: LineChannel, channel: string, timeoutMs: number): Promise<number> {
  const codes = await readRawAll(ch, timeoutMs);
  if (!(channel in codes)) throw new Error(`the board has no channel "${channel}"; its channels: ${Object.keys(codes).join(", ")}`);
  const code = codes[channel];
  if (typeof code !== "number") throw new Error(`channel ${channel}: the last read failed (raw code null); check the wiring and the board's error lines`);
  return code;
}

/** `count` codes of `channel`, one per fresh sample. */
export async function readRawCodes(ch: LineChannel, channel: string, count: number, timeoutMs: number): Promise<RawReadings> {
  const codes: number[] = [];
  for (let i = 0; i < count; i++) {
    await nextSample(ch, timeoutMs);
    codes.push(await readRawOnce(ch, channel, timeoutMs));
  }
  return summarize(codes);
}

export function summarize(codes: number[]): RawReadings {
  let sum = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of codes) {
    sum += c;
    lo = Math.min(lo, c);
    hi = Math.max(hi, c);
  }
  return { codes, meanCode: sum / codes.length, spreadCode: hi - lo };
}
