/**
 * The repository stands alone: everything a test reads is inside it (or made by the test). The
 * one allowed outside input is the Espruino interpreter's source for the real-interpreter tests
 * (`ESPRUINO_SRC`, or `../shared/espruino/src` beside the checkout), skipped when absent.
 *
 * 1. Static: no file under test/, host/, shared/, firmware/, bench/, hardware/, docs/ or the
 *    top-level notes names the shared folder's data, its Espruino notes or an absolute /work
 *    path. test/fixtures/ is left out: its provenance notes may say where a copy came from.
 * 2. The fixtures are the files their README lists (SHA-256), byte for byte.
 * 3. A fresh `git clone` of HEAD in a temporary folder with no `shared/` beside it runs every
 *    test file that reads test/fixtures (found by grep, so new ones are covered; at least the
 *    real-cycler tests), with CI and ESPRUINO_SRC unset; they must all pass.
 *
 * The clone holds committed files only: it tests HEAD, so uncommitted edits are not seen (the
 * test says so when the working tree differs from HEAD). Run it after committing. Skipped, with
 * a message, when the checkout is not a git repository (a source tarball).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = resolve(__dirname, "..", "..");
const FIXTURES = join(REPO, "test", "fixtures", "realdata");
/** Folders whose files must not reach outside the repository. */
const CHECKED_DIRS = ["test", "host", "shared", "firmware", "bench", "hardware", "docs"];
/** Top-level files checked too. */
const CHECKED_FILES = ["README.md", "package.json", "vitest.config.ts", "tsconfig.json"];
/** Not checked: data copied from elsewhere and its provenance notes. */
const SKIPPED_DIRS = [join("test", "fixtures")];
/** File types read by the static check (text); others (images, binaries) are skipped. */
const TEXT_EXT = /\.(ts|mts|mjs|js|cjs|json|md|txt|py|sh|html|css|yml|yaml)$/;
/**
 * Paths into the shared folder that a clone does not have. Assembled from pieces so that this
 * file does not name them itself. The Espruino source (`…/espruino/src`) is the one exception.
 */
const FORBIDDEN = [".." + "/shared/realdata", "shared/espruino" + "/README", "shared/espruino" + "/feature-matrix", "/work" + "/shared"];
/**
 * The same escape written as path pieces (`resolve(REPO, <up>, <shared>, …)` with the quoted
 * pieces), flagged unless it goes on to the Espruino source (`"espruino", "src"`).
 */
const FORBIDDEN_PIECES = /["']\.\.["']\s*,\s*["']shared["'](?!\s*,\s*["']espruino["']\s*,\s*["']src["'])/;
/** Wall-time limit for the clone run (ms): ≈ 23 s of CPU; 37 s wall at load 11, 74–98 s at load 18–24 (docs/performance.md). */
const CLONE_RUN_TIMEOUT_MS = 240_000;
/** Entries of node_modules not linked into the clone: the checkout's caches (zbms bundles, vite/vitest). */
const NOT_LINKED = [".cache", ".vite", ".vite-temp"];

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "node_modules" || SKIPPED_DIRS.includes(relative(REPO, p))) continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (TEXT_EXT.test(name)) out.push(p);
  }
}

function git(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? (r.error ? r.error.message : "") };
}

describe("no file names a path outside the repository", () => {
  it("test/, host/, shared/, firmware/, bench/, hardware/, docs/ and top-level notes", () => {
    const files: string[] = [];
    for (const d of CHECKED_DIRS) if (existsSync(join(REPO, d))) walk(join(REPO, d), files);
    for (const f of CHECKED_FILES) if (existsSync(join(REPO, f))) files.push(join(REPO, f));
    expect(files.length).toBeGreaterThan(100);
    const hits: string[] = [];
    for (const f of files) {
      const lines = readFileSync(f, "utf8").split("\n");
      lines.forEach((line, i) => {
        for (const bad of FORBIDDEN) if (line.includes(bad)) hits.push(`${relative(REPO, f)}:${i + 1}: names "${bad}"`);
        if (FORBIDDEN_PIECES.test(line)) hits.push(`${relative(REPO, f)}:${i + 1}: builds a path to ../shared: ${line.trim().slice(0, 100)}`);
      });
    }
    expect(hits, "copy the data into test/fixtures/ or the facts into docs/ and point there").toEqual([]);
  });

  it("the path-pieces pattern flags an escape to ../shared but not the Espruino source", () => {
    const q = (...parts: string[]): string => `resolve(REPO, ${parts.map((p) => `"${p}"`).join(", ")})`;
    const UP = ".."; // a variable, so that this test's own text does not match
    expect(FORBIDDEN_PIECES.test(q(UP, "shared", "realdata"))).toBe(true);
    expect(FORBIDDEN_PIECES.test(q(UP, UP, UP, UP, "shared", "realdata", "x.csv"))).toBe(true);
    expect(FORBIDDEN_PIECES.test(q(UP, "shared", "espruino", "README.md"))).toBe(true);
    expect(FORBIDDEN_PIECES.test(q(UP, "shared", "espruino", "src"))).toBe(false);
    expect(FORBIDDEN_PIECES.test(q("test", "fixtures", "realdata"))).toBe(false);
  });

  it("the real-data fixtures are the files their README lists, byte for byte (SHA-256)", () => {
    const readme = readFileSync(join(FIXTURES, "README.md"), "utf8");
    const listed = [...readme.matchAll(/^([0-9a-f]{64}) {2}(\S+)$/gm)].map((m) => ({ sha: m[1], name: m[2] }));
    const present = readdirSync(FIXTURES).filter((f) => f.endsWith(".csv")).sort();
    expect(listed.map((l) => l.name).sort()).toEqual(present);
    expect(present.length).toBeGreaterThanOrEqual(6);
    for (const { sha, name } of listed) {
      expect(createHash("sha256").update(readFileSync(join(FIXTURES, name))).digest("hex"), name).toBe(sha);
    }
  });
});

const isGit = git(["rev-parse", "--is-inside-work-tree"], REPO).stdout.trim() === "true";
if (!isGit) console.warn(`standalone.test: ${REPO} is not a git checkout; the fresh-clone test is skipped`);

describe.skipIf(!isGit)("a fresh clone with nothing beside it", () => {
  let tmp = "";
  afterAll(() => {
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
  });

  it(
    "passes every test file that reads test/fixtures, with CI and ESPRUINO_SRC unset",
    () => {
      const head = git(["rev-parse", "HEAD"], REPO).stdout.trim();
      expect(head).toMatch(/^[0-9a-f]{40}$/);
      const dirty = git(["status", "--porcelain", "--untracked-files=no"], REPO).stdout.trim();
      if (dirty !== "") console.warn(`standalone.test: testing HEAD ${head.slice(0, 12)}; uncommitted changes are not in the clone:\n${dirty}`);

      tmp = realpathSync(mkdtempSync(join(tmpdir(), "zbms-clone-"))); // vitest reports real paths
      const clone = join(tmp, "zbms");
      // --shared: objects are borrowed from the checkout (no copy); the work tree is HEAD's.
      const c = git(["clone", "--quiet", "--shared", "--no-checkout", REPO, clone], tmp);
      expect(c.status, c.stderr).toBe(0);
      const co = git(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", head], clone);
      expect(co.status, co.stderr).toBe(0);
      expect(existsSync(join(tmp, "shared"))).toBe(false);
      expect(readdirSync(tmp)).toEqual(["zbms"]);

      // node_modules: a folder of links to the installed packages, so the clone's own bundle
      // cache (node_modules/.cache) is its own and finds the clone's sources.
      const nm = join(clone, "node_modules");
      mkdirSync(nm);
      for (const name of readdirSync(join(REPO, "node_modules"))) {
        if (!NOT_LINKED.includes(name)) symlinkSync(join(REPO, "node_modules", name), join(nm, name));
      }

      const grep = git(["grep", "-l", "-e", "fixtures", "--", "test/*.test.ts"], clone);
      const files = grep.stdout.split("\n").filter((f) => f !== "" && f !== "test/repo/standalone.test.ts");
      expect(files).toContain("test/shared/cycles/realData.test.ts");
      expect(files).toContain("test/host/analyze/agreement.test.ts");

      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env)) {
        if (k === "CI" || k === "ESPRUINO_SRC" || k === "NODE_OPTIONS" || k.startsWith("VITEST") || k.startsWith("ZBMS_")) continue;
        env[k] = v;
      }
      const report = join(tmp, "report.json");
      const r = spawnSync(
        process.execPath,
        [join(nm, "vitest", "vitest.mjs"), "run", "--reporter=json", `--outputFile=${report}`, ...files],
        { cwd: clone, env, encoding: "utf8", timeout: CLONE_RUN_TIMEOUT_MS - 10_000 },
      );
      const tail = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.slice(-4000);
      expect(r.error, tail).toBeUndefined();
      expect(r.status, tail).toBe(0);
      const j = JSON.parse(readFileSync(report, "utf8")) as {
        success: boolean;
        numTotalTests: number;
        numPassedTests: number;
        numFailedTests: number;
        testResults: { name: string; status: string }[];
      };
      expect(j.success).toBe(true);
      expect(j.numFailedTests).toBe(0);
      expect(j.numPassedTests).toBeGreaterThan(50);
      expect(j.testResults.map((t) => relative(clone, t.name)).sort()).toEqual([...files].sort());
      for (const t of j.testResults) expect(t.status, t.name).toBe("passed");
    },
    CLONE_RUN_TIMEOUT_MS,
  );
});
