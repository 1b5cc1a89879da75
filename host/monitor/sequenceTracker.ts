/**
 * Sequence-number checking for one board's telemetry: every telemetry line carries a sequence
 * number that counts up by one per line, modulo `modulus`. A jump forward means lines were
 * lost on the link (UART overrun, a corrupt line rejected by its CRC, the cable pulled); a
 * board reset restarts the count, which the caller signals with `restart()` when it sees the
 * board's boot record, so a reset is not mistaken for a gap.
 */

export interface SequenceResult {
  /** Lines missing between the previous sequence number and this one (0 = in order). */
  missing: number;
  /** True when the number went backwards or repeated without a restart (duplicate or a reset we did not see). */
  unexpected: boolean;
}

export class SequenceTracker {
  private readonly modulus: number;
  private last = -1;
  /** Total lines reported missing. */
  missingTotal = 0;
  /** Number of gaps (jumps forward). */
  gapCount = 0;
  /** Number of backwards or repeated numbers. */
  unexpectedCount = 0;

  /** `modulus`: the sequence counter wraps to 0 after modulus − 1. */
  constructor(modulus: number) {
    if (!Number.isSafeInteger(modulus) || modulus < 2) throw new RangeError(`SequenceTracker: modulus must be an integer ≥ 2; got ${modulus}`);
    this.modulus = modulus;
  }

  /** Forget the last number: the next one starts a fresh count (after a board boot or reconnect). */
  restart(): void {
    this.last = -1;
  }

  /** Continue after `seq` (the last number a previous session logged): the next gap counts from it. */
  resume(seq: number): void {
    this.last = seq;
  }

  observe(seq: number): SequenceResult {
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= this.modulus) {
      throw new RangeError(`sequence number ${seq} outside 0…${this.modulus - 1}`);
    }
    const prev = this.last;
    this.last = seq;
    if (prev < 0) return { missing: 0, unexpected: false };
    const expected = (prev + 1) % this.modulus;
    if (seq === expected) return { missing: 0, unexpected: false };
    const ahead = (seq - expected + this.modulus) % this.modulus;
    if (ahead < this.modulus / 2) {
      this.missingTotal += ahead;
      this.gapCount++;
      return { missing: ahead, unexpected: false };
    }
    this.unexpectedCount++;
    return { missing: 0, unexpected: true };
  }
}
