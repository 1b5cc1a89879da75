/**
 * Experiment helper: instructions executed per sample by the native Espruino build, counted by
 * valgrind (callgrind), so the figure does not move with the machine's load as wall time does.
 * Builds the replay bundle with N embedded samples for two N, runs each under callgrind, and
 * divides the difference by the difference in samples; the same for the reference loop.
 * `npx tsx tools/speedIr.ts [samples=600]` → "Ir per sample / Ir per reference iteration".
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware } from "../host/bundle/buildFirmware";
import { realEspruino } from "./espruino/interpreters";
import { synthRun, toJsonl } from "../test/firmware/replaySamples";

const dir = mkdtempSync(join(tmpdir(), "zbms-ir-"));

/** Total instructions (Ir) of running `script` natively under callgrind. */
function irOf(espruino: string, script: string, name: string): number {
  const js = join(dir, name + ".js");
  writeFileSync(js, script);
  const out = join(dir, name + ".cg");
  execFileSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=" + out, espruino, js], { cwd: dir, stdio: ["ignore", "ignore", "ignore"], timeout: 1_800_000 });
  const m = /summary:\s*(\d+)/.exec(readFileSync(out, "utf8"));
  if (!m) throw new Error("no callgrind summary in " + out);
  return Number(m[1]);
}

/** SPEED_IR_TRANSFORM=file.mjs (default export: code → code) rewrites the bundle: what-if experiments. */
async function bundleWith(samples: string): Promise<string> {
  const code = (await buildFirmware({ board: "replay", samples: samples, write: false })).code;
  const tf = process.env.SPEED_IR_TRANSFORM;
  return tf ? ((await import(tf)) as { default: (c: string) => string }).default(code) : code;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 600);
  const found = realEspruino();
  if (!found.ok) throw new Error(found.reason);
  const exe = found.espruino.nativePath;
  const all = synthRun(1, 7, 1 / 3);
  const n0 = Number(process.argv[3] ?? 20);
  const f0 = join(dir, "s0.jsonl");
  const f1 = join(dir, "s1.jsonl");
  writeFileSync(f0, toJsonl(all.slice(0, n0)));
  writeFileSync(f1, toJsonl(all.slice(0, n)));
  const b0 = await bundleWith(f0);
  const b1 = await bundleWith(f1);
  const ir0 = irOf(exe, b0, "b0");
  const ir1 = irOf(exe, b1, "b1");
  const refN = 200_000;
  const ref = (k: number) => "(function(){var s=0;for(var j=0;j<" + k + ";j++)s+=j;})();";
  // the reference loop's count is the same on every run: measured once, 22 048 Ir per iteration
  const perRef = process.env.SPEED_IR_REF ? Number(process.env.SPEED_IR_REF) : (irOf(exe, ref(1000 + refN), "r1") - irOf(exe, ref(1000), "r0")) / refN;
  const perSample = (ir1 - ir0) / (n - n0);
  console.log(`Ir per sample ${perSample.toFixed(0)}, per reference iteration ${perRef.toFixed(1)}: sample = ${(perSample / perRef).toFixed(1)} reference iterations (samples ${n0}..${n})`);
  void readdirSync;
}

main().catch((e) => {
  console.error(`speedIr: ${(e as Error).message}`);
  process.exitCode = 1;
});
