/**
 * `npm run bench:analyze`: generates a 10⁷-sample BDF CSV, times `zbms analyze` on it (the real
 * CLI, `node host/cli/bin.mjs analyze …`, as a user runs it; peak RSS and CPU time measured in
 * that process through ZBMS_REPORT_RSS=1, see bin.mjs), and times the same per-cycle
 * computation written the way a researcher would with pandas (read_csv, groupby on cycle,
 * trapezoid integration). The baseline needs a python3 with pandas: if none is found, the bench
 * installs Debian's python3-pandas (apt-get, as root) or stops saying why it cannot. Last line:
 * one JSON object. Override the size with BENCH_SAMPLES.
 *
 * Both sides are timed the same way: wall time of their whole process (start-up and imports
 * included: what a user waits for), in BENCH_RUNS alternating rounds (default 3) after the file
 * is on disk (fsync), and the medians are compared. One run of either side after a fresh write
 * is not a measurement: pandas, which holds the whole table in memory, took 2.2–5.6 s for the
 * same file on this machine depending on what the page cache and the allocator were doing.
 * CPU times (user + system) are printed beside the wall times: on a shared machine the wall time
 * moves with the other processes' load, the CPU time much less. The CLI's own timer (main()
 * only) and its peak RSS are printed too, the latter also for the warm-up file (30× shorter: the
 * memory is flat in the input length when both agree). One untimed warm-up run of the CLI on a
 * small file comes first: it builds the cached bundles of the CLI and of the read-ahead worker
 * (host/bundle/cachedBundle.mjs) if a source changed since the last run, as an installed CLI ships
 * compiled code.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateBdf } from "./analyzeGen";
import { median } from "../host/analyze/practical";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1e7);
const OUT = join(REPO, "out", "bench");
const TIMEOUT_MS = 20 * 60 * 1000;
/** Samples of the warm-up file (≈ 9.5 MB: above READ_AHEAD_MIN_BYTES, so the read-ahead worker's bundle is built too). */
const WARMUP_SAMPLES = 300000;
/** Alternating rounds of both sides; the medians are compared. */
const RUNS = Math.max(1, Math.floor(Number(process.env.BENCH_RUNS ?? 3)));

const PANDAS_BASELINE = `
import resource, sys, time
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
ru = resource.getrusage(resource.RUSAGE_SELF)
print(time.time() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024)
`;

/** Debian's python3, where apt installs python3-pandas. */
const DEBIAN_PYTHON = "/usr/bin/python3";

/** A python3 that can import pandas: the one on PATH, else Debian's; null when neither can. */
function findPandasPython(): string | null {
  for (const py of ["python3", DEBIAN_PYTHON]) {
    const r = spawnSync(py, ["-c", "import pandas, numpy"], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  return null;
}

/**
 * A python3 with pandas for the baseline: found, or Debian's python3-pandas installed now
 * (apt-get as root, no prompt). Throws saying why when neither works: a bench without its
 * baseline measures nothing to compare with.
 */
function pandasPython(): string {
  const found = findPandasPython();
  if (found !== null) return found;
  const why = "the pandas baseline needs a python3 that can import pandas and numpy, and none was found";
  if (spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status !== 0) {
    throw new Error(`${why}; this machine has no apt-get: install pandas for python3 yourself (e.g. pip install pandas) and run the bench again`);
  }
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new Error(`${why}; installing Debian's python3-pandas needs root: run \`sudo apt-get install -y python3-pandas\` and run the bench again`);
  }
  process.stderr.write("installing Debian's python3-pandas for the baseline (apt-get install -y python3-pandas)…\n");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "python3-pandas"], { env, encoding: "utf8", timeout: TIMEOUT_MS });
  if (r.status !== 0) {
    // A fresh machine may have no package lists yet.
    spawnSync("apt-get", ["update"], { env, stdio: "ignore", timeout: TIMEOUT_MS });
    r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "python3-pandas"], { env, encoding: "utf8", timeout: TIMEOUT_MS });
  }
  const after = findPandasPython();
  if (after !== null) return after;
  const tail = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-5).join("\n");
  throw new Error(`${why}; apt-get install python3-pandas exited ${r.status}:\n${tail}`);
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
  cpuSeconds: number;
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

/** One pandas run: its wall time (s, the whole process), CPU time (s) and peak RSS (MB), as the script prints them. */
function pandasRound(py: string, script: string, csv: string): { seconds: number; cpuSeconds: number; peakRssMB: number } {
  const b = timed(py, [script, csv, join(OUT, "pandas_cycles.csv")]);
  const [, cpu, rss] = b.stdout.trim().split(/\s+/).map(Number);
  return { seconds: b.seconds, cpuSeconds: cpu, peakRssMB: rss };
}

function run(): void {
  mkdirSync(OUT, { recursive: true });
  const py = pandasPython();
  const script = join(OUT, "pandas_baseline.py");
  writeFileSync(script, PANDAS_BASELINE);
  const csv = join(OUT, "long.bdf.csv");
  const t0 = Date.now();
  const gen = generateBdf(csv, SAMPLES);
  process.stderr.write(`generated ${SAMPLES} samples, ${gen.cycles} cycles, ${(statSync(csv).size / 1e6).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const z = { wall: [] as number[], main: [] as number[], cpu: [] as number[], peakRssMB: 0 };
  const b = { wall: [] as number[], cpu: [] as number[], peakRssMB: 0 };
  const cli = [join(REPO, "host", "cli", "bin.mjs")];
  const cliEnv = { ...process.env, ZBMS_REPORT_RSS: "1" };
  // Warm-up: builds the cached bundles (the CLI's, the read-ahead worker's) before the timed rounds; its peak RSS is the short input's.
  const warmCsv = join(OUT, "warmup.bdf.csv");
  generateBdf(warmCsv, WARMUP_SAMPLES);
  const warm = timed(process.execPath, [...cli, "analyze", warmCsv, "--out", join(OUT, "warmup"), "--print", "none", "--no-progress"], cliEnv);
  const warmRssMB = cliReport(warm.stderr).peakRssMB;
  rmSync(warmCsv, { force: true });
  process.stderr.write(`warm-up: zbms analyze of ${WARMUP_SAMPLES} samples ${warm.seconds.toFixed(2)} s, peak RSS ${warmRssMB.toFixed(0)} MB (builds the cached bundles if a source changed)\n`);
  for (let r = 0; r < RUNS; r++) {
    const zr = timed(process.execPath, [...cli, "analyze", csv, "--out", join(OUT, "analysis"), "--print", "none", "--no-progress"], cliEnv);
    const child = cliReport(zr.stderr);
    const mainSeconds = child.mainSeconds === null ? NaN : child.mainSeconds;
    z.wall.push(zr.seconds);
    z.main.push(mainSeconds);
    z.cpu.push(child.cpuSeconds);
    z.peakRssMB = Math.max(z.peakRssMB, child.peakRssMB);
    const br = pandasRound(py, script, csv);
    b.wall.push(br.seconds);
    b.cpu.push(br.cpuSeconds);
    b.peakRssMB = Math.max(b.peakRssMB, br.peakRssMB);
    process.stderr.write(
      `round ${r + 1}/${RUNS}: zbms analyze ${zr.seconds.toFixed(2)} s (CPU ${child.cpuSeconds.toFixed(2)} s, main() ${mainSeconds.toFixed(2)} s, peak RSS ${child.peakRssMB.toFixed(0)} MB), ` +
        `pandas ${br.seconds.toFixed(2)} s (CPU ${br.cpuSeconds.toFixed(2)} s, peak RSS ${br.peakRssMB.toFixed(0)} MB)\n`,
    );
  }
  const load = loadavg()[0];
  process.stderr.write(
    `medians of ${RUNS}: zbms ${median(z.wall).toFixed(2)} s (${span(z.wall)}; CPU ${median(z.cpu).toFixed(2)} s; main() ${median(z.main).toFixed(2)} s), ` +
      `pandas ${median(b.wall).toFixed(2)} s (${span(b.wall)}; CPU ${median(b.cpu).toFixed(2)} s); load average ${load.toFixed(1)} on ${cpus().length} cores\n`,
  );
  if (process.env.BENCH_KEEP !== "1") rmSync(csv, { force: true });
  const result = {
    samples: SAMPLES,
    zbmsSeconds: round(median(z.wall), 3),
    zbmsCpuSeconds: round(median(z.cpu), 3),
    baselineSeconds: round(median(b.wall), 3),
    baselineCpuSeconds: round(median(b.cpu), 3),
    speedup: round(median(b.wall) / median(z.wall), 3),
    zbmsPeakRssMB: round(z.peakRssMB, 1),
    zbmsPeakRssMBShortInput: round(warmRssMB, 1),
    baselinePeakRssMB: round(b.peakRssMB, 1),
    loadAverage: round(load, 1),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
}

run();
