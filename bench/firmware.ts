/**
 * Firmware cost on the real Espruino 2v29 interpreter (tools/espruino): `npm run bench:firmware`.
 * Not a test: it reports figures, last of all one JSON line.
 *
 *  1. Board memory (ESP32 variable format, 14-byte JsVars, under qemu-i386): the default bundle
 *     (esp32-ads1115, znmno2-4s) in flash mode — `.bootcde` written to Storage over the console,
 *     then the interpreter restarted in the same folder — with the stand-in chips and peak probe
 *     of tools/espruino/boardRun.ts in `.boot0`, on a pool of 11 428 JsVars (an ESP32 with 200 kB free).
 *     `bootJsVars`: process.memory().usage after boot and two samples. `peakJsVars`: the largest
 *     usage seen at any printed line (the stand-in's probe) while sampling and answering every
 *     command of COMMAND_SCRIPT (tools/espruino/boardRun.ts), each waited for; the command it happened in is named.
 *  2. `minPoolJsVars`: the smallest pool (ESPRUINO_JSVARS, bisected to POOL_STEP) on which the same
 *     flash image boots, samples twice and answers every command with no error line and no
 *     "OUT OF MEMORY".
 *  3. Speed and growth (native 64-bit build, fast): the streaming replay bundle steps the 20 926
 *     samples of a 19-cycle run (test/firmware/replaySamples.ts) read from a file on the
 *     interpreter. Per block of TIME_EVERY samples: the time of the zbmsReplay calls (the whole
 *     sample: model, status line encoded and printed) and of PackModel.step (the app's own
 *     getTime() around it), then REF_ITERATIONS of the reference loop `for (…) s += j`, timed in
 *     the same process. `stepRefIters` / `sampleRefIters`: the median over blocks of (time per
 *     sample ÷ time per reference iteration). `growthJsVars`: process.memory().usage every 1 000
 *     samples; highest of the last quarter minus highest of the first quarter (after 2 000).
 */
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware } from "../host/bundle/buildFirmware";
import { parseReplaySamples } from "../host/bundle/replaySamples";
import { realEspruino, ESP32_POOL_200KB_FREE } from "../tools/espruino/interpreters";
import { EspruinoProcess } from "../tools/espruino/process";
import { flashBoot } from "../tools/espruino/flashBoot";
import { memLines, streamReplay, timingLines, type ReaderTiming } from "../tools/espruino/replayStream";
import { synthRun, toJsonl } from "../test/firmware/replaySamples";
import { boardStandInJs, probe, runBoard, type BoardRun } from "../tools/espruino/boardRun";

/** Pool sizes bisected (JsVars): below the lower bound nothing boots; resolution POOL_STEP. */
const POOL_LOW = 3000;
const POOL_STEP = 100;
/** The 19-cycle run of the real-interpreter replay test: 20 926 samples. */
const RUN_CYCLES = 19;
const RUN_ACTIVE_SCALE = 1 / 3;
const MEM_EVERY = 1000;
const TIMING: ReaderTiming = { every: 100, refIterations: 2000 };

/** A copy of the flash image folder, so every trial boots the same Storage. */
async function imageCopy(image: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "zbms-bench-"));
  await cp(join(image, "espruino.flash"), join(dir, "espruino.flash"));
  return dir;
}

async function boardFigures(code: string): Promise<{ run: BoardRun; minPool: number; standInJsVars: number }> {
  // the flash image: stand-in in .boot0, the bundle in .bootcde
  const standIn = await boardStandInJs();
  const up = await flashBoot(code, { variant: "esp32", files: { ".boot0": standIn }, timeoutMs: 300_000 });
  const image = up.cwd;
  await up.kill();
  const trial = async (pool: number): Promise<BoardRun> => {
    const dir = await imageCopy(image);
    try {
      return await runBoard(dir, pool);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const run = await trial(ESP32_POOL_200KB_FREE);
  if (!run.ok) throw new Error(`the board does not run on ${ESP32_POOL_200KB_FREE} JsVars: ${run.why}`);
  console.log(`board on ${ESP32_POOL_200KB_FREE} JsVars (ESP32 format, flash mode): ${run.bootJsVars} after boot; peaks ${run.peaks.map(([c, n]) => `${c} ${n}`).join(", ")}`);
  let lo = POOL_LOW;
  let hi = ESP32_POOL_200KB_FREE;
  while (hi - lo > POOL_STEP) {
    const mid = Math.round((lo + hi) / 2);
    const r = await trial(mid);
    console.log(`  pool ${mid}: ${r.ok ? "boots, samples, answers every command" : "fails: " + r.why}`);
    if (r.ok) hi = mid;
    else lo = mid;
  }
  // the stand-in alone: boot an image with only .boot0
  const alone = await flashBoot("", { variant: "esp32", files: { ".boot0": standIn }, timeoutMs: 300_000 });
  const empty = await flashBoot("", { variant: "esp32", timeoutMs: 300_000 });
  const usage = async (p: EspruinoProcess) => Number(await probe(p, "process.memory().usage", "MEM", 0));
  const standInJsVars = (await usage(alone)) - (await usage(empty));
  await alone.dispose();
  await empty.dispose();
  await rm(image, { recursive: true, force: true });
  return { run, minPool: hi, standInJsVars };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function speedAndGrowth(): Promise<{ stepRefIters: number; sampleRefIters: number; growthJsVars: number; samples: number; memSeries: number[] }> {
  const found = realEspruino();
  if (!found.ok) throw new Error(found.reason);
  const code = (await buildFirmware({ board: "replay", write: false })).code;
  const samples = parseReplaySamples(toJsonl(synthRun(RUN_CYCLES, 7, RUN_ACTIVE_SCALE)));
  const dir = await mkdtemp(join(tmpdir(), "zbms-bench-"));
  // script mode ends when no timer is left: one idle interval keeps the REPL up
  const scriptPath = EspruinoProcess.writeScript(dir, "replay.js", code + "\n;setInterval(function(){},3600000);");
  const p = new EspruinoProcess(found.espruino, { variant: "native", cwd: dir, removeCwd: true, scriptPath });
  try {
    await p.waitFor((l) => l.includes("#Z1,1,B,"), 30_000);
    const out = await streamReplay(p, samples, MEM_EVERY, 1_800_000, TIMING);
    const blocks = timingLines(out, TIMING);
    const stepRefIters = median(blocks.map((b) => b.stepS / b.refIterS));
    const sampleRefIters = median(blocks.map((b) => b.wholeS / b.refIterS));
    const refUs = median(blocks.map((b) => b.refIterS * 1e6));
    const mem = memLines(out);
    const settled = mem.filter(([k]) => k >= 2 * MEM_EVERY).map(([, u]) => u);
    const q = settled.length >> 2;
    const growthJsVars = Math.max(...settled.slice(-q)) - Math.max(...settled.slice(0, q));
    console.log(`native replay of ${samples.length} samples: reference iteration ${refUs.toFixed(2)} µs (median); model step ${stepRefIters.toFixed(0)}, whole sample ${sampleRefIters.toFixed(0)} reference iterations (medians over ${blocks.length} blocks of ${TIMING.every})`);
    console.log(`  JsVars every ${MEM_EVERY} samples (native 64-bit build): ${mem.map(([, u]) => u).join(" ")}`);
    return { stepRefIters, sampleRefIters, growthJsVars, samples: samples.length, memSeries: mem.map(([, u]) => u) };
  } finally {
    await p.dispose();
  }
}

async function main(): Promise<void> {
  const found = realEspruino();
  if (!found.ok) throw new Error(found.reason);
  const fw = await buildFirmware({ write: false });
  if (fw.findings.length > 0) throw new Error(`the firmware bundle fails the Espruino-subset check (${fw.findings.length} findings)`);
  console.log(`bundle: ${fw.sizeB} B (board ${fw.board}, pack "${fw.packName}", hash ${fw.hash})`);
  const speed = await speedAndGrowth();
  const board = await boardFigures(fw.code);
  const heaviest = board.run.peaks.reduce((a, b) => (b[1] > a[1] ? b : a));
  console.log(`stand-in (.boot0) alone: ${board.standInJsVars} JsVars, included in the board figures`);
  console.log(`smallest pool that boots, samples and answers every command: ${board.minPool} JsVars (bisected to ${POOL_STEP})`);
  console.log(
    JSON.stringify({
      bundleBytes: fw.sizeB,
      bootJsVars: board.run.bootJsVars,
      peakJsVars: heaviest[1],
      peakDuring: heaviest[0],
      minPoolJsVars: board.minPool,
      growthJsVars: speed.growthJsVars,
      growthSamples: speed.samples,
      stepRefIters: Math.round(speed.stepRefIters),
      sampleRefIters: Math.round(speed.sampleRefIters),
      standInJsVars: board.standInJsVars,
    }),
  );
}

main().catch((e) => {
  console.error(`bench:firmware: ${(e as Error).message}`);
  process.exitCode = 1;
});
