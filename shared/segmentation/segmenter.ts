/**
 * Segmentation of the current into charge / discharge / rest, with thresholds, a hysteresis
 * band and a dwell time.
 *
 * Each valid sample is classified from the offset-corrected current I (A):
 *   I > activeCurrentA → charge;  I < −activeCurrentA → discharge;  |I| < restCurrentA → rest;
 *   openCircuit = 1 → rest;  in the band restCurrentA ≤ |I| ≤ activeCurrentA → no new
 *   evidence: the present segment holds and any pending candidate is dropped;
 *   NaN → nothing changes.
 * A class different from the present segment becomes the candidate at its first sample; the
 * segment switches when the candidate has held for `dwellMs`. The switch is back-dated to the
 * candidate's first sample (`boundaryTMs`), where the owner marked the counters. So a current
 * inside the band never switches anything, and two switches are always more than dwellMs apart.
 */
import type { SegmentationConfig } from "../config/packConfig";
import { SEG_CHARGE, SEG_DISCHARGE, SEG_REST, type SegmentCode } from "../model/events";

/** Bits returned by stepSegmentation. */
export const SEG_STEP_CANDIDATE = 1; // a new candidate started at this sample: mark the counters now
export const SEG_STEP_SWITCH = 2; // the segment switched (boundary = boundaryTMs)

export interface SegmentationState {
  /** Present segment (SEG_*). */
  segment: number;
  /** Segment before the latest switch (SEG_*). */
  previous: number;
  /** Candidate class (SEG_*) and the time of its first sample (ms; NaN when none). */
  candidate: number;
  candidateSinceMs: number;
  /** Back-dated start (ms) of the present segment; NaN before the first switch. */
  boundaryTMs: number;
}

export function createSegmentationState(): SegmentationState {
  return { segment: SEG_REST, previous: SEG_REST, candidate: SEG_REST, candidateSinceMs: NaN, boundaryTMs: NaN };
}

/** Class of one sample (SEG_*), or −1 for "no evidence" (in band or invalid). */
export function classifyCurrent(cfg: SegmentationConfig, currentA: number, openCircuit: number): number {
  if (openCircuit === 1) return SEG_REST;
  if (currentA !== currentA) return -1;
  if (currentA > cfg.activeCurrentA) return SEG_CHARGE;
  if (currentA < -cfg.activeCurrentA) return SEG_DISCHARGE;
  if (currentA < cfg.restCurrentA && currentA > -cfg.restCurrentA) return SEG_REST;
  return -1;
}

/** Step one sample; returns SEG_STEP_* bits. */
export function stepSegmentation(
  st: SegmentationState,
  cfg: SegmentationConfig,
  tMs: number,
  currentA: number,
  openCircuit: number,
): number {
  if (!isFinite(tMs)) return 0;
  let cls = classifyCurrent(cfg, currentA, openCircuit);
  if (cls === -1) {
    if (currentA !== currentA) return 0;
    cls = st.segment;
  }
  if (cls === st.segment) {
    st.candidate = cls;
    st.candidateSinceMs = NaN;
    return 0;
  }
  let out = 0;
  if (cls !== st.candidate || isNaN(st.candidateSinceMs)) {
    st.candidate = cls;
    st.candidateSinceMs = tMs;
    out = SEG_STEP_CANDIDATE;
  } else if (tMs < st.candidateSinceMs) {
    // Clock went back: the dwell restarts, the mark stays where it was.
    st.candidateSinceMs = tMs;
  }
  if (tMs - st.candidateSinceMs >= cfg.dwellMs) {
    st.previous = st.segment;
    st.segment = cls;
    st.boundaryTMs = st.candidateSinceMs;
    st.candidateSinceMs = NaN;
    out |= SEG_STEP_SWITCH;
  }
  return out;
}

/** The segment as a SegmentCode (for typed consumers). */
export function segmentCode(st: SegmentationState): SegmentCode {
  return st.segment === SEG_CHARGE ? SEG_CHARGE : st.segment === SEG_DISCHARGE ? SEG_DISCHARGE : SEG_REST;
}
