/**
 * Power cuts: the firmware on a virtual board charging a pack at a constant current; power is
 * cut at random instants between samples, or in the middle of a state save (the virtual
 * flash tears the file being written after a random number of bytes). After each cut the
 * board boots and restores. Checked per cut:
 * - the restored counter equals the last *completed* save exactly (never a torn, corrupt or
 *   older copy); nothing restored only when no save had completed yet;
 * - the charge lost = counted charge just before the cut − charge after the restore, which
 *   must stay within one save interval of counting (+ one sample);
 * - the boot line says restored (and the status flags carry FLAG_RESTORED).
 */
import { makeRng } from "../rng";
import { boardStatus, startFirmwareBoard, TelemetryTap } from "../firmwareBoard";
import { RECORD_CHUNK_B, recordBytes, SLOT_NAMES } from "../../../firmware/persistence/stateStore";
import { FLAG_RESTORED } from "../../../firmware/app";
import { decodeLine } from "../../../shared/telemetry/lineFormat";

export interface PowerCutOptions {
  cuts: number;
  seed: number;
}

export interface PowerCutFigures {
  cuts: number;
  cutsDuringWrite: number;
  saveIntervalS: number;
  samplePeriodS: number;
  chargeCurrentA: number;
  /** Largest counted charge lost by a cut (Ah). */
  maxChargeLostOnPowerCutAh: number;
  /** The bound: one save interval plus one sample of counting at the charge current (Ah). */
  boundAh: number;
  /** Restores that were not the last completed save (torn, corrupt or older): must be 0. */
  corruptRestores: number;
  /** Boots after a completed save that did not restore, or did not say so. */
  missedRestores: number;
  /** Boot lines that did not flag the restore (B restored=1 and status flag). */
  unflaggedRestores: number;
  examples: string[];
}

/** Constant charge current (A): C/4 of the 2 Ah default pack (article: practical rates C/4–C/6). */
const CHARGE_A = 0.5;
/** Host-side polling step through board time (ms). */
const STEP_MS = 250;

function chargeAh(st: Record<string, unknown>): number {
  return Number((st.model as Record<string, unknown>).chargeAh);
}

export async function runPowerCuts(o: PowerCutOptions): Promise<PowerCutFigures> {
  const rng = makeRng(o.seed);
  const board = await startFirmwareBoard({ pack: () => ({ cellV: [1.4, 1.41, 1.39, 1.4], currentA: CHARGE_A, tempC: [25, 25] }) });
  const tap = new TelemetryTap(board);
  try {
    const cfgOf = (k: string): number => {
      board.evaluate(`zbms("get#c","${k}")`);
      const r = tap.records[tap.records.length - 1]!.record;
      return r.type === "reply" ? Number((JSON.parse(r.payload) as { value: number }).value) : NaN;
    };
    const saveIntervalS = cfgOf("saveIntervalS");
    const samplePeriodS = cfgOf("samplePeriodMs") / 1000;
    const payloadB = (board.storageFile(SLOT_NAMES[0]!) ?? new Uint8Array(recordBytes(460))).length;
    const f: PowerCutFigures = {
      cuts: 0, cutsDuringWrite: 0, saveIntervalS, samplePeriodS, chargeCurrentA: CHARGE_A,
      maxChargeLostOnPowerCutAh: 0, boundAh: (CHARGE_A * (saveIntervalS + samplePeriodS)) / 3600,
      corruptRestores: 0, missedRestores: 0, unflaggedRestores: 0, examples: [],
    };
    /** Counter value at every completed save, in order. */
    const saves: number[] = [];
    let lastCharge = 0;
    /** Advance `ms` of board time, noting completed saves; stops early if the board rebooted. */
    const run = (ms: number): boolean => {
      const boots = board.bootCount;
      let left = ms;
      while (left > 0) {
        const step = Math.min(STEP_MS, left);
        const w = board.storage.getStats().writes;
        board.advance(step);
        left -= step;
        if (board.bootCount !== boots) return false;
        const st = boardStatus(board, tap);
        lastCharge = chargeAh(st);
        if (board.storage.getStats().writes !== w) saves.push(lastCharge);
      }
      return true;
    };
    run(5000);
    for (let c = 0; c < o.cuts; c++) {
      const duringWrite = rng.next() < 0.5;
      const tapFrom = tap.records.length;
      if (duringWrite) {
        const size = board.storageFile(SLOT_NAMES[0]!)?.length ?? payloadB;
        // a save writes the record in chunks of RECORD_CHUNK_B, one Storage write each: cut at any byte of it
        const cutB = rng.int(0, Math.max(1, size - 1));
        board.storage.armPowerLoss({ writeIndex: Math.floor(cutB / RECORD_CHUNK_B), afterBytes: cutB % RECORD_CHUNK_B });
        if (run(2 * saveIntervalS * 1000 + 5000)) throw new Error("armed power loss never fired");
        f.cutsDuringWrite++;
      } else {
        run(rng.int(1, Math.round(1.5 * saveIntervalS * 1000)));
        board.powerLoss();
        board.powerOn();
      }
      f.cuts++;
      const before = lastCharge + (duringWrite ? (CHARGE_A * samplePeriodS) / 3600 : 0);
      // what the boot said, then what the model holds
      const boot = tap.records.slice(tapFrom).map((r) => r.record).find((r) => r.type === "boot");
      const st = boardStatus(board, tap);
      const restoredCharge = chargeAh(st);
      const expected = saves.length > 0 ? saves[saves.length - 1]! : 0;
      const lost = before - restoredCharge;
      if (lost > f.maxChargeLostOnPowerCutAh) f.maxChargeLostOnPowerCutAh = lost;
      const restored = st.restored === true;
      if (saves.length > 0 && !restored) f.missedRestores++;
      if (restored ? restoredCharge !== expected : restoredCharge !== 0) {
        f.corruptRestores++;
        if (f.examples.length < 6) f.examples.push(`cut ${c} (${duringWrite ? "during write" : "timed"}): restored ${restoredCharge} Ah, last completed save ${expected} Ah, boot: ${boot && boot.type === "boot" ? boot.reason : "none"}`);
      }
      if (restored) {
        board.advance(2000);
        const last = tap.ofType("status").pop();
        if (!boot || boot.type !== "boot" || !boot.restored || !last || (last.flags & FLAG_RESTORED) === 0) f.unflaggedRestores++;
      }
      lastCharge = chargeAh(boardStatus(board, tap));
    }
    return f;
  } finally {
    tap.dispose();
  }
}

export interface LoggedRestoreFigures {
  /** The raw log's boot note after the cut says restored, with the copy's age or why it is unknown. */
  bootNoteRestored: boolean;
  bootReason: string;
  /** Sequence gaps the monitor reported around the reboot (a reboot is not a gap). */
  falseGaps: number;
  /** Status lines logged after the reboot, and those carrying FLAG_RESTORED (all must). */
  statusLinesAfterBoot: number;
  flaggedStatusLines: number;
}

/**
 * The same cut seen through the real monitor on a pty: after a save, power is cut; the raw log
 * must carry the board's boot note saying the state was restored, and the reboot must not be
 * counted as lost lines.
 */
export async function runLoggedPowerCut(speed: number): Promise<LoggedRestoreFigures> {
  const { PtyBoard } = await import("../../../host/virtualBoard/ptyBoard");
  const { readRawLog, startMonitor, waitFor, sleep } = await import("../monitorHarness");
  const board = await startFirmwareBoard({ pack: () => ({ cellV: [1.4, 1.41, 1.39, 1.4], currentA: CHARGE_A, tempC: [25, 25] }) });
  const pb = await PtyBoard.start(board);
  const mon = await startMonitor(pb.path!);
  try {
    const writes = board.storage.getStats().writes;
    board.runRealTime(speed);
    await waitFor(() => board.storage.getStats().writes > writes, 60_000, "a state save");
    await sleep(300);
    board.stopRealTime();
    board.powerLoss();
    board.powerOn();
    board.runRealTime(speed);
    await waitFor(() => readRawLog(mon.session.files.rawLog).notes.some((n) => n.event === "boot"), 10_000, "the boot note");
    await sleep(500);
    board.stopRealTime();
    await sleep(200);
    await mon.stop();
    const raw = readRawLog(mon.session.files.rawLog);
    const boot = raw.notes.find((n) => n.event === "boot")!;
    // status lines logged after the boot line, decoded from the raw log (the flags are on the wire)
    const decoded = raw.lines.map((l) => decodeLine(l));
    const bootAt = decoded.findIndex((d) => d.ok && d.record.type === "boot");
    const after = decoded.slice(bootAt).filter((d) => d.ok && d.record.type === "status");
    return {
      bootNoteRestored: boot.restored === true,
      bootReason: String(boot.reason),
      falseGaps: mon.session.view.health.gaps,
      statusLinesAfterBoot: after.length,
      flaggedStatusLines: after.filter((d) => d.ok && d.record.type === "status" && (d.record.flags & FLAG_RESTORED) !== 0).length,
    };
  } finally {
    board.stopRealTime();
    pb.close();
  }
}
