/**
 * `npm run build:wasm`: assembles numericRows.wat with wabt (a devDependency) and writes
 * numericRowsWasm.ts, the module's bytes as a base64 string. The generated file is committed,
 * so the CLI and its esbuild bundles never need wabt at run time;
 * test/host/import/numericRowsWasm.test.ts fails when it is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const HERE = dirname(fileURLToPath(import.meta.url));
export const WAT_PATH = join(HERE, "numericRows.wat");
export const GENERATED_PATH = join(HERE, "numericRowsWasm.ts");

/** Base64 characters per line of the generated file (keeps diffs and editors sane). */
const BASE64_LINE_CHARS = 100;

/** numericRows.wat assembled: the module's bytes (no name section, so they depend on the code alone). */
export async function assembleNumericRows(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat("numericRows.wat", readFileSync(WAT_PATH, "utf8"));
  try {
    mod.validate();
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/** The text of numericRowsWasm.ts for these bytes. */
export function generatedSource(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString("base64");
  const lines: string[] = [];
  for (let k = 0; k < b64.length; k += BASE64_LINE_CHARS) lines.push(`  "${b64.slice(k, k + BASE64_LINE_CHARS)}"`);
  return [
    "// GENERATED from host/import/wasm/numericRows.wat by `npm run build:wasm` (host/import/wasm/build.ts).",
    "// Do not edit by hand: edit the .wat and run `npm run build:wasm`.",
    `/** The numericRows WebAssembly module (${bytes.length} bytes), base64. */`,
    "export const NUMERIC_ROWS_WASM_BASE64 =",
    lines.join(" +\n") + ";",
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const bytes = await assembleNumericRows();
  writeFileSync(GENERATED_PATH, generatedSource(bytes));
  process.stdout.write(`wrote ${GENERATED_PATH} (${bytes.length} bytes of WebAssembly)\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) void main();
