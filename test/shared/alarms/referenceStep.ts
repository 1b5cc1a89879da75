/**
 * Test helper: the straightforward per-row alarm loop, looking each row's input up by name
 * (as stepAlarms did before its plan and quiet band) — the documented semantics, against which
 * the real stepAlarms is stepped bit for bit.
 */
import type { AlarmRow } from "../../../shared/config/packConfig";
import { ALARM_WATCH, type AlarmInputs } from "../../../shared/alarms/alarmTable";
import type { ModelEvent } from "../../../shared/model/events";

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
