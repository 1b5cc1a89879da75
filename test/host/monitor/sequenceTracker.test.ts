import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SequenceTracker } from "../../../host/monitor/sequenceTracker";

describe("SequenceTracker", () => {
  it("in-order numbers across the wrap report no gap", () => {
    const t = new SequenceTracker(100);
    for (const s of [97, 98, 99, 0, 1, 2]) expect(t.observe(s)).toEqual({ missing: 0, unexpected: false });
    expect(t.gapCount).toBe(0);
  });

  it("a jump forward reports the missing count, also across the wrap", () => {
    const t = new SequenceTracker(100);
    t.observe(10);
    expect(t.observe(14).missing).toBe(3);
    t.observe(15);
    t.observe(98); // 82 ahead of 16: more than half the modulus, so not believable as a gap
    expect(t.unexpectedCount).toBe(1);
    expect(t.observe(1).missing).toBe(2); // 99 and 0 lost
    expect(t.gapCount).toBe(2);
    expect(t.missingTotal).toBe(3 + 2);
  });

  it("a repeat or a step back is unexpected, not a gap", () => {
    const t = new SequenceTracker(1000);
    t.observe(500);
    expect(t.observe(500)).toEqual({ missing: 0, unexpected: true });
    expect(t.observe(3)).toEqual({ missing: 0, unexpected: true });
    expect(t.gapCount).toBe(0);
  });

  it("restart() after a boot: the fresh count is not a gap", () => {
    const t = new SequenceTracker(1000);
    t.observe(700);
    t.restart();
    expect(t.observe(0)).toEqual({ missing: 0, unexpected: false });
  });

  it("bad numbers are refused with the value quoted", () => {
    const t = new SequenceTracker(10);
    expect(() => t.observe(10)).toThrow(/10 outside 0…9/);
    expect(() => t.observe(1.5)).toThrow(/1.5/);
    expect(() => new SequenceTracker(1)).toThrow(/modulus/);
  });

  it("property: dropping any subset of a stream is reported as exactly that many missing lines", () => {
    const modulus = 256;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: modulus - 1 }), fc.array(fc.boolean(), { minLength: 2, maxLength: 300 }), (start, keep) => {
        const sent = keep.map((_, i) => (start + i) % modulus);
        keep[0] = true; // the first line is seen
        const received = sent.filter((_, i) => keep[i]);
        const lastKept = keep.lastIndexOf(true);
        const t = new SequenceTracker(modulus);
        for (const s of received) t.observe(s);
        const droppedBeforeLast = keep.slice(0, lastKept).filter((k) => !k).length;
        let run = 0;
        let maxRun = 0;
        for (const k of keep) {
          run = k ? 0 : run + 1;
          maxRun = Math.max(maxRun, run);
        }
        // gaps shorter than half the modulus are always recognised
        fc.pre(maxRun < modulus / 2);
        expect(t.missingTotal).toBe(droppedBeforeLast);
      }),
    );
  });
});
