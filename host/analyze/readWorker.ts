/**
 * Worker-thread entry of the parallel reader (parallelRead.ts): runs an importer over the file
 * and ships its records to the main thread in transferred Float64Array batches, so parsing
 * overlaps with the model replay. Flow control: at most MAX_IN_FLIGHT batches unacknowledged
 * (the worker blocks on a shared counter), so memory stays flat.
 */
import { parentPort, workerData } from "node:worker_threads";
import { importerFor } from "../import/detect";
import type { FormatId, ImportedRecord } from "../import/record";
import { BATCH_RECORDS, FIELDS_PER_RECORD, MAX_IN_FLIGHT, packRecord } from "./batchLayout";

interface WorkerInput {
  format: FormatId;
  path: string;
  cyclerColumns: boolean;
  /** Int32Array over a SharedArrayBuffer: [0] batches sent, [1] batches acknowledged. */
  counters: SharedArrayBuffer;
}

const input = workerData as WorkerInput;
const counters = new Int32Array(input.counters);
const port = parentPort;
if (!port) throw new Error("readWorker must run in a worker thread");

let batch = new Float64Array(BATCH_RECORDS * FIELDS_PER_RECORD);
let n = 0;
let lastProgress = 0;

function send(): void {
  while (Atomics.load(counters, 0) - Atomics.load(counters, 1) >= MAX_IN_FLIGHT) {
    Atomics.wait(counters, 1, Atomics.load(counters, 1));
  }
  Atomics.add(counters, 0, 1);
  port!.postMessage({ kind: "batch", count: n, data: batch, progress: lastProgress }, [batch.buffer]);
  batch = new Float64Array(BATCH_RECORDS * FIELDS_PER_RECORD);
  n = 0;
}

importerFor(input.format)
  .read(
    input.path,
    (r: ImportedRecord) => {
      packRecord(batch, n, r);
      n++;
      if (n === BATCH_RECORDS) send();
    },
    (frac) => {
      lastProgress = frac;
    },
    undefined,
    { cyclerColumns: input.cyclerColumns },
  )
  .then(
    (stats) => {
      if (n > 0) send();
      port.postMessage({ kind: "done", stats });
    },
    (e: unknown) => {
      port.postMessage({ kind: "error", name: (e as Error).name, message: (e as Error).message });
    },
  );
