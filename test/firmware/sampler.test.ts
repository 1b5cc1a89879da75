import { describe, expect, it } from "vitest";
import { createSampler, MIN_GAP_MS, startSampler, stopSampler, type Timers } from "../../firmware/sampler";

/** Manual timers on a virtual clock; `pending` shows how many timers are queued at once. */
function fakeTimers() {
  const q: Array<{ at: number; fn: () => void; id: number }> = [];
  const t = {
    nowMs: 0,
    maxPending: 0,
    nextId: 1,
    setTimeout(fn: () => void, ms: number) {
      const id = t.nextId++;
      q.push({ at: t.nowMs + ms, fn, id });
      t.maxPending = Math.max(t.maxPending, q.length);
      return id;
    },
    clearTimeout(id: unknown) {
      const i = q.findIndex((e) => e.id === id);
      if (i >= 0) q.splice(i, 1);
    },
    runUntil(ms: number) {
      for (;;) {
        q.sort((a, b) => a.at - b.at);
        if (q.length === 0 || q[0].at > ms) break;
        const e = q.shift()!;
        t.nowMs = Math.max(t.nowMs, e.at);
        e.fn();
      }
      t.nowMs = ms;
    },
  };
  return t;
}

describe("sampler", () => {
  it("steps every period; a slow step delays the next one instead of queueing missed ones", () => {
    const t = fakeTimers();
    const starts: number[] = [];
    let slow = false;
    const s = createSampler(
      1000,
      () => {
        starts.push(t.nowMs);
        if (slow) t.nowMs += 3500; // this step takes 3.5 periods
        slow = false;
        return -1;
      },
      () => -1,
      () => undefined,
      () => undefined,
      () => t.nowMs / 1000,
      t as Timers,
    );
    startSampler(s);
    t.runUntil(3000);
    expect(starts).toEqual([1000, 2000, 3000]);
    slow = true;
    t.runUntil(12000);
    expect(starts.slice(3)).toEqual([4000, 7500 + MIN_GAP_MS, 8500 + MIN_GAP_MS, 9500 + MIN_GAP_MS, 10500 + MIN_GAP_MS, 11500 + MIN_GAP_MS]);
    expect(t.maxPending).toBe(1);
    expect(s.overruns).toBe(1);
    expect(s.maxStepMs).toBe(3500);
  });

  it("a step in parts waits between parts and times the whole step", () => {
    const t = fakeTimers();
    let parts = 0;
    const s = createSampler(1000, () => 9, () => (++parts % 3 === 0 ? -1 : 9), () => undefined, () => undefined, () => t.nowMs / 1000, t as Timers);
    startSampler(s);
    t.runUntil(1100);
    expect(s.steps).toBe(1);
    expect(s.lastStepMs).toBeCloseTo(27, 9);
    t.runUntil(5100);
    expect(s.steps).toBe(5);
    expect(t.maxPending).toBe(1);
  });

  it("a crash in a step is reported and sampling goes on; the watchdog is kicked every step", () => {
    const t = fakeTimers();
    const errors: string[] = [];
    let kicks = 0;
    let n = 0;
    const s = createSampler(
      1000,
      () => {
        n++;
        if (n === 2) throw new Error("boom");
        if (n === 3) (null as unknown as { x: number }).x = 1;
        return -1;
      },
      () => -1,
      (e) => errors.push(e),
      () => kicks++,
      () => t.nowMs / 1000,
      t as Timers,
    );
    startSampler(s);
    t.runUntil(5000);
    expect(n).toBe(5);
    expect(s.crashes).toBe(2);
    expect(errors[0]).toBe("step 1: boom");
    expect(errors[1]).toMatch(/^step 2: /);
    expect(kicks).toBe(5);
    stopSampler(s);
    t.runUntil(9000);
    expect(n).toBe(5);
  });
});
