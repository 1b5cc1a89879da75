/**
 * Read an input on a worker thread while the caller (the model replay) works on the main
 * thread: parsing and replay overlap on two cores. Formats whose records carry per-cell arrays
 * (zbms logs) are read in-thread instead.
 *
 * Start-up: the worker is bundled from readWorker.ts with esbuild (≈ 50 ms; works the same
 * under tsx, vitest, plain node and the CLI's own bundle) and boots in ≈ 30 ms. The bundle is
 * cached on disk by host/build/cachedBundle.mjs (node_modules/.cache/zbms, keyed by the
 * contents of every file in it), and a read can be
 * started before its consumer is ready (`startWorkerRead`, e.g. before the profile pass), so
 * that the worker boots, and reads its first batches, while the main thread does other work.
 *
 * Batches: the worker sends its records in Float64Array batches (layout: batchLayout.ts) over
 * SharedArrayBuffers (no copy, nothing detached: see readWorker.ts for why not transfers).
 * Once a batch's consumer has returned, its slot number goes back to the worker on a dedicated
 * MessageChannel port, and only then is the batch acknowledged (the Atomics counter pair the
 * worker waits on); the worker refills returned buffers and allocates only when none has come
 * back, so a read uses at most MAX_BATCH_BUFFERS of them (5 MiB) however long the input,
 * instead of allocating and dropping one per batch (≈ 610 of 1 MiB per 10⁷ records). A
 * consumer therefore must not keep a batch after its call returns: the worker refills it.
 *
 * Column mode (`columns` option, used by the analysis replay): the worker also runs the replay's
 * pass 1 (rowColumns.ts) and sends column batches; pass 1 needs the profile pass's plot and
 * dQ/dV ranges, which `setColumnParams` hands over once the profile is done (the worker parses
 * its first batch meanwhile, then waits). The plot series and impedance count come with the
 * end of the read (`columnResult`). This takes pass 1 (≈ 20 ns per row) off the main thread,
 * which steps the model: on two cores the parse plus pass 1 and the model then take about as
 * long as each other.
 */
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { cachedBundle, type BundleSpec } from "../build/cachedBundle.mjs";
import { REPO_ROOT } from "../repoRoot";
import { ImportError, newRecord, type ImportedRecord, type Importer, type ImportStats, type ProgressFn, type ReadOptions } from "../import/record";
import { unpackRecord } from "./batchLayout";
import { columnParamsBuffer, setColumnParams, type ColumnParams, type PlotSeries } from "./rowColumns";

/**
 * The worker blocks (Atomics.wait) while MAX_IN_FLIGHT batches are unacknowledged. Waking it
 * costs the main thread ~0.5 ms (an Atomics.notify that finds a waiter: 560 wakes took 300 ms
 * per 10⁷ records when every batch woke it, measured on the 2-core machine, 2026-11-24), so it
 * is woken only when its batches in flight have fallen to this many (< MAX_IN_FLIGHT; the
 * main thread always reaches it: while the worker waits, every batch in flight is queued here).
 */
const WAKE_AT_IN_FLIGHT = 1;

/** The read worker's bundle (self-contained CommonJS, run with `new Worker(code, { eval: true })`). */
const WORKER_BUNDLE: BundleSpec = {
  name: "readWorker",
  root: REPO_ROOT,
  entry: "host/analyze/readWorker.ts",
  options: { bundle: true, platform: "node", format: "cjs", target: "node20" },
  extraInputs: ["tsconfig.json"],
};

let workerCode: string | null = null;

/** The worker's code: cached in this process, else from the disk cache (cachedBundle.mjs), else bundled now. */
function bundledWorker(): string {
  if (workerCode !== null) return workerCode;
  const b = cachedBundle(WORKER_BUNDLE);
  if (b === null) throw new Error("esbuild is not installed (run `npm install`): the read worker cannot be bundled");
  return (workerCode = b.code);
}

/** True when `imp` can be read on a worker (records without per-cell arrays). */
export function canReadInWorker(imp: Importer): boolean {
  return imp.format !== "zbms-log";
}

interface BatchMsg {
  kind: "batch";
  count: number;
  /** Column mode: restored rows in the batch (RowColumnizer.columnize); else 0. */
  restoredRows: number;
  /** Over a SharedArrayBuffer the worker refills once `slot` is returned. */
  data: Float64Array;
  /** The buffer's number, to return on the return port when the batch is consumed. */
  slot: number;
  progress: number;
}
interface DoneMsg {
  kind: "done";
  stats: ImportStats;
  /** Column mode: what pass 1 kept over the whole input. */
  columns?: ColumnResult;
}
interface ErrorMsg {
  kind: "error";
  name: string;
  message: string;
}
type WorkerMsg = BatchMsg | DoneMsg | ErrorMsg;

/**
 * Receives a batch of `count` records (layout: batchLayout.ts; count ≤ BATCH_RECORDS), or in
 * column mode `count` rows of pass 1's columns (rowColumns.ts, COLUMN_BATCH_ROWS rows per
 * column) and how many of them are restored rows. The array is valid only during the call:
 * when the call returns, its buffer goes back to the worker, which refills it with later
 * records (a kept reference sees them change). Copy out what must outlive the call.
 */
export type BatchFn = (data: Float64Array, count: number, restoredRows: number) => void;

/** What pass 1 (rowColumns.ts) kept over the whole input, sent with the end of a column-mode read. */
export interface ColumnResult {
  series: PlotSeries;
  impedanceRows: number;
}

/**
 * Column mode (WorkerReadOptions.columns): the worker runs pass 1 of the replay on its records
 * (rowColumns.ts) and sends column batches. Its bucket and bin parameters come from the profile
 * pass, which runs after the read has started: the worker waits for `setColumnParams` before
 * its first batch.
 */
export interface WorkerReadOptions extends ReadOptions {
  columns?: { zeroIsOpen: boolean };
}

interface Consumer {
  onRecord: (r: ImportedRecord) => void;
  onProgress?: ProgressFn;
  onBatch?: BatchFn;
  resolve: (s: ImportStats) => void;
  reject: (e: Error) => void;
}

/**
 * What the replay needs of a read that hands it batches: WorkerRead below, and the JIT warm-up's
 * synthetic read (warmUp.ts).
 */
export interface BatchRead {
  readonly format: string;
  readonly path: string;
  readonly cyclerColumns: boolean;
  /** Column mode's zero-current rule, or null for a record-mode read. */
  readonly columnsZeroIsOpen: boolean | null;
  consume(onRecord: (r: ImportedRecord) => void, onProgress?: ProgressFn, onBatch?: BatchFn): Promise<ImportStats>;
  setColumnParams(p: Omit<ColumnParams, "zeroIsOpen">): void;
  columnResult(): ColumnResult;
  cancel(): void;
}

/**
 * A read running on a worker thread. It starts at construction; its batches wait (at most
 * MAX_IN_FLIGHT of them: the worker blocks) until `consume` is called. Call `cancel` if it
 * will not be consumed.
 */
export class WorkerRead implements BatchRead {
  readonly format: string;
  readonly path: string;
  readonly cyclerColumns: boolean;
  /** Column mode's zero-current rule, or null for a record-mode read. */
  readonly columnsZeroIsOpen: boolean | null;
  private readonly counters: Int32Array;
  /** Column mode: the parameters shared with the worker (rowColumns.ts columnParamsBuffer). */
  private readonly params: SharedArrayBuffer | null;
  private columnResult_: ColumnResult | null = null;
  private readonly worker: Worker;
  /** Our end of the channel on which consumed batches' slots go back to the worker. */
  private readonly returnPort: MessagePort;
  private readonly pending: WorkerMsg[] = [];
  private consumer: Consumer | null = null;
  private readonly rec = newRecord();
  private settled = false;
  /** An error or exit reported before `consume` (applied after the queued messages). */
  private early: { err: Error | null; stats?: ImportStats } | null = null;

  constructor(imp: Importer, path: string, opts: WorkerReadOptions = {}) {
    this.format = imp.format;
    this.path = path;
    this.cyclerColumns = opts.cyclerColumns !== false;
    this.columnsZeroIsOpen = opts.columns ? opts.columns.zeroIsOpen : null;
    this.params = opts.columns ? columnParamsBuffer() : null;
    const shared = new SharedArrayBuffer(8);
    /** [0] batches sent (by the worker), [1] batches acknowledged (here). */
    this.counters = new Int32Array(shared);
    const channel = new MessageChannel();
    this.returnPort = channel.port1;
    this.worker = new Worker(bundledWorker(), {
      eval: true,
      workerData: {
        format: imp.format,
        path,
        cyclerColumns: this.cyclerColumns,
        counters: shared,
        returnPort: channel.port2,
        columns: opts.columns ? { zeroIsOpen: opts.columns.zeroIsOpen, params: this.params } : undefined,
      },
      transferList: [channel.port2],
    });
    this.worker.on("message", (m: WorkerMsg) => {
      if (this.consumer === null) this.pending.push(m);
      else this.handle(m);
    });
    this.worker.on("error", (e) => this.finish(e));
    this.worker.on("exit", (code) => {
      if (!this.settled) this.finish(new Error(`read worker exited with code ${code} before finishing ${path}`));
    });
  }

  /**
   * Deliver every record (or batch, with `onBatch`: see BatchFn, valid only during the call)
   * to the caller; resolves at the end of the input.
   */
  consume(onRecord: (r: ImportedRecord) => void, onProgress?: ProgressFn, onBatch?: BatchFn): Promise<ImportStats> {
    if (this.consumer !== null || this.settled) return Promise.reject(new Error(`the worker read of ${this.path} is already consumed or cancelled`));
    if (this.params !== null && onBatch === undefined) {
      return Promise.reject(new Error(`the worker read of ${this.path} sends column batches: consume it with a batch callback`));
    }
    return new Promise<ImportStats>((resolvePromise, reject) => {
      this.consumer = { onRecord, onProgress, onBatch, resolve: resolvePromise, reject };
      while (this.pending.length > 0 && !this.settled) this.handle(this.pending.shift() as WorkerMsg);
      if (this.early !== null) this.finish(this.early.err, this.early.stats);
    });
  }

  /**
   * Column mode: hand pass 1 its plot buckets and dQ/dV bins (rowColumns.ts); the worker sends
   * nothing before this is called. Call it once, before or after `consume`.
   */
  setColumnParams(p: Omit<ColumnParams, "zeroIsOpen">): void {
    if (this.params === null) throw new Error(`the worker read of ${this.path} is not in column mode`);
    setColumnParams(this.params, p);
  }

  /** Column mode, after the read resolved: what pass 1 kept (plot series, impedance rows). */
  columnResult(): ColumnResult {
    if (this.columnResult_ === null) throw new Error(`the worker read of ${this.path} has no column result (not in column mode, or not finished)`);
    return this.columnResult_;
  }

  /** Stop the worker (no effect once the read has finished). */
  cancel(): void {
    if (this.settled) return;
    this.settled = true;
    this.pending.length = 0;
    void this.worker.terminate();
    this.returnPort.close();
    if (this.consumer !== null) this.consumer.reject(new Error(`the worker read of ${this.path} was cancelled`));
  }

  private handle(m: WorkerMsg): void {
    const c = this.consumer as Consumer;
    if (this.settled) return;
    if (m.kind === "batch") {
      try {
        if (c.onBatch) {
          c.onBatch(m.data, m.count, m.restoredRows);
        } else {
          for (let k = 0; k < m.count; k++) {
            unpackRecord(m.data, k, this.rec);
            c.onRecord(this.rec);
          }
        }
      } catch (e) {
        this.finish(e as Error);
        return;
      }
      // The consumer may have cancelled the read from its callback.
      if (this.settled) return;
      // The buffer goes back before the batch is acknowledged, so that a worker that sees the
      // acknowledgement finds the buffer on its port (readWorker.ts relies on it).
      this.returnPort.postMessage(m.slot);
      // Wake the worker (if it waits) only once its batches in flight are down to
      // WAKE_AT_IN_FLIGHT, so that it refills several per wake.
      const ackedNow = Atomics.add(this.counters, 1, 1) + 1;
      if (Atomics.load(this.counters, 0) - ackedNow <= WAKE_AT_IN_FLIGHT) Atomics.notify(this.counters, 1);
      if (c.onProgress) c.onProgress(m.progress);
    } else if (m.kind === "done") {
      if (m.columns !== undefined) this.columnResult_ = m.columns;
      if (c.onProgress) c.onProgress(1);
      this.finish(null, m.stats);
    } else {
      this.finish(m.name === "ImportError" ? new ImportError(m.message) : new Error(m.message));
    }
  }

  private finish(err: Error | null, stats?: ImportStats): void {
    if (this.settled) return;
    const c = this.consumer;
    if (c === null) {
      // Before consume(): keep the first outcome; consume() applies it after the queued messages
      // (a worker that read everything and exited has its "done" among them).
      if (this.early === null) this.early = { err, stats };
      return;
    }
    this.settled = true;
    void this.worker.terminate();
    this.returnPort.close();
    this.pending.length = 0;
    if (err) c.reject(err);
    else c.resolve(stats as ImportStats);
  }
}

/** Start reading `path` on a worker now; consume it later (see WorkerRead). */
export function startWorkerRead(imp: Importer, path: string, opts: WorkerReadOptions = {}): WorkerRead {
  return new WorkerRead(imp, path, opts);
}

export function readInWorker(
  imp: Importer,
  path: string,
  onRecord: (r: ImportedRecord) => void,
  onProgress?: ProgressFn,
  opts: ReadOptions = {},
  /** When given, whole batches go here instead of record by record (faster: no record object); see BatchFn. */
  onBatch?: BatchFn,
): Promise<ImportStats> {
  return new WorkerRead(imp, path, opts).consume(onRecord, onProgress, onBatch);
}
