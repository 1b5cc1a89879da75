/**
 * USB unplug/replug while monitoring: the firmware on a virtual board keeps running (self-
 * powered) on its pty (host/virtualBoard/ptyBoard.ts), which is closed and re-created at seeded
 * random instants for seeded random durations; the port is reached through a stable symlink
 * (as /dev/serial/by-id/ gives a real adapter the same name after a replug). The real monitor
 * session (BoardLink's reconnect) reads it. Per unplug: how long until the port is open again
 * and the first line arrives, and whether the lines lost while unplugged are reported as one
 * gap of exactly the right size.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { makeRng } from "../rng";
import { startFirmwareBoard, TelemetryTap } from "../firmwareBoard";
import { PtyBoard } from "../../../host/virtualBoard/ptyBoard";
import { readRawLog, sleep, startMonitor, waitFor, wrongAccepted } from "../monitorHarness";
import { VARYING_PACK } from "./serialCorruption";

export interface UnplugOptions {
  unplugs: number;
  seed: number;
  speed: number;
}

export interface UnplugFigures {
  unplugs: number;
  /** Port back (symlink in place) → monitor's port open again (ms): max and mean. */
  maxReconnectMs: number;
  meanReconnectMs: number;
  /** Port back → first telemetry line accepted (ms), max. */
  maxFirstLineMs: number;
  /** Lines the board printed while unplugged (truth) and lines the monitor reported lost. */
  linesLostTruth: number;
  linesLostReported: number;
  /** Unplugs whose loss was not reported as a gap of the right size. */
  unreportedLosses: number;
  disconnectNotes: number;
  reconnectNotes: number;
  wrongRecordsAccepted: number;
  examples: string[];
}

export async function runUnplugs(o: UnplugOptions): Promise<UnplugFigures> {
  const rng = makeRng(o.seed);
  const board = await startFirmwareBoard({ pack: VARYING_PACK });
  const tap = new TelemetryTap(board);
  const pb = await PtyBoard.start(board);
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-rel-unplug-"));
  const link = nodePath.join(dir, "ttyUSB0");
  fs.symlinkSync(pb.path!, link);
  board.runRealTime(o.speed);
  const mon = await startMonitor(link, nodePath.join(dir, "logs"));
  const f: UnplugFigures = { unplugs: 0, maxReconnectMs: 0, meanReconnectMs: 0, maxFirstLineMs: 0, linesLostTruth: 0, linesLostReported: 0, unreportedLosses: 0, disconnectNotes: 0, reconnectNotes: 0, wrongRecordsAccepted: 0, examples: [] };
  let sumReconnect = 0;
  try {
    const h = mon.session.view.health;
    await waitFor(() => mon.accepted.length > 5, 10_000, "first lines");
    for (let u = 0; u < o.unplugs; u++) {
      await sleep(rng.int(200, 1200));
      const missingBefore = h.missingLines;
      pb.unplug();
      fs.rmSync(link, { force: true });
      await waitFor(() => !mon.session.view.connected, 5000, "the monitor to see the unplug");
      const lastBefore = mon.accepted[mon.accepted.length - 1]!.seq;
      await sleep(rng.int(100, 2000));
      const path = await pb.replug();
      fs.symlinkSync(path, link);
      const backAt = Date.now();
      const nAccepted = mon.accepted.length;
      await waitFor(() => mon.session.view.connected, 10_000, "reconnect");
      const reconnectMs = Date.now() - backAt;
      await waitFor(() => mon.accepted.length > nAccepted, 10_000, "a line after the replug");
      const firstLineMs = Date.now() - backAt;
      const firstAfter = mon.accepted[nAccepted]!.seq;
      await sleep(50);
      f.unplugs++;
      sumReconnect += reconnectMs;
      f.maxReconnectMs = Math.max(f.maxReconnectMs, reconnectMs);
      f.maxFirstLineMs = Math.max(f.maxFirstLineMs, firstLineMs);
      const lost = firstAfter - lastBefore - 1;
      const reported = h.missingLines - missingBefore;
      f.linesLostTruth += lost;
      f.linesLostReported += reported;
      if (lost !== reported || lost <= 0) {
        f.unreportedLosses++;
        if (f.examples.length < 5) f.examples.push(`unplug ${u}: ${lost} lines lost (seq ${lastBefore} → ${firstAfter}), ${reported} reported`);
      }
    }
    board.stopRealTime();
    await sleep(200);
    await mon.stop();
    const notes = readRawLog(mon.session.files.rawLog).notes;
    f.disconnectNotes = notes.filter((n) => n.event === "disconnected").length;
    f.reconnectNotes = notes.filter((n) => n.event === "reconnected").length;
    f.meanReconnectMs = f.unplugs ? sumReconnect / f.unplugs : 0;
    f.wrongRecordsAccepted = wrongAccepted(mon.accepted, tap.records).wrong.length;
    return f;
  } finally {
    board.stopRealTime();
    pb.close();
    tap.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
