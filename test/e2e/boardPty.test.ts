import { afterEach, describe, expect, it } from "vitest";
import { SerialPort } from "serialport";
import { VirtualBoard } from "../../host/board/virtualBoard.js";
import { PtyBoard } from "../../host/board/ptyBoard.js";

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

function openPort(path: string): Promise<{ port: SerialPort; text: () => string }> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    let got = "";
    port.on("data", (d: Buffer) => {
      got += d.toString("latin1");
    });
    port.open((err) => (err ? reject(err) : resolve({ port, text: () => got })));
  });
}

async function waitFor(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return pred();
}

describe("virtual board on a real pseudo-terminal", () => {
  it("serves an Espruino-like REPL on /dev/pts/N: echo, =result, > prompt, \\x10 echo-off, multi-line input", async () => {
    const board = new VirtualBoard({});
    const pb = await PtyBoard.start(board);
    open.push(pb);
    expect(pb.path).toMatch(/^\/dev\/pts\/\d+$/);
    const { port, text } = await openPort(pb.path!);
    open.push({ close: () => port.close() });
    port.write("\n");
    expect(await waitFor(() => text().endsWith("\r\n=undefined\r\n>"), 3000)).toBe(true);
    port.write("1+2\n");
    expect(await waitFor(() => text().includes("1+2\r\n=3\r\n>"), 3000)).toBe(true);
    port.write("\x10print('quiet')\n");
    expect(await waitFor(() => text().includes("quiet\r\n"), 3000)).toBe(true);
    expect(text()).not.toContain("print('quiet')");
    port.write("var x = {\n a: 41 }\n\x10print(x.a + 1)\n");
    expect(await waitFor(() => text().includes("42\r\n"), 3000)).toBe(true);
    port.write("abc\x03\x10print(typeof abc)\n");
    expect(await waitFor(() => text().includes("undefined\r\n"), 3000)).toBe(true);
  });

  it("program output flows in real time, and unplug/replug gives a new path while the board runs", async () => {
    const board = new VirtualBoard({});
    const pb = await PtyBoard.start(board);
    open.push(pb);
    board.runRealTime(10);
    const first = await openPort(pb.path!);
    first.port.write("\x10setInterval(function(){ print('tick ' + Math.round(getTime())); }, 1000)\n");
    expect(await waitFor(() => /tick \d+/.test(first.text()), 3000)).toBe(true);
    const oldPath = pb.path;
    pb.unplug();
    expect(pb.path).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    first.port.close(() => undefined);
    const newPath = await pb.replug();
    expect(newPath).toMatch(/^\/dev\/pts\/\d+$/);
    void oldPath;
    const second = await openPort(newPath);
    open.push({ close: () => second.port.close() });
    expect(await waitFor(() => /tick \d+/.test(second.text()), 3000)).toBe(true);
  });

  it("output nobody reads is held up to a bound, then dropped (like a USB-serial bridge); a late reader gets new output", async () => {
    const board = new VirtualBoard({});
    const pb = await PtyBoard.start(board);
    open.push(pb);
    board.evaluate('for (var i = 0; i < 4000; i++) print("' + "x".repeat(100) + '");');
    expect(pb.droppedB).toBeGreaterThan(100_000);
    const { port, text } = await openPort(pb.path!);
    open.push({ close: () => port.close() });
    // the held-back output drains to the new reader first; what follows it arrives after it
    expect(await waitFor(() => text().length > 100_000, 10_000)).toBe(true);
    board.evaluate('print("after")');
    expect(await waitFor(() => text().includes("after\r\n"), 10_000)).toBe(true);
  });
});
