/**
 * Issue 21, case 2: absurd settings are refused on the board with the range named (the same
 * shared rules the host validates pack files with), a calibration far from the channel's
 * nominal gain is refused and the previous one kept, and rapid `set`s are coalesced into a
 * bounded number of flash writes. Commands are typed as `zbms send` formats them.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sendWords, startFirmwareBoard, TelemetryTap } from "./firmwareBoard";
import { REPO_ROOT } from "../../host/bundle/buildFirmware";
import { CONFIG_FILE, CAL_FILE } from "../../firmware/commands";
import { SETTINGS_WRITE_MIN_S } from "../../firmware/app";
import { validateConfig } from "../../shared/config/validateConfig";
import type { VirtualBoard } from "../../host/virtualBoard/virtualBoard";
import { ESP32_STORAGE_AREA_B, FLASH_ERASE_CYCLES, STORAGE_FILE_HEADER_B } from "../../firmware/persistence/stateStore";

function answer(board: VirtualBoard, tap: TelemetryTap, words: string[]): { kind: string; text: string } {
  const r = sendWords(board, tap, words).find((x) => x.record.type === "reply" || x.record.type === "error");
  if (!r) throw new Error(`no answer to ${words.join(" ")}`);
  return r.record.type === "reply" ? { kind: "reply", text: r.record.payload } : { kind: "error", text: (r.record as { text: string }).text };
}

/** Count Storage writes per file name on a virtual board. */
/** Files written per name: a write at offset 0 (a new file; the firmware writes a long file in parts at offsets after it). */
function countWrites(board: VirtualBoard): Record<string, number> {
  const n: Record<string, number> = {};
  const st = board.storage as unknown as { write: (name: string, data: unknown, offset?: number, ...rest: unknown[]) => boolean };
  const orig = st.write.bind(st);
  st.write = (name: string, data: unknown, offset?: number, ...rest: unknown[]) => {
    if (!offset) n[name] = (n[name] ?? 0) + 1;
    return orig(name, data, offset, ...rest);
  };
  return n;
}

const PACK = JSON.parse(readFileSync(join(REPO_ROOT, "hardware/packs/znmno2-4s.json"), "utf8")) as { alarms: { id: string }[] };
const OV = PACK.alarms.findIndex((a) => a.id === "cellOverVoltage");

describe("plausibility bounds on the board (the reported cases)", () => {
  const CASES: Array<[string[], RegExp]> = [
    [["set", `alarms.${OV}.delayMs`, "1e15"], /delayMs = 1000000000000000 .*out of range; accepted: 0\.\.604800000 ms/],
    [["set", `alarms.${OV}.limit`, "1e6"], /out of range; accepted: 0\.3\.\.2\.3 V/],
    [["set", "capacityAh", "1e-9"], /capacityAh.*out of range; accepted: number 0\.00001\.\.1000 Ah/],
    [["set", `alarms.${OV}.reset`, "-9999"], /out of range; accepted: 0\.3\.\.2\.3 V/],
    [["set", "alarms.8.limit", "1e6"], /out of range; accepted: -40\.\.125 C/],
  ];
  it.each(CASES)("%j is refused with the range named, config unchanged", async (words, range) => {
    const board = await startFirmwareBoard();
    const tap = new TelemetryTap(board);
    const before = answer(board, tap, ["get", words[1]!]).text;
    const a = answer(board, tap, words);
    expect(a.kind).toBe("error");
    expect(a.text).toMatch(range);
    expect(answer(board, tap, ["get", words[1]!]).text).toBe(before);
  });

  it("the host refuses the same values in a pack file (one rule, shared/)", () => {
    const bad = JSON.parse(JSON.stringify(PACK)) as { alarms: { delayMs: number; limit: number }[]; capacityAh: number };
    bad.alarms[OV]!.delayMs = 1e15;
    expect(() => validateConfig(bad)).toThrow(/delayMs = 1000000000000000 .*out of range/);
    const cap = JSON.parse(JSON.stringify(PACK)) as { capacityAh: number };
    cap.capacityAh = 1e-9;
    expect(() => validateConfig(cap)).toThrow(/capacityAh.*out of range; allowed: finite number 0\.00001…1000 Ah/);
  });

  it("a calibration far from the nominal gain (cal v0 1.2 9600 1.6 9601) is refused and the previous one kept", async () => {
    const board = await startFirmwareBoard();
    const tap = new TelemetryTap(board);
    board.advance(3000);
    const v0 = (JSON.parse(answer(board, tap, ["raw"]).text) as { v0: number }).v0;
    const good = answer(board, tap, ["cal", "v0", "0", "0", "1.41", String(v0)]);
    expect(good.kind).toBe("reply");
    const typo = answer(board, tap, ["cal", "v0", "1.2", "9600", "1.6", "9601"]);
    expect(typo.kind).toBe("error");
    expect(typo.text).toMatch(/gain [\d.e+]+ x nominal is out of range; accepted: 0\.75\.\.1\.25 x .*calibration unchanged/);
    expect(answer(board, tap, ["cal", "v0", "1.2", "9600", "1.2", "9600"]).kind).toBe("error");
    board.advance(2000);
    const st = tap.ofType("status").at(-1)!;
    expect(st.cellV[0]).toBeCloseTo(1.41, 2);
  });
});

describe("settings writes are coalesced", () => {
  it("3 000 rapid sets cause at most 2 config writes; the last value is on flash after SETTINGS_WRITE_MIN_S", async () => {
    const board = await startFirmwareBoard();
    const tap = new TelemetryTap(board);
    const writes = countWrites(board);
    for (let i = 0; i < 3000; i++) {
      const a = answer(board, tap, ["set", "samplePeriodMs", String(1000 + (i % 7) * 10)]);
      expect(a.kind).toBe("reply");
    }
    expect(writes[CONFIG_FILE] ?? 0).toBe(1);
    board.advance((SETTINGS_WRITE_MIN_S + 2) * 1000);
    expect(writes[CONFIG_FILE]).toBe(2);
    const stored = JSON.parse(String(Buffer.from(board.storageFile(CONFIG_FILE)!).toString("latin1"))) as { samplePeriodMs: number };
    expect(stored.samplePeriodMs).toBe(1000 + (2999 % 7) * 10);
    expect(writes[CAL_FILE] ?? 0).toBe(0);
  }, 60_000);
});

describe("settings flash endurance (the figure stated in firmware/app.ts and docs/security.md)", () => {
  it("a script sending set forever: one config write per SETTINGS_WRITE_MIN_S lasts >= 15 years of 100 000-cycle flash", () => {
    const writeB = JSON.stringify(PACK).length + STORAGE_FILE_HEADER_B;
    const erasesPerPagePerDay = ((24 * 3600) / SETTINGS_WRITE_MIN_S) * writeB / ESP32_STORAGE_AREA_B;
    const years = FLASH_ERASE_CYCLES / erasesPerPagePerDay / 365.25;
    expect(writeB).toBeGreaterThan(2500);
    expect(erasesPerPagePerDay).toBeCloseTo(15.6, 0);
    expect(years).toBeGreaterThan(15);
  });
});
