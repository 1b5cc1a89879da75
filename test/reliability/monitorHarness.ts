/**
 * The real monitor session (host/monitor/monitorSession.ts: BoardLink over serialport, line
 * splitter, classifier, sequence tracker, raw log, BDF) in this process, on a pty path, with
 * every accepted record collected; plus comparisons against what the board really sent.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { MonitorSession } from "../../host/monitor/monitorSession";
import { classifyLine, toMonitorRecord, TELEMETRY_SEQ_MODULUS } from "../../host/monitor/classifyLine";
import type { MonitorRecord } from "../../host/monitor/monitorRecord";
import { parseNoteLine, type RawLogNote } from "../../host/monitor/rawLog";
import type { SeqRecord } from "./firmwareBoard";

export interface HarnessSession {
  session: MonitorSession;
  outDir: string;
  accepted: MonitorRecord[];
  stop(): Promise<void>;
}

export async function startMonitor(port: string, outDir?: string): Promise<HarnessSession> {
  const dir = outDir ?? fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-rel-mon-"));
  const accepted: MonitorRecord[] = [];
  const session = new MonitorSession({
    port,
    outDir: dir,
    stem: "rel",
    classify: classifyLine,
    seqModulus: TELEMETRY_SEQ_MODULUS,
    onRecord: (r) => accepted.push(r),
  });
  await session.start();
  return { session, outDir: dir, accepted, stop: () => session.stop() };
}

/** JSON text that keeps NaN and ±Infinity apart (JSON.stringify maps them all to null). */
export function canonical(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? `#${String(v)}` : v));
}

/** Accepted records whose content differs from what the board sent with that sequence number. */
export function wrongAccepted(accepted: MonitorRecord[], truth: SeqRecord[]): { wrong: MonitorRecord[]; wrongSamples: number } {
  const bySeq = new Map<number, SeqRecord>();
  for (const t of truth) bySeq.set(t.seq, t);
  const wrong: MonitorRecord[] = [];
  let wrongSamples = 0;
  for (const r of accepted) {
    const t = bySeq.get(r.seq);
    if (!t || canonical(toMonitorRecord(t.seq, t.record)) !== canonical(r)) {
      wrong.push(r);
      if (r.kind === "sample") wrongSamples++;
    }
  }
  return { wrong, wrongSamples };
}

/** Lines of a raw log: board lines and the monitor's notes. */
export function readRawLog(path: string): { lines: string[]; notes: RawLogNote[]; endsWithNewline: boolean } {
  const text = fs.existsSync(path) ? fs.readFileSync(path, "latin1") : "";
  const all = text.split("\n");
  const endsWithNewline = all[all.length - 1] === "";
  all.pop();
  const lines: string[] = [];
  const notes: RawLogNote[] = [];
  for (const l of all) {
    const n = parseNoteLine(l);
    if (n) notes.push(n);
    else lines.push(l);
  }
  return { lines, notes, endsWithNewline };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
