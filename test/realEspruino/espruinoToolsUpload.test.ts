/**
 * `zbms flash` (espruino-tools, as host/flash/espruinoTools.ts drives it) uploads the board bundle
 * to the real interpreter through its console — Linux Espruino's `--telnet`, bridged to a
 * pseudo-terminal (telnetBridge.ts) — verifies the identity after load(), and telemetry flows.
 * espruino-tools says "Upload Complete" even when the board ran out of memory: on a pool too
 * small for the bundle, both the RAM upload and `zbms flash` must fail and say so.
 */
import { afterEach, describe, expect, it } from "vitest";
import { flashCommand } from "../../host/cli/flashCommand";
import { uploadBundle } from "../../host/flash/espruinoTools";
import { openLineChannel } from "../../host/serial/lineChannel";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import { boardBundle, found, preludeFor, removeFolder, skipReason, writeFlashFolderFor } from "./realBoard";
import { bridgeUnavailable, startTelnetBoard, type TelnetBoard } from "./telnetBridge";

const BOARD_ID = "esp32-ads1115";
/** A pool on which the bundle cannot boot (it needs ≈ 6 000 JsVars; flashMode.test.ts) but Storage writes still work. */
const TOO_SMALL_POOL = 3000;
/** Pools on which the bundle cannot boot, tried in turn (see the test). */
const OOM_BOOT_POOLS = [3000, 3500, 2500];

const open: TelnetBoard[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
  for (const d of folders.splice(0)) removeFolder(d);
});

/** A board whose Storage holds only the stand-in chips (`.boot0`), its console on telnet. */
async function board(variant: "native" | "esp32", pool?: number): Promise<TelnetBoard> {
  const dir = await writeFlashFolderFor({ ".boot0": await preludeFor(BOARD_ID) });
  folders.push(dir);
  const b = await startTelnetBoard(variant, dir, pool);
  open.push(b);
  return b;
}

const noBridge = found.ok ? bridgeUnavailable() : "";

describe.skipIf(!found.ok || noBridge !== "")(`zbms flash through espruino-tools to the real interpreter's telnet console${skipReason}${noBridge ? ` (skipped: ${noBridge})` : ""}`, () => {
  it("native: uploads to .bootcde, verifies the identity after load(), then telemetry flows", async () => {
    const b = await board("native");
    await flashCommand({ port: b.tty, board: BOARD_ID, verify: true, timeout: 150 });
    const ch = await openLineChannel(b.tty);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no status line within 10 s")), 10_000);
        let n = 0;
        ch.subscribe((line) => {
          const d = decodeLine(line.slice(Math.max(0, line.lastIndexOf("#Z"))));
          if (d.ok && d.record.type === "status" && ++n === 2) {
            clearTimeout(timer);
            resolve(n);
          }
        });
      });
      expect(status).toBe(2);
    } finally {
      await ch.close();
    }
  }, 200_000); // ≈ 22 s alone (espruino-tools paces the upload); the cap allows a loaded CI machine

  it(`ESP32 format, pool ${TOO_SMALL_POOL}: a RAM upload that runs out of memory is an error, not "Upload Complete"`, async () => {
    const b = await board("esp32", TOO_SMALL_POOL);
    await expect(uploadBundle({ port: b.tty, code: await boardBundle(BOARD_ID), mode: "ram", timeoutMs: 120_000 })).rejects.toThrow(/ran out of memory during the upload/);
  }, 150_000);

  it(`ESP32 format, pools ${OOM_BOOT_POOLS.join(", ")}: zbms flash fails its verify when the bundle runs out of memory booting`, async () => {
    // The Linux build keeps Espruino's ASSERTs, and some out-of-memory spots fail one while the
    // error text goes to the telnet console (jsvAppendStringVar given a failed allocation; seen at
    // pools 3 000 and 4 000 as the bundle changed): the interpreter exits, there is no board left
    // to verify. Which pool hits such a spot moves with the bundle; the first pool whose
    // interpreter stays up must make `zbms flash` say "out of memory".
    const crashed: number[] = [];
    for (const pool of OOM_BOOT_POOLS) {
      const b = await board("esp32", pool);
      const flashed = flashCommand({ port: b.tty, board: BOARD_ID, verify: true, timeout: 150 });
      const err = await flashed.then(
        () => new Error("zbms flash succeeded"),
        (e: unknown) => e as Error,
      );
      if (b.proc.exitCode !== null) {
        crashed.push(pool);
        continue;
      }
      expect(err.message).toMatch(/out of memory/);
      return;
    }
    throw new Error(`the interpreter exited (an internal ASSERT) at every pool tried: ${crashed.join(", ")}`);
  }, 600_000);
});
