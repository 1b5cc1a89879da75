import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { VirtualBoard } from "../../host/board/virtualBoard.js";
import { PtyBoard } from "../../host/board/ptyBoard.js";
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

describe("espruino-tools uploads to the virtual board over its pseudo-terminal", () => {
  it("uploads, save() makes the program survive a hard reset (E.reboot over the pty) and a power cycle, telemetry flows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zbms-upload-"));
    const board = new VirtualBoard({ storagePath: join(dir, "flash.json") });
    const pb = await PtyBoard.start(board);
    cleanup.push(() => pb.close());
    board.runRealTime(20);
    const phases = new Set<string>();
    const r = await uploadBundle({ port: pb.path!, code: PROGRAM, onProgress: (p) => phases.add(p.phase) });
    expect(r.sentB).toBeGreaterThan(PROGRAM.length);
    expect(phases.has("sending")).toBe(true);
    expect(phases.has("done")).toBe(true);
    expect(r.response).toContain("Done!"); // save() finished
    expect(board.storageFile(".varimg")).toBeDefined();
    expect(await until(() => /#Z tel n=\d+ boots=1/.test(board.output), 5000)).toBe(true);

    // hard reset typed on the console: RAM is gone, the saved program comes back from Storage
    const port = new SerialPort({ path: pb.path!, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    cleanup.push(() => port.close());
    let seen = "";
    port.on("data", (d: Buffer) => {
      seen += d.toString("latin1");
    });
    port.write("\x10E.reboot()\n");
    expect(await until(() => /#Z tel n=\d+ boots=2/.test(seen), 5000)).toBe(true);
    expect(board.bootReason).toBe("reboot");

    // power cycle: same again
    board.powerCycle();
    expect(board.output).not.toMatch(/#Z tel/);
    expect(await until(() => /#Z tel n=\d+ boots=3/.test(board.output), 5000)).toBe(true);
  });

  it("reports a port that cannot be opened as an UploadError naming the path", async () => {
    await expect(uploadBundle({ port: "/dev/pts/99999", code: "1", timeoutMs: 10_000 })).rejects.toThrow(/\/dev\/pts\/99999/);
  });
});
