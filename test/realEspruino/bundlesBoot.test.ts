/**
 * Every bundle zbms ships boots on the real Espruino 2v29 interpreter with no error text:
 * each board with its default pack (stand-in chips, tools/espruino/standIns.ts) and the replay
 * build, on both variants —
 *   native (64-bit): the bundle loaded as a RAM script after the stand-ins;
 *   ESP32 format, pool 11 428 (200 kB free heap): from Storage `.bootcde` as `zbms flash` leaves
 *   it. (A 66 kB bundle cannot be loaded as a RAM script on the ESP32 format at any pool: its
 *   text alone fills ≈ 6 700 ten-character JsVars; measured OUT OF MEMORY at 16 383.)
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildFirmware } from "../../host/bundle/buildFirmware";
import { ESP32_POOL_200KB_FREE } from "../../tools/espruino/interpreters";
import { EspruinoProcess } from "../../tools/espruino/process";
import { writeFlashFolder } from "../../tools/espruino/flashImage";
import { synthRun, toJsonl } from "../firmware/replaySamples";
import { BOARD_IDS, boardBundle, espruino, flashedFolder, found, preludeFor, RealBoard, removeFolder, skipReason, tempFolder } from "./realBoard";

/** Status lines a booted board must print (its sampler runs). */
const STATUS_LINES = 2;
/** Samples in the replay build: enough for events, few enough to embed (23 JsVars each on the ESP32 format). */
const REPLAY_SAMPLES = 40;

const boards: RealBoard[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(boards.splice(0).map((b) => b.kill()));
  for (const d of folders.splice(0)) removeFolder(d);
});

function track(b: RealBoard): RealBoard {
  boards.push(b);
  folders.push(b.opts.cwd);
  return b;
}

async function bootsClean(b: RealBoard, boardId: string, timeoutMs: number): Promise<void> {
  const ident = await b.waitRecord((r) => r.record.type === "ident", timeoutMs);
  expect(ident.record).toMatchObject({ board: boardId });
  const first = await b.waitRecord((r) => r.record.type === "status", timeoutMs);
  await b.waitRecord((r) => r.record.type === "status" && r.seq >= first.seq + STATUS_LINES - 1, timeoutMs);
  expect(b.errorText()).toEqual([]);
}

let replayCode: Promise<string> | undefined;
function replayBundle(): Promise<string> {
  if (!replayCode) {
    const dir = tempFolder();
    const file = join(dir, "samples.jsonl");
    writeFileSync(file, toJsonl(synthRun(1, 7).slice(0, REPLAY_SAMPLES)));
    replayCode = buildFirmware({ board: "replay", samples: file, write: false }).then((r) => {
      removeFolder(dir);
      if (r.findings.length > 0) throw new Error(JSON.stringify(r.findings));
      return r.code;
    });
  }
  return replayCode;
}

async function replayRunsClean(b: RealBoard, timeoutMs: number): Promise<void> {
  await b.proc.waitFor((l) => l.endsWith("# done"), timeoutMs);
  expect(b.errorText()).toEqual([]); // also decodes every line so far into b.records
}

describe.skipIf(!found.ok)(`every zbms bundle boots on real Espruino 2v29${skipReason}`, () => {
  for (const boardId of BOARD_IDS) {
    it(`native: ${boardId} (RAM script after the stand-in chips) samples with no error text`, async () => {
      const dir = tempFolder();
      const script = EspruinoProcess.writeScript(dir, "app.js", (await preludeFor(boardId)) + "\n" + (await boardBundle(boardId)));
      const b = track(new RealBoard({ variant: "native", cwd: dir, scriptPath: script }));
      await bootsClean(b, boardId, 15_000);
    }, 40_000);

    it(`ESP32 format, pool ${ESP32_POOL_200KB_FREE}: ${boardId} from Storage .bootcde samples with no error text`, async () => {
      const b = track(new RealBoard({ variant: "esp32", poolJsVars: ESP32_POOL_200KB_FREE, cwd: await flashedFolder(boardId) }));
      // qemu bounds, generous for a loaded CI machine (a boot takes a few seconds alone)
      await bootsClean(b, boardId, 60_000);
      const mem = await b.memory(45_000);
      console.log(`[real espruino] ${boardId} from .bootcde on ${ESP32_POOL_200KB_FREE}: ${mem.usage} JsVars used while sampling (stand-in chips included)`);
      expect(mem.usage).toBeLessThan(mem.total);
    }, 180_000);
  }

  it(`native: the replay build (${REPLAY_SAMPLES} samples) runs to # done with no error text`, async () => {
    const dir = tempFolder();
    const script = EspruinoProcess.writeScript(dir, "replay.js", await replayBundle());
    const b = track(new RealBoard({ variant: "native", cwd: dir, scriptPath: script }));
    await replayRunsClean(b, 15_000);
    expect(b.records.filter((r) => r.record.type === "status").length).toBe(REPLAY_SAMPLES);
  }, 40_000);

  it(`ESP32 format, pool ${ESP32_POOL_200KB_FREE}: the replay build from Storage .bootcde runs to # done with no error text`, async () => {
    const b = track(new RealBoard({ variant: "esp32", poolJsVars: ESP32_POOL_200KB_FREE, cwd: await writeFlashFolder(espruino(), { ".bootcde": await replayBundle() }) }));
    await replayRunsClean(b, 90_000);
    expect(b.records.filter((r) => r.record.type === "status").length).toBe(REPLAY_SAMPLES);
  }, 180_000);
});
