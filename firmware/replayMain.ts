/**
 * Replay entry (`npm run build:firmware -- --board replay [--samples F.jsonl]`): steps the same
 * model and prints the same lines as the board firmware (ident, boot, then per sample its events
 * and a status line). Runs on any Espruino build (no Storage, no I2C).
 *
 * - With embedded samples (`--samples`): runs them as fast as it can in chunks from timers (so
 *   the console drains between chunks), then prints one final line `# done`.
 * - Without (streaming): installs one global, `zbmsReplay(tMs, currentA, cellV, tempC,
 *   openCircuit)`, that the host calls once per sample over the console (NaN for an invalid
 *   channel). The sample is copied into the app's one reused Sample, so a replay of any length
 *   holds no more than one sample line at a time: embedded samples cost ≈ 23 JsVars each.
 */
import { BOARD, BUILD, PACK, REPLAY_SAMPLES } from "zbms-build";
import { bootApp, createApp, stepModel, type AppIo } from "./app";
import { espAppIo } from "./espruinoGlobals";

/** Samples per timer slice: long enough to be fast, short enough to let output drain. */
const CHUNK_SAMPLES = 50;
/** The replay's last line (not a telemetry line: the host's and tests' end marker). */
const DONE_LINE = "# done";

const io: AppIo = espAppIo(null, null);
const app = createApp(BUILD, BOARD, PACK(), io);
const pos = { i: 0 };

function chunk(): void {
  const end = pos.i + CHUNK_SAMPLES < REPLAY_SAMPLES.length ? pos.i + CHUNK_SAMPLES : REPLAY_SAMPLES.length;
  for (; pos.i < end; pos.i++) stepModel(app, REPLAY_SAMPLES[pos.i]);
  if (pos.i < REPLAY_SAMPLES.length) setTimeout(chunk, 0);
  else console.log(DONE_LINE);
}

function num(x: unknown): number {
  return typeof x === "number" ? x : NaN;
}

/** Copy `src` into `dst`; NaN where `src` is short or not a list of numbers. */
function fill(dst: Float64Array, src: unknown): void {
  const a = src !== null && typeof src === "object" ? (src as ArrayLike<unknown>) : [];
  for (let i = 0; i < dst.length; i++) dst[i] = i < a.length ? num(a[i]) : NaN;
}

/** One streamed sample: fill the reused Sample and step (the same path as the embedded replay). */
function replayOne(tMs: unknown, currentA: unknown, cellV: unknown, tempC: unknown, openCircuit: unknown): void {
  const s = app.sample;
  s.tMs = num(tMs);
  s.currentA = num(currentA);
  fill(s.cellV as Float64Array, cellV);
  fill(s.tempC as Float64Array, tempC);
  s.openCircuit = openCircuit === 1 ? 1 : 0;
  stepModel(app, s);
}

if (REPLAY_SAMPLES.length > 0) {
  bootApp(app, "replay of " + REPLAY_SAMPLES.length + " samples");
  setTimeout(chunk, 0);
} else {
  bootApp(app, "replay: one zbmsReplay(tMs,currentA,[cellV],[tempC],openCircuit) per sample");
  // the app rides on the function for benchmarks (bench/firmware.ts reads app.modelStepMs)
  (replayOne as unknown as { app: unknown }).app = app;
  (globalThis as unknown as Record<string, unknown>).zbmsReplay = replayOne;
}
