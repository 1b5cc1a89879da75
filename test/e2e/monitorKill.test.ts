/**
 * SIGKILL the monitor mid-run: every line it had received before the kill is in the raw log.
 *
 * The board (a pty's master side) streams numbered telemetry lines as fast as a 115200-baud
 * UART would carry them. The monitor prints its received-telemetry count every 100 ms; the
 * last count it printed before the kill is a lower bound of what it had received, so the raw
 * log must hold at least that many, in order, with no hole and no torn line. Also: every line
 * the board had sent 1 s or more before the kill is there (the write-through bound).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseNoteLine } from "../../host/monitor/rawLog";
import { FakeBoardPty, waitUntil } from "../host/serial/fakeBoardPty";
import { statusLine } from "../host/monitor/telemetryFixtures";
import { startZbms, waitForFile, type CliProcess } from "./monitorCli";

let board: FakeBoardPty | null = null;
let proc: CliProcess | null = null;
let outDir = "";
afterEach(() => {
  if (proc && proc.child.exitCode === null) proc.child.kill("SIGKILL");
  proc = null;
  if (board) board.dispose();
  board = null;
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

/** Status line ≈ 90 bytes; 115200 baud 8N1 carries 11520 bytes/s → ~128 lines/s; we send in 10 ms bursts. */
const LINES_PER_BURST = 2;
const BURST_MS = 10;

describe("zbms monitor, killed with SIGKILL", () => {
  it("loses no line it had received", async () => {
    board = await FakeBoardPty.create();
    outDir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-kill-"));
    proc = startZbms(["monitor", "--port", board.path, "--out", outDir, "--view", "lines", "--refresh", "0.1"]);
    const rawPath = await waitForFile(outDir, ".raw.log");
    await waitUntil(() => proc!.stdout().includes("Ctrl-C"), 15000, "monitor start");
    const sent: { line: string; tMs: number }[] = [];
    let seq = 0;
    const streamer = setInterval(() => {
      for (let i = 0; i < LINES_PER_BURST; i++) {
        const line = statusLine(seq, seq * 100);
        seq++;
        board!.write(line + "\r\n");
        sent.push({ line, tMs: Date.now() });
      }
    }, BURST_MS);
    // kill while lines are still flowing, once the monitor says it has received a good number
    // (a wait on what it printed, not a fixed sleep: a loaded CI machine may start it slowly)
    const lastCount = (): number => {
      const counts = [...proc!.stdout().matchAll(/telemetry (\d+)/g)].map((m) => Number(m[1]));
      return counts.length ? counts[counts.length - 1]! : 0;
    };
    await waitUntil(() => lastCount() > 300, 30000, "the monitor to report 300 lines received");
    const claimed = lastCount();
    const killAtMs = Date.now();
    proc.child.kill("SIGKILL");
    const { signal } = await proc.exited;
    clearInterval(streamer);
    expect(signal).toBe("SIGKILL");

    const logged = fs.readFileSync(rawPath, "latin1").split("\n");
    const tail = logged.pop();
    expect(tail).toBe(""); // the file ends with a complete line: no torn write
    const boardLines = logged.filter((l) => parseNoteLine(l) === null);
    // a prefix of what was sent: in order, no hole, no duplicate, no torn line
    expect(boardLines).toEqual(sent.slice(0, boardLines.length).map((s) => s.line));
    // at least what the monitor said it had received
    expect(claimed).toBeGreaterThan(100);
    expect(boardLines.length).toBeGreaterThanOrEqual(claimed);
    // everything sent ≥ 1 s before the kill is there
    const oldEnough = sent.filter((s) => s.tMs <= killAtMs - 1000).length;
    expect(boardLines.length).toBeGreaterThanOrEqual(oldEnough);
    console.log(`SIGKILL test: sent ${sent.length}, logged ${boardLines.length}, monitor had claimed ${claimed}, sent ≥1 s before kill ${oldEnough}`);
  });
});
