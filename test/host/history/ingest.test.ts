/**
 * `zbms ingest` backfill: a raw log written by a simulated pack (the shared model's lines, as
 * the monitor logs them) lands in the history database once, however often it is ingested, and
 * the stored rows match the lines in the log (counted independently with the line decoder).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeLine } from "../../../shared/telemetry/lineFormat";
import { openPglite, openPostgres, type Db } from "../../../host/history/db";
import { ingestFile } from "../../../host/history/ingest";
import { createSchema } from "../../../host/history/store";
import { startPostgres, type PgServer } from "../../lab/realServers";
import { writeSimLog } from "./simLogFixture";

let dir = "";
let log = "";
let server: PgServer | null = null;
beforeAll(() => {
  dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-hist-"));
  log = writeSimLog(dir, "ttyUSB0-20261201T100000Z.raw.log");
}, 60000);
afterAll(() => {
  if (server) server.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Count the log's telemetry lines by type with the decoder alone (independent of the ingest). */
export function countLines(path: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of fs.readFileSync(path, "latin1").split("\n")) {
    const d = decodeLine(l);
    if (d.ok) out[d.record.type] = (out[d.record.type] ?? 0) + 1;
  }
  return out;
}

async function ingestTwiceOnce(db: Db): Promise<void> {
  try {
    await createSchema(db);
    const want = countLines(log);
    expect(want.cycle).toBeGreaterThanOrEqual(2);
    const first = await ingestFile(db, log);
    expect(first.samples).toBe(want.status);
    const again = await ingestFile(db, log);
    expect(again.samples).toBe(0);
    // even with the read position forgotten (a lost database row), the keys keep it to one copy
    await db.query("DELETE FROM log_files");
    await ingestFile(db, log);
    const count = async (t: string): Promise<number> => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`))[0]!.n);
    expect(await count("samples")).toBe(want.status);
    expect(await count("cycles")).toBe(want.cycle);
    expect(await count("rests")).toBe(want.rest ?? 0);
    expect(await count("alarms")).toBe(want.alarm ?? 0);
    const boots = await db.query<{ board: string; boot: number }>("SELECT board, boot FROM boots");
    expect(boots).toEqual([{ board: "ttyUSB0", boot: 1 }]);
    // sequence numbers: no hole between the first and the last stored row
    const seq = (await db.query<{ lo: string; hi: string; n: string }>("SELECT min(seq) lo, max(seq) hi, count(*) n FROM (SELECT seq FROM samples UNION ALL SELECT seq FROM cycles UNION ALL SELECT seq FROM rests UNION ALL SELECT seq FROM alarms UNION ALL SELECT seq FROM retention) x"))[0]!;
    const total = Object.entries(want).filter(([k]) => k !== "ident" && k !== "boot" && k !== "segment" && k !== "gap" && k !== "adams").reduce((a, [, v]) => a + v, 0);
    expect(Number(seq.n)).toBe(total);
  } finally {
    await db.close();
  }
}

describe("history ingest", () => {
  it("PGlite: stores every sample, cycle, rest and alarm once, however often the log is ingested", async () => {
    await ingestTwiceOnce(await openPglite(nodePath.join(dir, "db")));
  }, 120000);

  it("a real PostgreSQL server: the same", async () => {
    server = await startPostgres();
    await ingestTwiceOnce(await openPostgres(server.url));
  }, 120000);
});
