/** `zbms sim`: prints the pty path first, stops cleanly on Ctrl-C with the truth written; bad input is named. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { waitUntil } from "../host/serial/fakeBoardPty";
import { runZbms, startZbms, type CliProcess } from "./monitorCli";
import type { TruthFile } from "../../host/cli/simCommand";

let proc: CliProcess | null = null;
afterEach(() => {
  if (proc && proc.child.exitCode === null) proc.child.kill("SIGKILL");
  proc = null;
});

describe("zbms sim", () => {
  it("prints /dev/pts/N as its first line, answers like Espruino there, writes the truth on Ctrl-C", async () => {
    const truth = nodePath.join(fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-sim-")), "truth.json");
    proc = startZbms(["sim", "--speed", "3600", "--truth", truth]);
    await waitUntil(() => proc!.stdout().includes("\n"), 20000, "the pty path");
    const path = proc.stdout().split("\n")[0]!;
    expect(path).toMatch(/^\/dev\/pts\/\d+$/);
    const send = await runZbms(["send", "--port", path, "--timeout", "3", "ident"]);
    // a bare board: Espruino answers, but there is no zbms firmware yet
    expect(send.code).toBe(3);
    expect(send.stderr).toMatch(/zbms is not defined|Flash it with/);
    // the monitor on that bare board says how to put the firmware on it
    const mon = await runZbms(["monitor", "--port", path, "--duration", "1.5", "--view", "none", "--out", nodePath.join(nodePath.dirname(truth), "logs")]);
    expect(mon.code, mon.stderr).toBe(0);
    expect(mon.stdout).toContain(`${path}: no zbms telemetry`);
    expect(mon.stdout).toContain(`Flash it with: zbms flash --port ${path}`);
    proc.child.kill("SIGINT");
    const { code } = await proc.exited;
    expect(code).toBe(0);
    const t = JSON.parse(fs.readFileSync(truth, "utf8")) as TruthFile;
    expect(t.boots.length).toBeGreaterThanOrEqual(1);
    expect(t.simTimeS).toBeGreaterThan(0);
    expect(proc.stderr()).toMatch(/truth in/);
  }, 60_000);

  it("bad values are named", async () => {
    const a = await runZbms(["sim", "--speed", "fast"]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/--speed <x>' argument 'fast' is invalid/);
    const b = await runZbms(["sim", "--protocol", "/nonexistent/protocol.txt"]);
    expect(b.code).toBe(5);
    expect(b.stderr).toMatch(/--protocol: cannot read "\/nonexistent\/protocol.txt"/);
    fs.writeFileSync("/tmp/zbms-bad-protocol.txt", "Charge at lightning speed\n");
    const c = await runZbms(["sim", "--protocol", "/tmp/zbms-bad-protocol.txt"]);
    expect(c.code).toBe(5);
    expect(c.stderr).toMatch(/--protocol: .*lightning/);
  }, 60_000);
});
