import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cloneRng, createRng, forkRng, gaussian, nextUint32, uniform } from "../../../host/sim/rng";

describe("seeded rng", () => {
  it("the same seed gives the same stream; clones continue identically", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = createRng(seed);
        const b = createRng(seed);
        for (let i = 0; i < 20; i++) expect(nextUint32(a)).toBe(nextUint32(b));
        const c = cloneRng(a);
        for (let i = 0; i < 20; i++) expect(gaussian(a)).toBe(gaussian(c));
      }),
    );
  });

  it("nearby seeds and forks give different streams", () => {
    const a = createRng(1);
    const b = createRng(2);
    expect(nextUint32(a)).not.toBe(nextUint32(b));
    const r = createRng(5);
    expect(nextUint32(forkRng(r, 1))).not.toBe(nextUint32(forkRng(r, 1)));
  });

  it("uniform is in [0, 1) and gaussian has mean 0, sd 1", () => {
    const r = createRng(9);
    let s = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = uniform(r);
      expect(u >= 0 && u < 1).toBe(true);
      const g = gaussian(r);
      s += g;
      s2 += g * g;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(s2 / n) - 1)).toBeLessThan(0.03);
  });

  it("refuses a non-finite seed", () => {
    expect(() => createRng(NaN)).toThrow(/finite/);
  });
});
