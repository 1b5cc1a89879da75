/**
 * The real firmware on the virtual board, over its pseudo-terminal, through the real CLI:
 * `zbms flash`, then `zbms monitor` while the board is reset (reset button) and its USB cable
 * is pulled and plugged back. The port is reached through a stable symlink, as udev's
 * /dev/serial/by-id/ links give a real adapter the same name after a replug.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import { parseNoteLine } from "../../host/monitor/rawLog";
import { waitUntil } from "../host/serial/fakeBoardPty";
import { runZbms, startZbms, waitForFile, type CliProcess } from "./monitorCli";
import { startVirtualBoard, type RunningVirtualBoard } from "./virtualBoardPty";

/** Virtual seconds per real second: 1 s samples → ~20 status lines per second. */
const SPEED = 20;

let vb: RunningVirtualBoard | null = null;
let proc: CliProcess | null = null;
let dir = "";
afterEach(() => {
  if (proc && proc.child.exitCode === null) proc.child.kill("SIGKILL");
  proc = null;
  if (vb) vb.stop();
  vb = null;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function readRaw(path: string): { lines: string[]; notes: Record<string, unknown>[] } {
  const all = fs.readFileSync(path, "latin1").split("\n").slice(0, -1);
  return { lines: all.filter((l) => !parseNoteLine(l)), notes: all.map(parseNoteLine).filter((n): n is Record<string, unknown> & { event: string } => n !== null) };
}

function statusCount(lines: string[]): number {
  return lines.filter((l) => {
    const d = decodeLine(l);
    return d.ok && d.record.type === "status";
  }).length;
}

describe("zbms monitor on the flashed virtual board", () => {
  it("keeps logging through a board reset and an unplug/replug", async () => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-vb-"));
    vb = await startVirtualBoard("esp32-ads1115", SPEED);
    const link = nodePath.join(dir, "ttyUSB0");
    fs.symlinkSync(vb.path, link);
    const flash = await runZbms(["flash", "--port", link]);
    expect(flash.code, flash.stderr).toBe(0);

    const out = nodePath.join(dir, "logs");
    proc = startZbms(["monitor", "--port", link, "--out", out, "--view", "lines", "--refresh", "0.5"]);
    const rawPath = await waitForFile(out, ".raw.log");
    await waitUntil(() => statusCount(readRaw(rawPath).lines) >= 10, 30000, "10 status lines");

    // the firmware saves its state (as it does every saveIntervalS), then the reset button:
    // the boot line is noticed, marked in the log, and says the state was restored
    expect(vb.board.evaluate('zbms("save")').ok).toBe(true);
    vb.board.hardReset();
    await waitUntil(() => readRaw(rawPath).notes.some((n) => n.event === "boot"), 15000, "boot note");
    const boot = readRaw(rawPath).notes.find((n) => n.event === "boot")!;
    expect(boot).toMatchObject({ restored: true });
    expect(Number(boot.storedAgeS)).toBeGreaterThanOrEqual(0);
    expect(String(boot.reason)).toMatch(/\S/);

    // cable pulled: the board keeps running (self-powered), lines sent meanwhile are lost
    const before = statusCount(readRaw(rawPath).lines);
    vb.pty.unplug();
    await waitUntil(() => readRaw(rawPath).notes.some((n) => n.event === "disconnected"), 10000, "disconnect note");
    await new Promise((r) => setTimeout(r, 1000));
    const newPath = await vb.pty.replug();
    fs.rmSync(link);
    fs.symlinkSync(newPath, link);
    await waitUntil(() => readRaw(rawPath).notes.some((n) => n.event === "reconnected"), 10000, "reconnect note");
    await waitUntil(() => statusCount(readRaw(rawPath).lines) >= before + 10, 20000, "lines after the replug");

    proc.child.kill("SIGINT");
    const { code } = await proc.exited;
    expect(code).toBe(0);
    const { lines, notes } = readRaw(rawPath);
    const events = notes.map((n) => n.event);
    expect(events.indexOf("boot")).toBeLessThan(events.indexOf("disconnected"));
    expect(events.indexOf("disconnected")).toBeLessThan(events.indexOf("reconnected"));
    // the lines lost while unplugged show up as a sequence gap, not as silence
    expect(notes.filter((n) => n.event === "gap").length).toBeGreaterThanOrEqual(1);
    expect(proc.stdout()).toMatch(/1 resets, 1 unplugs/);
    // everything logged is intact: every telemetry-looking line decodes
    const tele = lines.filter((l) => l.includes("#Z"));
    const bad = tele.filter((l) => !decodeLine(l).ok);
    expect(bad).toEqual([]);
  }, 120_000);
});
