import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildBundle, bundleCacheDir, cachedBundle, esbuildVersion, freshBundle, manifestPath, type BundleManifest, type BundleSpec } from "../../../host/bundle/cachedBundle.mjs";

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

/** Run a CommonJS bundle and return what it exports. */
function runCjs(code: string): { value: number } {
  const mod = { exports: {} as { value: number } };
  new Function("module", "exports", code)(mod, mod.exports);
  return mod.exports;
}

let root = "";
let spec: BundleSpec;

function writeProject(depValue: number): void {
  writeFileSync(join(root, "entry.ts"), `import { dep } from "./dep";\nexport const value: number = dep + 1;\n`);
  writeFileSync(join(root, "dep.ts"), `export const dep: number = ${depValue};\n`);
  writeFileSync(join(root, "settings.json"), `{"a": 1}\n`);
}

function manifest(): BundleManifest {
  return JSON.parse(readFileSync(manifestPath(spec), "utf8")) as BundleManifest;
}

/** The cached code files of `spec` (name-<64 hex>.cjs). */
function codeFiles(): string[] {
  return readdirSync(spec.cacheDir as string).filter((f) => /^proj-[0-9a-f]{64}\.cjs$/.test(f));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "zbms-cached-bundle-"));
  writeProject(41);
  spec = {
    name: "proj",
    root,
    entry: "entry.ts",
    options: { bundle: true, platform: "node", format: "cjs", target: "node20" },
    extraInputs: ["settings.json"],
    cacheDir: join(root, "cache"),
  };
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("cachedBundle: an esbuild bundle cached by the contents of its inputs", () => {
  it("builds on the first call, then serves the same code from the cache without building", () => {
    expect(freshBundle(spec)).toBeNull();
    const first = cachedBundle(spec);
    expect(first).not.toBeNull();
    expect(first!.built).toBe(true);
    expect(runCjs(first!.code).value).toBe(42);
    const m = manifest();
    expect(m.inputs.sort()).toEqual(["dep.ts", "entry.ts", "settings.json"]);
    expect(m.esbuild).toBe(esbuildVersion());
    expect(first!.file).toBe(join(spec.cacheDir as string, `proj-${m.hash}.cjs`));
    expect(sha256(readFileSync(first!.file!, "utf8"))).toBe(m.codeHash);

    const second = cachedBundle(spec);
    expect(second!.built).toBe(false);
    expect(second!.code).toBe(first!.code);
    expect(second!.file).toBe(first!.file);
  });

  it("a changed input makes the cache stale: rebuilt with the new contents, the superseded code deleted", () => {
    const old = cachedBundle(spec)!;
    writeProject(99);
    expect(freshBundle(spec)).toBeNull();
    const next = cachedBundle(spec)!;
    expect(next.built).toBe(true);
    expect(runCjs(next.code).value).toBe(100);
    expect(existsSync(old.file!)).toBe(false);
    expect(codeFiles()).toEqual([`proj-${manifest().hash}.cjs`]);
  });

  it("a changed extra input (not bundled, e.g. tsconfig.json) makes the cache stale", () => {
    cachedBundle(spec);
    writeFileSync(join(root, "settings.json"), `{"a": 2}\n`);
    expect(freshBundle(spec)).toBeNull();
    expect(cachedBundle(spec)!.built).toBe(true);
  });

  it("a deleted input makes the cache stale", () => {
    cachedBundle(spec);
    rmSync(join(root, "settings.json"));
    expect(freshBundle(spec)).toBeNull();
  });

  it("other build options are another bundle", () => {
    cachedBundle(spec);
    const minified: BundleSpec = { ...spec, options: { ...spec.options, minify: true } };
    expect(freshBundle(minified)).toBeNull();
    const b = cachedBundle(minified)!;
    expect(b.built).toBe(true);
    expect(runCjs(b.code).value).toBe(42);
  });

  it("a damaged cached bundle is rebuilt, not run", () => {
    const first = cachedBundle(spec)!;
    appendFileSync(first.file!, "\nthrow new Error('damaged cache');\n");
    expect(freshBundle(spec)).toBeNull();
    const again = cachedBundle(spec)!;
    expect(again.built).toBe(true);
    expect(runCjs(again.code).value).toBe(42);
    expect(sha256(readFileSync(again.file!, "utf8"))).toBe(manifest().codeHash);
  });

  it("a damaged manifest is rebuilt over", () => {
    cachedBundle(spec);
    writeFileSync(manifestPath(spec), "{ not json");
    expect(freshBundle(spec)).toBeNull();
    expect(cachedBundle(spec)!.built).toBe(true);
    expect(freshBundle(spec)).not.toBeNull();
  });

  it("a failed build throws esbuild's message naming the file", () => {
    writeFileSync(join(root, "dep.ts"), "export const dep: number = ;\n");
    expect(() => buildBundle(spec)).toThrow(/dep\.ts/);
  });

  it("a cache folder that cannot be written still yields the code (file null)", () => {
    const blocker = join(root, "blocker");
    writeFileSync(blocker, "a file where the cache folder would go");
    const b = buildBundle({ ...spec, cacheDir: join(blocker, "cache") })!;
    expect(b.file).toBeNull();
    expect(runCjs(b.code).value).toBe(42);
  });

  it("writes leave no temporary files behind", () => {
    cachedBundle(spec);
    writeProject(7);
    cachedBundle(spec);
    expect(readdirSync(spec.cacheDir as string).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("ZBMS_CACHE_DIR overrides the default folder node_modules/.cache/zbms", () => {
    const saved = process.env.ZBMS_CACHE_DIR;
    try {
      delete process.env.ZBMS_CACHE_DIR;
      expect(bundleCacheDir("/repo")).toBe(join("/repo", "node_modules", ".cache", "zbms"));
      process.env.ZBMS_CACHE_DIR = join(root, "elsewhere");
      expect(bundleCacheDir("/repo")).toBe(join(root, "elsewhere"));
      const b = cachedBundle({ ...spec, cacheDir: undefined })!;
      expect(b.file!.startsWith(join(root, "elsewhere"))).toBe(true);
      expect(statSync(b.file!).isFile()).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.ZBMS_CACHE_DIR;
      else process.env.ZBMS_CACHE_DIR = saved;
    }
  });
});
