/**
 * The protection output (`board.protection`: a GPIO driving a MOSFET or relay that opens the
 * pack) and the scheduled open-circuit rests of the article's random rest tests.
 *
 * The switch is open while any row of level "alarm" is active (it closes when they have all
 * cleared: the rows' reset levels are the hysteresis) or while an open rest runs. An open rest
 * (`zbms("openRest", hours)`) marks the samples openCircuit = 1 (offset zeroing and the
 * self-discharge estimate use them) and ends by itself after its time. Its time left is kept in
 * Storage `zbms.rest` at the start and at every state save, so a reboot resumes it.
 */
import type { App } from "./app";
import { anyAlarmLevelActive } from "../shared/alarms/alarmTable";

/** Storage file of a running open rest: its seconds left at the last write. */
export const REST_FILE = "zbms.rest";

/** Drive the switch for the current alarms and rest (writes the pin only on a change). */
export function updateProtection(app: App): void {
  if (app.restEndS === app.restEndS && app.io.nowS() >= app.restEndS) endOpenRest(app);
  const p = app.board.protection;
  const w = app.io.pinWrite;
  if (!p || !w) return;
  const open = app.restEndS === app.restEndS ? 1 : anyAlarmLevelActive(app.model.state().alarm, app.config);
  if (open === app.switchOpen) return;
  w(p.pin, open === 1 ? p.activeHigh : !p.activeHigh);
  app.switchOpen = open;
}

/** Write the rest's time left (s); false when there is no storage or the write failed. */
export function saveOpenRest(app: App): boolean {
  const s = app.io.storage;
  if (s === null || app.restEndS !== app.restEndS) return false;
  try {
    return s.write(REST_FILE, String(app.restEndS - app.io.nowS())) !== false;
  } catch (e) {
    return false;
  }
}

/** Start an open rest of `seconds` (> 0): switch open, samples flagged open circuit; persisted. */
export function startOpenRest(app: App, seconds: number): boolean {
  app.restEndS = app.io.nowS() + seconds;
  app.restMarked = 1;
  updateProtection(app);
  return saveOpenRest(app);
}

/** End the open rest (if any): rest flag cleared, stored copy erased, switch re-evaluated by the caller. */
export function endOpenRest(app: App): void {
  if (app.restEndS !== app.restEndS) return;
  app.restEndS = NaN;
  app.restMarked = 0;
  try {
    if (app.io.storage !== null) app.io.storage.erase(REST_FILE);
  } catch (e) {
    // a stale copy only restarts a rest that then ends by itself
  }
}

/** At boot: resume a stored rest for its time left; returns a note for the boot line ("" = none). */
export function resumeOpenRest(app: App): string {
  const s = app.io.storage;
  let t: string | undefined;
  try {
    t = s !== null ? s.read(REST_FILE) : undefined;
  } catch (e) {
    t = undefined;
  }
  const left = t ? parseFloat(t) : NaN;
  if (!(left > 0)) return "";
  app.restEndS = app.io.nowS() + left;
  app.restMarked = 1;
  return "; open rest resumed, " + Math.round(left) + " s left";
}
