/**
 * The virtual board's console on a real pseudo-terminal, so host tools (serialport,
 * espruino-tools) open it like a USB serial port.
 *
 * node-pty spawns `sh -c "stty raw -echo; printf READY; exec sleep 2147483647"`: the child only
 * holds the slave side open, in raw mode without echo; the board holds the master
 * (node-pty's read/write) and connects it to an EspruinoRepl. The slave path (`/dev/pts/N`,
 * node-pty's `ptsName`) is what host tools open. `unplug()` closes the pty (the host side sees
 * the port vanish), `replug()` makes a new one and reports its new path.
 *
 * Output is written once per burst of prints. What the pty cannot take yet waits in a backlog:
 * while a host reads, a backlog above PTY_BACKLOG_WAIT_B makes the board wait (`consoleBusy`);
 * while nobody reads, the oldest output is dropped (PTY_UNREAD_AFTER_MS, PTY_UNREAD_KEEP_B).
 */
import { writeSync } from "node:fs";
import type * as pty from "node-pty";
import { PackageLoadError, requirePackage } from "../util/lazyPackage.js";
import { EspruinoRepl } from "./repl.js";
import type { VirtualBoard } from "./virtualBoard.js";

/** What loads node-pty; replaceable so tests can play a machine where it is not installed. */
export type PtyLoader = () => typeof pty;

const defaultPtyLoader: PtyLoader = () => requirePackage<typeof pty>("node-pty", "put the virtual board on a pseudo-terminal");
let ptyLoader: PtyLoader = defaultPtyLoader;

/** Use `loader` instead of requiring node-pty (tests); undefined restores the default. */
export function setPtyLoader(loader: PtyLoader | undefined): void {
  ptyLoader = loader ?? defaultPtyLoader;
}

/**
 * node-pty, or a PackageLoadError saying what is missing and how to get it. It is an optional
 * dependency: npm skips it where it cannot compile it (1.1.0 ships no Linux prebuild, so its
 * install runs node-gyp, which needs make, a C++ compiler and Python 3).
 */
export function loadNodePty(): typeof pty {
  try {
    return ptyLoader();
  } catch (e) {
    const notInstalled = e instanceof PackageLoadError && e.notInstalled;
    const cause = notInstalled ? "it is not installed (no node_modules/node-pty)" : e instanceof Error ? e.message : String(e);
    throw new PackageLoadError("node-pty", ptyMissingMessage(cause), notInstalled);
  }
}

/** The explanation printed when node-pty cannot be loaded; `cause` is the loader's message. */
export function ptyMissingMessage(cause: string): string {
  return [
    "the virtual board needs a pseudo-terminal, which zbms makes with the optional npm package \"node-pty\", and it cannot be loaded:",
    `  ${cause.split("\n")[0]}`,
    "npm skips node-pty where it cannot compile it (node-pty 1.1.0 ships prebuilt binaries for macOS and Windows only).",
    "To install it: a C++ toolchain (Debian/Ubuntu: sudo apt-get install make g++ python3), then `npm install node-pty`",
    "in the zbms checkout.",
    "Without it everything but the virtual board works: flash, monitor, send and calibrate a real board",
    "(e.g. --port /dev/ttyUSB0), and analyze or export logs.",
  ].join("\n");
}

/** Marker the pty child prints once the slave is in raw mode. */
const READY_MARK = "READY";
/** How long to wait for the child's marker (ms). */
const READY_TIMEOUT_MS = 5000;
/** Longest sleep `sleep` accepts portably (s): 2^31 − 1. */
const HOLD_SECONDS = 2147483647;
/**
 * Output held back while the pty is full, bytes. Beyond it the oldest is dropped: a UART keeps
 * shifting bytes out whether or not a host reads them, so what a late reader gets is recent.
 */
export const PTY_BACKLOG_MAX_B = 256 * 1024;
/**
 * Held-back output above which the board waits while a host is reading (bytes): Espruino blocks
 * in jshTransmit when its transmit buffer is full (src/jsdevices.c), so a board faster than its
 * reader slows down instead of losing lines (issue 17: answers to `zbms send` were lost).
 */
export const PTY_BACKLOG_WAIT_B = 32 * 1024;
/**
 * The pty took no byte for this long (ms): nobody reads the port. The board then runs on and its
 * output is dropped, as a USB-serial bridge drops what no host reads; only the newest
 * PTY_UNREAD_KEEP_B are kept for the next reader. Long enough that a reader stalled by a
 * loaded machine (garbage collection, a busy CI core: 250 ms lost lines under load) loses nothing.
 */
export const PTY_UNREAD_AFTER_MS = 2000;
export const PTY_UNREAD_KEEP_B = 4096;
/** Retry period for held-back output (ms). */
const BACKLOG_RETRY_MS = 10;

export interface PtyBoardOptions {
  /** The board is powered from USB: unplug = power loss, replug = power-on. Default false. */
  poweredByUsb?: boolean;
  /** Called with each new slave path (first open and every replug). */
  onPath?: (path: string) => void;
}

export class PtyBoard {
  readonly repl: EspruinoRepl;
  private term: pty.IPty | undefined;
  private pathNow: string | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Bytes received from the host (tests, logging). */
  received = 0;
  /** Output bytes dropped because the pty stayed full (nobody reading). */
  droppedB = 0;
  private backlog: Buffer[] = [];
  private backlogB = 0;
  private retry: NodeJS.Timeout | undefined;
  private flushQueued = false;
  /** The pty master's descriptor (written with our own non-blocking writes). */
  private fd: number | undefined;
  /** When the pty last took a byte (performance.now() ms). */
  private lastTakenMs = performance.now();

  private constructor(readonly board: VirtualBoard, private readonly opts: PtyBoardOptions) {
    this.repl = new EspruinoRepl(board);
    board.consoleBusy = () => this.term !== undefined && this.backlogB > PTY_BACKLOG_WAIT_B && this.hostReading();
  }

  /** A host took output within the last PTY_UNREAD_AFTER_MS. */
  private hostReading(): boolean {
    return performance.now() - this.lastTakenMs < PTY_UNREAD_AFTER_MS;
  }

  /** Put `board` on a new pseudo-terminal; resolves once the slave path can be opened. */
  static async start(board: VirtualBoard, opts: PtyBoardOptions = {}): Promise<PtyBoard> {
    const b = new PtyBoard(board, opts);
    await b.plug();
    return b;
  }

  /** The slave path host tools open, or undefined while unplugged. */
  get path(): string | undefined {
    return this.pathNow;
  }

  private async plug(): Promise<void> {
    const nodePty = loadNodePty();
    const term = nodePty.spawn("sh", ["-c", `stty raw -echo; printf ${READY_MARK}; exec sleep ${HOLD_SECONDS}`], {
      name: "xterm",
      cols: 200,
      rows: 50,
      encoding: null,
    } as pty.IPtyForkOptions);
    const path = (term as unknown as { ptsName?: string; _pty?: string }).ptsName ?? (term as unknown as { _pty: string })._pty;
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      const timer = setTimeout(() => reject(new Error(`pty ${path}: no ${READY_MARK} from the holder process within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      const sub = term.onData((d: string | Buffer) => {
        seen += typeof d === "string" ? d : Buffer.from(d).toString("latin1");
        if (seen.includes(READY_MARK)) {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      });
    });
    term.onData((d: string | Buffer) => {
      const text = typeof d === "string" ? d : Buffer.from(d).toString("latin1");
      this.received += text.length;
      this.repl.input(text);
    });
    // Written with our own non-blocking writes on the master: node-pty's own queue retries
    // EAGAIN with setImmediate, which spins a core while nobody reads the slave.
    this.fd = (term as unknown as { _fd: number })._fd;
    this.unsubscribe = this.repl.onOutput((text) => {
      if (this.term === term) this.send(Buffer.from(text, "latin1"));
    });
    this.term = term;
    this.pathNow = path;
    this.lastTakenMs = performance.now();
    if (this.opts.poweredByUsb) this.board.powerOn();
    if (this.opts.onPath) this.opts.onPath(path);
  }

  /**
   * Queue output and write it once the running JS returns (one write per burst, not per print):
   * the pty takes what it can, the rest waits in the backlog.
   */
  private send(buf: Buffer): void {
    this.hold(buf);
    if (this.flushQueued || this.retry) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private hold(buf: Buffer): void {
    this.backlog.push(buf);
    this.backlogB += buf.length;
    this.trimBacklog(PTY_BACKLOG_MAX_B);
  }

  /** Drop the oldest held-back output beyond `maxB` bytes. */
  private trimBacklog(maxB: number): void {
    while (this.backlogB > maxB) {
      const head = this.backlog[0]!;
      const cut = Math.min(head.length, this.backlogB - maxB);
      this.droppedB += cut;
      this.backlogB -= cut;
      if (cut === head.length) this.backlog.shift();
      else this.backlog[0] = head.subarray(cut);
    }
  }

  /** Write held-back output until the pty is full; retry later for the rest. */
  private flush(): void {
    const fd = this.fd;
    if (!this.term || fd === undefined) return;
    while (this.backlog.length > 0) {
      const head = this.backlog[0]!;
      const n = writeSome(fd, head);
      if (n > 0) this.lastTakenMs = performance.now();
      this.backlogB -= n;
      if (n < head.length) {
        this.backlog[0] = head.subarray(n);
        if (!this.hostReading()) this.trimBacklog(PTY_UNREAD_KEEP_B);
        this.scheduleRetry();
        return;
      }
      this.backlog.shift();
    }
  }

  private scheduleRetry(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.flush();
    }, BACKLOG_RETRY_MS);
  }

  /** Pull the USB cable: the pty disappears (host tools see the port close/error). */
  unplug(): void {
    const term = this.term;
    this.term = undefined;
    this.fd = undefined;
    this.pathNow = undefined;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.backlog = [];
    this.backlogB = 0;
    if (this.unsubscribe) this.unsubscribe();
    this.unsubscribe = undefined;
    if (term) {
      try {
        term.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    if (this.opts.poweredByUsb) this.board.powerLoss();
  }

  /** Plug the cable back in: a new pty; resolves with its path. */
  async replug(): Promise<string> {
    if (this.term) this.unplug();
    await this.plug();
    return this.pathNow!;
  }

  /** Unplug and stop the board's real-time pacing. */
  close(): void {
    this.unplug();
    this.board.stopRealTime();
  }
}

/** Write what the non-blocking pty master takes now; returns the bytes written (0 when full). */
function writeSome(fd: number, buf: Buffer): number {
  try {
    return writeSync(fd, buf);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EAGAIN" || code === "EWOULDBLOCK") return 0;
    if (code === "EIO" || code === "EBADF") return buf.length; // pty gone: nothing to deliver to
    throw e;
  }
}
