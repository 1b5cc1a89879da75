/**
 * The alarm table's quiet-band fast path (stepAlarms skips the row loop while every input is NaN
 * or strictly inside its band and nothing is pending): bit-identical to the per-row reference on
 * sequences that hold, drift and land exactly on the rows' limits and resets, with ±Infinity,
 * NaN, and restores into a used state (invalidateAlarmCache). The cached activeAlarmMask follows
 * every change and restore.
 */
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import type { AlarmRow } from "../../../shared/config/packConfig";
import {
  activeAlarmMask,
  ALARM_INPUT_COUNT,
  ALARM_INPUT_INDEX,
  createAlarmState,
  invalidateAlarmCache,
  stepAlarms,
  type AlarmInputs,
} from "../../../shared/alarms/alarmTable";
import type { ModelEvent } from "../../../shared/model/events";
import { INPUT_NAMES, packWith, referenceStep, rowArbitrary } from "./alarmTestKit";
import { restoreState, snapshotState } from "../../../shared/state/snapshot";

/** The mask written out from the reference's rows: bit i = row i active. */
function maskOf(active: Float64Array): number {
  let m = 0;
  for (let i = 0; i < active.length; i++) if (active[i] === 1) m += 2 ** i;
  return m;
}

/** Rows on a coarse grid so that inputs often land exactly on a limit or a reset. */
const rowArb = rowArbitrary(
  fc.integer({ min: -4, max: 4 }).map((k) => k / 2),
  fc.integer({ min: 1, max: 3 }).map((k) => k / 2),
  fc.constantFrom(0, 0, 1000, 2500),
);

/** A change to one input: hold (most often), a new grid value (incl. exact levels), ±Infinity or NaN. */
const changeArb = fc.record({
  input: fc.integer({ min: 0, max: ALARM_INPUT_COUNT - 1 }),
  value: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -12, max: 12 }).map((k) => k / 4) },
    { weight: 2, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
  ),
  hold: fc.integer({ min: 0, max: 6 }),
  dtMs: fc.constantFrom(0, 500, 1000, 1000, 3000),
  restore: fc.integer({ min: 0, max: 12 }),
});

describe("alarm quiet-band fast path", () => {
  it("steps bit-identically to the per-row reference (held and drifting inputs, exact levels, restores; the mask too)", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 24 }), fc.array(changeArb, { minLength: 1, maxLength: 80 }), (rows, changes) => {
        const cfg = packWith(rows);
        let st = createAlarmState(cfg);
        const ref = { active: new Float64Array(rows.length), pendingSinceTMs: new Float64Array(rows.length).fill(NaN) };
        const inp = {} as AlarmInputs;
        for (const name of INPUT_NAMES) inp[name] = NaN;
        const ev: ModelEvent[] = [];
        const evRef: ModelEvent[] = [];
        let t = 0;
        let saved: Float64Array | null = null;
        for (const c of changes) {
          inp[INPUT_NAMES[c.input]] = c.value;
          for (let h = 0; h <= c.hold; h++) {
            t += c.dtMs;
            stepAlarms(st, cfg, t, inp, (e) => ev.push(e));
            referenceStep(ref, rows, t, inp, (e) => evRef.push(e));
            expect(activeAlarmMask(st)).toBe(maskOf(ref.active));
          }
          if (c.restore === 0) {
            // Restore into a fresh state (no cache yet) …
            const fresh = createAlarmState(cfg);
            restoreState(fresh, snapshotState(st));
            st = fresh;
          } else if (c.restore === 1 && saved !== null) {
            // … or rewind a used state (and the reference) to an earlier snapshot, then invalidate its cache.
            restoreState(st, saved);
            restoreState(ref, saved);
            invalidateAlarmCache(st);
            expect(activeAlarmMask(st)).toBe(maskOf(ref.active));
          } else if (c.restore === 2) saved = snapshotState(ref);
        }
        expect(ev).toEqual(evRef);
        expect(Array.from(st.active)).toEqual(Array.from(ref.active));
        expect(Array.from(st.pendingSinceTMs)).toEqual(Array.from(ref.pendingSinceTMs));
      }),
      { numRuns: 400 },
    );
  });

  it("skips the row loop while every input is inside its band (the fast path is taken)", () => {
    const rows: AlarmRow[] = [{ id: "cellOverVoltage", level: "alarm", limit: 1.9, reset: 1.85, delayMs: 0 }];
    const cfg = packWith(rows);
    const st = createAlarmState(cfg);
    const inp = {} as AlarmInputs;
    for (const name of INPUT_NAMES) inp[name] = NaN;
    inp.maxCellV = 1.5;
    stepAlarms(st, cfg, 0, inp, () => {});
    expect(st.plan.quietValid).toBe(1);
    expect(st.plan.quietHiV[ALARM_INPUT_INDEX.maxCellV]).toBe(1.9);
    // A pending row (delay running) turns the fast path off until it resolves.
    const slow = packWith([{ id: "cellOverVoltage", level: "alarm", limit: 1.9, reset: 1.85, delayMs: 5000 }]);
    const st2 = createAlarmState(slow);
    inp.maxCellV = 1.95;
    stepAlarms(st2, slow, 0, inp, () => {});
    expect(st2.plan.quietValid).toBe(0);
  });
});
