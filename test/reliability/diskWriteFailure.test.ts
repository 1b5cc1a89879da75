/**
 * Disk-full handling without root: node:fs's writeSync is replaced in this process (through
 * module.syncBuiltinESMExports, so the monitor's own `import * as fs` sees it) by one that
 * writes part of a buffer and then fails with ENOSPC, until the "disk" is freed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawLog, parseNoteLine } from "../../host/monitor/rawLog";
import { BdfWriter, type BdfRow } from "../../host/bdf/writer";
import { runDiskFull } from "./scenarios/diskFull";

const cjsFs = createRequire(import.meta.url)("node:fs") as typeof fs;
const realWriteSync = cjsFs.writeSync;
/** Files whose descriptor fails while `full`; the first failing call still writes `partialB` bytes. */
const failing = { fds: new Set<number>(), full: false, partialB: 0 };

function enospc(): Error {
  return Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
}

beforeAll(() => {
  (cjsFs as { writeSync: unknown }).writeSync = function (fd: number, buf: unknown, ...rest: unknown[]): number {
    if (failing.full && failing.fds.has(fd)) {
      if (failing.partialB > 0 && Buffer.isBuffer(buf)) {
        const off = (rest[0] as number | undefined) ?? 0;
        const n = Math.min(failing.partialB, buf.length - off);
        failing.partialB = 0;
        return (realWriteSync as (...a: unknown[]) => number)(fd, buf, off, n);
      }
      throw enospc();
    }
    return (realWriteSync as (...a: unknown[]) => number)(fd, buf, ...rest);
  };
  syncBuiltinESMExports();
});
afterAll(() => {
  (cjsFs as { writeSync: unknown }).writeSync = realWriteSync;
  syncBuiltinESMExports();
});

const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-enospc-"));

function fdOf(path: string): number {
  for (const n of fs.readdirSync("/proc/self/fd")) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${n}`) === path) return Number(n);
    } catch {
      // closed meanwhile
    }
  }
  throw new Error(`no open descriptor for ${path}`);
}

describe("raw log on a full disk", () => {
  it("keeps lines in memory in order, says so once, writes them all when space returns", () => {
    const path = nodePath.join(dir, "a.raw.log");
    const said: string[] = [];
    const log = new RawLog(path, { onWriteError: (m) => said.push("E " + m), onWriteResumed: (m) => said.push("R " + m) });
    failing.fds = new Set([fdOf(path)]);
    const lines = Array.from({ length: 100 }, (_, i) => `#Z1,${i},S,line ${i} ` + "x".repeat(i % 37));
    for (let i = 0; i < lines.length; i++) {
      if (i === 30) {
        failing.full = true;
        failing.partialB = 7; // the first failing write gets 7 bytes of a line out
      }
      if (i === 70) failing.full = false;
      log.writeLine(lines[i]!);
      if (i === 50) expect(log.heldBytes()).toBeGreaterThan(0);
    }
    expect(log.heldBytes()).toBe(0);
    log.close();
    const got = fs.readFileSync(path, "latin1").split("\n").slice(0, -1);
    expect(got.filter((l) => !parseNoteLine(l))).toEqual(lines);
    const note = got.map(parseNoteLine).find((n) => n && n.event === "writeResumed");
    expect(note).toMatchObject({ droppedLines: 0 });
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/^E cannot write the raw log .*a\.raw\.log: disk full \(ENOSPC\)\. Keeping the board's lines in memory \(up to/);
    expect(said[1]).toMatch(/^R raw log .* is written again .* nothing lost/);
  });

  it("beyond the memory bound new lines are dropped whole, counted, and the count is noted on resume", () => {
    const path = nodePath.join(dir, "d.raw.log");
    const said: string[] = [];
    const log = new RawLog(path, { memoryMaxB: 1000, onWriteResumed: (m) => said.push(m) });
    failing.fds = new Set([fdOf(path)]);
    const lines = Array.from({ length: 40 }, (_, i) => `#Z1,${i},S,` + "y".repeat(90));
    failing.full = true;
    for (const l of lines.slice(0, 30)) log.writeLine(l);
    expect(log.heldBytes()).toBeLessThanOrEqual(1000);
    failing.full = false;
    for (const l of lines.slice(30)) log.writeLine(l);
    log.close();
    const got = fs.readFileSync(path, "latin1").split("\n").slice(0, -1);
    const board = got.filter((l) => !parseNoteLine(l));
    const kept = Math.floor(1000 / 99); // lines 0…9 are 99 B with their newline
    expect(board).toEqual([...lines.slice(0, kept), ...lines.slice(30)]);
    expect(got.map(parseNoteLine).find((n) => n && n.event === "writeResumed")).toMatchObject({ droppedLines: 30 - kept });
    expect(said[0]).toMatch(/20 line\(s\) beyond the memory bound were dropped/);
  });

  it("close while the disk is still full reports what could not be written", () => {
    const path = nodePath.join(dir, "b.raw.log");
    const log = new RawLog(path);
    failing.fds = new Set([fdOf(path)]);
    failing.full = true;
    log.writeLine("one line that cannot be written");
    const lostB = log.close();
    failing.full = false;
    expect(lostB).toBe("one line that cannot be written\n".length);
  });
});

describe("BDF writer on a full disk", () => {
  it("a partly written flush keeps the rest and the next flush completes it, rows whole", () => {
    const path = nodePath.join(dir, "c.bdf.csv");
    const w = new BdfWriter(path);
    failing.fds = new Set([fdOf(path)]);
    const row = (t: number): BdfRow => ({ testTimeS: t, voltageV: 1.4, currentA: 0.2, cycleCount: 1, stepCount: 1, ambientTempC: 25, chargingCapacityAh: t / 100, dischargingCapacityAh: 0, chargingEnergyWh: 0, dischargingEnergyWh: 0 });
    for (let t = 0; t < 50; t++) w.writeRow(row(t));
    failing.full = true;
    failing.partialB = 100;
    expect(() => w.flush()).toThrow(/ENOSPC/);
    expect(w.bufferedBytes()).toBeGreaterThan(0);
    failing.full = false;
    w.close();
    const text = fs.readFileSync(path, "latin1");
    const rows = text.split("\n").slice(1, -1);
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.split(",").length === 10)).toBe(true);
  });
});

describe("zbms monitor on a real full disk and on a read-only folder (tmpfs; needs root)", () => {
  it("says the disk is full, keeps every line in memory, writes them when space returns; refuses a read-only --out clearly", async (ctx) => {
    const f = await runDiskFull(100);
    if (f.skipped) ctx.skip(f.skipped);
    expect(f.saidDiskFull).toBe(true);
    expect(f.saidResumed).toBe(true);
    expect(f.heldBytes).toBeGreaterThan(0);
    expect(f.linesLost).toBe(0);
    expect(f.linesLogged).toBeGreaterThan(200);
    expect(f.exitCode).toBe(0);
    expect(f.unreadableBdfFiles).toBe(0);
    expect(f.unwritableMessage).toMatch(/read-only/);
    expect(f.unwritableRefusedClearly).toBe(true);
  }, 90_000);
});
