/**
 * Test kit of the alarm-table tests: the ids and input names, a pack holding a given table, an
 * arbitrary consistent row, and the straightforward per-row loop (each row's input looked up by
 * name, as stepAlarms did before its plan and quiet band) — the documented semantics, against
 * which the real stepAlarms is stepped bit for bit.
 */
import fc from "fast-check";
import { defaultPackConfig } from "../../../shared/config/defaults";
import type { AlarmId, AlarmRow, PackConfig } from "../../../shared/config/packConfig";
import { ALARM_INPUT_INDEX, ALARM_OVER, ALARM_WATCH, type AlarmInputName, type AlarmInputs } from "../../../shared/alarms/alarmTable";
import type { ModelEvent } from "../../../shared/model/events";

export const ALL_IDS = Object.keys(ALARM_WATCH) as AlarmId[];
export const INPUT_NAMES = Object.keys(ALARM_INPUT_INDEX) as AlarmInputName[];

/** The default 2-cell ZnMnO2 pack with `rows` as its alarm table. */
export function packWith(rows: AlarmRow[]): PackConfig {
  const c = defaultPackConfig("ZnMnO2", 2, 1);
  c.alarms = rows;
  return c;
}

/** A consistent row: any id and level, limit from `limit`, reset `gap` on its quiet side. */
export function rowArbitrary(limit: fc.Arbitrary<number>, gap: fc.Arbitrary<number>, delayMs: fc.Arbitrary<number>): fc.Arbitrary<AlarmRow> {
  return fc
    .record({
      id: fc.constantFrom(...ALL_IDS),
      level: fc.constantFrom("warning", "alarm") as fc.Arbitrary<"warning" | "alarm">,
      a: limit,
      gap: gap,
      delayMs: delayMs,
    })
    .map((r) => {
      const over = ALARM_WATCH[r.id].dir === ALARM_OVER;
      return { id: r.id, level: r.level, limit: r.a, reset: over ? r.a - r.gap : r.a + r.gap, delayMs: r.delayMs };
    });
}

export function referenceStep(
  st: { active: Float64Array; pendingSinceTMs: Float64Array },
  rows: AlarmRow[],
  tMs: number,
  inp: AlarmInputs,
  emit: (e: ModelEvent) => void,
): void {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const w = ALARM_WATCH[row.id];
    const value = inp[w.input];
    if (isNaN(value)) {
      st.pendingSinceTMs[i] = NaN;
      continue;
    }
    const active = st.active[i] === 1;
    const wants = active ? w.dir * (row.reset - value) >= 0 : w.dir * (value - row.limit) >= 0;
    if (!wants) {
      st.pendingSinceTMs[i] = NaN;
      continue;
    }
    if (isNaN(st.pendingSinceTMs[i])) st.pendingSinceTMs[i] = tMs;
    if (tMs - st.pendingSinceTMs[i] >= row.delayMs) {
      st.active[i] = active ? 0 : 1;
      st.pendingSinceTMs[i] = NaN;
      emit({ kind: "alarm", tMs: tMs, id: row.id, level: row.level, raised: !active, value: value });
    }
  }
}
