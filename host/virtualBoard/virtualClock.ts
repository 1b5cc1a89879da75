/**
 * The virtual board's clock and timer queue: `setInterval`/`setTimeout` run in virtual time,
 * which the owner advances as fast as it likes (`advance(ms)`), or paced to real time by a
 * speed factor (`host/virtualBoard/virtualBoard.ts`). Timers due at the same instant run in creation
 * order, like Espruino's timer list ([270]). A timer's callback runs at its due time: the clock
 * shows the due time while it runs.
 */

export interface VirtualTimer {
  id: number;
  dueMs: number;
  /** 0 for a timeout. */
  periodMs: number;
  fn: (...args: unknown[]) => unknown;
  args: unknown[];
  seq: number;
}

/** Espruino's shortest timer period (ms); shorter requests are clamped (Espruino docs: setInterval). */
export const MIN_TIMER_PERIOD_MS = 0.001;

export class VirtualClock {
  private nowMs = 0;
  private nextId = 1;
  private seq = 0;
  private readonly timers = new Map<number, VirtualTimer>();

  /** Milliseconds since the board powered on. */
  now(): number {
    return this.nowMs;
  }

  add(fn: (...args: unknown[]) => unknown, delayMs: number, periodic: boolean, args: unknown[]): number {
    const d = typeof delayMs === "number" && delayMs > 0 ? delayMs : 0;
    const id = this.nextId++;
    this.timers.set(id, {
      id,
      dueMs: this.nowMs + Math.max(d, periodic ? MIN_TIMER_PERIOD_MS : 0),
      periodMs: periodic ? Math.max(d, MIN_TIMER_PERIOD_MS) : 0,
      fn,
      args,
      seq: this.seq++,
    });
    return id;
  }

  /** Remove one timer (unknown ids are ignored). */
  clear(id: unknown): void {
    this.timers.delete(Number(id));
  }

  clearAll(): void {
    this.timers.clear();
  }

  count(): number {
    return this.timers.size;
  }

  /** The earliest due timer, or undefined. */
  peek(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const t of this.timers.values()) {
      if (!best || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.seq < best.seq)) best = t;
    }
    return best;
  }

  /**
   * Run every timer due up to `untilMs` (absolute), calling `run(timer)` for each; the clock
   * ends at `untilMs`. `shouldStop()` is checked between timers (power loss, reboot).
   */
  runUntil(untilMs: number, run: (t: VirtualTimer) => void, shouldStop: () => boolean): void {
    for (;;) {
      if (shouldStop()) return;
      const t = this.peek();
      if (!t || t.dueMs > untilMs) break;
      this.nowMs = Math.max(this.nowMs, t.dueMs);
      if (t.periodMs > 0) {
        t.dueMs += t.periodMs;
        // A slow callback never makes a backlog: Espruino reschedules from the due time, and
        // skips intervals that are already past.
        if (t.dueMs < this.nowMs) t.dueMs = this.nowMs + t.periodMs;
        t.seq = this.seq++;
      } else {
        this.timers.delete(t.id);
      }
      run(t);
    }
    if (!shouldStop()) this.nowMs = Math.max(this.nowMs, untilMs);
  }

  /** Move time forward without running timers (time spent inside a long computation). */
  spend(ms: number): void {
    if (ms > 0) this.nowMs += ms;
  }
}
