/**
 * The alarm row plan (per-row input index and direction, derived once): same behaviour as the
 * straightforward per-row lookup, bit for bit; never stored in snapshots; rebuilt for a config
 * with another alarm array.
 */
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  ALARM_INPUT_COUNT,
  ALARM_INPUT_INDEX,
  ALARM_WATCH,
  createAlarmState,
  defaultAlarmRows,
  gatherAlarmInputs,
  stepAlarms,
  type AlarmInputs,
  type AlarmState,
} from "../../../shared/alarms/alarmTable";
import type { ModelEvent } from "../../../shared/model/events";
import { INPUT_NAMES, packWith, referenceStep, rowArbitrary } from "./alarmTestKit";
import { restoreState, snapshotState, stateLength } from "../../../shared/state/snapshot";

const rowArb = rowArbitrary(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0.01, max: 2, noNaN: true }), fc.integer({ min: 0, max: 5000 }));

/** One sample: every input either NaN (unknown) or a value near the rows' levels. */
const inputsArb: fc.Arbitrary<AlarmInputs> = fc
  .array(fc.oneof(fc.constant(NaN), fc.double({ min: -12, max: 12, noNaN: true })), { minLength: ALARM_INPUT_COUNT, maxLength: ALARM_INPUT_COUNT })
  .map((xs) => {
    const inp = {} as AlarmInputs;
    for (const name of INPUT_NAMES) inp[name] = xs[ALARM_INPUT_INDEX[name]];
    return inp;
  });

describe("alarm row plan", () => {
  it("gatherAlarmInputs writes every input at its ALARM_INPUT_INDEX position", () => {
    expect(INPUT_NAMES.length).toBe(ALARM_INPUT_COUNT);
    const inp = {} as AlarmInputs;
    for (const name of INPUT_NAMES) inp[name] = 100 + ALARM_INPUT_INDEX[name];
    const out = new Float64Array(ALARM_INPUT_COUNT);
    gatherAlarmInputs(inp, out);
    expect(Array.from(out)).toEqual(INPUT_NAMES.map((_, k) => 100 + k));
    expect(new Set(INPUT_NAMES.map((n) => ALARM_INPUT_INDEX[n])).size).toBe(ALARM_INPUT_COUNT);
  });

  it("plans each row's watched input and direction from ALARM_WATCH", () => {
    const rows = defaultAlarmRows("ZnI2", 2);
    const st = createAlarmState(packWith(rows));
    for (let i = 0; i < rows.length; i++) {
      expect(st.plan.inputIndex[i]).toBe(ALARM_INPUT_INDEX[ALARM_WATCH[rows[i].id].input]);
      expect(st.plan.dir[i]).toBe(ALARM_WATCH[rows[i].id].dir);
    }
  });

  it("steps bit-identically to the per-row lookup by name (random tables, NaN inputs, uneven sampling)", () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { minLength: 1, maxLength: 30 }),
        fc.array(fc.record({ inp: inputsArb, dtMs: fc.integer({ min: 0, max: 3000 }) }), { minLength: 1, maxLength: 120 }),
        (rows, seq) => {
          const cfg = packWith(rows);
          const st = createAlarmState(cfg);
          const ref = { active: new Float64Array(rows.length), pendingSinceTMs: new Float64Array(rows.length).fill(NaN) };
          const ev: ModelEvent[] = [];
          const evRef: ModelEvent[] = [];
          let t = 0;
          for (const s of seq) {
            t += s.dtMs;
            stepAlarms(st, cfg, t, s.inp, (e) => ev.push(e));
            referenceStep(ref, cfg.alarms, t, s.inp, (e) => evRef.push(e));
          }
          expect(ev).toEqual(evRef);
          expect(Array.from(st.active)).toEqual(Array.from(ref.active));
          expect(Array.from(st.pendingSinceTMs)).toEqual(Array.from(ref.pendingSinceTMs));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is not stored in snapshots: a state snapshots active and pendingSinceTMs only", () => {
    const rows = defaultAlarmRows("ZnMnO2", 1);
    const st = createAlarmState(packWith(rows));
    expect(Object.keys(st)).toEqual(["active", "pendingSinceTMs"]);
    expect(stateLength(st)).toBe(2 * rows.length);
    const fresh = createAlarmState(packWith(rows));
    restoreState(fresh, snapshotState(st));
    expect(fresh.plan.inputIndex).toEqual(st.plan.inputIndex);
  });

  it("is rebuilt when the state is stepped with a config holding another alarm array", () => {
    const a = packWith([{ id: "cellOverVoltage", level: "alarm", limit: 1.9, reset: 1.85, delayMs: 0 }]);
    const b = packWith([{ id: "ceDrop", level: "alarm", limit: 0.97, reset: 0.98, delayMs: 0 }]);
    const st: AlarmState = createAlarmState(a);
    const inp = {} as AlarmInputs;
    for (const name of INPUT_NAMES) inp[name] = NaN;
    inp.lastCe = 0.9; // beyond b's limit; a's input stays unknown
    const ev: ModelEvent[] = [];
    stepAlarms(st, b, 0, inp, (e) => ev.push(e));
    expect(ev.map((e) => (e.kind === "alarm" ? e.id : e.kind))).toEqual(["ceDrop"]);
    expect(st.plan.rows).toBe(b.alarms);
  });

  it("a state without a plan (not made by createAlarmState) still steps correctly and leaves Object.prototype alone", () => {
    const cfg = packWith([{ id: "overTemp", level: "alarm", limit: 50, reset: 45, delayMs: 0 }]);
    const bare = { active: new Float64Array(1), pendingSinceTMs: new Float64Array([NaN]) } as unknown as AlarmState;
    const inp = {} as AlarmInputs;
    for (const name of INPUT_NAMES) inp[name] = NaN;
    inp.maxTempC = 60;
    const ev: ModelEvent[] = [];
    stepAlarms(bare, cfg, 0, inp, (e) => ev.push(e));
    expect(ev.length).toBe(1);
    expect(bare.active[0]).toBe(1);
    expect("plan" in Object.prototype).toBe(false);
  });
});
