/**
 * What readAhead.ts and its worker (readAheadWorker.ts) exchange: the worker's parameters, its
 * messages, and a record's place in a batch.
 */
import type { FormatId, ImportedRecord, ImportStats } from "../import/record";

/** Records per batch (8 Ki: ≈ 0.6 MiB, under a ms of the main thread's work; larger batches cost slightly more CPU). */
export const BATCH_RECORDS = 8192;
/** Batches the worker reads ahead of the main thread before it pauses. */
export const MAX_BATCHES_IN_FLIGHT = 16;
/** A record's numbers in a batch, in this order. */
export const F_LINE = 0;
export const F_T = 1;
export const F_V = 2;
export const F_I = 3;
export const F_TEMP = 4;
export const F_STEP_KIND = 5;
export const F_RESTORED = 6;
export const F_CYCLE = 7;
export const F_STEP = 8;
export const RECORD_FIELDS = 9;

export interface ReadAheadData {
  format: FormatId;
  path: string;
  cyclerColumns: boolean;
}

export type WorkerMessage =
  | { kind: "batch"; batch: Float64Array; count: number }
  | { kind: "progress"; frac: number }
  | { kind: "done"; stats: ImportStats }
  | { kind: "error"; name: string; message: string };

/** Write record `r` as record `k` of `b`. */
export function packRecord(b: Float64Array, k: number, r: ImportedRecord): void {
  const o = k * RECORD_FIELDS;
  b[o + F_LINE] = r.line;
  b[o + F_T] = r.tS;
  b[o + F_V] = r.voltageV;
  b[o + F_I] = r.currentA;
  b[o + F_TEMP] = r.tempC;
  b[o + F_STEP_KIND] = r.stepKind;
  b[o + F_RESTORED] = r.restored;
  b[o + F_CYCLE] = r.cycle;
  b[o + F_STEP] = r.step;
}

/** Read record `k` of `b` into `r` (fields a batch does not carry are left as they are). */
export function unpackRecord(b: Float64Array, k: number, r: ImportedRecord): void {
  const o = k * RECORD_FIELDS;
  r.line = b[o + F_LINE];
  r.tS = b[o + F_T];
  r.voltageV = b[o + F_V];
  r.currentA = b[o + F_I];
  r.tempC = b[o + F_TEMP];
  r.stepKind = b[o + F_STEP_KIND];
  r.restored = b[o + F_RESTORED];
  r.cycle = b[o + F_CYCLE];
  r.step = b[o + F_STEP];
}
