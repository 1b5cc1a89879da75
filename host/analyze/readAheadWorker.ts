/**
 * The read-ahead worker (readAhead.ts): reads one input with its importer and posts the records
 * in batches (RECORD_FIELDS numbers per record, transferred, never shared); the read pauses
 * before its next chunk while MAX_BATCHES_IN_FLIGHT batches wait for the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { importerFor } from "../import/detect";
import type { FormatId, ImportedRecord } from "../import/record";
import { BATCH_RECORDS, MAX_BATCHES_IN_FLIGHT, RECORD_FIELDS, packRecord, type ReadAheadData, type WorkerMessage } from "./readAheadLayout";

const data = workerData as ReadAheadData;
let inFlight = 0;
let wake: (() => void) | null = null;
parentPort?.on("message", () => {
  // The main thread consumed a batch.
  inFlight--;
  const w = wake;
  wake = null;
  if (w) w();
});

function post(msg: WorkerMessage, transfer?: ArrayBuffer[]): void {
  parentPort?.postMessage(msg, transfer);
}

async function run(): Promise<void> {
  let batch = new Float64Array(BATCH_RECORDS * RECORD_FIELDS);
  let count = 0;
  let lastFrac = -1;
  const flush = (): void => {
    if (count === 0) return;
    inFlight++;
    post({ kind: "batch", batch, count }, [batch.buffer as ArrayBuffer]);
    batch = new Float64Array(BATCH_RECORDS * RECORD_FIELDS);
    count = 0;
  };
  const onRecord = (r: ImportedRecord): void => {
    packRecord(batch, count, r);
    count++;
    if (count === BATCH_RECORDS) flush();
  };
  const pause = (): Promise<void> | undefined => (inFlight >= MAX_BATCHES_IN_FLIGHT ? new Promise<void>((resolve) => (wake = resolve)) : undefined);
  const progress = (frac: number): void => {
    if (frac - lastFrac >= PROGRESS_STEP || frac === 1) {
      lastFrac = frac;
      post({ kind: "progress", frac });
    }
  };
  const stats = await importerFor(data.format as FormatId).read(data.path, onRecord, progress, undefined, { cyclerColumns: data.cyclerColumns, pause });
  flush();
  post({ kind: "done", stats });
}

/** Progress is posted in steps of this fraction of the input. */
const PROGRESS_STEP = 0.01;

run().catch((e: unknown) => {
  post({ kind: "error", name: e instanceof Error ? e.name : "Error", message: e instanceof Error ? e.message : String(e) });
});
