import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { createOffsetState, stepOffset } from "../../../shared/counting/currentOffset";
import type { CountingConfig } from "../../../shared/config/packConfig";

const MIN_MS = 60000;
const PERIOD_MS = 2000;

/** A coarse chain: the declared offset (0.12 A, ESP32 ADC class) is above a CV hold's tail. */
const cfg: CountingConfig = {
  maxGapMs: 20000,
  offsetRestMs: 10 * MIN_MS,
  offsetRestMaxA: 0.12,
  offsetRestMaxDriftA: 0.006,
  offsetMinSamples: 16,
};
/** The chain's largest possible offset (declared offset + 1 LSB) for the stretch's level test. */
const MAX_OFFSET_A = 0.12;

/** Deterministic noise in [−amp, amp]. */
function noiseGen(seed: number, amp: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return amp * (2 * (x / 4294967296) - 1);
  };
}

describe("current offset: quiet stretches", () => {
  it("a CV hold's decaying tail below the declared offset is never taken for the offset", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.06, max: 0.11, noNaN: true }), // tail start (A)
        fc.double({ min: 5, max: 30, noNaN: true }), // decay time constant (min)
        fc.double({ min: 0, max: 0.01, noNaN: true }), // noise amplitude (A)
        fc.integer(),
        (i0, tauMin, noiseA, seed) => {
          // The tail lasts until it has fallen to a quarter (a C/50 hold end from ~C/12). Even at
          // its end it still changes within offsetRestMs by 1.5 × offsetRestMaxDriftA or more:
          // the drift the rule is declared to resolve.
          const endA = i0 / 4;
          fc.pre(endA * (1 - Math.exp(-cfg.offsetRestMs / (tauMin * MIN_MS))) >= 1.5 * cfg.offsetRestMaxDriftA);
          const st = createOffsetState();
          const noise = noiseGen(seed, noiseA);
          const endMs = tauMin * MIN_MS * Math.log(4);
          for (let t = 0; t <= endMs; t += PERIOD_MS) {
            stepOffset(st, cfg, t, i0 * Math.exp(-t / (tauMin * MIN_MS)) + noise(), 0, MAX_OFFSET_A);
          }
          expect(st.known).toBe(0);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("a steady current inside the band qualifies after offsetRestMs, noise or not, and becomes the offset", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.1, max: 0.1, noNaN: true }), // sensor offset (A)
        fc.double({ min: 0, max: 0.01, noNaN: true }), // noise amplitude (A)
        fc.integer(),
        (offA, noiseA, seed) => {
          const st = createOffsetState();
          const noise = noiseGen(seed, noiseA);
          let t = 0;
          for (; t < cfg.offsetRestMs + 60 * PERIOD_MS; t += PERIOD_MS) stepOffset(st, cfg, t, offA + noise(), 0, MAX_OFFSET_A);
          expect(st.known).toBe(1);
          expect(Math.abs(st.offsetA - offA)).toBeLessThanOrEqual(noiseA + 1e-12);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("after a tail, the stretch starts afresh: the rest that follows qualifies, the tail is not averaged in", () => {
    const st = createOffsetState();
    let t = 0;
    for (; t <= 30 * MIN_MS; t += PERIOD_MS) stepOffset(st, cfg, t, 0.1 * Math.exp(-t / (15 * MIN_MS)), 0, MAX_OFFSET_A);
    expect(st.known).toBe(0);
    const restStart = t;
    for (; t <= restStart + cfg.offsetRestMs + 5 * MIN_MS; t += PERIOD_MS) stepOffset(st, cfg, t, 0.004, 0, MAX_OFFSET_A);
    expect(st.known).toBe(1);
    expect(st.offsetA).toBeCloseTo(0.004, 12);
  });
});
