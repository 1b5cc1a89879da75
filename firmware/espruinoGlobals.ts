/**
 * Espruino's built-in globals that the firmware uses, typed, in one place; only `main.ts` and
 * `replayMain.ts` touch them (everything else gets them injected through `AppIo` / `Hw`).
 * References: espruino.com/Reference (E, ESP32, I2C, getTime, analogRead, process, Storage).
 */
import type { AppIo, ConsoleDevice } from "./app";
import type { Hw } from "./drivers/hw";
import type { StorageLike } from "./persistence/stateStore";

export interface EspruinoI2c {
  setup(options: { scl: string; sda: string; bitrate: number }): void;
  writeTo(address: number, data: number[]): void;
  readFrom(address: number, quantity: number): Uint8Array;
}

export interface EspruinoE {
  CRC32(data: string | Uint8Array): number;
  /** The console device's name ("Serial1", "USB", "Telnet"…), null without one; absent on the virtual board. */
  getConsole?: () => string | null;
  enableWatchdog(timeoutS: number, isAuto: boolean): void;
  kickWatchdog(): void;
  on(event: string, fn: () => void): void;
}

declare const E: EspruinoE;
declare const ESP32: { setAtten(pin: string, attenCode: number): void };
declare const I2C1: EspruinoI2c;
declare const I2C2: EspruinoI2c;
declare function getTime(): number;
declare function analogRead(pin: string): number;
declare function digitalWrite(pin: string, level: boolean): void;
declare const process: { memory(): unknown };

/** The Espruino object `E`. */
export function espE(): EspruinoE {
  return E;
}

/** Seconds on the board clock. */
export function espTimeS(): number {
  return getTime();
}

export function espAnalogRead(pin: string): number {
  return analogRead(pin);
}

/** Drive a GPIO (the protection output); Espruino sets the pin to output on the first write. */
export function espDigitalWrite(pin: string, level: boolean): void {
  digitalWrite(pin, level);
}

export function espSetAtten(pin: string, code: number): void {
  ESP32.setAtten(pin, code);
}

/** The hardware I2C object named in the board file. */
export function espI2c(name: "I2C1" | "I2C2"): EspruinoI2c {
  return name === "I2C2" ? I2C2 : I2C1;
}

export function espMemory(): unknown {
  return process.memory();
}

/** Espruino's Storage module. */
export function espStorage(): unknown {
  return require("Storage");
}

/**
 * The I/O both firmware entries hand to the app: Espruino's CRC-32, console, clock and memory;
 * the sensor hardware and Storage as given (null in a replay build).
 */
export function espAppIo(hw: Hw | null, storage: StorageLike | null): AppIo {
  const e = espE();
  // E.CRC32 takes bytes and strings alike (standard CRC-32): one function serves both
  const crc = function (data: string | Uint8Array) {
    return e.CRC32(data);
  };
  return {
    hw: hw,
    storage: storage,
    byteCrc: crc,
    strCrc: crc,
    print: function (line: string) {
      console.log(line);
    },
    // the object named by E.getConsole(), when it has a `write` (globalThis works on 2v29, matrix [237])
    console: e.getConsole
      ? function () {
          const name = (e.getConsole as () => string | null)();
          const d = name !== null ? (globalThis as unknown as Record<string, ConsoleDevice | undefined>)[name] : undefined;
          return d && typeof d.write === "function" ? d : null;
        }
      : undefined,
    nowS: espTimeS,
    memory: espMemory,
  };
}
