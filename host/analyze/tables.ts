/**
 * The per-cycle and rest tables: rows built from the model's records, printed as a terminal
 * table, CSV or JSON. Percentages are shown in %, everything else in SI with its unit in the
 * column name.
 */
import type { CycleRecord, RestRecord } from "../../shared/model/events";
import { CYCLE_FLAG_GAP, CYCLE_FLAG_PARTIAL, CYCLE_FLAG_RESTORED, CYCLE_FLAG_SENSOR_FAULT } from "../../shared/model/events";
import { CYCLE_FLAG_TRUNCATED, type RetentionEvent } from "./replay";

const PERCENT = 100;

/** Flag bits as words, in the order shown. */
export function flagWords(flags: number): string {
  const w: string[] = [];
  if (flags & CYCLE_FLAG_PARTIAL) w.push("partial");
  if (flags & CYCLE_FLAG_GAP) w.push("gap");
  if (flags & CYCLE_FLAG_RESTORED) w.push("restored");
  if (flags & CYCLE_FLAG_SENSOR_FAULT) w.push("sensor-fault");
  if (flags & CYCLE_FLAG_TRUNCATED) w.push("truncated");
  return w.join("+");
}

export interface Column<T> {
  name: string;
  get: (r: T) => number | string;
  /** Decimals shown in the terminal table. */
  digits: number;
}

export const CYCLE_COLUMNS: Column<CycleRecord>[] = [
  { name: "cycle", get: (c) => c.index, digits: 0 },
  { name: "start_s", get: (c) => c.startTMs / 1000, digits: 0 },
  { name: "charge_Ah", get: (c) => c.chargeAh, digits: 6 },
  { name: "discharge_Ah", get: (c) => c.dischargeAh, digits: 6 },
  { name: "charge_Wh", get: (c) => c.chargeWh, digits: 6 },
  { name: "discharge_Wh", get: (c) => c.dischargeWh, digits: 6 },
  { name: "CE_pct", get: (c) => c.ce * PERCENT, digits: 3 },
  { name: "CE_bound_pct", get: (c) => c.ceBound * PERCENT, digits: 3 },
  { name: "EE_pct", get: (c) => c.ee * PERCENT, digits: 2 },
  { name: "VE_pct", get: (c) => c.ve * PERCENT, digits: 2 },
  { name: "mean_charge_V", get: (c) => c.meanChargeV, digits: 4 },
  { name: "mean_discharge_V", get: (c) => c.meanDischargeV, digits: 4 },
  { name: "gap_V", get: (c) => c.voltageGapV, digits: 4 },
  { name: "charge_s", get: (c) => c.chargeDurationS, digits: 0 },
  { name: "discharge_s", get: (c) => c.dischargeDurationS, digits: 0 },
  { name: "temp_min_C", get: (c) => c.tempMinC, digits: 1 },
  { name: "temp_max_C", get: (c) => c.tempMaxC, digits: 1 },
  { name: "cumulative_CE_pct", get: (c) => c.cumulativeCe * PERCENT, digits: 3 },
  { name: "cycles_to_80pct", get: (c) => c.cyclesTo80, digits: 0 },
  { name: "flags", get: (c) => flagWords(c.flags), digits: 0 },
];

/** A cycle row with the cycler's own cycle number (cyclerCycles.ts). */
export type CyclerCycleRow = CycleRecord & { cyclerCycle: number };

/** The cycle columns with the cycler's cycle number after the row number. */
export const CYCLER_CYCLE_COLUMNS: Column<CyclerCycleRow>[] = [
  CYCLE_COLUMNS[0],
  { name: "cycler_cycle", get: (c) => c.cyclerCycle, digits: 0 },
  ...CYCLE_COLUMNS.slice(1),
];

/** A rest row: the model's rest record joined with its retention event, if any. */
export interface RestRow extends RestRecord {
  retention: number;
  rcld: number;
  /** Counted charge lost to the rest (Ah), from the retention event; NaN without one. */
  chargeLostAh: number;
}

export function restRows(rests: RestRecord[], retentions: RetentionEvent[]): RestRow[] {
  return rests.map((r) => {
    const ret = retentions.find((e) => e.restIndex === r.index);
    return { ...r, retention: ret ? ret.retention : NaN, rcld: ret ? ret.rcld : NaN, chargeLostAh: ret ? ret.chargeLostAh : NaN };
  });
}

/** The OCV estimate of a rest's charge lost: a number, or "not determinable" when the rest had a
 *  steady slope but the model gave no estimate (the OCV curve is flat where the cells rest). */
function chargeLostEstimate(r: RestRow): number | string {
  return r.chargeLostEstAh !== r.chargeLostEstAh && r.worstSlopeMVPerH === r.worstSlopeMVPerH ? "not determinable" : r.chargeLostEstAh;
}

const AFTER_WORDS = ["none", "charge", "discharge"];

export const REST_COLUMNS: Column<RestRow>[] = [
  { name: "rest", get: (r) => r.index, digits: 0 },
  { name: "start_s", get: (r) => r.startTMs / 1000, digits: 0 },
  { name: "duration_s", get: (r) => r.durationS, digits: 0 },
  { name: "after", get: (r) => AFTER_WORDS[r.after] ?? String(r.after), digits: 0 },
  { name: "relaxation_drop_mV", get: (r) => r.relaxationDropV * 1000, digits: 2 },
  { name: "steady_slope_mV_per_h", get: (r) => r.steadySlopeMVPerH, digits: 3 },
  { name: "worst_slope_mV_per_h", get: (r) => r.worstSlopeMVPerH, digits: 3 },
  { name: "charge_lost_Ah", get: (r) => r.chargeLostAh, digits: 6 },
  { name: "charge_lost_OCV_estimate_Ah", get: chargeLostEstimate, digits: 6 },
  { name: "retention_pct", get: (r) => r.retention * PERCENT, digits: 2 },
  { name: "Rcld_pct", get: (r) => r.rcld * PERCENT, digits: 1 },
  { name: "faulty", get: (r) => r.faulty, digits: 0 },
];

function fmt(v: number | string, digits: number): string {
  if (typeof v === "string") return v;
  if (v !== v) return "-";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return v.toFixed(digits);
}

/** Fixed-width text table. */
export function toText<T>(rows: T[], cols: Column<T>[]): string {
  const cells = rows.map((r) => cols.map((c) => fmt(c.get(r), c.digits)));
  const widths = cols.map((c, k) => Math.max(c.name.length, ...cells.map((row) => row[k].length)));
  const line = (vals: string[]): string => vals.map((v, k) => v.padStart(widths[k])).join("  ");
  return [line(cols.map((c) => c.name)), ...cells.map(line)].join("\n") + "\n";
}

function csvCell(v: number | string): string {
  if (typeof v === "string") return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  if (v !== v) return "";
  return String(v);
}

/** CSV with full precision. */
export function toCsv<T>(rows: T[], cols: Column<T>[]): string {
  return [cols.map((c) => c.name).join(","), ...rows.map((r) => cols.map((c) => csvCell(c.get(r))).join(","))].join("\n") + "\n";
}

/** Plain objects keyed by column name (NaN → null, ±Infinity → "inf"/"-inf" for JSON). */
export function toObjects<T>(rows: T[], cols: Column<T>[]): Record<string, number | string | null>[] {
  return rows.map((r) => {
    const o: Record<string, number | string | null> = {};
    for (const c of cols) {
      const v = c.get(r);
      o[c.name] = typeof v === "number" ? (v !== v ? null : v === Infinity ? "inf" : v === -Infinity ? "-inf" : v) : v;
    }
    return o;
  });
}
