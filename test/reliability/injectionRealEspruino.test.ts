/**
 * Issue 21, case 1 on the real interpreter: the REPL lines `zbms send` writes, fed to real
 * Espruino 2v29 (the Linux build helper i16 makes under node_modules/.cache/espruino; skipped
 * when absent), with a stand-in `zbms` that prints its arguments. Every payload must arrive as
 * the UTF-8 bytes of the text typed, and no payload may run (no INJ line of its own).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { describe, expect, it } from "vitest";
import { formatCommandCall, replLine, utf8ByteString } from "../../host/serial/replCommand";
import { REPO_ROOT } from "../../host/bundle/buildFirmware";
import { KNOWN_PAYLOADS } from "./scenarios/injection";

function findEspruino(): string | null {
  const cache = nodePath.join(REPO_ROOT, "node_modules", ".cache", "espruino");
  if (!fs.existsSync(cache)) return null;
  for (const d of fs.readdirSync(cache)) {
    const p = nodePath.join(cache, d, "native", "espruino");
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** Feed `input` to Espruino's REPL (stdin kept open: at EOF it reads junk), collect output until `until` appears. */
function runRepl(bin: string, input: string, until: string, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(bin, [], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    const done = (): void => {
      clearTimeout(timer);
      p.kill("SIGKILL");
      resolve(out);
    };
    const timer = setTimeout(done, ms);
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString("latin1");
      if (out.includes(until)) done();
    });
    p.stdin.write(Buffer.from(input, "latin1"));
  });
}

const BIN = findEspruino();

describe.skipIf(BIN === null)("zbms send's REPL lines on real Espruino 2v29", () => {
  it("every reported payload arrives as its UTF-8 bytes; none runs; timers keep running", async () => {
    let input = '\x10function zbms(c,a,b){print("ARGS "+JSON.stringify([c,a,b]));}\n';
    for (const p of KNOWN_PAYLOADS) input += replLine(formatCommandCall(["set", "name", p]));
    input += '\x10setTimeout(function(){print("TIMER-OK")},4500)\n';
    const out = await runRepl(BIN!, input, "TIMER-OK", 20_000);
    const lines = out.split(/\r?\n/);
    // a line may start after the REPL's prompt or banner
    const args = lines.filter((l) => l.includes("ARGS [")).map((l) => JSON.parse(l.slice(l.indexOf("ARGS [") + 5)) as string[]);
    // Espruino's JSON.stringify writes each byte >= 0x80 as \u00XX: the parsed string is the byte string
    expect(args.map((a) => a[2])).toEqual(KNOWN_PAYLOADS.map(utf8ByteString));
    expect(lines.filter((l) => l.includes("INJ") && !l.includes("ARGS ["))).toEqual([]);
    expect(out).not.toMatch(/Uncaught/);
    expect(out).toContain("TIMER-OK");
  }, 30_000);
});
