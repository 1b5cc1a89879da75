import { describe, expect, it } from "vitest";
import { identityMismatch } from "../../../host/cli/flashCommand";

const got = { bundleHash: "0123456789abcdef", fwVersion: "0.1.0", board: "esp32-ads1115", pack: "ZnMnO2 4S 2Ah pouch" };

describe("flash identity check", () => {
  it("the same bundle, version, board and pack: no mismatch", () => {
    expect(identityMismatch(got, { hash: "0123456789abcdef", version: "0.1.0", board: "esp32-ads1115", pack: "ZnMnO2 4S 2Ah pouch" })).toBe("");
  });
  it("names every field that differs, with both values", () => {
    const m = identityMismatch(got, { hash: "fedcba9876543210", version: "0.2.0", board: "esp32-ina226", pack: "other" });
    expect(m).toContain("bundle hash 0123456789abcdef ≠ fedcba9876543210");
    expect(m).toContain("version 0.1.0 ≠ 0.2.0");
    expect(m).toContain("board esp32-ads1115 ≠ esp32-ina226");
    expect(m).toContain('pack "ZnMnO2 4S 2Ah pouch" ≠ "other"');
  });
  it("with --bundle only the hash is known, and only the hash is compared", () => {
    expect(identityMismatch(got, { hash: "0123456789abcdef" })).toBe("");
  });
});
