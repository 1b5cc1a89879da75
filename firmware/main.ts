/**
 * Firmware entry (bundled by `npm run build:firmware`): wire the board's sensors, the model,
 * telemetry and Storage; restore the saved state; start the sampler; install `zbms(...)`.
 * Runs at upload and, through E.on("init"), after every reset/power-up of a `save()`d image
 * (then the state comes from Storage, which is newer than the RAM image).
 */
import { BOARD, BUILD, CONFIG_LIMITS, PACK } from "zbms-build";
import { configProblem } from "./configCheck";
import type { PackConfig } from "../shared/config/packConfig";
import { bootApp, createApp, reportError, sampleBegin, sampleContinue, type App, type AppIo } from "./app";
import { applyStoredCals, CONFIG_FILE, installCommands } from "./commands";
import { createSampler, startSampler, stopSampler, type Sampler } from "./sampler";
import type { Hw } from "./drivers/hw";
import type { StorageLike } from "./persistence/stateStore";
import { espAnalogRead, espAppIo, espDigitalWrite, espE, espI2c, espSetAtten, espStorage, espTimeS } from "./espruinoGlobals";
import { encodeLine } from "../shared/telemetry/lineFormat";
import { errorText } from "./telemetryOut";
import { MS_PER_S } from "../shared/units";

/** Watchdog timeout (s): several sample periods, at least 10 s (the slowest I2C setup fits). */
const WATCHDOG_MIN_S = 10;
const WATCHDOG_PERIODS = 5;

/** The running instance (one per boot), so a re-boot can stop the previous sampler. */
const running: { sampler: Sampler | null } = { sampler: null };

/** The problem with a stored config (shape of the embedded PACK, ranges of the build), or null. */
function checkStored(cfg: unknown): string | null {
  return configProblem(PACK(), cfg, CONFIG_LIMITS());
}

/**
 * The problem with the live config after a `set` changed one value in place, or null. The live
 * config is its own shape template: it has PACK's shape (checked at boot, or PACK itself) and
 * `set` replaces one leaf by a value of the same type, so no embedded PACK is made for this.
 */
function checkChanged(cfg: unknown): string | null {
  return configProblem(cfg as PackConfig, cfg, CONFIG_LIMITS());
}

/** The stored config when it exists and still validates; else the embedded pack (also without Storage). */
function loadConfig(storage: StorageLike | null): { config: PackConfig; note: string } {
  let text: string | undefined;
  try {
    text = storage !== null ? storage.read(CONFIG_FILE) : undefined;
  } catch (e) {
    text = undefined;
  }
  if (!text) return { config: PACK(), note: "config: embedded" };
  let cfg: unknown;
  try {
    cfg = JSON.parse(text);
  } catch (e) {
    return { config: PACK(), note: "config: stored copy unreadable, embedded used" };
  }
  const problem = checkStored(cfg);
  if (problem !== null) return { config: PACK(), note: "config: stored copy rejected (" + problem + "), embedded used" };
  return { config: cfg as PackConfig, note: "config: stored" };
}

/** Watchdog timeout (s) for a sample period: the sampler kicks it once per sample. */
function watchdogS(periodMs: number): number {
  const s = (WATCHDOG_PERIODS * periodMs) / MS_PER_S;
  return s > WATCHDOG_MIN_S ? s : WATCHDOG_MIN_S;
}

/** Enable (or re-arm) the watchdog for a sample period; an error line if this build has none. */
function armWatchdog(app: App, periodMs: number): void {
  try {
    espE().enableWatchdog(watchdogS(periodMs), false);
  } catch (e) {
    reportError(app, "boot", "watchdog not enabled: " + errorText(e));
  }
}

function boot(reason: string): void {
  if (running.sampler !== null) stopSampler(running.sampler);
  const E = espE();
  const problems: string[] = [];
  let storage: StorageLike | null = null;
  try {
    storage = espStorage() as StorageLike;
  } catch (e) {
    problems.push("no Storage: state is not kept");
  }
  const hw: Hw = {
    i2c: null,
    analogRead: espAnalogRead,
    setAtten: espSetAtten,
    getTimeS: espTimeS,
  };
  const i2c = BOARD.i2c;
  if (i2c) {
    const bus = espI2c(i2c.bus);
    try {
      bus.setup({ scl: i2c.sclPin, sda: i2c.sdaPin, bitrate: i2c.bitrateHz });
    } catch (e) {
      problems.push(i2c.bus + ".setup failed: " + errorText(e));
    }
    hw.i2c = bus; // reads then fail and are reported per sample; the ESP32 ADC channels still work
  }
  const io: AppIo = espAppIo(hw, storage);
  io.pinWrite = espDigitalWrite;
  const lc = loadConfig(storage);
  const board = BOARD;
  const cals = applyStoredCals({ io: io, board: board });
  const app = createApp(BUILD, board, lc.config, io);
  bootApp(app, reason + "; " + lc.note + (cals ? "; calibrations: " + cals : ""));
  for (let i = 0; i < problems.length; i++) reportError(app, "boot", problems[i]);
  const sampler = createSampler(
    lc.config.samplePeriodMs,
    function () {
      return sampleBegin(app);
    },
    function () {
      return sampleContinue(app);
    },
    function (text: string) {
      reportError(app, "sampler", text);
    },
    function () {
      try {
        E.kickWatchdog();
      } catch (e) {
        // no watchdog on this build: enableWatchdog failed at boot and said so
      }
    },
    espTimeS,
    { setTimeout: setTimeout, clearTimeout: clearTimeout },
  );
  running.sampler = sampler;
  installCommands({
    app: app,
    sampler: sampler,
    onConfig: function (cfg: PackConfig) {
      sampler.periodMs = cfg.samplePeriodMs;
      armWatchdog(app, cfg.samplePeriodMs);
    },
    checkConfig: checkChanged,
  });
  armWatchdog(app, lc.config.samplePeriodMs);
  startSampler(sampler);
}

function safeBoot(reason: string): void {
  try {
    boot(reason);
  } catch (e) {
    console.log(encodeLine({ type: "error", id: "boot", text: errorText(e) }, 0, undefined));
  }
}

// After save() + power-on/reset Espruino restores RAM and fires "init": boot from Storage
// (newer than the RAM image). After an upload no "init" fires: the deferred boot runs; where
// both happen (a board that replays the program text, then fires "init") it boots once.
espE().on("init", function () {
  safeBoot("boot (init)");
});
setTimeout(function () {
  if (running.sampler === null) safeBoot("upload");
}, 0);
