import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard.js";
import { PtyBoard } from "../../host/virtualBoard/ptyBoard.js";
import { uploadBundle } from "../../host/flash/espruinoTools.js";

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A small hand-written program in the bundle's shape: one minified IIFE line, Storage, a sampler on setInterval. */
const PROGRAM =
  '(()=>{var S=require("Storage");var n=0;var boots=(S.readJSON("boots",1)||0)+1;S.writeJSON("boots",boots);' +
  'setInterval(function(){n++;print("#Z tel n="+n+" boots="+boots+" t="+getTime().toFixed(1))},1000);' +
  'globalThis.zbmsStatus=function(){print("#Z status n="+n)}})()';

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return pred();
}

async function startBoard(): Promise<{ board: VirtualBoard; pb: PtyBoard }> {
  const dir = mkdtempSync(join(tmpdir(), "zbms-upload-"));
  const board = new VirtualBoard({ storagePath: join(dir, "flash.json") });
  const pb = await PtyBoard.start(board);
  cleanup.push(() => pb.close());
  board.runRealTime(20);
  return { board, pb };
}

async function typeLine(path: string, line: string): Promise<() => string> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  cleanup.push(() => port.close());
  let seen = "";
  port.on("data", (d: Buffer) => {
    seen += d.toString("latin1");
  });
  port.write(line);
  return () => seen;
}

describe("espruino-tools uploads to the virtual board over its pseudo-terminal", () => {
  it("default (flash): code goes to Storage .bootcde, runs, and survives a hard reset typed on the console and a power cycle", async () => {
    const { board, pb } = await startBoard();
    const phases = new Set<string>();
    const r = await uploadBundle({ port: pb.path!, code: PROGRAM, onProgress: (p) => phases.add(p.phase) });
    expect(r.sentB).toBeGreaterThan(PROGRAM.length);
    expect(phases.has("sending") && phases.has("done")).toBe(true);
    expect(Buffer.from(board.storageFile(".bootcde")!).toString("latin1")).toBe(PROGRAM);
    expect(await until(() => /#Z tel n=\d+ boots=1/.test(board.output), 5000)).toBe(true);
    const seen = await typeLine(pb.path!, "\x10E.reboot()\n");
    expect(await until(() => /#Z tel n=\d+ boots=2/.test(seen()), 5000)).toBe(true);
    expect(board.bootReason).toBe("reboot");
    board.powerCycle();
    expect(board.output).not.toMatch(/#Z tel/);
    expect(await until(() => /#Z tel n=\d+ boots=3/.test(board.output), 5000)).toBe(true);
  });

  it("ram: code runs while uploading, save() stores it, a power cycle brings it back; a soft reset() does not (Espruino semantics)", async () => {
    const { board, pb } = await startBoard();
    const r = await uploadBundle({ port: pb.path!, code: PROGRAM, mode: "ram" });
    expect(r.response).toContain("Done!"); // save() finished
    expect(board.storageFile(".varimg")).toBeDefined();
    expect(await until(() => /#Z tel n=\d+ boots=1/.test(board.output), 5000)).toBe(true);
    board.powerCycle();
    expect(await until(() => /#Z tel n=\d+ boots=2/.test(board.output), 5000)).toBe(true);
    const seen = await typeLine(pb.path!, "\x10reset()\n");
    expect(await until(() => seen().includes("espruino.com"), 5000)).toBe(true);
    await new Promise((res) => setTimeout(res, 300));
    expect(board.bootReason).toBe("reset");
    expect(board.output).not.toMatch(/#Z tel/);
  });

  it("flash-persistent: .bootrst survives a soft reset() too", async () => {
    const { board, pb } = await startBoard();
    await uploadBundle({ port: pb.path!, code: PROGRAM, mode: "flash-persistent" });
    expect(board.storageFile(".bootrst")).toBeDefined();
    expect(await until(() => /#Z tel n=\d+ boots=1/.test(board.output), 5000)).toBe(true);
    const seen = await typeLine(pb.path!, "\x10reset()\n");
    expect(await until(() => /#Z tel n=\d+ boots=2/.test(seen()), 5000)).toBe(true);
    expect(board.bootReason).toBe("reset");
  });

  it("reports a port that cannot be opened as an UploadError naming the path", async () => {
    await expect(uploadBundle({ port: "/dev/pts/99999", code: "1", timeoutMs: 10_000 })).rejects.toThrow(/\/dev\/pts\/99999/);
  });
});
