/**
 * Read an input on a worker thread while the caller (the model replay) works on the main
 * thread: parsing and replay overlap on two cores. Formats whose records carry per-cell arrays
 * (zbms logs) are read in-thread instead.
 *
 * Start-up: the worker is bundled from readWorker.ts with esbuild (≈ 50 ms; works the same
 * under tsx, vitest and plain node) and boots in ≈ 30 ms. The bundle is cached on disk
 * (node_modules/.cache/zbms, keyed by the contents of every file in it), and a read can be
 * started before its consumer is ready (`startWorkerRead`, e.g. before the profile pass), so
 * that the worker boots, and reads its first batches, while the main thread does other work.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { buildSync, version as esbuildVersion } from "esbuild";
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

const HERE = dirname(fileURLToPath(import.meta.url));
/** Repository root: esbuild's working directory, so the bundle's inputs are repo-relative. */
const ROOT = resolve(HERE, "..", "..");
const WORKER_ENTRY = join(HERE, "readWorker.ts");
/** Bundle cache folder (the usual place for build caches; ignored by git with node_modules). */
const CACHE_DIR = join(ROOT, "node_modules", ".cache", "zbms");
const BUILD_OPTIONS = { bundle: true, platform: "node", format: "cjs", target: "node20" } as const;

interface BundleManifest {
  /** Repo-relative paths of every file the bundle was built from. */
  inputs: string[];
  /** hashOf(inputs): the bundle is reused only while it matches. */
  hash: string;
  /** sha256 of the bundle's code (a damaged cache file is rebuilt, not run). */
  codeHash: string;
}

let workerCode: string | null = null;

/** Hash of the build (esbuild version, options) and of every input file's path and contents; null if one is unreadable. */
function hashOf(inputs: string[]): string | null {
  const h = createHash("sha256");
  h.update(esbuildVersion + "\0" + JSON.stringify(BUILD_OPTIONS) + "\0");
  for (const rel of inputs) {
    try {
      h.update(rel + "\0");
      h.update(readFileSync(join(ROOT, rel)));
      h.update("\0");
    } catch {
      return null;
    }
  }
  return h.digest("hex");
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function manifestPath(): string {
  // One manifest per checkout: several checkouts may share a cache folder's parent.
  return join(CACHE_DIR, `readWorker-${sha256(ROOT).slice(0, 12)}.json`);
}

function cachedBundle(): string | null {
  try {
    const m = JSON.parse(readFileSync(manifestPath(), "utf8")) as BundleManifest;
    if (!Array.isArray(m.inputs) || typeof m.hash !== "string" || hashOf(m.inputs) !== m.hash) return null;
    const code = readFileSync(join(CACHE_DIR, `readWorker-${m.hash}.cjs`), "utf8");
    return sha256(code) === m.codeHash ? code : null;
  } catch {
    return null;
  }
}

/** Write `text` to `file` atomically (concurrent runs never see half a file). */
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function cacheBundle(inputs: string[], code: string): void {
  const hash = hashOf(inputs);
  if (hash === null) return;
  try {
    let oldHash = "";
    try {
      oldHash = (JSON.parse(readFileSync(manifestPath(), "utf8")) as BundleManifest).hash;
    } catch {
      oldHash = "";
    }
    mkdirSync(CACHE_DIR, { recursive: true });
    writeAtomic(join(CACHE_DIR, `readWorker-${hash}.cjs`), code);
    writeAtomic(manifestPath(), JSON.stringify({ inputs, hash, codeHash: sha256(code) } satisfies BundleManifest));
    // The superseded bundle (a run that read the old manifest just before falls back to a rebuild).
    if (typeof oldHash === "string" && /^[0-9a-f]{64}$/.test(oldHash) && oldHash !== hash) rmSync(join(CACHE_DIR, `readWorker-${oldHash}.cjs`), { force: true });
  } catch {
    // A cache that cannot be written only costs the next run a rebuild.
  }
}

/** The worker's code: cached in this process, else from the disk cache, else bundled now. */
function bundledWorker(): string {
  if (workerCode !== null) return workerCode;
  const cached = cachedBundle();
  if (cached !== null) return (workerCode = cached);
  const out = buildSync({ ...BUILD_OPTIONS, entryPoints: [WORKER_ENTRY], absWorkingDir: ROOT, write: false, metafile: true, logLevel: "silent" });
  workerCode = out.outputFiles[0].text;
  cacheBundle(Object.keys(out.metafile.inputs), workerCode);
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
type WorkerMsg = BatchMsg | DoneMsg | ErrorMsg;

interface Consumer {
  onRecord: (r: ImportedRecord) => void;
  onProgress?: ProgressFn;
  onBatch?: (data: Float64Array, count: number) => void;
  resolve: (s: ImportStats) => void;
  reject: (e: Error) => void;
}

/**
 * A read running on a worker thread. It starts at construction; its batches wait (at most
 * MAX_IN_FLIGHT of them: the worker blocks) until `consume` is called. Call `cancel` if it
 * will not be consumed.
 */
export class WorkerRead {
  readonly format: string;
  readonly path: string;
  readonly cyclerColumns: boolean;
  private readonly counters: Int32Array;
  private readonly worker: Worker;
  private readonly pending: WorkerMsg[] = [];
  private consumer: Consumer | null = null;
  private readonly rec = newRecord();
  private settled = false;
  /** An error or exit reported before `consume` (applied after the queued messages). */
  private early: { err: Error | null; stats?: ImportStats } | null = null;

  constructor(imp: Importer, path: string, opts: ReadOptions = {}) {
    this.format = imp.format;
    this.path = path;
    this.cyclerColumns = opts.cyclerColumns !== false;
    const shared = new SharedArrayBuffer(8);
    /** [0] batches sent (by the worker), [1] batches acknowledged (here). */
    this.counters = new Int32Array(shared);
    this.worker = new Worker(bundledWorker(), {
      eval: true,
      workerData: { format: imp.format, path, cyclerColumns: this.cyclerColumns, counters: shared },
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

  /** Deliver every record (or batch, with `onBatch`) to the caller; resolves at the end of the input. */
  consume(onRecord: (r: ImportedRecord) => void, onProgress?: ProgressFn, onBatch?: (data: Float64Array, count: number) => void): Promise<ImportStats> {
    if (this.consumer !== null || this.settled) return Promise.reject(new Error(`the worker read of ${this.path} is already consumed or cancelled`));
    return new Promise<ImportStats>((resolvePromise, reject) => {
      this.consumer = { onRecord, onProgress, onBatch, resolve: resolvePromise, reject };
      while (this.pending.length > 0 && !this.settled) this.handle(this.pending.shift() as WorkerMsg);
      if (this.early !== null) this.finish(this.early.err, this.early.stats);
    });
  }

  /** Stop the worker (no effect once the read has finished). */
  cancel(): void {
    if (this.settled) return;
    this.settled = true;
    this.pending.length = 0;
    void this.worker.terminate();
    if (this.consumer !== null) this.consumer.reject(new Error(`the worker read of ${this.path} was cancelled`));
  }

  private handle(m: WorkerMsg): void {
    const c = this.consumer as Consumer;
    if (this.settled) return;
    if (m.kind === "batch") {
      try {
        if (c.onBatch) {
          c.onBatch(m.data, m.count);
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
      // Wake the worker (if it waits) only once its batches in flight are down to
      // WAKE_AT_IN_FLIGHT, so that it refills several per wake.
      const ackedNow = Atomics.add(this.counters, 1, 1) + 1;
      if (Atomics.load(this.counters, 0) - ackedNow <= WAKE_AT_IN_FLIGHT) Atomics.notify(this.counters, 1);
      if (c.onProgress) c.onProgress(m.progress);
    } else if (m.kind === "done") {
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
    this.pending.length = 0;
    if (err) c.reject(err);
    else c.resolve(stats as ImportStats);
  }
}

/** Start reading `path` on a worker now; consume it later (see WorkerRead). */
export function startWorkerRead(imp: Importer, path: string, opts: ReadOptions = {}): WorkerRead {
  return new WorkerRead(imp, path, opts);
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
  return new WorkerRead(imp, path, opts).consume(onRecord, onProgress, onBatch);
}
