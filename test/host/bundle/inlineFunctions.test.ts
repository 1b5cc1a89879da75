import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { inlineFunctions } from "../../../host/bundle/inlineFunctions";
import { aliasGlobals } from "../../../host/bundle/aliasGlobals";
import { buildFirmware } from "../../../host/bundle/buildFirmware";

/** Run an IIFE bundle against a fresh `globalThis` stand-in; what it left there. */
function run(code: string, input: unknown = null): string {
  const g: Record<string, unknown> = { input };
  new Function("globalThis", code)(g);
  return JSON.stringify(g, (_k, v: unknown) => (typeof v === "number" && !isFinite(v) ? String(v) : v));
}

describe("inlineFunctions: one-expression functions written in place at their calls", () => {
  it("inlines a pure one-expression function with side-effect-free arguments, and drops it", () => {
    const src =
      "(() => { function tw(a, b, h) { return (h / 6) * (2 * a + b); } function seg(s) { return s.k === 1 ? 1 : s.k === 2 ? 2 : 0; } " +
      "var o = { k: 2 }; function f(x, y) { return tw(x, -y, o.k) + seg(o); } globalThis.r = [f(1, 2), f(3, 4)]; })();";
    const out = inlineFunctions(src);
    // tw and seg in f; f, then a one-expression function itself, at its two calls
    expect(out.inlinedCalls).toBe(4);
    expect(out.removedFunctions).toBe(3);
    expect(out.code).not.toMatch(/function (tw|seg|f)\b/);
    expect(out.code).toContain("(((o.k) / 6) * (2 * (1) + (-(2))))"); // a non-name argument in parentheses
    expect(run(out.code)).toBe(run(src));
  });

  it("leaves calls it cannot prove the same: impure arguments, a shadowed name, a body with a call, a function used as a value", () => {
    const src =
      "(() => { var n = 0; function inc() { return ++n; } function sq(a) { return a * a; } function g(a) { return Math.abs(a); } " +
      "function k(a) { return a + K; } var K = 1; function h(K) { return k(2) + K; } function v(a) { return a - 1; } " +
      "function p(a) { return a + 1; } globalThis.r = [sq(inc()), sq(n), g(-3), h(10), [1, 2].map(v), p(1, 2)]; })();";
    const out = inlineFunctions(src);
    // sq(n) and v? v is passed as a value: its call sites (none direct) and its declaration stay
    expect(out.code).toContain("sq(inc())"); // the argument has a side effect
    expect(out.code).toContain("(n * n)");
    expect(out.code).toContain("function sq("); // still called with an impure argument
    expect(out.code).toContain("Math.abs(a)"); // g's body calls: not a candidate
    expect(out.code).toContain("k(2)"); // K is a parameter of h: k's body would read it instead of the module's K
    expect(out.code).toContain("function v(");
    expect(out.code).toContain("p(1, 2)"); // one argument more than parameters
    expect(run(out.code)).toBe(run(src));
  });

  it("writes the locals of `let a = …; return …` in place of their reads, when each is read at most 3 times", () => {
    const src =
      "(() => { function err(s, c) { let h = 0.5 * c.lsb; return s.known === 1 ? h + h + s.res : h + c.off; } " +
      "function many(a) { let d = a * 2; return d + d + d + d; } function late(a) { let d = a + 1, e = d * d; return e; } " +
      "var c = { lsb: 0.002, off: 0.01 }, s1 = { known: 1, res: 0.1 }, s0 = { known: 0 }; globalThis.r = [err(s1, c), err(s0, c), many(2), late(3)]; })();";
    const out = inlineFunctions(src);
    expect(out.code).toContain("(s1.known === 1 ? (0.5 * c.lsb) + (0.5 * c.lsb) + s1.res : (0.5 * c.lsb) + c.off)"); // err at its calls
    expect(out.code).toContain("function many("); // d read 4 times: left as a call
    expect(out.code).toContain("(((3) + 1) * ((3) + 1))"); // a local from an earlier one
    expect(run(out.code)).toBe(run(src));
  });

  it("computes what the calls computed, for any numbers (property)", () => {
    const src =
      "(() => { function tw(v0, v1, i0, i1, h) { return (h / 6) * (2 * v0 * i0 + v0 * i1 + v1 * i0 + 2 * v1 * i1); } " +
      "var x = globalThis.input; globalThis.r = [tw(x[0], x[1], x[2], x[3], x[4]), tw(x[1], x[0], -x[2], -x[3], 1), tw(x[4], x[4], x[4], x[4], x[4])]; })();";
    const out = inlineFunctions(src);
    expect(out.inlinedCalls).toBe(3);
    const num = fc.double({ noNaN: false });
    fc.assert(fc.property(fc.tuple(num, num, num, num, num), (xs) => run(out.code, xs) === run(src, xs)));
  });
});

describe("aliasGlobals: the language's globals read through aliases first in the bundle's scope", () => {
  it("rewrites references the bundle does not shadow, declares the aliases first, and runs the same", () => {
    const src =
      "(() => { function f(a) { return isFinite(a) ? Math.floor(a) : NaN; } function g(NaN) { return NaN; } " +
      "function h(x) { return { isNaN, v: isNaN(x) }; } globalThis.r = [f(2.5), f(1 / 0), g(3), h(NaN).v, typeof h(1).isNaN]; })();";
    const out = aliasGlobals(src);
    expect(out.aliased.sort()).toEqual(["Math", "NaN", "isFinite", "isNaN"]);
    expect(out.code.startsWith("(() => {var $")).toBe(true);
    expect(out.code).toContain("function g(NaN) { return NaN; }"); // a parameter of that name is not the global
    expect(out.code).toMatch(/\{ isNaN:\$\w+, v: \$\w+\(x\) \}/); // a shorthand property keeps its key
    expect(run(out.code)).toBe(run(src));
  });

  it("leaves a global the bundle assigns or declares, and picks names the bundle does not use", () => {
    const src = "(() => { var $a = 1, Number = 5; parseFloat = null; function f() { return Math.PI + $a + Number; } globalThis.r = f(); })();";
    const out = aliasGlobals(src);
    expect(out.aliased).toEqual(["Math"]);
    expect(out.code).toContain("var $b=Math;");
    expect(out.code).toContain("parseFloat = null");
    const parseFloatWas = globalThis.parseFloat; // the snippet assigns the real global: put it back
    try {
      expect(run(out.code)).toBe(run(src));
    } finally {
      globalThis.parseFloat = parseFloatWas;
    }
  });

  it("the firmware bundle: every one-expression function called with simple arguments is inlined, and the aliases lead its scope", async () => {
    const fw = await buildFirmware({ write: false });
    expect(fw.findings).toEqual([]);
    expect(inlineFunctions(fw.code).inlinedCalls).toBe(0);
    expect(fw.code).toMatch(/^\(\(\)=>\{var \$\w+=(NaN|Math|isFinite|isNaN),/);
  });
});
