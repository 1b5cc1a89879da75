/**
 * Raw log → database rows. The raw log (host/monitor/rawLog.ts) is the record of truth; the
 * database is a projection of it, so the live feed (`zbms monitor --db`, which follows the
 * log files as they grow) and the backfill (`zbms ingest LOG…`) run this same code on the same
 * bytes and produce the same keys.
 *
 * Keys: (board, boot, seq). `board` is the port label that starts the log's file name
 * (`ttyUSB0-20261124T210000Z.raw.log` → "ttyUSB0"), or a lab-wide name given by the caller.
 * A boot starts at a boot record or an ident line with seq 0 (what a booting board prints),
 * or where the sequence goes backwards without one; a file that starts mid-boot (a monitor
 * restarted while the board ran on) continues the board's latest boot when its first sequence
 * number is beyond that boot's last one. Boots are numbered per board by the store.
 *
 * Row time `tMs` (Unix ms) = the boot's epoch + the board's clock: the epoch is fixed once
 * per boot from the monitor's host-time notes (`tHost`), so rows keep the board's spacing
 * (also when a simulated board runs accelerated) and sit at the right wall time.
 */
import { decodeLine } from "../../shared/telemetry/lineFormat";
import type { TelemetryRecord } from "../../shared/telemetry/records";
import { parseNoteLine } from "../monitor/rawLog";

export interface SampleRow {
  seq: number;
  tMs: number;
  boardTMs: number;
  cellV: number[];
  currentA: number;
  tempC: number[];
  socFrac: number[];
  segment: number;
  cycleCount: number;
  alarmMask: number;
  flags: number;
}

export interface EventRow {
  seq: number;
  tMs: number;
  boardTMs: number;
  /** The decoded record (cycle / rest / alarm / retention). */
  record: TelemetryRecord;
}

/** Where one board's log stands after the bytes read so far (stored with the rows). */
export interface FollowState {
  /** Byte offset of the next unread line. */
  offset: number;
  /** Store's boot number (0 = none yet). */
  boot: number;
  /** Last sequence number seen in this boot (−1 = none). */
  lastSeq: number;
  /** Latest host time from a monitor note (Unix ms; NaN = none yet). */
  hostMs: number;
  /** Boot epoch (Unix ms at board time 0; NaN until known). */
  epochMs: number;
}

export interface NewBoot {
  /** Provisional number the rows below use; the store maps it to its own. */
  boot: number;
  key: string;
  epochMs: number;
  /** "continue" = this file picks up the board's latest boot if its sequence fits. */
  mayContinue: boolean;
  firstSeq: number;
}

export interface RowBatch {
  boots: NewBoot[];
  samples: (SampleRow & { boot: number })[];
  events: (EventRow & { boot: number })[];
  /** Telemetry lines whose CRC or format failed (counted, not stored). */
  rejected: number;
  /** Sequence jumps within a boot (lines lost on the link) and the lines they lost. */
  gaps: number;
  missing: number;
  /** Telemetry lines read (every type). */
  lines: number;
}

export function emptyState(): FollowState {
  return { offset: 0, boot: 0, lastSeq: -1, hostMs: NaN, epochMs: NaN };
}

/** "ttyUSB0-20261124T210000Z.raw.log" → "ttyUSB0" (the monitor's port label). */
export function boardOfLogName(name: string): string {
  const base = name.replace(/^.*[\\/]/, "");
  return base.replace(/(-\d{8}T\d{6}Z)?\.raw\.log$/, "") || base;
}

/** Provisional boot numbers are negative until the store assigns real ones. */
let provisional = -1;

/**
 * Turn the complete lines of `text` (which starts at `state.offset` of file `fileKey`) into
 * rows. Returns the batch and the new state; an unfinished last line is left for next time.
 */
export function rowsFromText(fileKey: string, text: string, state: FollowState): { batch: RowBatch; state: FollowState } {
  const st: FollowState = { ...state };
  const batch: RowBatch = { boots: [], samples: [], events: [], rejected: 0, gaps: 0, missing: 0, lines: 0 };
  let pos = 0;
  for (;;) {
    const nl = text.indexOf("\n", pos);
    if (nl < 0) break;
    const line = text.slice(pos, nl);
    const lineOffset = st.offset + Buffer.byteLength(text.slice(0, pos), "latin1");
    pos = nl + 1;
    const note = parseNoteLine(line);
    if (note) {
      const t = Date.parse(String(note.tHost));
      if (Number.isFinite(t)) st.hostMs = t;
      continue;
    }
    const d = decodeLine(line);
    if (!d.ok) {
      if (d.reason !== "notTelemetry") batch.rejected++;
      continue;
    }
    const r = d.record;
    const boardTMs = "tMs" in r ? r.tMs : NaN;
    const restart = (r.type === "ident" && d.seq === 0) || r.type === "boot";
    const backwards = st.lastSeq >= 0 && d.seq <= st.lastSeq && !(st.lastSeq > 2 ** 30 && d.seq < 2 ** 20);
    // ident(seq 0) then boot(seq 1) are one boot
    const sameBootStart = r.type === "boot" && st.lastSeq === 0 && d.seq === 1;
    if (st.boot === 0 || ((restart || backwards) && !sameBootStart)) {
      const b: NewBoot = { boot: provisional--, key: `${fileKey}@${lineOffset}`, epochMs: NaN, mayContinue: st.boot === 0 && !restart, firstSeq: d.seq };
      batch.boots.push(b);
      st.boot = b.boot;
      st.epochMs = NaN;
    }
    else if (st.lastSeq >= 0 && d.seq > st.lastSeq + 1) {
      batch.gaps++;
      batch.missing += d.seq - st.lastSeq - 1;
    }
    st.lastSeq = d.seq;
    batch.lines++;
    if (Number.isNaN(st.epochMs) && Number.isFinite(boardTMs) && Number.isFinite(st.hostMs)) {
      st.epochMs = st.hostMs - boardTMs;
      const nb = batch.boots.find((b) => b.boot === st.boot);
      if (nb) nb.epochMs = st.epochMs;
    }
    const tMs = Number.isFinite(boardTMs) && Number.isFinite(st.epochMs) ? st.epochMs + boardTMs : st.hostMs;
    if (r.type === "status") {
      batch.samples.push({
        boot: st.boot,
        seq: d.seq,
        tMs,
        boardTMs,
        cellV: r.cellV,
        currentA: r.currentA,
        tempC: r.tempC,
        socFrac: r.socFrac,
        segment: r.segment,
        cycleCount: r.cycleCount,
        alarmMask: r.alarmMask,
        flags: r.flags,
      });
    } else if (r.type === "cycle" || r.type === "rest" || r.type === "alarm" || r.type === "retention") {
      batch.events.push({ boot: st.boot, seq: d.seq, tMs, boardTMs, record: r });
    }
  }
  st.offset += Buffer.byteLength(text.slice(0, pos), "latin1");
  return { batch, state: st };
}

/** A FollowState read back from JSON (which has no NaN: "not known yet" came back as null). */
export function stateFromJson(x: unknown): FollowState {
  const st = (x ?? {}) as Record<string, unknown>;
  const n = (v: unknown): number => (typeof v === "number" ? v : NaN);
  return { offset: n(st.offset), boot: n(st.boot), lastSeq: n(st.lastSeq), hostMs: n(st.hostMs), epochMs: n(st.epochMs) };
}
