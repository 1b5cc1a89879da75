/**
 * What one board's status lines may say across lines (the per-line bounds are in
 * shared/telemetry/fieldBounds.ts): within one boot the board's time never goes back and
 * advances at most MAX_STALL_MS beyond one sample period per line, and the number of cells
 * stays the pack's (the first status line's of this boot). A status line that breaks this is
 * rejected: it never reaches the BDF files. A board reset (boot line, sequence restart) starts
 * afresh; REBASE_LINES consecutive rejected lines that agree with each other are a new time
 * base (a board that stalled longer than MAX_STALL_MS), accepted with a note, so one absurd
 * accepted line can never shut out every later one.
 */
import type { MonitorRecord } from "./monitorRecord";
import { MAX_SAMPLE_PERIOD_MS } from "../../shared/config/validateConfig";

/** Longest stall (ms) of a board's sampler with its clock running that is still believable: one day. */
export const MAX_STALL_MS = 24 * 3600 * 1000;
/** Consecutive agreeing rejected lines that move the time base. */
export const REBASE_LINES = 3;

export interface MeaningResult {
  /** Why the line is rejected; null = accepted. */
  rejected: string | null;
  /** The line was accepted as a new time base after REBASE_LINES agreeing rejected lines. */
  rebased: boolean;
}

export class MeaningCheck {
  private lastTMs = NaN;
  private lastSeq = 0;
  private cells = -1;
  private candidate = { tMs: NaN, seq: 0, count: 0 };
  rejected = 0;

  constructor(private readonly seqModulus: number) {}

  /** A board reset: time and cell count start afresh. */
  restart(): void {
    this.lastTMs = NaN;
    this.cells = -1;
    this.candidate.count = 0;
  }

  /** Largest believable time step (ms) from a line at `fromSeq` to one at `toSeq`. */
  private maxStepMs(fromSeq: number, toSeq: number): number {
    const lines = (toSeq - fromSeq + this.seqModulus) % this.seqModulus;
    return MAX_STALL_MS + Math.max(1, lines) * MAX_SAMPLE_PERIOD_MS;
  }

  check(r: MonitorRecord): MeaningResult {
    if (r.kind !== "sample") return { rejected: null, rebased: false };
    if (this.cells >= 0 && r.cellV.length !== this.cells) {
      this.rejected++;
      return { rejected: `${r.cellV.length} cell voltages where this boot's first status line had ${this.cells}`, rebased: false };
    }
    let why: string | null = null;
    if (this.lastTMs === this.lastTMs) {
      if (r.tMs < this.lastTMs) why = `board time went back from ${this.lastTMs} to ${r.tMs} ms without a reset`;
      else if (r.tMs - this.lastTMs > this.maxStepMs(this.lastSeq, r.seq)) why = `board time jumped ${r.tMs - this.lastTMs} ms ahead (more than ${this.maxStepMs(this.lastSeq, r.seq)} ms)`;
    }
    if (why === null) return this.accept(r, false);
    const c = this.candidate;
    const agrees = c.count > 0 && r.tMs >= c.tMs && r.tMs - c.tMs <= this.maxStepMs(c.seq, r.seq);
    c.count = agrees ? c.count + 1 : 1;
    c.tMs = r.tMs;
    c.seq = r.seq;
    if (c.count >= REBASE_LINES) return this.accept(r, true);
    this.rejected++;
    return { rejected: why, rebased: false };
  }

  private accept(r: Extract<MonitorRecord, { kind: "sample" }>, rebased: boolean): MeaningResult {
    this.lastTMs = r.tMs;
    this.lastSeq = r.seq;
    if (this.cells < 0) this.cells = r.cellV.length;
    this.candidate.count = 0;
    return { rejected: null, rebased };
  }
}
