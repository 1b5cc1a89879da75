/**
 * Gaps across monitor restarts: lines the board sent while no monitor ran are missing from
 * every log, and only the board's sequence numbers show it. On start, the monitor finds the
 * raw log its port's previous session wrote in the same folder (or the file it appends to),
 * reads the last telemetry sequence number from its tail, and continues the sequence check
 * from there: the first line received then reports the lines sent meanwhile as a gap.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { classifyLine } from "./classifyLine";
import { isNoteLine } from "./rawLog";

/** Bytes read from the end of the previous log: many status lines (~115 B each). */
export const TAIL_READ_B = 64 * 1024;
/** Session stamps in file names (host/monitor/runMonitor.ts sessionStamp). */
const STAMP = /\d{8}T\d{6}Z$/;
const RAW_SUFFIX = ".raw.log";

/**
 * The raw log a session with file stem `stem` continues: `stem`'s own file when it already has
 * content (appending), else the latest earlier one of the same port (same stem up to the stamp).
 */
export function previousRawLog(dir: string, stem: string): string | null {
  const own = nodePath.join(dir, stem + RAW_SUFFIX);
  if (fs.existsSync(own) && fs.statSync(own).size > 0) return own;
  const prefix = stem.replace(STAMP, "");
  if (prefix === stem || !fs.existsSync(dir)) return null;
  let best: string | null = null;
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith(RAW_SUFFIX)) continue;
    const s = name.slice(0, -RAW_SUFFIX.length);
    if (!STAMP.test(s) || s.replace(STAMP, "") !== prefix || s >= stem) continue;
    if (best === null || name > best) best = name;
  }
  return best === null ? null : nodePath.join(dir, best);
}

/** Sequence number of the last telemetry line in a raw log's tail, or null when there is none. */
export function lastSeqInLog(path: string): number | null {
  let fd = -1;
  try {
    fd = fs.openSync(path, "r");
    const size = fs.fstatSync(fd).size;
    const n = Math.min(size, TAIL_READ_B);
    const buf = Buffer.alloc(n);
    fs.readSync(fd, buf, 0, n, size - n);
    const lines = buf.toString("latin1").split("\n");
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = lines[i]!;
      if (isNoteLine(l)) continue;
      const c = classifyLine(l);
      if (c.kind === "telemetry") return c.record.seq;
    }
    return null;
  } catch {
    return null;
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}
