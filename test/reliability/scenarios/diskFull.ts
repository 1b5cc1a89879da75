/**
 * Disk full and an unwritable log folder, on a real small file system: a tmpfs mounted for the
 * run (needs root or CAP_SYS_ADMIN; without it the scenario reports `skipped` and why).
 * - Disk full: `zbms monitor` (the CLI, a child process) logs the firmware's telemetry into a
 *   tmpfs nearly filled by a filler file; the disk fills, the monitor must say so and keep
 *   going; the filler is deleted; every line must then reach the raw log, in order, none lost,
 *   and the BDF files must read whole.
 * - Unwritable folder: `--out` on a read-only tmpfs: the monitor must refuse at once with a
 *   message naming the folder and the reason (no stack trace).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { startFirmwareBoard, TelemetryTap } from "../firmwareBoard";
import { PtyBoard } from "../../../host/virtualBoard/ptyBoard";
import { decodeLine } from "../../../shared/telemetry/lineFormat";
import { sleep, waitFor } from "../monitorHarness";
import { runZbms, startZbms, type CliProcess } from "../../e2e/monitorCli";
import { bdfProblems } from "./hostKill";
import { VARYING_PACK } from "./serialCorruption";
import { RAW_LOG_MEMORY_MAX_B } from "../../../host/monitor/writeFailure";

export interface DiskFullFigures {
  skipped: string | null;
  /** The monitor said the disk was full (stderr). */
  saidDiskFull: boolean;
  saidResumed: boolean;
  /** Seconds the disk stayed full while the board kept sending. */
  fullForS: number;
  /** Largest amount held in memory during the outage (bytes, from the raw log's note). */
  heldBytes: number;
  memoryBoundBytes: number;
  /** Telemetry lines in the raw log, and lines missing or out of order among them (must be 0). */
  linesLogged: number;
  linesLost: number;
  exitCode: number | null;
  unreadableBdfFiles: number;
  /** Unwritable folder: the monitor refused with a clear message (names the folder and "read-only"). */
  unwritableRefusedClearly: boolean;
  unwritableMessage: string;
  examples: string[];
}

/** tmpfs size for the run: small, so a few seconds of logging fill it. */
const TMPFS_SIZE = "1m";
/** Space left free for the logs before the disk counts as full (bytes). */
const FREE_AT_START_B = 96 * 1024;

function mount(dir: string, ro: boolean): string | null {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${TMPFS_SIZE}${ro ? ",ro" : ""}`, "tmpfs", dir], { stdio: "pipe" });
    return null;
  } catch (e) {
    return `cannot mount a tmpfs here (${(e as Error).message.split("\n")[0]}); run as root to include this scenario`;
  }
}

function umount(dir: string): void {
  try {
    execFileSync("umount", [dir], { stdio: "pipe" });
  } catch {
    // already unmounted
  }
}

export async function runDiskFull(speed: number): Promise<DiskFullFigures> {
  const base = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-rel-disk-"));
  const mnt = nodePath.join(base, "mnt");
  const roMnt = nodePath.join(base, "ro");
  fs.mkdirSync(mnt);
  fs.mkdirSync(roMnt);
  const f: DiskFullFigures = {
    skipped: null, saidDiskFull: false, saidResumed: false, fullForS: 0, heldBytes: 0, memoryBoundBytes: RAW_LOG_MEMORY_MAX_B,
    linesLogged: 0, linesLost: 0, exitCode: null, unreadableBdfFiles: 0, unwritableRefusedClearly: false, unwritableMessage: "", examples: [],
  };
  const why = mount(mnt, false);
  if (why) {
    f.skipped = why;
    fs.rmSync(base, { recursive: true, force: true });
    return f;
  }
  const board = await startFirmwareBoard({ pack: VARYING_PACK });
  const tap = new TelemetryTap(board);
  const pb = await PtyBoard.start(board);
  const link = nodePath.join(base, "ttyUSB0");
  fs.symlinkSync(pb.path!, link);
  let proc: CliProcess | null = null;
  try {
    // fill the disk but FREE_AT_START_B
    const free = fs.statfsSync(mnt);
    const filler = nodePath.join(mnt, "filler");
    fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free.bavail * free.bsize - FREE_AT_START_B)));
    board.runRealTime(speed);
    const out = nodePath.join(mnt, "logs");
    proc = startZbms(["monitor", "--port", link, "--out", out, "--view", "lines", "--refresh", "0.5"]);
    const p = proc;
    await waitFor(() => /disk full/.test(p.stderr()) || p.child.exitCode !== null, 60_000, "the monitor to report the full disk");
    if (p.child.exitCode !== null) throw new Error(`monitor died on the full disk: ${p.stderr()}`);
    f.saidDiskFull = true;
    const fullAt = Date.now();
    await sleep(3000); // the board keeps sending into memory
    fs.rmSync(filler);
    f.fullForS = (Date.now() - fullAt) / 1000;
    await waitFor(() => /raw log .* is written again/.test(p.stderr()), 10_000, "the monitor to resume writing");
    f.saidResumed = true;
    await sleep(1500);
    p.child.kill("SIGINT");
    f.exitCode = (await p.exited).code;
    proc = null;
    if (f.examples.length < 3) f.examples.push(...p.stderr().trim().split("\n").slice(0, 3));
    const rawPath = fs.readdirSync(out).filter((n) => n.endsWith(".raw.log")).map((n) => nodePath.join(out, n))[0]!;
    const all = fs.readFileSync(rawPath, "latin1").split("\n");
    all.pop();
    const note = all.filter((l) => l.startsWith("#zbms-monitor ")).map((l) => JSON.parse(l.slice(14)) as { event: string; heldBytes?: number }).find((n) => n.event === "writeResumed");
    f.heldBytes = note?.heldBytes ?? 0;
    const bySeq = new Map(tap.records.map((r) => [r.seq, r.line]));
    let prev = -1;
    for (const l of all) {
      if (!l.includes("#Z")) continue;
      const d = decodeLine(l);
      if (!d.ok || bySeq.get(d.seq) !== l.slice(l.lastIndexOf("#Z"))) {
        f.linesLost++;
        continue;
      }
      if (prev >= 0 && d.seq !== prev + 1) f.linesLost += Math.max(1, d.seq - prev - 1);
      prev = d.seq;
      f.linesLogged++;
    }
    for (const b of fs.readdirSync(out).filter((n) => n.endsWith(".bdf.csv"))) if (bdfProblems(nodePath.join(out, b)).length > 0) f.unreadableBdfFiles++;
    // unwritable folder: a read-only file system
    const roWhy = mount(roMnt, true);
    if (!roWhy) {
      const r = await runZbms(["monitor", "--port", link, "--out", nodePath.join(roMnt, "logs"), "--view", "none", "--duration", "1"]);
      f.unwritableMessage = r.stderr.trim();
      f.unwritableRefusedClearly = r.code !== 0 && r.stderr.includes(nodePath.join(roMnt, "logs")) && /read-only/.test(r.stderr) && !/\n\s+at /.test(r.stderr);
    }
    return f;
  } finally {
    if (proc && proc.child.exitCode === null) proc.child.kill("SIGKILL");
    board.stopRealTime();
    pb.close();
    tap.dispose();
    await sleep(100);
    umount(mnt);
    umount(roMnt);
    fs.rmSync(base, { recursive: true, force: true });
  }
}
