/**
 * A board's Storage prepared for a real-interpreter test, the way `zbms flash` leaves it: the
 * bundle in `.bootcde` (espruino-tools' "Save on Send" to flash), plus the stand-in chips in
 * `.boot0` (tools/espruino/standIns.ts), which Espruino runs before `.bootcde` at every boot
 * (src/jsflash.c jsfLoadBootCodeFromFlash). On an ESP32 `.boot0` does not exist: the chips are real.
 *
 * The files are written by the native interpreter (fast, resizable pool) into a folder's
 * `espruino.flash`; both builds are BOARD=LINUX with the same flash geometry, so the ESP32-format
 * build then boots from the same file (a restart = a new process in the same folder).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RealEspruino } from "./interpreters.js";
import { EspruinoProcess } from "./process.js";

/** How long the native interpreter may take to write the files by default (ms; ≈ 0.3 s here). */
const WRITE_TIMEOUT_MS = 20_000;

/** A script that writes `files` to Storage (names → text; ASCII) and prints `ZBMS_STORED <names>`. */
export function storageWriteScript(files: Record<string, string>): string {
  const lines = ['var S = require("Storage");', "S.eraseAll();"];
  for (const name of Object.keys(files)) lines.push(`S.write(${JSON.stringify(name)}, ${JSON.stringify(files[name])});`);
  lines.push(`print("ZBMS_STORED", ${JSON.stringify(Object.keys(files).join(","))}, S.getFree());`);
  return lines.join("\n") + "\n";
}

/**
 * Writes `files` into the Storage of a folder (a new temporary one unless `cwd` is given) and
 * returns the folder. Other files in that Storage are erased first (a fresh board).
 */
export async function writeFlashFolder(espruino: RealEspruino, files: Record<string, string>, cwd?: string, timeoutMs = WRITE_TIMEOUT_MS): Promise<string> {
  const dir = cwd ?? mkdtempSync(join(tmpdir(), "zbms-flash-"));
  const script = EspruinoProcess.writeScript(dir, "zbms-write-storage.js", storageWriteScript(files));
  const p = new EspruinoProcess(espruino, { variant: "native", cwd: dir, scriptPath: script });
  try {
    await p.waitFor(/^ZBMS_STORED /, timeoutMs);
  } finally {
    await p.dispose();
  }
  return dir;
}
