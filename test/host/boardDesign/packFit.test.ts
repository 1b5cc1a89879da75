import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { checkPackFitsBoard, maxCellsFor, boardMaxCurrentA } from "../../../host/boardDesign/packFit";
import { loadBoard, DOCUMENTED_BOARDS } from "../../../host/boardDesign/generate";
import { defaultPackConfig } from "../../../shared/config/defaults";
import { validateConfig } from "../../../shared/config/validateConfig";

const repoRoot = path.resolve(__dirname, "..", "..", "..");

describe("which packs a board can measure", () => {
  it("every example pack fits the default board (esp32-ads1115)", () => {
    const packs = readdirSync(path.join(repoRoot, "hardware", "packs")).filter((f) => f.endsWith(".json"));
    expect(packs.length).toBeGreaterThan(0);
    const board = loadBoard(repoRoot, "esp32-ads1115");
    for (const f of packs) {
      const pack = validateConfig(JSON.parse(readFileSync(path.join(repoRoot, "hardware", "packs", f), "utf8")));
      expect(checkPackFitsBoard(board, pack)).toEqual([]);
    }
  });

  it("every reference board takes a 1-cell Zn-I2 pack", () => {
    const pack = validateConfig(JSON.parse(readFileSync(path.join(repoRoot, "hardware", "packs", "zni2-1s.json"), "utf8")));
    for (const id of DOCUMENTED_BOARDS) expect(checkPackFitsBoard(loadBoard(repoRoot, id), pack)).toEqual([]);
  });

  it("more cells than voltage channels is refused with the counts", () => {
    const b = loadBoard(repoRoot, "esp32-ads1115");
    const pack = defaultPackConfig("ZnMnO2", 5, 2);
    expect(checkPackFitsBoard(b, pack).join("\n")).toMatch(/5 cells but the board has 4 voltage channels/);
  });

  it("a tap that would exceed its ADC range at the over-voltage alarm limit is refused, quoting volts", () => {
    const b = loadBoard(repoRoot, "esp32-ina226");
    b.voltages[3].dividerRatio = 3; // top tap of a 4S PBA pack: 4 × 2.1 V / 3 = 2.8 V > 2.45 V at 11 dB
    const pack = defaultPackConfig("ZnPBA", 4, 2);
    const why = checkPackFitsBoard(b, pack).join("\n");
    expect(why).toMatch(/voltage channel 3 would see 2\.8\d\d V at its input/);
    expect(why).toMatch(/its range ends at 2\.45 V/);
    expect(maxCellsFor(b, 2.1)).toBe(3);
  });

  it("an over-current alarm beyond the shunt's full scale is refused", () => {
    const b = loadBoard(repoRoot, "esp32-ina226");
    const pack = defaultPackConfig("ZnMnO2", 4, 20); // 20 Ah: alarm currents of tens of A on a 4.096 A channel
    expect(boardMaxCurrentA(b)).toBeCloseTo((2.5e-6 * 32767) / 0.02, 6); // 20 mOhm shunt: the INA226's 81.92 mV span
    expect(checkPackFitsBoard(b, pack).join("\n")).toMatch(/over-current alarm at \d+\.\d+ A but the current channel reads only up to 4\.096 A/);
  });

  it("more temperature channels than NTC inputs is refused", () => {
    const b = loadBoard(repoRoot, "esp32-adc");
    const pack = defaultPackConfig("ZnI2", 1, 1);
    pack.tempCount = 2;
    expect(checkPackFitsBoard(b, pack).join("\n")).toMatch(/2 temperature channels but the board has 1/);
  });
});
