/**
 * Read-ahead: a tabular input parsed on a worker thread (readAheadWorker.ts) while this thread
 * consumes its records — the parse on one core, the model on the other. Plain messages and
 * transferred batches (readAheadLayout.ts), no shared memory; the worker pauses while
 * MAX_BATCHES_IN_FLIGHT batches wait here. The replay uses it for large inputs.
 *
 * The worker's code is one self-contained bundle of readAheadWorker.ts, built by esbuild and
 * cached like the CLI's (host/bundle/cachedBundle.mjs), run with `new Worker(code, { eval: true })`:
 * the same under tsx, vitest, plain node and the CLI's bundle.
 */
import { Worker } from "node:worker_threads";
import { cachedBundle, type BundleSpec } from "../bundle/cachedBundle.mjs";
import { ImportError, newRecord, type ImportedRecord, type Importer, type ImportStats, type ProgressFn, type ReadOptions } from "../import/record";
import { REPO_ROOT } from "../util/repoRoot";
import { unpackRecord, type ReadAheadData, type WorkerMessage } from "./readAheadLayout";

/** Inputs from this size (bytes) are read ahead by default (ReplayOptions.readAhead). */
export const READ_AHEAD_MIN_BYTES = 8 * 1024 * 1024;

const WORKER_BUNDLE: BundleSpec = {
  name: "readAhead",
  root: REPO_ROOT,
  entry: "host/analyze/readAheadWorker.ts",
  options: { bundle: true, platform: "node", format: "cjs", target: "node20" },
  extraInputs: ["tsconfig.json"],
};

let workerCode: string | null = null;

/** The worker's code: cached in this process, else from the disk cache, else bundled now. */
function bundledWorker(): string {
  if (workerCode !== null) return workerCode;
  const b = cachedBundle(WORKER_BUNDLE);
  if (b === null) throw new Error("esbuild is not installed (run `npm install`): the read-ahead worker cannot be bundled");
  return (workerCode = b.code);
}

/**
 * True when `imp` can be read ahead: its records carry no per-cell arrays (the tabular formats),
 * and the worker's code could be bundled (else the caller reads in-thread: slower, the same result).
 */
export function canReadAhead(imp: Importer): boolean {
  if (imp.tabular === undefined) return false;
  try {
    bundledWorker();
    return true;
  } catch {
    return false;
  }
}

/** `imp.read(path, onRecord, onProgress, undefined, opts)`, with the parse on a worker thread. */
export function readAhead(imp: Importer, path: string, onRecord: (r: ImportedRecord) => void, onProgress?: ProgressFn, opts?: ReadOptions): Promise<ImportStats> {
  const data: ReadAheadData = { format: imp.format, path, cyclerColumns: opts?.cyclerColumns !== false };
  const worker = new Worker(bundledWorker(), { eval: true, workerData: data });
  const rec = newRecord();
  return new Promise<ImportStats>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      void worker.terminate();
      return true;
    };
    const fail = (e: unknown): void => {
      if (settle()) reject(e);
    };
    worker.on("message", (m: WorkerMessage) => {
      if (settled) return;
      if (m.kind === "batch") {
        try {
          for (let k = 0; k < m.count; k++) {
            unpackRecord(m.batch, k, rec);
            onRecord(rec);
          }
        } catch (e) {
          fail(e);
          return;
        }
        worker.postMessage(0); // one batch consumed
      } else if (m.kind === "progress") {
        if (onProgress) onProgress(m.frac);
      } else if (m.kind === "done") {
        if (settle()) resolve(m.stats);
      } else {
        const e = m.name === "ImportError" ? new ImportError(m.message) : new Error(m.message);
        e.name = m.name;
        fail(e);
      }
    });
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the read-ahead worker stopped (exit code ${code}) before the end of ${path}`)));
  });
}
