/**
 * Link health of one board: how many lines per second arrive, how many were rejected (bad
 * checksum or unparseable telemetry), how many were lost (sequence gaps), how often the port
 * dropped. Pure bookkeeping; the clock is passed in.
 */

/** Window over which lines/s is measured (ms): long enough to smooth a 1 Hz telemetry rate. */
export const RATE_WINDOW_MS = 5000;

export class LinkHealth {
  /** Every line received (telemetry, rejected and console noise). */
  lines = 0;
  /** Lines accepted as telemetry. */
  telemetry = 0;
  /** Lines that looked like telemetry but failed the checksum, decoding or physical bounds. */
  rejected = 0;
  /** Other console output (REPL echo, prompt, prints). */
  noise = 0;
  /** Sequence gaps and the lines they lost. */
  gaps = 0;
  missingLines = 0;
  /** Board boots seen (boot records). */
  boots = 0;
  /** Port disconnects. */
  disconnects = 0;
  /** Receive times (ms) of the lines in the rate window: stamps[head…] are live (a queue without O(n) shifts). */
  private stamps: number[] = [];
  private head = 0;

  noteLine(kind: "telemetry" | "rejected" | "noise", nowMs: number): void {
    this.lines++;
    if (kind === "telemetry") this.telemetry++;
    else if (kind === "rejected") this.rejected++;
    else this.noise++;
    this.stamps.push(nowMs);
    this.trim(nowMs);
  }

  /** The last line, counted as telemetry, was rejected after all (its meaning, host/monitor/meaningCheck.ts). */
  reclassifyAsRejected(): void {
    this.telemetry--;
    this.rejected++;
  }

  noteGap(missing: number): void {
    this.gaps++;
    this.missingLines += missing;
  }

  /** Lines per second over the last RATE_WINDOW_MS. */
  linesPerS(nowMs: number): number {
    this.trim(nowMs);
    return (this.stamps.length - this.head) / (RATE_WINDOW_MS / 1000);
  }

  private trim(nowMs: number): void {
    while (this.head < this.stamps.length && this.stamps[this.head]! < nowMs - RATE_WINDOW_MS) this.head++;
    // compact once the dead prefix dominates: amortised O(1) per line
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
  }
}
