/**
 * npm packages used by some commands only are loaded lazily (host/util/lazyPackage.ts): `zbms --help`
 * and `zbms analyze` must run without serialport, @serialport/parser-readline, acorn,
 * acorn-walk, node-pty and cli-progress, and the commands that need them must say clearly that
 * they are missing.
 *
 * Runs host/cli/bin.mjs (the cached-bundle path) on a copy of the checkout's sources in a
 * temporary folder whose node_modules links every installed package except those, so loading
 * any of them on these paths fails the run. The copy's bundle is built in its own cache.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Each case starts a node process; the first one builds the copy's bundle.
vi.setConfig({ testTimeout: 120000 });

const REPO = resolve(__dirname, "..", "..", "..");
const SMALL_CSV = resolve(REPO, "test", "fixtures", "realdata", "pybamm_dfn_chen2020_charge_discharge_75.csv");
/** Packages only some commands use (serial, firmware build, virtual board, upload bar); absent from the copy's node_modules. */
const LAZY_PACKAGES = ["serialport", "@serialport/parser-readline", "acorn", "acorn-walk", "node-pty", "cli-progress"];
/** The only npm packages the CLI bundle imports at its top level, i.e. for every command: the argument parser. */
const ALWAYS_LOADED = ["commander"];
/** node_modules entries not linked into the copy: the real checkout's bundle cache. */
const NOT_LINKED = [".cache"];
/** Exit status of a failed command (host/cli/cliErrors.ts EXIT_FAILED). */
const EXIT_FAILED = 5;

let copy = "";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `node <copy>/host/cli/bin.mjs args…` in the copy, with the bundle (not tsx) and no NODE_PATH. */
function zbms(args: string[]): Run {
  const env = { ...process.env };
  for (const name of ["ZBMS_FROM_SOURCE", "ZBMS_CACHE_DIR", "ZBMS_REPORT_RSS", "NODE_PATH"]) delete env[name];
  const r = spawnSync(process.execPath, [join(copy, "host", "cli", "bin.mjs"), ...args], { cwd: copy, env, encoding: "utf8", timeout: 100000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Link every entry of the real `from` folder into `to`, except `skip`; scoped folders (@x) entry by entry. */
function linkPackages(from: string, to: string, skip: string[]): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    if (skip.includes(name) || NOT_LINKED.includes(name)) continue;
    if (name.startsWith("@")) {
      const inScope = skip.filter((p) => p.startsWith(`${name}/`)).map((p) => p.slice(name.length + 1));
      if (inScope.length > 0) {
        linkPackages(join(from, name), join(to, name), inScope);
        continue;
      }
    }
    symlinkSync(join(from, name), join(to, name));
  }
}

/** The copy's CLI bundle (host/bundle/cachedBundle.mjs: cli-<hash>.mjs beside its manifest). */
function bundleText(): string {
  const cache = join(copy, "node_modules", ".cache", "zbms");
  const bundles = readdirSync(cache).filter((f) => /^cli-[0-9a-f]{64}\.mjs$/.test(f));
  expect(bundles).toHaveLength(1);
  return readFileSync(join(cache, bundles[0]), "utf8");
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "zbms-lazy-packages-"));
  for (const d of ["host", "shared", "firmware", "hardware"]) cpSync(join(REPO, d), join(copy, d), { recursive: true });
  for (const f of ["package.json", "tsconfig.json"]) cpSync(join(REPO, f), join(copy, f));
  linkPackages(join(REPO, "node_modules"), join(copy, "node_modules"), LAZY_PACKAGES);
  // The set-up itself: from the copy, the lazy packages cannot be found, the others can.
  const requireInCopy = createRequire(join(copy, "host", "cli", "bin.mjs"));
  for (const p of LAZY_PACKAGES) expect(() => requireInCopy.resolve(p), p).toThrow(/Cannot find module/);
  expect(requireInCopy.resolve("commander")).toContain("commander");
});

afterAll(() => {
  if (copy !== "") rmSync(copy, { recursive: true, force: true });
});

describe("commands that do not use serialport or acorn run without them", () => {
  it("zbms --help: runs from the bundle, whose top level imports no npm package but commander", () => {
    const r = zbms(["--help"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: zbms");
    const topLevelImports = [...bundleText().matchAll(/^import\b(?:[^;"]*?\bfrom)?\s*"([^"]+)";?$/gm)].map((m) => m[1]);
    expect(topLevelImports).toContain("node:fs");
    const packages = [...new Set(topLevelImports.filter((spec) => !spec.startsWith("node:")))].sort();
    expect(packages).toEqual(ALWAYS_LOADED);
  });

  it("zbms --version: package.json's version, exit 0", () => {
    const r = zbms(["--version"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version}\n`);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("zbms analyze of a small real file: writes its report, nothing on stderr", () => {
    const out = join(copy, "analysis");
    const r = zbms(["analyze", SMALL_CSV, "--out", out, "--print", "none", "--no-progress"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(existsSync(join(out, "pybamm_dfn_chen2020_charge_discharge_75.summary.json"))).toBe(true);
  });
});

describe("a command that needs a missing package says which and what to do", () => {
  it("zbms monitor: serialport is not installed", () => {
    const r = zbms(["monitor", "-p", "/dev/does-not-exist-zbms", "-o", join(copy, "logs"), "-d", "1"]);
    expect(r.status).toBe(EXIT_FAILED);
    expect(r.stderr).toBe('zbms: the npm package "serialport" (needed to open serial ports) is not installed: run `npm install` in the zbms checkout\n');
  });

  it("zbms sim: node-pty (optional: it needs a compiler) is not installed; says why, how to get it, what works without", () => {
    const r = zbms(["sim", "--speed", "1"]);
    expect(r.status).toBe(EXIT_FAILED);
    expect(r.stdout).toBe(""); // no port path: nothing for a caller to open
    expect(r.stderr).toMatch(/^zbms: the virtual board needs a pseudo-terminal, which zbms makes with the optional npm package "node-pty", and it cannot be loaded:\n  it is not installed \(no node_modules\/node-pty\)\n/);
    expect(r.stderr).toContain("prebuilt binaries for macOS and Windows only");
    expect(r.stderr).toContain("sudo apt-get install make g++ python3");
    expect(r.stderr).toContain("`npm install node-pty`");
    expect(r.stderr).toContain("flash, monitor, send and calibrate a real board");
  });

  it("zbms build: acorn is not installed", () => {
    const r = zbms(["build", "--out", join(copy, "zbms.js")]);
    expect(r.status).toBe(EXIT_FAILED);
    expect(r.stderr).toContain('zbms: the npm package "acorn" (needed to parse the firmware bundle) is not installed: run `npm install` in the zbms checkout\n');
  });
});
