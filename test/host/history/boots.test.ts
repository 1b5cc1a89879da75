/**
 * Boots and keys across log files, in the history (PGlite): a monitor restarted while the board
 * ran on continues the board's boot in a new log; a board reset starts a new boot; a damaged
 * line is counted, not stored; the `zbms ingest` command ingests once, however often it is run.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite, type Db } from "../../../host/history/db";
import { ingestFile } from "../../../host/history/ingest";
import { createSchema } from "../../../host/history/store";
import { NOTE_PREFIX } from "../../../host/monitor/rawLog";
import { bootLine, corrupt, identLine, statusLine } from "../monitor/telemetryFixtures";
import { runZbms } from "../../e2e/monitorCli";

let dir = "";
let db: Db;
beforeAll(async () => {
  dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-boots-"));
  db = await openPglite(nodePath.join(dir, "db"));
  await createSchema(db);
}, 60000);
afterAll(async () => {
  await db?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const note = (iso: string): string => NOTE_PREFIX + JSON.stringify({ tHost: iso, event: "clock" });

function write(name: string, lines: string[]): string {
  const p = nodePath.join(dir, name);
  fs.writeFileSync(p, lines.join("\n") + "\n", "latin1");
  return p;
}

describe("boots across logs", () => {
  it("continues a boot across a monitor restart, starts one at a reset, stores each row once", async () => {
    // session 1: the board boots; samples seq 2…6, one of them damaged on the link
    const a = write("ttyUSB0-20261201T100000Z.raw.log", [
      note("2026-12-01T10:00:00.000Z"),
      identLine(0),
      bootLine(1, false, 0),
      ...[2, 3, 4, 5, 6].map((s) => (s === 4 ? corrupt(statusLine(s, s * 1000)) : statusLine(s, s * 1000))),
    ]);
    // session 2 (monitor restarted, board ran on): seq 9…11, then the board resets: boot, seq 2…3
    const b = write("ttyUSB0-20261201T100100Z.raw.log", [
      note("2026-12-01T10:01:00.000Z"),
      ...[9, 10, 11].map((s) => statusLine(s, s * 1000)),
      bootLine(0, true, 30),
      statusLine(1, 1000),
      statusLine(2, 2000),
    ]);
    const ra = await ingestFile(db, a);
    expect(ra).toMatchObject({ samples: 4, rejected: 1 });
    const rb = await ingestFile(db, b);
    expect(rb).toMatchObject({ samples: 5, rejected: 0 });
    const boots = await db.query<{ boot: number; first_seq: string; last_seq: string }>("SELECT boot, first_seq, last_seq FROM boots WHERE board = 'ttyUSB0' ORDER BY boot");
    expect(boots.map((x) => [x.boot, Number(x.first_seq), Number(x.last_seq)])).toEqual([
      [1, 0, 11],
      [2, 0, 2],
    ]);
    const rows = await db.query<{ boot: number; seq: string; t: Date }>("SELECT boot, seq, t FROM samples ORDER BY boot, seq");
    expect(rows.map((r) => `${r.boot}/${r.seq}`)).toEqual(["1/2", "1/3", "1/5", "1/6", "1/9", "1/10", "1/11", "2/1", "2/2"]);
    // row time = boot epoch (host time 10:00:00.000 at the boot line, whose board time is 5 ms) + board time
    expect(new Date(rows[0]!.t).toISOString()).toBe("2026-12-01T10:00:01.995Z");

    // the CLI, twice over both logs: nothing new
    const dbDir = nodePath.join(dir, "db");
    await db.close();
    for (let i = 0; i < 2; i++) {
      const r = await runZbms(["ingest", a, b, "--db", dbDir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("ttyUSB0-20261201T100000Z.raw.log: board ttyUSB0, 0 new samples");
      expect(r.stdout).toContain("history: pglite:");
    }
    db = await openPglite(dbDir);
    expect(Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM samples"))[0]!.n)).toBe(9);
  }, 120000);
});
