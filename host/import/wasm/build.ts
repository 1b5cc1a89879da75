/**
 * `npm run build:wasm`: assembles the hand-written WebAssembly modules with wabt (a
 * devDependency) and writes each one's bytes as a base64 string into a generated .ts file:
 * host/import/wasm/numericRows.wat → numericRowsWasm.ts (the BDF parse) and
 * host/analyze/wasm/rowColumns.wat → rowColumnsWasm.ts (the replay's pass 1). The generated
 * files are committed, so the CLI and its esbuild bundles never need wabt at run time;
 * test/host/import/numericRowsWasm.test.ts and test/host/analyze/rowColumnsWasm.test.ts fail
 * when theirs is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The checkout's root (this file is host/import/wasm/build.ts): paths in the generated headers are relative to it. */
const ROOT = join(HERE, "..", "..", "..");

/** One hand-written module: its source, its generated file and the constant that holds its bytes. */
export interface WasmModuleSpec {
  watPath: string;
  generatedPath: string;
  /** Name of the exported base64 constant in the generated file. */
  constName: string;
  /** What the module is, for the generated file's doc comment ("The … WebAssembly module"). */
  title: string;
}

export const NUMERIC_ROWS: WasmModuleSpec = {
  watPath: join(HERE, "numericRows.wat"),
  generatedPath: join(HERE, "numericRowsWasm.ts"),
  constName: "NUMERIC_ROWS_WASM_BASE64",
  title: "numericRows",
};

export const ROW_COLUMNS: WasmModuleSpec = {
  watPath: join(ROOT, "host", "analyze", "wasm", "rowColumns.wat"),
  generatedPath: join(ROOT, "host", "analyze", "wasm", "rowColumnsWasm.ts"),
  constName: "ROW_COLUMNS_WASM_BASE64",
  title: "rowColumns",
};

/** Every module `npm run build:wasm` builds. */
export const WASM_MODULES: readonly WasmModuleSpec[] = [NUMERIC_ROWS, ROW_COLUMNS];

/** Base64 characters per line of the generated file (keeps diffs and editors sane). */
const BASE64_LINE_CHARS = 100;

/** A module's .wat assembled: its bytes (no name section, so they depend on the code alone). */
export async function assemble(spec: WasmModuleSpec): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const name = spec.watPath.slice(dirname(spec.watPath).length + 1);
  const mod = wabt.parseWat(name, readFileSync(spec.watPath, "utf8"));
  try {
    mod.validate();
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/** numericRows.wat assembled. */
export function assembleNumericRows(): Promise<Uint8Array> {
  return assemble(NUMERIC_ROWS);
}

/** rowColumns.wat assembled. */
export function assembleRowColumns(): Promise<Uint8Array> {
  return assemble(ROW_COLUMNS);
}

/** The text of a module's generated file for these bytes. */
export function generatedSource(bytes: Uint8Array, spec: WasmModuleSpec = NUMERIC_ROWS): string {
  const b64 = Buffer.from(bytes).toString("base64");
  const lines: string[] = [];
  for (let k = 0; k < b64.length; k += BASE64_LINE_CHARS) lines.push(`  "${b64.slice(k, k + BASE64_LINE_CHARS)}"`);
  return [
    `// GENERATED from ${relative(ROOT, spec.watPath)} by \`npm run build:wasm\` (host/import/wasm/build.ts).`,
    "// Do not edit by hand: edit the .wat and run `npm run build:wasm`.",
    `/** The ${spec.title} WebAssembly module (${bytes.length} bytes), base64. */`,
    `export const ${spec.constName} =`,
    lines.join(" +\n") + ";",
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  for (const spec of WASM_MODULES) {
    const bytes = await assemble(spec);
    writeFileSync(spec.generatedPath, generatedSource(bytes, spec));
    process.stdout.write(`wrote ${spec.generatedPath} (${bytes.length} bytes of WebAssembly)\n`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) void main();
