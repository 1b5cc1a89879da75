/**
 * Torn last lines in log files left by a monitor that died (SIGKILL during a large write, host
 * power cut losing the page cache): at the next start the monitor cuts each of its earlier
 * files for the same port back to the end of its last complete line, so every BDF file reads
 * as header + whole rows, and a file appended to again (same name) never glues a new row onto
 * half of an old one. What was dropped is returned, for a note in the new raw log.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";

/** File endings the monitor writes (host/monitor/monitorSession.ts). */
export const LOG_SUFFIXES = [".raw.log", ".cycles.jsonl", ".bdf.csv"];
/** Longest torn tail quoted back in a note (characters). */
const QUOTE_MAX = 200;

export interface TornTail {
  path: string;
  droppedBytes: number;
  /** Start of the dropped text (latin1), at most QUOTE_MAX characters. */
  text: string;
}

/** Cut `path` back to its last "\n" if it does not end with one; null when it was whole. */
export function dropTornTail(path: string): TornTail | null {
  const size = fs.statSync(path).size;
  if (size === 0) return null;
  const fd = fs.openSync(path, "r+");
  try {
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return null;
    // read back in blocks until a newline is found
    const block = 64 * 1024;
    let end = size;
    let keep = 0;
    while (end > 0) {
      const start = Math.max(0, end - block);
      const buf = Buffer.alloc(end - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      const i = buf.lastIndexOf(0x0a);
      if (i >= 0) {
        keep = start + i + 1;
        break;
      }
      end = start;
    }
    const tail = Buffer.alloc(Math.min(size - keep, QUOTE_MAX));
    fs.readSync(fd, tail, 0, tail.length, keep);
    fs.ftruncateSync(fd, keep);
    return { path, droppedBytes: size - keep, text: tail.toString("latin1") };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Repair every log file in `dir` whose name starts with `prefix` (one port's files: a port is
 * open in one monitor at a time, so none of them is being written by another process).
 */
export function dropTornTails(dir: string, prefix: string): TornTail[] {
  if (!fs.existsSync(dir)) return [];
  const out: TornTail[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix) || !LOG_SUFFIXES.some((s) => name.endsWith(s))) continue;
    const t = dropTornTail(nodePath.join(dir, name));
    if (t) out.push(t);
  }
  return out;
}
