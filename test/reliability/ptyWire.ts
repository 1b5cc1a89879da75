/**
 * A raw pseudo-terminal whose master side this process writes bytes into (exactly the bytes,
 * latin1, no UTF-8 re-encoding), reached through a stable symlink like udev's
 * /dev/serial/by-id/ links. Used as the "cable" after a fault injector (corrupting relay).
 * Output the host does not read yet is held up to a bound, like PtyBoard does.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import * as pty from "node-pty";

/** Bytes held back while the pty is full (nobody reading yet). */
const BACKLOG_MAX_B = 1 << 20;
/** Retry period for held-back bytes (ms). */
const RETRY_MS = 5;

export class PtyWire {
  readonly dir: string;
  readonly path: string;
  private term: pty.IPty | null = null;
  private fd = -1;
  private backlog: Buffer[] = [];
  private backlogB = 0;
  private retry: NodeJS.Timeout | undefined;
  /** Bytes dropped because the backlog bound was reached. */
  droppedB = 0;

  private constructor() {
    this.dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-wire-"));
    this.path = nodePath.join(this.dir, "ttyWIRE0");
  }

  static async create(): Promise<PtyWire> {
    const w = new PtyWire();
    await w.plug();
    return w;
  }

  private async plug(): Promise<void> {
    const term = pty.spawn("sh", ["-c", "stty raw -echo; printf READY; exec sleep 2147483647"], { cols: 200, rows: 50, encoding: null } as pty.IPtyForkOptions);
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      const timer = setTimeout(() => reject(new Error("pty wire: no READY from the holder within 5 s")), 5000);
      const sub = term.onData((d: string | Buffer) => {
        seen += typeof d === "string" ? d : Buffer.from(d).toString("latin1");
        if (seen.includes("READY")) {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      });
    });
    this.term = term;
    this.fd = (term as unknown as { _fd: number })._fd;
    const pts = (term as unknown as { ptsName: string }).ptsName;
    fs.rmSync(this.path, { force: true });
    fs.symlinkSync(pts, this.path);
  }

  /** Bytes from the "board" to the host. */
  write(buf: Buffer): void {
    if (!this.term) return; // unplugged: the bytes go nowhere
    if (this.backlog.length > 0) return this.hold(buf);
    const n = this.writeSome(buf);
    if (n < buf.length) {
      this.hold(buf.subarray(n));
      this.scheduleRetry();
    }
  }

  private hold(buf: Buffer): void {
    if (this.backlogB + buf.length > BACKLOG_MAX_B) {
      this.droppedB += buf.length;
      return;
    }
    this.backlog.push(Buffer.from(buf));
    this.backlogB += buf.length;
  }

  private scheduleRetry(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      while (this.term && this.backlog.length > 0) {
        const head = this.backlog[0]!;
        const n = this.writeSome(head);
        this.backlogB -= n;
        if (n < head.length) {
          this.backlog[0] = head.subarray(n);
          this.scheduleRetry();
          return;
        }
        this.backlog.shift();
      }
    }, RETRY_MS);
  }

  private writeSome(buf: Buffer): number {
    try {
      return fs.writeSync(this.fd, buf);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN" || code === "EWOULDBLOCK") return 0;
      if (code === "EIO" || code === "EBADF") return buf.length;
      throw e;
    }
  }

  /** Pull the cable: the pty and the symlink vanish. */
  unplug(): void {
    const term = this.term;
    this.term = null;
    this.fd = -1;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.backlog = [];
    this.backlogB = 0;
    fs.rmSync(this.path, { force: true });
    if (term) {
      try {
        term.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  }

  async replug(): Promise<void> {
    if (this.term) this.unplug();
    await this.plug();
  }

  dispose(): void {
    this.unplug();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
