/**
 * Quick memory check (the first figure of bench:firmware only): the default bundle in flash mode
 * on the ESP32 format, pool 11 428, with the chip stand-in; prints JsVars after boot and the peak
 * per command (tools/espruino/boardRun.ts). ≈ 1–2 min instead of the bench's 10.
 */
import { buildFirmware } from "../host/bundle/buildFirmware";
import { ESP32_POOL_200KB_FREE } from "./espruino/interpreters";
import { flashBoot } from "./espruino/flashBoot";
import { boardStandInJs, runBoard } from "./espruino/boardRun";
import { rm } from "node:fs/promises";

async function main(): Promise<void> {
  const fw = await buildFirmware({ write: false });
  const up = await flashBoot(fw.code, { variant: "esp32", files: { ".boot0": await boardStandInJs() }, timeoutMs: 300_000 });
  const dir = up.cwd;
  await up.kill();
  try {
    const run = await runBoard(dir, ESP32_POOL_200KB_FREE);
    if (!run.ok) throw new Error(run.why);
    const peak = run.peaks.reduce((a, b) => (b[1] > a[1] ? b : a));
    console.log(`boot ${run.bootJsVars}, peak ${peak[1]} (${peak[0]})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`memQuick: ${(e as Error).message}`);
  process.exitCode = 1;
});
