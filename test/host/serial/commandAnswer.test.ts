import { afterEach, describe, expect, it } from "vitest";
import { encodeLine } from "../../../shared/telemetry/lineFormat";
import { sendBoardCommand, taggedCall } from "../../../host/serial/commandAnswer";
import { openLineChannel, type OpenLineChannel } from "../../../host/serial/lineChannel";
import { FakeBoardPty } from "./fakeBoardPty";
import { statusLine, cycleLine } from "../monitor/telemetryFixtures";

let board: FakeBoardPty | null = null;
let ch: OpenLineChannel | null = null;
afterEach(async () => {
  if (ch) await ch.close();
  ch = null;
  if (board) board.dispose();
  board = null;
});

/** The id the host put after '#' in the last command it sent. */
function lastId(received: string): string {
  const m = /zbms\("[a-zA-Z]+#([a-z0-9]+)"/.exec(received.slice(received.lastIndexOf("\x10")));
  if (!m) throw new Error("no tagged command in " + JSON.stringify(received));
  return m[1]!;
}

describe("sendBoardCommand", () => {
  it("tags the command and typed arguments", () => {
    expect(taggedCall(["set", "samplePeriodMs", "2000"], "h1")).toBe('zbms("set#h1","samplePeriodMs",2000)');
    expect(() => taggedCall(["status#9"], "h1")).toThrow(/must not contain "#"/);
  });

  it("matches the reply by id, ignoring telemetry and other commands' replies", async () => {
    board = await FakeBoardPty.create();
    ch = await openLineChannel(board.path);
    const p = sendBoardCommand(ch, ["status"], 3000);
    await board.waitForReceived((r) => r.includes("#"));
    const id = lastId(board.received);
    board.write(statusLine(1, 1000) + "\r\n");
    board.write(encodeLine({ type: "reply", id: "someoneElse", payload: "{}" }, 2) + "\r\n");
    board.write(encodeLine({ type: "reply", id, payload: '{"memFree":1234}' }, 3) + "\r\n");
    await expect(p).resolves.toEqual({ kind: "reply", id, payload: '{"memFree":1234}' });
  });

  it("an error line with the id is the answer (not an exception on the host)", async () => {
    board = await FakeBoardPty.create();
    ch = await openLineChannel(board.path);
    const p = sendBoardCommand(ch, ["set", "nope", "1"], 3000);
    await board.waitForReceived((r) => r.includes("#"));
    board.write(encodeLine({ type: "error", id: lastId(board.received), text: "unknown path nope" }, 0) + "\r\n");
    await expect(p).resolves.toMatchObject({ kind: "error", text: "unknown path nope" });
  });

  it("cycles: collects cycle lines until done", async () => {
    board = await FakeBoardPty.create();
    ch = await openLineChannel(board.path);
    const p = sendBoardCommand(ch, ["cycles"], 3000);
    await board.waitForReceived((r) => r.includes("#"));
    const id = lastId(board.received);
    board.write([cycleLine(0, 100, 1, 0.98), cycleLine(1, 200, 2, 0.985), encodeLine({ type: "done", id }, 2)].join("\r\n") + "\r\n");
    const a = await p;
    expect(a.kind).toBe("cycles");
    if (a.kind === "cycles") expect(a.cycles.map((c) => c.index)).toEqual([1, 2]);
  });
});
