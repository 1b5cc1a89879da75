/**
 * Why a serial port could not be opened, in words a lab user can act on.
 *
 * node-serialport reports open failures as plain `Error`s whose message carries the errno text
 * ("No such file or directory", "Cannot lock port", "Permission denied", …). We map them once,
 * here, to a kind and a message that names the port and says what to do next.
 */

/** What went wrong opening a port. */
export type PortErrorKind = "notFound" | "busy" | "permission" | "notSerial" | "other";

export class SerialPortError extends Error {
  readonly kind: PortErrorKind;
  readonly path: string;
  constructor(kind: PortErrorKind, path: string, message: string) {
    super(message);
    this.name = "SerialPortError";
    this.kind = kind;
    this.path = path;
  }
}

/** Turn whatever serialport threw while opening `path` into a SerialPortError. */
export function explainOpenError(path: string, err: unknown): SerialPortError {
  const raw = err instanceof Error ? err.message : String(err);
  const lower = raw.toLowerCase();
  if (lower.includes("no such file") || lower.includes("enoent") || lower.includes("file not found")) {
    return new SerialPortError(
      "notFound",
      path,
      `wrong port: "${path}" does not exist. Plug the board in and check the port name ` +
        `(Linux: /dev/ttyUSB0 or /dev/ttyACM0, see \`ls /dev/serial/by-id/\`; ` +
        `macOS: /dev/cu.usbserial-*; Windows: COM3…).`,
    );
  }
  if (lower.includes("cannot lock") || lower.includes("resource busy") || lower.includes("ebusy") ||
    (lower.includes("access denied") && path.toUpperCase().startsWith("COM"))) {
    return new SerialPortError(
      "busy",
      path,
      `busy port: "${path}" is already open in another program (another zbms monitor, ` +
        `the Espruino Web IDE, screen, minicom…). Close it there and try again.`,
    );
  }
  if (lower.includes("permission denied") || lower.includes("eacces")) {
    return new SerialPortError(
      "permission",
      path,
      `no permission to open "${path}". On Linux add yourself to the dialout group ` +
        `(\`sudo usermod -aG dialout $USER\`, then log in again).`,
    );
  }
  if (lower.includes("inappropriate ioctl") || lower.includes("enotty") || lower.includes("not a tty")) {
    return new SerialPortError(
      "notSerial",
      path,
      `wrong port: "${path}" is not a serial device (${raw}).`,
    );
  }
  return new SerialPortError("other", path, `cannot open serial port "${path}": ${raw}`);
}
