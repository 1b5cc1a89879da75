import { describe, it, expect } from "vitest";
import { TokenCounter } from "../../bench/tokenCount";

describe("tokens executed (V8 block coverage)", () => {
  it("charges a for loop's test, update and body once per iteration, and nothing that did not run", async () => {
    const code =
      "globalThis.__tcLoop = function (n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; };\n" +
      "globalThis.__tcBranch = function (x) { if (x > 0) { return x + 1 + 2 + 3; } return 0; };";
    const tc = await TokenCounter.load(code, "token-count-test.js");
    try {
      const g = globalThis as unknown as { __tcLoop: (n: number) => number; __tcBranch: (x: number) => number };
      await tc.reset();
      g.__tcLoop(1000);
      const t1000 = await tc.take();
      g.__tcLoop(3000);
      const t3000 = await tc.take();
      // per iteration: `i < n` (3) + `i++` (2) + `s += i;` (4)
      expect((t3000 - t1000) / 2000).toBe(9);
      g.__tcBranch(-1);
      const skipped = await tc.take();
      g.__tcBranch(1);
      const taken = await tc.take();
      // the taken branch adds `{ return x + 1 + 2 + 3; }` = 11 tokens, but skips `return 0;` (3)
      expect(taken - skipped).toBe(11 - 3);
      expect(await tc.take()).toBe(0);
    } finally {
      await tc.close();
    }
  });
});
