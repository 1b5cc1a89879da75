// @ts-check
/**
 * An esbuild bundle cached on disk, keyed by the contents of the files it was built from.
 * Used by the CLI's entry (host/cli/bin.mjs: the whole CLI as one ES module, so `zbms` starts
 * without tsx). Plain JavaScript (types in cachedBundle.d.mts) because bin.mjs runs before any
 * TypeScript loader exists.
 *
 * Cache folder: `node_modules/.cache/zbms` under the checkout (the usual place for build caches;
 * ignored by git with node_modules), or `$ZBMS_CACHE_DIR`. Per bundle `NAME` and checkout:
 *   NAME-<sha256(root)[0:12]>.json   manifest: inputs (root-relative), their hash, the code's hash
 *   NAME-<input hash>.mjs|.cjs       the code
 * A bundle is reused only while the hash of (esbuild version, build options, entry, every input
 * file's path and contents) equals the manifest's and the code's sha256 equals the manifest's
 * (a damaged file is rebuilt, not run). The fresh check reads no esbuild: it takes esbuild's
 * version from its package.json, so a cached CLI starts without loading the bundler. The whole
 * fresh check of the CLI's inputs takes a few ms in a new process (docs/performance.md, "Start-up
 * of the host CLI"), so contents are hashed every time; no mtime shortcut.
 * Writes are atomic (temporary file + rename): concurrent runs never see half a file; the bundle
 * a new manifest supersedes is deleted (a run that read the old manifest just before finds its
 * code missing and rebuilds).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomicWrite.mjs";

const require = createRequire(import.meta.url);
/** A sha256 in hex, as the manifest stores them. */
const HEX_SHA256 = /^[0-9a-f]{64}$/;
/** Characters of sha256(root) in a manifest's name: tells checkouts sharing a cache folder apart. */
const ROOT_TAG_CHARS = 12;

/**
 * The cache folder for the checkout at `root`: $ZBMS_CACHE_DIR if set, else root/node_modules/.cache/zbms.
 * @param {string} root
 */
export function bundleCacheDir(root) {
  const dir = process.env.ZBMS_CACHE_DIR;
  return dir !== undefined && dir !== "" ? dir : join(root, "node_modules", ".cache", "zbms");
}

/** @param {string | Buffer} data */
function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}

/** The installed esbuild's version (from its package.json, without loading esbuild), or null when it is not installed. */
export function esbuildVersion() {
  try {
    const pkg = JSON.parse(readFileSync(require.resolve("esbuild/package.json"), "utf8"));
    return typeof pkg.version === "string" ? pkg.version : null;
  } catch {
    return null;
  }
}

/**
 * @typedef {import("./cachedBundle.d.mts").BundleSpec} BundleSpec
 * @typedef {import("./cachedBundle.d.mts").CachedBundle} CachedBundle
 * @typedef {import("./cachedBundle.d.mts").BundleManifest} BundleManifest
 */

/** @param {BundleSpec} spec */
function cacheDirOf(spec) {
  return spec.cacheDir !== undefined ? spec.cacheDir : bundleCacheDir(spec.root);
}

/** @param {BundleSpec} spec */
export function manifestPath(spec) {
  return join(cacheDirOf(spec), `${spec.name}-${sha256(spec.root).slice(0, ROOT_TAG_CHARS)}.json`);
}

/** @param {BundleSpec} spec @param {string} hash */
function codePath(spec, hash) {
  return join(cacheDirOf(spec), `${spec.name}-${hash}.${spec.options.format === "esm" ? "mjs" : "cjs"}`);
}

/**
 * Hash of the build (esbuild version, options, entry) and of every input's path and contents;
 * null if an input is unreadable (deleted or renamed: the bundle is stale).
 * @param {BundleSpec} spec @param {string} version @param {string[]} inputs
 */
export function inputsHash(spec, version, inputs) {
  const h = createHash("sha256");
  h.update(version + "\0" + JSON.stringify(spec.options) + "\0" + spec.entry + "\0");
  for (const rel of inputs) {
    try {
      h.update(rel + "\0");
      h.update(readFileSync(join(spec.root, rel)));
      h.update("\0");
    } catch {
      return null;
    }
  }
  return h.digest("hex");
}

/** @param {BundleSpec} spec @returns {BundleManifest | null} */
function readManifest(spec) {
  try {
    const m = JSON.parse(readFileSync(manifestPath(spec), "utf8"));
    const ok =
      m !== null &&
      Array.isArray(m.inputs) &&
      m.inputs.every((/** @type {unknown} */ x) => typeof x === "string") &&
      typeof m.hash === "string" &&
      HEX_SHA256.test(m.hash) &&
      typeof m.codeHash === "string";
    return ok ? m : null;
  } catch {
    return null;
  }
}

/**
 * The cached bundle if it is still current (same esbuild, options and input contents; code
 * intact), else null. Cheap: reads the manifest, the inputs and the code; loads no esbuild.
 * @param {BundleSpec} spec @returns {CachedBundle | null}
 */
export function freshBundle(spec) {
  const version = esbuildVersion();
  const m = readManifest(spec);
  if (version === null || m === null || inputsHash(spec, version, m.inputs) !== m.hash) return null;
  const file = codePath(spec, m.hash);
  try {
    const code = readFileSync(file, "utf8");
    return sha256(code) === m.codeHash ? { file, code, built: false } : null;
  } catch {
    return null;
  }
}

/**
 * Store `code`, built from `inputs`, as the current bundle of `spec`; drop the one it supersedes.
 * Returns the code's file, or null if the cache cannot be written (then only the next run pays
 * a rebuild). An input edited while esbuild ran is hashed in its new state: that bundle counts
 * as current until the next edit (the window is the ≈ 0.1 s of a build).
 * @param {BundleSpec} spec @param {string} version @param {string[]} inputs @param {string} code
 * @returns {string | null}
 */
function store(spec, version, inputs, code) {
  const hash = inputsHash(spec, version, inputs);
  if (hash === null) return null;
  try {
    const old = readManifest(spec);
    mkdirSync(cacheDirOf(spec), { recursive: true });
    const file = codePath(spec, hash);
    writeFileAtomic(file, code);
    /** @type {BundleManifest} */
    const manifest = { inputs, hash, codeHash: sha256(code), esbuild: version, entry: spec.entry };
    writeFileAtomic(manifestPath(spec), JSON.stringify(manifest));
    if (old !== null && old.hash !== hash) rmSync(codePath(spec, old.hash), { force: true });
    return file;
  } catch {
    return null;
  }
}

/**
 * Bundle `spec.entry` now (esbuild's synchronous API, ≈ 85 ms for the CLI) and cache it.
 * Returns null when esbuild is not installed; throws esbuild's error when the build fails.
 * The returned `file` is null when the cache could not be written (the code is still returned).
 * @param {BundleSpec} spec @returns {CachedBundle | null}
 */
export function buildBundle(spec) {
  const version = esbuildVersion();
  /** @type {typeof import("esbuild") | null} */
  let esbuild = null;
  try {
    esbuild = version === null ? null : require("esbuild");
  } catch {
    esbuild = null;
  }
  if (esbuild === null || version === null) return null;
  const out = esbuild.buildSync({ ...spec.options, entryPoints: [spec.entry], absWorkingDir: spec.root, write: false, metafile: true, logLevel: "silent" });
  const code = out.outputFiles[0].text;
  const inputs = Object.keys(out.metafile.inputs).concat(spec.extraInputs !== undefined ? spec.extraInputs : []);
  return { file: store(spec, version, inputs, code), code, built: true };
}

/**
 * The current bundle of `spec`: from the cache if fresh, else built now. Null when it is not
 * cached and esbuild is not installed; throws esbuild's error when the build fails.
 * @param {BundleSpec} spec @returns {CachedBundle | null}
 */
export function cachedBundle(spec) {
  const fresh = freshBundle(spec);
  return fresh !== null ? fresh : buildBundle(spec);
}
