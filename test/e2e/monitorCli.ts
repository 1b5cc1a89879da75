/** Helpers for end-to-end tests that run the real `zbms` CLI as a child process. */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = nodePath.resolve(nodePath.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ZBMS_BIN = nodePath.join(REPO_ROOT, "host", "cli", "bin.mjs");

export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * bash prologue (dash cannot name descriptors above 9) that closes every inherited descriptor above stderr, then execs the command.
 * Why: node-pty's master descriptor is not close-on-exec, so a child spawned while a test holds
 * a pty inherits a copy of the master; the pty then never really closes on "unplug" (the slave
 * stays readable, the host never sees the port vanish). A user's shell never passes such a
 * descriptor to `zbms`, so the tests must not either.
 */
const CLOSE_INHERITED_FDS =
  'for f in /proc/$$/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-" 2>/dev/null; fi; done; exec "$0" "$@"';

/** Start `zbms <args>` (node host/cli/bin.mjs) in the repo root, with only stdin/stdout/stderr inherited. */
export function startZbms(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn("bash", ["-c", CLOSE_INHERITED_FDS, process.execPath, ZBMS_BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Run `zbms <args>` to completion. */
export async function runZbms(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startZbms(args, env);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** The single file in `dir` whose name ends with `suffix` (waits for it to appear). */
export async function waitForFile(dir: string, suffix: string, timeoutMs = 15000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const hit = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith(suffix)) : [];
    if (hit.length > 0) return nodePath.join(dir, hit[0]!);
    if (Date.now() - t0 > timeoutMs) throw new Error(`no *${suffix} in ${dir} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
