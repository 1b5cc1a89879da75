#!/usr/bin/env node
/**
 * Entry point of `npx zbms …` (package.json "bin"). Plain JavaScript: it runs before any
 * TypeScript loader exists.
 *
 * The CLI (host/cli/main.ts and everything it imports from host/, shared/, firmware/) runs
 * from one ES-module bundle cached by host/bundle/cachedBundle.mjs in node_modules/.cache/zbms,
 * so a command starts without tsx (`node --import tsx` alone costs ≈ 0.10 s, and tsx then
 * transforms every module). The bundle is reused while the contents of its inputs are
 * unchanged (a content-hash check, ≈ 7 ms); after an edit, or on the first run, it is rebuilt with
 * esbuild (≈ 0.1 s) before the command runs. npm packages stay external (loaded from
 * node_modules as before: serialport and node-pty are native). If esbuild is not installed,
 * or the build or the bundle fails, the CLI runs from the TypeScript sources through tsx as
 * it always did (a failed build or bundle is reported on stderr, with its error).
 *
 * Environment:
 *   ZBMS_FROM_SOURCE=1  run the TypeScript sources through tsx (no bundle).
 *   ZBMS_CACHE_DIR=DIR  cache folder instead of node_modules/.cache/zbms; it must be inside the
 *                       checkout (the bundle finds node_modules and the repository from there).
 *   ZBMS_REPORT_RSS=1   at exit, print `{"peakRssMB":…,"mainSeconds":…,"cpuSeconds":…}` as the
 *                       last line on stderr: the process's peak resident set (MB), the seconds
 *                       main() ran (null if it never returned) and the process's CPU time (user +
 *                       system, s). Used by `npm run bench:analyze`.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildBundle, bundleCacheDir, freshBundle } from "../bundle/cachedBundle.mjs";

/** Checkout root (this file is host/cli/bin.mjs). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** process.resourceUsage().maxRSS is in KiB. */
const KIB_PER_MIB = 1024;
/** process.cpuUsage() counts microseconds. */
const US_PER_S = 1e6;
/** process.hrtime.bigint() counts nanoseconds. */
const NS_PER_S = 1e9;

/** @type {import("../bundle/cachedBundle.d.mts").BundleSpec} */
const CLI_BUNDLE = {
  name: "cli",
  root: ROOT,
  entry: "host/cli/main.ts",
  options: { bundle: true, platform: "node", format: "esm", target: "node20", packages: "external" },
  extraInputs: ["tsconfig.json"],
};

/** @param {string} text */
function warn(text) {
  process.stderr.write(`zbms: ${text}\n`);
}

/** @param {unknown} e */
function messageOf(e) {
  return e instanceof Error ? e.message : String(e);
}

/** main() of the TypeScript sources, through tsx. */
async function sourceMain() {
  const { register } = await import("tsx/esm/api");
  register();
  return (await import("./main.ts")).main;
}

/** main() of the cached bundle (built now if stale), or null to run the sources instead. */
async function bundledMain() {
  const cacheDir = bundleCacheDir(ROOT);
  const rel = relative(ROOT, cacheDir);
  if (rel.startsWith("..") || isAbsolute(rel)) {
    warn(`ZBMS_CACHE_DIR='${cacheDir}' is outside the checkout '${ROOT}' (a bundle there would not find node_modules); running from the TypeScript sources`);
    return null;
  }
  for (let attempt = 1; ; attempt++) {
    let bundle = freshBundle(CLI_BUNDLE);
    if (bundle === null) {
      try {
        bundle = buildBundle(CLI_BUNDLE);
      } catch (e) {
        warn(`building the CLI bundle failed; running from the TypeScript sources. esbuild said:\n${messageOf(e)}`);
        return null;
      }
    }
    // null: esbuild is not installed; file null: the cache folder is not writable.
    if (bundle === null || bundle.file === null) return null;
    try {
      return (await import(pathToFileURL(bundle.file).href)).main;
    } catch (e) {
      // A concurrent run that rebuilt the bundle (after an edit) deleted this one between the
      // check and the import: check (and build) once more.
      if (attempt === 1 && !existsSync(bundle.file)) continue;
      warn(`loading the CLI bundle ${bundle.file} failed; running from the TypeScript sources. Error: ${messageOf(e)}`);
      return null;
    }
  }
}

/** @type {number | null} */
let mainSeconds = null;
if (process.env.ZBMS_REPORT_RSS === "1") {
  process.on("exit", () => {
    const peakRssMB = process.resourceUsage().maxRSS / KIB_PER_MIB;
    const cpu = process.cpuUsage();
    const cpuSeconds = (cpu.user + cpu.system) / US_PER_S;
    process.stderr.write(JSON.stringify({ peakRssMB, mainSeconds, cpuSeconds }) + "\n");
  });
}

const bundled = process.env.ZBMS_FROM_SOURCE === "1" ? null : await bundledMain();
const main = bundled !== null ? bundled : await sourceMain();
const t0 = process.hrtime.bigint();
const code = await main(process.argv);
mainSeconds = Number(process.hrtime.bigint() - t0) / NS_PER_S;
if (typeof code === "number") process.exitCode = code;
