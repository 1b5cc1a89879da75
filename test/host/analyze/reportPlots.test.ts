import { describe, expect, it } from "vitest";
import { breakAtGaps, gapStep } from "../../../host/analyze/report";

describe("report time plots break at gaps", () => {
  it("a null row goes between points further apart than the step limit, nowhere else", () => {
    const x = [0, 1, 2, 10, 11];
    const r = breakAtGaps(x, [[5, 6, 7, 8, 9], [1, 1, 1, 1, 1]], 3);
    expect(r.x).toEqual([0, 1, 2, 6, 10, 11]);
    expect(r.ys).toEqual([[5, 6, 7, null, 8, 9], [1, 1, 1, null, 1, 1]]);
    expect(breakAtGaps(x, [[1, 2, 3, 4, 5]], 8).ys[0]).toEqual([1, 2, 3, 4, 5]);
  });

  it("the limit is three median steps, never below the config's gap limit", () => {
    expect(gapStep([0, 1, 2, 3, 20], 0)).toBe(3);
    expect(gapStep([0, 1, 2, 3, 20], 5)).toBe(5);
    expect(gapStep([], 0.5)).toBe(0.5);
  });
});
