/**
 * `zbms flash` end to end through real pseudo-terminals: the virtual board (the firmware
 * issue's) is flashed exactly as an ESP32 on /dev/ttyUSB0 would be, and each failure mode has
 * its own message and exit status.
 */
import * as fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { openSerialPort, closeSerialPort } from "../../host/serial/openPort";
import { FakeBoardPty } from "../host/serial/fakeBoardPty";
import { runZbms, startZbms } from "./monitorCli";
import { startVirtualBoard, type RunningVirtualBoard } from "./virtualBoardPty";

let fake: FakeBoardPty | null = null;
let vb: RunningVirtualBoard | null = null;
afterEach(() => {
  if (fake) fake.dispose();
  fake = null;
  if (vb) vb.stop();
  vb = null;
});

describe("zbms flash: failures each get their own message", () => {
  it("wrong port → exit 2, names the port, before building anything", async () => {
    const r = await runZbms(["flash", "--port", "/dev/ttyZBMS-nothing-here"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/wrong port: "\/dev\/ttyZBMS-nothing-here" does not exist/);
    expect(r.stderr).not.toMatch(/built bundle/);
  });

  it("busy port → exit 2, says another program holds it", async () => {
    fake = await FakeBoardPty.create();
    const holder = await openSerialPort(fake.path);
    try {
      const r = await runZbms(["flash", "--port", fake.path]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/busy port/);
    } finally {
      await closeSerialPort(holder);
    }
  });

  it("non-Espruino device (answers, but only echoes) → exit 6", async () => {
    fake = await FakeBoardPty.create();
    const p = startZbms(["flash", "--port", fake.path]);
    // behave like a dumb terminal: echo every line back, then "OK"
    const echo = setInterval(() => {
      const r = fake!.received;
      if (r.endsWith("\n")) {
        fake!.write(r.replace(/\x10/g, "").replace(/\n/g, "\r\n") + "OK\r\n");
        fake!.received = "";
      }
    }, 20);
    const { code } = await p.exited;
    clearInterval(echo);
    expect(code).toBe(6);
    expect(p.stderr()).toMatch(/non-Espruino device/);
  });

  it("silent device → timeout, exit 3", async () => {
    fake = await FakeBoardPty.create();
    const r = await runZbms(["flash", "--port", fake.path]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/timeout: .*silent/);
  });

  it("a --bundle that is not a zbms bundle is refused before anything is sent", async () => {
    fs.writeFileSync("/tmp/zbms-not-a-bundle.js", "print('hello')");
    const r = await runZbms(["flash", "--port", "/dev/null", "--bundle", "/tmp/zbms-not-a-bundle.js"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/not a zbms bundle/);
  });
});

describe("zbms flash onto the virtual board over its pseudo-terminal", () => {
  it("uploads with progress, saves, survives load(), and the identity matches the build", async () => {
    vb = await startVirtualBoard();
    const r = await runZbms(["flash", "--port", vb.path]);
    expect(r.stderr).toMatch(/uploading 100%/);
    expect(r.stderr + r.stdout).toMatch(/flashed and verified: .* runs bundle [0-9a-f]{16}/);
    expect(r.code).toBe(0);
    // and the board answers commands afterwards
    const s = await runZbms(["send", "--port", vb.path, "ident"]);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/board esp32-ads1115, pack ZnMnO2 4S 2Ah pouch/);
  }, 180_000);
});
