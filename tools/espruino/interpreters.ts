/**
 * Where the real Espruino 2v29 interpreters are (tools/espruino/build.sh builds them once per
 * source hash into node_modules/.cache/espruino/). Tests and benchmarks call `realEspruino()`:
 * it builds on first use (≈ 25–40 s on 2 cores) and then answers from the cache.
 *
 * Without the source (a clone outside this setup) it returns a skip reason that says how to get it;
 * in CI (`CI=true`) a missing interpreter is an error, never a silent skip.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface RealEspruino {
  /** 64-bit Linux build: resizable pool, fast; for behaviour and timing. */
  nativePath: string;
  /** i386 build with the ESP32's variable format (14-byte JsVars), pool from ESPRUINO_JSVARS. */
  esp32Path: string;
  /** Runs the ESP32-format binary: this kernel cannot exec i386 directly. */
  esp32Command: (args: readonly string[]) => { file: string; args: string[] };
}

export type RealEspruinoLookup = { ok: true; espruino: RealEspruino } | { ok: false; reason: string };

const BUILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "build.sh");
/** Environment variable the patched build reads for its pool size (JsVars). */
export const POOL_ENV = "ESPRUINO_JSVARS";
/** Environment variable the patched build reads for its `--telnet` console port (default 2323). */
export const TELNET_PORT_ENV = "ESPRUINO_TELNET_PORT";
/** The ESP32 pool with 200 kB of free heap: (200 000 − 40 000) / 14 (Espruino targets/esp32/main.c). */
export const ESP32_POOL_200KB_FREE = 11_428;

let cached: RealEspruinoLookup | undefined;

/** Builds (once) and locates both interpreters, or says why they are not available. */
export function realEspruino(): RealEspruinoLookup {
  if (cached) return cached;
  let outDir: string;
  try {
    outDir = execFileSync("bash", [BUILD_SCRIPT], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
      .trim()
      .split("\n")
      .pop()!;
  } catch (err) {
    const e = err as { status?: number; stderr?: string };
    const reason = `real Espruino not available: ${(e.stderr ?? String(err)).trim()}`;
    if (process.env.CI === "true" || e.status !== 3) throw new Error(reason);
    cached = { ok: false, reason };
    return cached;
  }
  const nativePath = join(outDir, "native", "espruino");
  const esp32Path = join(outDir, "esp32", "espruino");
  if (!existsSync(nativePath) || !existsSync(esp32Path)) throw new Error(`build.sh reported ${outDir} but the binaries are missing`);
  cached = {
    ok: true,
    espruino: {
      nativePath,
      esp32Path,
      esp32Command: (args) => ({ file: "qemu-i386", args: ["-L", "/", esp32Path, ...args] }),
    },
  };
  return cached;
}
