import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalConfigText, configCopyPath, configDifferences, configHash, parseConfigReply } from "../../../host/monitor/boardConfig";
import type { PackConfig } from "../../../shared/config/packConfig";
import { validateConfig } from "../../../shared/config/validateConfig";

const pack = (): PackConfig => validateConfig(JSON.parse(readFileSync(new URL("../../../hardware/packs/znmno2-4s.json", import.meta.url), "utf8")));

/** The same object with its keys in reverse order at every level. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).reverse()) out[k] = reversedKeys((v as Record<string, unknown>)[k]);
  return out;
}

describe("the board's pack config in a raw log", () => {
  it("the hash ignores key order and digits beyond the wire's 9, and changes with any field", () => {
    const a = pack();
    expect(configHash(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(configHash(reversedKeys(a) as PackConfig)).toBe(configHash(a));
    const b = pack();
    b.capacityAh = 2 * (1 + 1e-12);
    expect(configHash(b)).toBe(configHash(a));
    b.counting.maxGapMs = 100000;
    expect(configHash(b)).not.toBe(configHash(a));
  });

  it("a config reply in the board's number form reads back as the same config", () => {
    const a = pack();
    const reply = parseConfigReply(`{"config":${canonicalConfigText(a)}}`);
    expect(configDifferences(reply, a)).toEqual([]);
    expect(configHash(reply)).toBe(configHash(a));
    expect(canonicalConfigText({ samplePeriodMs: 20000, x: [0.04, -0.5] })).toBe('{"samplePeriodMs":2e4,"x":[4e-2,-5e-1]}');
  });

  it("differences name each field with both values", () => {
    const a = pack();
    const b = pack();
    b.samplePeriodMs = 20000;
    b.counting.maxGapMs = 100000;
    b.alarms[0]!.limit = 1.9;
    expect(configDifferences(a, b)).toEqual([`alarms.0.limit: ${a.alarms[0]!.limit} vs 1.9`, "counting.maxGapMs: 10000 vs 100000", "samplePeriodMs: 1000 vs 20000"]);
  });

  it("a bad reply is refused with the reason", () => {
    expect(() => parseConfigReply("{nope")).toThrow(/not JSON.*\{nope/);
    expect(() => parseConfigReply('{"cfg":1}')).toThrow(/no "config" field/);
    expect(() => parseConfigReply('{"config":{"cellCount":99}}')).toThrow(/pack config: field/);
  });

  it("the copy sits beside the log", () => {
    expect(configCopyPath("/x/ttyUSB0-20261207T120000Z.raw.log")).toBe("/x/ttyUSB0-20261207T120000Z.pack.json");
  });
});
