/**
 * Worker-thread entry of the parallel reader (parallelRead.ts): reads the file and ships its
 * records to the main thread in Float64Array batches over shared memory, so parsing overlaps
 * with the model replay. Formats where numericFastEligible() holds (BDF) are parsed straight
 * into the batches (host/import/numericFast.ts); the others go through their importer and
 * packRecord. Flow control: at most MAX_IN_FLIGHT batches unacknowledged (the worker blocks on
 * a shared counter), so memory stays flat.
 *
 * Buffers circulate: each batch buffer lives in a SharedArrayBuffer and has a slot number; the
 * main thread posts a batch's slot back on a dedicated MessageChannel port once its consumer is
 * done with it, before acknowledging the batch. This thread runs a synchronous parse loop and
 * blocks in Atomics.wait, so it never sees a message event: it picks the returned slots up with
 * receiveMessageOnPort when it needs a batch to fill (right after each send, so also right after
 * any wait), and allocates only when none has come back. Since a slot is returned before it is
 * acknowledged, every buffer that is not in flight is on that port or in `freeSlots` when a
 * batch is needed, so at most MAX_BATCH_BUFFERS exist.
 *
 * Shared memory rather than transferring the buffers back and forth: a transfer detaches the
 * sender's ArrayBuffer, and the first detach in an isolate makes V8 check every typed-array
 * access of its optimised code for detachment from then on (its ArrayBufferDetaching
 * protector): the main thread's replay took ≈ 70 ms more CPU per 10⁷ rows (0.77 → 0.84 s,
 * median of 9, measured 2026-11-25 on the 2-core machine by detaching one 8-byte buffer at
 * start-up). Nothing is detached here or on the main thread.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { importerFor } from "../import/detect";
import { copyRecordFields, numericFastEligible, readTabularNumeric } from "../import/numericFast";
import type { FormatId, ImportedRecord, ImportStats } from "../import/record";
import { BATCH_RECORDS, FIELDS_PER_RECORD, MAX_IN_FLIGHT, packRecord } from "./batchLayout";

interface WorkerInput {
  format: FormatId;
  path: string;
  cyclerColumns: boolean;
  /** Int32Array over a SharedArrayBuffer: [0] batches sent, [1] batches acknowledged. */
  counters: SharedArrayBuffer;
  /** Where the main thread returns each consumed batch (its slot number, one per message). */
  returnPort: MessagePort;
}

const input = workerData as WorkerInput;
const counters = new Int32Array(input.counters);
const port = parentPort;
if (!port) throw new Error("readWorker must run in a worker thread");

let lastProgress = 0;
/** Every batch buffer of this read, by slot number (shared with the main thread). */
const buffers: Float64Array[] = [];
/** Slots the main thread has returned and this thread has not refilled yet. */
const freeSlots: number[] = [];

/** A batch to fill: a returned buffer when one has come back, else a new one. */
function nextBatch(): Float64Array {
  for (let m = receiveMessageOnPort(input.returnPort); m !== undefined; m = receiveMessageOnPort(input.returnPort)) {
    freeSlots.push(m.message as number);
  }
  const slot = freeSlots.pop();
  if (slot !== undefined) return buffers[slot];
  const b = new Float64Array(new SharedArrayBuffer(BATCH_RECORDS * FIELDS_PER_RECORD * Float64Array.BYTES_PER_ELEMENT));
  buffers.push(b);
  return b;
}

/** Send `data` holding `count` records to the main thread (waiting while too many are in flight); returns the batch to fill next. */
function send(data: Float64Array, count: number): Float64Array {
  const slot = buffers.indexOf(data);
  if (slot < 0) throw new Error("readWorker: a batch to send must be one nextBatch() handed out");
  // Wait with the acknowledged count the room check saw: Atomics.wait returns at once if it has
  // changed since. (Loading it afresh for the wait, as this loop once did, could miss the main
  // thread's wake-up: were this thread preempted between the two loads while the main thread
  // acknowledged every batch in flight and notified, it then waited for a count that no longer
  // changes. Seen once, 2026-11-25, on a loaded 2-core machine: a worker read of
  // /tmp/long.bdf.csv (bench/parseSpeed.ts) hung, main thread in epoll_wait, worker in a futex.)
  for (;;) {
    const acked = Atomics.load(counters, 1);
    if (Atomics.load(counters, 0) - acked < MAX_IN_FLIGHT) break;
    Atomics.wait(counters, 1, acked);
  }
  Atomics.add(counters, 0, 1);
  port!.postMessage({ kind: "batch", count, data, slot, progress: lastProgress });
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
    // The reader hands out its own buffer, valid during the call only: copy into a shared batch.
    let current = nextBatch();
    done(readTabularNumeric(fastFormat, input.path, (batch, count) => {
      copyRecordFields(batch, current, count);
      current = send(current, count);
    }, { onProgress }));
  } catch (e) {
    failed(e);
  }
} else {
  readGeneric();
}
