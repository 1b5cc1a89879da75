import * as fs from "node:fs";
import * as nodePath from "node:path";

/**
 * Why a log write failed, in words a lab user can act on, and the memory bound that holds the
 * board's data while the disk cannot take it.
 */

/**
 * Most bytes of received lines the raw log keeps in memory while its file cannot be written:
 * 64 MiB = about 97 min of a 115200-baud link running flat out (11 520 B/s, 8N1), about 9 days
 * of one 4-cell board at 1 Hz (~115 B per status line, docs/protocol.md). Beyond it new lines
 * are counted and dropped, and the count is noted once writing works again.
 */
export const RAW_LOG_MEMORY_MAX_B = 64 * 1024 * 1024;
/** Most bytes of BDF rows kept in memory per cell file while it cannot be written (they can be rebuilt from the raw log). */
export const BDF_MEMORY_MAX_B = 16 * 1024 * 1024;
/**
 * Free space (bytes) the derived files (BDF, cycles) always leave to the raw log: below it they
 * stop, so a filling disk takes none of the raw log's bytes. 16 MiB ≈ 23 min of a 115200-baud
 * link at full speed, ≈ 2 days of one 4-cell board at 1 Hz: time to free space.
 */
export const RAW_LOG_RESERVE_B = 16 * 1024 * 1024;
/** Free space is asked of the file system at most this often (ms). */
export const FREE_SPACE_CHECK_MS = 1000;

/** Bytes available to this process on the file system holding `dir` (statfs); Infinity when unknown. */
export function freeBytes(dir: string): number {
  try {
    const st = fs.statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return Infinity;
  }
}

/** While writes fail, try again this often (ms). */
export const WRITE_RETRY_MS = 1000;

/** "disk full (ENOSPC)", "permission denied (EACCES)", … for an fs error. */
export function describeWriteError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case "ENOSPC":
      return "disk full (ENOSPC)";
    case "EDQUOT":
      return "disk quota exceeded (EDQUOT)";
    case "EROFS":
      return "the file system is read-only (EROFS)";
    case "EACCES":
    case "EPERM":
      return `permission denied (${code})`;
    case "EIO":
      return "I/O error (EIO): was the disk removed?";
    case "ENOENT":
      return "the log folder no longer exists (ENOENT)";
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Why a folder cannot be created: Node's recursive mkdir reports ENOENT on a read-only file
 * system, so ask the nearest existing ancestor whether it is writable and describe that.
 */
export function describeMkdirError(dir: string, e: unknown): string {
  let anc = nodePath.resolve(dir);
  while (!fs.existsSync(anc) && nodePath.dirname(anc) !== anc) anc = nodePath.dirname(anc);
  try {
    fs.accessSync(anc, fs.constants.W_OK);
    const probe = nodePath.join(anc, `.zbms-write-test-${process.pid}`);
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
  } catch (why) {
    return describeWriteError(why) + ` (in ${anc})`;
  }
  return describeWriteError(e);
}

/** Human size: "512 B", "3.4 kB", "12.0 MB". */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}
