/** Types of cachedBundle.mjs (plain JavaScript so that host/cli/bin.mjs can use it before tsx). */
import type { BuildOptions } from "esbuild";

/** What to bundle and where to cache it. */
export interface BundleSpec {
  /** Cache file prefix, e.g. "cli". */
  name: string;
  /** Absolute checkout root: esbuild's working directory; inputs are stored relative to it. */
  root: string;
  /** Entry file, relative to `root`. */
  entry: string;
  /** esbuild options (JSON-serialisable: they are part of the cache key); `format` "esm" caches a .mjs, else a .cjs. */
  options: BuildOptions;
  /** Root-relative files that shape the build without being bundled (e.g. tsconfig.json); hashed with the inputs. */
  extraInputs?: string[];
  /** Cache folder; default bundleCacheDir(root). */
  cacheDir?: string;
}

export interface CachedBundle {
  /** The cached code's file; null when the cache could not be written (the code is still here). */
  file: string | null;
  /** The bundle's code. */
  code: string;
  /** True when it was built by this call, false when it came from the cache. */
  built: boolean;
}

/** The manifest stored beside a bundle. */
export interface BundleManifest {
  /** Root-relative paths of every file the bundle was built from. */
  inputs: string[];
  /** inputsHash of those inputs: the bundle is reused only while it matches. */
  hash: string;
  /** sha256 of the bundle's code (a damaged cache file is rebuilt, not run). */
  codeHash: string;
  /** esbuild version that built it (also inside `hash`; stored for people reading the cache). */
  esbuild: string;
  /** The entry (root-relative). */
  entry: string;
}

/** $ZBMS_CACHE_DIR if set, else root/node_modules/.cache/zbms. */
export function bundleCacheDir(root: string): string;
/** The installed esbuild's version, read from its package.json (esbuild is not loaded); null when not installed. */
export function esbuildVersion(): string | null;
/** Path of the manifest of `spec` in this checkout. */
export function manifestPath(spec: BundleSpec): string;
/** Hash of (esbuild version, options, entry, each input's path and contents); null if an input is unreadable. */
export function inputsHash(spec: BundleSpec, version: string, inputs: string[]): string | null;
/** The cached bundle if still current and intact, else null; loads no esbuild. */
export function freshBundle(spec: BundleSpec): CachedBundle | null;
/** Bundle now and cache it; null when esbuild is not installed; throws esbuild's error when the build fails. */
export function buildBundle(spec: BundleSpec): CachedBundle | null;
/** freshBundle, else buildBundle. */
export function cachedBundle(spec: BundleSpec): CachedBundle | null;
