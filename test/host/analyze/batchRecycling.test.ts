/**
 * The worker read's batch buffers circulate (parallelRead.ts, readWorker.ts): every consumed
 * batch goes back to the worker, which refills it, so a long read uses at most
 * MAX_BATCH_BUFFERS buffers, gives the in-thread read's records exactly, and still ends cleanly
 * when cancelled from a consumer's callback.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { generateBdf } from "../../../bench/analyzeGen";
import { BATCH_RECORDS, FIELDS_PER_RECORD, F_I, F_LINE, F_RESTORED, F_STEP_KIND, F_T, F_TEMP, F_V, MAX_BATCH_BUFFERS } from "../../../host/analyze/batchLayout";
import { readInWorker, startWorkerRead } from "../../../host/analyze/parallelRead";
import { PARALLEL_MIN_BYTES } from "../../../host/analyze/replay";
import { bdfImporter } from "../../../host/import/bdfCsv";
import { landtRecordImporter } from "../../../host/import/landtRecord";
import type { Importer } from "../../../host/import/record";

const dir = mkdtempSync(join(tmpdir(), "zbms-recycle-"));

/**
 * Rows of the generated files: more batches (6 of BATCH_RECORDS = 65 536) than MAX_BATCH_BUFFERS
 * (5), so that a buffer allocated per batch would show, and a BDF file above PARALLEL_MIN_BYTES
 * (≈ 9.4 MB).
 */
const ROWS = 340_000;
const BATCHES = Math.ceil(ROWS / BATCH_RECORDS);

/** A BDF file from the analyze benchmark's generator (read by numericFast.ts in the worker). */
const bdfPath = join(dir, "long.bdf.csv");
generateBdf(bdfPath, ROWS);

/** A Landt Record-Tab file: its Step-State column sends it through the importer and packRecord. */
const landtPath = join(dir, "long-landt.csv");
{
  const lines = ["TestTime/Sec,Current/mA,Voltage/V,Step-State"];
  for (let k = 0; k < ROWS; k++) {
    const phase = Math.floor(k / 5000) % 3;
    lines.push(`${k * 2},${phase === 0 ? 150 : phase === 1 ? 0 : -150},${(3.5 + 0.0001 * (k % 5000)).toFixed(4)},${phase === 0 ? "CC_C" : phase === 1 ? "R" : "CC_D"}`);
  }
  writeFileSync(landtPath, lines.join("\n") + "\n");
}

/**
 * The one slot of each record the worker never writes (FIELDS_PER_RECORD is the seven F_*
 * fields plus a spare): a consumer can tag a buffer there and recognise it when it comes back.
 */
const SPARE = FIELDS_PER_RECORD - 1;

/** The batch fields of every record, in order, as the in-thread importer gives them. */
async function inThread(imp: Importer, path: string): Promise<number[]> {
  const out: number[] = [];
  await imp.read(path, (r) => {
    out.push(r.line, r.tS, r.voltageV, r.currentA, r.tempC, r.stepKind, r.restored);
  }, undefined, undefined, { cyclerColumns: false });
  return out;
}

/** Reads `path` on the worker with a batch consumer; counts the distinct buffers it is handed. */
async function batchesOnWorker(imp: Importer, path: string): Promise<{ fields: number[]; batches: number; buffers: number }> {
  const fields: number[] = [];
  let batches = 0;
  let buffers = 0;
  await readInWorker(imp, path, () => {
    throw new Error("a batch consumer gets no single record");
  }, undefined, { cyclerColumns: false }, (b, count) => {
    batches++;
    // A new buffer is zero-filled; a returned one keeps the tag it was given on its first trip.
    if (b[SPARE] === 0) b[SPARE] = ++buffers;
    for (let k = 0; k < count; k++) {
      const o = k * FIELDS_PER_RECORD;
      fields.push(b[o + F_LINE], b[o + F_T], b[o + F_V], b[o + F_I], b[o + F_TEMP], b[o + F_STEP_KIND], b[o + F_RESTORED]);
    }
  });
  return { fields, batches, buffers };
}

describe("batch buffers circulate between the read worker and the main thread", () => {
  it("the batch layout has a spare slot per record (the buffer tag below relies on it)", () => {
    expect(Math.max(F_LINE, F_T, F_V, F_I, F_TEMP, F_STEP_KIND, F_RESTORED)).toBeLessThan(SPARE);
  });

  it.each([
    ["BDF (numericFast.ts in the worker)", bdfImporter, bdfPath],
    ["Landt Record-Tab (importer + packRecord in the worker)", landtRecordImporter, landtPath],
  ] as const)("%s: same records as in-thread, in at most MAX_BATCH_BUFFERS buffers", async (_name, imp, path) => {
    const expected = await inThread(imp, path);
    expect(expected.length).toBe(ROWS * 7);
    const got = await batchesOnWorker(imp, path);
    expect(got.batches).toBe(BATCHES);
    expect(got.buffers).toBeLessThanOrEqual(MAX_BATCH_BUFFERS);
    expect(got.fields).toEqual(expected);
  }, 60000);

  it("records delivered one by one (no batch consumer) are the in-thread ones too", async () => {
    const expected = await inThread(bdfImporter, bdfPath);
    const got: number[] = [];
    await readInWorker(bdfImporter, bdfPath, (r) => {
      got.push(r.line, r.tS, r.voltageV, r.currentA, r.tempC, r.stepKind, r.restored);
    });
    expect(got).toEqual(expected);
  }, 60000);

  it("a batch kept after its call is refilled with later records: the array is valid only during the call", async () => {
    const kept: { b: Float64Array; tAtCall: number }[] = [];
    await readInWorker(bdfImporter, bdfPath, () => undefined, undefined, {}, (b) => {
      kept.push({ b, tAtCall: b[F_T] });
    });
    expect(kept.length).toBe(BATCHES);
    expect(kept.map((k) => k.tAtCall)).toEqual(Array.from({ length: BATCHES }, (_, j) => j * BATCH_RECORDS));
    // Every buffer but the last few handed out was refilled after its call.
    const changed = kept.filter((k) => k.b[F_T] !== k.tAtCall).length;
    expect(changed).toBeGreaterThanOrEqual(BATCHES - MAX_BATCH_BUFFERS);
  }, 60000);
});

describe("cancelling a worker read from its batch consumer", () => {
  const TASKS = "/proc/self/task";
  /** Ids of this process's OS threads (Linux): the read worker is one, gone once it has ended. */
  const threadIds = (): Set<string> => new Set(readdirSync(TASKS));
  const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const CANCEL_AT_BATCH = 3;
  /** How long the worker thread may take to end after terminate (ms). */
  const END_WITHIN_MS = 5000;
  const POLL_MS = 20;

  it.runIf(existsSync(TASKS))("stops the deliveries, rejects the read and ends the worker thread", async () => {
    const before = threadIds();
    const read = startWorkerRead(bdfImporter, bdfPath);
    let batches = 0;
    let started: string[] = [];
    const t: number[] = [];
    const outcome = read.consume(() => undefined, undefined, (b, count) => {
      batches++;
      if (batches === 1) started = [...threadIds()].filter((id) => !before.has(id));
      for (let k = 0; k < count; k++) t.push(b[k * FIELDS_PER_RECORD + F_T]);
      if (batches === CANCEL_AT_BATCH) read.cancel();
    });
    await expect(outcome).rejects.toThrow(/cancelled/);
    expect(started.length).toBeGreaterThan(0);
    // The batches delivered before the cancel were whole and in order.
    expect(t.length).toBe(CANCEL_AT_BATCH * BATCH_RECORDS);
    expect(t.every((x, k) => x === k)).toBe(true);
    const alive = (): string[] => {
      const now = threadIds();
      return started.filter((id) => now.has(id));
    };
    let waitedMs = 0;
    while (alive().length > 0 && waitedMs < END_WITHIN_MS) {
      await wait(POLL_MS);
      waitedMs += POLL_MS;
    }
    expect(alive()).toEqual([]);
    expect(batches).toBe(CANCEL_AT_BATCH);
  }, 60000);
});

describe("nothing is detached on either thread (V8's ArrayBufferDetaching protector stays intact)", () => {
  const REPO = resolve(__dirname, "..", "..", "..");
  /** What `--trace-protector-invalidation` prints when an isolate detaches its first ArrayBuffer. */
  const DETACH_TRACE = "Invalidating protector cell ArrayBufferDetaching";
  const trace = (args: string[]): string =>
    execFileSync(process.execPath, ["--trace-protector-invalidation", ...args], { cwd: REPO, encoding: "utf8", timeout: 60000, stdio: ["ignore", "pipe", "pipe"] });

  it("zbms analyze of a BDF file read on the worker (the CLI bundle: no tsx, whose loader detaches buffers of its own)", () => {
    // The control: this Node prints the trace for a detach.
    expect(trace(["-e", "const b = new ArrayBuffer(8); structuredClone(b, { transfer: [b] });"])).toContain(DETACH_TRACE);
    expect(statSync(bdfPath).size).toBeGreaterThanOrEqual(PARALLEL_MIN_BYTES);
    const out = trace(["host/cli/bin.mjs", "analyze", bdfPath, "--out", join(dir, "an"), "--print", "none", "--no-progress"]);
    expect(out).toContain("analysis written to");
    expect(out).not.toContain(DETACH_TRACE);
  }, 120000);
});
