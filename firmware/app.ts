/**
 * The firmware's one state object and what happens per sample and at boot:
 *   sensors → Sample (reused) → PackModel.step → events and a status line → periodic save.
 * `main.ts` builds the Espruino I/O and starts the sampler; `replayMain.ts` feeds embedded
 * samples instead of sensors; `commands.ts` acts on the same App.
 *
 * Publishing rule: after boot nothing but the ident and boot lines (and driver error lines)
 * is printed until one sample has valid cell voltages and current; until then the model is
 * not stepped, so a restored state never meets a garbage first sample.
 */
import type { BoardDef } from "../shared/config/boardDef";
import type { PackConfig } from "../shared/config/packConfig";
import type { Sample } from "../shared/sample";
import type { ModelEvent } from "../shared/model/events";
import { PackModel } from "../shared/model/packModel";
import { recordFromEvent, type TelemetryRecord } from "../shared/telemetry/records";
import { crc32, type Crc32Fn } from "../shared/telemetry/crc32";
import { emit, emitError, errorText, type TelemetryOut } from "./telemetryOut";
import { beginRead, continueRead, createSensorSet, finishRead, type SensorSet } from "./sensors";
import type { Hw } from "./drivers/hw";
import {
  createStateStore,
  loadState,
  beginRecord,
  endRecord,
  putDouble,
  writeChunk,
  type ByteCrc,
  type StateStore,
  type StorageLike,
} from "./persistence/stateStore";
import { stateLength, writeState } from "../shared/state/snapshot";
import { resumeOpenRest, saveOpenRest, updateProtection } from "./protection";
import { MS_PER_S } from "../shared/units";

/** Identity of the bundle (the `BUILD` export of the virtual module `zbms-build`). */
export interface BuildIdent {
  version: string;
  hash: string;
  board: string;
  pack: string;
}

/** Everything the firmware touches outside itself (Espruino globals on the board). */
/** What a line is written to in parts: Espruino's Serial/USB `write`, the text out as it is. */
export interface ConsoleDevice {
  write(text: string): void;
}

export interface AppIo {
  /** Sensor hardware; null in a replay build (samples come from the bundle). */
  hw: Hw | null;
  /** Espruino Storage; null = no persistence (replay). */
  storage: StorageLike | null;
  /** CRC-32 of bytes (E.CRC32). */
  byteCrc: ByteCrc;
  /**
   * The console device (Espruino: the object E.getConsole() names, `Serial1`, `USB`…), to which a
   * long reply line is written in parts (commands.ts replyLine); absent or null = lines are
   * printed whole.
   */
  console?: () => ConsoleDevice | null;
  /** CRC-32 of a string for telemetry lines (E.CRC32); undefined = the portable one. */
  strCrc: Crc32Fn | undefined;
  /** Prints one line (console.log). */
  print: (line: string) => void;
  /** Board clock (s), Espruino getTime(). */
  nowS: () => number;
  /** process.memory() on Espruino; null where there is none. */
  memory: () => unknown;
  /** Espruino digitalWrite(pin, level) for the protection output; absent = no switch driven. */
  pinWrite?: (pin: string, level: boolean) => void;
}

/** Status-line `flags` bits set by the firmware (the model has no flags of its own). */
export const FLAG_RESTORED = 1; // state was restored at this boot
export const FLAG_DRIVER_ERROR = 2; // a driver failed in this sample (its channels are NaN)
export const FLAG_REST_MARKED = 4; // the operator marked a rest: samples carry openCircuit = 1
export const FLAG_ZEROING = 8; // current zeroing in progress (openCircuit forced)
export const FLAG_SAVE_FAILED = 16; // the last state save failed

/** Firmware counters stored after the model snapshot: [boot count]. */
const EXTRA_DOUBLES = 1;
/** A board clock at or above this (s since 1970, = 2001-09-09) was set from a wall clock (setTime). */
export const WALL_CLOCK_MIN_S = 1e9;
/** A repeated driver error is reported again after this long (s), not every sample. */
export const ERROR_REPEAT_S = 60;
/** Weight of the newest model step in its running mean (exponential average, ~20 steps). */
const MODEL_MEAN_WEIGHT = 0.05;

export interface App {
  build: BuildIdent;
  board: BoardDef;
  config: PackConfig;
  io: AppIo;
  tel: TelemetryOut;
  model: PackModel;
  sensors: SensorSet | null;
  /** The one sample, reused every step (typed arrays, filled in place). */
  sample: Sample;
  store: StateStore | null;
  bootCount: number;
  /** A valid sample has been seen since boot (publishing allowed). */
  started: boolean;
  restored: boolean;
  /** Operator rest flag (zbms("rest", 1)): samples carry openCircuit = 1. */
  restMarked: number;
  /** Samples left with openCircuit forced by zbms("zero"). */
  zeroLeft: number;
  /** Board time (s) an open rest ends (protection.ts); NaN = none running. */
  restEndS: number;
  /** Protection switch as last driven: 1 open, 0 closed, -1 not driven yet. */
  switchOpen: number;
  lastSaveS: number;
  saveRequested: boolean;
  lastSaveOk: boolean;
  lastErrorText: string;
  lastErrorS: number;
  /** Samples stepped into the model since boot. */
  samples: number;
  /** Samples skipped before the first valid one. */
  waited: number;
  /** Last driver-error count of a sample. */
  lastDriverErrors: number;
  /** Duration of PackModel.step (ms): last, running mean, maximum. */
  modelStepMs: number;
  modelStepMeanMs: number;
  modelStepMaxMs: number;
  /** Lets the model's event sink find the app (the model is built before the app object). */
  sinkHolder: { a: App | null };
  /**
   * Settings files (config, calibrations) changed but not yet written: file → text, or
   * PENDING_LIVE_CONFIG for the config, whose text is made from `config` when it is written
   * (flushSettings): no second copy of the config (≈ 290 JsVars of JSON) held for up to a minute.
   */
  pending: Record<string, string | null>;
  /** Some file is in `pending`. */
  setPend: boolean;
  /** Board time (s) of the last settings write. */
  setWrS: number;
}

/**
 * Settings writes are coalesced: at most one per SETTINGS_WRITE_MIN_S, the latest text of each
 * file wins. A script sending `set` forever then writes the ~2.8 kB config once a minute:
 * 1 440 × 2.8 kB/day through the 256 kB Storage area ≈ 16 erases per page per day, ≈ 17 years
 * of 100 000-cycle flash (stateStore.ts figures; test/reliability/settingsBounds.test.ts);
 * 3 000 rapid `set`s are 1–2 writes.
 */
export const SETTINGS_WRITE_MIN_S = 60;
/** `pending` value of a file whose text is the live config's JSON, made when written. */
export const PENDING_LIVE_CONFIG = null;
/** What a reply says of a write that failed. */
export const SAVE_FAILED = "save failed";

/** Characters gathered before a part of a JSON file is written (≈ 13 JsVars on the ESP32). */
const JSON_PART_CHARS = 128;
/** Levels of a JSON file written piece by piece; deeper values (an alarm row) are stringified whole. */
const JSON_SPLIT_DEPTH = 2;

/** A JSON file being written in parts (`writeJsonFile`). */
interface JsonOut {
  s: StorageLike;
  name: string;
  /** 0: count the characters only; 1: write. */
  pass: number;
  /** The file's size (known after pass 0). */
  size: number;
  /** Characters of the file before `buf`. */
  at: number;
  buf: string;
  ok: boolean;
}

/** Write (in pass 1) what `o.buf` holds at `o.at`; a file's first part makes it, `o.size` long. */
function jsonFlush(o: JsonOut): void {
  const n = o.buf.length;
  if (o.pass === 1 && o.ok && n > 0) o.ok = (o.at === 0 ? o.s.write(o.name, o.buf, 0, o.size) : o.s.write(o.name, o.buf, o.at)) !== false;
  o.at += n;
  o.buf = "";
}

/** Append JSON text (the property holds the only reference: `+=` extends in place on Espruino). */
function jsonPut(o: JsonOut, text: string): void {
  o.buf += text;
  if (o.buf.length >= JSON_PART_CHARS) jsonFlush(o);
}

/** Append `v` as JSON.stringify writes it (config data: numbers, strings, booleans, null, arrays, objects). */
function jsonAdd(o: JsonOut, v: unknown, depth: number): void {
  if (depth >= JSON_SPLIT_DEPTH || v === null || typeof v !== "object") jsonPut(o, v === undefined ? "null" : JSON.stringify(v));
  else if (Array.isArray(v)) {
    jsonPut(o, "[");
    for (let i = 0; i < v.length; i++) {
      if (i > 0) jsonPut(o, ",");
      jsonAdd(o, v[i], depth + 1);
    }
    jsonPut(o, "]");
  } else {
    let sep = "{";
    for (const key in v) {
      const x = (v as Record<string, unknown>)[key];
      if (!v.hasOwnProperty(key) || x === undefined) continue; // JSON.stringify drops undefined fields
      jsonPut(o, sep + JSON.stringify(key) + ":");
      jsonAdd(o, x, depth + 1);
      sep = ",";
    }
    jsonPut(o, sep === "{" ? "{}" : "}");
  }
}

/**
 * Write JSON.stringify(v) to Storage file `name` in parts of ≈ JSON_PART_CHARS: the same bytes,
 * without the whole text in RAM (the config's JSON is ≈ 2.9 kB, ≈ 290 JsVars on the ESP32). The
 * first pass counts the characters (a file's size comes with its first part), the second writes.
 * False when a write failed.
 */
export function writeJsonFile(s: StorageLike, name: string, v: object): boolean {
  const o: JsonOut = { s: s, name: name, pass: 0, size: 0, at: 0, buf: "", ok: true };
  for (; o.pass < 2; o.pass++) {
    o.at = 0;
    jsonAdd(o, v, 0);
    jsonFlush(o);
    o.size = o.at;
  }
  return o.ok;
}

/** Write pending settings (queued by commands.ts `persist`, which needs storage) now if `force` or none was written for SETTINGS_WRITE_MIN_S: "saved", "save failed" or "pending". */
export function flushSettings(app: App, force: boolean): string {
  const s = app.io.storage as NonNullable<AppIo["storage"]>;
  const files = Object.keys(app.pending);
  if (!force && app.io.nowS() - app.setWrS < SETTINGS_WRITE_MIN_S) return "pending";
  let r = "saved";
  for (let i = 0; i < files.length; i++) {
    try {
      const t = app.pending[files[i]];
      if (!(t === PENDING_LIVE_CONFIG ? writeJsonFile(s, files[i], app.config) : s.write(files[i], t) !== false)) r = SAVE_FAILED;
    } catch (e) {
      r = SAVE_FAILED;
    }
  }
  app.pending = {};
  app.setPend = false;
  app.setWrS = app.io.nowS();
  return r;
}

// Single-use helpers are written out where they are used: every function costs ≈ 6–9 JsVars for
// as long as the firmware runs on the ESP32 (docs/performance.md, "Peak memory, 2026-12-08").

/**
 * A new model for `config`, wired to print its events for `holder.a` (one line per event; a
 * cycle end asks for a save).
 */
export function newModel(holder: { a: App | null }, config: PackConfig): PackModel {
  return new PackModel(config, function (ev: ModelEvent) {
    const a = holder.a;
    if (a === null) return;
    const r = recordFromEvent(ev);
    if (r !== null) emit(a.tel, r);
    if (ev.kind === "cycle") a.saveRequested = true;
  });
}

/**
 * Build the app (nothing printed yet). `config` must be validated; the board too.
 * Throws only when the pack does not fit the board (more cells than channels).
 */
export function createApp(build: BuildIdent, board: BoardDef, config: PackConfig, io: AppIo): App {
  const holder: { a: App | null } = { a: null };
  const model = newModel(holder, config);
  const snapLen = stateLength(model.state());
  const app: App = {
    build: build,
    board: board,
    config: config,
    io: io,
    tel: { seq: 0, print: io.print, crc: io.strCrc, lines: 0 },
    model: model,
    sensors: io.hw ? createSensorSet(board, io.hw, config.cellCount, config.tempCount) : null,
    sample: { tMs: NaN, cellV: new Float64Array(config.cellCount).fill(NaN), currentA: NaN, tempC: new Float64Array(config.tempCount).fill(NaN), openCircuit: 0 },
    // the store's config CRC: a fingerprint of what a snapshot's meaning depends on (a change
    // invalidates stored state); its text is ASCII, so the CRC of its chars is that of its bytes
    store: io.storage
      ? createStateStore(
          io.storage,
          io.byteCrc,
          snapLen + EXTRA_DOUBLES,
          (io.strCrc || crc32)(config.chemistry + "/" + config.cellCount + "/" + config.tempCount + "/" + config.capacityAh + "/" + config.alarms.length + "/" + config.segmentation.firstHalf),
        )
      : null,
    bootCount: 1,
    started: false,
    restored: false,
    restMarked: 0,
    zeroLeft: 0,
    restEndS: NaN,
    switchOpen: -1,
    lastSaveS: io.nowS(),
    saveRequested: false,
    lastSaveOk: true,
    lastErrorText: "",
    lastErrorS: -Infinity,
    samples: 0,
    waited: 0,
    lastDriverErrors: 0,
    modelStepMs: NaN,
    modelStepMeanMs: NaN,
    modelStepMaxMs: 0,
    sinkHolder: holder,
    pending: {},
    setPend: false,
    setWrS: -Infinity,
  };
  holder.a = app;
  return app;
}

/**
 * Replace the model (config change or counter reset), set as `app.model` and returned; events of
 * the new one print for `app`. The old model is let go BEFORE the new one is built, so two models
 * are never held at once (a new model costs ≈ 900 JsVars on the ESP32 format: the `set` command ran
 * out of memory on a 7 500 pool while holding both, bench:firmware, docs/performance.md). If this
 * throws, `app.model` is left null: the caller builds a model again (commands.ts cmdSet).
 */
export function replaceModel(app: App, config: PackConfig, snapshot: ArrayLike<number> | null): PackModel {
  (app as { model: PackModel | null }).model = null;
  const m = newModel(app.sinkHolder, config);
  if (snapshot !== null) m.restore(snapshot);
  app.model = m;
  return m;
}

/**
 * Age (s) of a copy saved at board time `savedAtS`, seen at `nowS`; NaN when the clock cannot
 * tell: it went back (an ESP32 loses its clock with power), or it was set to wall-clock time
 * since the save (a copy stamped with uptime cannot be compared with an epoch time).
 */
export function copyAgeS(savedAtS: number, nowS: number): number {
  const age = nowS - savedAtS;
  if (!(age >= 0)) return NaN;
  if (savedAtS < WALL_CLOCK_MIN_S && nowS >= WALL_CLOCK_MIN_S) return NaN;
  return age;
}

/** Print the ident line: firmware version, bundle hash, board, pack (at boot and for `ident`). */
export function emitIdent(app: App): void {
  const b = app.build;
  emit(app.tel, { type: "ident", fwVersion: b.version, bundleHash: b.hash, board: b.board, pack: b.pack });
}

/**
 * Boot: print the ident line, restore the newest stored state (flagging the open cycle as
 * restored), print the boot line with the copy's age. `reason` says why the board started.
 */
export function bootApp(app: App, reason: string): void {
  emitIdent(app);
  const nowS = app.io.nowS();
  let ageS = NaN;
  let why = reason;
  if (app.store !== null) {
    const r = loadState(app.store);
    const st = r.state;
    if (st !== null) {
      const n = st.payload.length - EXTRA_DOUBLES;
      try {
        app.model.restore(st.payload.subarray(0, n));
        app.model.markRestored();
        app.restored = true;
        app.bootCount = st.payload[n] + 1;
        ageS = copyAgeS(st.savedAtS, nowS);
        why += "; restored seq " + st.seq + " from slot " + st.slot;
        if (isNaN(ageS)) why += "; age unknown: the board clock restarted since the save (copy saved at clock " + Math.floor(st.savedAtS) + " s)";
      } catch (e) {
        replaceModel(app, app.config, null);
        why += "; stored state unusable: " + errorText(e);
      }
    } else why += "; nothing restored: " + r.reason;
  } else why += "; no storage";
  why += resumeOpenRest(app);
  emit(app.tel, { type: "boot", tMs: nowS * MS_PER_S, restored: app.restored, storedAgeS: ageS, reason: why });
  app.lastSaveS = nowS;
  updateProtection(app);
}

/** Write the state now (snapshot + counters) to the next slot. */
export function saveApp(app: App): boolean {
  if (app.store === null) return false;
  // the state streams into Storage through one chunk (stateStore.ts): no record or snapshot array held
  const nowS = app.io.nowS();
  const w = beginRecord(app.store, nowS);
  w.n = writeState(app.model.state(), w.f64, w.n, function (n: number): number {
    return writeChunk(w, n, false);
  });
  putDouble(w, app.bootCount);
  app.lastSaveOk = endRecord(w);
  app.lastSaveS = nowS;
  app.saveRequested = false;
  saveOpenRest(app);
  if (!app.lastSaveOk) reportError(app, "store", "state save failed (" + app.store.failedSaves + " failures since boot)");
  return app.lastSaveOk;
}

/** An error line, repeated at most every ERROR_REPEAT_S for the same text. */
export function reportError(app: App, id: string, text: string): void {
  const nowS = app.io.nowS();
  if (text === app.lastErrorText && nowS - app.lastErrorS < ERROR_REPEAT_S) return;
  app.lastErrorText = text;
  app.lastErrorS = nowS;
  emitError(app.tel, id, text);
}

/** Step the model on `s` (already filled), print its lines, save when due. */
export function stepModel(app: App, s: Sample): void {
  const t0 = app.io.nowS();
  app.model.step(s);
  const ms = (app.io.nowS() - t0) * MS_PER_S;
  app.modelStepMs = ms;
  app.modelStepMeanMs = isNaN(app.modelStepMeanMs) ? ms : app.modelStepMeanMs + MODEL_MEAN_WEIGHT * (ms - app.modelStepMeanMs);
  if (ms > app.modelStepMaxMs) app.modelStepMaxMs = ms;
  app.samples++;
  {
    // The status line from the model's live numbers: the model's status object (a new one per
    // call) already has every field of the line but `type` and `flags`, set on it here (no second
    // object, no Object.assign per sample); the encoder reads only the line's own fields
    // (shared/telemetry/lineFormat.ts), so the other numbers it carries are ignored. In a block of
    // its own: the object goes before a save (Espruino drops a block's scope at its end).
    const st = app.model.status() as unknown as { type: "status"; flags: number };
    st.type = "status";
    st.flags =
      (app.restored ? FLAG_RESTORED : 0) |
      (app.lastDriverErrors > 0 ? FLAG_DRIVER_ERROR : 0) |
      (app.restMarked ? FLAG_REST_MARKED : 0) |
      (app.zeroLeft > 0 ? FLAG_ZEROING : 0) |
      (app.lastSaveOk ? 0 : FLAG_SAVE_FAILED);
    emit(app.tel, st as unknown as TelemetryRecord);
  }
  if (app.store !== null && (app.saveRequested || app.io.nowS() - app.lastSaveS >= app.config.saveIntervalS)) saveApp(app);
  if (app.setPend) flushSettings(app, false);
}

/** Start a live sample (the sampler's body): begin the sensor read; wait (ms) or −1 → `sampleContinue`. */
export function sampleBegin(app: App): number {
  const sensors = app.sensors;
  if (sensors === null) return -1;
  const w = beginRead(sensors);
  if (w < 0) sampleFinish(app);
  return w;
}

/** Next part of a live sample: collect conversions; when all are in, finish the sample. */
export function sampleContinue(app: App): number {
  const sensors = app.sensors;
  if (sensors === null) return -1;
  const w = continueRead(sensors);
  if (w < 0) sampleFinish(app);
  return w;
}

/** All channels read: convert, gate on validity, step the model. */
function sampleFinish(app: App): void {
  const s = app.sample;
  const sensors = app.sensors as SensorSet;
  const errs = finishRead(sensors, s);
  app.lastDriverErrors = errs;
  if (errs > 0) reportError(app, "sensor", sensors.status.lastError + " (" + errs + " failed reads in this sample)");
  s.openCircuit = app.restMarked || app.zeroLeft > 0 ? 1 : 0;
  if (app.zeroLeft > 0) app.zeroLeft--;
  if (!app.started) {
    // the model starts at the first sample with a finite current, time and every cell voltage
    let valid = isFinite(s.currentA) && isFinite(s.tMs);
    for (let i = 0; valid && i < s.cellV.length; i++) valid = isFinite(s.cellV[i]);
    if (!valid) {
      app.waited++;
      updateProtection(app);
      return;
    }
    app.started = true;
  }
  stepModel(app, s);
  updateProtection(app);
}
