/** Types of atomicWrite.mjs (plain JavaScript so that code running before tsx can use it). */

export interface AtomicWriteOptions {
  /**
   * Flush the file to disk before the rename and its folder after it (default false: a crash of
   * the process never leaves half a file either way; fsync adds durability against OS crash and
   * power loss at the cost of a disk flush, milliseconds, per call).
   */
  fsync?: boolean;
}

/**
 * Write `data` to `path` atomically: a temp file `<path>.<pid>.<random>.tmp` beside it, renamed
 * over it. Throws an Error quoting `path` with the system's reason (e.g. a missing folder); the
 * old file is then left as it was and no temp file remains.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts?: AtomicWriteOptions): void;
