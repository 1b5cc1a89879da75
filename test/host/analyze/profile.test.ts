import { mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PROFILE_FULL_PARSE_BYTES, PROFILE_NARROW_ROW_BYTES, PROFILE_SAMPLE_POSITIONS, profileInput, profileStride } from "../../../host/analyze/profile";
import { newRecord, newStats, type Importer, type ReadOptions } from "../../../host/import/record";
import { S_PER_H } from "../../../shared/units";

const dir = mkdtempSync(join(tmpdir(), "zbms-profile-"));

/** A cycling test of 1-s rows: charge, rest, discharge, rest, `cycles` times. */
interface Cycling {
  cycles: number;
  chargeRows: number;
  dischargeRows: number;
  restRows: number;
  currentA: number;
}

function currentAt(c: Cycling, row: number): number {
  const period = c.chargeRows + c.dischargeRows + 2 * c.restRows;
  const k = row % period;
  if (k < c.chargeRows) return c.currentA;
  if (k < c.chargeRows + c.restRows) return 0;
  if (k < c.chargeRows + c.restRows + c.dischargeRows) return -c.currentA;
  return 0;
}

/**
 * An importer over a synthetic test that samples like readCsv `sampleByBytes`: with stride k,
 * a pair of adjacent rows every k rows from `phase` (line numbers true), plus the last row.
 */
function cyclingImporter(c: Cycling, phase: number, skipLines = 0): Importer {
  const rows = c.cycles * (c.chargeRows + c.dischargeRows + 2 * c.restRows);
  return {
    format: "bdf",
    description: "synthetic cycling",
    expected: [],
    detect: () => true,
    read: async (_path, onRecord, _p, _c, opts?: ReadOptions) => {
      const stride = opts?.stride !== undefined && opts.stride > 1 ? opts.stride : 1;
      const st = newStats();
      const r = newRecord();
      const emit = (row: number): void => {
        r.line = row + 2 + (row > rows / 2 ? skipLines : 0);
        r.tS = row;
        r.voltageV = 1.3;
        r.currentA = currentAt(c, row);
        st.records++;
        onRecord(r);
      };
      if (stride === 1) {
        for (let row = 0; row < rows; row++) emit(row);
        return st;
      }
      let last = -1;
      for (let at = phase % stride; at < rows; at += stride) {
        for (let q = 0; q < 2 && at + q < rows; q++) emit((last = at + q));
      }
      if (last !== rows - 1) emit(rows - 1);
      return st;
    },
  };
}

/** A file of `bytes` bytes (sparse: nothing written), for the size-based sampling decision. */
function fileOfSize(name: string, bytes: number): string {
  const f = join(dir, name);
  writeFileSync(f, "");
  truncateSync(f, bytes);
  return f;
}

describe("profile sampling of large inputs", () => {
  it("parses every row up to PROFILE_FULL_PARSE_BYTES, then about PROFILE_SAMPLE_POSITIONS pairs of narrow rows", () => {
    expect(profileStride(0)).toBe(1);
    expect(profileStride(2e6)).toBe(1);
    expect(profileStride(PROFILE_FULL_PARSE_BYTES)).toBe(1);
    const big = 318194439; // the benchmark's 10⁷-row file
    const k = profileStride(big);
    expect(k).toBeGreaterThan(1);
    expect(big / PROFILE_NARROW_ROW_BYTES / k).toBeCloseTo(PROFILE_SAMPLE_POSITIONS, -2);
    expect(profileStride(2 * big)).toBeGreaterThan(k);
  });

  it("a sampled half's charge is a lower bound, short by at most one stride at each end", async () => {
    const path = fileOfSize("big.csv", 4 * PROFILE_FULL_PARSE_BYTES);
    const stride = profileStride(4 * PROFILE_FULL_PARSE_BYTES);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 4 * stride, max: 40 * stride }),
        fc.integer({ min: 0, max: 10 * stride }),
        fc.integer({ min: 0, max: stride - 1 }),
        async (cycles, chargeRows, lessOnDischarge, phase) => {
          const c: Cycling = { cycles, chargeRows, dischargeRows: chargeRows - Math.min(lessOnDischarge, chargeRows - 2 * stride), restRows: 2 * stride, currentA: 0.2 };
          const p = await profileInput(cyclingImporter(c, phase), path);
          const trueAh = (c.currentA * c.chargeRows) / S_PER_H;
          expect(p.maxHalfAh).toBeLessThanOrEqual(trueAh * (1 + 1e-12));
          expect(p.maxHalfAh).toBeGreaterThanOrEqual((c.currentA * (c.chargeRows - 2 * stride)) / S_PER_H - 1e-12);
          expect(p.firstHalfSign).toBe(1);
          expect(p.records).toBeLessThan((2 * (cycles * (c.chargeRows + c.dischargeRows + 2 * c.restRows))) / stride + 4);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("many sampled cycles: the largest half comes out within 1 % below the true one", async () => {
    const path = fileOfSize("big2.csv", 4 * PROFILE_FULL_PARSE_BYTES);
    const stride = profileStride(4 * PROFILE_FULL_PARSE_BYTES);
    // Halves 20 strides long: integrating across the unknown edges would be off by up to 5 %.
    const c: Cycling = { cycles: 200, chargeRows: 20 * stride + 7, dischargeRows: 19 * stride, restRows: 3 * stride + 11, currentA: 0.2 };
    const p = await profileInput(cyclingImporter(c, 3), path);
    const trueAh = (c.currentA * c.chargeRows) / S_PER_H;
    expect(p.maxHalfAh).toBeLessThanOrEqual(trueAh);
    expect(p.maxHalfAh).toBeGreaterThan(0.99 * trueAh);
  });

  it("an input below the threshold is integrated step by step, also across rows the importer left out", async () => {
    const path = fileOfSize("small.csv", 1000);
    const c: Cycling = { cycles: 2, chargeRows: 100, dischargeRows: 90, restRows: 10, currentA: 0.5 };
    // Every row delivered; in the second cycle the line numbers jump (e.g. cycler summary rows).
    const a = await profileInput(cyclingImporter(c, 0), path);
    const b = await profileInput(cyclingImporter(c, 0, 5), path);
    expect(a.records).toBe(2 * 210);
    // Trapezoids over 1-s rows: the half's 100 rows at I plus the half step on to it.
    expect(a.maxHalfAh).toBeCloseTo((c.currentA * 100) / S_PER_H, 12);
    expect(b.maxHalfAh).toBe(a.maxHalfAh);
  });
});
