/**
 * The board bundle in flash mode (Storage `.bootcde`, as `zbms flash` leaves it) on the ESP32
 * variable format with the pool of an ESP32 with 200 kB free heap (11 428 JsVars): it boots,
 * answers every command of firmware/commands.ts with a reply (none with an error), saves, and
 * after a power cut (SIGKILL) and a new interpreter in the same folder restores its state
 * ("restored seq N"), the charge counted before the save, and the stored config.
 * JsVars after boot and while answering `status` are printed (and bounded by the pool).
 */
import { afterAll, describe, expect, it } from "vitest";
import { ESP32_POOL_200KB_FREE } from "../../tools/espruino/interpreters";
import { pinsLine, standInPins } from "../../tools/espruino/standIns";
import { loadBoard } from "../../host/bundle/buildFirmware";
import { replLine } from "../../host/serial/replCommand";
import { COMMANDS } from "../../firmware/commands";
import { flashedFolder, found, RealBoard, removeFolder, skipReason, writeFlashFolderFor, type SeqRecord } from "./realBoard";

const BOARD_ID = "esp32-ads1115";
/** ms a command may take on the ESP32 format under qemu (measured ≈ 0.1–0.6 s alone; a bound for a stuck one, generous for a loaded CI machine, where 15 s once ran out). */
const COMMAND_MS = 45_000;
/** Charging current fed to the stand-in chips for a few samples (A; below the 2 A warning): charge the restore must keep. */
const CHARGE_A = 1.5;
const CHARGE_SAMPLES = 3;

/**
 * Every command with arguments the default board and pack accept ("cal" uses the raw codes
 * 1.2 V / 1.6 V give at FSR 4.096 V), before the power cut; `zero` and `resetCounters` (which
 * would hide the counted charge) after the restore.
 */
const GOOD_CALLS: string[][] = [
  ["ident"],
  ["status"],
  ["help"],
  ["get#g", "capacityAh"],
  ["config"],
  ["set#s", "saveIntervalS", "600"],
  ["raw"],
  ["cal#c", "v0", "1.2", "9600", "1.6", "12800"],
  ["rest#r1", "1"],
  ["rest#r0", "0"],
  ["openRest#o1", "1"],
  ["openRest#o0", "0"],
  ["cycles"],
  ["save"],
];
const AFTER_RESTORE_CALLS: string[][] = [["zero"], ["resetCounters"]];

function payload(r: SeqRecord): Record<string, unknown> {
  if (r.record.type !== "reply") throw new Error(`expected a reply, got ${r.line}`);
  return JSON.parse(r.record.payload) as Record<string, unknown>;
}

const folders: string[] = [];
afterAll(() => {
  for (const d of folders) removeFolder(d);
});

describe.skipIf(!found.ok)(`flash mode on the ESP32 format, pool ${ESP32_POOL_200KB_FREE}${skipReason}`, () => {
  it("boots, answers every command, saves, and restores its state after a power cut", async () => {
    expect(GOOD_CALLS.concat(AFTER_RESTORE_CALLS).map((w) => w[0]!.split("#")[0])).toEqual(expect.arrayContaining(COMMANDS));
    const dir = await flashedFolder(BOARD_ID);
    folders.push(dir);
    const opts = { variant: "esp32" as const, poolJsVars: ESP32_POOL_200KB_FREE, cwd: dir };
    const b = new RealBoard(opts);
    try {
      await b.waitRecord((r) => r.record.type === "status", 30_000);
      const afterBoot = await b.memory(COMMAND_MS);
      expect(afterBoot.total).toBe(ESP32_POOL_200KB_FREE);
      // count some charge, then rest again
      const board = await loadBoard(BOARD_ID);
      const pins = (currentA: number): string => replLine(pinsLine(standInPins(board, { cellV: [1.3, 1.3, 1.3, 1.3], currentA, tempC: [25, 25] })));
      b.proc.write(pins(CHARGE_A));
      await b.waitRecord((r) => r.record.type === "status", COMMAND_MS, b.records.length + CHARGE_SAMPLES);
      b.proc.write(pins(0));
      let statusUsage = NaN;
      for (const words of GOOD_CALLS) {
        const r = await b.command(words, COMMAND_MS);
        expect(r.record.type, `${words.join(" ")} → ${r.line}`).not.toBe("error");
        if (words[0] === "status") statusUsage = (payload(r).mem as { usage: number }).usage;
      }
      console.log(`[real espruino] ${BOARD_ID} flash mode, pool ${ESP32_POOL_200KB_FREE}: ${afterBoot.usage} JsVars used after boot, ${statusUsage} while answering status (stand-in chips included)`);
      expect(statusUsage).toBeLessThan(ESP32_POOL_200KB_FREE);

      const saved = payload(await b.command(["save#last"], COMMAND_MS));
      expect(saved).toEqual({ saved: true });
      const before = payload(await b.command(["status#before"], COMMAND_MS)).model as { chargeAh: number };
      expect(before.chargeAh).toBeGreaterThan(0);
      expect(b.errorText()).toEqual([]);
      await b.kill();

      const again = new RealBoard(opts);
      try {
        const boot = await again.waitRecord((r) => r.record.type === "boot", 30_000);
        expect(boot.line).toMatch(/restored seq \d+/);
        expect(boot.line).toMatch(/config: stored/);
        const after = payload(await again.command(["status#after"], COMMAND_MS));
        expect((after.model as { chargeAh: number }).chargeAh).toBeGreaterThan(0);
        expect(after.restored).toBe(true);
        expect(payload(await again.command(["get#g2", "saveIntervalS"], COMMAND_MS))).toMatchObject({ value: 600 });
        for (const words of AFTER_RESTORE_CALLS) {
          const r = await again.command(words, COMMAND_MS);
          expect(r.record.type, `${words.join(" ")} → ${r.line}`).toBe("reply");
        }
        expect(again.errorText()).toEqual([]);
      } finally {
        await again.kill();
      }
    } finally {
      await b.kill();
    }
  }, 300_000); // ≈ 20 s alone; 53 s beside the other real-interpreter tests

  it("the stand-in chips' own share of the pool (to subtract from the figures above)", async () => {
    const { preludeFor } = await import("./realBoard");
    const dir = await writeFlashFolderFor({ ".boot0": await preludeFor(BOARD_ID) });
    folders.push(dir);
    const b = new RealBoard({ variant: "esp32", poolJsVars: ESP32_POOL_200KB_FREE, cwd: dir });
    try {
      const mem = await b.memory(30_000);
      console.log(`[real espruino] empty interpreter + stand-in chips: ${mem.usage} JsVars`);
      expect(mem.usage).toBeLessThan(1500);
    } finally {
      await b.kill();
    }
  }, 60_000);
});
