/**
 * Issue 21, case 3: the raw log first. A small "volume" is simulated in this process: node:fs's
 * writeSync is replaced (module.syncBuiltinESMExports, as in diskWriteFailure.test.ts) by one
 * that charges every byte written under one folder to a budget and, once it is spent, writes
 * what fits and fails with ENOSPC; the session's free-space probe reads the same budget. The
 * reported case: a 200 kB volume, 2 763 status lines of a 4-cell board.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MonitorSession } from "../../host/monitor/monitorSession";
import { classifyLine, TELEMETRY_SEQ_MODULUS } from "../../host/monitor/classifyLine";
import { parseNoteLine } from "../../host/monitor/rawLog";
import { statusLine } from "../host/monitor/telemetryFixtures";

const cjsFs = createRequire(import.meta.url)("node:fs") as typeof fs;
const realWriteSync = cjsFs.writeSync;
const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-small-disk-"));
/** The simulated volume: everything written under `dir` counts. */
const volume = { budgetB: Infinity, usedB: 0 };

function underDir(fd: number): boolean {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
  } catch {
    return false;
  }
}

beforeAll(() => {
  (cjsFs as { writeSync: unknown }).writeSync = function (fd: number, buf: unknown, ...rest: unknown[]): number {
    if (!underDir(fd)) return (realWriteSync as (...a: unknown[]) => number)(fd, buf, ...rest);
    const data = Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf));
    const off = Buffer.isBuffer(buf) ? ((rest[0] as number | undefined) ?? 0) : 0;
    const len = Buffer.isBuffer(buf) ? ((rest[1] as number | undefined) ?? data.length - off) : data.length;
    const room = volume.budgetB - volume.usedB;
    if (room <= 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const n = Math.min(room, len);
    const w = realWriteSync(fd, data, off, n);
    volume.usedB += w;
    return w;
  };
  syncBuiltinESMExports();
});
afterAll(() => {
  (cjsFs as { writeSync: unknown }).writeSync = realWriteSync;
  syncBuiltinESMExports();
  fs.rmSync(dir, { recursive: true, force: true });
});

function session(stem: string, said: string[]): MonitorSession {
  return new MonitorSession({
    port: "/dev/null-not-opened",
    outDir: dir,
    stem,
    classify: classifyLine,
    seqModulus: TELEMETRY_SEQ_MODULUS,
    onLogProblem: (m) => said.push(m),
    freeBytes: () => volume.budgetB - volume.usedB,
  });
}

describe("the raw log first on a filling disk", () => {
  it("200 kB volume, 2 763 lines: derived files stop, the raw log takes the whole volume, the loss is stated truthfully", async () => {
    volume.budgetB = 200_000;
    volume.usedB = 0;
    const said: string[] = [];
    const s = session("full", said);
    const lines = Array.from({ length: 2763 }, (_, i) => statusLine(i, 1000 * i));
    lines.forEach((l, i) => {
      s.handleLine(l);
      if (i % 50 === 49) s.flush(); // the monitor flushes every second; 1 Hz lines, a fast board
    });
    const rawPath = s.files.rawLog;
    await s.stop();
    const bdfB = s.files.bdf.reduce((a, f) => a + fs.statSync(f).size, 0);
    const rawB = fs.statSync(rawPath).size;
    const cyclesB = fs.statSync(s.files.cycles).size;
    expect(bdfB + cyclesB).toBe(0);
    expect(rawB).toBe(200_000); // every byte of the volume went to the raw log
    const text = fs.readFileSync(rawPath, "latin1");
    const onDisk = text.split("\n").filter((l) => l.startsWith("#Z1,"));
    // in order, each whole but possibly the last (cut where the disk stopped taking bytes)
    const whole = onDisk.slice(0, -1);
    expect(whole).toEqual(lines.slice(0, whole.length));
    expect(text.split("\n").map(parseNoteLine).some((n) => n?.event === "derivedStopped")).toBe(true);
    expect(said.some((m) => /BDF and cycles files stopped: .* less than the .* kept for the raw log/.test(m))).toBe(true);
    const last = said[said.length - 1]!;
    expect(last).toMatch(/could not be written: [\d.]+ [kM]?B of received lines were not written; the file ends where the disk stopped taking it/);
    expect(said.join("\n")).not.toMatch(/raw log has every line/);
  });

  it("when space returns, the held lines are written in order and the derived files resume with the skipped rows noted", async () => {
    volume.budgetB = 30_000;
    volume.usedB = 0;
    const said: string[] = [];
    const s = session("resume", said);
    const lines = Array.from({ length: 600 }, (_, i) => statusLine(i, 1000 * i));
    for (const l of lines.slice(0, 400)) s.handleLine(l);
    volume.budgetB = Infinity;
    await new Promise((r) => setTimeout(r, 1100)); // the raw log retries every second; free space is asked every second
    for (const l of lines.slice(400)) s.handleLine(l);
    await s.stop();
    const text = fs.readFileSync(s.files.rawLog, "latin1").split("\n");
    expect(text.filter((l) => l.startsWith("#Z1,"))).toEqual(lines);
    const notes = text.map(parseNoteLine).filter((n) => n !== null);
    expect(notes.map((n) => n!.event)).toEqual(expect.arrayContaining(["derivedStopped", "writeResumed", "derivedResumed"]));
    const resumed = notes.find((n) => n!.event === "derivedResumed")!;
    expect(resumed.skipped).toBeGreaterThan(0);
    expect(said.some((m) => /written again; \d+ row\(s\) were skipped meanwhile \(rebuild them from the raw log/.test(m))).toBe(true);
    const rows = fs.readFileSync(s.files.bdf[0]!, "utf8").trim().split("\n").length - 1;
    expect(rows + (resumed.skipped as number) / 4).toBe(600);
  });
});
