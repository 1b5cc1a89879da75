/**
 * `zbms flash --port P [--board B --pack C]`: build, check the device, upload, save, verify.
 *
 * 1. Probe the port (host/serial/espruinoProbe): a wrong port, a busy port, a non-Espruino
 *    device and a silent port each fail here, with their own message, before the build.
 * 2. Build the bundle for the board and pack (host/bundle), or take `--bundle FILE` as it is
 *    (that file is checked before the probe).
 * 3. Upload with espruino-tools (host/flash/espruinoTools `uploadBundle`), progress bar on
 *    stderr, in its "flash" mode: the code is written to Storage (`.bootcde`) in 1 kB chunks and
 *    runs at every power-on and reset. Not "ram" (REPL upload then `save()`): a bundle of this
 *    size would peak above an ESP32's JsVar pool while it is parsed (host/bundle/bundleBudget.ts).
 * 4. Verify: `load()` reboots the board from what was saved; its boot prints the identity line
 *    (bundle hash, version, board, pack), and `zbms("ident")` asks again (up to IDENT_ATTEMPTS
 *    times: a boot line can be lost when nobody read the console); what answers must match the
 *    bundle that was built, and nothing it printed since load() may say it ran out of memory
 *    (espruino-tools reports "Upload Complete" even then; uploadBundle checks the upload itself).
 */
import * as fs from "node:fs";
import type { Command } from "commander";
import { buildFirmware, DEFAULT_BOARD, FirmwareBuildError } from "../bundle/buildFirmware";
import { readEmbeddedHash, verifyBundleHash } from "../bundle/bundleHash";
import { outOfMemoryLine, uploadBundle, UploadError } from "../flash/espruinoTools";
import { classifyLine } from "../monitor/classifyLine";
import { sendBoardCommand } from "../serial/commandAnswer";
import { probeEspruino } from "../serial/espruinoProbe";
import { openLineChannel } from "../serial/lineChannel";
import { replLine, ReplyTimeoutError } from "../serial/replCommand";
import { CliError, EXIT_FAILED, EXIT_TIMEOUT, EXIT_VERIFY } from "./cliErrors";
import { createProgress } from "./flashProgress";
import { parsePortPath, parsePositiveNumber } from "./options";

/** How long an upload may take at most (s): a 40 kB bundle at 115200 baud is ~4 s; espruino-tools throttles writes. */
export const DEFAULT_UPLOAD_TIMEOUT_S = 120;

export interface FlashFlags {
  port: string;
  board: string;
  pack?: string;
  calibration?: string;
  bundle?: string;
  timeout?: number;
  verify: boolean;
}

export interface ExpectedIdentity {
  hash: string;
  version?: string;
  board?: string;
  pack?: string;
}

export function registerFlash(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  program
    .command("flash")
    .description("build the firmware, upload it to an Espruino ESP32, save it, verify its identity")
    .requiredOption("-p, --port <path>", "serial port of the board (/dev/ttyUSB0, COM3, a /dev/pts/N from `zbms sim`)", parsePortPath)
    .option("-b, --board <id>", "board file hardware/boards/<id>.json", DEFAULT_BOARD)
    .option("-c, --pack <file>", "pack config JSON (default: the board's default pack, e.g. hardware/packs/znmno2-4s.json)")
    .option("--calibration <file>", "a `zbms calibrate` record of this board type: the pack may then declare the calibrated ESP32-ADC cell-voltage terms")
    .option("--bundle <file>", "upload this already-built bundle instead of building")
    .option("-t, --timeout <s>", `seconds the upload may take (default ${DEFAULT_UPLOAD_TIMEOUT_S})`, parsePositiveNumber)
    .option("--no-verify", "skip the reboot-and-identity check")
    .addHelpText("after", "\nExample:\n  zbms flash --port /dev/ttyUSB0 --board esp32-ads1115 --pack hardware/packs/znmno2-4s.json")
    .action((flags: FlashFlags) => run(() => flashCommand(flags)));
}

async function bundleToFlash(flags: FlashFlags): Promise<{ code: string; expect: ExpectedIdentity }> {
  if (flags.bundle) {
    let code: string;
    try {
      code = fs.readFileSync(flags.bundle, "utf8");
    } catch (e) {
      throw new CliError(`--bundle: cannot read "${flags.bundle}" (${(e as Error).message})`, EXIT_FAILED);
    }
    const hash = readEmbeddedHash(code);
    if (!hash || !verifyBundleHash(code, hash)) {
      throw new CliError(`--bundle: "${flags.bundle}" is not a zbms bundle (no valid embedded hash); build one with \`zbms build\``, EXIT_FAILED);
    }
    return { code, expect: { hash } };
  }
  try {
    const r = await buildFirmware({ board: flags.board, pack: flags.pack, calibration: flags.calibration });
    if (r.findings.length > 0) throw new CliError(`the bundle uses what Espruino lacks; run \`zbms build\` to see the ${r.findings.length} finding(s)`, EXIT_FAILED);
    process.stderr.write(`built bundle ${r.hash} (${r.sizeB} B) for board ${r.board}, pack "${r.packName}"\n`);
    return { code: r.code, expect: { hash: r.hash, version: r.version, board: r.board, pack: r.packName } };
  } catch (e) {
    if (e instanceof FirmwareBuildError) throw new CliError(`build failed: ${e.message}`, EXIT_FAILED);
    throw e;
  }
}

/** Differences between what the board says it runs and what we flashed ("" = none). */
export function identityMismatch(got: { bundleHash: string; fwVersion: string; board: string; pack: string }, want: ExpectedIdentity): string {
  const diffs: string[] = [];
  if (got.bundleHash !== want.hash) diffs.push(`bundle hash ${got.bundleHash} ≠ ${want.hash}`);
  if (want.version !== undefined && got.fwVersion !== want.version) diffs.push(`version ${got.fwVersion} ≠ ${want.version}`);
  if (want.board !== undefined && got.board !== want.board) diffs.push(`board ${got.board} ≠ ${want.board}`);
  if (want.pack !== undefined && got.pack !== want.pack) diffs.push(`pack "${got.pack}" ≠ "${want.pack}"`);
  return diffs.join("; ");
}

/** How long to wait for the ident line a rebooting board prints (s), before asking it directly. */
export const BOOT_IDENT_WAIT_S = 10;
/** Direct `zbms("ident")` attempts after the reboot, and how long each may take (s). */
export const IDENT_ATTEMPTS = 3;
export const IDENT_ATTEMPT_S = 5;

async function verifyAfterReboot(port: string, want: ExpectedIdentity): Promise<void> {
  const ch = await openLineChannel(port);
  // a bundle that runs out of memory while booting may still print its ident line first
  let oom: string | null = null;
  const stopWatching = ch.subscribe((line) => {
    if (oom === null) oom = outOfMemoryLine(line);
  });
  const failIfOutOfMemory = (): void => {
    if (oom !== null) throw new CliError(`verify failed: the board ran out of memory booting the bundle (it printed "${oom}"); build a smaller bundle or free memory on the board`, EXIT_VERIFY);
  };
  try {
    // load() reboots from what save() stored: anything that answers afterwards runs the saved code
    let booted: Awaited<ReturnType<typeof sendBoardIdentAfter>> | null = null;
    try {
      booted = await sendBoardIdentAfter(ch, "load()", BOOT_IDENT_WAIT_S * 1000, () => oom !== null);
    } catch (e) {
      if (!(e instanceof ReplyTimeoutError)) throw e;
      // the boot line can be lost (a console nobody read overflowed); ask directly below
    }
    failIfOutOfMemory();
    if (booted) {
      const m1 = identityMismatch(booted, want);
      if (m1) throw new CliError(`verify failed after reboot: the board runs something else (${m1})`, EXIT_VERIFY);
    }
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= IDENT_ATTEMPTS; attempt++) {
      try {
        const asked = await sendBoardCommand(ch, ["ident"], IDENT_ATTEMPT_S * 1000);
        if (asked.kind !== "ident") throw new CliError(`verify failed: zbms("ident") answered ${JSON.stringify(asked)}`, EXIT_VERIFY);
        const m2 = identityMismatch(asked, want);
        if (m2) throw new CliError(`verify failed: ${m2}`, EXIT_VERIFY);
        failIfOutOfMemory();
        return;
      } catch (e) {
        if (!(e instanceof ReplyTimeoutError)) throw e;
        lastError = e;
      }
    }
    throw lastError;
  } catch (e) {
    failIfOutOfMemory();
    if (e instanceof ReplyTimeoutError) throw new CliError(`verify failed after load(): ${e.message}`, EXIT_TIMEOUT);
    throw e;
  } finally {
    stopWatching();
    await ch.close();
  }
}

/** Send `code` (echo off) and wait for the ident line the booting firmware prints; null as soon as `giveUp()` says so after a line. */
function sendBoardIdentAfter(ch: Awaited<ReturnType<typeof openLineChannel>>, code: string, timeoutMs: number, giveUp: () => boolean): Promise<{ bundleHash: string; fwVersion: string; board: string; pack: string } | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new ReplyTimeoutError(code, timeoutMs, []));
    }, timeoutMs);
    const unsubscribe = ch.subscribe((line) => {
      if (giveUp()) {
        clearTimeout(timer);
        unsubscribe();
        resolve(null);
        return;
      }
      const c = classifyLine(line);
      if (c.kind === "telemetry" && c.record.kind === "ident") {
        clearTimeout(timer);
        unsubscribe();
        resolve(c.record);
      }
    });
    ch.write(replLine(code)).catch((e: unknown) => {
      clearTimeout(timer);
      unsubscribe();
      reject(e);
    });
  });
}

export async function flashCommand(flags: FlashFlags): Promise<void> {
  // A --bundle file is checked first (nothing is sent for a bad one); the port before a build,
  // which takes seconds: a wrong port or a missing board is named at once.
  const given = flags.bundle ? await bundleToFlash(flags) : null;
  await probeEspruino(flags.port);
  const { code, expect } = given ?? (await bundleToFlash(flags));
  const progress = createProgress("uploading");
  const timeoutS = flags.timeout ?? DEFAULT_UPLOAD_TIMEOUT_S;
  try {
    // espruino-tools: reset(), the code written to Storage .bootcde, then load()
    await uploadBundle({ port: flags.port, code, mode: "flash", timeoutMs: timeoutS * 1000, onProgress: (p) => progress.update(p.sentB, p.totalB) });
  } catch (e) {
    if (e instanceof UploadError) {
      throw new CliError(e.message.startsWith("upload to") && e.message.includes("did not finish") ? `timeout: ${e.message}` : e.message, e.message.includes("did not finish") ? EXIT_TIMEOUT : EXIT_FAILED);
    }
    throw e;
  } finally {
    progress.stop();
  }
  if (!flags.verify) {
    console.log(`flashed ${expect.hash} to ${flags.port} (not verified: --no-verify)`);
    return;
  }
  await verifyAfterReboot(flags.port, expect);
  console.log(`flashed and verified: ${flags.port} runs bundle ${expect.hash}` + (expect.board ? ` (board ${expect.board}, pack "${expect.pack}", version ${expect.version})` : ""));
}
