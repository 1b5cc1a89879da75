/**
 * Issue 20's figure, through `zbms analyze`: a simulated 1 Ah Zn‖MnO2 cell at C/5 with one 24 h
 * rest (a 2 mA leak at full charge), read through an independent sensor model (20 µA offset,
 * 50 µA noise, 0.3 mV), written as a BDF CSV with no rest labels. Before issue 20 the long-rest
 * cycle's CE came out 0.079 pp low (the rest's sign-split noise in both halves); now the rest is
 * judged from the data and its residual current kept in the cycle's rest ledger.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { analyzeFile } from "../../../host/analyze/cli";
import { ISSUE20_OPTIONS, longRestCsv, matchTruth } from "../../../bench/longRest";

vi.setConfig({ testTimeout: 60000 });

describe("a long unlabelled rest (issue 20)", () => {
  it("costs the cycle holding it no CE accuracy: within 0.03 pp of the truth like the others, its residual in restAh", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zbms-longrest-"));
    const csv = longRestCsv(ISSUE20_OPTIONS);
    const file = join(dir, "longrest.csv");
    writeFileSync(file, csv.text);
    const r = await analyzeFile(file, { outDir: dir, printTable: null, progress: false, firstHalf: "charge", chemistry: "ZnMnO2" });
    const cycles = r.replay.cycles;
    expect(cycles.length).toBe(5);
    let longRestErrPp = NaN;
    for (const c of cycles) {
      const t = matchTruth(c, csv.truthCycles);
      expect(t, `cycle ${c.index} matches a true cycle`).not.toBeNull();
      if (!t) continue;
      const errPp = (c.ce - t.ce) * 100;
      expect(Math.abs(errPp), `cycle ${c.index}: CE ${c.ce}, true ${t.ce}`).toBeLessThan(0.03);
      if (c.endTMs - c.startTMs > 30 * 3600000) {
        longRestErrPp = errPp;
        // 24 h of 50 µA noise nets a few µAh; the sign-split noise was ~0.5 mAh per half.
        expect(Math.abs(c.restAh)).toBeLessThan(5e-5);
      }
    }
    expect(Number.isFinite(longRestErrPp)).toBe(true);
  });
});
