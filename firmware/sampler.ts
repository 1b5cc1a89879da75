/**
 * The sampler: runs one step every `periodMs` on Espruino's timers, and
 * - never piles up timers: each step schedules the next one itself, `periodMs` after the
 *   previous start, or at once (after MIN_GAP_MS) when a step overran; an overrun is counted,
 *   never queued (a setInterval would fire the missed ticks back to back);
 * - survives a crash in one step: the exception is caught, reported through `onError`, and
 *   the next step is scheduled all the same;
 * - kicks the watchdog from the step, so a hung interpreter (not a slow step) resets the board;
 * - measures each step's duration (ms) for the `status` command.
 * A step may come in parts: `body` (and then `cont`) returns the wait in ms before the next
 * part (e.g. while the ADS1115s convert) or a negative number when the step is complete; the
 * interpreter stays free for the console and commands in between.
 */
import { errorText } from "./telemetryOut";
import { MS_PER_S } from "../shared/units";

/** Espruino's timers (injected: the virtual board and tests pass their own). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** Shortest pause between two steps (ms), so the console and commands still get a turn. */
export const MIN_GAP_MS = 10;
/** Weight of the newest step in the mean step time (exponential average, ~20 steps). */
const STEP_MEAN_WEIGHT = 0.05;

export interface Sampler {
  periodMs: number;
  running: boolean;
  /** Pending timer id, null when stopped. */
  timer: unknown;
  /** Start time (s) of the last step. */
  lastStartS: number;
  /** Steps run, steps that threw, steps that took longer than `periodMs`. */
  steps: number;
  crashes: number;
  overruns: number;
  /** Duration of the last step, running mean, maximum (ms). */
  lastStepMs: number;
  meanStepMs: number;
  maxStepMs: number;
  /** First part of a step: wait (ms) before `cont`, or < 0 when done. */
  body: () => number;
  /** Next part of a step, same contract. */
  cont: () => number;
  onError: (text: string) => void;
  kick: () => void;
  nowS: () => number;
  timers: Timers;
}

export function createSampler(
  periodMs: number,
  body: () => number,
  cont: () => number,
  onError: (text: string) => void,
  kick: () => void,
  nowS: () => number,
  timers: Timers,
): Sampler {
  return {
    periodMs: periodMs,
    running: false,
    timer: null,
    lastStartS: NaN,
    steps: 0,
    crashes: 0,
    overruns: 0,
    lastStepMs: NaN,
    meanStepMs: NaN,
    maxStepMs: 0,
    body: body,
    cont: cont,
    onError: onError,
    kick: kick,
    nowS: nowS,
    timers: timers,
  };
}

/** Run one part of a step; a throw ends the step (reported, counted). */
function runPart(s: Sampler, first: boolean): number {
  try {
    if (first) s.kick();
    return first ? s.body() : s.cont();
  } catch (e) {
    s.crashes++;
    try {
      s.onError("step " + s.steps + ": " + errorText(e));
    } catch (e2) {
      // reporting failed too; the count above still shows it in `status`
    }
    return -1;
  }
}

/** After the last part: statistics, and the next step `periodMs` after this one started. */
function endStep(s: Sampler): void {
  s.steps++;
  const durMs = (s.nowS() - s.lastStartS) * MS_PER_S;
  s.lastStepMs = durMs;
  s.meanStepMs = isNaN(s.meanStepMs) ? durMs : s.meanStepMs + STEP_MEAN_WEIGHT * (durMs - s.meanStepMs);
  if (durMs > s.maxStepMs) s.maxStepMs = durMs;
  if (durMs > s.periodMs) s.overruns++;
  if (s.running) {
    const wait = s.periodMs - durMs;
    s.timer = s.timers.setTimeout(function () {
      samplerTick(s);
    }, wait > MIN_GAP_MS ? wait : MIN_GAP_MS);
  }
}

/** After a part that returned `w`: the next part in `w` ms, or (done, failed or stopped) the end of the step. */
function afterPart(s: Sampler, w: number): void {
  if (w >= 0 && s.running) {
    s.timer = s.timers.setTimeout(function () {
      samplerPart(s);
    }, w);
  } else endStep(s);
}

/** Continue a step after a wait. */
function samplerPart(s: Sampler): void {
  s.timer = null;
  if (!s.running) return;
  afterPart(s, runPart(s, false));
}

/** Start one step; its parts and the next step are scheduled from here on. */
export function samplerTick(s: Sampler): void {
  s.timer = null;
  s.lastStartS = s.nowS();
  afterPart(s, runPart(s, true));
}

/** Start stepping (first step after one period). Idempotent. */
export function startSampler(s: Sampler): void {
  if (s.running) return;
  s.running = true;
  s.timer = s.timers.setTimeout(function () {
    samplerTick(s);
  }, s.periodMs);
}

/** Stop stepping. */
export function stopSampler(s: Sampler): void {
  s.running = false;
  if (s.timer !== null) s.timers.clearTimeout(s.timer);
  s.timer = null;
}
