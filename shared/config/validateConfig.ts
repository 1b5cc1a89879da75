/**
 * Validation of a pack configuration where it enters (file, command, host tool).
 *
 * API:
 * - `validateConfig(x: unknown): PackConfig` — checks every field of `PackConfig`
 *   (packConfig.ts), nested objects, unknown fields, cross-field orderings and the alarm table
 *   (`checkAlarmTable`, shared/alarms/alarmTable.ts); returns a deep copy of the valid config.
 *   Throws a `ConfigError` at the first problem.
 * - `ConfigError` — a plain class (Espruino's `class X extends Error` is broken): `.field`
 *   (dotted path, e.g. "segmentation.restCurrentA"), `.value` (the bad value), `.allowed`
 *   (what is accepted), `.message`, `.name` = "ConfigError", and `toString()`, e.g.
 *   `pack config: field "cellCount" = 17 is out of range; allowed: integer 1…16`.
 * - `CONFIG_RULES` — the rule table (one entry per field), exported for docs and tools.
 *
 * The rules' ranges are sanity limits of the product (what the firmware and the model are
 * built and tested for), not the chemistry's operating limits; those live in the alarm table.
 */
import type {
  CountingConfig,
  PackConfig,
  PracticalConditions,
  SegmentationConfig,
  SelfDischargeConfig,
  SensorChainConfig,
  SocConfig,
} from "./packConfig";
import { CHEMISTRY_IDS, OCV_SOC_GRID } from "../chemistry/presets";
import { checkAlarmTable } from "../alarms/alarmTable";
import { MAX_CAPACITY_AH, MAX_CELL_V, MAX_CELLS, MAX_CURRENT_A, MAX_TEMPS, MAX_TIME_MS, MIN_CAPACITY_AH } from "./physicalLimits";

/** A bad configuration value: which field, what it was, what is accepted. */
export class ConfigError {
  name: string;
  field: string;
  value: unknown;
  allowed: string;
  message: string;
  constructor(field: string, value: unknown, problem: string, allowed: string) {
    this.name = "ConfigError";
    this.field = field;
    this.value = value;
    this.allowed = allowed;
    this.message = 'pack config: field "' + field + '" = ' + quote(value) + " " + problem + "; allowed: " + allowed;
  }
  toString(): string {
    return this.name + ": " + this.message;
  }
}

/** Longest quoted value in a message (characters). */
const QUOTE_MAX_CHARS = 60;

function quote(v: unknown): string {
  let s: string;
  if (v === undefined) s = "undefined (missing)";
  else if (typeof v === "number") s = String(v);
  else {
    try {
      s = JSON.stringify(v);
    } catch (e) {
      s = String(v);
    }
    if (s === undefined) s = String(v);
  }
  return s.length > QUOTE_MAX_CHARS ? s.substring(0, QUOTE_MAX_CHARS) + "…" : s;
}

/** One field's rule. `kind`: num, int, str, enum, obj, curve (OCV table), cells (one number per
 *  cell, each in range; length and cross-field bounds in checkCrossFields), alarms. */
export interface ConfigRule {
  kind: "num" | "int" | "str" | "enum" | "obj" | "curve" | "cells" | "alarms";
  /** Field may be absent. */
  optional?: boolean;
  /** Range for num/int/curve (inclusive unless minOpen/maxOpen); curve: each value. */
  min?: number;
  max?: number;
  minOpen?: boolean;
  maxOpen?: boolean;
  /** Unit shown in messages. */
  unit?: string;
  /** str: length limits. */
  minLen?: number;
  maxLen?: number;
  /** enum: accepted strings. */
  values?: string[];
  /** obj: the nested fields. */
  fields?: Record<string, ConfigRule>;
}

/** Longest pack name (characters): it travels in the ident telemetry line. */
const NAME_MAX_CHARS = 64;
/** Sample period limits (ms): the model's step must fit; minutes-long steps are gaps. */
const MIN_SAMPLE_PERIOD_MS = 50;
export const MAX_SAMPLE_PERIOD_MS = 60000;
/** Save interval limits (s): flash wear below 10 s; more than a day of counting at risk above. */
const MIN_SAVE_INTERVAL_S = 10;
const MAX_SAVE_INTERVAL_S = 86400;
/** Largest C-rate setting (A per Ah): far beyond any aqueous Zn pouch cell's rate. */
const MAX_C_RATE = 100;

function num(min: number, max: number, unit: string, minOpen?: boolean, maxOpen?: boolean): ConfigRule {
  return { kind: "num", min: min, max: max, unit: unit, minOpen: minOpen, maxOpen: maxOpen };
}
function int(min: number, max: number, unit: string): ConfigRule {
  return { kind: "int", min: min, max: max, unit: unit };
}
function opt(r: ConfigRule): ConfigRule {
  r.optional = true;
  return r;
}

// One rule table per nested object, typed by its interface: a field added to packConfig.ts
// and not covered here is a compile error.
const SEGMENTATION_RULES: Record<keyof SegmentationConfig, ConfigRule> = {
  firstHalf: { kind: "enum", values: ["charge", "discharge"] },
  activeCurrentA: num(0, MAX_CURRENT_A, "A", true),
  restCurrentA: num(0, MAX_CURRENT_A, "A"),
  dwellMs: num(0, MAX_TIME_MS, "ms"),
  minHalfCapacityFrac: num(0, 1, "fraction"),
};

const COUNTING_RULES: Record<keyof CountingConfig, ConfigRule> = {
  maxGapMs: num(0, MAX_TIME_MS, "ms", true),
  offsetRestMs: num(0, MAX_TIME_MS, "ms"),
  offsetRestMaxA: num(0, MAX_CURRENT_A, "A"),
  offsetRestMaxDriftA: num(0, MAX_CURRENT_A, "A"),
  offsetMinSamples: int(1, 1000000, "samples"),
};

const SOC_RULES: Record<keyof SocConfig, ConfigRule> = {
  relaxedDvDtVPerS: num(0, 1, "V/s", true),
  relaxedMinMs: num(0, MAX_TIME_MS, "ms"),
  relaxedWindowMs: num(0, MAX_TIME_MS, "ms", true),
  ocvSigmaV: num(0, 1, "V"),
  maxOcvSigmaFrac: num(0, 1, "fraction", true),
  countingSigmaFrac: num(0, 1, "fraction"),
  initialSigmaFrac: num(0, 1, "fraction", true),
  anchorSigmaFrac: num(0, 1, "fraction"),
  fullCellV: num(0, MAX_CELL_V, "V", true),
  emptyCellV: num(0, MAX_CELL_V, "V"),
  ocvChargeV: { kind: "curve", min: 0, max: MAX_CELL_V, unit: "V" },
  ocvDischargeV: { kind: "curve", min: 0, max: MAX_CELL_V, unit: "V" },
  capacityUpdateGain: num(0, 1, "fraction"),
  fullTaperCurrentC: num(0, MAX_C_RATE, "C (A per Ah)"),
};

const SELF_DISCHARGE_RULES: Record<keyof SelfDischargeConfig, ConfigRule> = {
  relaxationMs: num(0, MAX_TIME_MS, "ms"),
  minSteadyMs: num(0, MAX_TIME_MS, "ms"),
  slopeWindowMs: num(0, MAX_TIME_MS, "ms", true),
};

const SENSOR_CHAIN_RULES: Record<keyof SensorChainConfig, ConfigRule> = {
  currentOffsetA: num(0, MAX_CURRENT_A, "A"),
  currentGainErrFrac: num(0, 1, "fraction", false, true),
  currentGainMismatchFrac: num(0, 1, "fraction", false, true),
  currentLsbA: num(0, MAX_CURRENT_A, "A"),
  voltageOffsetV: num(0, MAX_CELL_V, "V"),
  cellVoltageOffsetV: { kind: "cells", optional: true, min: 0, max: MAX_CELL_V, unit: "V" },
  voltageGainErrFrac: num(0, 1, "fraction", false, true),
  voltageLsbV: num(0, MAX_CELL_V, "V"),
  timeBaseErrFrac: num(0, 1, "fraction", false, true),
};

const PRACTICAL_RULES: Record<keyof PracticalConditions, ConfigRule> = {
  cathodeLoadingMgPerCm2: opt(num(0, 1000, "mg/cm²", true)),
  znFoilThicknessUm: opt(num(0, 10000, "µm", true)),
  npRatio: opt(num(0, 1000, "", true)),
  ecRatioGPerAh: opt(num(0, 1000, "g/Ah", true)),
  znArealCapacityMAhPerCm2: opt(num(0, 1000, "mAh/cm²", true)),
  depthOfDischargeFrac: opt(num(0, 1, "fraction", true)),
};

/** Every field of PackConfig and its accepted values. */
export const CONFIG_RULES: Record<keyof PackConfig, ConfigRule> = {
  name: { kind: "str", minLen: 1, maxLen: NAME_MAX_CHARS },
  chemistry: { kind: "enum", values: CHEMISTRY_IDS },
  cellCount: int(1, MAX_CELLS, ""),
  tempCount: int(0, MAX_TEMPS, ""),
  capacityAh: num(MIN_CAPACITY_AH, MAX_CAPACITY_AH, "Ah"),
  samplePeriodMs: int(MIN_SAMPLE_PERIOD_MS, MAX_SAMPLE_PERIOD_MS, "ms"),
  saveIntervalS: int(MIN_SAVE_INTERVAL_S, MAX_SAVE_INTERVAL_S, "s"),
  segmentation: { kind: "obj", fields: SEGMENTATION_RULES },
  counting: { kind: "obj", fields: COUNTING_RULES },
  soc: { kind: "obj", fields: SOC_RULES },
  selfDischarge: { kind: "obj", fields: SELF_DISCHARGE_RULES },
  sensorChain: { kind: "obj", fields: SENSOR_CHAIN_RULES },
  alarms: { kind: "alarms" },
  practical: { kind: "obj", optional: true, fields: PRACTICAL_RULES },
};

function unitText(r: ConfigRule): string {
  return r.unit ? " " + r.unit : "";
}

/** "integer 1…16", "finite number > 0 and ≤ 1000 Ah", "finite number 0…1 fraction". */
function describeRange(r: ConfigRule, what: string): string {
  if (!r.minOpen && !r.maxOpen) return what + " " + r.min + "…" + r.max + unitText(r);
  return what + " " + (r.minOpen ? "> " : "≥ ") + r.min + " and " + (r.maxOpen ? "< " : "≤ ") + r.max + unitText(r);
}

function describe(r: ConfigRule): string {
  if (r.kind === "int") return describeRange(r, "integer");
  if (r.kind === "num") return describeRange(r, "finite number");
  if (r.kind === "str") return "text of " + r.minLen + "…" + r.maxLen + " characters";
  if (r.kind === "enum") return (r.values as string[]).map((v) => JSON.stringify(v)).join(", ");
  if (r.kind === "curve")
    return OCV_SOC_GRID.length + " strictly rising values" + " " + r.min + "…" + r.max + unitText(r) + " on the SOC grid " + OCV_SOC_GRID.join(", ");
  if (r.kind === "cells") return "one value per cell (cellCount), each " + r.min + "…" + r.max + unitText(r) + " and ≤ sensorChain.voltageOffsetV";
  if (r.kind === "alarms") return "a list of rows {id, level, limit, reset, delayMs}";
  return "an object with fields " + Object.keys(r.fields as Record<string, ConfigRule>).join(", ");
}

function inRange(v: number, r: ConfigRule): boolean {
  const min = r.min as number;
  const max = r.max as number;
  return (r.minOpen ? v > min : v >= min) && (r.maxOpen ? v < max : v <= max);
}

function isPlainObject(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function checkNumber(path: string, v: unknown, r: ConfigRule): void {
  if (typeof v !== "number" || isNaN(v)) throw new ConfigError(path, v, "is not a number", describe(r));
  if (!isFinite(v)) throw new ConfigError(path, v, "is not finite", describe(r));
  if (r.kind === "int" && Math.floor(v) !== v) throw new ConfigError(path, v, "is not an integer", describe(r));
  if (!inRange(v, r)) throw new ConfigError(path, v, "is out of range", describe(r));
}

function checkCurve(path: string, v: unknown, r: ConfigRule): void {
  if (!Array.isArray(v)) throw new ConfigError(path, v, "is not a list", describe(r));
  if (v.length !== OCV_SOC_GRID.length)
    throw new ConfigError(path, v, "has " + v.length + " values, not " + OCV_SOC_GRID.length, describe(r));
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    const p = path + "[" + i + "]";
    if (typeof x !== "number" || !isFinite(x)) throw new ConfigError(p, x, "is not a finite number", describe(r));
    if (!inRange(x, r)) throw new ConfigError(p, x, "is out of range", describe(r));
    if (i > 0 && !(x > v[i - 1])) throw new ConfigError(p, x, "does not rise above the previous value " + v[i - 1], describe(r));
  }
}

/** A per-cell list: finite numbers in range (its length and bound: checkCellOffsets). */
function checkCells(path: string, v: unknown, r: ConfigRule): void {
  if (!Array.isArray(v)) throw new ConfigError(path, v, "is not a list", describe(r));
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== "number" || !isFinite(x)) throw new ConfigError(path + "[" + i + "]", x, "is not a finite number", describe(r));
    if (!inRange(x, r)) throw new ConfigError(path + "[" + i + "]", x, "is out of range", describe(r));
  }
}

const ALARM_ROW_FIELDS = ["id", "level", "limit", "reset", "delayMs"];

/** The pack's own cell-voltage window [emptyCellV, fullCellV] (alarm rows stay near it), when soc is valid. */
function cellWindow(soc: unknown): number[] | undefined {
  const s = soc as SocConfig | undefined;
  return s && typeof s.emptyCellV === "number" && typeof s.fullCellV === "number" ? [s.emptyCellV, s.fullCellV] : undefined;
}

function checkAlarms(path: string, v: unknown, r: ConfigRule, window: number[] | undefined): void {
  if (!Array.isArray(v)) throw new ConfigError(path, v, "is not a list", describe(r));
  for (let i = 0; i < v.length; i++) {
    const row = v[i];
    const p = path + "[" + i + "]";
    if (!isPlainObject(row)) throw new ConfigError(p, row, "is not an object", describe(r));
    const keys = Object.keys(row as object);
    for (let k = 0; k < keys.length; k++)
      if (ALARM_ROW_FIELDS.indexOf(keys[k]) < 0)
        throw new ConfigError(p + "." + keys[k], (row as Record<string, unknown>)[keys[k]], "is not a known field", "fields " + ALARM_ROW_FIELDS.join(", "));
    for (let k = 0; k < ALARM_ROW_FIELDS.length; k++)
      if ((row as Record<string, unknown>)[ALARM_ROW_FIELDS[k]] === undefined)
        throw new ConfigError(p + "." + ALARM_ROW_FIELDS[k], undefined, "is missing", "fields " + ALARM_ROW_FIELDS.join(", "));
  }
  const problems = checkAlarmTable(v, window);
  if (problems.length > 0) {
    // checkAlarmTable's messages start with the row path ("alarms[3].reset = …") where one row is at fault.
    const first = problems[0];
    const sp = first.indexOf(" ");
    const field = first.indexOf(path + "[") === 0 && sp > 0 ? first.substring(0, sp) : path;
    const e = new ConfigError(field, fieldValue(v, field, path), "is inconsistent", "a consistent alarm table");
    e.message = "pack config: alarm table: " + problems.join("; ");
    throw e;
  }
}

/** The value at "alarms[3].reset" (or the whole table for "alarms"). */
function fieldValue(rows: unknown[], field: string, path: string): unknown {
  if (field === path) return rows;
  const close = field.indexOf("]");
  const i = parseInt(field.substring(path.length + 1, close), 10);
  const row = rows[i] as Record<string, unknown> | undefined;
  if (row === undefined) return rows;
  return field.charAt(close + 1) === "." ? row[field.substring(close + 2)] : row;
}

function checkObject(prefix: string, v: unknown, fields: Record<string, ConfigRule>, self: ConfigRule | null): void {
  const where = prefix === "" ? "(top level)" : prefix;
  if (!isPlainObject(v)) {
    throw new ConfigError(where, v, "is not an object", self ? describe(self) : "an object with fields " + Object.keys(fields).join(", "));
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  const known = Object.keys(fields);
  for (let i = 0; i < keys.length; i++) {
    if (fields[keys[i]] === undefined)
      throw new ConfigError(prefix + (prefix ? "." : "") + keys[i], obj[keys[i]], "is not a known field", "fields of " + where + ": " + known.join(", "));
  }
  for (let i = 0; i < known.length; i++) {
    const name = known[i];
    const r = fields[name];
    const path = prefix + (prefix ? "." : "") + name;
    const x = obj[name];
    if (x === undefined) {
      if (r.optional) continue;
      throw new ConfigError(path, undefined, "is missing", describe(r));
    }
    if (r.kind === "num" || r.kind === "int") checkNumber(path, x, r);
    else if (r.kind === "str") {
      if (typeof x !== "string") throw new ConfigError(path, x, "is not text", describe(r));
      if (x.length < (r.minLen as number) || x.length > (r.maxLen as number)) throw new ConfigError(path, x, "has the wrong length", describe(r));
    } else if (r.kind === "enum") {
      if ((r.values as string[]).indexOf(x as string) < 0) throw new ConfigError(path, x, "is not accepted", describe(r));
    } else if (r.kind === "curve") checkCurve(path, x, r);
    else if (r.kind === "cells") checkCells(path, x, r);
    else if (r.kind === "alarms") checkAlarms(path, x, r, cellWindow(obj.soc));
    else checkObject(path, x, r.fields as Record<string, ConfigRule>, r);
  }
}

/** Orderings between fields (each error names the field that must move). */
function checkCrossFields(c: PackConfig): void {
  const seg = c.segmentation;
  if (!(seg.restCurrentA < seg.activeCurrentA))
    throw new ConfigError("segmentation.restCurrentA", seg.restCurrentA, "is not below segmentation.activeCurrentA = " + seg.activeCurrentA,
      "0 ≤ restCurrentA < activeCurrentA (A): the gap between them is the hysteresis band");
  if (!(c.counting.maxGapMs > c.samplePeriodMs))
    throw new ConfigError("counting.maxGapMs", c.counting.maxGapMs, "is not above samplePeriodMs = " + c.samplePeriodMs,
      "maxGapMs > samplePeriodMs (ms), or every sample would be a gap");
  if (!(c.soc.emptyCellV < c.soc.fullCellV))
    throw new ConfigError("soc.emptyCellV", c.soc.emptyCellV, "is not below soc.fullCellV = " + c.soc.fullCellV, "emptyCellV < fullCellV (V)");
  const ch = c.soc.ocvChargeV;
  const dis = c.soc.ocvDischargeV;
  for (let i = 0; i < ch.length; i++) {
    if (dis[i] > ch[i])
      throw new ConfigError("soc.ocvDischargeV[" + i + "]", dis[i], "is above soc.ocvChargeV[" + i + "] = " + ch[i],
        "the discharge branch at or below the charge branch at every SOC (OCV hysteresis)");
  }
  checkCellOffsets(c);
}

/** sensorChain.cellVoltageOffsetV: one entry per cell, none above the worst cell's voltageOffsetV. */
function checkCellOffsets(c: PackConfig): void {
  const list = c.sensorChain.cellVoltageOffsetV;
  if (list === undefined) return;
  const path = "sensorChain.cellVoltageOffsetV";
  if (list.length !== c.cellCount)
    throw new ConfigError(path, list, "has " + list.length + " values, not cellCount = " + c.cellCount, describe(SENSOR_CHAIN_RULES.cellVoltageOffsetV));
  const worst = c.sensorChain.voltageOffsetV;
  for (let i = 0; i < list.length; i++) {
    if (list[i] > worst)
      throw new ConfigError(path + "[" + i + "]", list[i], "is above sensorChain.voltageOffsetV = " + worst,
        "each cell's offset ≤ voltageOffsetV (the worst cell's)");
  }
}

/** Check `x` against PackConfig; returns a deep copy, or throws a ConfigError naming the first bad field. */
export function validateConfig(x: unknown): PackConfig {
  checkObject("", x, CONFIG_RULES, null);
  const c = x as PackConfig;
  checkCrossFields(c);
  return JSON.parse(JSON.stringify(c)) as PackConfig;
}
