import { describe, it, expect } from "vitest";
import fc from "fast-check";
import type { AlarmId, AlarmRow } from "../../../shared/config/packConfig";
import { CHEMISTRY_IDS } from "../../../shared/chemistry/presets";
import {
  createAlarmState,
  stepAlarms,
  activeAlarmMask,
  checkAlarmTable,
  defaultAlarmRows,
  ALARM_WATCH,
} from "../../../shared/alarms/alarmTable";
import type { AlarmInputs } from "../../../shared/alarms/alarmTable";
import type { ModelEvent } from "../../../shared/model/events";
import { snapshotState, restoreState } from "../../../shared/state/snapshot";
import { ALL_IDS, packWith, rowArbitrary } from "./alarmTestKit";

function unknownInputs(): AlarmInputs {
  return {
    maxCellV: NaN, minCellV: NaN, chargeCurrentA: NaN, dischargeCurrentA: NaN, maxTempC: NaN, minTempC: NaN,
    imbalanceV: NaN, sensorFault: NaN, selfDischargeFracPerH: NaN, retentionFrac: NaN, lastCe: NaN,
  };
}

/** Input record with only `id`'s watched input set to `value`. */
function inputsFor(id: AlarmId, value: number): AlarmInputs {
  const inp = unknownInputs();
  inp[ALARM_WATCH[id].input] = value;
  return inp;
}

const rowArb = rowArbitrary(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true }), fc.integer({ min: 0, max: 60000 }));

describe("alarm table", () => {
  it("every default table (all chemistries, several capacities) is consistent", () => {
    for (const chem of CHEMISTRY_IDS) {
      for (const cap of [0.05, 1, 20]) expect(checkAlarmTable(defaultAlarmRows(chem, cap))).toEqual([]);
    }
  });

  it("covers every alarm id in the default rows", () => {
    const ids = defaultAlarmRows("ZnI2", 1).map((r) => r.id);
    for (const id of ALL_IDS) expect(ids).toContain(id);
  });

  it("checkAlarmTable names a reset on the wrong side, a warning beyond its alarm, a negative delay", () => {
    const rows: AlarmRow[] = [
      { id: "cellOverVoltage", level: "warning", limit: 1.9, reset: 1.95, delayMs: 0 },
      { id: "cellUnderVoltage", level: "alarm", limit: 0.7, reset: 0.6, delayMs: 0 },
      { id: "overTemp", level: "warning", limit: 60, reset: 55, delayMs: 0 },
      { id: "overTemp", level: "alarm", limit: 50, reset: 45, delayMs: 0 },
      { id: "ceDrop", level: "warning", limit: 0.95, reset: 0.96, delayMs: -5 },
      { id: "ceDrop", level: "alarm", limit: 0.97, reset: 0.98, delayMs: 0 },
    ];
    const p = checkAlarmTable(rows);
    expect(p.some((m) => m.includes("alarms[0].reset = 1.95") && m.includes("below limit = 1.9"))).toBe(true);
    expect(p.some((m) => m.includes("alarms[1].reset = 0.6") && m.includes("above limit = 0.7"))).toBe(true);
    expect(p.some((m) => m.includes("overTemp: warning limit 60"))).toBe(true);
    expect(p.some((m) => m.includes("alarms[4].delayMs = -5"))).toBe(true);
    expect(p.some((m) => m.includes("ceDrop: warning limit 0.95"))).toBe(true);
    expect(p.length).toBe(5);
  });

  it("checkAlarmTable rejects an unknown id and lists the accepted ones", () => {
    const p = checkAlarmTable([{ id: "smoke" as AlarmId, level: "alarm", limit: 1, reset: 0, delayMs: 0 }]);
    expect(p[0]).toContain('"smoke"');
    expect(p[0]).toContain("cellOverVoltage");
  });

  it("raises only after the value has stayed beyond the limit for delayMs, clears the same way", () => {
    const cfg = packWith([{ id: "cellOverVoltage", level: "alarm", limit: 1.9, reset: 1.85, delayMs: 3000 }]);
    const st = createAlarmState(cfg);
    const ev: ModelEvent[] = [];
    const emit = (e: ModelEvent) => ev.push(e);
    stepAlarms(st, cfg, 0, inputsFor("cellOverVoltage", 1.95), emit);
    stepAlarms(st, cfg, 2000, inputsFor("cellOverVoltage", 1.95), emit);
    expect(activeAlarmMask(st)).toBe(0);
    stepAlarms(st, cfg, 2500, inputsFor("cellOverVoltage", 1.8), emit); // dips: delay restarts
    stepAlarms(st, cfg, 3000, inputsFor("cellOverVoltage", 1.95), emit);
    stepAlarms(st, cfg, 5999, inputsFor("cellOverVoltage", 1.95), emit);
    expect(activeAlarmMask(st)).toBe(0);
    stepAlarms(st, cfg, 6000, inputsFor("cellOverVoltage", 1.95), emit);
    expect(activeAlarmMask(st)).toBe(1);
    expect(ev).toEqual([{ kind: "alarm", tMs: 6000, id: "cellOverVoltage", level: "alarm", raised: true, value: 1.95 }]);
    stepAlarms(st, cfg, 7000, inputsFor("cellOverVoltage", 1.84), emit);
    stepAlarms(st, cfg, 10000, inputsFor("cellOverVoltage", 1.84), emit);
    expect(activeAlarmMask(st)).toBe(0);
    expect(ev[1]).toEqual({ kind: "alarm", tMs: 10000, id: "cellOverVoltage", level: "alarm", raised: false, value: 1.84 });
  });

  it("an under-type row (CE drop) raises below its limit and clears above its reset", () => {
    const cfg = packWith([{ id: "ceDrop", level: "warning", limit: 0.99, reset: 0.993, delayMs: 0 }]);
    const st = createAlarmState(cfg);
    const ev: ModelEvent[] = [];
    stepAlarms(st, cfg, 0, inputsFor("ceDrop", 0.985), (e) => ev.push(e));
    expect(activeAlarmMask(st)).toBe(1);
    stepAlarms(st, cfg, 1, inputsFor("ceDrop", 0.992), (e) => ev.push(e));
    expect(activeAlarmMask(st)).toBe(1);
    stepAlarms(st, cfg, 2, inputsFor("ceDrop", 0.995), (e) => ev.push(e));
    expect(activeAlarmMask(st)).toBe(0);
    expect(ev.length).toBe(2);
  });

  it("a NaN (unknown) input holds the state and restarts the delay", () => {
    const cfg = packWith([{ id: "overTemp", level: "alarm", limit: 50, reset: 45, delayMs: 1000 }]);
    const st = createAlarmState(cfg);
    const emit = () => {};
    stepAlarms(st, cfg, 0, inputsFor("overTemp", 60), emit);
    stepAlarms(st, cfg, 500, inputsFor("overTemp", NaN), emit);
    stepAlarms(st, cfg, 1000, inputsFor("overTemp", 60), emit);
    expect(activeAlarmMask(st)).toBe(0);
    stepAlarms(st, cfg, 2000, inputsFor("overTemp", 60), emit);
    expect(activeAlarmMask(st)).toBe(1);
    for (let t = 3000; t < 100000; t += 1000) stepAlarms(st, cfg, t, inputsFor("overTemp", NaN), emit);
    expect(activeAlarmMask(st)).toBe(1);
  });

  it("the mask has bit i for row i", () => {
    const rows = defaultAlarmRows("ZnMnO2", 1);
    const cfg = packWith(rows);
    const st = createAlarmState(cfg);
    const inp = unknownInputs();
    inp.sensorFault = 2; // row 14 (sensorFault, no delay)
    inp.lastCe = 0.98; // ceDrop warning (row 17), not the alarm at 0.975
    stepAlarms(st, cfg, 0, inp, () => {});
    const iSensor = rows.findIndex((r) => r.id === "sensorFault");
    const iCeWarn = rows.findIndex((r) => r.id === "ceDrop" && r.level === "warning");
    expect(activeAlarmMask(st)).toBe(Math.pow(2, iSensor) + Math.pow(2, iCeWarn));
  });

  it("never changes state while the watched value stays strictly inside (reset, limit)", () => {
    fc.assert(
      fc.property(
        rowArb,
        fc.boolean(),
        fc.array(fc.record({ frac: fc.double({ min: 0.001, max: 0.999, noNaN: true }), dtMs: fc.integer({ min: 1, max: 120000 }) }), {
          minLength: 1,
          maxLength: 200,
        }),
        (row, startActive, seq) => {
          const cfg = packWith([row]);
          const st = createAlarmState(cfg);
          const ev: ModelEvent[] = [];
          // Bring the row to the chosen starting state from outside the band.
          const beyond = row.limit + (row.limit - row.reset);
          if (startActive) {
            stepAlarms(st, cfg, 0, inputsFor(row.id, beyond), () => {});
            stepAlarms(st, cfg, row.delayMs, inputsFor(row.id, beyond), () => {});
          }
          expect(activeAlarmMask(st)).toBe(startActive ? 1 : 0);
          let t = row.delayMs;
          for (const s of seq) {
            t += s.dtMs;
            const value = row.reset + s.frac * (row.limit - row.reset); // strictly between
            stepAlarms(st, cfg, t, inputsFor(row.id, value), (e) => ev.push(e));
          }
          expect(ev).toEqual([]);
          expect(activeAlarmMask(st)).toBe(startActive ? 1 : 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a value held beyond the limit always raises exactly at its delay, whatever the sampling", () => {
    fc.assert(
      fc.property(rowArb, fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 100 }), (row, dts) => {
        const cfg = packWith([row]);
        const st = createAlarmState(cfg);
        const beyond = row.limit + 0.5 * (row.limit - row.reset);
        let t = 1000;
        let raisedAt = NaN;
        stepAlarms(st, cfg, t, inputsFor(row.id, beyond), (e) => (raisedAt = e.tMs));
        for (const dt of dts) {
          t += dt;
          stepAlarms(st, cfg, t, inputsFor(row.id, beyond), (e) => {
            if (isNaN(raisedAt)) raisedAt = e.tMs;
          });
        }
        if (t - 1000 >= row.delayMs) {
          expect(raisedAt - 1000).toBeGreaterThanOrEqual(row.delayMs);
          // raised at the first sample at or after the delay
          let first = 1000;
          for (const dt of [0, ...dts]) {
            first += dt;
            if (first - 1000 >= row.delayMs) break;
          }
          expect(raisedAt).toBe(first);
        } else expect(raisedAt).toBeNaN();
      }),
      { numRuns: 200 },
    );
  });

  it("snapshot / restore mid-delay and continuing equals never stopping", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ v: fc.double({ min: 1.6, max: 2.2, noNaN: true }), dt: fc.integer({ min: 1, max: 3000 }) }), { minLength: 2, maxLength: 80 }),
        fc.nat(),
        (seq, cutRaw) => {
          const cfg = packWith(defaultAlarmRows("ZnMnO2", 1));
          const cut = cutRaw % seq.length;
          const a = createAlarmState(cfg);
          let b = createAlarmState(cfg);
          const evA: ModelEvent[] = [];
          const evB: ModelEvent[] = [];
          let t = 0;
          for (let k = 0; k < seq.length; k++) {
            t += seq[k].dt;
            const inp = inputsFor("cellOverVoltage", seq[k].v);
            if (k === cut) {
              const fresh = createAlarmState(cfg);
              restoreState(fresh, snapshotState(b));
              b = fresh;
            }
            stepAlarms(a, cfg, t, inp, (e) => evA.push(e));
            stepAlarms(b, cfg, t, inp, (e) => evB.push(e));
          }
          expect(evB).toEqual(evA);
          expect(Array.from(snapshotState(b))).toEqual(Array.from(snapshotState(a)));
        },
      ),
      { numRuns: 100 },
    );
  });
});
