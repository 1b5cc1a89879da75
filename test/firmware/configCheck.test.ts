import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { CONFIG_RULES, validateConfig } from "../../shared/config/validateConfig";
import type { PackConfig } from "../../shared/config/packConfig";
import { configProblem, describeLimit } from "../../firmware/configCheck";
import { configLimits } from "../../host/bundle/configLimits";

const PACKS = ["znmno2-4s", "znpba-2s", "zni2-1s"].map(
  (p) => validateConfig(JSON.parse(readFileSync(new URL(`../../hardware/packs/${p}.json`, import.meta.url), "utf8"))) as PackConfig,
);
const limitsOf = PACKS.map((p) => configLimits(CONFIG_RULES as never, p));
const limits = limitsOf[0]!;

/** Every leaf path of a config ("soc.ocvChargeV.3", "alarms.1.limit"), for single-field changes. */
function leafPaths(x: unknown, prefix: string, out: string[]): string[] {
  if (x !== null && typeof x === "object") {
    for (const k of Object.keys(x as object)) leafPaths((x as Record<string, unknown>)[k], prefix ? prefix + "." + k : k, out);
  } else out.push(prefix);
  return out;
}

function withChange(pack: PackConfig, path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(pack));
  const parts = path.split(".");
  let node = copy;
  for (let i = 0; i < parts.length - 1; i++) node = node[parts[i]!];
  node[parts[parts.length - 1]!] = value;
  return copy;
}

function accepts(x: unknown): boolean {
  try {
    validateConfig(x);
    return true;
  } catch {
    return false;
  }
}

describe("firmware config check (compact, on the board) agrees with validateConfig", () => {
  it("accepts every example pack unchanged", () => {
    PACKS.forEach((p, i) => expect(configProblem(p, p, limitsOf[i]!)).toBeNull());
  });

  it("the generated rows describe the accepted values in ASCII", () => {
    const texts = limits.map(describeLimit);
    expect(texts).toContain("integer 1..16");
    expect(texts).toContain("number 0.00001..1000 Ah");
    expect(texts.some((t) => /^ZnMnO2\|/.test(t))).toBe(true);
    expect(JSON.stringify(limits)).toMatch(/^[\x20-\x7e]*$/);
  });

  it("a template leaf without a rule stops the build", () => {
    expect(() => configLimits(CONFIG_RULES as never, { ...PACKS[0]!, extra: 1 })).toThrow(/"extra" has no rule/);
  });

  it("single-field changes: accepted by the board exactly when validateConfig accepts (fast-check)", () => {
    const value = fc.oneof(
      fc.double({ noNaN: false }),
      fc.integer({ min: -100000, max: 100000 }),
      fc.constantFrom(0, -1, 1, 0.5, 1.5, 2, 16, 17, 50, 49, 60000, 60001, 1e-9, Infinity, -Infinity, NaN),
      fc.string({ maxLength: 70 }),
      fc.constantFrom("ZnMnO2", "ZnI2", "charge", "discharge", "alarm", "warning", "cellOverVoltage", ""),
      fc.constant(null),
      fc.boolean(),
    );
    const packIdx = fc.integer({ min: 0, max: PACKS.length - 1 });
    fc.assert(
      fc.property(packIdx, fc.nat(), value, fc.boolean(), (pi, pathIdx, v, scaled) => {
        const pack = PACKS[pi]!;
        const paths = leafPaths(pack, "", []);
        const path = paths[pathIdx % paths.length]!;
        const old = path.split(".").reduce((n: any, k) => n[k], pack as any);
        // half the time a value near the old one, so both sides of every bound get hit
        const val = scaled && typeof old === "number" && typeof v === "number" ? old * (1 + (v % 1)) : v;
        const x = withChange(pack, path, val);
        const board = configProblem(pack, x, limitsOf[pi]!);
        expect(board === null, `${path} = ${String(val)}: board says ${board}`).toBe(accepts(x));
        if (board !== null) expect(board).toMatch(/accepted: |alarm table: /);
      }),
      { numRuns: 4000 },
    );
  });

  it("a removed or added field is refused, naming it", () => {
    const p = PACKS[0]!;
    const extra = { ...JSON.parse(JSON.stringify(p)), extra: 1 };
    expect(configProblem(p, extra, limits)).toMatch(/"extra" = 1 is not a known field/);
    const missing = JSON.parse(JSON.stringify(p));
    delete missing.soc.fullCellV;
    expect(configProblem(p, missing, limits)).toMatch(/"soc.fullCellV" = undefined is not a number/);
    expect(configProblem(p, "x", limits)).toMatch(/top level/);
  });

  it("quotes the bad value and the accepted range", () => {
    const p = PACKS[0]!;
    expect(configProblem(p, withChange(p, "cellCount", 17), limits)).toBe('"cellCount" = 17 is out of range; accepted: integer 1..16');
    expect(configProblem(p, withChange(p, "segmentation.restCurrentA", 1e6), limits)).toMatch(/restCurrentA" = 1000000 is out of range; accepted: number 0..1000 A/);
  });
});
