/**
 * `npx tsx bench/parseSpeed.ts [file] [--chunk BYTES] [--runs N] [--only generic|fast|fast-js|worker]`:
 * times the analyze read worker's parse of a BDF CSV alone (no model replay), four ways:
 * - generic: the BDF importer record by record, packed into Float64Array batches (the worker's
 *   path before host/import/numericFast.ts);
 * - fast: readTabularNumeric (its default engine, the WASM row loop) into its own batch buffer,
 *   with a sink that sums the currents (no batch allocated per call);
 * - fast-js: the same with `engine: "js"` (the JS row loop on every row);
 * - worker: readInWorker with a batch callback that does nothing (parse + transfer to the main
 *   thread, as the replay sees it).
 * Default file: /tmp/long.bdf.csv (make it with bench/analyzeGen.ts generateBdf(path, 1e7)).
 * Last line: one JSON object with the best time of each way (ms) and the records read (for
 * fast: also the rows the WASM loop read itself and those it handed back to JS).
 */
import { statSync } from "node:fs";
import { BATCH_RECORDS, FIELDS_PER_RECORD, packRecord } from "../host/analyze/batchLayout";
import { readInWorker } from "../host/analyze/parallelRead";
import { BDF_FORMAT, bdfImporter } from "../host/import/bdfCsv";
import { readTabularNumeric, type NumericEngine, type NumericReadReport } from "../host/import/numericFast";

const DEFAULT_FILE = "/tmp/long.bdf.csv";
const DEFAULT_RUNS = 3;

function arg(name: string): string | undefined {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1] : undefined;
}

const positional = process.argv.slice(2).filter((a, k, all) => !a.startsWith("--") && (k === 0 || !all[k - 1].startsWith("--")));
const file = positional[0] ?? DEFAULT_FILE;
const runs = Number(arg("--runs") ?? DEFAULT_RUNS);
const chunkArg = arg("--chunk");
const chunkBytes = chunkArg !== undefined ? Number(chunkArg) : undefined;
const only = arg("--only");

/** A checksum over the parsed values so no way can skip work unnoticed. */
function sumBatch(b: Float64Array, count: number): number {
  let s = 0;
  for (let k = 0; k < count; k++) s += b[k * FIELDS_PER_RECORD + 3];
  return s;
}

async function generic(): Promise<{ records: number; sum: number }> {
  let batch = new Float64Array(BATCH_RECORDS * FIELDS_PER_RECORD);
  let n = 0;
  let sum = 0;
  const st = await bdfImporter.read(file, (r) => {
    packRecord(batch, n, r);
    n++;
    if (n === BATCH_RECORDS) {
      sum += sumBatch(batch, n);
      batch = new Float64Array(BATCH_RECORDS * FIELDS_PER_RECORD);
      n = 0;
    }
  }, undefined, undefined, { cyclerColumns: false });
  sum += sumBatch(batch, n);
  return { records: st.records, sum };
}

/** The last fast read's report (which engine ran, how many rows it handed back to JS). */
let lastReport: NumericReadReport | undefined;

function fastWith(engine: NumericEngine): { records: number; sum: number } {
  let sum = 0;
  const st = readTabularNumeric(BDF_FORMAT, file, (b, count) => {
    sum += sumBatch(b, count);
  }, { ...(chunkBytes !== undefined ? { chunkBytes } : {}), engine, onReport: (r) => (lastReport = r) });
  return { records: st.records, sum };
}

async function worker(): Promise<{ records: number; sum: number }> {
  let sum = 0;
  const st = await readInWorker(bdfImporter, file, () => undefined, undefined, { cyclerColumns: false }, (b, count) => {
    sum += sumBatch(b, count);
  });
  return { records: st.records, sum };
}

async function time(name: string, f: () => Promise<{ records: number; sum: number }> | { records: number; sum: number }): Promise<{ ms: number; records: number; sum: number }> {
  let best = Infinity;
  let last = { records: 0, sum: 0 };
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    last = await f();
    const ms = performance.now() - t0;
    process.stderr.write(`${name}: ${ms.toFixed(0)} ms, ${last.records} records\n`);
    if (ms < best) best = ms;
  }
  return { ms: best, ...last };
}

async function main(): Promise<void> {
  const out: Record<string, number | string> = { file, bytes: statSync(file).size };
  const ways = [
    ["generic", generic],
    ["fast", () => fastWith("wasm")],
    ["fast-js", () => fastWith("js")],
    ["worker", worker],
  ] as const;
  for (const [name, f] of ways) {
    if (only !== undefined && only !== name) continue;
    const r = await time(name, f);
    const key = name === "fast-js" ? "fastJs" : name;
    out[`${key}Ms`] = Math.round(r.ms);
    out.records = r.records;
    out[`${key}Sum`] = r.sum;
    if (name === "fast" && lastReport !== undefined) {
      out.fastWasmRecords = lastReport.wasmRecords;
      out.fastOddRows = lastReport.oddRows;
    }
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

void main();
