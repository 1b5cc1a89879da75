/**
 * The monitor killed with SIGKILL at random instants: the real `zbms monitor` CLI (a child
 * process) logs the firmware's telemetry from a virtual board on a pty; it is killed at a
 * seeded random instant, then started again on the same folder (as a supervisor would).
 * Checked per kill:
 * - the raw log ends with a complete line, its telemetry is a gap-free run of what the board
 *   sent, and it holds at least as many lines as the monitor had said it received
 *   (its `telemetry N` count, printed every 100 ms): lines lost = claimed − logged, if positive,
 *   plus any hole;
 * - after the restart, every BDF file in the folder is readable: a header, then rows of exactly
 *   its columns, no torn last row. A torn last row is also forced (the file cut at a random byte
 *   of its last row, as a host power cut leaves it) to check that the next start drops it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { makeRng } from "../rng";
import { startFirmwareBoard, TelemetryTap } from "../firmwareBoard";
import { PtyBoard } from "../../../host/virtualBoard/ptyBoard";
import { decodeLine } from "../../../shared/telemetry/lineFormat";
import { BDF_HEADER_LINE } from "../../../host/bdf/writer";
import { sleep, waitFor } from "../monitorHarness";
import { startZbms, type CliProcess } from "../../e2e/monitorCli";
import { VARYING_PACK } from "./serialCorruption";

export interface KillOptions {
  kills: number;
  seed: number;
  /** Virtual seconds per real second (status lines per second). */
  speed: number;
}

export interface KillFigures {
  kills: number;
  /** Lines the monitor had said it received that are not in the raw log, plus holes (must be 0). */
  linesLostOnKill: number;
  /** Raw logs that did not end with a complete line. */
  tornRawLogs: number;
  /** BDF files not readable after the restart (bad header, a row with the wrong field count, a torn end). */
  unreadableBdfFiles: number;
  /** Forced torn BDF rows that the next start did not drop. */
  tornRowsNotDropped: number;
  bdfFilesChecked: number;
  linesLogged: number;
  examples: string[];
}

const COLUMNS = BDF_HEADER_LINE.split(",").length;

/** Problems of one BDF file: header, field counts, complete last row. */
export function bdfProblems(path: string): string[] {
  const text = fs.readFileSync(path, "latin1");
  const out: string[] = [];
  if (text.length === 0) return out;
  if (!text.endsWith("\n")) out.push(`${path}: last row torn (${JSON.stringify(text.slice(text.lastIndexOf("\n") + 1))})`);
  const rows = text.split("\n");
  rows.pop();
  if (rows[0] !== BDF_HEADER_LINE) out.push(`${path}: header ${JSON.stringify(rows[0])}`);
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.split(",").length !== COLUMNS) {
      out.push(`${path}: row ${i + 1} has ${rows[i]!.split(",").length} fields: ${JSON.stringify(rows[i]!.slice(0, 80))}`);
      break;
    }
  }
  return out;
}

function files(dir: string, suffix: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith(suffix)).map((n) => nodePath.join(dir, n)) : [];
}

function lastTelemetryCount(stdout: string): number {
  const m = [...stdout.matchAll(/telemetry (\d+)/g)];
  return m.length ? Number(m[m.length - 1]![1]) : 0;
}

export async function runHostKills(o: KillOptions): Promise<KillFigures> {
  const rng = makeRng(o.seed);
  const board = await startFirmwareBoard({ pack: VARYING_PACK });
  const tap = new TelemetryTap(board);
  const pb = await PtyBoard.start(board);
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-rel-kill-"));
  const link = nodePath.join(dir, "ttyUSB0");
  fs.symlinkSync(pb.path!, link);
  const out = nodePath.join(dir, "logs");
  const f: KillFigures = { kills: 0, linesLostOnKill: 0, tornRawLogs: 0, unreadableBdfFiles: 0, tornRowsNotDropped: 0, bdfFilesChecked: 0, linesLogged: 0, examples: [] };
  let proc: CliProcess | null = null;
  board.runRealTime(o.speed);
  try {
    for (let k = 0; k < o.kills; k++) {
      const rawBefore = new Set(files(out, ".raw.log"));
      const sizes = new Map(files(out, ".raw.log").map((p) => [p, fs.statSync(p).size]));
      proc = startZbms(["monitor", "--port", link, "--out", out, "--view", "lines", "--refresh", "0.1"]);
      const p = proc;
      await waitFor(() => p.stdout().includes("Ctrl-C") || p.child.exitCode !== null, 20_000, "monitor start");
      if (p.child.exitCode !== null) throw new Error(`monitor exited at start: ${p.stderr()}`);
      await sleep(rng.int(200, 2500));
      const claimed = lastTelemetryCount(p.stdout());
      p.child.kill("SIGKILL");
      await p.exited;
      proc = null;
      f.kills++;
      // this session's raw log: the new file, or the part appended to an old one (same second stem)
      const raws = files(out, ".raw.log");
      const mine = raws.find((r) => !rawBefore.has(r)) ?? raws.find((r) => fs.statSync(r).size !== sizes.get(r));
      if (!mine) throw new Error("no raw log written by the killed monitor");
      const whole = fs.readFileSync(mine, "latin1").slice(sizes.get(mine) ?? 0);
      if (!whole.endsWith("\n")) f.tornRawLogs++;
      const lines = whole.split("\n").slice(0, -1).filter((l) => !l.startsWith("#zbms-monitor "));
      const seqs = lines.map((l) => decodeLine(l)).filter((d) => d.ok).map((d) => (d.ok ? d.seq : -1));
      let holes = 0;
      for (let i = 1; i < seqs.length; i++) if (seqs[i] !== seqs[i - 1]! + 1) holes++;
      const bySeq = new Map(tap.records.map((r) => [r.seq, r.line]));
      const mismatched = lines.filter((l) => l.includes("#Z")).filter((l) => {
        const d = decodeLine(l);
        return !d.ok || bySeq.get(d.seq) !== l.slice(l.lastIndexOf("#Z"));
      }).length;
      const lost = Math.max(0, claimed - seqs.length) + holes + mismatched;
      f.linesLostOnKill += lost;
      f.linesLogged += seqs.length;
      if (lost > 0 && f.examples.length < 5) f.examples.push(`kill ${k}: claimed ${claimed}, logged ${seqs.length}, holes ${holes}, mismatched ${mismatched}`);
      // a host power cut on top: cut one BDF file inside its last row
      const bdfs = files(out, ".bdf.csv");
      let forced: { path: string } | null = null;
      if (bdfs.length > 0 && rng.next() < 0.5) {
        const path = rng.pick(bdfs);
        const text = fs.readFileSync(path, "latin1");
        const lastStart = text.lastIndexOf("\n", text.length - 2) + 1;
        if (lastStart > 0 && text.length - lastStart > 2) {
          fs.truncateSync(path, lastStart + rng.int(1, text.length - lastStart - 2));
          forced = { path };
        }
      }
      // the next start (supervisor restart): a short clean run on the same folder
      proc = startZbms(["monitor", "--port", link, "--out", out, "--view", "none", "--duration", "1.5"]);
      const r = await proc.exited;
      proc = null;
      if (r.code !== 0) throw new Error(`restarted monitor failed (${r.code})`);
      if (forced && !fs.readFileSync(forced.path, "latin1").endsWith("\n")) f.tornRowsNotDropped++;
      for (const b of files(out, ".bdf.csv")) {
        f.bdfFilesChecked++;
        const pr = bdfProblems(b);
        if (pr.length > 0) {
          f.unreadableBdfFiles++;
          if (f.examples.length < 5) f.examples.push(pr[0]!);
        }
      }
    }
    return f;
  } finally {
    if (proc && proc.child.exitCode === null) proc.child.kill("SIGKILL");
    board.stopRealTime();
    pb.close();
    tap.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
