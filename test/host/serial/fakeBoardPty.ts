/**
 * Test harness: a real pseudo-terminal whose master side plays the board.
 *
 * node-pty spawns `sh -c "stty raw -echo; exec sleep …"` so the slave /dev/pts/N is a raw tty
 * nobody reads; the host code under test opens that slave with serialport exactly as it would
 * open /dev/ttyUSB0. `path` is a symlink in a temp directory (like udev's /dev/serial/by-id/
 * links), so `unplug()` + `replug()` bring the "same port" back even if the kernel hands out a
 * different pts number.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import * as pty from "node-pty";

const RAW_SLEEPER = ["-c", "stty raw -echo; exec sleep 2147483647"];

export class FakeBoardPty {
  readonly dir: string;
  readonly path: string;
  /** Everything the host wrote to the board, across plugs. */
  received = "";
  private term: pty.IPty | null = null;

  private constructor(dir: string) {
    this.dir = dir;
    this.path = nodePath.join(dir, "ttyFAKE0");
  }

  static async create(): Promise<FakeBoardPty> {
    const board = new FakeBoardPty(fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-pty-")));
    await board.replug();
    return board;
  }

  /** The /dev/pts/N of the current plug. */
  ptsName(): string {
    if (!this.term) throw new Error("fake board is unplugged");
    return (this.term as unknown as { ptsName: string }).ptsName;
  }

  /** Send text from the "board" to the host. */
  write(text: string): void {
    if (!this.term) throw new Error("fake board is unplugged; cannot write " + JSON.stringify(text));
    this.term.write(text);
  }

  /** Close the pty: the slave vanishes like an unplugged USB adapter. */
  unplug(): void {
    if (!this.term) return;
    this.term.kill("SIGKILL");
    this.term = null;
    fs.rmSync(this.path, { force: true });
  }

  /** Open a new pty and point the stable path at it. */
  async replug(): Promise<void> {
    const term = pty.spawn("sh", RAW_SLEEPER, { cols: 200, rows: 50 });
    term.onData((d) => {
      this.received += d;
    });
    this.term = term;
    // `stty raw -echo` must have run before the host opens the slave, or echo would garble tests.
    await new Promise((r) => setTimeout(r, 150));
    fs.rmSync(this.path, { force: true });
    fs.symlinkSync(this.ptsName(), this.path);
  }

  /** Wait until the host has written something that satisfies `pred`. */
  async waitForReceived(pred: (all: string) => boolean, timeoutMs = 5000): Promise<void> {
    const t0 = Date.now();
    while (!pred(this.received)) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`timeout waiting; received so far ${JSON.stringify(this.received.slice(-200))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  dispose(): void {
    this.unplug();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Poll `pred` every 10 ms until true or `timeoutMs` passes. */
export async function waitUntil(pred: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timeout after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
