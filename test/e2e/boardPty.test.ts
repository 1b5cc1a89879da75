import { afterEach, describe, expect, it } from "vitest";
import { SerialPort } from "serialport";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard.js";
import { PtyBoard, PTY_UNREAD_AFTER_MS, PTY_UNREAD_KEEP_B } from "../../host/virtualBoard/ptyBoard.js";

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

  it("output nobody reads is dropped oldest first (like a UART into a USB-serial bridge); a late reader gets recent output", async () => {
    const board = new VirtualBoard({});
    const pb = await PtyBoard.start(board);
    open.push(pb);
    board.evaluate('for (var i = 0; i < 4000; i++) print("line " + i + " ' + "x".repeat(100) + '");');
    expect(pb.droppedB).toBeGreaterThan(100_000);
    // nobody reads for longer than PTY_UNREAD_AFTER_MS: only the newest output is kept
    await new Promise((r) => setTimeout(r, PTY_UNREAD_AFTER_MS + 100));
    board.evaluate('print("before reader")');
    await new Promise((r) => setTimeout(r, 50));
    const { port, text } = await openPort(pb.path!);
    open.push({ close: () => port.close() });
    board.evaluate('print("after")');
    expect(await waitFor(() => text().includes("after\r\n"), 10_000)).toBe(true);
    // what the pty itself buffered (~20 kB), then the newest kept output, then the new line
    expect(text().length).toBeLessThan(PTY_UNREAD_KEEP_B + 64 * 1024);
    expect(text()).toContain("before reader\r\n");
    expect(text().indexOf("before reader")).toBeLessThan(text().indexOf("after\r\n"));
  });

  it("a board faster than its reader waits for it instead of dropping output (Espruino blocks when its TX buffer is full)", async () => {
    const board = new VirtualBoard({});
    const pb = await PtyBoard.start(board);
    open.push(pb);
    const { port, text } = await openPort(pb.path!);
    open.push({ close: () => port.close() });
    // ~12 kB per virtual second; at ×100 000 that is 1.2 GB/s asked of the link
    board.evaluate('var n = 0; setInterval(function () { for (var k = 0; k < 100; k++) print("n " + (n++) + " ' + "y".repeat(100) + '"); }, 1000);');
    board.runRealTime(100_000);
    // run until the reader has over 1 000 lines (≈ 1.5 s here; longer on a loaded machine)
    await waitFor(() => text().split("\n").length > 1000, 30000);
    board.stopRealTime();
    await new Promise((r) => setTimeout(r, 300));
    const got = [...text().matchAll(/n (\d+) y/g)].map((m) => Number(m[1]));
    expect(got.length).toBeGreaterThan(1000);
    // every line the board printed arrived, in order
    const firstBad = got.findIndex((v, i) => v !== i);
    expect(firstBad, `line ${firstBad}: ${got.slice(Math.max(0, firstBad - 3), firstBad + 3).join(",")}; dropped ${pb.droppedB} B`).toBe(-1);
    expect(pb.droppedB).toBe(0);
  });
});
