import { describe, expect, it } from "vitest";
import { inlineConstants } from "../../../host/bundle/inlineConstants";
import { buildFirmware } from "../../../host/bundle/buildFirmware";

/** Run an IIFE bundle against a fresh `globalThis` stand-in; what it left there. */
function run(code: string): string {
  const g: Record<string, unknown> = {};
  new Function("globalThis", code)(g);
  return JSON.stringify(g);
}

describe("inlineConstants: numeric module constants of the bundle written as literals", () => {
  it("replaces references, drops the declarations, and the code computes the same", () => {
    const src =
      "(() => { var A = 5, B = -2, C = 1.5, D = 7; function f(A) { return A + B; } " +
      "function g(x) { return {C, D: x, e: C.toFixed(1), n: -B} } function h() { var D = 1; return D; } " +
      "let q = B - B; var o = {D: 3}; globalThis.r = [f(1), g(2), h(), q, D + A, typeof C, o.D]; })();";
    const out = inlineConstants(src);
    expect(out.inlined).toBe(5); // A, B, C, D, then q = (-2) - (-2) folded
    expect(out.code).not.toMatch(/var A|B ?=|C ?=|D = 7/);
    expect(out.code).toContain("(1.5).toFixed"); // a member access on a literal needs parentheses
    expect(out.code).toContain("{C:1.5"); // a shorthand property keeps its key
    expect(out.code).toContain("function f(A) { return A + (-2); }"); // the parameter A is not the constant
    expect(out.code).toContain("h(), 0, 7 + 5");
    expect(run(out.code)).toBe(run(src));
  });

  it("leaves a constant that is assigned, declared twice, or not a number", () => {
    const src =
      "(() => { var A = 5, B = 3, S = 'x', K = 2; B++; var C = 1; { let C = 2; globalThis.c = C; } " +
      "var E = 4; E = 5; function K() {} globalThis.x = [A * B, S, C, E, K]; })();";
    const out = inlineConstants(src);
    expect(out.inlined).toBe(1); // A only
    expect(out.code).toContain("var B = 3, S = 'x', K = 2;");
    expect(run(out.code)).toBe(run(src));
  });

  it("the firmware bundle has no numeric module constant left, and still runs the same checks", async () => {
    const fw = await buildFirmware({ write: false });
    expect(fw.findings).toEqual([]);
    expect(inlineConstants(fw.code).inlined).toBe(0);
    const plain = await buildFirmware({ write: false, minify: false });
    expect(plain.code).toMatch(/var \w+ = \d+;/); // readable builds keep their names
  });
});
