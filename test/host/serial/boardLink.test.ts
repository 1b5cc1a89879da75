import { afterEach, describe, expect, it } from "vitest";
import { BoardLink } from "../../../host/serial/boardLink";
import { openSerialPort, closeSerialPort } from "../../../host/serial/openPort";
import { SerialPortError } from "../../../host/serial/portErrors";
import { FakeBoardPty, waitUntil } from "./fakeBoardPty";

let board: FakeBoardPty | null = null;
let link: BoardLink | null = null;
afterEach(async () => {
  if (link) await link.close();
  link = null;
  if (board) board.dispose();
  board = null;
});

async function connect(lines: string[], extra: Partial<ConstructorParameters<typeof BoardLink>[1]> = {}): Promise<BoardLink> {
  board = await FakeBoardPty.create();
  link = new BoardLink(board.path, { onLine: (l) => lines.push(l), ...extra }, { pollMs: 50 });
  await link.open();
  return link;
}

describe("BoardLink over a real pseudo-terminal", () => {
  it("a line split across many writes arrives once, whole, CR removed", async () => {
    const lines: string[] = [];
    await connect(lines);
    const text = "$ZB,1,2,3*ABCDEF01\r\n";
    for (const ch of text) {
      board!.write(ch);
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitUntil(() => lines.length === 1);
    expect(lines).toEqual(["$ZB,1,2,3*ABCDEF01"]);
  });

  it("many lines in one chunk arrive in order; an unfinished line stays pending", async () => {
    const lines: string[] = [];
    const l = await connect(lines);
    board!.write("a\r\nb\nc\r\nhalf");
    await waitUntil(() => lines.length === 3);
    expect(lines).toEqual(["a", "b", "c"]);
    await waitUntil(() => l.pending() === "half");
    board!.write("-done\r\n");
    await waitUntil(() => lines.length === 4);
    expect(lines[3]).toBe("half-done");
  });

  it("bytes above 0x7f pass through unchanged (latin1, byte for byte)", async () => {
    const lines: string[] = [];
    await connect(lines);
    board!.write("T=25\u00b0C\r\n"); // node-pty encodes as UTF-8: two bytes c2 b0
    await waitUntil(() => lines.length === 1);
    expect(Buffer.from(lines[0]!, "latin1")).toEqual(Buffer.from("T=25\u00b0C", "utf8"));
  });

  it("writes reach the board", async () => {
    await connect([]);
    await link!.write("\x10zbms(\"status\")\n");
    await board!.waitForReceived((r) => r.includes('zbms("status")'));
    expect(board!.received).toBe('\x10zbms("status")\n');
  });

  it("unplug → disconnect event with the pending partial line; replug → reconnect, lines flow again", async () => {
    const lines: string[] = [];
    const events: string[] = [];
    let partialSeen = "";
    await connect(lines, {
      onDisconnect: (_r, partial) => {
        events.push("down");
        partialSeen = partial;
      },
      onReconnect: () => events.push("up"),
    });
    board!.write("before\r\nparti");
    await waitUntil(() => lines.length === 1 && link!.pending() === "parti");
    board!.unplug();
    await waitUntil(() => events.includes("down"), 5000, "disconnect");
    expect(partialSeen).toBe("parti");
    expect(link!.isConnected()).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    await board!.replug();
    await waitUntil(() => events.includes("up"), 5000, "reconnect");
    board!.write("after\r\n");
    await waitUntil(() => lines.length === 2);
    expect(lines).toEqual(["before", "after"]);
    expect(link!.disconnectCount()).toBe(1);
  });
});

describe("openSerialPort errors", () => {
  it("a missing path is a 'wrong port' error naming it", async () => {
    const err = await openSerialPort("/dev/does-not-exist-zbms").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerialPortError);
    expect((err as SerialPortError).kind).toBe("notFound");
    expect((err as Error).message).toContain("/dev/does-not-exist-zbms");
  });

  it("a port already open elsewhere is a 'busy port' error", async () => {
    board = await FakeBoardPty.create();
    const first = await openSerialPort(board.path);
    const err = await openSerialPort(board.path).catch((e: unknown) => e);
    await closeSerialPort(first);
    expect((err as SerialPortError).kind).toBe("busy");
    expect((err as Error).message).toMatch(/busy port/);
  });

  it("a regular file is not a serial device", async () => {
    const err = await openSerialPort("/etc/hostname").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerialPortError);
    expect(["notSerial", "other"]).toContain((err as SerialPortError).kind);
  });
});

describe("a device that never ends its line", () => {
  it("is cut into MAX_LINE_BYTES pieces instead of growing memory", async () => {
    const { MAX_LINE_BYTES } = await import("../../../host/serial/lineSplitter");
    const lines: string[] = [];
    await connect(lines);
    const chunk = "x".repeat(4096);
    for (let sent = 0; sent <= MAX_LINE_BYTES + 4096; sent += chunk.length) board!.write(chunk);
    await waitUntil(() => lines.length >= 1, 5000, "a cut line");
    expect(lines[0]!.length).toBeGreaterThan(MAX_LINE_BYTES);
    expect(lines[0]!.length).toBeLessThan(MAX_LINE_BYTES + 64 * 1024);
    expect(/^x+$/.test(lines[0]!)).toBe(true);
  });
});
