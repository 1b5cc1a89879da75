/**
 * `zbms monitor --dashboard`: one command logs a board and serves the dashboard over a PGlite
 * history beside the logs. A line the board prints reaches the page's API within seconds.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeBoardPty } from "../host/serial/fakeBoardPty";
import { statusLine, identLine, bootLine } from "../host/monitor/telemetryFixtures";
import { startZbms, type CliProcess } from "./monitorCli";

let proc: CliProcess | null = null;
let board: FakeBoardPty | null = null;
let dir = "";
afterEach(() => {
  if (proc && proc.child.exitCode === null) proc.child.kill("SIGKILL");
  if (board) board.unplug();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("zbms monitor --dashboard", () => {
  it("serves what the board prints, and leaves a history beside the logs", async () => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-mondash-"));
    board = await FakeBoardPty.create();
    const out = nodePath.join(dir, "logs");
    proc = startZbms(["monitor", "--port", board.path, "--out", out, "--view", "none", "--dashboard", "127.0.0.1:0"]);
    const t0 = Date.now();
    while (!/dashboard: (http\S+)/.test(proc.stdout()) && proc.child.exitCode === null && Date.now() - t0 < 60000) await new Promise((r) => setTimeout(r, 100));
    const m = /dashboard: (http\S+)/.exec(proc.stdout());
    expect(m, proc.stderr()).not.toBeNull();
    const url = m![1]!;
    board.write(identLine(0) + "\r\n" + bootLine(1, false, 0) + "\r\n");
    for (let i = 0; i < 5; i++) board.write(statusLine(2 + i, 1000 * (i + 1), { cellV: [1.5, 1.51, 1.52, 1.5 + i / 100] }) + "\r\n");
    let packs: { board: string; cellV: number[] }[] = [];
    while (Date.now() - t0 < 60000) {
      packs = ((await (await fetch(new URL("api/packs", url))).json()) as { packs: typeof packs }).packs;
      if (packs.length && packs[0]!.cellV[3] === 1.54) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(packs.map((p) => p.board)).toEqual(["ttyFAKE0"]);
    expect(packs[0]!.cellV).toEqual([1.5, 1.51, 1.52, 1.54]);
    proc.child.kill("SIGINT");
    expect((await proc.exited).code, proc.stderr()).toBe(0);
    expect(fs.existsSync(nodePath.join(out, "zbms-history"))).toBe(true);
  }, 120000);
});
