/**
 * Feed raw logs into the history database: `ingestFile` reads a log from its stored position to
 * its end (`zbms ingest`), `LogFollower` polls a monitor's log folder and feeds what each log
 * gained since the last look (`zbms monitor --db`, `zbms dashboard --logs`). Both commit a chunk
 * of rows together with the file's new read position (store.ts), so they can be stopped — even
 * by kill -9 — and restarted at any time without losing or repeating a row.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import type { Db } from "./db";
import { boardOfLogName, emptyState, rowsFromText, type FollowState, type RowBatch } from "./logRows";
import { commitBatch, loadFileState } from "./store";

/** Bytes read per chunk (one transaction each): bounded memory for a months-long log. */
export const CHUNK_B = 4 * 1024 * 1024;
/** How often the follower looks at the log folder (ms): well inside the 2 s lag target. */
export const FOLLOW_POLL_MS = 250;

export interface IngestResult {
  file: string;
  board: string;
  samples: number;
  events: number;
  rejected: number;
}

/** What a committed chunk brought (for live views). */
export interface CommittedChunk {
  board: string;
  batch: RowBatch;
  state: FollowState;
}

/** Read `path` from its stored position to its end; `boardPrefix` names a lab host ("lab1/"). */
export async function ingestFile(db: Db, path: string, boardPrefix = "", onChunk?: (c: CommittedChunk) => void): Promise<IngestResult> {
  // keyed with the host's prefix: two lab hosts may both have a ttyUSB0-<same second>.raw.log
  const key = boardPrefix + nodePath.basename(path);
  const board = boardPrefix + boardOfLogName(nodePath.basename(path));
  let state = (await loadFileState(db, key)) ?? emptyState();
  const res: IngestResult = { file: path, board, samples: 0, events: 0, rejected: 0 };
  const fd = fs.openSync(path, "r");
  try {
    const buf = Buffer.alloc(CHUNK_B);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK_B, state.offset);
      if (n === 0) break;
      const { batch, state: next } = rowsFromText(key, buf.toString("latin1", 0, n), state);
      if (next.offset === state.offset) break; // only an unfinished line: wait for its end
      state = await commitBatch(db, board, key, batch, next);
      res.samples += batch.samples.length;
      res.events += batch.events.length;
      res.rejected += batch.rejected;
      if (onChunk) onChunk({ board, batch, state });
      if (n < CHUNK_B) break;
    }
  } finally {
    fs.closeSync(fd);
  }
  return res;
}

/** Raw logs in `dir`, oldest session first (the file names end with their start time). */
export function rawLogsIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const stamp = (n: string): string => (/(\d{8}T\d{6}Z)\.raw\.log$/.exec(n) ?? ["", n])[1]!;
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith(".raw.log"))
    .sort((a, b) => (stamp(a) < stamp(b) ? -1 : stamp(a) > stamp(b) ? 1 : a < b ? -1 : 1))
    .map((n) => nodePath.join(dir, n));
}

export class LogFollower {
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> = Promise.resolve();
  private readonly sizes = new Map<string, number>();
  private stopped = false;
  /** Last error (a full disk, a dropped database connection…); retried at the next poll. */
  lastError = "";

  constructor(
    private readonly db: Db,
    private readonly dir: string,
    private readonly onChunk: (c: CommittedChunk) => void,
    private readonly boardPrefix = "",
  ) {}

  start(pollMs = FOLLOW_POLL_MS): void {
    this.timer = setInterval(() => void this.poll(), pollMs);
  }

  /** Read what the logs gained; resolves when committed (polls never overlap). */
  poll(): Promise<void> {
    this.busy = this.busy.then(async () => {
      if (this.stopped) return;
      for (const f of rawLogsIn(this.dir)) {
        let size: number;
        try {
          size = fs.statSync(f).size;
        } catch {
          continue;
        }
        if (this.sizes.get(f) === size) continue;
        try {
          await ingestFile(this.db, f, this.boardPrefix, this.onChunk);
          this.sizes.set(f, size);
          this.lastError = "";
        } catch (e) {
          this.lastError = `${nodePath.basename(f)}: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
    });
    return this.busy;
  }

  /** Stop polling after a last complete read. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.poll();
    this.stopped = true;
  }
}
