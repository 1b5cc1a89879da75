/**
 * Quick memory figures of the default bundle on the real interpreter, without the whole
 * bench:firmware (≈ 40 s instead of ≈ 10 min): `npx tsx tools/espruino/peaks.ts` prints one JSON
 * line with bench:firmware's part 1 (boot and the peak per command on 11 428 JsVars, ESP32
 * format, flash mode, stand-in chips and probe included), then one for a restoring boot: the same
 * Storage restarted after the command script (a stored config and state, as after every real
 * reboot that follows a `set`), with its usage after boot, the probe's peak since power-on and
 * the highest usage inside E.CRC32 (a restoring boot checks each slot's CRC there). That extra
 * probe adds ≈ 11 JsVars to every figure against bench:firmware's. POOL=n sets another pool.
 */
import { rm } from "node:fs/promises";
import { buildFirmware } from "../../host/bundle/buildFirmware.js";
import { ESP32_POOL_200KB_FREE, realEspruino } from "./interpreters.js";
import { flashBoot } from "./flashBoot.js";
import { EspruinoProcess } from "./process.js";
import { boardStandInJs, probe, runBoard } from "./boardRun.js";

/** Added to the stand-in: the largest usage seen inside E.CRC32 (global zbmsPeakC). */
const CRC_PROBE_JS =
  "var zbmsPeakC=0;var zbmsC=E.CRC32;" +
  "E.CRC32=function(d){var u=process.memory(false).usage;if(u>zbmsPeakC)zbmsPeakC=u;return zbmsC(d);};";
const WAIT_MS = 90_000;

async function main(): Promise<void> {
  const found = realEspruino();
  if (!found.ok) throw new Error(found.reason);
  const fw = await buildFirmware({ write: false });
  const up = await flashBoot(fw.code, { variant: "esp32", files: { ".boot0": (await boardStandInJs()) + "\n" + CRC_PROBE_JS }, timeoutMs: 300_000 });
  const dir = up.cwd;
  await up.kill();
  const pool = Number(process.env.POOL ?? ESP32_POOL_200KB_FREE);
  try {
    const r = await runBoard(dir, pool);
    console.log(JSON.stringify({ bundleBytes: fw.sizeB, pool, ok: r.ok, why: r.why, bootJsVars: r.bootJsVars, peaks: Object.fromEntries(r.peaks) }));
    const p = new EspruinoProcess(found.espruino, { variant: "esp32", poolJsVars: pool, cwd: dir });
    try {
      await p.waitFor((l) => /#Z1,\d+,S,/.test(l), WAIT_MS);
      const boot = p.lines.find((l) => /#Z1,\d+,B,/.test(l)) ?? "";
      const peak = Number(await probe(p, "zbmsPeak", "PEAK", p.lines.length));
      const crcPeak = Number(await probe(p, "zbmsPeakC", "PEAKC", p.lines.length));
      const usage = Number(await probe(p, "process.memory().usage", "MEM", p.lines.length));
      console.log(JSON.stringify({ restoringBoot: { usageJsVars: usage, peakJsVars: peak, crcPeakJsVars: crcPeak, bootLine: boot } }));
    } finally {
      await p.kill();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`peaks: ${(e as Error).message}`);
  process.exitCode = 1;
});
