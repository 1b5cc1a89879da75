/**
 * On-board check of a pack config (a `set` command's changed copy, or the stored `zbms.cfg` at
 * boot) — compact, so that the full validator (shared/config/validateConfig.ts, ~7 kB of rule
 * table and messages) stays off the board. The embedded PACK was validated in full at build
 * time; a config on the board must keep PACK's shape (`set` changes one value, never adds or
 * removes a field), so PACK itself is the shape template:
 *   - objects: the same keys as the template; leaves: the same type as the template's;
 *   - every number/string leaf against its row in CONFIG_LIMITS, which the build generates from
 *     validateConfig's own `CONFIG_RULES` (host/bundle/configLimits.ts): one row per leaf (a
 *     curve is one leaf, the alarm table none) in the order a walk of PACK's keys meets them,
 *     so no field path is stored twice;
 *   - the OCV curves: template's length, each value in range, strictly rising; a per-cell list
 *     (LIMIT_CELLS) the same without the rise;
 *   - the alarm table: rows of exactly {id, level, limit, reset, delayMs}, then the shared
 *     `checkAlarmTable`;
 *   - validateConfig's cross-field orderings, repeated in `crossFieldProblem` below.
 * test/firmware/configCheck.test.ts checks that this accepts exactly what validateConfig accepts
 * for single-field changes of the example packs (fast-check), so the two cannot drift apart.
 * Nothing throws: a problem is returned as one text quoting the bad value and what is accepted.
 */
import type { PackConfig } from "../shared/config/packConfig";
import { checkAlarmTable } from "../shared/alarms/alarmTable";

/** Kinds of a CONFIG_LIMITS row (first element). */
export const LIMIT_NUM = 0;
export const LIMIT_INT = 1;
export const LIMIT_CURVE = 2;
export const LIMIT_STR = 3;
export const LIMIT_ENUM = 4;
/** A per-cell list (sensorChain.cellVoltageOffsetV): the template's length, each in range, any order. */
export const LIMIT_CELLS = 5;
/** Flags (fourth element): the lower / upper bound is exclusive. */
export const LIMIT_MIN_OPEN = 1;
export const LIMIT_MAX_OPEN = 2;

/**
 * One field's accepted values: [kind, min, max, flags, unit] for numbers and curves (min/max:
 * each value), [LIMIT_STR, minLen, maxLen, 0, ""], [LIMIT_ENUM, 0, 0, 0, values].
 */
export type LimitRow = [number, number, number, number, string | string[]];
/** One row per leaf of the template, in the order `configProblem` walks it (Object.keys order). */
export type ConfigLimits = LimitRow[];

/** Fields of one alarm row (shared/config/packConfig AlarmRow). */
const ALARM_ROW_FIELDS = ["id", "level", "limit", "reset", "delayMs"];
/** Longest quoted value in a message (characters). */
const QUOTE_MAX_CHARS = 40;

function quote(v: unknown): string {
  let s = typeof v === "string" ? JSON.stringify(v) : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  if (s === undefined) s = String(v);
  return s.length > QUOTE_MAX_CHARS ? s.substring(0, QUOTE_MAX_CHARS) + "..." : s;
}

function bad(path: string, v: unknown, problem: string, accepted: string): string {
  return '"' + path + '" = ' + quote(v) + " " + problem + "; accepted: " + accepted;
}

/** What a row accepts, e.g. "integer 1..16", "number > 0 and <= 3 V", "ZnMnO2|ZnVOx". */
export function describeLimit(r: LimitRow): string {
  if (r[0] === LIMIT_ENUM) return (r[4] as string[]).join("|");
  if (r[0] === LIMIT_STR) return "text of " + r[1] + ".." + r[2] + " chars";
  const what = r[0] === LIMIT_INT ? "integer " : r[0] === LIMIT_CURVE ? "rising numbers " : r[0] === LIMIT_CELLS ? "numbers " : "number ";
  const unit = r[4] ? " " + r[4] : "";
  if (r[3] === 0) return what + r[1] + ".." + r[2] + unit;
  return what + (r[3] & LIMIT_MIN_OPEN ? "> " : ">= ") + r[1] + " and " + (r[3] & LIMIT_MAX_OPEN ? "< " : "<= ") + r[2] + unit;
}

function inLimit(x: number, r: LimitRow): boolean {
  return (r[3] & LIMIT_MIN_OPEN ? x > r[1] : x >= r[1]) && (r[3] & LIMIT_MAX_OPEN ? x < r[2] : x <= r[2]);
}

function isObj(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function checkLeaf(path: string, x: unknown, r: LimitRow): string | null {
  if (r[0] === LIMIT_ENUM) return (r[4] as string[]).indexOf(x as string) < 0 ? bad(path, x, "is not accepted", describeLimit(r)) : null;
  if (r[0] === LIMIT_STR) {
    const n = (x as string).length;
    return n < r[1] || n > r[2] ? bad(path, x, "has the wrong length", describeLimit(r)) : null;
  }
  const v = x as number;
  if (!isFinite(v)) return bad(path, x, "is not a finite number", describeLimit(r));
  if (r[0] === LIMIT_INT && Math.floor(v) !== v) return bad(path, x, "is not an integer", describeLimit(r));
  return inLimit(v, r) ? null : bad(path, x, "is out of range", describeLimit(r));
}

function checkCurve(path: string, t: unknown[], x: unknown, r: LimitRow): string | null {
  const acc = describeLimit(r);
  if (!Array.isArray(x) || x.length !== t.length) return bad(path, x, "is not a list of " + t.length, acc);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const p = path + "[" + i + "]";
    if (typeof v !== "number" || !isFinite(v) || !inLimit(v, r)) return bad(p, v, "is out of range", acc);
    if (r[0] === LIMIT_CURVE && i > 0 && !(v > x[i - 1])) return bad(p, v, "does not rise above " + x[i - 1], acc);
  }
  return null;
}

function checkAlarms(x: unknown, root: PackConfig): string | null {
  if (!Array.isArray(x)) return bad("alarms", x, "is not a list", "rows {" + ALARM_ROW_FIELDS.join(",") + "}");
  for (let i = 0; i < x.length; i++) {
    const row = x[i];
    const keys = isObj(row) ? Object.keys(row) : [];
    let same = keys.length === ALARM_ROW_FIELDS.length;
    for (let k = 0; k < keys.length; k++) if (ALARM_ROW_FIELDS.indexOf(keys[k]) < 0) same = false;
    if (!same) return bad("alarms[" + i + "]", row, "is not an alarm row", "fields " + ALARM_ROW_FIELDS.join(","));
  }
  const problems = checkAlarmTable(x, [root.soc.emptyCellV, root.soc.fullCellV]);
  return problems.length > 0 ? "alarm table: " + problems.join("; ") : null;
}

/** Walk template `t` and config `x` together; `at.i` = index of the next leaf's row in `limits`. */
function checkNode(path: string, t: unknown, x: unknown, limits: ConfigLimits, at: { i: number; root: PackConfig }): string | null {
  if (path === "alarms") return checkAlarms(x, at.root);
  if (Array.isArray(t)) return checkCurve(path, t, x, limits[at.i++]);
  if (isObj(t)) {
    const tk = Object.keys(t as object);
    if (!isObj(x)) return bad(path || "(top level)", x, "is not an object", "fields " + tk.join(","));
    const xk = Object.keys(x as object);
    const pre = path ? path + "." : "";
    for (let i = 0; i < xk.length; i++) {
      if (tk.indexOf(xk[i]) < 0) return bad(pre + xk[i], (x as Record<string, unknown>)[xk[i]], "is not a known field", "fields " + tk.join(","));
    }
    for (let i = 0; i < tk.length; i++) {
      const p = pre + tk[i];
      const e = checkNode(p, (t as Record<string, unknown>)[tk[i]], (x as Record<string, unknown>)[tk[i]], limits, at);
      if (e !== null) return e;
    }
    return null;
  }
  const r = limits[at.i++];
  if (typeof x !== typeof t) return bad(path, x, "is not a " + typeof t, describeLimit(r));
  return checkLeaf(path, x, r);
}

/** validateConfig's orderings between fields (shared/config/validateConfig.ts checkCrossFields). */
function crossFieldProblem(c: PackConfig): string | null {
  const seg = c.segmentation;
  if (!(seg.restCurrentA < seg.activeCurrentA)) return bad("segmentation.restCurrentA", seg.restCurrentA, "is not below activeCurrentA = " + seg.activeCurrentA, "restCurrentA < activeCurrentA");
  if (!(c.counting.maxGapMs > c.samplePeriodMs)) return bad("counting.maxGapMs", c.counting.maxGapMs, "is not above samplePeriodMs = " + c.samplePeriodMs, "maxGapMs > samplePeriodMs");
  if (!(c.soc.emptyCellV < c.soc.fullCellV)) return bad("soc.emptyCellV", c.soc.emptyCellV, "is not below fullCellV = " + c.soc.fullCellV, "emptyCellV < fullCellV");
  const ch = c.soc.ocvChargeV;
  const dis = c.soc.ocvDischargeV;
  for (let i = 0; i < ch.length; i++) {
    if (dis[i] > ch[i]) return bad("soc.ocvDischargeV[" + i + "]", dis[i], "is above ocvChargeV[" + i + "] = " + ch[i], "discharge branch <= charge branch");
  }
  // validateConfig's checkCellOffsets, in one message (the list is quoted)
  const sc = c.sensorChain;
  const cells = sc.cellVoltageOffsetV;
  let ok = cells === undefined || cells.length === c.cellCount;
  if (cells !== undefined) for (let i = 0; i < cells.length; i++) if (cells[i] > sc.voltageOffsetV) ok = false;
  return ok ? null : bad("sensorChain.cellVoltageOffsetV", cells, "is not " + c.cellCount + " values <= voltageOffsetV = " + sc.voltageOffsetV, "one per cell");
}

/**
 * Problem with config `x` (shaped like `template`, the validated PACK), or null when it is
 * accepted. `limits`: CONFIG_LIMITS of the build, generated for this very template.
 */
export function configProblem(template: PackConfig, x: unknown, limits: ConfigLimits): string | null {
  const e = checkNode("", template, x, limits, { i: 0, root: x as PackConfig });
  return e !== null ? e : crossFieldProblem(x as PackConfig);
}
