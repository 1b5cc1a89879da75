/**
 * The real-time pacer of the virtual board (`runRealTime`) on a host slower than the asked
 * speed: the board must run slower, never fall into a catch-up spiral that starves the event
 * loop (the console, the pty's output, Ctrl-C). Issue 17: at ×3600, `zbms sim` stopped
 * answering, sent nothing for tens of seconds and ignored SIGINT/SIGTERM.
 */
import { afterEach, describe, expect, it } from "vitest";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard.js";

/** Real CPU time one firmware tick burns (ms), and its virtual period (ms): ×3600 asks for 7.2 s of CPU per second. */
const BURN_MS = 2;
const PERIOD_MS = 1000;
const SPEED = 3600;

let board: VirtualBoard | null = null;
afterEach(() => {
  board?.stopRealTime();
  board = null;
});

/** Largest lateness (ms) of a 5 ms timer chain over `spanMs` of real time: how long the event loop was blocked. */
async function worstLatenessMs(spanMs: number): Promise<number> {
  const stepMs = 5;
  let worst = 0;
  const end = performance.now() + spanMs;
  while (performance.now() < end) {
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, stepMs));
    worst = Math.max(worst, performance.now() - t0 - stepMs);
  }
  return worst;
}

describe("runRealTime on a host slower than the asked speed", () => {
  it("keeps the event loop free (timers late by < 1 s, not seconds and growing), runs the board slower, and stops at once", async () => {
    board = new VirtualBoard({});
    board.evaluate(`var n = 0; setInterval(function () { n++; __burn__(); }, ${PERIOD_MS});`);
    // the burn is host work (the firmware's cost on this host), charged in real time only
    (board as unknown as { ctx: Record<string, unknown> }).ctx.__burn__ = () => {
      const until = performance.now() + BURN_MS;
      while (performance.now() < until);
    };
    board.runRealTime(SPEED);
    const worst = await worstLatenessMs(1500);
    const paced = board.pacedSpeed();
    board.stopRealTime();
    const ticks = board.global("n") as number;
    await new Promise((r) => setTimeout(r, 50));
    expect(board.global("n")).toBe(ticks); // stopped: no tick after stopRealTime
    expect(worst).toBeLessThan(1000); // before the fix: 3 s after 1.5 s, and growing ×7 per tick
    // it did run, at most at the speed the host allows (≤ one busy core: 1 / BURN_MS ticks per ms)
    expect(ticks).toBeGreaterThan(50);
    expect(ticks).toBeLessThan((1500 + 200) / BURN_MS);
    expect(paced).toBeGreaterThan(0);
    expect(paced).toBeLessThan(SPEED);
  }, 20_000);

  it("keeps the asked speed when the host is fast enough", async () => {
    board = new VirtualBoard({});
    board.evaluate(`var n = 0; setInterval(function () { n++; }, ${PERIOD_MS});`);
    board.runRealTime(SPEED);
    await new Promise((r) => setTimeout(r, 1000));
    board.stopRealTime();
    const n = board.global("n") as number;
    // 1 s at ×3600: 3600 ticks of 1 s, within timer jitter and a loaded machine's share
    expect(n).toBeGreaterThan(1200); // a third: a loaded CI machine may pause the process (×1 would give 1)
    expect(n).toBeLessThan(3900);
  }, 20_000);
});

describe("timers run in batches (one vm call for many callbacks) with the semantics of one call each", () => {
  it("a promise callback still runs between two timers due at the same time, as in Espruino's idle loop", () => {
    const b = new VirtualBoard({});
    b.evaluate(`var log = []; setTimeout(function () { log.push("t1"); Promise.resolve().then(function () { log.push("p1"); }); }, 10); setTimeout(function () { log.push("t2"); }, 10);`);
    b.advance(100);
    expect(b.global("log")).toEqual(["t1", "p1", "t2"]);
  });

  it("each callback reports its own uncaught error and the others keep running", () => {
    const b = new VirtualBoard({});
    b.evaluate("var k = 0; setInterval(function () { k++; if (k === 3) throw new Error('boom'); }, 5);");
    b.advance(50);
    expect(b.global("k")).toBe(10);
    expect(b.output.match(/Uncaught Error: boom\r\n/g)).toHaveLength(1);
    expect(b.bootCount).toBe(1);
  });

  it("a stuck callback among others is interrupted and the board resets (watchdog)", () => {
    const b = new VirtualBoard({ callTimeoutMs: 200 });
    b.evaluate("var k = 0; setInterval(function () { k++; }, 5); setTimeout(function () { for (;;) {} }, 10);");
    b.advance(100);
    expect(b.bootReason).toBe("watchdog");
    expect(b.bootCount).toBe(2);
  });
});
