/**
 * The virtual board's console on a real pseudo-terminal, so host tools (serialport,
 * espruino-tools) open it like a USB serial port.
 *
 * node-pty spawns `sh -c "stty raw -echo; printf READY; exec sleep 2147483647"`: the child only
 * holds the slave side open, in raw mode without echo; the board holds the master
 * (node-pty's read/write) and connects it to an EspruinoRepl. The slave path (`/dev/pts/N`,
 * node-pty's `ptsName`) is what host tools open. `unplug()` closes the pty (the host side sees
 * the port vanish), `replug()` makes a new one and reports its new path.
 */
import { writeSync } from "node:fs";
import type * as pty from "node-pty";
import { PackageLoadError, requirePackage } from "../lazyPackage.js";
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
 * Output held back while the pty is full (nobody reading the slave, or reading slowly), bytes;
 * beyond it output is dropped, as a USB-serial bridge loses what no host reads.
 */
export const PTY_BACKLOG_MAX_B = 256 * 1024;
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

  private constructor(readonly board: VirtualBoard, private readonly opts: PtyBoardOptions) {
    this.repl = new EspruinoRepl(board);
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
    const fd = (term as unknown as { _fd: number })._fd;
    this.unsubscribe = this.repl.onOutput((text) => {
      if (this.term === term) this.send(fd, Buffer.from(text, "latin1"));
    });
    this.term = term;
    this.pathNow = path;
    if (this.opts.poweredByUsb) this.board.powerOn();
    if (this.opts.onPath) this.opts.onPath(path);
  }

  private send(fd: number, buf: Buffer): void {
    if (this.backlog.length > 0) {
      this.hold(buf);
      return;
    }
    const n = writeSome(fd, buf);
    if (n < buf.length) {
      this.hold(buf.subarray(n));
      this.scheduleRetry(fd);
    }
  }

  private hold(buf: Buffer): void {
    if (this.backlogB + buf.length > PTY_BACKLOG_MAX_B) {
      this.droppedB += buf.length;
      return;
    }
    this.backlog.push(buf);
    this.backlogB += buf.length;
  }

  private scheduleRetry(fd: number): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.term) return;
      while (this.backlog.length > 0) {
        const head = this.backlog[0]!;
        const n = writeSome(fd, head);
        this.backlogB -= n;
        if (n < head.length) {
          this.backlog[0] = head.subarray(n);
          this.scheduleRetry(fd);
          return;
        }
        this.backlog.shift();
      }
    }, BACKLOG_RETRY_MS);
  }

  /** Pull the USB cable: the pty disappears (host tools see the port close/error). */
  unplug(): void {
    const term = this.term;
    this.term = undefined;
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
