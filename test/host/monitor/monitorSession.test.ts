import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { classifyLine, TELEMETRY_SEQ_MODULUS } from "../../../host/monitor/classifyLine";
import { MonitorSession } from "../../../host/monitor/monitorSession";
import { parseNoteLine } from "../../../host/monitor/rawLog";
import { FakeBoardPty, waitUntil } from "../serial/fakeBoardPty";
import { bootLine, corrupt, cycleLine, identLine, statusLine } from "./telemetryFixtures";
import { canonicalConfigText, configHash, CONFIG_REPLY_ID } from "../../../host/monitor/boardConfig";
import { validateConfig } from "../../../shared/config/validateConfig";
import { encodeLine } from "../../../shared/telemetry/lineFormat";

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

async function startSession(): Promise<MonitorSession> {
  board = await FakeBoardPty.create();
  outDir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-mon-"));
  session = new MonitorSession({ port: board.path, outDir, stem: "test", classify: classifyLine, seqModulus: TELEMETRY_SEQ_MODULUS });
  await session.start();
  return session;
}

function rawLines(path: string): string[] {
  return fs.readFileSync(path, "latin1").split("\n").slice(0, -1);
}
function boardLines(path: string): string[] {
  return rawLines(path).filter((l) => parseNoteLine(l) === null);
}
function notes(path: string): Record<string, unknown>[] {
  return rawLines(path).map(parseNoteLine).filter((n): n is NonNullable<typeof n> => n !== null);
}

describe("MonitorSession over a real pseudo-terminal", () => {
  it("telemetry, REPL echo and a corrupted line: all logged verbatim, told apart and counted", async () => {
    const s = await startSession();
    const sent = [
      "",
      ">",
      'Uncaught Error: Field or method "x" does not already exist',
      statusLine(0, 1000),
      corrupt(statusLine(1, 2000)),
      ">" + statusLine(2, 3000), // telemetry printed after a prompt
      statusLine(3, 4000),
    ];
    board!.write(sent.join("\r\n") + "\r\n");
    await waitUntil(() => s.view.health.lines === sent.length);
    expect(boardLines(s.files.rawLog)).toEqual(sent);
    const h = s.view.health;
    expect(h.telemetry).toBe(3);
    expect(h.rejected).toBe(1);
    expect(h.noise).toBe(3);
    // the rejected line's seq 1 was never accepted: the tracker sees 0 → 2, a gap of one line
    expect(h.gaps).toBe(1);
    expect(h.missingLines).toBe(1);
    expect(notes(s.files.rawLog).filter((n) => n.event === "rejected")).toMatchObject([{ reason: expect.stringMatching(/^badCrc: /) }]);
    expect(s.view.cellV).toEqual([1.4012, 1.4023, 1.3998, 1.4005]);
    expect(s.view.state).toBe("charge");
  });

  it("a sequence gap is reported and noted in the raw log", async () => {
    const s = await startSession();
    board!.write([statusLine(10, 1), statusLine(11, 2), statusLine(15, 3)].join("\r\n") + "\r\n");
    await waitUntil(() => s.view.health.lines === 3);
    expect(s.view.health.gaps).toBe(1);
    expect(s.view.health.missingLines).toBe(3);
    expect(notes(s.files.rawLog).filter((n) => n.event === "gap")).toMatchObject([{ missing: 3, seq: 15 }]);
  });

  it("a board reset (boot record) restarts the count without a false gap and is noted", async () => {
    const s = await startSession();
    board!.write([statusLine(500, 1000), statusLine(501, 2000), identLine(0), bootLine(1, true, 42), statusLine(2, 100)].join("\r\n") + "\r\n");
    await waitUntil(() => s.view.health.lines === 5);
    expect(notes(s.files.rawLog).filter((n) => n.event === "seqRestart")).toEqual([]);
    expect(s.view.identity).toBe("esp32-ads1115 / znmno2-4s / v0.1.0 #00112233aabbccdd");
    expect(s.view.health.boots).toBe(1);
    expect(s.view.health.gaps).toBe(0);
    expect(notes(s.files.rawLog).filter((n) => n.event === "boot")).toMatchObject([{ restored: true, storedAgeS: 42 }]);
    expect(s.view.lastEvent).toMatch(/board reset noticed.*42 s old/);
  });

  it("cycle records reach the live view and the cycles file; status lines the per-cell BDF files", async () => {
    const s = await startSession();
    board!.write([statusLine(0, 0), statusLine(1, 3_600_000), cycleLine(2, 3_600_000, 1, 0.985), statusLine(3, 7_200_000, { cycleCount: 1, segment: 2, currentA: -0.2 })].join("\r\n") + "\r\n");
    await waitUntil(() => s.view.health.lines === 4);
    expect(s.view.lastCycle).toMatchObject({ index: 1, ce: 0.985, ceBound: 0.002 });
    await s.stop();
    const files = s.files;
    session = null;
    const cyc = fs.readFileSync(files.cycles, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { index: number; ce: number });
    expect(cyc).toHaveLength(1);
    expect(cyc[0]).toMatchObject({ index: 1, ce: 0.985 });
    expect(files.bdf).toHaveLength(4);
    const rows = fs.readFileSync(files.bdf[1]!, "utf8").trim().split("\n");
    expect(rows[0]).toBe("Test Time / s,Voltage / V,Current / A,Cycle Count / 1,Step Count / 1,Ambient Temperature / degC,Charging Capacity / Ah,Discharging Capacity / Ah,Charging Energy / Wh,Discharging Energy / Wh");
    expect(rows).toHaveLength(4);
    const second = rows[2]!.split(",").map(Number);
    expect(second[0]).toBe(3600); // s
    expect(second[1]).toBeCloseTo(1.4023, 9); // cell 2
    expect(second[6]).toBeCloseTo(0.2, 9); // 0.2 A for one hour
    const third = rows[3]!.split(",").map(Number);
    expect(third[3]).toBe(2); // cycle 2 in progress
    expect(third[4]).toBe(2); // a new step (discharge)
    expect(third[6]).toBeCloseTo(0.2, 9); // cumulative from the start (BDF): no restart at a new cycle
  });

  it("unplug and replug: reconnects, notes both, loses nothing logged before or after", async () => {
    const s = await startSession();
    board!.write(statusLine(0, 0) + "\r\n" + statusLine(1, 1000) + "\r\n");
    await waitUntil(() => s.view.health.lines === 2);
    board!.unplug();
    await waitUntil(() => !s.view.connected, 5000, "disconnect");
    await new Promise((r) => setTimeout(r, 300));
    await board!.replug();
    await waitUntil(() => s.view.connected, 5000, "reconnect");
    board!.write(statusLine(5, 5000) + "\r\n");
    await waitUntil(() => s.view.health.lines === 3);
    expect(boardLines(s.files.rawLog)).toEqual([statusLine(0, 0), statusLine(1, 1000), statusLine(5, 5000)]);
    const ev = notes(s.files.rawLog).map((n) => n.event);
    expect(ev.indexOf("disconnected")).toBeGreaterThan(-1);
    expect(ev.indexOf("reconnected")).toBeGreaterThan(ev.indexOf("disconnected"));
    expect(s.view.health.disconnects).toBe(1);
    expect(s.view.health.gaps).toBe(1); // seq 2…4 were lost while unplugged
  });

  it("asks the board for its pack config; the reply is logged, copied beside the log and noted with its hash", async () => {
    const s = await startSession();
    await board!.waitForReceived((all) => all.includes(`\x10zbms("config#${CONFIG_REPLY_ID}")\n`));
    const pack = validateConfig(JSON.parse(fs.readFileSync(nodePath.join(__dirname, "..", "..", "..", "hardware", "packs", "znmno2-4s.json"), "utf8")));
    const reply = encodeLine({ type: "reply", id: CONFIG_REPLY_ID, payload: `{"config":${canonicalConfigText(pack)}}` }, 0);
    board!.write(reply + "\r\n");
    await waitUntil(() => fs.existsSync(s.files.packConfig));
    expect(boardLines(s.files.rawLog)).toEqual([reply]);
    expect(configHash(JSON.parse(fs.readFileSync(s.files.packConfig, "utf8")))).toBe(configHash(pack));
    expect(notes(s.files.rawLog).filter((n) => n.event === "config")).toMatchObject([{ hash: configHash(pack), file: "test.pack.json" }]);
    // a board that does not know the command: noted, and the user is told analyze needs --config
    board!.write(encodeLine({ type: "error", id: CONFIG_REPLY_ID, text: 'unknown command "config"' }, 1) + "\r\n");
    await waitUntil(() => notes(s.files.rawLog).some((n) => n.event === "configRejected"));
    expect(s.view.lastEvent).toMatch(/analyze will need --config/);
  });
});
