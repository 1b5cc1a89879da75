/**
 * Replace a file's content so that a reader (another process, or this one after a crash) sees
 * either the old content or the new one, never half of it: write a temp file beside the target,
 * then rename it over the target (a rename within one folder is atomic on POSIX file systems).
 *
 * The temp file is `<path>.<pid>.<random>.tmp`, unique per process and call (worker threads
 * share a pid, hence the random part), created exclusively, and removed again if any step fails.
 * With `fsync`, the temp file is flushed to disk before the rename and the folder after it, so
 * the new content also survives an OS crash or a power cut, not only a crash of this process.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface AtomicWriteOptions {
  /**
   * Flush the file to disk before the rename and its folder after it (default false: a crash of
   * the process never leaves half a file either way; fsync adds durability against OS crash and
   * power loss at the cost of a disk flush, milliseconds, per call).
   */
  fsync?: boolean;
}

/** Bytes of randomness in a temp file's name. */
const TEMP_RANDOM_B = 6;
/** Errors of a folder fsync on file systems or platforms that cannot flush a folder. */
const DIR_FSYNC_UNSUPPORTED = ["EINVAL", "EISDIR", "EPERM"];

/** The temp file's name for one write to `path`. */
function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(TEMP_RANDOM_B).toString("hex")}.tmp`;
}

function fsyncFolder(folder: string): void {
  let fd: number;
  try {
    fd = openSync(folder, "r");
  } catch (e) {
    if (DIR_FSYNC_UNSUPPORTED.includes((e as NodeJS.ErrnoException).code ?? "")) return;
    throw e;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    if (!DIR_FSYNC_UNSUPPORTED.includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
  } finally {
    closeSync(fd);
  }
}

/**
 * Write `data` to `path` atomically (see the file comment). Throws an Error quoting `path` (and
 * the temp file) with the system's reason, e.g. for a missing folder; the old file, if any, is
 * then left as it was and no temp file remains.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const tmp = tempPathFor(path);
  try {
    const fd = openSync(tmp, "wx");
    try {
      writeFileSync(fd, data);
      if (opts.fsync === true) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write "${path}" (through the temp file "${tmp}"): ${(e as Error).message}`, { cause: e });
  }
  if (opts.fsync === true) {
    try {
      fsyncFolder(dirname(path));
    } catch (e) {
      throw new Error(`wrote "${path}" but could not flush its folder to disk: ${(e as Error).message}`, { cause: e });
    }
  }
}
