/**
 * A real Espruino interpreter reachable the way a USB board is: its `--telnet` console
 * (127.0.0.1, port from ESPRUINO_TELNET_PORT) bridged by socat to a pseudo-terminal, which
 * `zbms flash` and espruino-tools open as a serial port. The test holds the terminal open itself
 * (without reading), so a client closing it does not end the bridge.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, constants, existsSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { espruino } from "./realBoard";
import { EspruinoProcess, type EspruinoVariant } from "../../tools/espruino/process";

/** Why these tests cannot run here ("" = they can): socat missing outside CI (in CI it is an error). */
export function bridgeUnavailable(): string {
  if (spawnSync("socat", ["-V"], { stdio: "ignore" }).status === 0) return "";
  const reason = "socat is missing (apt-get install socat)";
  if (process.env.CI === "true") throw new Error(reason);
  return reason;
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (a && typeof a === "object" ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

export interface TelnetBoard {
  proc: EspruinoProcess;
  /** The pseudo-terminal path to hand to `zbms flash --port`. */
  tty: string;
  close(): Promise<void>;
}

/** Starts an interpreter in `cwd` with its console on telnet, and the socat bridge to `cwd/tty`. */
export async function startTelnetBoard(variant: EspruinoVariant, cwd: string, poolJsVars?: number): Promise<TelnetBoard> {
  const port = await freePort();
  const proc = new EspruinoProcess(espruino(), { variant, cwd, telnetPort: port, ...(poolJsVars ? { poolJsVars } : {}) });
  const tty = join(cwd, "tty");
  const socat: ChildProcess = spawn("socat", [`PTY,link=${tty},rawer`, `TCP:127.0.0.1:${port},retry=100,interval=0.1`], { stdio: "ignore" });
  let fd = -1;
  const end = Date.now() + 20_000;
  while (fd < 0) {
    if (socat.exitCode !== null) throw new Error(`socat exited (${socat.exitCode}) before the bridge was up`);
    if (Date.now() > end) throw new Error("the telnet bridge did not come up within 20 s");
    if (existsSync(tty)) fd = openSync(tty, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    else await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    tty,
    async close() {
      closeSync(fd);
      if (socat.exitCode === null) {
        const gone = new Promise((r) => socat.once("exit", r));
        socat.kill("SIGKILL");
        await gone;
      }
      await proc.kill();
    },
  };
}
