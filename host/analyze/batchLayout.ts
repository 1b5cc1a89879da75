/**
 * Layout of the record batches the read worker sends (one Float64Array, FIELDS_PER_RECORD
 * numbers per record). Only formats without per-cell arrays go through it.
 */
import type { ImportedRecord } from "../import/record";

/**
 * Records per batch: 65 536 × 8 × 8 B = 4 MiB per batch. Each batch costs the main thread a
 * message and a return to the event loop; at 16 384 records (610 batches per 10⁷ rows) the gaps
 * between batches added up to 50–90 ms, and the analyze replay of the 10⁷-row benchmark took
 * 563–592 ms against 512–562 ms at 65 536 (peak RSS 94 → 112 MB; 131 072: no better, 137 MB;
 * 2-core machine, 2026-11-25).
 */
export const BATCH_RECORDS = 65536;
/** The seven F_* fields below and one spare slot, which neither packRecord nor numericFast.ts writes. */
export const FIELDS_PER_RECORD = 8;
/** Batches in flight between worker and main thread (bounds memory to a few MiB). */
export const MAX_IN_FLIGHT = 4;
/**
 * Batch buffers a read ever allocates: the main thread hands each consumed batch back to the
 * worker, which refills it (parallelRead.ts), so only the batches in flight plus the one being
 * filled exist (readWorker.ts: a buffer is allocated only when every other one is in flight).
 */
export const MAX_BATCH_BUFFERS = MAX_IN_FLIGHT + 1;

export const F_LINE = 0;
export const F_T = 1;
export const F_V = 2;
export const F_I = 3;
export const F_TEMP = 4;
export const F_STEP_KIND = 5;
export const F_RESTORED = 6;

export function packRecord(b: Float64Array, k: number, r: ImportedRecord): void {
  const o = k * FIELDS_PER_RECORD;
  b[o + F_LINE] = r.line;
  b[o + F_T] = r.tS;
  b[o + F_V] = r.voltageV;
  b[o + F_I] = r.currentA;
  b[o + F_TEMP] = r.tempC;
  b[o + F_STEP_KIND] = r.stepKind;
  b[o + F_RESTORED] = r.restored;
}

export function unpackRecord(b: Float64Array, k: number, r: ImportedRecord): void {
  const o = k * FIELDS_PER_RECORD;
  r.line = b[o + F_LINE];
  r.tS = b[o + F_T];
  r.voltageV = b[o + F_V];
  r.currentA = b[o + F_I];
  r.tempC = b[o + F_TEMP];
  r.stepKind = b[o + F_STEP_KIND];
  r.restored = b[o + F_RESTORED];
}
