import { describe, it, expect } from "vitest";
import {
  estimateTreeJsVars,
  nameJsVars,
  stringJsVars,
  typedArrayJsVars,
  valueFitsInName,
  codeTextJsVars,
} from "../../bench/jsVarEstimate";

describe("JsVar estimate", () => {
  it("a name holds 4 characters, longer names take a 12-character extension each", () => {
    expect(nameJsVars("soc", false)).toBe(1);
    expect(nameJsVars("tMsX", false)).toBe(1);
    expect(nameJsVars("tMsXY", false)).toBe(2);
    expect(nameJsVars("pendingSinceTMs", false)).toBe(2); // 4 + 11 characters
    expect(nameJsVars("selfDischargeSlopeMVPerH", false)).toBe(3); // 4 + 20
    expect(nameJsVars("123456", true)).toBe(1);
  });

  it("only small integers and booleans under a short name or an index fit in the name", () => {
    expect(valueFitsInName(3, "n", false)).toBe(true);
    expect(valueFitsInName(true, "n", false)).toBe(true);
    expect(valueFitsInName(3, "count", false)).toBe(false);
    expect(valueFitsInName(0.5, "n", false)).toBe(false);
    expect(valueFitsInName(NaN, "n", false)).toBe(false);
    expect(valueFitsInName(9000, "n", false)).toBe(false);
    expect(valueFitsInName(-8191, "7", true)).toBe(true);
  });

  it("strings, typed arrays and code text by size", () => {
    expect(stringJsVars("")).toBe(1);
    expect(stringJsVars("12345678")).toBe(1);
    expect(stringJsVars("123456789")).toBe(2);
    expect(typedArrayJsVars(0)).toBe(3);
    expect(typedArrayJsVars(8 * 21)).toBe(3 + 12); // 168 B / 14 B per JsVar
    expect(codeTextJsVars(65_000)).toBe(5417);
  });

  it("counts a tree object by object and name by name", () => {
    const c = estimateTreeJsVars({ a: 1, bb: 0.5, arr: [1, 2.5], f64: new Float64Array(4), longName: "x" });
    // root 1 + arr 1 = 2 objects; names a, bb, arr, f64, longName (2), arr[0], arr[1] = 8;
    // values: 0.5, 2.5, "x" = 3; typed array 3 + ceil(32 / 14) = 6.
    expect(c.objects).toBe(2);
    expect(c.names).toBe(8);
    expect(c.values).toBe(3);
    expect(c.typedArrays).toBe(6);
    expect(c.total).toBe(19);
    expect(c.numberLeaves).toBe(2 + 2 + 4);
  });

  it("counts a shared object once and a per-object prototype's data (derived tables)", () => {
    const shared = { x: 0.5, y: 0.25 };
    const seen = new Set<object>();
    const first = estimateTreeJsVars({ s: shared }, seen);
    const second = estimateTreeJsVars({ s: shared }, seen);
    expect(second.total).toBe(first.total - 1 - 2 - 2); // no object, names or values of `shared` again
    const withProto = Object.create({ plan: new Uint8Array(10) }) as Record<string, unknown>;
    withProto.a = 1;
    expect(estimateTreeJsVars(withProto).typedArrays).toBe(typedArrayJsVars(10));
    class K {
      a = 1;
      m(): number {
        return 1;
      }
    }
    expect(estimateTreeJsVars(new K()).total).toBe(2); // the class's methods are code, not data
  });
});
