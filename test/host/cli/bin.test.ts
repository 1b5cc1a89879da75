/**
 * host/cli/bin.mjs: the CLI run from its cached bundle against the same CLI run from the
 * TypeScript sources through tsx (ZBMS_FROM_SOURCE=1), and the bundle's cache going stale.
 *
 * Runs on a copy of the checkout's sources (host, shared, firmware, package.json,
 * tsconfig.json) made inside node_modules/.cache, so that the copy's bundle finds the real
 * node_modules by walking up, its cache is its own, and edits to the copy never touch the
 * real sources.
 */
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateBdf } from "../../../bench/analyzeGen";

// Every case starts node processes (tsx ones take ≈ 1.5 s each on a loaded 2-core machine).
vi.setConfig({ testTimeout: 120000 });

const REPO = resolve(__dirname, "..", "..", "..");
const PYBAMM = resolve(REPO, "test", "fixtures", "realdata", "pybamm_dfn_chen2020_charge_discharge_75.csv");
/** Samples of the generated BDF file: ≈ 12 MB (≈ 29 bytes a row). */
const BDF_SAMPLES = 400000;

let copy = "";
let cache = "";
let bdf = "";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without this suite's variables, plus `env`. */
function envWith(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.ZBMS_FROM_SOURCE;
  delete base.ZBMS_CACHE_DIR;
  delete base.ZBMS_REPORT_RSS;
  return { ...base, ...env };
}

/** `node <copy>/host/cli/bin.mjs args…` in `cwd`, with extra environment variables. */
function zbms(args: string[], env: Record<string, string> = {}, cwd = copy): Run {
  const r = spawnSync(process.execPath, [join(copy, "host", "cli", "bin.mjs"), ...args], { cwd, env: envWith(env), encoding: "utf8", timeout: 100000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same as zbms(), without waiting: several can run at once. */
function zbmsAsync(args: string[]): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(copy, "host", "cli", "bin.mjs"), ...args], { cwd: copy, env: envWith({}) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolvePromise({ status, stdout, stderr }));
  });
}

interface Manifest {
  hash: string;
  codeHash: string;
}

/** The copy's CLI manifest (one per checkout: cli-<12 hex>.json). */
function manifestFile(): string {
  const names = readdirSync(cache).filter((f) => /^cli-[0-9a-f]{12}\.json$/.test(f));
  expect(names).toHaveLength(1);
  return join(cache, names[0]);
}

function manifest(): Manifest {
  return JSON.parse(readFileSync(manifestFile(), "utf8")) as Manifest;
}

function bundleFile(): string {
  return join(cache, `cli-${manifest().hash}.mjs`);
}

/** Every file of an analysis output folder, by name. */
function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = readFileSync(join(dir, f), "utf8");
  return out;
}

beforeAll(() => {
  mkdirSync(join(REPO, "node_modules", ".cache"), { recursive: true });
  copy = mkdtempSync(join(REPO, "node_modules", ".cache", "zbms-bin-test-"));
  for (const d of ["host", "shared", "firmware"]) cpSync(join(REPO, d), join(copy, d), { recursive: true });
  for (const f of ["package.json", "tsconfig.json"]) cpSync(join(REPO, f), join(copy, f));
  cache = join(copy, "node_modules", ".cache", "zbms");
  bdf = join(copy, "generated.bdf.csv");
  generateBdf(bdf, BDF_SAMPLES);
});

afterAll(() => {
  if (copy !== "") rmSync(copy, { recursive: true, force: true });
});

describe("zbms from its cached bundle and from the sources (tsx) behave the same", () => {
  it("zbms --help: the first run builds the bundle; same output both ways, nothing on stderr", () => {
    const bundled = zbms(["--help"]);
    expect(existsSync(bundleFile())).toBe(true);
    const source = zbms(["--help"], { ZBMS_FROM_SOURCE: "1" });
    expect(bundled.status).toBe(0);
    expect(bundled.stderr).toBe("");
    expect(bundled.stdout).toContain("Usage: zbms");
    expect(bundled).toEqual(source);
  });

  it.each([
    ["a real PyBaMM export", () => PYBAMM],
    ["a generated BDF file", () => bdf],
  ])("zbms analyze on %s: same terminal output and the same files", (_name, input) => {
    const outB = join(copy, "out-bundled");
    const outS = join(copy, "out-source");
    const bundled = zbms(["analyze", input(), "--out", outB, "--print", "csv", "--no-progress"]);
    const source = zbms(["analyze", input(), "--out", outS, "--print", "csv", "--no-progress"], { ZBMS_FROM_SOURCE: "1" });
    expect(bundled.status).toBe(0);
    expect(source.status).toBe(0);
    expect(bundled.stdout.split("\n").length).toBeGreaterThan(2); // header + cycles
    expect(bundled.stdout.replaceAll(outB, "OUT")).toBe(source.stdout.replaceAll(outS, "OUT"));
    expect(bundled.stderr.replaceAll(outB, "OUT")).toBe(source.stderr.replaceAll(outS, "OUT"));
    expect(filesOf(outB)).toEqual(filesOf(outS));
  });

  it("runs from another working directory", () => {
    const r = zbms(["--help"], {}, REPO);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });
});

describe("the CLI bundle's cache", () => {
  it("an unchanged checkout reuses the bundle (the manifest is not rewritten)", () => {
    zbms(["--help"]);
    const before = statSync(manifestFile());
    const r = zbms(["--help"]);
    expect(r.status).toBe(0);
    const after = statSync(manifestFile());
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it("a changed source makes it stale: the next run rebuilds and runs the new code; the old bundle is deleted", () => {
    zbms(["--help"]);
    const old = bundleFile();
    const mainTs = join(copy, "host", "cli", "main.ts");
    const text = readFileSync(mainTs, "utf8");
    const description = "Battery monitor for aqueous zinc-metal pouch cells";
    expect(text).toContain(description);
    writeFileSync(mainTs, text.replace(description, "Edited description for the stale-cache test"));
    const r = zbms(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Edited description for the stale-cache test");
    expect(bundleFile()).not.toBe(old);
    expect(existsSync(old)).toBe(false);
    writeFileSync(mainTs, text);
    expect(zbms(["--help"]).stdout).toContain(description);
  });

  it("several runs at once after an edit all rebuild or reuse cleanly, leaving one bundle", async () => {
    const mainTs = join(copy, "host", "cli", "main.ts");
    const text = readFileSync(mainTs, "utf8");
    const description = "Battery monitor for aqueous zinc-metal pouch cells";
    const concurrentRuns = 4;
    writeFileSync(mainTs, text.replace(description, "Edited for the concurrent-runs test"));
    try {
      const runs = await Promise.all(Array.from({ length: concurrentRuns }, () => zbmsAsync(["--help"])));
      for (const r of runs) {
        expect(r.status).toBe(0);
        expect(r.stderr).toBe("");
        expect(r.stdout).toContain("Edited for the concurrent-runs test");
      }
      expect(readdirSync(cache).filter((f) => /^cli-[0-9a-f]{64}\.mjs$/.test(f))).toEqual([`cli-${manifest().hash}.mjs`]);
      expect(readdirSync(cache).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    } finally {
      writeFileSync(mainTs, text);
    }
  });

  it("a failed build is reported on stderr with esbuild's error, and the sources run instead", () => {
    const mainTs = join(copy, "host", "cli", "main.ts");
    const text = readFileSync(mainTs, "utf8");
    // An import esbuild cannot resolve, in a function never called: tsx only resolves it when called.
    appendFileSync(mainTs, `\nexport function neverCalled(): Promise<unknown> {\n  return import("./noSuchModule");\n}\n`);
    try {
      const r = zbms(["--help"]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("Usage: zbms");
      expect(r.stderr).toMatch(/building the CLI bundle failed; running from the TypeScript sources/);
      expect(r.stderr).toMatch(/noSuchModule/);
    } finally {
      writeFileSync(mainTs, text);
    }
    expect(zbms(["--help"]).stderr).toBe("");
  });

  it("ZBMS_CACHE_DIR outside the checkout is refused with a message quoting it, and the sources run", () => {
    const outside = join(REPO, "..", "zbms-cache-outside");
    const r = zbms(["--help"], { ZBMS_CACHE_DIR: outside });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: zbms");
    expect(r.stderr).toContain(`ZBMS_CACHE_DIR='${outside}' is outside the checkout`);
    expect(existsSync(outside)).toBe(false);
  });

  it("ZBMS_REPORT_RSS=1 prints the peak RSS and main()'s seconds as the last stderr line", () => {
    const r = zbms(["--help"], { ZBMS_REPORT_RSS: "1" });
    const lines = r.stderr.trim().split("\n");
    const report = JSON.parse(lines[lines.length - 1]) as { peakRssMB: number; mainSeconds: number };
    expect(report.peakRssMB).toBeGreaterThan(10);
    expect(report.peakRssMB).toBeLessThan(1000);
    expect(report.mainSeconds).toBeGreaterThan(0);
    expect(report.mainSeconds).toBeLessThan(60);
  });
});
