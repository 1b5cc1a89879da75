/**
 * Levelled alarms: one row per (id, level) in `config.alarms`, each with a limit, a reset level
 * (hysteresis) and a delay. A row raises when its watched value stays at or beyond `limit` for
 * `delayMs`, and clears when it stays at or back past `reset` for `delayMs`; strictly between
 * reset and limit nothing changes. Raise and clear are `alarm` events. A NaN input (unknown)
 * holds the row's state and restarts its delay. docs/model-soc-selfdischarge-alarms.md.
 */
import type { AlarmId, AlarmLevel, AlarmRow, PackConfig } from "../config/packConfig";
import type { EventSink } from "../model/events";
import { CHEMISTRY_PRESETS } from "../chemistry/presets";
import type { ChemistryId } from "../chemistry/presets";
import { roundHalfAway } from "../telemetry/fieldText";
import { ALARM_V_WINDOW_MARGIN_V, OUT_OF_RANGE, MAX_CELL_V, MAX_CELLS, MAX_CURRENT_A, MAX_TEMP_C, MAX_TEMPS, MAX_TIME_MS, MIN_TEMP_C } from "../config/physicalLimits";

/** What the alarms watch, refreshed every sample. NaN = unknown → that alarm holds its state. */
export interface AlarmInputs {
  /** Highest valid cell voltage (V). */
  maxCellV: number;
  /** Lowest valid cell voltage (V). */
  minCellV: number;
  /** Charge current magnitude (A, ≥ 0; 0 while discharging). */
  chargeCurrentA: number;
  /** Discharge current magnitude (A, ≥ 0; 0 while charging). */
  dischargeCurrentA: number;
  /** Highest valid temperature (°C). */
  maxTempC: number;
  /** Lowest valid temperature (°C). */
  minTempC: number;
  /** Highest minus lowest valid cell voltage (V). */
  imbalanceV: number;
  /** Number of invalid channels (voltage, current, temperature) in this sample. */
  sensorFault: number;
  /** Worst cell's self-discharge rate during the current rest (fraction of capacity per hour,
   *  ≥ 0): its steady voltage fall read through the OCV curve (shared/selfDischarge). */
  selfDischargeFracPerH: number;
  /** Last retention after a shelving rest (fraction); watched by the lowRetention rows. */
  retentionFrac: number;
  /** CE of the last complete, unflagged cycle (fraction). */
  lastCe: number;
}

/** Alarm inputs before any sample (no reading: NaN, no invalid channel). */
export function createAlarmInputs(): AlarmInputs {
  return {
    maxCellV: NaN,
    minCellV: NaN,
    chargeCurrentA: NaN,
    dischargeCurrentA: NaN,
    maxTempC: NaN,
    minTempC: NaN,
    imbalanceV: NaN,
    sensorFault: 0,
    selfDischargeFracPerH: NaN,
    retentionFrac: NaN,
    lastCe: NaN,
  };
}

/** Name of one input field. */
export type AlarmInputName = keyof AlarmInputs;

/** Direction: +1 raises above the limit ("over"), −1 raises below it ("under"). */
export const ALARM_OVER = 1;
export const ALARM_UNDER = -1;

/**
 * Which input each alarm watches, and in which direction. The one table of alarm semantics, made
 * per use (`alarmWatch()`: building a plan, checking a table) so the firmware holds no copy
 * between (≈ 100 JsVars on the ESP32); `ALARM_WATCH` is the same table for host code and tests.
 */
export function alarmWatch(): Record<AlarmId, { input: AlarmInputName; dir: number; unit: string }> {
  return {
    cellOverVoltage: { input: "maxCellV", dir: ALARM_OVER, unit: "V" },
    cellUnderVoltage: { input: "minCellV", dir: ALARM_UNDER, unit: "V" },
    chargeOverCurrent: { input: "chargeCurrentA", dir: ALARM_OVER, unit: "A" },
    dischargeOverCurrent: { input: "dischargeCurrentA", dir: ALARM_OVER, unit: "A" },
    overTemp: { input: "maxTempC", dir: ALARM_OVER, unit: "C" },
    underTemp: { input: "minTempC", dir: ALARM_UNDER, unit: "C" },
    cellImbalance: { input: "imbalanceV", dir: ALARM_OVER, unit: "V" },
    sensorFault: { input: "sensorFault", dir: ALARM_OVER, unit: "channels" },
    selfDischarge: { input: "selfDischargeFracPerH", dir: ALARM_OVER, unit: "fraction/h" },
    lowRetention: { input: "retentionFrac", dir: ALARM_UNDER, unit: "fraction" },
    ceDrop: { input: "lastCe", dir: ALARM_UNDER, unit: "fraction" },
  };
}

/** `alarmWatch()` once, for host code and tests (the firmware bundle leaves it out). */
export const ALARM_WATCH: Record<AlarmId, { input: AlarmInputName; dir: number; unit: string }> = /* @__PURE__ */ alarmWatch();

/**
 * Plausible range of a row's limit and reset by unit (shared/config/physicalLimits.ts; a unit
 * not listed, the fractions, is 0…1): outside is a typo, never a setting. Cell-voltage rows
 * are also held to the pack's own window (checkAlarmTable).
 */
export const ALARM_UNIT_RANGE: Record<string, number[]> = {
  V: [0, MAX_CELL_V],
  A: [0, MAX_CURRENT_A],
  C: [MIN_TEMP_C, MAX_TEMP_C],
  channels: [0, MAX_CELLS + 1 + MAX_TEMPS],
};

/** Rows beyond this cannot be represented in the activeAlarmMask (exact integers in a double). */
export const MAX_ALARM_ROWS = 52;

/**
 * Position of each input in the per-sample value table (`AlarmPlan.values`); `gatherAlarmInputs`
 * writes them in this order (a test pins the two together). Made per plan (`alarmInputIndex()`);
 * `ALARM_INPUT_INDEX` for host code and tests.
 */
export function alarmInputIndex(): Record<AlarmInputName, number> {
  return {
    maxCellV: 0,
    minCellV: 1,
    chargeCurrentA: 2,
    dischargeCurrentA: 3,
    maxTempC: 4,
    minTempC: 5,
    imbalanceV: 6,
    sensorFault: 7,
    selfDischargeFracPerH: 8,
    retentionFrac: 9,
    lastCe: 10,
  };
}

/** `alarmInputIndex()` once, for host code and tests (the firmware bundle leaves it out). */
export const ALARM_INPUT_INDEX: Record<AlarmInputName, number> = /* @__PURE__ */ alarmInputIndex();

/** Number of inputs (entries of ALARM_INPUT_INDEX). */
export const ALARM_INPUT_COUNT = 11;

/**
 * Per-row facts derived once from `config.alarms`, so a step reads numbers by index instead of
 * looking up `ALARM_WATCH[row.id]` and `inp[name]` by string on every row (on Espruino each is
 * a walk of the object's property list). Derived, never snapshotted: see `createAlarmState`.
 */
export interface AlarmPlan {
  /** The rows the plan was built from; a step given a config with another array rebuilds it. */
  rows: AlarmRow[];
  /** Per row: the watched input's position in ALARM_INPUT_INDEX order. */
  inputIndex: Uint8Array;
  /** Per row: ALARM_OVER (+1) or ALARM_UNDER (−1). */
  dir: Int8Array;
  /** This sample's inputs in ALARM_INPUT_INDEX order (scratch, refilled every step). */
  values: Float64Array;
  /**
   * Quiet band per input (ALARM_INPUT_INDEX order): while every input is NaN or strictly inside
   * (quietLoV, quietHiV) and no row is pending, no row can change and the row loop is skipped.
   * Derived from `active` at the end of the last full pass; `quietValid` = 1 while it holds
   * (see `stepAlarms`). Never snapshotted; `invalidateAlarmCache` after writing the state.
   */
  quietLoV: Float64Array;
  quietHiV: Float64Array;
  quietValid: number;
  /** activeAlarmMask of `active` as last computed, valid while `maskValid` = 1 (reset when a row
   *  changes and by `invalidateAlarmCache`): the mask is read every sample, rows change rarely. */
  mask: number;
  maskValid: number;
}

/** Build the plan of an alarm table (rows already checked by checkAlarmTable). */
export function buildAlarmPlan(rows: AlarmRow[]): AlarmPlan {
  const n = rows.length;
  const plan: AlarmPlan = {
    rows: rows,
    inputIndex: new Uint8Array(n),
    dir: new Int8Array(n),
    values: new Float64Array(ALARM_INPUT_COUNT),
    quietLoV: new Float64Array(ALARM_INPUT_COUNT),
    quietHiV: new Float64Array(ALARM_INPUT_COUNT),
    quietValid: 0,
    mask: 0,
    maskValid: 0,
  };
  const watch = alarmWatch();
  const index = alarmInputIndex();
  for (let i = 0; i < n; i++) {
    const w = watch[rows[i].id];
    plan.inputIndex[i] = index[w.input];
    plan.dir[i] = w.dir;
  }
  return plan;
}

/** Copy the inputs into `out` in ALARM_INPUT_INDEX order (named reads: cheap on V8 and Espruino). */
export function gatherAlarmInputs(inp: AlarmInputs, out: Float64Array): void {
  out[0] = inp.maxCellV;
  out[1] = inp.minCellV;
  out[2] = inp.chargeCurrentA;
  out[3] = inp.dischargeCurrentA;
  out[4] = inp.maxTempC;
  out[5] = inp.minTempC;
  out[6] = inp.imbalanceV;
  out[7] = inp.sensorFault;
  out[8] = inp.selfDischargeFracPerH;
  out[9] = inp.retentionFrac;
  out[10] = inp.lastCe;
}

/**
 * True when every input is NaN or strictly inside its quiet band (lo, hi), i.e. on the quiet side
 * of every row's level; read straight from `inp` in ALARM_INPUT_INDEX order. Written out, no call
 * and no loop per input: this runs every sample, and on Espruino a call or a loop pass costs
 * more than the test itself (measured: ≈ 18 reference iterations per sample less than 11 calls, and a loop was slower).
 */
function allInBand(inp: AlarmInputs, lo: Float64Array, hi: Float64Array): boolean {
  let x = inp.maxCellV;
  if (x === x && !(x > lo[0] && x < hi[0])) return false;
  x = inp.minCellV;
  if (x === x && !(x > lo[1] && x < hi[1])) return false;
  x = inp.chargeCurrentA;
  if (x === x && !(x > lo[2] && x < hi[2])) return false;
  x = inp.dischargeCurrentA;
  if (x === x && !(x > lo[3] && x < hi[3])) return false;
  x = inp.maxTempC;
  if (x === x && !(x > lo[4] && x < hi[4])) return false;
  x = inp.minTempC;
  if (x === x && !(x > lo[5] && x < hi[5])) return false;
  x = inp.imbalanceV;
  if (x === x && !(x > lo[6] && x < hi[6])) return false;
  x = inp.sensorFault;
  if (x === x && !(x > lo[7] && x < hi[7])) return false;
  x = inp.selfDischargeFracPerH;
  if (x === x && !(x > lo[8] && x < hi[8])) return false;
  x = inp.retentionFrac;
  if (x === x && !(x > lo[9] && x < hi[9])) return false;
  x = inp.lastCe;
  if (x === x && !(x > lo[10] && x < hi[10])) return false;
  return true;
}

/**
 * Alarm state: per row, active (0/1) and the start of a pending transition (ms, NaN = none).
 * `plan` is inherited from the state's own prototype, not an own property: snapshots walk
 * `Object.keys` (own properties only, on Node and on Espruino, whose `Object.keys` hides
 * `__proto__`), so they store `active` and `pendingSinceTMs` only, and a restored state keeps
 * the plan of the state it was restored into.
 */
export interface AlarmState {
  active: Float64Array;
  pendingSinceTMs: Float64Array;
  readonly plan: AlarmPlan;
}

/** Fresh state: every row inactive, nothing pending; the row plan on its prototype. */
export function createAlarmState(config: PackConfig): AlarmState {
  const n = config.alarms.length;
  const st = Object.create({ plan: buildAlarmPlan(config.alarms) }) as { active: Float64Array; pendingSinceTMs: Float64Array };
  st.active = new Float64Array(n);
  st.pendingSinceTMs = new Float64Array(n);
  for (let i = 0; i < n; i++) st.pendingSinceTMs[i] = NaN;
  return st as AlarmState;
}

/** Step every row with this sample's inputs; emits one `alarm` event per raise or clear. */
export function stepAlarms(st: AlarmState, config: PackConfig, tMs: number, inp: AlarmInputs, emit: EventSink): void {
  const rows = config.alarms;
  let plan = st.plan;
  if (plan === undefined || plan.rows !== rows) {
    // Another config object than the state was made for: derive again (same behaviour, one
    // allocation) and keep it on the state's own prototype. A state without a plan (not made by
    // createAlarmState) gets a fresh plan every step: correct, only slower.
    plan = buildAlarmPlan(rows);
    if (st.plan !== undefined) (Object.getPrototypeOf(st) as { plan: AlarmPlan }).plan = plan;
  }
  if (plan.quietValid === 1 && allInBand(inp, plan.quietLoV, plan.quietHiV)) return; // every row keeps its state, nothing is pending
  const values = plan.values;
  const inputIndex = plan.inputIndex;
  const dirs = plan.dir;
  const active = st.active;
  const pending = st.pendingSinceTMs;
  gatherAlarmInputs(inp, values);
  for (let i = 0; i < rows.length; i++) {
    const value = values[inputIndex[i]];
    if (value !== value) {
      pending[i] = NaN;
      continue;
    }
    const row = rows[i];
    const dir = dirs[i];
    const wasActive = active[i] === 1;
    // Signed distance past the level that would change the state (≥ 0 = wants to change).
    const wants = wasActive ? dir * (row.reset - value) >= 0 : dir * (value - row.limit) >= 0;
    if (!wants) {
      pending[i] = NaN;
      continue;
    }
    const since = pending[i];
    if (since !== since) pending[i] = tMs;
    if (tMs - pending[i] >= row.delayMs) {
      active[i] = wasActive ? 0 : 1;
      plan.maskValid = 0;
      pending[i] = NaN;
      emit({ kind: "alarm", tMs: tMs, id: row.id, level: row.level, raised: !wasActive, value: value });
    }
  }
  // The quiet band of each input: a row raises past its limit (clears past its reset) with the
  // comparisons above, so a value strictly on the quiet side of every row's level changes nothing.
  let valid = 1;
  const lo = plan.quietLoV;
  const hi = plan.quietHiV;
  for (let k = 0; k < ALARM_INPUT_COUNT; k++) {
    lo[k] = -Infinity;
    hi[k] = Infinity;
  }
  for (let i = 0; i < rows.length; i++) {
    if (pending[i] === pending[i]) valid = 0;
    const k = inputIndex[i];
    const level = active[i] === 1 ? rows[i].reset : rows[i].limit;
    // Over-rows: inactive raises at value >= limit, active clears at value <= reset; under-rows mirrored.
    if (dirs[i] === (active[i] === 1 ? ALARM_UNDER : ALARM_OVER)) {
      if (level < hi[k]) hi[k] = level;
    } else if (level > lo[k]) lo[k] = level;
  }
  plan.quietValid = valid;
}

/** Forget the quiet bands (after the state's arrays were written other than by stepAlarms, e.g. a restore). */
export function invalidateAlarmCache(st: AlarmState): void {
  if (st.plan !== undefined) {
    st.plan.quietValid = 0;
    st.plan.maskValid = 0;
  }
}

/** Bit i set = row i of config.alarms active (bit arithmetic by powers of two: up to 52 rows). */
export function activeAlarmMask(st: AlarmState): number {
  const plan = st.plan;
  // kept on the plan between changes: the loop over every row cost ≈ 50 reference iterations per sample on Espruino
  if (plan !== undefined && plan.maskValid === 1) return plan.mask;
  let mask = 0;
  let bit = 1;
  for (let i = 0; i < st.active.length; i++) {
    if (st.active[i] === 1) mask += bit;
    bit *= 2;
  }
  if (plan !== undefined) {
    plan.mask = mask;
    plan.maskValid = 1;
  }
  return mask;
}

/** 1 when any active row has level "alarm" (not only "warning"), else 0. */
export function anyAlarmLevelActive(st: AlarmState, config: PackConfig): number {
  for (let i = 0; i < st.active.length; i++) {
    if (st.active[i] === 1 && config.alarms[i].level === "alarm") return 1;
  }
  return 0;
}

const LEVELS: AlarmLevel[] = ["warning", "alarm"];

/** Bounds in messages are rounded to 1/MSG_SCALE (0.8 − 0.5 prints 0.3, not 0.30000000000000004). */
const MSG_SCALE = 1000;

/** True unless `x` is a number in lo…hi (NaN, strings and non-finite values are outside). */
function outside(x: unknown, lo: number, hi: number): boolean {
  return typeof x !== "number" || !(x >= lo && x <= hi);
}


/**
 * Problems of an alarm table (empty = consistent), for the config validator: unknown id or
 * level, non-finite limit/reset, reset on the wrong side of limit, negative or non-finite delay,
 * a warning beyond its alarm level (a warning must trip first), duplicate (id, level), too many
 * rows; limit/reset outside the row's plausible range (ALARM_UNIT_RANGE; cell-voltage rows also
 * within `cellWindowV` = [soc.emptyCellV, soc.fullCellV] ± ALARM_V_WINDOW_MARGIN_V instead, when given),
 * delay beyond MAX_TIME_MS.
 */
export function checkAlarmTable(rows: AlarmRow[], cellWindowV?: number[]): string[] {
  const problems: string[] = [];
  if (rows.length > MAX_ALARM_ROWS) {
    problems.push("alarms has " + rows.length + " rows; at most " + MAX_ALARM_ROWS + " fit the active-alarm mask");
  }
  const watch = alarmWatch();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const at = "alarms[" + i + "]";
    const w = (watch as Record<string, { input: AlarmInputName; dir: number; unit: string } | undefined>)[r.id];
    if (w === undefined) {
      problems.push(at + ".id = " + JSON.stringify(r.id) + " is not an alarm id; accepted: " + Object.keys(watch).join(", "));
      continue;
    }
    if (LEVELS.indexOf(r.level) < 0) {
      problems.push(at + ".level = " + JSON.stringify(r.level) + " (" + r.id + ") is not accepted; use \"warning\" or \"alarm\"");
    }
    const range = ALARM_UNIT_RANGE[w.unit] || [0, 1];
    let lo = range[0];
    let hi = range[1];
    // maxCellV/minCellV rows; an empty window (emptyCellV >= fullCellV) is the config's cross-field error, not the rows'.
    // Compared whole: Espruino 2v29's indexOf matches a needle's head at the string's tail ("maxTempC".indexOf("CellV") = 7).
    if ((w.input === "maxCellV" || w.input === "minCellV") && cellWindowV && cellWindowV[0] < cellWindowV[1]) {
      lo = cellWindowV[0] - ALARM_V_WINDOW_MARGIN_V;
      hi = cellWindowV[1] + ALARM_V_WINDOW_MARGIN_V;
    }
    if (outside(r.limit, lo, hi) || outside(r.reset, lo, hi)) {
      problems.push(at + " (" + r.id + ") limit " + r.limit + ", reset " + r.reset + " " + OUT_OF_RANGE + roundHalfAway(lo * MSG_SCALE) / MSG_SCALE + ".." + roundHalfAway(hi * MSG_SCALE) / MSG_SCALE + " " + w.unit);
    } else if (w.dir * (r.limit - r.reset) <= 0) {
      problems.push(at + ".reset = " + r.reset + " (" + r.id + ") must be " + (w.dir === ALARM_OVER ? "below" : "above") + " limit = " + r.limit);
    }
    if (outside(r.delayMs, 0, MAX_TIME_MS)) problems.push(at + ".delayMs = " + r.delayMs + " (" + r.id + ")" + OUT_OF_RANGE + "0.." + MAX_TIME_MS + " ms");
    for (let j = 0; j < i; j++) {
      const o = rows[j];
      if (o.id !== r.id) continue;
      if (o.level === r.level) {
        problems.push(at + " repeats id " + r.id + " at level " + r.level + " (already alarms[" + j + "])");
        continue;
      }
      const warn = r.level === "warning" ? r : o;
      const alarm = r.level === "warning" ? o : r;
      if (w.dir * (warn.limit - alarm.limit) > 0) {
        problems.push(
          r.id + ": warning limit " + warn.limit + " " + w.unit + " is beyond the alarm limit " + alarm.limit +
            " (a warning must trip " + (w.dir === ALARM_OVER ? "at or below" : "at or above") + " its alarm)",
        );
      }
    }
  }
  return problems;
}

/** One row (short helper for the defaults table). */
function row(id: AlarmId, level: AlarmLevel, limit: number, reset: number, delayMs: number): AlarmRow {
  return { id: id, level: level, limit: limit, reset: reset, delayMs: delayMs };
}

/** Voltage margin (V) of the warning beyond the chemistry's cut-off; engineering choice. */
const CELL_V_WARN_MARGIN_V = 0.05;
/** Voltage margin (V) of the alarm beyond the cut-off; engineering choice. */
const CELL_V_ALARM_MARGIN_V = 0.1;
/** Voltage hysteresis (V) of the cell-voltage rows; engineering choice (> ADC noise). */
const CELL_V_HYST_V = 0.03;
/** Charge/discharge current (C-rate) of the warning and alarm: the article tests practical
 *  cells at C/4–C/6, so 1 C is well beyond normal and 2 C abnormal. */
const OVER_CURRENT_WARN_C = 1;
const OVER_CURRENT_ALARM_C = 2;
/** Current hysteresis as a fraction of the limit; engineering choice. */
const CURRENT_RESET_FRAC = 0.9;
/** Temperatures (°C): aqueous electrolyte near room temperature; above ~45 °C hydrogen
 *  evolution and Zn corrosion accelerate; water-based ZnSO4 electrolytes freeze a few degrees
 *  below 0 °C. Engineering choices, refine per electrolyte. */
const OVER_TEMP_WARN_C = 45;
const OVER_TEMP_ALARM_C = 55;
const UNDER_TEMP_WARN_C = 5;
const UNDER_TEMP_ALARM_C = -5;
const TEMP_HYST_C = 3;
/** Cell imbalance (V): engineering choice, beyond the spread of matched pouch cells. */
const IMBALANCE_WARN_V = 0.05;
const IMBALANCE_ALARM_V = 0.1;
/** Self-discharge rate after relaxation (fraction of capacity per hour): engineering choice; the
 *  article gives shapes (steep drop then flat vs a steady slope, Fig. 11a/b) but no numbers.
 *  Warning at 0.04 %/h (≈ 1 %/day, twice a healthy pouch cell's background leak); alarm at
 *  0.2 %/h (≈ 5 %/day: the "capacity drops sharply after a resting period" class, §4.3). */
const SELF_DISCHARGE_WARN_FRAC_PER_H = 0.0004;
const SELF_DISCHARGE_ALARM_FRAC_PER_H = 0.002;
/** CE (fraction): the article's practical pouch cells fall to ~97.5 %; 99 % is a useful early
 *  warning (CE^1000 = 0.8 needs 99.97 %, so any CE below 99 % means < ~25 cycles to 80 %). */
const CE_WARN = 0.99;
const CE_ALARM = 0.975;
const CE_HYST = 0.003;
/** Retention after a rest (fraction): the article reports 97.1 % "CE after shelving" 24 h for a
 *  good hybrid electrolyte (§4.3); below 95 % warns, below 90 % alarms (engineering choice). */
const RETENTION_WARN = 0.95;
const RETENTION_ALARM = 0.9;
const RETENTION_HYST = 0.01;
/** Delays (ms): fast for voltage/current, slower for noisy or slow quantities. */
const DELAY_FAST_MS = 2000;
const DELAY_SLOW_MS = 10000;
const DELAY_IMBALANCE_MS = 60000;
const DELAY_SELF_DISCHARGE_MS = 10 * 60 * 1000;

/** Default alarm rows for a chemistry and a nominal capacity (H1's defaults.ts calls this). */
export function defaultAlarmRows(chemistry: ChemistryId, capacityAh: number): AlarmRow[] {
  const p = CHEMISTRY_PRESETS[chemistry];
  const ovWarn = p.maxCellV + CELL_V_WARN_MARGIN_V;
  const ovAlarm = p.maxCellV + CELL_V_ALARM_MARGIN_V;
  const uvWarn = p.minCellV - CELL_V_WARN_MARGIN_V;
  const uvAlarm = p.minCellV - CELL_V_ALARM_MARGIN_V;
  const iWarn = OVER_CURRENT_WARN_C * capacityAh;
  const iAlarm = OVER_CURRENT_ALARM_C * capacityAh;
  return [
    row("cellOverVoltage", "warning", ovWarn, ovWarn - CELL_V_HYST_V, DELAY_FAST_MS),
    row("cellOverVoltage", "alarm", ovAlarm, ovAlarm - CELL_V_HYST_V, DELAY_FAST_MS),
    row("cellUnderVoltage", "warning", uvWarn, uvWarn + CELL_V_HYST_V, DELAY_FAST_MS),
    row("cellUnderVoltage", "alarm", uvAlarm, uvAlarm + CELL_V_HYST_V, DELAY_FAST_MS),
    row("chargeOverCurrent", "warning", iWarn, iWarn * CURRENT_RESET_FRAC, DELAY_FAST_MS),
    row("chargeOverCurrent", "alarm", iAlarm, iAlarm * CURRENT_RESET_FRAC, DELAY_FAST_MS),
    row("dischargeOverCurrent", "warning", iWarn, iWarn * CURRENT_RESET_FRAC, DELAY_FAST_MS),
    row("dischargeOverCurrent", "alarm", iAlarm, iAlarm * CURRENT_RESET_FRAC, DELAY_FAST_MS),
    row("overTemp", "warning", OVER_TEMP_WARN_C, OVER_TEMP_WARN_C - TEMP_HYST_C, DELAY_SLOW_MS),
    row("overTemp", "alarm", OVER_TEMP_ALARM_C, OVER_TEMP_ALARM_C - TEMP_HYST_C, DELAY_SLOW_MS),
    row("underTemp", "warning", UNDER_TEMP_WARN_C, UNDER_TEMP_WARN_C + TEMP_HYST_C, DELAY_SLOW_MS),
    row("underTemp", "alarm", UNDER_TEMP_ALARM_C, UNDER_TEMP_ALARM_C + TEMP_HYST_C, DELAY_SLOW_MS),
    row("cellImbalance", "warning", IMBALANCE_WARN_V, IMBALANCE_WARN_V * 0.8, DELAY_IMBALANCE_MS),
    row("cellImbalance", "alarm", IMBALANCE_ALARM_V, IMBALANCE_ALARM_V * 0.8, DELAY_IMBALANCE_MS),
    // Any invalid channel raises at once; one clean sample clears (count ≤ 0).
    row("sensorFault", "alarm", 1, 0, 0),
    row("selfDischarge", "warning", SELF_DISCHARGE_WARN_FRAC_PER_H, SELF_DISCHARGE_WARN_FRAC_PER_H * 0.7, DELAY_SELF_DISCHARGE_MS),
    row("selfDischarge", "alarm", SELF_DISCHARGE_ALARM_FRAC_PER_H, SELF_DISCHARGE_ALARM_FRAC_PER_H * 0.7, DELAY_SELF_DISCHARGE_MS),
    // Retention changes once per rest test: no delay.
    row("lowRetention", "warning", RETENTION_WARN, RETENTION_WARN + RETENTION_HYST, 0),
    row("lowRetention", "alarm", RETENTION_ALARM, RETENTION_ALARM + RETENTION_HYST, 0),
    // lastCe changes once per cycle: no delay.
    row("ceDrop", "warning", CE_WARN, CE_WARN + CE_HYST, 0),
    row("ceDrop", "alarm", CE_ALARM, CE_ALARM + CE_HYST, 0),
  ];
}
