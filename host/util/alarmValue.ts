/**
 * An alarm's watched value as text with its unit, from the one table of alarm semantics
 * (ALARM_WATCH, shared/alarms/alarmTable.ts): volts, amperes and °C as they are, fractions as
 * percent ("ceDrop 97.83 %", not "0.978298115"). Used by the monitor's live view and the
 * analysis report and summary.
 */
import { ALARM_UNDER, ALARM_WATCH } from "../../shared/alarms/alarmTable";

const PERCENT = 100;
/** Significant digits shown for a value. */
const DIGITS = 4;

/** The unit of an alarm's value as shown (fractions in %), or "" for an unknown id. */
export function alarmUnit(id: string): string {
  const w = (ALARM_WATCH as Record<string, { unit: string } | undefined>)[id];
  if (!w) return "";
  if (w.unit === "fraction") return "%";
  if (w.unit === "fraction/h") return "%/h";
  // the board's table is ASCII (Espruino's ESP32 build has no Unicode): "C" is °C
  if (w.unit === "C") return "°C";
  return w.unit;
}

/** The value in the unit alarmUnit names ("%" values scaled by 100). */
export function alarmValueInUnit(id: string, value: number): number {
  const u = alarmUnit(id);
  return u === "%" || u === "%/h" ? value * PERCENT : value;
}

/** "97.83 %", "1.951 V", "2 channels", "–" for a value that is not a number. */
export function alarmValueText(id: string, value: number): string {
  if (!Number.isFinite(value)) return "–";
  const u = alarmUnit(id);
  const v = alarmValueInUnit(id, value);
  const num = u === "channels" ? v.toFixed(0) : Number(v.toPrecision(DIGITS)).toString();
  return u ? `${num} ${u}` : num;
}

/** True when `value` is further into alarm than `worst`: lower for an alarm that raises below its limit, else higher. */
export function alarmWorse(id: string, value: number, worst: number): boolean {
  const w = (ALARM_WATCH as Record<string, { dir: number } | undefined>)[id];
  return w !== undefined && w.dir === ALARM_UNDER ? value < worst : value > worst;
}
