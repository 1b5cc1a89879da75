/**
 * Flash mode on a real Espruino interpreter, the way `zbms flash` leaves a board: the bundle is
 * in Storage as `.bootcde` (written with writeFlashFolder, flashImage.ts), and a new interpreter
 * of the chosen variant starts in that folder (Linux Espruino keeps Storage in `espruino.flash`
 * there) and boots from it. Code run from Storage stays in flash: only what it creates costs JsVars.
 */
import { realEspruino } from "./interpreters.js";
import { writeFlashFolder } from "./flashImage.js";
import { EspruinoProcess, type EspruinoVariant } from "./process.js";

export interface FlashBootOptions {
  variant: EspruinoVariant;
  poolJsVars?: number;
  /** Storage files written beside `.bootcde` (e.g. `.boot0` with sensor stand-ins). */
  files?: Record<string, string>;
  /** Ms allowed for writing Storage. */
  timeoutMs: number;
}

/**
 * Write `code` as `.bootcde` (none when "") and `files` into a fresh Storage, then start an
 * interpreter there, which boots from it. The caller disposes the returned process (its folder
 * is removed with it).
 */
export async function flashBoot(code: string, opts: FlashBootOptions): Promise<EspruinoProcess> {
  const found = realEspruino();
  if (!found.ok) throw new Error(found.reason);
  const files: Record<string, string> = { ...(opts.files ?? {}) };
  if (code !== "") files[".bootcde"] = code;
  const dir = await writeFlashFolder(found.espruino, files, undefined, opts.timeoutMs);
  const poolOpt = opts.poolJsVars !== undefined ? { poolJsVars: opts.poolJsVars } : {};
  return new EspruinoProcess(found.espruino, { variant: opts.variant, cwd: dir, removeCwd: true, ...poolOpt });
}
