/**
 * Issue 21, case 4: CRC-valid absurd values are rejected as lines, counted, noted in the raw
 * log, and never reach the BDF or cycles files; one absurd time does not poison later rows.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { classifyLine, TELEMETRY_SEQ_MODULUS } from "../../../host/monitor/classifyLine";
import { MonitorSession } from "../../../host/monitor/monitorSession";
import { parseNoteLine } from "../../../host/monitor/rawLog";
import { MeaningCheck, REBASE_LINES } from "../../../host/monitor/meaningCheck";
import { implausibleRecord } from "../../../shared/telemetry/fieldBounds";
import { decodeLine } from "../../../shared/telemetry/lineFormat";
import { FakeBoardPty, waitUntil } from "../serial/fakeBoardPty";
import { cycleLine, statusLine } from "./telemetryFixtures";
import { encodeLine } from "../../../shared/telemetry/lineFormat";
import type { CycleLine } from "../../../shared/telemetry/records";

let board: FakeBoardPty | null = null;
let session: MonitorSession | null = null;
let outDir = "";
afterEach(async () => {
  if (session) await session.stop().catch(() => undefined);
  session = null;
  if (board) board.dispose();
  board = null;
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

/** The reported CRC-valid absurd lines (issue 21, item 4), each with the seq it takes. */
function absurdLines(seq0: number, t0: number): string[] {
  const hugeCycle = decodeLine(cycleLine(0, t0, 7, 0.98));
  const cyc = (hugeCycle.ok ? hugeCycle.record : null) as CycleLine;
  cyc.cycle.chargeAh = 1e300;
  return [
    statusLine(seq0, t0, { cellV: [-9999, 1.4, 1.4, 1.4] }),
    statusLine(seq0 + 1, t0, { currentA: 1e15 }),
    encodeLine(cyc, seq0 + 2),
    statusLine(seq0 + 3, t0, { lastCe: -Infinity }),
    statusLine(seq0 + 4, 1e400),
    statusLine(seq0 + 5, t0, { cellV: new Array(15000).fill(0) }), // 15 000 cells (30 kB, under the 64 kB line limit)
    statusLine(seq0 + 6, t0 - 500_000), // time backwards
    statusLine(seq0 + 7, t0 + 1e11), // three years ahead in one line
    statusLine(seq0 + 8, t0, { cellV: [1.4, 1.4, 1.4, 1.4, 1.4] }), // a fifth cell
  ];
}

describe("the monitor validates meaning, not only the CRC", () => {
  it("each reported absurd line fails the shared bounds or the cross-line check", () => {
    const lines = absurdLines(1, 1_000_000);
    const perLine = lines.map((l) => classifyLine(l).kind);
    expect(perLine.slice(0, 6)).toEqual(Array(6).fill("rejected"));
    const m = new MeaningCheck(TELEMETRY_SEQ_MODULUS);
    const first = classifyLine(statusLine(0, 1_000_000));
    expect(first.kind === "telemetry" && m.check(first.record).rejected).toBeNull();
    for (const l of lines.slice(6)) {
      const c = classifyLine(l);
      expect(c.kind).toBe("telemetry");
      expect(c.kind === "telemetry" && m.check(c.record).rejected).toMatch(/went back|jumped|cell voltages/);
    }
    expect(classifyLine(lines[1]!)).toMatchObject({ reason: expect.stringMatching(/currentA = 1000000000000000 is outside -1000…1000/) });
    const ok = decodeLine(statusLine(3, 5, { lastCe: NaN }));
    expect(ok.ok && implausibleRecord(ok.record)).toBeNull();
  });

  it("absurd lines are rejected, counted and noted; BDF and cycles files hold only the good rows; later rows keep finite time", async () => {
    board = await FakeBoardPty.create();
    outDir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-meaning-"));
    const s = new MonitorSession({ port: board.path, outDir, stem: "m", classify: classifyLine, seqModulus: TELEMETRY_SEQ_MODULUS });
    session = s;
    await s.start();
    const bad = absurdLines(1, 1_000_000);
    const good = [statusLine(0, 900_000), ...bad, statusLine(10, 1_100_000), cycleLine(11, 1_100_000, 1, 0.985), statusLine(12, 1_200_000)];
    board.write(good.join("\r\n") + "\r\n");
    await waitUntil(() => s.view.health.lines === good.length);
    expect(s.view.health.rejected).toBe(bad.length);
    expect(s.view.health.telemetry).toBe(4);
    await s.stop();
    session = null;
    const raw = fs.readFileSync(s.files.rawLog, "latin1").split("\n");
    for (const l of good) expect(raw).toContain(l);
    const rejected = raw.map(parseNoteLine).filter((n) => n?.event === "rejected");
    expect(rejected).toHaveLength(bad.length);
    expect(s.files.bdf).toHaveLength(4);
    for (const f of s.files.bdf) {
      const rows = fs.readFileSync(f, "utf8").trim().split("\n").slice(1);
      expect(rows.map((r) => Number(r.split(",")[0]))).toEqual([0, 200, 300]); // Test Time counts from the first row
      for (const r of rows) for (const x of r.split(",")) expect(Number.isFinite(Number(x)) || x === "").toBe(true);
    }
    const cycles = fs.readFileSync(s.files.cycles, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { index: number; chargeAh: number });
    expect(cycles.map((c) => c.index)).toEqual([1]);
  });

  it(`a board that stalled longer than a day: ${REBASE_LINES} agreeing lines become the new time base`, () => {
    const m = new MeaningCheck(TELEMETRY_SEQ_MODULUS);
    const rec = (seq: number, tMs: number) => {
      const c = classifyLine(statusLine(seq, tMs));
      if (c.kind !== "telemetry") throw new Error("fixture");
      return c.record;
    };
    expect(m.check(rec(0, 1000)).rejected).toBeNull();
    const later = 5 * 24 * 3600 * 1000;
    expect(m.check(rec(1, later)).rejected).toMatch(/jumped/);
    expect(m.check(rec(2, later + 1000)).rejected).toMatch(/jumped/);
    expect(m.check(rec(3, later + 2000))).toEqual({ rejected: null, rebased: true });
    expect(m.check(rec(4, later + 3000))).toEqual({ rejected: null, rebased: false });
  });
});
