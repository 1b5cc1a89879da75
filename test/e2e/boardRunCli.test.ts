import { afterEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { SerialPort } from "serialport";
import { decodeLine } from "../../shared/telemetry/lineFormat.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGTERM");
});

describe("tsx host/virtualBoard/run.ts", () => {
  it("prints the pty path first; a simulated pack charges at C/5 and the built firmware's telemetry flows; SIGTERM stops it", async () => {
    const child = spawn("node_modules/.bin/tsx", ["host/virtualBoard/run.ts", "--speed", "50", "--firmware", "build", "--seed", "3"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    const path = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("no path within 30 s")), 30_000);
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf("\n");
        if (nl >= 0) {
          clearTimeout(timer);
          resolve(out.slice(0, nl));
        }
      });
    });
    expect(path).toMatch(/^\/dev\/pts\/\d+$/);
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    let text = "";
    port.on("data", (d: Buffer) => {
      text += d.toString("latin1");
    });
    const end = Date.now() + 15_000;
    let currents: number[] = [];
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      currents = text
        .split("\r\n")
        .map((l) => decodeLine(l))
        .flatMap((d) => (d.ok && d.record.type === "status" ? [d.record.currentA] : []));
      if (currents.length >= 5) break;
    }
    port.close();
    expect(currents.length).toBeGreaterThanOrEqual(5);
    // ZnMnO2 4S 2 Ah pack, default protocol starts with a C/5 charge: +0.4 A within the chips' errors
    expect(currents[currents.length - 1]!).toBeGreaterThan(0.38);
    expect(currents[currents.length - 1]!).toBeLessThan(0.42);
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(0);
  });

  it("rejects a bad --speed naming the value and what is accepted", async () => {
    const child = spawn("node_modules/.bin/tsx", ["host/virtualBoard/run.ts", "--speed", "fast"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/--speed: got "fast"; accepted: a number > 0/);
  });
});
