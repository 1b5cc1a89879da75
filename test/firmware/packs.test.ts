import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { validateConfig } from "../../shared/config/validateConfig";
import { validateBoard } from "../../shared/config/validateBoard";

const packDir = new URL("../../hardware/packs/", import.meta.url);
const boardDir = new URL("../../hardware/boards/", import.meta.url);
const packs = readdirSync(packDir).filter((f) => f.endsWith(".json"));

describe("example packs", () => {
  it("include the default pack and two more", () => {
    expect(packs).toContain("znmno2-4s.json");
    expect(packs).toContain("zni2-1s.json");
    expect(packs.length).toBeGreaterThanOrEqual(3);
  });
  for (const f of packs) {
    it(f + " passes validateConfig unchanged", () => {
      const raw = JSON.parse(readFileSync(new URL(f, packDir), "utf8"));
      expect(validateConfig(raw)).toEqual(raw);
    });
  }
  it("the default pack fits every board (cells and temperatures)", () => {
    const p = validateConfig(JSON.parse(readFileSync(new URL("znmno2-4s.json", packDir), "utf8")));
    for (const b of readdirSync(boardDir).filter((x) => x.endsWith(".json"))) {
      const board = validateBoard(JSON.parse(readFileSync(new URL(b, boardDir), "utf8")));
      expect(board.voltages.length, b).toBeGreaterThanOrEqual(p.cellCount);
      expect(board.temps.length, b).toBeGreaterThanOrEqual(p.tempCount);
    }
  });
});
