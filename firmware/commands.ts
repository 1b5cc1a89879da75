/**
 * Commands: ONE global entry point the host calls through Espruino's REPL,
 *
 *   zbms(cmd, a, b, c, d)
 *
 * each answered with telemetry lines (a `reply`, `ident`, `cycle`… line, or an `error` line).
 * `cmd` may carry a host id after '#': zbms("status#17") answers with id "17" (default: the
 * command name). Nothing here throws to the caller: a bad command, bad argument or a failing
 * action gives an error line, and the configuration is left unchanged. Commands:
 *
 *   ident                               ident line: firmware version, bundle hash, board, pack
 *   status                              reply: memory, step time, counters, saves, flash wear
 *   get  PATH                           reply: config value at PATH ("alarms.0.limit")
 *   config                              reply: {"config":{…}} the whole config the board runs
 *                                       (the monitor logs it so `analyze` replays with it)
 *   set  PATH VALUE                     validated config change (persisted: settings writes are
 *                                       coalesced, at most one per minute, app.ts), reply with new value
 *   cal  CH ACTUAL1 RAW1 ACTUAL2 RAW2   two-point calibration of channel CH ("v0"…, "i"):
 *                                       ACTUALn in V (voltage) or A (current), RAWn raw codes
 *                                       as shown by `raw`; persisted
 *   raw                                 reply: last raw code of every channel
 *   zero                                learn the current offset: the next offsetMinSamples
 *                                       samples are flagged open circuit (pack must be idle)
 *   rest 1|0                            mark / unmark an operator rest (open circuit)
 *   openRest HOURS                      open the protection switch for HOURS (0 = end now):
 *                                       samples flagged open circuit; resumed after a reboot
 *   resetCounters                       fresh model (counters, cycles, SOC), stored state erased
 *   cycles                              recent cycle records, one cycle line each, then done
 *   save                                write the state and any pending settings now (saved: both written)
 *   help                                reply: the command list
 */
import type { PackConfig } from "../shared/config/packConfig";
import { calGainProblem, calSlope, twoPointCal, type AdcCalibration } from "../shared/sensors/calibration";
import { chipInputV } from "./sensors";
import { encodeSig, escapeText, POW10, roundHalfAway, SIG_DIGITS } from "../shared/telemetry/fieldText";
import { lineHead, lineTail } from "../shared/telemetry/lineFormat";
import type { CurrentChannelDef, VoltageChannelDef } from "../shared/config/boardDef";
import { emit, emitError, emitLine, emitReply, errorText } from "./telemetryOut";
import { emitIdent, flushSettings, PENDING_LIVE_CONFIG, replaceModel, SAVE_FAILED, saveApp, type App, type ConsoleDevice } from "./app";
import { crcCarry, eraseState, flashWear, recordBytes, type FlashWear } from "./persistence/stateStore";
import { crc32, type Crc32Fn } from "../shared/telemetry/crc32";
import type { PackModel } from "../shared/model/packModel";
import type { Sampler } from "./sampler";
import { endOpenRest, startOpenRest, updateProtection } from "./protection";
import { S_PER_H } from "../shared/units";

/** Storage file of the persisted config (JSON of the whole validated PackConfig). */
export const CONFIG_FILE = "zbms.cfg";
/** Storage file of persisted calibrations (JSON object channel → AdcCalibration). */
export const CAL_FILE = "zbms.cal";
/** Cycle ends per day assumed in the flash-wear figure of `status` (C/5 cycles: ~2.4/day; margin 2×). */
const CYCLE_ENDS_PER_DAY = 5;
/** Longest open rest (h): 30 days, beyond the article's longest rest test; engineering limit. */
const OPEN_REST_MAX_H = 720;
/** Command names, for the help reply and the error of an unknown command; a new list per call (not held between). */
export function commandNames(): string[] {
  return ["ident", "status", "get", "config", "set", "cal", "raw", "zero", "rest", "openRest", "resetCounters", "cycles", "save", "help"];
}
/** `commandNames()` once, for host code and tests (the firmware bundle leaves it out). */
export const COMMANDS: string[] = /* @__PURE__ */ commandNames();

export interface CommandContext {
  app: App;
  sampler: Sampler | null;
  /** Called after a config change was accepted (main: new sample period → sampler and watchdog). */
  onConfig: ((cfg: PackConfig) => void) | null;
  /**
   * The problem with a changed config, or null when it is accepted (main: firmware/configCheck
   * `configProblem` with the build's CONFIG_LIMITS, the live config as its own shape template).
   */
  checkConfig: (cfg: unknown) => string | null;
}

function isNum(x: unknown): boolean {
  return typeof x === "number" && isFinite(x);
}

/**
 * A number as JSON text, digits through the telemetry encoder (9 significant digits as
 * mantissa e exponent, exact on Espruino and Node, e.g. 12.34 → "1234e-2"); null when not finite.
 */
function jg(x: number): string {
  return isNum(x) ? encodeSig(x, SIG_DIGITS) : "null";
}

/**
 * A JSON string literal (quotes and backslashes escaped; the line encoder escapes the rest; the
 * host escapes control bytes of user text before parsing, host/monitor/classifyLine.ts).
 */
function js(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    out += c === '"' || c === "\\" ? "\\" + c : c;
  }
  return out + '"';
}

/** Characters of a reply line written to the console device at a time (`replyLine`): ≈ 10 JsVars. */
const PART_CHARS = 128;

/**
 * Where `jvAdd` puts its JSON text: appended to `s`, a property holding the only reference to its
 * string, so `+=` appends in place on Espruino (jsparse.c: a string with one reference is
 * extended, not copied). `e`: every piece is escaped for a telemetry field as it is put. `d`: the
 * console device a reply line is being written to in parts (`replyLine`): `s` goes out whenever
 * it reaches PART_CHARS, `c` is the CRC-32 (by `f`) of every byte written so far.
 */
const JV: { s: string; e: boolean; d: ConsoleDevice | null; c: number; f: Crc32Fn } = { s: "", e: false, d: null, c: 0, f: crc32 };

/** Put `text` (escaped for a line field when JV.e) where JV says. */
function jvPut(text: string): void {
  JV.s += JV.e ? escapeText(text) : text;
  if (JV.d !== null && JV.s.length >= PART_CHARS) jvPart(JV.d);
}

/**
 * Write JV.s to device `d` as the next part of a line, and carry the line's CRC over it: the
 * standard CRC-32 has no start value, so the part is checked behind the 4 bytes that put the
 * register back where the previous part left it (`crcCarry`, as a save's chunks do).
 */
function jvPart(d: ConsoleDevice): void {
  const s = JV.s;
  JV.s = "";
  const k = crcCarry(JV.c);
  JV.c = JV.f(String.fromCharCode(k & 0xff, (k >>> 8) & 0xff, (k >>> 16) & 0xff, k >>> 24) + s);
  d.write(s);
}

/** Append config value `v` as JSON text to JV.s, numbers through the encoder. */
function jvAdd(v: unknown): void {
  if (typeof v === "number") jvPut(jg(v));
  else if (typeof v === "string") jvPut(js(v));
  else if (typeof v === "boolean") jvPut(v ? "true" : "false");
  else if (v === null || v === undefined) jvPut("null");
  else if (Array.isArray(v)) {
    jvPut("[");
    for (let i = 0; i < v.length; i++) {
      if (i > 0) jvPut(",");
      jvAdd(v[i]);
    }
    jvPut("]");
  } else {
    // for..in walks the object's own properties in Object.keys order without an array of the names
    // (Espruino: jsparse.c for..in iterates the children; ≈ 2 JsVars per name at every level)
    let sep = "{";
    for (const k in v as object) {
      jvPut(sep + js(k) + ":");
      sep = ",";
      jvAdd((v as Record<string, unknown>)[k]);
    }
    jvPut(sep === "{" ? "{}" : "}");
  }
}

/**
 * Put `,"name":` and value `v` (a reply's next field). Not a closure made in the reply's body:
 * a function held by the scope it closes over is a reference cycle, which Espruino frees only at
 * its next garbage collection (≈ 35 JsVars kept after every status, measured).
 */
function jvField(name: string, v: unknown): void {
  jvPut(",\"" + name + "\":");
  jvAdd(v);
}

/**
 * Print the reply line `id` whose payload `body` puts (jvPut, jvAdd): the same bytes as emitReply
 * of that payload, escaped piece by piece as it is built (escapeText works char by char). Where the
 * app has the console device (`io.console`, Espruino), the line is written to it in parts of
 * ≈ PART_CHARS with its CRC carried across them, and ended as console.log ends a line: no whole
 * line is held (the 3.3 kB config reply took ≈ 235 JsVars as one flat string). The parts go out in
 * this one JS turn, so no other line can come between them. Elsewhere the line is built whole and
 * printed. If building fails halfway, the parts written are ended as a line (its CRC is wrong, the
 * host drops it) and the error goes on: the caller's error line starts on a line of its own.
 */
function replyLine(app: App, id: string, body: () => void): void {
  const io = app.io;
  const d = io.console ? io.console() : null;
  JV.d = d;
  JV.c = 0;
  JV.f = io.strCrc || crc32;
  JV.s = lineHead("reply", app.tel.seq) + "," + escapeText(id) + ",";
  try {
    JV.e = true;
    body();
    JV.e = false;
    if (d !== null) {
      jvPart(d);
      const crc = JV.c;
      d.write(
        lineTail("", function () {
          return crc;
        }) + "\r\n", // how console.log ends a line (Espruino's jsiConsolePrint turns "\n" into "\r\n")
      );
      emitLine(app.tel, null);
    } else emitLine(app.tel, JV.s + lineTail(JV.s, io.strCrc));
  } catch (err) {
    if (d !== null) d.write("\r\n");
    throw err;
  } finally {
    JV.d = null;
    JV.e = false;
    JV.s = "";
  }
}

/** A config value as JSON text, numbers through the encoder. */
function jv(v: unknown): string {
  JV.s = "";
  jvAdd(v);
  const out = JV.s;
  JV.s = "";
  return out;
}

/** Walk a dotted path; returns [parent, key] or an error text naming the part that does not exist. */
function resolvePath(root: unknown, path: unknown): { parent: Record<string, unknown>; key: string } | string {
  if (typeof path !== "string" || path.length === 0) return "path must be a non-empty string like \"alarms.0.limit\", got " + String(path);
  const parts = path.split(".");
  let node = root as Record<string, unknown>;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = node[parts[i]];
    if (next === null || typeof next !== "object" || Object.keys(node).indexOf(parts[i]) < 0) {
      return "no config field \"" + parts.slice(0, i + 1).join(".") + "\"; accepted: " + Object.keys(node).join(", ");
    }
    node = next as Record<string, unknown>;
  }
  const key = parts[parts.length - 1];
  if (Object.keys(node).indexOf(key) < 0) return "no config field \"" + path + "\"; accepted at that level: " + Object.keys(node).join(", ");
  return { parent: node, key: key };
}

function cmdSet(ctx: CommandContext, id: string, path: unknown, value: unknown): void {
  const app = ctx.app;
  // the value is tried in the live config and taken back if rejected: no copy of the config and no
  // JSON text of it while checking (≈ 900 JsVars at the peak on the ESP32 format, measured:
  // docs/performance.md), and never two configs held
  const cfg = app.config;
  const r = resolvePath(cfg, path);
  if (typeof r === "string") return emitError(app.tel, id, "set: " + r);
  const old = r.parent[r.key];
  const field = "set: \"" + path + "\"";
  if (old !== null && typeof old === "object") return emitError(app.tel, id, field + " is a group; set one of its fields: " + Object.keys(old as object).join(", "));
  if (typeof value !== typeof old) {
    return emitError(app.tel, id, field + " takes a " + typeof old + ", got " + typeof value + " " + String(value));
  }
  r.parent[r.key] = value;
  let problem: string | null;
  try {
    problem = ctx.checkConfig(cfg);
  } catch (e) {
    problem = errorText(e);
  }
  if (problem !== null) {
    r.parent[r.key] = old;
    return emitError(app.tel, id, "set: " + problem + " (config unchanged)");
  }
  if (!rebuildModel(app, r.parent, r.key, old)) {
    return emitError(app.tel, id, field + " changes the model's shape; run resetCounters with a new pack config instead (config unchanged)");
  }
  if (ctx.onConfig !== null) ctx.onConfig(cfg);
  // the config file is written before the reply's text is begun: nothing of it held meanwhile
  const persisted = persist(app, CONFIG_FILE, PENDING_LIVE_CONFIG);
  emitReply(app.tel, id, "{\"path\":" + js(path as string) + ",\"value\":" + jv(r.parent[r.key]) + ",\"persisted\":" + js(persisted) + "}");
}

/**
 * A new model for the changed config, restored from the old one's snapshot; when the snapshot does
 * not fit it, `parent[key]` gets `old` back and the model is rebuilt as it was (false). The
 * snapshot lives only in here, not while `set` then writes the config (≈ 300 JsVars on the ESP32).
 */
function rebuildModel(app: App, parent: Record<string, unknown>, key: string, old: unknown): boolean {
  const snap = app.model.snapshot();
  try {
    replaceModel(app, app.config, snap);
    return true;
  } catch (e) {
    parent[key] = old;
    // the old model was let go first (replaceModel): the old config takes its snapshot back
    replaceModel(app, app.config, snap);
    return false;
  }
}

/**
 * Queue a settings file for a reply's `persisted`: "saved", "save failed" (false or a throw),
 * "no storage", or "pending" (coalesced: written within SETTINGS_WRITE_MIN_S, app.ts).
 */
function persist(app: App, file: string, text: string | null): string {
  if (app.io.storage === null) return "no storage";
  app.pending[file] = text;
  app.setPend = true;
  return flushSettings(app, false);
}

/** Stored calibrations (channel → cal, a pending write first), or an empty object. */
function readCals(app: App): Record<string, AdcCalibration> {
  const s = app.io.storage;
  if (s === null) return {};
  try {
    const t = (app.pending || {})[CAL_FILE] || s.read(CAL_FILE);
    return t ? (JSON.parse(t) as Record<string, AdcCalibration>) : {};
  } catch (e) {
    return {};
  }
}

/** Apply stored calibrations to the board definition (at boot, before the sensors are set up). */
export function applyStoredCals(app: { io: App["io"]; board: App["board"] }): string {
  const cals = readCals(app as App);
  const names = Object.keys(cals);
  for (let i = 0; i < names.length; i++) {
    const ch = channelDef(app as App, names[i]);
    if (ch !== null) {
      nominalSlope(ch);
      ch.cal = cals[names[i]];
    }
  }
  return names.join(",");
}

/** The board channel a name refers to ("v0"…, "i"), or null. */
function channelDef(app: App, name: string): VoltageChannelDef | CurrentChannelDef | null {
  if (name === "i") return app.board.current;
  if (name.charAt(0) === "v") {
    const k = parseInt(name.substring(1), 10);
    if (String(k) === name.substring(1) && k >= 0 && k < app.board.voltages.length) return app.board.voltages[k];
  }
  return null;
}

/** Raw code at which an uncalibrated chip's nominal gain is read (any code well inside its range). */
const NOMINAL_CODE = 1000;

/** Chip-input volts per raw code before any `cal` command (board file's cal, else the chip's data-sheet LSB); kept on the channel. */
function nominalSlope(def: VoltageChannelDef | CurrentChannelDef): number {
  // uncalibrated chips (ADS1115, INA226) read 0 V at code 0
  if ((def as { nomGain?: number }).nomGain === undefined) (def as { nomGain?: number }).nomGain = def.cal ? calSlope(def.cal) : chipInputV(def, NOMINAL_CODE) / NOMINAL_CODE;
  return (def as { nomGain?: number }).nomGain as number;
}

/** Chip-input volts for an actual channel value (inverse of the channel's chain after calibration). */
function inputVFor(def: VoltageChannelDef | CurrentChannelDef, isCurrent: boolean, actual: number): number {
  if (!isCurrent) return actual / (def as VoltageChannelDef).dividerRatio;
  const c = def as CurrentChannelDef;
  if (c.chip === "esp32adc") return c.senseAmp ? c.senseAmp.refV + actual * c.polarity * c.senseAmp.gain * c.shuntOhm : NaN;
  return actual * c.polarity * c.shuntOhm;
}

function cmdCal(ctx: CommandContext, id: string, ch: unknown, a1: unknown, r1: unknown, a2: unknown, r2: unknown): void {
  const app = ctx.app;
  const accepted = "v0...v" + (app.board.voltages.length - 1) + ", i";
  if (typeof ch !== "string") return emitError(app.tel, id, "cal: channel must be a string; accepted: " + accepted);
  const def = channelDef(app, ch);
  if (def === null) return emitError(app.tel, id, "cal: unknown channel \"" + ch + "\"; accepted: " + accepted);
  if (!isNum(a1) || !isNum(r1) || !isNum(a2) || !isNum(r2)) {
    return emitError(app.tel, id, "cal: needs four finite numbers ACTUAL1 RAW1 ACTUAL2 RAW2, got " + String(a1) + " " + String(r1) + " " + String(a2) + " " + String(r2) + "; example: zbms(\"cal\",\"v0\",1.2,9600,1.6,12800)");
  }
  let cal: AdcCalibration | undefined;
  let problem: string | null;
  try {
    const isCur = ch === "i";
    cal = twoPointCal(r1 as number, inputVFor(def, isCur, a1 as number), r2 as number, inputVFor(def, isCur, a2 as number));
    problem = calGainProblem(cal, nominalSlope(def));
  } catch (e) {
    problem = errorText(e);
  }
  if (problem !== null) return emitError(app.tel, id, "cal: " + problem + " (calibration unchanged)");
  def.cal = cal as AdcCalibration;
  const cals = readCals(app);
  cals[ch] = cal as AdcCalibration;
  const persisted = persist(app, CAL_FILE, JSON.stringify(cals));
  emitReply(app.tel, id, "{\"channel\":" + js(ch) + ",\"cal\":" + jv(cal) + ",\"persisted\":" + js(persisted) + "}");
}

function cmdOpenRest(ctx: CommandContext, id: string, hours: unknown): void {
  const app = ctx.app;
  if (!app.board.protection) return emitError(app.tel, id, "openRest: board " + app.board.id + " has no protection switch; mark a manual rest with rest 1");
  if (!isNum(hours) || (hours as number) < 0 || (hours as number) > OPEN_REST_MAX_H) {
    return emitError(app.tel, id, "openRest: hours must be 0 (end now) to " + OPEN_REST_MAX_H + ", got " + String(hours));
  }
  endOpenRest(app);
  const saved = hours === 0 ? false : startOpenRest(app, (hours as number) * S_PER_H);
  updateProtection(app);
  emitReply(app.tel, id, "{\"openRestS\":" + jg((hours as number) * S_PER_H) + ",\"persisted\":" + (saved ? "true" : "false") + "}");
}

/** `x` rounded to `decimals` (0…3) for a reply; printed through the encoder by `jv`. */
function rnd(x: number, decimals: number): number {
  return roundHalfAway(x * POW10[decimals]) / POW10[decimals];
}

/**
 * The status reply, each field put as it is worked out: no reply object is held while the line
 * goes out (it took ≈ 100 JsVars on the ESP32 format).
 */
function cmdStatus(ctx: CommandContext, id: string): void {
  const app = ctx.app;
  const sp = ctx.sampler;
  const st = app.store;
  const sens = app.sensors;
  replyLine(app, id, function () {
    let mem: unknown = null;
    try {
      const m = app.io.memory() as Record<string, number> | null;
      if (m) mem = { free: m.free, usage: m.usage, total: m.total };
    } catch (e) {
      mem = null;
    }
    jvPut("{\"mem\":");
    jvAdd(mem);
    mem = null;
    let ms: ReturnType<PackModel["status"]> | null = app.model.status();
    jvField("model", { chargeAh: ms.chargeAh, dischargeAh: ms.dischargeAh, cycleCount: ms.cycleCount, offsetA: ms.offsetA, gapCount: ms.gapCount, invalidChannels: ms.sensorFault, tMs: ms.tMs });
    ms = null;
    jvField("stepMs", sp ? { last: rnd(sp.lastStepMs, 2), mean: rnd(sp.meanStepMs, 2), max: rnd(sp.maxStepMs, 2) } : null);
    jvField("modelStepMs", { last: rnd(app.modelStepMs, 3), mean: rnd(app.modelStepMeanMs, 3), max: rnd(app.modelStepMaxMs, 3) });
    jvField("periodMs", sp ? sp.periodMs : app.config.samplePeriodMs);
    jvField("steps", sp ? sp.steps : 0);
    jvField("crashes", sp ? sp.crashes : 0);
    jvField("overruns", sp ? sp.overruns : 0);
    jvField("samples", app.samples);
    jvField("waitedForValid", app.waited);
    jvField("started", app.started);
    jvField("driverErrors", sens ? sens.status.errorCount : 0);
    jvField("lastDriverError", sens ? sens.status.lastError : "");
    jvField("applied", sens ? { adc: sens.appliedAdc, ina226: sens.appliedIna } : null);
    jvField("restored", app.restored);
    jvField("bootCount", app.bootCount);
    jvField("saves", st ? st.saves : 0);
    jvField("failedSaves", st ? st.failedSaves : 0);
    jvField("lastSaveAgeS", rnd(app.io.nowS() - app.lastSaveS, 1));
    jvField("stateBytes", st ? recordBytes(st.payloadDoubles) : 0);
    const w: FlashWear | null = st !== null ? flashWear(st.payloadDoubles, app.config.saveIntervalS, CYCLE_ENDS_PER_DAY) : null;
    jvField("flashWear", w ? { writesPerDay: rnd(w.writesPerDay, 1), erasesPerPagePerDay: rnd(w.erasesPerPagePerDay, 3), lifetimeYears: rnd(w.lifetimeYears, 1) } : null);
    jvField("rest", app.restMarked);
    jvField("openRestLeftS", rnd(app.restEndS - app.io.nowS(), 0));
    jvField("switchOpen", app.switchOpen);
    jvField("zeroLeft", app.zeroLeft);
    jvField("lines", app.tel.lines);
    jvPut("}");
  });
}

/**
 * Run one command; never throws. The short commands are written out here, not as functions of
 * their own: every function costs ≈ 6–9 JsVars for as long as the firmware runs on the ESP32.
 */
export function runCommand(ctx: CommandContext, cmd: unknown, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown): void {
  const app = ctx.app;
  let id = "";
  try {
    if (typeof cmd !== "string") {
      emitError(app.tel, "", "command must be a string, got " + typeof cmd + "; accepted: " + commandNames().join(", ") + "; example: zbms(\"status\")");
      return;
    }
    const hash = cmd.indexOf("#");
    const name = hash >= 0 ? cmd.substring(0, hash) : cmd;
    id = hash >= 0 ? cmd.substring(hash + 1) : cmd;
    if (name === "ident") emitIdent(app);
    else if (name === "status") cmdStatus(ctx, id);
    else if (name === "get") {
      const r = resolvePath(app.config, a);
      if (typeof r === "string") emitError(app.tel, id, "get: " + r);
      else emitReply(app.tel, id, "{\"path\":" + js(a as string) + ",\"value\":" + jv(r.parent[r.key]) + "}");
    }
    else if (name === "config")
      replyLine(app, id, function () {
        jvPut("{\"config\":");
        jvAdd(app.config);
        jvPut("}");
      });
    else if (name === "set") cmdSet(ctx, id, a, b);
    else if (name === "cal") cmdCal(ctx, id, a, b, c, d, e);
    else if (name === "raw") {
      const s = app.sensors;
      if (s === null) return emitError(app.tel, id, "raw: no sensors in this build (replay)");
      const n = s.volts.length;
      let out = "{";
      for (let k = 0; k < n; k++) out += "\"v" + k + "\":" + jg(s.raw[k]) + ",";
      out += "\"i\":" + jg(s.raw[n]);
      for (let k = 0; k < s.temps.length; k++) out += ",\"t" + k + "\":" + jg(s.raw[n + 1 + k]);
      emitReply(app.tel, id, out + "}");
    }
    else if (name === "zero") {
      app.zeroLeft = app.config.counting.offsetMinSamples;
      emitReply(app.tel, id, "{\"zeroSamples\":" + jg(app.zeroLeft) + ",\"note\":\"keep the pack at open circuit\"}");
    } else if (name === "rest") {
      if (a !== 0 && a !== 1 && a !== true && a !== false) {
        emitError(app.tel, id, "rest: got " + String(a) + "; accepted: 1 (pack is at open circuit) or 0 (rest over)");
        return;
      }
      endOpenRest(app);
      app.restMarked = a === 1 || a === true ? 1 : 0;
      updateProtection(app);
      emitReply(app.tel, id, "{\"rest\":" + jg(app.restMarked) + "}");
    } else if (name === "openRest") cmdOpenRest(ctx, id, a);
    else if (name === "resetCounters") {
      replaceModel(app, app.config, null);
      app.restored = false;
      let saved = "no storage";
      if (app.store !== null) {
        eraseState(app.store);
        saved = saveApp(app) ? "saved" : SAVE_FAILED;
      }
      emitReply(app.tel, id, "{\"reset\":true,\"state\":" + js(saved) + "}");
    }
    else if (name === "cycles") {
      const cs = app.model.recentCycles();
      for (let i = 0; i < cs.length; i++) emit(app.tel, { type: "cycle", tMs: cs[i].endTMs, cycle: cs[i] });
      emit(app.tel, { type: "done", id: id });
    }
    else if (name === "save") {
      // saved: the state and any pending settings were written
      const settingsOk = flushSettings(app, true) !== SAVE_FAILED;
      emitReply(app.tel, id, "{\"saved\":" + (saveApp(app) && settingsOk ? "true" : "false") + "}");
    }
    else if (name === "help") emitReply(app.tel, id, "{\"commands\":" + jv(commandNames()) + "}");
    else emitError(app.tel, id, "unknown command " + js(name) + "; accepted: " + commandNames().join(", "));
  } catch (err) {
    try {
      emitError(app.tel, id, "command failed: " + errorText(err));
    } catch (err2) {
      // printing failed as well; nothing more can be said
    }
  }
}

/**
 * Install the global `zbms(cmd, a, b, c, d, e)` entry point (`globalThis` works on Espruino 2v29,
 * matrix [237]): runCommand with `ctx` bound (matrix [225]), so a command runs in one call frame,
 * not a wrapper's and runCommand's (≈ 18 JsVars less at every command's peak, measured; the same at boot).
 */
export function installCommands(ctx: CommandContext): void {
  (globalThis as unknown as Record<string, unknown>).zbms = runCommand.bind(null, ctx);
}
