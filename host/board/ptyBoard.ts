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
import * as pty from "node-pty";
import { EspruinoRepl } from "./repl.js";
import type { VirtualBoard } from "./virtualBoard.js";

/** Marker the pty child prints once the slave is in raw mode. */
const READY_MARK = "READY";
/** How long to wait for the child's marker (ms). */
const READY_TIMEOUT_MS = 5000;
/** Longest sleep `sleep` accepts portably (s): 2^31 − 1. */
const HOLD_SECONDS = 2147483647;

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
    const term = pty.spawn("sh", ["-c", `stty raw -echo; printf ${READY_MARK}; exec sleep ${HOLD_SECONDS}`], {
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
    this.unsubscribe = this.repl.onOutput((text) => {
      if (this.term === term) term.write(Buffer.from(text, "latin1") as unknown as string);
    });
    this.term = term;
    this.pathNow = path;
    if (this.opts.poweredByUsb) this.board.powerOn();
    if (this.opts.onPath) this.opts.onPath(path);
  }

  /** Pull the USB cable: the pty disappears (host tools see the port close/error). */
  unplug(): void {
    const term = this.term;
    this.term = undefined;
    this.pathNow = undefined;
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
