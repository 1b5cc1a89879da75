/**
 * Flash mode on a real Espruino interpreter, the way `zbms flash` leaves a board: the bundle is
 * written to Storage as `.bootcde` in chunks over the console, then the interpreter is restarted
 * in the same folder (Linux Espruino keeps Storage in `espruino.flash` there) and boots from it.
 * Code run from Storage stays in flash: only what it creates costs JsVars.
 */
import { realEspruino } from "./interpreters.js";
import { EspruinoProcess, type EspruinoVariant } from "./process.js";

/** Characters of file text per console line: a chunk and its input line cost ≈ 2 × 100 JsVars. */
const CHUNK_CHARS = 1000;

/**
 * Write `text` to Storage file `name` on a running interpreter, chunk by chunk
 * (`require("Storage").write(name, chunk, offset, totalLength)`), and wait until Storage
 * reports the full length. Throws with the interpreter's last lines when it does not.
 */
export async function writeStorageFile(p: EspruinoProcess, name: string, text: string, timeoutMs: number): Promise<void> {
  const n = JSON.stringify(name);
  for (let off = 0; off < text.length; off += CHUNK_CHARS) {
    const chunk = JSON.stringify(text.slice(off, off + CHUNK_CHARS));
    p.send(`\x10require("Storage").write(${n},${chunk},${off},${text.length})`);
  }
  const from = p.lines.length;
  p.send(`\x10print("STORED",require("Storage").read(${n}).length)`);
  const line = await p.waitFor((l) => l.includes("STORED "), timeoutMs, from);
  const got = Number(line.slice(line.indexOf("STORED ") + 7));
  if (got !== text.length) throw new Error(`Storage ${name}: ${got} of ${text.length} chars written; last lines:\n  ${p.lines.slice(-10).join("\n  ")}`);
}

export interface FlashBootOptions {
  variant: EspruinoVariant;
  poolJsVars?: number;
  /** Storage files written before `.bootcde` (e.g. `.boot0` with sensor stand-ins). */
  files?: Record<string, string>;
  /** Ms allowed for the upload (qemu is slow). */
  timeoutMs: number;
}

/**
 * Upload `code` as `.bootcde` (and `files`) on a fresh interpreter, kill it, and start a new one
 * in the same folder, which boots from Storage. The caller disposes the returned process (its
 * folder is removed with it); the uploading one is already gone.
 */
export async function flashBoot(code: string, opts: FlashBootOptions): Promise<EspruinoProcess> {
  try {
    return await flashBootOnce(code, opts);
  } catch (e) {
    // seen rarely: the uploading interpreter exits mid-upload (docs/performance.md); once more
    return await flashBootOnce(code, opts);
  }
}

async function flashBootOnce(code: string, opts: FlashBootOptions): Promise<EspruinoProcess> {
  const found = realEspruino();
  if (!found.ok) throw new Error(found.reason);
  // the upload runs on the largest pool: the chunks are transient, the board's pool is the restart's
  const up = new EspruinoProcess(found.espruino, { variant: opts.variant });
  try {
    up.send('\x10print("READY")');
    await up.waitFor((l) => l.includes("READY"), opts.timeoutMs);
    const files = opts.files ?? {};
    for (const name of Object.keys(files)) await writeStorageFile(up, name, files[name]!, opts.timeoutMs);
    if (code !== "") await writeStorageFile(up, ".bootcde", code, opts.timeoutMs);
  } catch (e) {
    await up.dispose();
    throw e;
  }
  await up.kill();
  const poolOpt = opts.poolJsVars !== undefined ? { poolJsVars: opts.poolJsVars } : {};
  return new EspruinoProcess(found.espruino, { variant: opts.variant, cwd: up.cwd, removeCwd: true, ...poolOpt });
}
