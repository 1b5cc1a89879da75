/**
 * Replay entry (`npm run build:firmware -- --board replay --samples F.jsonl`): the "sensors"
 * are the samples embedded in the bundle. Steps the same model and prints the same lines as
 * the board firmware (ident, boot, then per sample its events and a status line) as fast as
 * it can, then one final line `# done`. Runs on any Espruino build (no Storage, no I2C).
 * Samples go in chunks from timers, so the console can drain between chunks.
 */
import { BOARD, BUILD, PACK, REPLAY_SAMPLES } from "zbms-build";
import { bootApp, createApp, stepModel, type AppIo } from "./app";
import { espAppIo } from "./espruinoGlobals";

/** Samples per timer slice: long enough to be fast, short enough to let output drain. */
const CHUNK_SAMPLES = 50;
/** The replay's last line (not a telemetry line: the host's and tests' end marker). */
const DONE_LINE = "# done";

const io: AppIo = espAppIo(null, null);
const app = createApp(BUILD, BOARD, PACK, io);
bootApp(app, "replay of " + REPLAY_SAMPLES.length + " samples");
const pos = { i: 0 };

function chunk(): void {
  const end = pos.i + CHUNK_SAMPLES < REPLAY_SAMPLES.length ? pos.i + CHUNK_SAMPLES : REPLAY_SAMPLES.length;
  for (; pos.i < end; pos.i++) stepModel(app, REPLAY_SAMPLES[pos.i]);
  if (pos.i < REPLAY_SAMPLES.length) setTimeout(chunk, 0);
  else console.log(DONE_LINE);
}
setTimeout(chunk, 0);
