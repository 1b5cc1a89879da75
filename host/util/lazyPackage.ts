/**
 * npm packages that only some commands use, loaded by the code that needs them when it first
 * runs instead of by a static `import`.
 *
 * Why: the CLI runs from one esbuild bundle (host/cli/bin.mjs) that keeps npm packages external,
 * and esbuild hoists every static `import` of an external package to the bundle's top level, so
 * every `zbms` command would load every package any command uses (serialport, a native addon,
 * costs ≈ 45 ms; acorn with acorn-walk ≈ 10 ms; node-pty ≈ 10 ms). Here: serialport and
 * @serialport/parser-readline (host/serial/, host/flash/espruinoTools.ts), acorn and acorn-walk
 * (host/bundle/), node-pty (host/virtualBoard/ptyBoard.ts, an optional dependency), cli-progress
 * (host/cli/flashProgress.ts, host/analyze/analyzeApi.ts).
 * Import only their types statically (`import type`); test/host/cli/lazyPackages.test.ts fails
 * if `zbms --help` or `zbms analyze` needs them again, or if the bundle's top level imports any
 * npm package but commander.
 *
 * `require` (not `import()`) so that synchronous callers can use it too: each of these packages
 * has a CommonJS entry. Resolved from this module's location, which in the bundle is
 * node_modules/.cache/zbms, inside the checkout, so the checkout's node_modules is found either way.
 */
import { createRequire } from "node:module";

const requireFromHere = createRequire(import.meta.url);

/** Node's error code for a package (or a file inside it) that is not installed. */
const MODULE_NOT_FOUND = "MODULE_NOT_FOUND";

/** A package that failed to load; the message names it, says what needed it and what to do. */
export class PackageLoadError extends Error {
  /** The npm package's name, e.g. "serialport". */
  readonly packageName: string;
  /** True when the package is absent from node_modules (not a package that failed to load). */
  readonly notInstalled: boolean;
  constructor(packageName: string, message: string, notInstalled = false) {
    super(message);
    this.name = "PackageLoadError";
    this.packageName = packageName;
    this.notInstalled = notInstalled;
  }
}

/**
 * Load the npm package `name` (its CommonJS entry; Node caches it, so later calls are cheap).
 * `purpose` completes "needed to …" in the error message, e.g. "open serial ports". Throws a
 * PackageLoadError when the package is not installed or fails to load.
 */
export function requirePackage<T>(name: string, purpose: string): T {
  try {
    return requireFromHere(name) as T;
  } catch (e) {
    const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
    // Node's message continues with the require stack on further lines: the first says it all.
    const first = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    if (code === MODULE_NOT_FOUND && first.includes(`'${name}'`)) {
      throw new PackageLoadError(name, `the npm package "${name}" (needed to ${purpose}) is not installed: run \`npm install\` in the zbms checkout`, true);
    }
    throw new PackageLoadError(name, `the npm package "${name}" (needed to ${purpose}) could not be loaded: ${first}`);
  }
}
