/**
 * `npm run bench:analyze`: generates a 10⁷-sample BDF CSV, times `zbms analyze` on it (the real
 * CLI, `node host/cli/bin.mjs analyze …`, as a user runs it; peak RSS measured in that process
 * through ZBMS_REPORT_RSS=1, see bin.mjs), and times the same per-cycle computation written
 * the way a researcher would with pandas (read_csv, groupby on cycle, trapezoid integration)
 * when python3 with pandas is available (Debian: python3-pandas). Last line: one JSON object.
 * Override the size with BENCH_SAMPLES.
 *
 * Both sides are timed the same way: wall time of their whole process (start-up and imports
 * included: what a user waits for), in BENCH_RUNS alternating rounds (default 3) after the file
 * is on disk (fsync), and the medians are compared. One run of either side after a fresh write
 * is not a measurement: pandas, which holds the whole table in memory, took 2.2–5.6 s for the
 * same file on this machine depending on what the page cache and the allocator were doing.
 * The CLI's own timer (main() only) and its peak RSS are printed too. One untimed warm-up run
 * of the CLI on a small file comes first: it builds the CLI's and the read worker's cached
 * bundles (host/build/cachedBundle.mjs) if a source changed since the last run, as an installed
 * CLI ships compiled code.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateBdf } from "./analyzeGen";
import { median } from "../host/analyze/practical";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1e7);
const OUT = join(REPO, "out", "bench");
const TIMEOUT_MS = 20 * 60 * 1000;
/** Alternating rounds of both sides; the medians are compared. */
/** Samples of the warm-up file: ≈ 9.5 MB, above PARALLEL_MIN_BYTES (8 MiB), so it is read on the worker. */
const WARMUP_SAMPLES = 300000;
const RUNS = Math.max(1, Math.floor(Number(process.env.BENCH_RUNS ?? 3)));

const PANDAS_BASELINE = `
import sys, time
import numpy as np
import pandas as pd
t0 = time.time()
df = pd.read_csv(sys.argv[1])
rows = []
for cyc, g in df.groupby("Cycle Count / 1"):
    t = g["Test Time / s"].to_numpy()
    i = g["Current / A"].to_numpy()
    v = g["Voltage / V"].to_numpy()
    ic = np.clip(i, 0, None)
    idis = np.clip(-i, 0, None)
    qc = np.trapz(ic, t) / 3600
    qd = np.trapz(idis, t) / 3600
    ec = np.trapz(ic * v, t) / 3600
    ed = np.trapz(idis * v, t) / 3600
    rows.append({"cycle": cyc, "charge_Ah": qc, "discharge_Ah": qd,
                 "CE": qd / qc if qc else np.nan, "EE": ed / ec if ec else np.nan})
pd.DataFrame(rows).to_csv(sys.argv[2], index=False)
print(time.time() - t0)
`;

/** A python3 that can import pandas: the one on PATH, else Debian's. */
function pandasPython(): string | null {
  for (const py of ["python3", "/usr/bin/python3"]) {
    const r = spawnSync(py, ["-c", "import pandas, numpy"], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  return null;
}

function round(x: number, digits: number): number {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
}

function span(xs: number[]): string {
  return `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)} s`;
}

/** Wall time (s) of a child process run to completion, its stdout and stderr; throws if it fails. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; stdout: string; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: REPO, env, encoding: "utf8", timeout: TIMEOUT_MS, maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${[cmd, ...args].join(" ")} exited ${r.status}:\n${r.stderr}`);
  return { seconds, stdout: r.stdout, stderr: r.stderr };
}

/** What bin.mjs prints as its last stderr line under ZBMS_REPORT_RSS=1. */
interface CliReport {
  peakRssMB: number;
  mainSeconds: number | null;
}

function cliReport(stderr: string): CliReport {
  const lines = stderr.trim().split("\n");
  const last = lines[lines.length - 1];
  try {
    const r = JSON.parse(last) as CliReport;
    if (typeof r.peakRssMB === "number") return r;
  } catch {
    // fall through to the error below
  }
  throw new Error(`zbms did not print its {"peakRssMB":…} line on stderr (ZBMS_REPORT_RSS=1); last line: ${JSON.stringify(last)}`);
}

function run(): void {
  mkdirSync(OUT, { recursive: true });
  const csv = join(OUT, "long.bdf.csv");
  const t0 = Date.now();
  const gen = generateBdf(csv, SAMPLES);
  process.stderr.write(`generated ${SAMPLES} samples, ${gen.cycles} cycles, ${(statSync(csv).size / 1e6).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

  const py = pandasPython();
  const script = join(OUT, "pandas_baseline.py");
  if (py) writeFileSync(script, PANDAS_BASELINE);
  else process.stderr.write("pandas baseline skipped: no python3 with pandas (Debian: apt-get install python3-pandas)\n");
  const zWall: number[] = [];
  const zMain: number[] = [];
  const bWall: number[] = [];
  let peakRssMB = 0;
  const cli = [join(REPO, "host", "cli", "bin.mjs")];
  const cliEnv = { ...process.env, ZBMS_REPORT_RSS: "1" };
  // Warm-up: a small file read on the worker too (above PARALLEL_MIN_BYTES), so that both cached
  // bundles (the CLI's and the read worker's) are built before the timed rounds.
  const warmCsv = join(OUT, "warmup.bdf.csv");
  generateBdf(warmCsv, WARMUP_SAMPLES);
  const warm = timed(process.execPath, [...cli, "analyze", warmCsv, "--out", join(OUT, "warmup"), "--print", "none", "--no-progress"], cliEnv);
  rmSync(warmCsv, { force: true });
  process.stderr.write(`warm-up: zbms analyze of ${WARMUP_SAMPLES} samples ${warm.seconds.toFixed(2)} s (builds the CLI and read-worker bundles if a source changed)\n`);
  for (let r = 0; r < RUNS; r++) {
    const z = timed(process.execPath, [...cli, "analyze", csv, "--out", join(OUT, "analysis"), "--print", "none", "--no-progress"], cliEnv);
    const child = cliReport(z.stderr);
    const mainSeconds = child.mainSeconds === null ? NaN : child.mainSeconds;
    zWall.push(z.seconds);
    zMain.push(mainSeconds);
    if (child.peakRssMB > peakRssMB) peakRssMB = child.peakRssMB;
    let line = `round ${r + 1}/${RUNS}: zbms analyze ${z.seconds.toFixed(2)} s (main() ${mainSeconds.toFixed(2)} s, peak RSS ${child.peakRssMB.toFixed(0)} MB)`;
    if (py) {
      const b = timed(py, [script, csv, join(OUT, "pandas_cycles.csv")]);
      bWall.push(b.seconds);
      line += `, pandas ${b.seconds.toFixed(2)} s (its own timer, after imports: ${Number(b.stdout.trim()).toFixed(2)} s)`;
    }
    process.stderr.write(line + "\n");
  }
  const zbmsSeconds = median(zWall);
  const baselineSeconds = bWall.length > 0 ? median(bWall) : null;
  process.stderr.write(
    `medians of ${RUNS}: zbms ${zbmsSeconds.toFixed(2)} s (${span(zWall)}; main() ${median(zMain).toFixed(2)} s)` +
      (baselineSeconds === null ? "" : `, pandas ${baselineSeconds.toFixed(2)} s (${span(bWall)})`) +
      "\n",
  );
  if (process.env.BENCH_KEEP !== "1") rmSync(csv, { force: true });
  const result = {
    samples: SAMPLES,
    zbmsSeconds: round(zbmsSeconds, 3),
    baselineSeconds: baselineSeconds === null ? null : round(baselineSeconds, 3),
    speedup: baselineSeconds === null ? null : round(baselineSeconds / zbmsSeconds, 3),
    zbmsPeakRssMB: round(peakRssMB, 1),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
}

run();
