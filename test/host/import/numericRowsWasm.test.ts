import { spawnSync } from "node:child_process";
import { buildSync } from "esbuild";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { assembleNumericRows } from "../../../host/import/wasm/build";
import { NUMERIC_ROWS_WASM_BASE64 } from "../../../host/import/wasm/numericRowsWasm";

const ROOT = resolve(__dirname, "..", "..", "..");
const dir = mkdtempSync(join(tmpdir(), "zbms-numrows-"));

describe("host/import/wasm/numericRowsWasm.ts (generated)", () => {
  it("holds the bytes numericRows.wat assembles to", async () => {
    const want = Buffer.from(await assembleNumericRows());
    const committed = Buffer.from(NUMERIC_ROWS_WASM_BASE64, "base64");
    expect(
      committed.equals(want),
      "host/import/wasm/numericRowsWasm.ts is stale (numericRows.wat changed since it was generated): run `npm run build:wasm` and commit the result",
    ).toBe(true);
  });
});

describe("the WASM read never detaches an ArrayBuffer", () => {
  it("leaves V8's ArrayBufferDetaching protector intact (no memory.grow, no transfer), long lines and batch ends included", () => {
    const csv = join(dir, "detach.csv");
    let text = "Test Time / s,Voltage / V,Current / A,Cycle Count / 1\n";
    for (let k = 0; k < 5000; k++) text += k === 2500 ? `${k},1.5,0.25,${"7".repeat(20000)}\n` : `${k},1.${k % 1000},-0.${k % 97},1\n`;
    writeFileSync(csv, text);
    const script = join(dir, "detach.ts");
    writeFileSync(
      script,
      [
        `import { readTabularNumeric } from ${JSON.stringify(join(ROOT, "host/import/numericFast.ts"))};`,
        `import { BDF_FORMAT } from ${JSON.stringify(join(ROOT, "host/import/bdfCsv.ts"))};`,
        "let sum = 0;",
        "let report;",
        `for (const chunkBytes of [undefined, 4096]) readTabularNumeric(BDF_FORMAT, ${JSON.stringify(csv)}, (b, n) => { for (let k = 0; k < n; k++) sum += b[k * 8 + 3]; }, { chunkBytes, batchRecords: 1000, onReport: (r) => (report = r) });`,
        "console.log(JSON.stringify({ sum, report }));",
      ].join("\n"),
    );
    // Bundled with esbuild and run by plain node, as the CLI and its read worker run (tsx's
    // loader itself detaches a buffer at start-up).
    const bundle = join(dir, "detach.mjs");
    buildSync({ entryPoints: [script], outfile: bundle, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "silent" });
    const run = spawnSync(process.execPath, ["--trace-protector-invalidation", bundle], { cwd: ROOT, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout + run.stderr;
    // The check is meaningful: the flag does report a detach.
    const detach = spawnSync(process.execPath, ["--trace-protector-invalidation", "-e", "const b = new ArrayBuffer(8); structuredClone(b, { transfer: [b] });"], { encoding: "utf8" });
    expect(detach.stdout + detach.stderr).toMatch(/ArrayBufferDetaching/);
    expect(out).not.toMatch(/ArrayBufferDetaching/);
    const last = JSON.parse(run.stdout.trim().split("\n").pop()!) as { report: { wasmRecords: number; jsBufferChunks: number } };
    expect(last.report.wasmRecords).toBeGreaterThan(4000);
    expect(last.report.jsBufferChunks).toBeGreaterThan(0);
  }, 60000);
});
