/**
 * The firmware's memory budget, measured (host/bundle/bundleBudget.ts): the default bundle
 * (esp32-ads1115, znmno2-4s) in flash mode — `.bootcde` in Storage, as `zbms flash` leaves it —
 * on the real Espruino 2v29 interpreter with the ESP32's variable format (tools/espruino), with
 * the stand-in chips of tools/espruino/boardRun.ts in `.boot0`, must boot, sample and answer
 * every command on a pool of BOARD_POOL_BUDGET_JSVARS. FAILS on an error line, an "OUT OF MEMORY"
 * or a command left unanswered.
 */
import { describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { buildFirmware } from "../../host/bundle/buildFirmware";
import { BOARD_POOL_BUDGET_JSVARS, describeBundleSize } from "../../host/bundle/bundleBudget";
import { realEspruino } from "../../tools/espruino/interpreters";
import { flashBoot } from "../../tools/espruino/flashBoot";
import { boardStandInJs, runBoard } from "../../tools/espruino/boardRun";

const found = realEspruino();

describe.skipIf(!found.ok)(`firmware memory budget on real Espruino 2v29${found.ok ? "" : ` (skipped: ${found.reason})`}`, () => {
  it(`the default bundle in flash mode boots, samples and answers every command on ${BOARD_POOL_BUDGET_JSVARS} JsVars (ESP32 format)`, async () => {
    const fw = await buildFirmware({ write: false });
    expect(fw.findings).toEqual([]);
    console.log("[budget] " + describeBundleSize(fw.sizeB));
    const up = await flashBoot(fw.code, { variant: "esp32", files: { ".boot0": await boardStandInJs() }, timeoutMs: 300_000 });
    await up.kill();
    try {
      const run = await runBoard(up.cwd, BOARD_POOL_BUDGET_JSVARS);
      console.log(`[budget] pool ${BOARD_POOL_BUDGET_JSVARS}: ${run.ok ? `${run.bootJsVars} JsVars after boot; peaks ${run.peaks.map(([c, n]) => c + " " + n).join(", ")}` : run.why}`);
      expect(run.why).toBe("");
      expect(run.ok).toBe(true);
      for (const [, used] of run.peaks) expect(used).toBeLessThan(BOARD_POOL_BUDGET_JSVARS);
    } finally {
      rmSync(up.cwd, { recursive: true, force: true });
    }
  }, 600_000);
});
