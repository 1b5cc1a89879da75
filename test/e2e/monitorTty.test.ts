/** `zbms monitor` on a terminal: the live view redraws the screen; alarms are in colour. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import * as pty from "node-pty";
import { afterEach, describe, expect, it } from "vitest";
import { encodeLine } from "../../shared/telemetry/lineFormat";
import { FakeBoardPty, waitUntil } from "../host/serial/fakeBoardPty";
import { cycleLine, statusLine } from "../host/monitor/telemetryFixtures";
import { REPO_ROOT, ZBMS_BIN } from "./monitorCli";

let board: FakeBoardPty | null = null;
let term: pty.IPty | null = null;
let dir = "";
afterEach(() => {
  if (term) term.kill("SIGKILL");
  term = null;
  if (board) board.dispose();
  board = null;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("zbms monitor on a terminal", () => {
  it("draws the live view with cell voltages, CE ± bound and a red alarm, and Ctrl-C ends it", async () => {
    board = await FakeBoardPty.create();
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-tty-"));
    let screen = "";
    term = pty.spawn(process.execPath, [ZBMS_BIN, "monitor", "--port", board.path, "--out", dir, "--refresh", "0.2"], { cwd: REPO_ROOT, cols: 160, rows: 40, env: process.env as Record<string, string> });
    term.onData((d) => (screen += d));
    let exit: number | null = null;
    term.onExit((e) => (exit = e.exitCode));
    await waitUntil(() => screen.includes("Ctrl-C"), 20000, "monitor start");
    board.write(
      [
        statusLine(0, 3_600_000, { alarmMask: 1, segment: 2, currentA: -0.4, cycleCount: 3 }),
        cycleLine(1, 3_600_000, 3, 0.9812),
        encodeLine({ type: "alarm", tMs: 3_600_000, id: "cellUnderVoltage", level: "alarm", raised: true, value: 0.79 }, 2),
      ].join("\r\n") + "\r\n",
    );
    // A pty may deliver a frame in several chunks: judge the last frame that arrived whole
    // (from its clear to its footer), never a half-written one.
    const lastWholeFrame = (): string => {
      const frames = screen.split("\x1b[2J").filter((f) => f.includes("Ctrl-C"));
      return frames.length > 0 ? frames[frames.length - 1]! : "";
    };
    await waitUntil(() => lastWholeFrame().includes("cellUnderVoltage"), 10000, "the alarm on screen");
    const last = lastWholeFrame();
    expect(last).toContain("#1 1.401 V");
    expect(last).toContain("state \x1b[1mdischarge");
    expect(last).toContain("CE 98.120 % ± 0.200 %");
    expect(last).toContain("\x1b[31;1mcellUnderVoltage (alarm 0.79 V)\x1b[0m");
    term.write("\x03"); // Ctrl-C from the keyboard
    await waitUntil(() => exit !== null, 10000, "exit");
    expect(exit).toBe(0);
    expect(screen).toMatch(/monitor stopped \(signal\); logs:/);
  }, 60_000);
});
