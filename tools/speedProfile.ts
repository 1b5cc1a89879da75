/**
 * Experiment helper: where a sample's time goes on the native Espruino 2v29 build, without the
 * scatter of wall time. Builds the profiling interpreter (tools/espruino/profileBuild.sh) and the
 * replay bundle with the first 20 and the first N samples of one synthetic cycle (charge, rest,
 * discharge, rest; N = 1 104 by default), then:
 * - under callgrind, the instructions of `PackModel.step` alone and of the whole sample
 *   (`stepModel`), per sample, in reference iterations (22 049 instructions: tools/speedIr.ts);
 * - natively, per JS function: calls and inclusive cycles per sample, the 25 costliest.
 * `npx tsx tools/speedProfile.ts [N]` (≈ 2 min; valgrind: Debian package `valgrind`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware, REPO_ROOT } from "../host/bundle/buildFirmware";
import { synthRun, toJsonl } from "../test/firmware/replaySamples";

/** Instructions of one reference iteration (`for (…) s += j`) on the native build (tools/speedIr.ts). */
const IR_PER_REF_ITERATION = 22_049;
const FIRST_SAMPLES = 20;

const dir = mkdtempSync(join(tmpdir(), "zbms-profile-"));

/** The first characters of the body that starts at `bodyStart`: how the profiling build knows a function. */
function bodyPrefix(code: string, bodyStart: number): string {
  return code.slice(bodyStart, bodyStart + 24);
}

/** Code prefixes naming the model step (the `step(s)` method) and the app's per-sample function. */
function markers(code: string): { step: string; sample: string } {
  const m = /[;}]step\(\w+\)\{/.exec(code);
  if (!m) throw new Error("no step(…) method in the bundle");
  const call = code.indexOf(".model.step(");
  if (call < 0) throw new Error("no .model.step( call in the bundle");
  let header = -1;
  for (const h of code.matchAll(/function \w+\([\w,]*\)\{/g)) if (h.index! < call) header = h.index! + h[0].length;
  if (header < 0) throw new Error("no function around .model.step(");
  return { step: bodyPrefix(code, m.index + m[0].length), sample: bodyPrefix(code, header) };
}

async function bundle(samples: unknown[], name: string): Promise<string> {
  const f = join(dir, name + ".jsonl");
  writeFileSync(f, toJsonl(samples as ReturnType<typeof synthRun>));
  const js = join(dir, name + ".js");
  writeFileSync(js, (await buildFirmware({ board: "replay", samples: f, write: false })).code);
  return js;
}

/** Instructions inside zbmsMarked1 (step) and zbmsMarked2 (sample) for one run under callgrind. */
function markedIr(exe: string, js: string, env: NodeJS.ProcessEnv): [number, number] {
  const out = js + ".cg";
  execFileSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=" + out, exe, js], { cwd: dir, env, stdio: "ignore", timeout: 1_800_000 });
  const text = execFileSync("callgrind_annotate", ["--inclusive=yes", out], { encoding: "utf8", maxBuffer: 64 << 20 });
  const ir = (fn: string): number => {
    const m = new RegExp("^\\s*([\\d,]+) .*:" + fn + " ", "m").exec(text);
    if (!m) throw new Error(`no ${fn} in the callgrind output: the marker matched no function`);
    return Number(m[1]!.replace(/,/g, ""));
  };
  return [ir("zbmsMarked1"), ir("zbmsMarked2")];
}

async function main(): Promise<void> {
  const exe = execFileSync("bash", [join(REPO_ROOT, "tools/espruino/profileBuild.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop()!;
  const all = synthRun(1, 7, 1 / 3);
  const n = Math.min(Number(process.argv[2] ?? all.length), all.length);
  const small = await bundle(all.slice(0, FIRST_SAMPLES), "s0");
  const big = await bundle(all.slice(0, n), "s1");
  // each bundle its own markers: the minified names differ with the embedded samples
  const envFor = (js: string): NodeJS.ProcessEnv => {
    const mark = markers(readFileSync(js, "utf8"));
    return { ...process.env, ZBMS_MARK1: mark.step, ZBMS_MARK2: mark.sample };
  };
  const [s0, w0] = markedIr(exe, small, envFor(small));
  const [s1, w1] = markedIr(exe, big, envFor(big));
  const per = (a: number, b: number) => ((b - a) / (n - FIRST_SAMPLES) / IR_PER_REF_ITERATION).toFixed(1);
  // per JS function, natively (rdtsc cycles: shares of the sample, not absolute figures)
  const run = spawnSync(exe, [big], { cwd: dir, env: { ...envFor(big), ZBMS_PROF: "1" }, encoding: "utf8", maxBuffer: 64 << 20, timeout: 600_000 });
  const rows = run.stderr
    .split("\n")
    .filter((l) => l.startsWith("A "))
    .map((l) => l.split(" "))
    .map((f) => ({ calls: Number(f[2]) / n, cycles: Number(f[3]) / n, code: f.slice(4).join(" ") }))
    .sort((a, b) => b.cycles - a.cycles)
    .slice(0, 25);
  console.log("calls/sample  cycles/sample  function (its code's first characters)");
  for (const r of rows) console.log(`${r.calls.toFixed(2).padStart(12)}  ${r.cycles.toFixed(0).padStart(13)}  ${r.code}`);
  console.log(`samples ${FIRST_SAMPLES}..${n}: model step ${per(s0, s1)}, whole sample ${per(w0, w1)} reference iterations of instructions per sample`);
}

main().catch((e) => {
  console.error(`speedProfile: ${(e as Error).message}`);
  process.exitCode = 1;
});
