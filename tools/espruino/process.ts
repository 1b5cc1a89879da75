/**
 * One real Espruino interpreter as a child process, driven through its console the way a host
 * drives a board over USB serial: lines in on stdin, output lines out on stdout.
 *
 * - variant "esp32": the ESP32 variable format under qemu-i386, pool fixed at `poolJsVars`
 *   (exact memory, slow clock); variant "native": 64-bit, resizable pool (fast; for timing).
 * - Each interpreter runs in its own folder: Linux Espruino keeps Storage in `espruino.flash`
 *   in its working directory, so a restart in the same folder boots from the same flash.
 * - stdin stays an open pipe: at end-of-file Linux Espruino's console reads junk into the REPL.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { POOL_ENV, TELNET_PORT_ENV, type RealEspruino } from "./interpreters.js";

export type EspruinoVariant = "native" | "esp32";

export interface EspruinoProcessOptions {
  variant: EspruinoVariant;
  /** JsVars in the pool (esp32 variant only; default: the build's 16 383). */
  poolJsVars?: number;
  /** Working folder (holds espruino.flash); default a fresh temporary folder. */
  cwd?: string;
  /** A script file to load and run at start (path), instead of an empty REPL. */
  scriptPath?: string;
  /** Extra arguments (e.g. ["--telnet"]). */
  args?: readonly string[];
  /** Also serve the console over telnet on 127.0.0.1:telnetPort (`--telnet`; the console moves there while a client is connected). */
  telnetPort?: number;
  /** Remove `cwd` on dispose even though the caller gave it (a restart taking over a folder). */
  removeCwd?: boolean;
}

interface Waiter {
  test: (line: string) => boolean;
  resolve: (line: string) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class EspruinoProcess {
  readonly cwd: string;
  /** Every complete output line, in order (prompts and echoes included). */
  readonly lines: string[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private partial = "";
  private waiters: Waiter[] = [];
  private exited: Promise<number | null>;
  private ownsCwd: boolean;

  constructor(espruino: RealEspruino, opts: EspruinoProcessOptions) {
    this.ownsCwd = opts.cwd === undefined || opts.removeCwd === true;
    this.cwd = opts.cwd ?? mkdtempSync(join(tmpdir(), "zbms-espruino-"));
    const telnet = opts.telnetPort !== undefined ? ["--telnet"] : [];
    const args = [...telnet, ...(opts.args ?? []), ...(opts.scriptPath ? [opts.scriptPath] : [])];
    const env = { ...process.env };
    if (opts.poolJsVars !== undefined) env[POOL_ENV] = String(opts.poolJsVars);
    if (opts.telnetPort !== undefined) env[TELNET_PORT_ENV] = String(opts.telnetPort);
    const cmd = opts.variant === "esp32" ? espruino.esp32Command(args) : { file: espruino.nativePath, args };
    this.child = spawn(cmd.file, cmd.args, { cwd: this.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("latin1");
    this.child.stdout.on("data", (chunk: string) => this.onData(chunk));
    this.child.stderr.setEncoding("latin1");
    this.child.stderr.on("data", (chunk: string) => this.onData(chunk));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
    // a write after the interpreter died (EPIPE) must not crash the host: the waiters time out
    // with the interpreter's last lines, which say why
    this.child.stdin.on("error", (err: Error) => this.lines.push(`[stdin: ${err.message}]`));
  }

  /** Writes a script into the working folder and returns its path (for `scriptPath`). */
  static writeScript(dir: string, name: string, code: string): string {
    const path = join(dir, name);
    writeFileSync(path, code);
    return path;
  }

  /** Sends one console line (a `\n` is appended). */
  send(line: string): void {
    this.child.stdin.write(line + "\n", "latin1");
  }

  /** Sends raw bytes to the console (e.g. "\x03" to clear the input line). */
  write(bytes: string): void {
    this.child.stdin.write(bytes, "latin1");
  }

  /** Resolves with the first output line (already seen from `fromIndex`, or coming) matching `pattern`. */
  waitFor(pattern: RegExp | ((line: string) => boolean), timeoutMs: number, fromIndex = 0): Promise<string> {
    const test = typeof pattern === "function" ? pattern : (l: string) => pattern.test(l);
    for (let i = fromIndex; i < this.lines.length; i++) if (test(this.lines[i]!)) return Promise.resolve(this.lines[i]!);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        test,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          const tail = this.lines.slice(-15).join("\n  ");
          reject(new Error(`no line matching ${String(pattern)} within ${timeoutMs} ms; last lines:\n  ${tail}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** The interpreter's exit code once it has exited by itself (1 after a failed internal ASSERT), else null. */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** Stops the interpreter (SIGKILL: a power cut, Storage stays as written) and waits for it. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }

  /** Kills the interpreter and removes its folder if this object made it. */
  async dispose(): Promise<void> {
    await this.kill();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error("interpreter disposed"));
    }
    this.waiters = [];
    if (this.ownsCwd) rmSync(this.cwd, { recursive: true, force: true });
  }

  private onData(chunk: string): void {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop()!;
    for (const raw of parts) {
      const line = raw.replace(/\r$/, "");
      this.lines.push(line);
      for (const w of [...this.waiters]) {
        if (w.test(line)) {
          clearTimeout(w.timer);
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(line);
        }
      }
    }
  }
}
