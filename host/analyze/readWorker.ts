/**
 * Worker-thread entry of the parallel reader (parallelRead.ts): reads the file and ships its
 * records to the main thread in transferred Float64Array batches, so parsing overlaps with the
 * model replay. Formats where numericFastEligible() holds (BDF) are parsed straight into the
 * batches (host/import/numericFast.ts); the others go through their importer and packRecord.
 * Flow control: at most MAX_IN_FLIGHT batches unacknowledged (the worker blocks on a shared
 * counter), so memory stays flat.
 *
 * Buffers circulate: the main thread transfers each batch's buffer back on a dedicated
 * MessageChannel port once its consumer is done with it, before acknowledging the batch. This
 * thread runs a synchronous parse loop and blocks in Atomics.wait, so it never sees a message
 * event: it picks the returned buffers up with receiveMessageOnPort when it needs a batch to
 * fill (right after each send, i.e. also right after any wait), and allocates only when none
 * has come back. Since a buffer is returned before it is acknowledged, every buffer that is not
 * in flight is waiting on that port when a batch is needed, so at most MAX_BATCH_BUFFERS exist.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { importerFor } from "../import/detect";
import { numericFastEligible, readTabularNumeric } from "../import/numericFast";
import type { FormatId, ImportedRecord, ImportStats } from "../import/record";
import { BATCH_RECORDS, FIELDS_PER_RECORD, MAX_IN_FLIGHT, packRecord } from "./batchLayout";

interface WorkerInput {
  format: FormatId;
  path: string;
  cyclerColumns: boolean;
  /** Int32Array over a SharedArrayBuffer: [0] batches sent, [1] batches acknowledged. */
  counters: SharedArrayBuffer;
  /** Where the main thread transfers each consumed batch back (a Float64Array per message). */
  returnPort: MessagePort;
}

const input = workerData as WorkerInput;
const counters = new Int32Array(input.counters);
const port = parentPort;
if (!port) throw new Error("readWorker must run in a worker thread");

let lastProgress = 0;
/** Buffers the main thread has returned and this thread has not refilled yet. */
const free: Float64Array[] = [];

/** A batch to fill: a returned buffer when one has come back, else a new one. */
function nextBatch(): Float64Array {
  for (let m = receiveMessageOnPort(input.returnPort); m !== undefined; m = receiveMessageOnPort(input.returnPort)) {
    free.push(m.message as Float64Array);
  }
  return free.pop() ?? new Float64Array(BATCH_RECORDS * FIELDS_PER_RECORD);
}

/** Transfer `data` holding `count` records to the main thread (waiting while too many are in flight); returns the batch to fill next. */
function send(data: Float64Array, count: number): Float64Array {
  while (Atomics.load(counters, 0) - Atomics.load(counters, 1) >= MAX_IN_FLIGHT) {
    Atomics.wait(counters, 1, Atomics.load(counters, 1));
  }
  Atomics.add(counters, 0, 1);
  port!.postMessage({ kind: "batch", count, data, progress: lastProgress }, [data.buffer as ArrayBuffer]);
  return nextBatch();
}

function onProgress(frac: number): void {
  lastProgress = frac;
}

function done(stats: ImportStats): void {
  port!.postMessage({ kind: "done", stats });
}

function failed(e: unknown): void {
  port!.postMessage({ kind: "error", name: (e as Error).name, message: (e as Error).message });
}

/** The generic path: the format's importer, one record at a time, packed into batches. */
function readGeneric(): void {
  let batch = nextBatch();
  let n = 0;
  importerFor(input.format)
    .read(
      input.path,
      (r: ImportedRecord) => {
        packRecord(batch, n, r);
        n++;
        if (n === BATCH_RECORDS) {
          batch = send(batch, n);
          n = 0;
        }
      },
      onProgress,
      undefined,
      { cyclerColumns: input.cyclerColumns },
    )
    .then((stats) => {
      if (n > 0) send(batch, n);
      done(stats);
    }, failed);
}

const fastFormat = importerFor(input.format).tabular;
if (fastFormat !== undefined && numericFastEligible(fastFormat)) {
  try {
    // The batch layout carries no cycler column, so cyclerColumns changes nothing here.
    done(readTabularNumeric(fastFormat, input.path, nextBatch(), send, { onProgress }));
  } catch (e) {
    failed(e);
  }
} else {
  readGeneric();
}
