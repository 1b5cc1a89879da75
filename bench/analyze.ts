/**
 * `npm run bench:analyze`: generates a 10⁷-sample BDF CSV, times `zbms analyze` on it (in a
 * child process, peak RSS measured there), and times the same per-cycle computation written
 * the way a researcher would with pandas (read_csv, groupby on cycle, trapezoid integration)
 * when python3 with pandas is available (Debian: python3-pandas). Last line: one JSON object.
 * Override the size with BENCH_SAMPLES.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateBdf } from "./analyzeGen";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1e7);
const OUT = join(REPO, "out", "bench");
const TIMEOUT_MS = 20 * 60 * 1000;

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

function run(): void {
  mkdirSync(OUT, { recursive: true });
  const csv = join(OUT, "long.bdf.csv");
  const t0 = Date.now();
  const gen = generateBdf(csv, SAMPLES);
  process.stderr.write(`generated ${SAMPLES} samples, ${gen.cycles} cycles, ${(statSync(csv).size / 1e6).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

  const child = execFileSync(
    process.execPath,
    ["--import", "tsx", join(REPO, "bench", "analyzeChild.ts"), "analyze", csv, "--out", join(OUT, "analysis"), "--print", "none", "--no-progress"],
    { cwd: REPO, encoding: "utf8", timeout: TIMEOUT_MS, maxBuffer: 1 << 26 },
  );
  const lines = child.trim().split("\n");
  const z = JSON.parse(lines[lines.length - 1]) as { code: number; seconds: number; peakRssMB: number };
  if (z.code !== 0) throw new Error(`zbms analyze exited ${z.code}`);
  process.stderr.write(`zbms analyze: ${z.seconds.toFixed(2)} s, peak RSS ${z.peakRssMB.toFixed(0)} MB\n`);

  let baselineSeconds: number | null = null;
  const py = pandasPython();
  if (py) {
    const script = join(OUT, "pandas_baseline.py");
    writeFileSync(script, PANDAS_BASELINE);
    const b0 = Date.now();
    execFileSync(py, [script, csv, join(OUT, "pandas_cycles.csv")], { encoding: "utf8", timeout: TIMEOUT_MS });
    baselineSeconds = (Date.now() - b0) / 1000;
    process.stderr.write(`pandas baseline (${py}): ${baselineSeconds.toFixed(2)} s\n`);
  } else {
    process.stderr.write("pandas baseline skipped: no python3 with pandas (Debian: apt-get install python3-pandas)\n");
  }
  if (process.env.BENCH_KEEP !== "1") rmSync(csv, { force: true });
  const result = {
    samples: SAMPLES,
    zbmsSeconds: round(z.seconds, 3),
    baselineSeconds: baselineSeconds === null ? null : round(baselineSeconds, 3),
    speedup: baselineSeconds === null ? null : round(baselineSeconds / z.seconds, 3),
    zbmsPeakRssMB: round(z.peakRssMB, 1),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
}

run();
