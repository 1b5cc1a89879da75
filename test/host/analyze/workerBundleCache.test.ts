import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = resolve(__dirname, "..", "..", "..");
const CACHE = join(REPO, "node_modules", ".cache", "zbms");
const PYBAMM = resolve(REPO, "test", "fixtures", "realdata", "pybamm_dfn_chen2020_charge_discharge_75.csv");
const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

/** Read a file on the worker in a fresh process (no bundle kept in memory); returns its record count. */
function readInFreshProcess(): number {
  const dir = mkdtempSync(join(tmpdir(), "zbms-bundle-"));
  const script = join(dir, "read.mts");
  writeFileSync(
    script,
    `import { readInWorker } from ${JSON.stringify(join(REPO, "host/analyze/parallelRead.ts"))};
import { pybammImporter } from ${JSON.stringify(join(REPO, "host/import/pybamm.ts"))};
const st = await readInWorker(pybammImporter, ${JSON.stringify(PYBAMM)}, () => undefined);
process.stdout.write(String(st.records));
`,
  );
  return Number(execFileSync(process.execPath, ["--import", "tsx", script], { cwd: REPO, encoding: "utf8", timeout: 60000 }));
}

interface Manifest {
  inputs: string[];
  hash: string;
  codeHash: string;
}

function manifestOfThisCheckout(): Manifest {
  const name = `readWorker-${sha256(REPO).slice(0, 12)}.json`;
  expect(readdirSync(CACHE)).toContain(name);
  return JSON.parse(readFileSync(join(CACHE, name), "utf8")) as Manifest;
}

describe("the read worker's bundle cache (node_modules/.cache/zbms)", () => {
  it("lists every source of the bundle and its code's hash", () => {
    const records = readInFreshProcess();
    expect(records).toBeGreaterThan(0);
    const m = manifestOfThisCheckout();
    expect(m.inputs).toContain("host/analyze/readWorker.ts");
    expect(m.inputs).toContain("host/import/pybamm.ts");
    const code = readFileSync(join(CACHE, `readWorker-${m.hash}.cjs`), "utf8");
    expect(sha256(code)).toBe(m.codeHash);
  }, 120000);

  it("a damaged cached bundle is rebuilt, not run", () => {
    const before = readInFreshProcess();
    const m = manifestOfThisCheckout();
    const file = join(CACHE, `readWorker-${m.hash}.cjs`);
    appendFileSync(file, "\nthrow new Error('damaged cache');\n");
    expect(readInFreshProcess()).toBe(before);
    const again = manifestOfThisCheckout();
    expect(sha256(readFileSync(join(CACHE, `readWorker-${again.hash}.cjs`), "utf8"))).toBe(again.codeHash);
  }, 120000);
});
