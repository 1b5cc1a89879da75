/**
 * Issue 21, case 5: lines the board sent while no monitor ran are noted. A second session of
 * the same port in the same folder continues the sequence check from the last line of the
 * first session's raw log.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { classifyLine, TELEMETRY_SEQ_MODULUS } from "../../../host/monitor/classifyLine";
import { MonitorSession } from "../../../host/monitor/monitorSession";
import { parseNoteLine } from "../../../host/monitor/rawLog";
import { lastSeqInLog, previousRawLog } from "../../../host/monitor/resumeSeq";
import { bootLine, identLine, statusLine } from "./telemetryFixtures";

let dir = "";
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function session(stem: string): MonitorSession {
  return new MonitorSession({ port: "/dev/null-not-opened", outDir: dir, stem, classify: classifyLine, seqModulus: TELEMETRY_SEQ_MODULUS, onLogProblem: () => undefined });
}
function notes(path: string): Record<string, unknown>[] {
  return fs.readFileSync(path, "latin1").split("\n").map(parseNoteLine).filter((n): n is NonNullable<typeof n> => n !== null);
}

describe("gaps across monitor restarts", () => {
  it("the lines sent between two sessions are a gap noted in the new log and counted", async () => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-resume-"));
    const a = session("ttyUSB0-20261207T100000Z");
    for (let i = 0; i < 100; i++) a.handleLine(statusLine(i, 1000 * i));
    a.handleLine("> some REPL noise after the last line");
    await a.stop();
    expect(lastSeqInLog(a.files.rawLog)).toBe(99);
    // another port's and an older session's logs do not count
    fs.writeFileSync(nodePath.join(dir, "ttyUSB1-20261207T110000Z.raw.log"), statusLine(7000, 1) + "\n");
    fs.writeFileSync(nodePath.join(dir, "ttyUSB0-20261207T090000Z.raw.log"), statusLine(5, 1) + "\n");
    expect(previousRawLog(dir, "ttyUSB0-20261207T120000Z")).toBe(a.files.rawLog);
    const b = session("ttyUSB0-20261207T120000Z");
    b.handleLine(statusLine(137, 137_000));
    b.handleLine(statusLine(138, 138_000));
    await b.stop();
    expect(b.view.health.missingLines).toBe(37);
    const n = notes(b.files.rawLog);
    expect(n.find((x) => x.event === "resume")).toMatchObject({ lastSeq: 99, previousLog: a.files.rawLog });
    expect(n.filter((x) => x.event === "gap")).toMatchObject([{ missing: 37, seq: 137, whileMonitorDown: true }]);
  });

  it("a board that restarted meanwhile: no false count, a note that the lines in between are unknown", async () => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-resume-"));
    const a = session("ttyACM0-20261207T100000Z");
    for (let i = 0; i < 10; i++) a.handleLine(statusLine(i, 1000 * i));
    await a.stop();
    const b = session("ttyACM0-20261207T100500Z");
    b.handleLine(identLine(0));
    b.handleLine(bootLine(1, true, 30));
    b.handleLine(statusLine(2, 100));
    await b.stop();
    expect(b.view.health.missingLines).toBe(0);
    expect(notes(b.files.rawLog).filter((x) => x.event === "gapUnknown")).toMatchObject([{ lastSeq: 9, seq: 0 }]);
  });
});
