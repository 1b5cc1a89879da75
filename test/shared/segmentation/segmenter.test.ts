import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  SEG_STEP_CANDIDATE,
  SEG_STEP_SWITCH,
  createSegmentationState,
  stepSegmentation,
} from "../../../shared/segmentation/segmenter";
import { SEG_CHARGE, SEG_DISCHARGE, SEG_REST } from "../../../shared/model/events";
import type { SegmentationConfig } from "../../../shared/config/packConfig";

const cfg: SegmentationConfig = { firstHalf: "charge", activeCurrentA: 0.1, restCurrentA: 0.05, dwellMs: 30000, minHalfCapacityFrac: 0.02 };

function feed(currents: number[], periodMs: number, start?: number) {
  const st = createSegmentationState();
  if (start !== undefined) {
    st.segment = start;
    st.candidate = start;
  }
  const switches: { tMs: number; from: number; to: number; boundary: number }[] = [];
  for (let k = 0; k < currents.length; k++) {
    const r = stepSegmentation(st, cfg, k * periodMs, currents[k], 0);
    if ((r & SEG_STEP_SWITCH) !== 0) switches.push({ tMs: k * periodMs, from: st.previous, to: st.segment, boundary: st.boundaryTMs });
  }
  return { st, switches };
}

describe("segmentation", () => {
  it("never switches while |I| stays inside the hysteresis band, whatever the segment", () => {
    const band = fc.double({ min: 0.05, max: 0.1, noNaN: true });
    const signed = fc.tuple(band, fc.boolean()).map(([x, neg]) => (neg ? -x : x));
    fc.assert(
      fc.property(fc.array(signed, { minLength: 1, maxLength: 300 }), fc.constantFrom(SEG_REST, SEG_CHARGE, SEG_DISCHARGE), (a, start) => {
        const { switches, st } = feed(a, 1000, start);
        expect(switches).toEqual([]);
        expect(st.segment).toBe(start);
      }),
    );
  });

  it("any two switches are more than dwellMs apart (no flapping)", () => {
    const anyCurrent = fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constant(0), fc.constant(NaN));
    fc.assert(
      fc.property(fc.array(anyCurrent, { minLength: 1, maxLength: 400 }), fc.integer({ min: 500, max: 20000 }), (a, period) => {
        const { switches } = feed(a, period);
        for (let k = 1; k < switches.length; k++) expect(switches[k].tMs - switches[k - 1].tMs).toBeGreaterThan(cfg.dwellMs);
        for (const s of switches) expect(s.tMs - s.boundary).toBeGreaterThanOrEqual(cfg.dwellMs);
      }),
    );
  });

  it("switches after the dwell, back-dated to the candidate's first sample", () => {
    const a = [0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.01, 0.01, 0.01, 0.01];
    const { switches } = feed(a, 10000);
    expect(switches).toEqual([
      { tMs: 50000, from: SEG_REST, to: SEG_CHARGE, boundary: 20000 },
      { tMs: 100000, from: SEG_CHARGE, to: SEG_REST, boundary: 70000 },
    ]);
  });

  it("a short pulse shorter than the dwell changes nothing", () => {
    const a = [0, 0, -0.5, -0.5, 0, 0, 0, 0, 0];
    expect(feed(a, 10000).switches).toEqual([]);
  });

  it("reports the candidate's first sample so the owner can mark the counters", () => {
    const st = createSegmentationState();
    expect(stepSegmentation(st, cfg, 0, 0, 0)).toBe(0);
    expect(stepSegmentation(st, cfg, 1000, 0.5, 0)).toBe(SEG_STEP_CANDIDATE);
    expect(stepSegmentation(st, cfg, 2000, NaN, 0)).toBe(0);
    expect(stepSegmentation(st, cfg, 31000, 0.5, 0)).toBe(SEG_STEP_SWITCH);
    // Open circuit is rest whatever the reading says.
    expect(stepSegmentation(st, cfg, 32000, 0.5, 1)).toBe(SEG_STEP_CANDIDATE);
  });
});
