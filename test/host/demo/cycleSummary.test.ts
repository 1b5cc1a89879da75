import { describe, expect, it } from "vitest";
import { flagText, matchCycles, summaryTable, type LoggedCycle } from "../../../host/demo/cycleSummary";
import type { CycleTruth, RestTruth } from "../../../host/sim/truth";

function truthCycle(index: number, startS: number, endS: number, ce: number): CycleTruth {
  return { index, startS, endS, chargeAh: 2, dischargeAh: 2 * ce, chargeWh: 3.2, dischargeWh: 2.6 * ce, ce, ee: 0.81 * ce, ve: 0.81, hadRest: 0 };
}
function logged(index: number, tMs: number, ce: number, ceBound: number, flags = 0): LoggedCycle {
  return { index, tMs, chargeAh: 2, dischargeAh: 2 * ce, chargeWh: 3.2, dischargeWh: 2.6 * ce, ce, ceBound, ee: 0.8, flags };
}

describe("per-cycle summary", () => {
  const truth = [truthCycle(1, 0, 36000, 0.97), truthCycle(2, 36000, 72000, 0.98), truthCycle(3, 72000, 200000, 0.975)];
  const rests = [{ index: 1, startS: 90000, endS: 176400, durationS: 86400 } as RestTruth];

  it("matches by end time after shifting the board clock by its boot time", () => {
    // the board booted at simulated 30000 s: its times are 30000 s behind
    const rows = matchCycles([logged(1, (72000 - 30000 - 20) * 1000, 0.9805, 0.002), logged(2, (200000 - 30000) * 1000, 0.9700, 0.002)], truth, 30000, rests);
    expect(rows.map((r) => r.truth && r.truth.index)).toEqual([2, 3]);
    expect(rows[0]!.covered).toBe(true); // |0.9805 − 0.98| ≤ 0.002
    expect(rows[1]!.covered).toBe(false); // |0.970 − 0.975| > 0.002
    expect(rows[1]!.restH).toBe(24);
  });

  it("a cycle with no truth nearby is unmatched; a cycle without CE is not judged", () => {
    const rows = matchCycles([logged(1, 500_000_000, 0.98, 0.01), logged(2, 36000 * 1000, NaN, NaN, 1)], truth, 0);
    expect(rows[0]!.truth).toBeNull();
    expect(rows[0]!.covered).toBeNull();
    expect(rows[1]!.truth!.index).toBe(1);
    expect(rows[1]!.covered).toBeNull();
  });

  it("the table shows CE ± bound beside the truth and says NO when the bound misses", () => {
    const text = summaryTable(matchCycles([logged(1, 200000 * 1000, 0.97, 0.002)], truth, 0, rests));
    expect(text.split("\n")[0]).toMatch(/cycle\s+Q in Ah\s+Q out Ah\s+CE %\s+± %\s+true CE %\s+in bound/);
    expect(text).toMatch(/97\.000\s+0\.200\s+97\.500\s+NO/);
    expect(text).toMatch(/24\.0/);
  });

  it("a partial cycle shows no whole-cycle truth beside it (no 'true CE 197.9 %')", () => {
    const half = truthCycle(1, 0, 36000, 1.979);
    const line = summaryTable(matchCycles([logged(1, 36000 * 1000, NaN, NaN, 1)], [half], 0)).split("\n")[1]!;
    expect(line).not.toMatch(/197/);
    expect(line.match(/partial/g)).toHaveLength(3); // true CE, true EE, flags
  });

  it("flags in words", () => {
    expect(flagText(0)).toBe("");
    expect(flagText(1 | 4)).toBe("partial,restored");
  });
});
