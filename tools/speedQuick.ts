/**
 * Quick speed check of the streaming replay bundle on the native Espruino 2v29 build: the speed
 * part of bench/firmware.ts on fewer samples, for one experiment at a time (≈ 1 min instead of 10).
 * `npx tsx tools/speedQuick.ts [cycles=4] [bundle.js]` (default: the replay bundle built now) prints the model step and the whole sample in
 * reference iterations (medians over blocks of 100 samples), and the quartiles of each.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware } from "../host/bundle/buildFirmware";
import { parseReplaySamples } from "../host/bundle/replaySamples";
import { realEspruino } from "./espruino/interpreters";
import { EspruinoProcess } from "./espruino/process";
import { streamReplay, timingLines, type ReaderTiming } from "./espruino/replayStream";
import { synthRun, toJsonl } from "../test/firmware/replaySamples";

const TIMING: ReaderTiming = { every: 100, refIterations: 2000 };

/** CPU time (user + system, s) of a process so far, from /proc: less moved by the machine's load than wall time. */
function cpuS(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

const REF_CPU_ITERATIONS = 2_000_000;

function quartiles(xs: number[]): [number, number, number] {
  const s = xs.slice().sort((a, b) => a - b);
  return [s[s.length >> 2]!, s[s.length >> 1]!, s[(3 * s.length) >> 2]!];
}

async function main(): Promise<void> {
  const cycles = Number(process.argv[2] ?? 4);
  const found = realEspruino();
  if (!found.ok) throw new Error(found.reason);
  const code = process.argv[3] ? await readFile(process.argv[3], "utf8") : (await buildFirmware({ board: "replay", write: false })).code;
  const samples = parseReplaySamples(toJsonl(synthRun(cycles, 7, 1 / 3)));
  const dir = await mkdtemp(join(tmpdir(), "zbms-speed-"));
  const scriptPath = EspruinoProcess.writeScript(dir, "replay.js", code + "\n;setInterval(function(){},3600000);");
  const p = new EspruinoProcess(found.espruino, { variant: "native", cwd: dir, removeCwd: true, scriptPath });
  try {
    await p.waitFor((l) => l.includes("#Z1,1,B,"), 30_000);
    const pid = (p as unknown as { child: { pid: number } }).child.pid;
    const c0 = cpuS(pid);
    const out = await streamReplay(p, samples, 1000, 1_800_000, TIMING);
    const c1 = cpuS(pid);
    const from = p.lines.length;
    p.send("\x10(function(){var s=0;for(var j=0;j<" + REF_CPU_ITERATIONS + ";j++)s+=j;print('REFDONE');})()");
    await p.waitFor((l) => l.includes("REFDONE"), 600_000, from);
    const c2 = cpuS(pid);
    const cpuRatio = (c1 - c0) / samples.length / ((c2 - c1) / REF_CPU_ITERATIONS);
    const blocks = timingLines(out, TIMING);
    const step = quartiles(blocks.map((b) => b.stepS / b.refIterS)).map((x) => x.toFixed(0));
    const whole = quartiles(blocks.map((b) => b.wholeS / b.refIterS)).map((x) => x.toFixed(0));
    console.log(`${samples.length} samples, ${blocks.length} blocks: step ${step[1]} (q ${step[0]}–${step[2]}), sample ${whole[1]} (q ${whole[0]}–${whole[2]}); CPU time per sample with the reader ${cpuRatio.toFixed(0)}`);
  } finally {
    await p.dispose();
  }
}

main().catch((e) => {
  console.error(`speedQuick: ${(e as Error).message}`);
  process.exitCode = 1;
});
