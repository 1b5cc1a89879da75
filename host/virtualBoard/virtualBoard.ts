/**
 * The virtual board: runs the exact firmware bundle text in a `node:vm` context whose globals
 * are what Espruino 2v29 on an ESP32 gives this firmware, and nothing Espruino lacks
 * (`espruinoIntrinsics.ts`). Provided: `analogRead`, `digitalWrite/Read`, `pinMode`, `ESP32`
 * (`setAtten`, `reboot`), `I2C1`/`I2C2` on an emulated bus with ADS1115 and INA226 register
 * emulators (`chips/`) answering from a simulated pack (`frontEnd.ts`), `require("Storage")`
 * backed by a host file (`flashStorage.ts`), `E` (`CRC32`, watchdog, `getSizeOf`, `on('init')`,
 * `setBootCode`, `reboot`), `getTime`, timers on a virtual clock (`virtualClock.ts`), `reset`,
 * `save`, `load`, `process.memory()/env`, `print`/`console.log`.
 *
 * Power and persistence (Espruino semantics, see file comments below):
 *   - `powerLoss()` drops everything not in Storage; `powerOn()` boots: `.varimg` (what
 *     `save()` stored) then `.bootcde`, then `onInit()` and `E.on('init')` handlers.
 *   - `reset()` (the JS call) clears RAM and runs `.bootrst` only — like Espruino, a `save()`d
 *     program or `.bootcde` comes back on power-on, hard reset and `load()`, not on a soft
 *     `reset()` (Espruino reference: reset "does not load a saved program from flash").
 *   - `save()` cannot snapshot a V8 heap, so it stores the program text evaluated since the
 *     last reset (REPL input, minus save/reset/load calls) and replays it on boot.
 */
import vm from "node:vm";
import type { BoardDef } from "../../shared/config/boardDef.js";
import { ESP32_ATTEN_DEFAULT_DB, esp32FractionFromCode } from "../../shared/sensors/esp32Adc.js";
import { AnalogFrontEnd, type PackSource, type PackState } from "./frontEnd.js";
import { FlashStorage, PowerLossDuringWrite, STORAGE_TOTAL_B } from "./flashStorage.js";
import { VirtualClock, type VirtualTimer } from "./virtualClock.js";
import { I2cBus } from "./chips/i2cBus.js";
import { Ads1115Emu, type Ads1115ToCode } from "./chips/ads1115Emu.js";
import { Ina226Emu, type Ina226Converters } from "./chips/ina226Emu.js";
import { stripScript } from "./espruinoIntrinsics.js";
import { crc32 } from "./crc32.js";
import { ESP32_JSVAR_POOL, CHARS_PER_JSVAR } from "../bundle/bundleBudget.js";
import { formatValue } from "./formatValue.js";

/** Espruino version the board claims (process.env.VERSION). */
export const ESPRUINO_VERSION = "2v29";
/** Storage file that `save()` writes (Espruino's saved RAM image). */
export const VARIMG_FILE = ".varimg";
/** Storage file of boot code (Espruino: run at every boot and after reset()). */
export const BOOTCODE_FILE = ".bootcde";
/** Storage file of boot code that also runs after a soft `reset()` (espruino-tools "even after reset()"). */
export const BOOTRST_FILE = ".bootrst";
/** JsVars in use right after boot with no program (Espruino ESP32, typical `process.memory().usage`). */
const BOOT_JSVARS = 600;
/** Bits on the wire per I2C byte: 8 data + ACK (NXP UM10204 §3.1.6). */
const I2C_BITS_PER_BYTE = 9;
/** Start + stop conditions, counted as bit times (NXP UM10204 §3.1.4). */
const I2C_FRAME_OVERHEAD_BITS = 2;
/** Espruino's default I2C bit rate (Hz) when setup() gives none (Espruino reference, I2C.setup). */
const I2C_DEFAULT_BITRATE_HZ = 100_000;
/** Time one analogRead takes on the ESP32 under Espruino (ms), approximate (ADC1 one-shot read, ESP-IDF adc1_get_raw). */
const ANALOG_READ_MS = 0.05;
/** Share of each real-time pacer tick the board may run; the rest is the event loop's (console I/O, signals). */
const PACER_BUSY_SHARE = 0.75;
/** Virtual time run between checks of the tick's budget, as real ms at the asked speed (×3600: 3.6 s virtual). */
const PACER_SLICE_REAL_MS = 1;
/** Smallest such slice (virtual ms), so slow speeds do not run timer by timer. */
const MIN_PACER_SLICE_MS = 1;
/** Longest real time one batch of timer callbacks runs in one vm call (ms); far below the call timeout. */
const TIMER_BATCH_MS = 50;
/** Real time over which `pacedSpeed()` is measured (ms). */
const PACED_SPEED_WINDOW_MS = 1000;
/** Attenuation codes of ESP32.setAtten (0…3) → dB (Espruino ESP32 docs). */
const ATTEN_CODE_DB = [0, 2.5, 6, 11];
/** Espruino's start-up banner (printed after reset() and at boot). */
export const ESPRUINO_BANNER =
  " ____                 _ \r\n|  __|___ ___ ___ _ _|_|___ ___ \r\n|  __|_ -| . |  _| | | |   | . |\r\n" +
  "|____|___|  _|_| |___|_|_|_|___|\r\n         |_| espruino.com\r\n 2v29 (c) 2025 G.Williams\r\n\r\n";

/** Options of a virtual board. */
export interface VirtualBoardOptions {
  /** Board definition wiring the emulated chips and ADC pins; none = no sensors answer. */
  board?: BoardDef;
  /** The pack the board measures; default a constant state (1.5 V cells, 0 A, 25 °C). */
  pack?: PackSource;
  /** Host file holding Storage; default in memory only. */
  storagePath?: string;
  /** Console output (Espruino line ends "\r\n"). */
  onOutput?: (text: string) => void;
  /** Real-time guard for one JS call (ms): a stuck loop is interrupted like the watchdog would. Default 10 000. */
  callTimeoutMs?: number;
  /** Virtual ms charged per real ms of JS execution (the ESP32 is slower than Node); 0 = instant (default). */
  cpuSlowdown?: number;
  /** Chip models (e.g. host/sim's noisy ones); default ideal data-sheet transfer functions. */
  ads1115ToCode?: Ads1115ToCode;
  /** Per-address data-rate factor of the ADS1115s (actual ÷ nominal rate); default 1. */
  ads1115DataRateFactor?: (address: number) => number;
  ina226?: Ina226Converters;
  esp32Code?: (pin: string, attenDb: number, pinV: number) => number;
  /** Do not boot in the constructor (call `powerOn()`). */
  startOff?: boolean;
}

/** Result of evaluating console input. */
export interface EvalResult {
  ok: boolean;
  value?: unknown;
  /** Espruino-style text of the value (`=…` without the "="). */
  text: string;
}

/** Why the board last booted. */
export type BootReason = "powerOn" | "reset" | "load" | "watchdog" | "reboot" | "powerLoss";

/** The sandbox's own constructors (values made for board code must come from its realm). */
interface SandboxIntrinsics {
  Error: ErrorConstructor;
  Uint8Array: Uint8ArrayConstructor;
  ArrayBuffer: ArrayBufferConstructor;
  Array: ArrayConstructor;
  JSON: JSON;
  Object: ObjectConstructor;
}

/** What createContext's install steps share: the context, its globals, and the helpers. */
interface Sandbox {
  ctx: vm.Context;
  g: Record<string, unknown>;
  intr: SandboxIntrinsics;
  /** Throw an Error of the sandbox's realm. */
  fail: (msg: string) => never;
  /** True while this context is the powered board's. */
  alive: () => boolean;
  /** Write to the board's output (while alive). */
  out: (text: string) => void;
}

/** Modes `pinMode` accepts (espruino.com/Reference#l__global_pinMode). */
const PIN_MODES = ["analog", "input", "input_pullup", "input_pulldown", "output", "opendrain", "opendrain_pullup", "af_output", "af_opendrain", "auto"];

const DEFAULT_STATE: PackState = { cellV: [1.5, 1.5, 1.5, 1.5], currentA: 0, tempC: [25, 25] };

export class VirtualBoard {
  readonly storage: FlashStorage;
  readonly clock = new VirtualClock();
  readonly bus = new I2cBus();
  readonly frontEnd?: AnalogFrontEnd;
  /** Number of boots so far, and why the last one happened. */
  bootCount = 0;
  bootReason: BootReason = "powerOn";
  /** Output since the last boot (tests read it; capped). */
  output = "";
  /** Digital pin levels written by the firmware (cleared at every boot: an ESP32 resets its GPIOs to inputs). */
  readonly pinLevels = new Map<string, number>();
  /** Pin modes set by `pinMode` or by `digitalWrite` (which makes a pin an output, as Espruino does unless the mode was forced); cleared at boot. */
  readonly pinModes = new Map<string, string>();
  private readonly outputListeners: Array<(t: string) => void> = [];
  private readonly bootListeners: Array<(reason: BootReason) => void> = [];
  private ctx: vm.Context | undefined;
  private powered = false;
  private pendingReboot: BootReason | undefined;
  private atten = new Map<string, number>();
  private ramSource: string[] = [];
  /** Characters of program text run since boot (boot files and console input): function bodies live in RAM. */
  private codeChars = 0;
  /** The watchdog E.enableWatchdog armed (undefined: none). */
  private wdt: { timeoutMs: number; auto: boolean; lastKickMs: number } | undefined;
  private pendingCall: (() => unknown) | undefined;
  private readonly callScript = new vm.Script("__virtualBoardCall__()");
  private readonly opts: VirtualBoardOptions;
  private readonly ads: Ads1115Emu[] = [];
  private ina: Ina226Emu | undefined;
  private realPacer: NodeJS.Timeout | undefined;
  private inCall = false;

  constructor(opts: VirtualBoardOptions = {}) {
    this.opts = opts;
    this.storage = new FlashStorage(opts.storagePath);
    this.storage.onPowerLoss = () => this.cutPower("powerLoss");
    if (opts.onOutput) this.outputListeners.push(opts.onOutput);
    const source: PackSource = opts.pack ?? (() => DEFAULT_STATE);
    if (opts.board) {
      const fe = new AnalogFrontEnd(opts.board, source);
      this.frontEnd = fe;
      const now = () => this.clock.now();
      for (const chip of opts.board.ads1115 ?? []) {
        const rate = opts.ads1115DataRateFactor ? opts.ads1115DataRateFactor(chip.address) : 1;
        const emu = new Ads1115Emu(chip.address, now, (ain, t) => fe.adsInputV(chip.address, ain, t), opts.ads1115ToCode, rate);
        this.ads.push(emu);
        this.bus.attach(chip.address, emu);
      }
      if (opts.board.ina226) {
        this.ina = new Ina226Emu(opts.board.ina226.address, now, (t) => fe.inaShuntV(t), (t) => fe.inaBusV(t), opts.ina226);
        this.bus.attach(opts.board.ina226.address, this.ina);
      }
    }
    if (!opts.startOff) this.powerOn();
  }

  // ---------------------------------------------------------------- output and events

  onOutput(fn: (text: string) => void): () => void {
    this.outputListeners.push(fn);
    return () => {
      const i = this.outputListeners.indexOf(fn);
      if (i >= 0) this.outputListeners.splice(i, 1);
    };
  }

  onBoot(fn: (reason: BootReason) => void): void {
    this.bootListeners.push(fn);
  }

  /** Console output (used by print/console.log and by the REPL). */
  write(text: string): void {
    if (!this.powered) return;
    this.output += text;
    if (this.output.length > 4_000_000) this.output = this.output.slice(-2_000_000);
    for (const l of this.outputListeners) l(text);
  }

  isPowered(): boolean {
    return this.powered;
  }

  // ---------------------------------------------------------------- power

  /** Power the board on (boot from Storage). No-op when already on. */
  powerOn(reason: BootReason = "powerOn"): void {
    if (this.powered) return;
    this.powered = true;
    this.boot(reason, true);
  }

  /** Power loss: RAM, timers and chip registers are gone; Storage stays. Board stays off until `powerOn()`. */
  powerLoss(): void {
    this.cutPower(undefined);
  }

  /** Power loss followed by power-on (what a brown-out or unplug/replug does). */
  powerCycle(): void {
    this.cutPower(undefined);
    this.powerOn("powerOn");
  }

  /** Hard reset (reset button / `E.reboot()`): like a power cycle, Storage kept. */
  hardReset(): void {
    this.requestReboot("reboot");
    this.flushReboot();
  }

  private cutPower(rebootAs: BootReason | undefined): void {
    this.powered = false;
    this.clock.clearAll();
    this.ctx = undefined;
    this.wdt = undefined;
    this.ramSource = [];
    for (const a of this.ads) a.powerOnReset();
    if (this.ina) this.ina.powerOnReset();
    if (rebootAs) this.pendingReboot = rebootAs;
    if (!this.inCall) this.flushReboot();
  }

  /**
   * Reboot once the running JS returns. `immediate` (hardware resets: watchdog, E.reboot,
   * ESP32.reboot): nothing more of the running code has effect. Otherwise (`reset()`, `load()`,
   * which Espruino performs when the interpreter is next idle) the rest of the line still runs.
   */
  private requestReboot(reason: BootReason, immediate = true): void {
    if (immediate) {
      this.powered = false;
      this.clock.clearAll();
      this.ctx = undefined;
      this.wdt = undefined;
    }
    this.pendingReboot = reason;
  }

  /** Perform a reboot requested from inside JS (or by power loss) once that JS has returned. */
  private flushReboot(): void {
    const r = this.pendingReboot;
    if (r === undefined) return;
    this.pendingReboot = undefined;
    this.ramSource = [];
    if (r !== "reset" && r !== "load") {
      for (const a of this.ads) a.powerOnReset();
      if (this.ina) this.ina.powerOnReset();
    }
    this.powered = true;
    this.bootVariant(r);
  }

  /**
   * Fresh RAM, then boot code. `loadSaved` (power-on, hard reset, load()): `.varimg`, `.bootcde`,
   * `.bootrst`; otherwise (soft reset()): `.bootrst` only — espruino-tools' "Save on Send"
   * modes 1 (".bootcde": at boot) and 2 (".bootrst": at boot, even after reset()).
   */
  private boot(reason: BootReason, loadSaved: boolean): void {
    this.bootCount++;
    this.bootAtMs = this.clock.now();
    this.bootReason = reason;
    this.output = "";
    this.clock.clearAll();
    this.wdt = undefined;
    this.atten.clear();
    this.pinLevels.clear();
    this.pinModes.clear();
    this.ramSource = [];
    this.codeChars = 0;
    this.ctx = this.createContext();
    this.write(ESPRUINO_BANNER);
    for (const l of this.bootListeners) l(reason);
    // Boot code that reboots the board (E.reboot, reset(), a power-loss write) starts a new boot;
    // this one then stops.
    const thisBoot = this.bootCount;
    const current = (): boolean => this.powered && this.bootCount === thisBoot;
    const varimg = loadSaved ? this.storage.read(VARIMG_FILE) : undefined;
    if (varimg) {
      const src = Buffer.from(varimg).toString("latin1");
      this.ramSource = [src];
      this.runTopLevel(src, VARIMG_FILE);
    }
    for (const file of loadSaved ? [BOOTCODE_FILE, BOOTRST_FILE] : [BOOTRST_FILE]) {
      const code = this.storage.read(file);
      if (code && current()) this.runTopLevel(Buffer.from(code).toString("latin1"), file);
    }
    if (current()) this.runInit();
  }

  private runInit(): void {
    if (!this.ctx) return;
    const g = this.ctx as Record<string, unknown>;
    if (typeof g.onInit === "function") this.callJs(g.onInit as () => unknown, []);
    this.emitE("init");
  }

  // ---------------------------------------------------------------- running JS

  /** Run top-level code (boot files, uploads); errors are printed like Espruino's "Uncaught …". */
  private runTopLevel(code: string, filename: string): void {
    this.codeChars += code.length;
    this.guard(() => vm.runInContext(code, this.ctx!, { filename, timeout: this.opts.callTimeoutMs ?? 10_000 }));
  }

  /**
   * Evaluate console input in global scope, as Espruino's REPL does, and record it as part of
   * the RAM program (for `save()`), unless it is a save/reset/load/echo/print call.
   */
  evaluate(code: string): EvalResult {
    if (!this.powered || !this.ctx) return { ok: false, text: "" };
    if (!/^\s*(save|reset|load|echo|print|E\.reboot)\s*\(.*\)\s*;?\s*$/.test(code)) this.ramSource.push(code);
    this.codeChars += code.length;
    let value: unknown;
    const ok = this.guard(() => {
      value = vm.runInContext(code, this.ctx!, { filename: "REPL", timeout: this.opts.callTimeoutMs ?? 10_000 });
    });
    this.flushReboot();
    return ok ? { ok: true, value, text: formatValue(value) } : { ok: false, text: "" };
  }

  /** Run `fn` with error reporting and power-loss handling; false if it threw. */
  private guard(fn: () => void): boolean {
    const wasIn = this.inCall;
    this.inCall = true;
    const t0 = performance.now();
    try {
      fn();
      return true;
    } catch (e) {
      if (e instanceof PowerLossDuringWrite) return false;
      if (this.powered) this.write(uncaughtText(e));
      if (isTimeout(e) && this.powered) {
        // A stuck loop: the ESP32's watchdog resets the chip.
        this.requestReboot("watchdog");
      }
      return false;
    } finally {
      this.inCall = wasIn;
      const slow = this.opts.cpuSlowdown ?? 0;
      if (slow > 0 && this.powered) this.clock.spend((performance.now() - t0) * slow);
      if (!wasIn) this.flushReboot();
    }
  }

  /** Call a sandbox function with the per-call timeout and microtasks drained afterwards. */
  private callJs(fn: (...a: unknown[]) => unknown, args: unknown[]): void {
    if (!this.ctx) return;
    const ctx = this.ctx;
    this.pendingCall = () => fn.apply(undefined, args);
    this.guard(() => {
      this.callScript.runInContext(ctx, { timeout: this.opts.callTimeoutMs ?? 10_000 });
    });
  }

  private emitE(event: string, ...args: unknown[]): void {
    const E = this.ctx ? ((this.ctx as Record<string, unknown>).E as { __handlers?: Record<string, Array<(...a: unknown[]) => unknown>> }) : undefined;
    const hs = E && E.__handlers ? E.__handlers[event] : undefined;
    if (hs) for (const h of hs.slice()) this.callJs(h, args);
  }

  // ---------------------------------------------------------------- time

  /** Milliseconds since this boot (virtual): the board's `getTime()` × 1000. */
  nowMs(): number {
    return this.clock.now() - this.bootAtMs;
  }

  /** World time (ms since the VirtualBoard was created): what the pack and the chips run on; it goes on across reboots and while the board is off. */
  worldMs(): number {
    return this.clock.now();
  }

  /** World time of the last boot (ms). */
  private bootAtMs = 0;

  /** Run the board for `ms` of virtual time (as fast as the host can). */
  advance(ms: number): void {
    this.runFor(ms, () => false);
  }

  /**
   * Run up to `ms` of virtual time; stop early, between two timers, once `pause()` is true
   * (the clock then stays at the last timer run). Returns the virtual time run (ms).
   */
  private runFor(ms: number, pause: () => boolean): number {
    const start = this.clock.now();
    const until = start + ms;
    for (;;) {
      if (!this.powered) {
        this.clock.runUntil(until, () => undefined, () => false); // world time goes on while the board is off
        return ms;
      }
      const before = this.bootCount;
      const stop = (): boolean => !this.powered || this.bootCount !== before || this.pendingReboot !== undefined || pause();
      if (this.promisesUsed || !this.ctx) this.clock.runUntil(until, (t) => this.runTimer(t), stop);
      else this.runTimerBatch(until, stop);
      this.flushReboot();
      this.checkWatchdog();
      if (this.pendingReboot === undefined && (this.clock.now() >= until || pause())) return this.clock.now() - start;
    }
  }

  /** Advance until `pred()` is true or `maxMs` of virtual time passed; returns whether it became true. */
  advanceUntil(pred: () => boolean, maxMs: number, stepMs = 10): boolean {
    const end = this.clock.now() + maxMs;
    while (this.clock.now() < end) {
      if (pred()) return true;
      this.advance(Math.min(stepMs, end - this.clock.now()));
    }
    return pred();
  }

  /**
   * Pace virtual time to real time × `speed` (1 = real time) until `stopRealTime()`. `speed` is
   * a ceiling: each tick runs the virtual time owed since the last one, in slices, until it has
   * used its share of the tick (PACER_BUSY_SHARE) or the console is busy (`consoleBusy`); the
   * rest is dropped, not carried over. A host slower than `speed`, or a slow reader of the
   * console, makes the board run slower (`pacedSpeed()`), and the event loop (console input,
   * the pty's output, signals) never waits longer than one share of a tick. Carrying the debt
   * over made each tick longer than the last until nothing else ran (issue 17: `zbms sim` at
   * ×3600 stopped answering and ignored Ctrl-C).
   */
  runRealTime(speed = 1, tickMs = 20): void {
    this.stopRealTime();
    let last = performance.now();
    const sliceMs = Math.max(speed * PACER_SLICE_REAL_MS, MIN_PACER_SLICE_MS);
    this.pacing = { speed, windowStart: last, windowVirtualMs: 0, pacedSpeed: speed };
    const pacing = this.pacing;
    this.realPacer = setInterval(() => {
      const start = performance.now();
      const owed = (start - last) * speed;
      last = start;
      const busyUntil = start + tickMs * PACER_BUSY_SHARE;
      const busy = (): boolean => this.consoleBusy !== undefined && this.consoleBusy();
      let done = 0;
      while (done < owed && this.powered && this.realPacer !== undefined && !busy()) {
        done += this.runFor(Math.min(sliceMs, owed - done), busy);
        if (performance.now() >= busyUntil) break;
      }
      pacing.windowVirtualMs += done;
      const windowMs = start - pacing.windowStart;
      if (windowMs >= PACED_SPEED_WINDOW_MS) {
        pacing.pacedSpeed = pacing.windowVirtualMs / windowMs;
        pacing.windowStart = start;
        pacing.windowVirtualMs = 0;
      }
    }, tickMs);
  }

  /**
   * Virtual ms run per real ms over the last PACED_SPEED_WINDOW_MS of `runRealTime`: the asked
   * speed when the host keeps up, less when it does not, 0 when not pacing.
   */
  pacedSpeed(): number {
    return this.realPacer !== undefined && this.pacing ? this.pacing.pacedSpeed : 0;
  }

  /**
   * Set by the console's transport (host/virtualBoard/ptyBoard.ts): true while its transmit buffer is
   * full and a host is reading it. Espruino then waits in jshTransmit, so the pacer runs no
   * virtual time: the board slows to its reader instead of losing output.
   */
  consoleBusy: (() => boolean) | undefined;

  private pacing: { speed: number; windowStart: number; windowVirtualMs: number; pacedSpeed: number } | undefined;

  stopRealTime(): void {
    if (this.realPacer) clearInterval(this.realPacer);
    this.realPacer = undefined;
  }

  private runTimer(t: VirtualTimer): void {
    this.callJs(t.fn, t.args);
    this.checkWatchdog();
  }

  /**
   * Run the timers due up to `until` (until `stop()`) inside ONE guarded vm call instead of one
   * per timer: each vm call with a timeout starts a watchdog thread, which cost ~3× the
   * firmware's own work (600 virtual s of the firmware: 150–250 ms per call, 50–75 ms batched).
   * Each callback still reports its own uncaught error and the watchdog is checked after each;
   * a stuck loop is interrupted by the batch's timeout (a watchdog reset, as before). A batch
   * ends after TIMER_BATCH_MS of real time, so the timeout only ever sees a short batch.
   * Microtasks run when a vm call ends, so a program that touches `Promise` is run one timer
   * per call (`promisesUsed`): promise callbacks then still run between two timers, as in
   * Espruino's idle loop. The firmware uses no promises.
   */
  private runTimerBatch(until: number, stop: () => boolean): void {
    const ctx = this.ctx!;
    const batchEnd = performance.now() + TIMER_BATCH_MS;
    const runOne = (t: VirtualTimer): void => {
      this.guard(() => t.fn.apply(undefined, t.args));
      this.checkWatchdog();
    };
    this.pendingCall = () => this.clock.runUntil(until, runOne, () => stop() || this.promisesUsed || performance.now() > batchEnd);
    const wasIn = this.inCall;
    this.inCall = true;
    try {
      this.callScript.runInContext(ctx, { timeout: this.opts.callTimeoutMs ?? 10_000 });
    } catch (e) {
      // only a timeout gets here (each callback's own errors are caught by its guard)
      if (this.powered) this.write(uncaughtText(e));
      if (isTimeout(e) && this.powered) this.requestReboot("watchdog");
    } finally {
      this.pendingCall = undefined;
      this.inCall = wasIn;
      if (!wasIn) this.flushReboot();
    }
  }

  /** Set once the running program touched `Promise` (this boot): its timers then run one per vm call. */
  private promisesUsed = false;

  private checkWatchdog(): void {
    const w = this.wdt;
    if (!w || !this.powered) return;
    if (w.auto) w.lastKickMs = this.clock.now(); // kicked by the idle loop between callbacks
    else if (this.clock.now() - w.lastKickMs > w.timeoutMs) {
      this.requestReboot("watchdog");
      this.flushReboot();
    }
  }

  // ---------------------------------------------------------------- faults

  /** Sensor-fault injection. */
  readonly faults = {
    /** Temperature channel `k`'s NTC wire breaks (true) or is repaired (false). */
    openNtc: (k: number, open = true): void => {
      if (!this.frontEnd) throw new Error("faults.openNtc: the board has no board definition");
      if (open) this.frontEnd.faults.openNtc.add(k);
      else this.frontEnd.faults.openNtc.delete(k);
    },
    /** ESP32 `pin` reads a rail ("high" = 4095, "low" = 0), or normal again (undefined). */
    adcRail: (pin: string, level: "high" | "low" | undefined): void => {
      if (!this.frontEnd) throw new Error("faults.adcRail: the board has no board definition");
      if (level) this.frontEnd.faults.adcRail.set(pin, level);
      else this.frontEnd.faults.adcRail.delete(pin);
    },
    /** I2C device at `address` stops answering (true) or answers again (false). */
    i2cDead: (address: number, dead = true): void => {
      if (dead) this.bus.dead.add(address);
      else this.bus.dead.delete(address);
    },
    clear: (): void => {
      this.bus.dead.clear();
      if (this.frontEnd) {
        this.frontEnd.faults.openNtc.clear();
        this.frontEnd.faults.adcRail.clear();
      }
    },
  };

  // ---------------------------------------------------------------- the sandbox

  private createContext(): vm.Context {
    const board = this;
    const ctx = vm.createContext({}, { name: "espruino", codeGeneration: { strings: true, wasm: false }, microtaskMode: "afterEvaluate" });
    vm.runInContext(stripScript(), ctx);
    // the first look at `Promise` switches timers to one per vm call (runTimerBatch)
    this.promisesUsed = false;
    const promiseCtor: unknown = vm.runInContext("Promise", ctx);
    Object.defineProperty(ctx, "Promise", {
      configurable: true,
      enumerable: false,
      get: () => {
        board.promisesUsed = true;
        return promiseCtor;
      },
      set: (v: unknown) => {
        board.promisesUsed = true;
        Object.defineProperty(ctx, "Promise", { value: v, writable: true, configurable: true, enumerable: false });
      },
    });
    const intr = vm.runInContext("({Error: Error, Uint8Array: Uint8Array, ArrayBuffer: ArrayBuffer, Array: Array, JSON: JSON, Object: Object})", ctx) as SandboxIntrinsics;
    const fail = (msg: string): never => {
      throw new intr.Error(msg);
    };
    const g = ctx as Record<string, unknown>;
    const alive = (): boolean => board.powered && board.ctx === ctx;
    const out = (text: string): void => {
      if (alive()) board.write(text);
    };
    Object.defineProperty(g, "__virtualBoardCall__", {
      enumerable: false,
      value: () => {
        const c = board.pendingCall;
        board.pendingCall = undefined;
        return c ? c() : undefined;
      },
    });
    const sb: Sandbox = { ctx, g, intr, fail, alive, out };
    this.installConsole(sb);
    this.installTimers(sb);
    this.installInterpreterControl(sb);
    this.installE(sb);
    this.installProcess(sb);
    const esp32 = this.installPins(sb);
    this.installI2c(sb);
    const Storage = this.installStorage(sb);
    g.require = (name: unknown) => {
      if (name === "Storage") return Storage;
      if (name === "ESP32") return esp32;
      return fail(`Module ${String(name)} not found`);
    };
    return ctx;
  }

  /** print and console.* write to the board's output. */
  private installConsole(sb: Sandbox): void {
    const { g, out } = sb;
    const printArgs = (args: unknown[]): string => args.map((a) => (typeof a === "string" ? a : formatValue(a))).join(" ");
    g.print = (...args: unknown[]) => out(printArgs(args) + "\r\n");
    const log = (...args: unknown[]) => out(printArgs(args) + "\r\n");
    g.console = { log, error: log, warn: log, info: log, debug: log };
  }

  /** getTime, setInterval/setTimeout, clearInterval/clearTimeout and Date.now on the board's clock. */
  private installTimers(sb: Sandbox): void {
    const board = this;
    const { ctx, g, fail, alive } = sb;
    g.getTime = () => (board.clock.now() - board.bootAtMs) / 1000; // restarts at 0 on every boot, as on the ESP32
    const addTimer = (periodic: boolean) => (fn: unknown, ms?: number, ...args: unknown[]) => {
      if (typeof fn === "string") {
        const src = fn;
        fn = () => vm.runInContext(src, ctx);
      }
      if (typeof fn !== "function") fail(`${periodic ? "setInterval" : "setTimeout"}: expected a function, got ${typeof fn}`);
      return alive() ? board.clock.add(fn as () => unknown, Number(ms ?? 0), periodic, args) : 0;
    };
    g.setInterval = addTimer(true);
    g.setTimeout = addTimer(false);
    // Espruino reference (clearInterval/clearTimeout): no argument clears every timer; an
    // argument that is undefined throws, so a lost id cannot silently stop everything.
    const clearTimer = (name: string) =>
      function (...args: unknown[]): void {
        if (args.length === 0) board.clock.clearAll();
        else if (args[0] === undefined) fail(`${name}(undefined): pass a timer id, or no argument to clear all timers`);
        else board.clock.clear(args[0]);
      };
    g.clearInterval = clearTimer("clearInterval");
    g.clearTimeout = clearTimer("clearTimeout");
    const bootEpochMs = Date.now() - board.clock.now();
    vm.runInContext("Date.now = function () { return __now__(); };", Object.assign(ctx, { __now__: () => bootEpochMs + board.clock.now() }));
    delete g.__now__;
  }

  /** reset, save, load and echo. */
  private installInterpreterControl(sb: Sandbox): void {
    const board = this;
    const { g, fail, out } = sb;
    g.reset = () => {
      board.requestReboot("reset", false);
      // soft reset: RAM only, .bootcde runs, .varimg does not
      board.pendingSoftReset = true;
    };
    g.save = () => {
      const src = board.ramSource.join("\n");
      out("Compacting Flash...\r\nCalculating Size...\r\nWriting..\r\n");
      board.storage.write(VARIMG_FILE, new Uint8Array(Buffer.from(src, "latin1")), undefined, undefined);
      out(`Compressed ${src.length} bytes to ${src.length}\r\nChecking...\r\nDone!\r\n`);
      board.runInit();
    };
    g.load = (file?: unknown) => {
      if (typeof file === "string") {
        const f = board.storage.read(file);
        if (!f) fail(`load: file "${file}" not found`);
        board.requestReboot("load", false);
        board.pendingLoadFile = file;
      } else {
        board.requestReboot("load", false);
      }
    };
    g.echo = (on: unknown) => {
      board.echoCallback?.(Boolean(on));
    };
  }

  /** The E object: CRC32, the watchdog, events, boot code, reboot. */
  private installE(sb: Sandbox): void {
    const board = this;
    const { g, intr, fail } = sb;
    const handlers: Record<string, Array<(...a: unknown[]) => unknown>> = {};
    g.E = {
      __handlers: handlers,
      CRC32: (data: unknown) => crc32(toBytes(data)),
      enableWatchdog: (timeoutS: unknown, isAuto?: unknown) => {
        const t = Number(timeoutS);
        if (!(t > 0)) fail(`E.enableWatchdog: timeout ${String(timeoutS)} invalid; accepted: seconds > 0`);
        board.wdt = { timeoutMs: t * 1000, auto: isAuto === undefined ? true : Boolean(isAuto), lastKickMs: board.clock.now() };
      },
      kickWatchdog: () => {
        if (board.wdt) board.wdt.lastKickMs = board.clock.now();
      },
      getSizeOf: (v: unknown) => estimateJsVars(v),
      on: (event: string, fn: (...a: unknown[]) => unknown) => {
        (handlers[event] ??= []).push(fn);
      },
      removeListener: (event: string, fn: unknown) => {
        const hs = handlers[event];
        if (hs) handlers[event] = hs.filter((h) => h !== fn);
      },
      removeAllListeners: (event?: string) => {
        if (event === undefined) for (const k of Object.keys(handlers)) delete handlers[k];
        else delete handlers[event];
      },
      emit: (event: string, ...args: unknown[]) => {
        for (const h of (handlers[event] ?? []).slice()) h(...args);
      },
      setBootCode: (code: unknown) => {
        board.storage.write(BOOTCODE_FILE, toBytes(String(code ?? "")), undefined, undefined);
      },
      reboot: () => board.requestReboot("reboot"),
      getErrorFlags: () => new intr.Array(),
      toUint8Array: (...args: unknown[]) => new intr.Uint8Array(args.flatMap((a) => Array.from(toBytes(a)))),
      toString: (...args: unknown[]) => Buffer.from(args.flatMap((a) => Array.from(toBytes(a)))).toString("latin1"),
      setConsole: () => undefined,
    };
  }

  /** The process object: version, environment, memory. */
  private installProcess(sb: Sandbox): void {
    const board = this;
    const { g } = sb;
    g.process = {
      version: ESPRUINO_VERSION,
      env: { VERSION: ESPRUINO_VERSION, BOARD: "ESP32", CONSOLE: "USB", MODULES: "Storage,ESP32,Wifi,net,http,crypto", EXPTR: 0 },
      memory: () => board.memory(),
    };
  }

  /** Pins, analogRead through the board's front end, digital I/O, and the ESP32 module (returned). */
  private installPins(sb: Sandbox): unknown {
    const board = this;
    const { g, fail } = sb;

    for (let i = 0; i <= 39; i++) g["D" + i] = "D" + i;
    g.analogRead = (pin: unknown) => {
      const p = String(pin);
      const attenDb = board.atten.get(p) ?? ESP32_ATTEN_DEFAULT_DB;
      const fe = board.frontEnd;
      if (!fe) return 0;
      board.clock.spend(ANALOG_READ_MS);
      const t = board.clock.now();
      const code = board.opts.esp32Code && !fe.faults.adcRail.has(p)
        ? board.opts.esp32Code(p, attenDb, fe.esp32PinV(p, t))
        : fe.esp32Code(p, attenDb, t);
      return esp32FractionFromCode(code);
    };
    g.digitalWrite = (pin: unknown, v: unknown) => {
      const p = String(pin);
      if (!board.pinModes.has(p) || board.pinModes.get(p) === "auto") board.pinModes.set(p, "output");
      board.pinLevels.set(p, v ? 1 : 0);
    };
    g.digitalRead = (pin: unknown) => board.pinLevels.get(String(pin)) ?? 0;
    g.pinMode = (pin: unknown, mode: unknown) => {
      const m = mode === undefined ? "auto" : String(mode);
      if (PIN_MODES.indexOf(m) < 0) fail(`pinMode: mode ${JSON.stringify(mode)} invalid; accepted: ${PIN_MODES.join(", ")}`);
      board.pinModes.set(String(pin), m);
    };
    const esp32 = {
      setAtten: (pin: unknown, atten: unknown) => {
        const code = Number(atten);
        if (!(code >= 0 && code <= 3 && Math.floor(code) === code)) fail(`ESP32.setAtten: atten ${String(atten)} invalid; accepted: 0, 1, 2, 3`);
        board.atten.set(String(pin), ATTEN_CODE_DB[code]!);
      },
      reboot: () => board.requestReboot("reboot"),
      getState: () => ({ sdkVersion: "v4.4.8", freeHeap: 100_000, BLE: false, Wifi: false, minHeap: 90_000 }),
    };
    g.ESP32 = esp32;
    return esp32;
  }

  /** I2C1, I2C2 and software I2C on the emulated bus. */
  private installI2c(sb: Sandbox): void {
    const board = this;
    const { g, intr, fail } = sb;
    const makeI2c = (name: string) => ({
      setup: (o?: { scl?: unknown; sda?: unknown; bitrate?: unknown }) => {
        board.i2cSetup.add(name);
        const br = o && typeof o.bitrate === "number" && o.bitrate > 0 ? o.bitrate : I2C_DEFAULT_BITRATE_HZ;
        board.i2cBitrate.set(name, br);
      },
      writeTo: (address: unknown, ...data: unknown[]) => {
        const a = i2cAddress(address, fail);
        if (!board.i2cSetup.has(name)) fail(`${name} not set up: call ${name}.setup({scl, sda}) first`);
        if (name !== "I2C1") fail(`I2C device 0x${a.toString(16)} not responding (NACK)`);
        const bytes = data.flatMap((d) => Array.from(toBytes(d)));
        board.spendI2c(name, bytes.length);
        try {
          board.bus.write(a, bytes);
        } catch (e) {
          fail((e as Error).message);
        }
      },
      readFrom: (address: unknown, quantity: unknown) => {
        const a = i2cAddress(address, fail);
        if (!board.i2cSetup.has(name)) fail(`${name} not set up: call ${name}.setup({scl, sda}) first`);
        if (name !== "I2C1") fail(`I2C device 0x${a.toString(16)} not responding (NACK)`);
        let bytes: number[] = [];
        board.spendI2c(name, Number(quantity));
        try {
          bytes = board.bus.read(a, Number(quantity));
        } catch (e) {
          fail((e as Error).message);
        }
        return new intr.Uint8Array(bytes);
      },
    });
    board.i2cSetup.clear();
    g.I2C1 = makeI2c("I2C1");
    g.I2C2 = makeI2c("I2C2");
    // Software I2C (`new I2C()` then setup on any pins): same emulated bus as I2C1.
    g.I2C = function I2C() {
      return makeI2c("I2C1");
    };
  }

  /** The Storage module (returned) over the board's flash storage. */
  private installStorage(sb: Sandbox): unknown {
    const board = this;
    const { intr, fail, alive } = sb;

    const storage = board.storage;
    const Storage = {
      read: (name: unknown, offset?: unknown, length?: unknown) => {
        const f = storage.read(storage.checkName(name));
        if (!f) return undefined;
        const off = offset === undefined ? 0 : Number(offset);
        const end = length === undefined ? f.length : off + Number(length);
        return Buffer.from(f.subarray(off, end)).toString("latin1");
      },
      readArrayBuffer: (name: unknown) => {
        const f = storage.read(storage.checkName(name));
        if (!f) return undefined;
        const ab = new intr.ArrayBuffer(f.length);
        new intr.Uint8Array(ab).set(f);
        return ab;
      },
      readJSON: (name: unknown, noExceptions?: unknown) => {
        const s = Storage.read(name);
        if (s === undefined) return undefined;
        try {
          return intr.JSON.parse(s);
        } catch (e) {
          if (noExceptions) return undefined;
          return fail(`Storage.readJSON: "${String(name)}" is not valid JSON (${(e as Error).message})`);
        }
      },
      write: (name: unknown, data: unknown, offset?: unknown, size?: unknown) => {
        if (!alive()) return false;
        try {
          return storage.write(storage.checkName(name), toBytes(data), offset as number | undefined, size as number | undefined);
        } catch (e) {
          if (e instanceof PowerLossDuringWrite) throw e;
          return fail((e as Error).message);
        }
      },
      writeJSON: (name: unknown, data: unknown) => Storage.write(name, intr.JSON.stringify(data)),
      erase: (name: unknown) => {
        if (alive()) storage.erase(storage.checkName(name));
      },
      eraseAll: () => {
        if (alive()) storage.eraseAll();
      },
      list: (re?: unknown) => {
        const names = storage.names().filter((n) => (re !== null && typeof re === "object" && typeof (re as RegExp).test === "function" ? (re as RegExp).test(n) : true));
        const arr = new intr.Array();
        for (const n of names) arr.push(n);
        return arr;
      },
      getFree: () => STORAGE_TOTAL_B - storage.used(),
      getStats: () => ({ totalBytes: STORAGE_TOTAL_B, freeBytes: STORAGE_TOTAL_B - storage.used(), fileBytes: storage.used(), fileCount: storage.names().length, trashBytes: 0, trashCount: 0 }),
      compact: () => undefined,
      open: () => fail("Storage.open (StorageFile) is not provided by the virtual board; use write with offsets"),
    };
    return Storage;
  }

  /** Set by the REPL to implement `echo(on)`. */
  echoCallback: ((on: boolean) => void) | undefined;
  private readonly i2cSetup = new Set<string>();
  private readonly i2cBitrate = new Map<string, number>();

  /** Bus time of one transfer of `bytes` data bytes (plus the address byte): the clock moves on, as on the chip. */
  private spendI2c(bus: string, bytes: number): void {
    const bitrate = this.i2cBitrate.get(bus) ?? I2C_DEFAULT_BITRATE_HZ;
    this.clock.spend((((bytes + 1) * I2C_BITS_PER_BYTE + I2C_FRAME_OVERHEAD_BITS) / bitrate) * 1000);
  }
  /** Set by reset(): the next reboot skips `.varimg`. */
  private pendingSoftReset = false;
  /** Set by load(file): the next reboot runs that file instead of the saved program. */
  private pendingLoadFile: string | undefined;

  /** `process.memory()`: plausible ESP32 numbers (pool size from bundleBudget.ts, usage estimated). */
  memory(): Record<string, number> {
    const total = ESP32_JSVAR_POOL;
    let usage = BOOT_JSVARS;
    usage += Math.ceil(this.codeChars / CHARS_PER_JSVAR);
    if (this.ctx) {
      const g = this.ctx as Record<string, unknown>;
      for (const k of Object.keys(g)) usage += estimateJsVars(g[k], 4, false);
    }
    usage = Math.min(total, usage);
    return { free: total - usage, usage, total, history: 0, gc: 0, gctime: 0, blocksize: 14 };
  }

  /** Raw copy of one Storage file (tests). */
  storageFile(name: string): Uint8Array | undefined {
    return this.storage.bytes(name);
  }

  /** Inspect a global of the running program (tests). */
  global(name: string): unknown {
    return this.ctx ? (this.ctx as Record<string, unknown>)[name] : undefined;
  }

  // Reboot with the soft-reset / load(file) variants.
  private bootVariant(reason: BootReason): void {
    const soft = this.pendingSoftReset;
    const file = this.pendingLoadFile;
    this.pendingSoftReset = false;
    this.pendingLoadFile = undefined;
    if (file !== undefined) {
      this.bootCount++;
      this.bootAtMs = this.clock.now();
      this.bootReason = reason;
      this.clock.clearAll();
      this.codeChars = 0;
      this.ctx = this.createContext();
      const f = this.storage.read(file);
      if (f) this.runTopLevel(Buffer.from(f).toString("latin1"), file);
      if (this.powered) this.runInit();
      return;
    }
    this.boot(reason, !soft);
  }

}

function i2cAddress(a: unknown, fail: (m: string) => never): number {
  const n = Number(a);
  if (!(n >= 0 && n <= 127 && Math.floor(n) === n)) fail(`I2C address ${String(a)} invalid; accepted: 0…127 (7-bit)`);
  return n;
}

/** Espruino's data conversion for writes: strings as bytes, arrays of numbers, typed arrays and ArrayBuffers. */
export function toBytes(data: unknown): Uint8Array {
  if (typeof data === "string") return new Uint8Array(Buffer.from(data, "latin1"));
  if (typeof data === "number") return new Uint8Array([data & 0xff]);
  if (data === undefined || data === null) return new Uint8Array(0);
  // Host-realm views copy the bytes: the sandbox's ArrayBuffer has no .slice (Espruino lacks it, [173]).
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (Object.prototype.toString.call(data) === "[object ArrayBuffer]") return new Uint8Array(data as ArrayBuffer).slice();
  if (Array.isArray(data)) {
    const out: number[] = [];
    for (const d of data) out.push(...toBytes(d));
    return new Uint8Array(out);
  }
  if (typeof data === "object" && data && "data" in data) {
    const o = data as { data: unknown; count?: number };
    const one = toBytes(o.data);
    const n = o.count ?? 1;
    const out = new Uint8Array(one.length * n);
    for (let i = 0; i < n; i++) out.set(one, i * one.length);
    return out;
  }
  return new Uint8Array(Buffer.from(String(data), "latin1"));
}

/** Rough JsVar count of a value (1 per object/property/number, strings and typed arrays by size). */
export function estimateJsVars(v: unknown, depth = 8, countFunctionText = true): number {
  if (v === null || v === undefined || typeof v === "boolean") return 1;
  if (typeof v === "number") return 1;
  if (typeof v === "string") return 1 + Math.ceil(v.length / CHARS_PER_JSVAR);
  if (typeof v === "function") return 2 + (countFunctionText ? Math.ceil(Function.prototype.toString.call(v).length / CHARS_PER_JSVAR) : 0);
  if (ArrayBuffer.isView(v)) return 2 + Math.ceil(v.byteLength / CHARS_PER_JSVAR);
  if (typeof v !== "object" || depth <= 0) return 1;
  let n = 1;
  for (const k of Object.keys(v as object)) n += 1 + estimateJsVars((v as Record<string, unknown>)[k], depth - 1, countFunctionText);
  return n;
}

function isTimeout(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT";
}

/** Espruino's report of an uncaught exception. */
function uncaughtText(e: unknown): string {
  if (isTimeout(e)) return "Execution Interrupted\r\n";
  if (e && typeof e === "object" && "message" in e) {
    const err = e as { message: string; constructor?: { name?: string } };
    const name = err.constructor && err.constructor.name ? err.constructor.name : "Error";
    return `Uncaught ${name}: ${err.message}\r\n`;
  }
  return `Uncaught ${formatValue(e)}\r\n`;
}
