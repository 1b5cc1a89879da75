/**
 * Serial corruption: the firmware on a virtual board, its console bytes passed through a
 * corrupting relay (each byte flipped, dropped, or preceded by an inserted byte with
 * probability `rate`, seeded), onto a pty that the real monitor session reads. Every record
 * the monitor accepted is compared with what the board really printed under that sequence
 * number; the sequence gaps the monitor reported are compared with the lines it did not accept.
 */
import * as fs from "node:fs";
import { makeRng, type Rng } from "../rng";
import { startFirmwareBoard, TelemetryTap } from "../firmwareBoard";
import { PtyWire } from "../ptyWire";
import { readRawLog, sleep, startMonitor, wrongAccepted } from "../monitorHarness";
import type { PackSource } from "../../../host/virtualBoard/frontEnd";

export interface CorruptionOptions {
  /** Probability that a byte is damaged (0.001 = 0.1 %). */
  rate: number;
  seed: number;
  /** Real time the board streams (ms). */
  realMs: number;
  /** Virtual seconds per real second (1 status line per virtual second). */
  speed: number;
}

export interface CorruptionFigures {
  rate: number;
  bytesSent: number;
  bytesDamaged: number;
  /** Telemetry lines the board printed while the monitor listened. */
  linesSent: number;
  /** Telemetry records the monitor accepted. */
  accepted: number;
  /** Accepted status samples that differ from what the board sent (must be 0). */
  wrongSamplesAccepted: number;
  /** Any accepted record that differs (must be 0). */
  wrongRecordsAccepted: number;
  /** Lines the monitor rejected (bad CRC, malformed). */
  rejected: number;
  /** Gaps and lost lines the monitor reported. */
  gapsReported: number;
  missingReported: number;
  /** Lines not accepted between the first and last accepted sequence numbers (the truth the gaps must match). */
  missingTruth: number;
  /** Gap notes written into the raw log. */
  gapNotes: number;
}

/** A pack whose numbers change every second, so each status line is different. */
export const VARYING_PACK: PackSource = (tMs) => {
  const s = tMs / 1000;
  return {
    cellV: [1.3 + 0.1 * Math.sin(s / 50), 1.35 + 0.05 * Math.sin(s / 30), 1.32, 1.31 + 0.02 * Math.cos(s / 70)],
    currentA: 0.4 * Math.sin(s / 200),
    tempC: [24 + Math.sin(s / 100), 25],
  };
};

/** Damage `buf` byte by byte: flip (XOR a random non-zero mask), drop, or insert a random byte before it. */
export function corruptBytes(buf: Buffer, rate: number, rng: Rng, count: { damaged: number }): Buffer {
  const out: number[] = [];
  for (const b of buf) {
    if (rng.next() >= rate) {
      out.push(b);
      continue;
    }
    count.damaged++;
    const op = rng.int(0, 2);
    if (op === 0) out.push(b ^ rng.int(1, 255));
    else if (op === 2) out.push(rng.int(0, 255), b);
    // op 1: dropped
  }
  return Buffer.from(out);
}

export async function runSerialCorruption(o: CorruptionOptions): Promise<CorruptionFigures> {
  const rng = makeRng(o.seed);
  const board = await startFirmwareBoard({ pack: VARYING_PACK });
  const wire = await PtyWire.create();
  const count = { damaged: 0 };
  let bytesSent = 0;
  let listening = false;
  const tap = new TelemetryTap(board);
  const off = board.onOutput((t) => {
    if (!listening) return;
    const raw = Buffer.from(t, "latin1");
    bytesSent += raw.length;
    wire.write(corruptBytes(raw, o.rate, rng, count));
  });
  const mon = await startMonitor(wire.path);
  try {
    listening = true;
    const firstTruth = tap.records.length;
    board.runRealTime(o.speed);
    await sleep(o.realMs);
    board.stopRealTime();
    listening = false;
    await sleep(300); // let the pty drain
    await mon.stop();
    const truth = tap.records.slice(firstTruth);
    const { wrong, wrongSamples } = wrongAccepted(mon.accepted, truth);
    const seqs = [...new Set(mon.accepted.map((r) => r.seq))].sort((a, b) => a - b);
    let missingTruth = 0;
    for (let i = 1; i < seqs.length; i++) missingTruth += seqs[i]! - seqs[i - 1]! - 1;
    const h = mon.session.view.health;
    const raw = readRawLog(mon.session.files.rawLog);
    return {
      rate: o.rate,
      bytesSent,
      bytesDamaged: count.damaged,
      linesSent: truth.length,
      accepted: mon.accepted.length,
      wrongSamplesAccepted: wrongSamples,
      wrongRecordsAccepted: wrong.length,
      rejected: h.rejected,
      gapsReported: h.gaps,
      missingReported: h.missingLines,
      missingTruth,
      gapNotes: raw.notes.filter((n) => n.event === "gap").length,
    };
  } finally {
    off();
    tap.dispose();
    board.stopRealTime();
    wire.dispose();
    fs.rmSync(mon.outDir, { recursive: true, force: true });
  }
}
