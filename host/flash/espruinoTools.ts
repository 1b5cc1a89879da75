/**
 * The upload core: sends a firmware bundle to an Espruino board through espruino-tools
 * (`require("espruino")`, 0.1.67) used as a library, over a serial path this module opens
 * itself with `serialport` — a USB adapter or the virtual board's `/dev/pts/N`.
 *
 * Why a custom connection "device": espruino-tools only opens paths listed by serialport's
 * `list()`, which never lists pseudo-terminals and fails outright without `udevadm`
 * (`docs/espruino.md`, "The `espruino` command-line tool"). Its serial layer accepts
 * extra devices in `Espruino.Core.Serial.devices`; ours lists exactly the requested path.
 * Offline settings: Bluetooth off (its D-Bus layer crashes without a system bus), no
 * environment query on connect, and a local board description (ESP32, 2v29, built-in modules
 * Storage/ESP32…) so `require("Storage")` is not looked up on the web.
 *
 * Upload sequence (espruino-tools' CodeWriter): `reset()`, then per `mode` either Storage
 * writes of the code in 1 kB chunks and `load()` ("flash"), or the code line by line with echo
 * off and `save()` ("ram").
 */
import { createRequire } from "node:module";
import type { SerialPort } from "serialport";
import { loadSerialPort } from "../serial/openPort";

/** Espruino's console baud rate on the ESP32 (Espruino reference, Serial.setup default). */
export const UPLOAD_BAUD = 115200;
/** What espruino-tools is told about the board instead of fetching espruino.com/json/ESP32.json. */
export const LOCAL_BOARD_ENV = {
  BOARD: "ESP32",
  VERSION: "2v29",
  VERSION_MAJOR: 2,
  VERSION_MINOR: 29,
  CONSOLE: "USB",
  MODULES: "Storage,ESP32,Wifi,net,http,crypto,dgram,fs,tls,NetworkJS,heatshrink",
  info: { binary_version: "2v29", builtin_modules: ["Storage", "ESP32", "Wifi", "net", "http", "crypto", "heatshrink"] },
};
/** How long an upload may take before it is abandoned (ms): 40 kB at 115200 Bd ≈ 4 s, plus the board's parsing. */
export const DEFAULT_UPLOAD_TIMEOUT_MS = 120_000;

export interface UploadProgress {
  phase: "connecting" | "sending" | "done";
  /** Bytes written to the port so far and in total (including espruino-tools' framing). */
  sentB: number;
  totalB: number;
}

export interface UploadOptions {
  /** Serial path, e.g. /dev/ttyUSB0 or the virtual board's /dev/pts/N. */
  port: string;
  /** The bundle text (dist/firmware/zbms.js). */
  code: string;
  onProgress?: (p: UploadProgress) => void;
  /**
   * How the code is stored (espruino-tools "Save on Send"):
   *   "flash" (default): written to Storage `.bootcde` in 1 kB chunks, then `load()`; runs at
   *     every power-on/hard reset; the code lives in flash, so RAM only holds one chunk at a time;
   *   "flash-persistent": `.bootrst`, which also runs after a soft `reset()`;
   *   "ram": sent to the REPL and executed while uploading, then `save()` (a RAM image) — the
   *     whole bundle passes through RAM, which a bundle near the budget may not survive.
   */
  mode?: "flash" | "flash-persistent" | "ram";
  /** Older form: `save: true` without `mode` means mode "ram" (upload to RAM, then save()). */
  save?: boolean;
  timeoutMs?: number;
}

export interface UploadResult {
  /** Everything the board printed during the upload. */
  response: string;
  /** Bytes written to the port. */
  sentB: number;
}

/** A failed upload; the message says what to check. */
export class UploadError extends Error {}

/**
 * What Espruino prints when its JsVar pool runs out: "OUT OF MEMORY" (src/jsvar.c) and the
 * interpreter-error flag MEMORY ("New interpreter error: LOW_MEMORY,MEMORY"; LOW_MEMORY alone
 * only means a garbage collection was forced). espruino-tools reports "Upload Complete" even then.
 */
const OUT_OF_MEMORY = /OUT OF MEMORY|Out of Memory|interpreter error: [A-Z_,]*\bMEMORY\b/;

/** The first line of `text` saying the board ran out of memory, or null. */
export function outOfMemoryLine(text: string): string | null {
  for (const line of text.split(/\r?\n/)) if (OUT_OF_MEMORY.test(line)) return line.replace(/\x1b\[J|[\x00-\x1f]/g, "").replace(/^>+/, "").trim().slice(0, 160);
  return null;
}

interface EspruinoGlobal {
  Config: Record<string, unknown>;
  Core: {
    Serial: { devices: unknown[] };
    Env: { getData(): Record<string, unknown> };
    CodeWriter: { reformatCode(code: string): string | undefined };
  };
  callProcessor(name: string, data: unknown, cb: (d: unknown) => void): void;
}
interface EspruinoTools {
  init(cb: () => void): void;
  sendCode(port: string, code: string, cb: (response?: string) => void): void;
}

/**
 * What espruino-tools writes for `payload`, in bytes: its "transformForEspruino" processors (in
 * the flash modes: Storage.write calls of 1 kB chunks, then load()), CodeWriter's per-line echo-off
 * framing, the blank lines it ends with, the reset() and print() lines it sends first, and the
 * newline asking for a prompt (core/codeWriter.js, core/utils.js getEspruinoPrompt). The honest
 * total for the progress bar: the bundle's own size is ~1 % short of what goes out.
 */
async function framedLength(E: EspruinoGlobal, payload: string): Promise<number> {
  const transformed = await new Promise<string>((r) => E.callProcessor("transformForEspruino", payload, (c) => r(String(c))));
  let code = E.Core.CodeWriter.reformatCode(transformed) ?? transformed;
  while (code[code.length - 2] !== "\n" || code[code.length - 1] !== "\n") code += "\n";
  const prefix = (E.Config.RESET_BEFORE_SEND ? "\x10reset();\n" : "") + "\x10print()\n";
  const promptRequest = "\n";
  return promptRequest.length + prefix.length + code.length;
}

let toolsReady: Promise<{ tools: EspruinoTools; E: EspruinoGlobal }> | undefined;

function loadTools(): Promise<{ tools: EspruinoTools; E: EspruinoGlobal }> {
  if (!toolsReady) {
    toolsReady = new Promise((resolve) => {
      const req = createRequire(import.meta.url);
      const tools = req("espruino") as EspruinoTools;
      const quiet = silenceConsole();
      tools.init(() => {
        quiet();
        resolve({ tools, E: (globalThis as unknown as { Espruino: EspruinoGlobal }).Espruino });
      });
    });
  }
  return toolsReady;
}

/** espruino-tools logs every step with console.log; keep the host's console clean during its work. */
function silenceConsole(): () => void {
  const saved = { log: console.log, warn: console.warn, info: console.info };
  console.log = () => undefined;
  console.info = () => undefined;
  console.warn = () => undefined;
  return () => Object.assign(console, saved);
}

/**
 * The connection device handed to espruino-tools' serial layer: exactly one path, opened with
 * serialport's `SerialPortClass` (loaded by the caller, so a missing package fails the upload at once).
 */
function makeDevice(path: string, onWrite: (n: number) => void, SerialPortClass: typeof SerialPort, onLost: () => void) {
  let conn: SerialPort | undefined;
  let closing = false;
  return {
    name: "zbms serial",
    getPorts(cb: (ports: Array<{ path: string; description: string }>, instant: boolean) => void): void {
      cb([{ path, description: "zbms serial port" }], true);
    },
    open(p: string, openCb: (status?: string) => void, receiveCb: (data: ArrayBuffer) => void, disconnectCb: () => void): void {
      conn = new SerialPortClass({ path: p, baudRate: UPLOAD_BAUD, autoOpen: false });
      conn.on("data", (d: Buffer) => {
        const a = new Uint8Array(d.length);
        a.set(d);
        receiveCb(a.buffer);
      });
      conn.on("close", () => {
        conn = undefined;
        if (!closing) onLost(); // the port went away under espruino-tools (unplugged, board or simulator gone)
        disconnectCb();
      });
      conn.on("error", () => undefined);
      conn.open((err) => {
        if (err) {
          conn = undefined;
          openCb(undefined);
          disconnectCb();
        } else {
          openCb("Ok");
        }
      });
    },
    write(data: string, cb?: () => void): void {
      if (!conn) {
        if (cb) cb();
        return;
      }
      onWrite(data.length);
      conn.write(Buffer.from(data, "latin1"), () => {
        if (cb) cb();
      });
    },
    close(cb?: () => void): void {
      closing = true;
      if (conn) conn.close(() => (cb ? cb() : undefined));
      else if (cb) cb();
    },
  };
}

/**
 * Upload `code` to the board on `port` through espruino-tools; resolves with what the board
 * printed. Rejects with UploadError when the port cannot be opened or the board never answers.
 */
export function uploadBundle(opts: UploadOptions): Promise<UploadResult> {
  // espruino-tools keeps one global connection and config: uploads in one process take turns.
  const run = uploadQueue.then(() => uploadOnce(opts));
  uploadQueue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

let uploadQueue: Promise<void> = Promise.resolve();

/** espruino-tools' settings for one upload in `mode`, and the local board's environment (no network lookups). */
async function configureTools(E: Awaited<ReturnType<typeof loadTools>>["E"], mode: NonNullable<UploadOptions["mode"]>): Promise<void> {
  Object.assign(E.Config, {
    BLUETOOTH_LOW_ENERGY: false,
    BLUETOOTH_LOW_ENERGY_DBUS: false,
    WEB_BLUETOOTH: false,
    ENV_ON_CONNECT: false,
    RESET_BEFORE_SEND: true,
    SAVE_ON_SEND: mode === "ram" ? 0 : mode === "flash" ? 1 : 2,
    LOAD_STORAGE_FILE: 1,
    MINIFICATION_LEVEL: "",
    MODULE_MINIFICATION_LEVEL: "",
    SET_TIME_ON_WRITE: false,
    BAUD_RATE: UPLOAD_BAUD,
    SERIAL_TCPIP: [],
  });
  const env = E.Core.Env.getData();
  Object.assign(env, LOCAL_BOARD_ENV);
  await new Promise<void>((r) => E.callProcessor("boardJSONLoaded", env, () => r()));
}

async function uploadOnce(opts: UploadOptions): Promise<UploadResult> {
  const { SerialPort: SerialPortClass } = loadSerialPort();
  const { tools, E } = await loadTools();
  const mode = opts.mode ?? (opts.save ? "ram" : "flash");
  // espruino-tools prefixes every line with \x10 itself (and turns control characters in code into "?").
  const payload = mode === "ram" ? opts.code + "\nsave();\n" : opts.code;
  let sentB = 0;
  let totalB = payload.length;
  let lost = false;
  const progress = (phase: UploadProgress["phase"]): void => {
    // A recovery Ctrl-C or a second prompt request can add a few bytes beyond the framed total:
    // progress stops at 100 % rather than counting past it.
    if (opts.onProgress) opts.onProgress({ phase, sentB: phase === "done" ? totalB : Math.min(sentB, totalB), totalB });
  };
  await configureTools(E, mode);
  const devices = E.Core.Serial.devices;
  devices.length = 0;
  devices.push(
    makeDevice(
      opts.port,
      (n) => {
        sentB += n;
        progress("sending");
      },
      SerialPortClass,
      () => (lost = true),
    ),
  );
  const quiet = silenceConsole();
  const errors: string[] = [];
  const savedError = console.error;
  console.error = (...a: unknown[]) => {
    errors.push(a.map(String).join(" "));
  };
  try {
    totalB = await framedLength(E, payload);
    progress("connecting");
    const response = await new Promise<string | undefined>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new UploadError(`upload to ${opts.port} did not finish within ${opts.timeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS} ms (${sentB} of ${totalB} B sent). Is a board on that port, and is it running Espruino?`)),
        opts.timeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS,
      );
      tools.sendCode(opts.port, payload, (resp) => {
        clearTimeout(timer);
        resolve(resp);
      });
    });
    if (sentB === 0) {
      throw new UploadError(`could not open ${opts.port} for the upload${errors.length ? ": " + errors.join("; ") : ""}. Check the path (ls /dev/ttyUSB* /dev/pts/*) and that no other program holds it.`);
    }
    if (lost) {
      throw new UploadError(
        `the port ${opts.port} went away during the upload (${Math.min(sentB, totalB)} of ${totalB} B sent): was the board unplugged or reset, or its simulator stopped? Flash again once it is back.`,
      );
    }
    const oom = outOfMemoryLine(response ?? "");
    if (oom !== null) {
      throw new UploadError(`the board ran out of memory during the upload (it printed "${oom}"); the code did not load. ` +
        (mode === "ram" ? "Upload to flash instead (the default mode), or build a smaller bundle." : "Build a smaller bundle, or free memory on the board (reset() first)."));
    }
    progress("done");
    return { response: response ?? "", sentB };
  } finally {
    quiet();
    console.error = savedError;
  }
}
