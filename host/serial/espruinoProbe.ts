/**
 * Is there an Espruino REPL on this port? Before uploading, `zbms flash` asks the device to
 * evaluate a tiny expression whose printed value differs from its source text:
 * `print("ZBMS"+"PROBE")` prints `ZBMSPROBE`. A device that merely echoes what it gets (or a
 * modem, or a GPS) never prints `ZBMSPROBE` as one word; a silent port prints nothing.
 */
import { openLineChannel } from "./lineChannel";
import { ReplyTimeoutError, sendAndAwait } from "./replCommand";

/** The probe expression and the word only an evaluating JavaScript REPL prints. */
export const PROBE_CODE = 'print("ZBMS"+"PROBE")';
export const PROBE_ANSWER = "ZBMSPROBE";
/** How long an idle Espruino takes to answer at most (ms): well above one console round trip, below a user's patience. */
export const PROBE_TIMEOUT_MS = 3000;

export class NotEspruinoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotEspruinoError";
  }
}

/**
 * Resolves when an Espruino REPL answers on `path`. Rejects with SerialPortError (wrong or busy
 * port), NotEspruinoError (the device talks, but not like Espruino) or ReplyTimeoutError
 * (silence).
 */
export async function probeEspruino(path: string, timeoutMs: number = PROBE_TIMEOUT_MS): Promise<void> {
  const ch = await openLineChannel(path);
  try {
    await sendAndAwait(ch, PROBE_CODE, (line) => (line.includes(PROBE_ANSWER) ? true : undefined), timeoutMs);
  } catch (e) {
    if (e instanceof ReplyTimeoutError && !/silent/.test(e.message)) {
      throw new NotEspruinoError(
        `non-Espruino device on "${path}": it answered, but did not evaluate JavaScript (${e.message.replace(/^timeout: /, "")}). ` +
          "Check the port, or put Espruino on the ESP32 first (see docs/hardware-path.md).",
      );
    }
    throw e;
  } finally {
    await ch.close();
  }
}
