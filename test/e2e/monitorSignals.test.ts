/**
 * `zbms monitor` with two boards: Ctrl-C (SIGINT) and SIGTERM flush and close every log and
 * print where they are; --duration stops by itself; a busy port is refused with its own message.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseNoteLine } from "../../host/monitor/rawLog";
import { FakeBoardPty, waitUntil } from "../host/serial/fakeBoardPty";
import { cycleLine, statusLine } from "../host/monitor/telemetryFixtures";
import { runZbms, startZbms, type CliProcess } from "./monitorCli";

const boards: FakeBoardPty[] = [];
let proc: CliProcess | null = null;
let outDir = "";
afterEach(() => {
  if (proc && proc.child.exitCode === null) proc.child.kill("SIGKILL");
  proc = null;
  while (boards.length) boards.pop()!.dispose();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

async function twoBoards(): Promise<[FakeBoardPty, FakeBoardPty]> {
  boards.push(await FakeBoardPty.create(), await FakeBoardPty.create());
  outDir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-sig-"));
  return [boards[0]!, boards[1]!];
}

describe.each(["SIGINT", "SIGTERM"] as const)("zbms monitor on two boards, stopped with %s", (sig) => {
  it("flushes and closes every log and prints where they are", async () => {
    const [a, b] = await twoBoards();
    // the two symlinks share a basename (ttyFAKE0): the monitor must keep their files apart
    proc = startZbms(["monitor", "--port", a.path, "--port", b.path, "--out", outDir, "--view", "none"]);
    await waitUntil(() => fs.existsSync(outDir) && fs.readdirSync(outDir).filter((n) => n.endsWith(".raw.log")).length === 2, 15000, "two raw logs");
    a.write([statusLine(0, 0), statusLine(1, 1000), cycleLine(2, 1000, 1, 0.99)].join("\r\n") + "\r\n");
    b.write([statusLine(7, 0, { cellV: [1.2, 1.3, 1.4, 1.5] }), "partial-without-end"].join("\r\n"));
    // signal only once both boards' lines are in the raw logs (the partial line travels with B's)
    const rawText = (): string => fs.readdirSync(outDir).filter((n) => n.endsWith(".raw.log")).map((n) => fs.readFileSync(nodePath.join(outDir, n), "latin1")).join("");
    await waitUntil(() => rawText().includes(cycleLine(2, 1000, 1, 0.99)) && rawText().includes(statusLine(7, 0, { cellV: [1.2, 1.3, 1.4, 1.5] })), 15000, "both boards' lines logged");
    await new Promise((r) => setTimeout(r, 200));
    proc.child.kill(sig);
    const { code } = await proc.exited;
    expect(code).toBe(0);
    const out = proc.stdout();
    expect(out).toMatch(/monitor stopped \(signal\); logs:/);
    const raws = fs.readdirSync(outDir).filter((n) => n.endsWith(".raw.log")).map((n) => nodePath.join(outDir, n));
    expect(raws).toHaveLength(2);
    for (const r of raws) expect(out).toContain(r);
    const byBoard = raws.map((r) => fs.readFileSync(r, "latin1").split("\n").slice(0, -1));
    const boardA = byBoard.find((lines) => lines.some((l) => l === statusLine(0, 0)))!;
    const boardB = byBoard.find((lines) => lines.some((l) => l === statusLine(7, 0, { cellV: [1.2, 1.3, 1.4, 1.5] })))!;
    expect(boardA.filter((l) => !parseNoteLine(l))).toEqual([statusLine(0, 0), statusLine(1, 1000), cycleLine(2, 1000, 1, 0.99)]);
    // the unfinished line is kept as a note on close, and close is the last note
    expect(boardB.map(parseNoteLine).filter((n) => n && n.event === "partial")).toMatchObject([{ text: "partial-without-end" }]);
    expect(parseNoteLine(boardB[boardB.length - 1]!)).toMatchObject({ event: "close" });
    // BDF: one file per cell per board, rows flushed on close
    const bdf = fs.readdirSync(outDir).filter((n) => n.endsWith(".bdf.csv"));
    expect(bdf).toHaveLength(8);
    const cycles = fs.readdirSync(outDir).filter((n) => n.endsWith(".cycles.jsonl")).map((n) => fs.readFileSync(nodePath.join(outDir, n), "utf8"));
    expect(cycles.join("")).toContain('"ce":0.99');
  });
});

describe("zbms monitor --duration and a busy port", () => {
  it("--duration stops by itself with exit status 0", async () => {
    const [a] = await twoBoards();
    const t0 = Date.now();
    const r = await runZbms(["monitor", "--port", a.path, "--out", outDir, "--duration", "1.5", "--view", "lines", "--refresh", "0.5"]);
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(r.stdout).toMatch(/monitor stopped \(duration\)/);
    expect(r.stdout).toMatch(/link\s+[\d.]+ lines\/s/);
  });

  it("a port already held by another monitor is refused as busy (exit 2)", async () => {
    const [a] = await twoBoards();
    proc = startZbms(["monitor", "--port", a.path, "--out", outDir, "--view", "none"]);
    await waitUntil(() => fs.existsSync(outDir) && fs.readdirSync(outDir).some((n) => n.endsWith(".raw.log")), 15000, "first monitor");
    const r = await runZbms(["monitor", "--port", a.path, "--out", outDir + "/second", "--view", "none"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/busy port/);
    expect(fs.existsSync(outDir + "/second")).toBe(false);
  });
});
