/**
 * Worker-thread entry of the parallel reader (parallelRead.ts): reads the file and ships its
 * records to the main thread in Float64Array batches over shared memory, so parsing overlaps
 * with the model replay. In column mode (the analysis replay) it also runs the replay's pass 1
 * on them (rowColumns.ts: the model's columns, dQ and bins, plot buckets; run in WebAssembly,
 * wasm/rowColumnsWasmColumnizer.ts, where it can be) and ships columns.
 * Formats where numericFastEligible() holds (BDF) are parsed straight from the bytes
 * (host/import/numericFast.ts); the others go through their importer and packRecord. Flow
 * control: at most MAX_IN_FLIGHT batches unacknowledged (the worker blocks on a shared
 * counter), so memory stays flat.
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
import { COLUMN_BATCH_ROWS, emptyPlotSeries, waitColumnParams } from "./rowColumns";
import { createColumnizer, type Columnizer } from "./wasm/rowColumnsWasmColumnizer";

interface WorkerInput {
  format: FormatId;
  path: string;
  cyclerColumns: boolean;
  /** Int32Array over a SharedArrayBuffer: [0] batches sent, [1] batches acknowledged. */
  counters: SharedArrayBuffer;
  /** Where the main thread returns each consumed batch (its slot number, one per message). */
  returnPort: MessagePort;
  /**
   * Column mode (parallelRead.ts WorkerReadOptions.columns): run pass 1 (rowColumns.ts) and send
   * column batches; `params` (rowColumns.ts columnParamsBuffer) is set by the main thread.
   */
  columns?: { zeroIsOpen: boolean; params: SharedArrayBuffer };
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

/**
 * Send `data` holding `count` records (or rows of columns, `restoredRows` of them restored) to
 * the main thread (waiting while too many are in flight); returns the batch to fill next.
 */
function send(data: Float64Array, count: number, restoredRows = 0): Float64Array {
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
  port!.postMessage({ kind: "batch", count, data, slot, restoredRows, progress: lastProgress });
  return nextBatch();
}

function onProgress(frac: number): void {
  lastProgress = frac;
}

/**
 * Column mode: pass 1, made once the main thread has set its parameters (see WorkerInput.columns):
 * the WebAssembly one (bit for bit the JS RowColumnizer's columns; per 10⁷ rows ≈ 0.1 s instead
 * of ≈ 0.2 s alone, ≈ 0.13 s instead of ≈ 0.2 s beside the main thread), or the JS one where
 * WebAssembly cannot run.
 */
let columnizer: Columnizer | null = null;
/** Column mode: the shared batch pass 1 fills next. */
let columnBatch: Float64Array | null = null;

/**
 * Rows of the first column batch of a read: the main thread waits for it (it has nothing else to
 * do once its profile pass is done), so it is sent after a short pass 1 (≈ 0.1 ms) rather than a
 * full batch's (≈ 7 ms at ≈ 10 ns per row in WebAssembly, ≈ 13 ms at 20 ns in JS).
 */
const FIRST_COLUMN_ROWS = 4096;

/** Column mode: pass 1 over `count` records of `raw` into shared batches, sent. */
function sendColumns(raw: Float64Array, count: number): void {
  let from = 0;
  if (columnizer === null) {
    // The parameters come from the main thread's profile pass: wait for them before the first batch.
    columnizer = createColumnizer(waitColumnParams(input.columns!.params, input.columns!.zeroIsOpen));
    if (count > FIRST_COLUMN_ROWS) {
      sendColumnRows(raw, 0, FIRST_COLUMN_ROWS);
      from = FIRST_COLUMN_ROWS;
    }
  }
  sendColumnRows(raw, from, count);
}

/** Column mode: pass 1 over records [from, to) of `raw` into a shared batch, sent. */
function sendColumnRows(raw: Float64Array, from: number, to: number): void {
  const out = columnBatch ?? nextBatch();
  const records = from === 0 ? raw : raw.subarray(from * FIELDS_PER_RECORD);
  const restored = columnizer!.columnize(records, to - from, out, COLUMN_BATCH_ROWS);
  columnBatch = send(out, to - from, restored);
}

function done(stats: ImportStats): void {
  // Column mode: what pass 1 kept (nothing when the input had no row).
  const columns =
    input.columns === undefined
      ? undefined
      : columnizer !== null
        ? { series: columnizer.series(), impedanceRows: columnizer.impedanceRows }
        : { series: emptyPlotSeries(), impedanceRows: 0 };
  port!.postMessage({ kind: "done", stats, columns });
}

function failed(e: unknown): void {
  port!.postMessage({ kind: "error", name: (e as Error).name, message: (e as Error).message });
}

/** The generic path: the format's importer, one record at a time, packed into batches. */
function readGeneric(): void {
  // Column mode packs into a batch of this thread's own, which pass 1 reads.
  const own = input.columns !== undefined;
  let batch = own ? new Float64Array(BATCH_RECORDS * FIELDS_PER_RECORD) : nextBatch();
  let n = 0;
  importerFor(input.format)
    .read(
      input.path,
      (r: ImportedRecord) => {
        packRecord(batch, n, r);
        n++;
        if (n === BATCH_RECORDS) {
          if (own) sendColumns(batch, n);
          else batch = send(batch, n);
          n = 0;
        }
      },
      onProgress,
      undefined,
      { cyclerColumns: input.cyclerColumns },
    )
    .then((stats) => {
      if (n > 0) {
        if (own) sendColumns(batch, n);
        else send(batch, n);
      }
      done(stats);
    }, failed);
}

const fastFormat = importerFor(input.format).tabular;
if (fastFormat !== undefined && numericFastEligible(fastFormat)) {
  try {
    // The batch layout carries no cycler column, so cyclerColumns changes nothing here.
    if (input.columns !== undefined) {
      // Column mode: pass 1 reads the records straight from the reader's own batch buffer.
      done(readTabularNumeric(fastFormat, input.path, sendColumns, { onProgress }));
    } else {
      // The reader hands out its own buffer, valid during the call only: copy into a shared batch.
      let current = nextBatch();
      done(readTabularNumeric(fastFormat, input.path, (batch, count) => {
        copyRecordFields(batch, current, count);
        current = send(current, count);
      }, { onProgress }));
    }
  } catch (e) {
    failed(e);
  }
} else {
  readGeneric();
}
