/**
 * A link to one board: keeps its serial port open, splits what arrives into lines, and when the
 * port vanishes (USB cable pulled, board power-cycled, virtual board's pty closed) keeps trying
 * to open the same path again until it comes back.
 *
 * Lines are delivered synchronously from the port's data events, in order, each exactly once;
 * nothing is buffered here beyond the parser's unfinished line.
 */
import * as fs from "node:fs";
import type { SerialPort } from "serialport";
import { attachLineSplitter, type LineSplitter } from "./lineSplitter";
import { closeSerialPort, openSerialPort, ESPRUINO_BAUD } from "./openPort";
import { SerialPortError } from "./portErrors";

/** How often to look for a vanished port (ms): fast enough that a replug is seen within a second. */
export const RECONNECT_POLL_MS = 250;

export interface BoardLinkEvents {
  /** A complete line from the board (trailing CR removed). */
  onLine(line: string): void;
  /** The port went away; `partial` is any unfinished line that was pending. */
  onDisconnect?(reason: string, partial: string): void;
  /** The port is open again after a disconnect; `downMs` is how long it was gone. */
  onReconnect?(downMs: number): void;
}

export interface BoardLinkOptions {
  baudRate?: number;
  /** Keep retrying after a disconnect (default true). */
  reconnect?: boolean;
  pollMs?: number;
}

export class BoardLink {
  readonly path: string;
  private readonly events: BoardLinkEvents;
  private readonly baudRate: number;
  private readonly reconnect: boolean;
  private readonly pollMs: number;
  private port: SerialPort | null = null;
  private splitter: LineSplitter | null = null;
  private closing = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private downSinceMs = 0;
  private disconnects = 0;

  constructor(path: string, events: BoardLinkEvents, options: BoardLinkOptions = {}) {
    this.path = path;
    this.events = events;
    this.baudRate = options.baudRate ?? ESPRUINO_BAUD;
    this.reconnect = options.reconnect ?? true;
    this.pollMs = options.pollMs ?? RECONNECT_POLL_MS;
  }

  /** First open: rejects with SerialPortError (wrong port, busy…) so the user hears at once. */
  async open(): Promise<void> {
    const port = await openSerialPort(this.path, this.baudRate);
    this.adopt(port);
  }

  /** True while the port is open. */
  isConnected(): boolean {
    return this.port !== null && this.port.isOpen;
  }

  /** Number of disconnects seen so far. */
  disconnectCount(): number {
    return this.disconnects;
  }

  /** Write text to the board; rejects when the port is not open. */
  write(text: string): Promise<void> {
    const port = this.port;
    if (!port || !port.isOpen) {
      return Promise.reject(new SerialPortError("notFound", this.path, `port "${this.path}" is not connected; cannot send ${JSON.stringify(text)}`));
    }
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(text, "latin1"), (err) => (err ? reject(err) : port.drain((e) => (e ? reject(e) : resolve()))));
    });
  }

  /** The unfinished line currently in the parser ("" if none). */
  pending(): string {
    return this.splitter ? this.splitter.pending() : "";
  }

  /** Stop reconnecting and close the port. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    const port = this.port;
    this.port = null;
    if (this.splitter) this.splitter.detach();
    this.splitter = null;
    if (port) await closeSerialPort(port);
  }

  private adopt(port: SerialPort): void {
    this.port = port;
    this.splitter = attachLineSplitter(port, (line) => this.events.onLine(line));
    port.on("close", (err: unknown) => this.lost(port, err));
    port.on("error", (err: unknown) => this.lost(port, err));
  }

  private lost(port: SerialPort, err: unknown): void {
    if (this.port !== port || this.closing) return;
    const partial = this.pending();
    if (this.splitter) this.splitter.detach();
    this.splitter = null;
    this.port = null;
    this.disconnects++;
    this.downSinceMs = Date.now();
    if (port.isOpen) port.close(() => undefined);
    const reason = err instanceof Error ? err.message : "port closed";
    if (this.events.onDisconnect) this.events.onDisconnect(reason, partial);
    if (this.reconnect) this.schedulePoll();
  }

  private schedulePoll(): void {
    this.pollTimer = setTimeout(() => void this.tryReopen(), this.pollMs);
  }

  private async tryReopen(): Promise<void> {
    this.pollTimer = null;
    if (this.closing) return;
    if (!fs.existsSync(this.path)) {
      this.schedulePoll();
      return;
    }
    try {
      const port = await openSerialPort(this.path, this.baudRate);
      if (this.closing) {
        await closeSerialPort(port);
        return;
      }
      this.adopt(port);
      if (this.events.onReconnect) this.events.onReconnect(Date.now() - this.downSinceMs);
    } catch {
      this.schedulePoll();
    }
  }
}
