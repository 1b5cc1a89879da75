/**
 * Read an input on a worker thread while the caller (the model replay) works on the main
 * thread: parsing and replay overlap on two cores. The worker is bundled from readWorker.ts
 * with esbuild at first use (works the same under tsx, vitest and plain node). Formats whose
 * records carry per-cell arrays (zbms logs) are read in-thread instead.
 */
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { buildSync } from "esbuild";
import { ImportError, newRecord, type ImportedRecord, type Importer, type ImportStats, type ProgressFn, type ReadOptions } from "../import/record";
import { unpackRecord } from "./batchLayout";

/**
 * The worker blocks (Atomics.wait) while MAX_IN_FLIGHT batches are unacknowledged. Waking it
 * costs the main thread ~0.5 ms (an Atomics.notify that finds a waiter: 560 wakes took 300 ms
 * per 10⁷ records when every batch woke it, measured on the 2-core machine, 2026-11-24), so it
 * is woken only when its batches in flight have fallen to this many (< MAX_IN_FLIGHT; the
 * main thread always reaches it: while the worker waits, every batch in flight is queued here).
 */
const WAKE_AT_IN_FLIGHT = 1;

let workerCode: string | null = null;

function bundledWorker(): string {
  if (workerCode !== null) return workerCode;
  const entry = join(dirname(fileURLToPath(import.meta.url)), "readWorker.ts");
  const out = buildSync({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", target: "node20", write: false, logLevel: "silent" });
  workerCode = out.outputFiles[0].text;
  return workerCode;
}

/** True when `imp` can be read on a worker (records without per-cell arrays). */
export function canReadInWorker(imp: Importer): boolean {
  return imp.format !== "zbms-log";
}

interface BatchMsg {
  kind: "batch";
  count: number;
  data: Float64Array;
  progress: number;
}
interface DoneMsg {
  kind: "done";
  stats: ImportStats;
}
interface ErrorMsg {
  kind: "error";
  name: string;
  message: string;
}

export function readInWorker(
  imp: Importer,
  path: string,
  onRecord: (r: ImportedRecord) => void,
  onProgress?: ProgressFn,
  opts: ReadOptions = {},
  /** When given, whole batches go here instead of record by record (faster: no record object). */
  onBatch?: (data: Float64Array, count: number) => void,
): Promise<ImportStats> {
  const counters = new SharedArrayBuffer(8);
  const acked = new Int32Array(counters);
  const worker = new Worker(bundledWorker(), {
    eval: true,
    workerData: { format: imp.format, path, cyclerColumns: opts.cyclerColumns !== false, counters },
  });
  const rec = newRecord();
  return new Promise<ImportStats>((resolvePromise, reject) => {
    let settled = false;
    const finish = (err: Error | null, stats?: ImportStats): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (err) reject(err);
      else resolvePromise(stats as ImportStats);
    };
    worker.on("message", (m: BatchMsg | DoneMsg | ErrorMsg) => {
      if (settled) return;
      if (m.kind === "batch") {
        try {
          if (onBatch) {
            onBatch(m.data, m.count);
          } else {
            for (let k = 0; k < m.count; k++) {
              unpackRecord(m.data, k, rec);
              onRecord(rec);
            }
          }
        } catch (e) {
          finish(e as Error);
          return;
        }
        // Wake the worker (if it waits) only once its batches in flight are down to
        // WAKE_AT_IN_FLIGHT, so that it refills several per wake.
        const ackedNow = Atomics.add(acked, 1, 1) + 1;
        if (Atomics.load(acked, 0) - ackedNow <= WAKE_AT_IN_FLIGHT) Atomics.notify(acked, 1);
        if (onProgress) onProgress(m.progress);
      } else if (m.kind === "done") {
        if (onProgress) onProgress(1);
        finish(null, m.stats);
      } else {
        finish(m.name === "ImportError" ? new ImportError(m.message) : new Error(m.message));
      }
    });
    worker.on("error", (e) => finish(e));
    worker.on("exit", (code) => {
      if (!settled) finish(new Error(`read worker exited with code ${code} before finishing ${path}`));
    });
  });
}
