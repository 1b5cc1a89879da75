// @ts-check
/**
 * Replace a file's content so that a reader (another process, or this one after a crash) sees
 * either the old content or the new one, never half of it: write a temp file beside the target,
 * then rename it over the target (a rename within one folder is atomic on POSIX file systems).
 * Plain JavaScript (types in atomicWrite.d.mts) so that the code host/cli/bin.mjs runs before
 * any TypeScript loader exists (host/bundle/cachedBundle.mjs) can use it too.
 *
 * The temp file is `<path>.<pid>.<random>.tmp`, unique per process and call (worker threads
 * share a pid, hence the random part), created exclusively, and removed again if any step fails.
 * With `fsync`, the temp file is flushed to disk before the rename and the folder after it, so
 * the new content also survives an OS crash or a power cut, not only a crash of this process.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Bytes of randomness in a temp file's name. */
const TEMP_RANDOM_B = 6;
/** Error codes of a folder fsync on file systems or platforms that cannot flush a folder. */
const DIR_FSYNC_UNSUPPORTED = ["EINVAL", "EISDIR", "EPERM"];

/**
 * The temp file's name for one write to `path`.
 * @param {string} path
 */
function tempPathFor(path) {
  return `${path}.${process.pid}.${randomBytes(TEMP_RANDOM_B).toString("hex")}.tmp`;
}

/** @param {unknown} e */
function unsupported(e) {
  return DIR_FSYNC_UNSUPPORTED.includes(/** @type {NodeJS.ErrnoException} */ (e).code ?? "");
}

/** @param {string} folder */
function fsyncFolder(folder) {
  let fd;
  try {
    fd = openSync(folder, "r");
  } catch (e) {
    if (unsupported(e)) return;
    throw e;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    if (!unsupported(e)) throw e;
  } finally {
    closeSync(fd);
  }
}

/**
 * Write `data` to `path` atomically (see the file comment). Throws an Error quoting `path` (and
 * the temp file) with the system's reason, e.g. for a missing folder; the old file, if any, is
 * then left as it was and no temp file remains.
 * @param {string} path
 * @param {string | Uint8Array} data
 * @param {import("./atomicWrite.d.mts").AtomicWriteOptions} [opts]
 */
export function writeFileAtomic(path, data, opts = {}) {
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
    throw new Error(`cannot write "${path}" (through the temp file "${tmp}"): ${/** @type {Error} */ (e).message}`, { cause: e });
  }
  if (opts.fsync === true) {
    try {
      fsyncFolder(dirname(path));
    } catch (e) {
      throw new Error(`wrote "${path}" but could not flush its folder to disk: ${/** @type {Error} */ (e).message}`, { cause: e });
    }
  }
}
