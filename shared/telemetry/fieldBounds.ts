/**
 * Physical bounds of the telemetry fields (protocol version 1, docs/protocol.md): what a
 * reader accepts as meaning, beyond a good CRC. A line with a field outside its bounds, a
 * non-finite number where none is possible, or a list longer than a board can measure is not
 * data from a working board (a fault, a forged or corrupted-but-CRC-valid line): the monitor
 * rejects it as a line, counts it and never lets it reach derived files.
 *
 * API: `FIELD_BOUNDS` (per type, per field path of lineFormat's FIELDS: [lo, hi, nanOk]),
 * `implausibleRecord(rec)` → null, or a text naming the field, its value and its bounds.
 * Every numeric field not listed must be finite or NaN (unknown).
 */
import { FIELDS } from "./lineFormat";
import type { TelemetryRecord, TelemetryType } from "./records";
import { MAX_CAPACITY_AH, MAX_CELL_V, MAX_CELLS, MAX_CURRENT_A, MAX_TEMP_C, MAX_TEMPS, MIN_TEMP_C } from "../config/physicalLimits";

/** Longest board time (ms): 100 years of uptime (the board's clock starts at 0 on boot). */
export const MAX_BOARD_T_MS = 100 * 365.25 * 24 * 3600 * 1000;
/** A cell reading beyond ±2× the highest aqueous Zn cell voltage is a broken tap, never a cell (V). */
export const MAX_READING_CELL_V = 2 * MAX_CELL_V;
/** Most charge one half-cycle can move (Ah): 100 nominal capacities of the largest pack. */
export const MAX_CYCLE_AH = 100 * MAX_CAPACITY_AH;
/** Most energy one half-cycle can move (Wh): MAX_CYCLE_AH through the highest pack voltage. */
export const MAX_CYCLE_WH = MAX_CYCLE_AH * MAX_CELLS * MAX_READING_CELL_V;
/** Ratios (CE, EE, VE, SOC) of a flagged or partial cycle can exceed 1, never this. */
const MAX_RATIO = 1000;
/** Longest duration (s) a record can span: MAX_BOARD_T_MS. */
const MAX_DURATION_S = MAX_BOARD_T_MS / 1000;
/** Largest counter (cycles, rests, indexes) and bitmask values the firmware prints (2^52: exact in a double). */
const MAX_COUNT = 4503599627370496;

/** [lo, hi, nanOk]: NaN (unknown) is accepted where nanOk is 1. */
type Bound = [number, number, number];
const NAN_OK = 1;
const T: Bound = [0, MAX_BOARD_T_MS, 0];
const COUNT: Bound = [0, MAX_COUNT, 0];
const AH: Bound = [0, MAX_CYCLE_AH, NAN_OK];
const WH: Bound = [0, MAX_CYCLE_WH, NAN_OK];
const RATIO: Bound = [0, MAX_RATIO, NAN_OK];
const CELL_V: Bound = [-MAX_READING_CELL_V, MAX_READING_CELL_V, NAN_OK];
const TEMP: Bound = [MIN_TEMP_C, MAX_TEMP_C, NAN_OK];
const DURATION: Bound = [0, MAX_DURATION_S, NAN_OK];
/** Not listed: finite, or NaN. */
const ANY_FINITE: Bound = [-Number.MAX_VALUE, Number.MAX_VALUE, NAN_OK];
/** Projections may be infinite (CE ≥ 1: never reaches 80 %). */
const PROJECTION: Bound = [0, Infinity, NAN_OK];

export const FIELD_BOUNDS: Partial<Record<TelemetryType, Record<string, Bound>>> = {
  status: {
    tMs: T,
    cellV: CELL_V,
    currentA: [-MAX_CURRENT_A, MAX_CURRENT_A, NAN_OK],
    tempC: TEMP,
    socFrac: [-MAX_RATIO, MAX_RATIO, NAN_OK],
    segment: [0, 2, NAN_OK],
    cycleCount: COUNT,
    alarmMask: COUNT,
    lastCe: RATIO,
    lastCeBound: RATIO,
    lastEe: RATIO,
    flags: COUNT,
  },
  cycle: {
    tMs: T,
    "cycle.index": COUNT,
    "cycle.startTMs": T,
    "cycle.endTMs": T,
    "cycle.chargeAh": AH,
    "cycle.dischargeAh": AH,
    "cycle.chargeWh": WH,
    "cycle.dischargeWh": WH,
    "cycle.ce": RATIO,
    "cycle.ceBound": RATIO,
    "cycle.ee": RATIO,
    "cycle.ve": RATIO,
    "cycle.meanChargeV": [-MAX_CELLS * MAX_READING_CELL_V, MAX_CELLS * MAX_READING_CELL_V, NAN_OK],
    "cycle.meanDischargeV": [-MAX_CELLS * MAX_READING_CELL_V, MAX_CELLS * MAX_READING_CELL_V, NAN_OK],
    "cycle.chargeDurationS": DURATION,
    "cycle.dischargeDurationS": DURATION,
    "cycle.tempMinC": [MIN_TEMP_C, MAX_TEMP_C, NAN_OK],
    "cycle.tempMaxC": [MIN_TEMP_C, MAX_TEMP_C, NAN_OK],
    "cycle.flags": COUNT,
    "cycle.cumulativeCe": RATIO,
    "cycle.rollingCe": RATIO,
    "cycle.cyclesTo80": PROJECTION,
    "cycle.cyclesTo80Low": PROJECTION,
    "cycle.cyclesTo80High": PROJECTION,
  },
  rest: { tMs: T, "rest.startTMs": T, "rest.endTMs": T, "rest.durationS": DURATION, "rest.chargeLostAh": [-MAX_CYCLE_AH, MAX_CYCLE_AH, NAN_OK] },
  retention: { tMs: T },
  alarm: { tMs: T },
  gap: { tMs: T, dtMs: [-MAX_BOARD_T_MS, MAX_BOARD_T_MS, 0] },
  segment: { tMs: T, from: [0, 2, 0], to: [0, 2, 0] },
  adams: { tMs: T },
  boot: { tMs: T, storedAgeS: [0, MAX_DURATION_S, NAN_OK] },
};

/** Longest list per list field (one item per cell or NTC channel). */
const LIST_MAX: Record<string, number> = { cellV: MAX_CELLS, socFrac: MAX_CELLS, tempC: MAX_TEMPS };

function valueAt(rec: object, path: string): unknown {
  const dot = path.indexOf(".");
  const r = rec as Record<string, unknown>;
  return dot < 0 ? r[path] : (r[path.substring(0, dot)] as Record<string, unknown>)[path.substring(dot + 1)];
}

function outside(v: number, b: Bound): boolean {
  return v !== v ? b[2] !== NAN_OK : !(v >= b[0] && v <= b[1]);
}

function describe(b: Bound): string {
  return b[0] + "…" + b[1] + (b[2] === NAN_OK ? " or unknown" : "");
}

/** Null when every numeric field of `rec` is within its bounds; else which field is not and why. */
export function implausibleRecord(rec: TelemetryRecord): string | null {
  const specs = FIELDS[rec.type];
  const bounds = FIELD_BOUNDS[rec.type] || {};
  for (let i = 0; i < specs.length; i++) {
    const colon = specs[i].indexOf(":");
    const path = specs[i].substring(0, colon);
    const kind = specs[i].charAt(colon + 1);
    if (kind === "s" || kind === "b" || kind === "v") continue;
    const b = bounds[path] || ANY_FINITE;
    const v = valueAt(rec, path);
    if (kind === "l") {
      const list = v as number[];
      const max = LIST_MAX[path] || MAX_CELLS;
      if (list.length > max) return path + " has " + list.length + " items; a board measures at most " + max;
      for (let k = 0; k < list.length; k++) if (outside(list[k], b)) return path + "[" + k + "] = " + list[k] + " is outside " + describe(b);
    } else if (outside(v as number, b)) return path + " = " + String(v) + " is outside " + describe(b);
  }
  return null;
}
