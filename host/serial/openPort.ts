/**
 * Open a serial port (a USB-serial adapter, or the virtual board's pseudo-terminal) with the
 * settings Espruino's console uses, and turn open failures into SerialPortError.
 */
import type { SerialPort } from "serialport";
import { requirePackage } from "../util/lazyPackage";
import { explainOpenError } from "./portErrors";

/** Espruino's default console baud rate on the ESP32 (Espruino reference, `Serial.setup`: 115200 default for the USB console). */
export const ESPRUINO_BAUD = 115200;

/**
 * serialport's module, loaded on first use (a native addon, ≈ 45 ms: host/util/lazyPackage.ts).
 * Throws PackageLoadError when it is not installed.
 */
export function loadSerialPort(): typeof import("serialport") {
  return requirePackage<typeof import("serialport")>("serialport", "open serial ports");
}

/**
 * Open `path`; resolves once the port is open. Rejects with a SerialPortError (wrong port,
 * busy port, permission…), or a PackageLoadError when serialport is not installed. The port is opened with an exclusive lock (serialport's default on
 * POSIX), so a second program cannot silently share it.
 */
export function openSerialPort(path: string, baudRate: number = ESPRUINO_BAUD): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const { SerialPort } = loadSerialPort();
    const port = new SerialPort({ path, baudRate, autoOpen: false, lock: true });
    port.open((err) => {
      if (err) reject(explainOpenError(path, err));
      else resolve(port);
    });
  });
}

/** Close a port, ignoring "not open" (closing is cleanup, never an error the user must act on). */
export function closeSerialPort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) {
      resolve();
      return;
    }
    port.close(() => resolve());
  });
}
