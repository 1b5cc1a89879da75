/**
 * Agreement with real cyclers: the replayed per-cycle capacities and CE against the cycler's
 * own numbers, cycle by cycle (files in test/fixtures/realdata, see its README). Tolerances from
 * the issue: capacity within 0.1 %, CE within 0.05 percentage point. Every cycle not compared
 * is listed below with the reason.
 */
import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";

// Whole-pipeline runs: allow for a loaded CI machine.
vi.setConfig({ testTimeout: 60000 });
import { analyzeFile, type AnalyzeResult } from "../../../host/analyze/analyzeApi";
import { CYCLE_FLAG_TRUNCATED } from "../../../host/analyze/replay";
import type { CycleRecord } from "../../../shared/model/events";

const REPO = resolve(__dirname, "..", "..", "..");
const REAL = resolve(REPO, "test", "fixtures", "realdata");
const CAP_TOL_FRAC = 0.001;
const CE_TOL_PP = 0.05;
const MILLI = 1e-3;

function csv(file: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(join(REAL, file), "utf8").split(/\r?\n/).filter((l) => l.length > 0);
  return { header: lines[0].split(","), rows: lines.slice(1).map((l) => l.split(",")) };
}

async function analyze(file: string): Promise<AnalyzeResult> {
  return analyzeFile(join(REAL, file), { outDir: mkdtempSync(join(tmpdir(), "zbms-agree-")), printTable: null, progress: false });
}

function expectCap(ours: number, cycler: number, what: string): void {
  const rel = Math.abs(ours - cycler) / cycler;
  expect(rel, `${what}: ours ${ours}, cycler ${cycler}, off by ${(rel * 100).toFixed(4)} %`).toBeLessThanOrEqual(CAP_TOL_FRAC);
}

function expectCe(oursFrac: number, cyclerPct: number, what: string): void {
  const d = Math.abs(oursFrac * 100 - cyclerPct);
  expect(d, `${what}: ours ${(oursFrac * 100).toFixed(4)} %, cycler ${cyclerPct} %`).toBeLessThanOrEqual(CE_TOL_PP);
}

describe("Landt Si half-cell (Record Tab vs the cycler's Cycle Tab)", () => {
  it("all 14 cycles: CapC, CapD within 0.1 %, Efficiency (= CapC/CapD) within 0.05 pp", async () => {
    const r = await analyze("landt_Si_halfcell_14cyc__RecordTab.csv");
    const tab = csv("landt_Si_halfcell_14cyc__CycleTab.csv");
    const col = (n: string): number => tab.header.indexOf(n);
    expect(r.replay.cycles.length).toBe(tab.rows.length);
    for (const row of tab.rows) {
      const k = Number(row[col("Cycle")]);
      const c = r.replay.cycles[k - 1];
      expect(c.index).toBe(k);
      expect(c.flags, `cycle ${k} flags`).toBe(0);
      expectCap(c.chargeAh, Number(row[col("CapC/mAh")]) * MILLI, `cycle ${k} charge`);
      expectCap(c.dischargeAh, Number(row[col("CapD/mAh")]) * MILLI, `cycle ${k} discharge`);
      expectCe(c.ce, Number(row[col("Efficiency/%")]), `cycle ${k} CE`);
    }
  });
});

describe("Neware anode half-cell (record-level export, cycler's per-step counters)", () => {
  it("cycles 1–3 agree; cycler cycle 3 = our cycles 3 + 4", async () => {
    const r = await analyze("neware_uio_anode_halfcell_records.csv");
    const t = csv("neware_uio_anode_halfcell_records.csv");
    const ci = t.header.indexOf("Cycle Index");
    const si = t.header.indexOf("Step Index");
    const qc = t.header.indexOf("Chg. Cap.(Ah)");
    const qd = t.header.indexOf("DChg. Cap.(Ah)");
    // The cycler's numbers: each step's final counter, summed per cycle index.
    const stepEnd = new Map<string, { cycle: number; chg: number; dchg: number }>();
    for (const row of t.rows) {
      stepEnd.set(row[ci] + "/" + row[si], { cycle: Number(row[ci]), chg: Number(row[qc]), dchg: Number(row[qd]) });
    }
    const cycler = new Map<number, { chg: number; dchg: number }>();
    for (const s of stepEnd.values()) {
      const c = cycler.get(s.cycle) ?? { chg: 0, dchg: 0 };
      c.chg += s.chg;
      c.dchg += s.dchg;
      cycler.set(s.cycle, c);
    }
    const ours = r.replay.cycles;
    const sum = (cs: CycleRecord[]): { chg: number; dchg: number } => ({
      chg: cs.reduce((a, c) => a + c.chargeAh, 0),
      dchg: cs.reduce((a, c) => a + c.dischargeAh, 0),
    });
    const pairs: [number, CycleRecord[]][] = [
      [1, [ours[0]]],
      [2, [ours[1]]],
      // Cycler cycle 3 holds steps 2–9 (three discharges at falling rate, one charge) and then
      // steps 11–14 (a discharge and a charge at ~4× the current): two cycles to the model,
      // one to the cycler's cycle counter. Compared as the sum of our cycles 3 and 4.
      [3, [ours[2], ours[3]]],
    ];
    for (const [k, cs] of pairs) {
      const cy = cycler.get(k)!;
      const o = sum(cs);
      expectCap(o.chg, cy.chg, `cycler cycle ${k} charge`);
      expectCap(o.dchg, cy.dchg, `cycler cycle ${k} discharge`);
      expectCe(o.chg / o.dchg, (cy.chg / cy.dchg) * 100, `cycler cycle ${k} CE`);
    }
    // Skipped: cycler cycle 4 — the file ends during its charge (README: "a partial 4th");
    // the analysis reports it as our cycle 5, truncated.
    expect(ours.length).toBe(5);
    expect(r.replay.truncatedCycle).toBe(5);
    expect(ours[4].flags & CYCLE_FLAG_TRUNCATED).toBe(CYCLE_FLAG_TRUNCATED);
    // The summary's cumulative CE covers the complete cycles only.
    expect(r.summary.cumulativeCePct).toBeCloseTo(ours[3].cumulativeCe * 100, 9);
  });
});

describe("NMC532/graphite pouch (BatteryData raw vs the data portal's summary)", () => {
  it("capacity-check cycle 2 and aging cycle 9 agree", async () => {
    const r = await analyze("xcel_p492-13_NMC532-Gr_raw.csv");
    const t = csv("xcel_p492-13_NMC532-Gr_summary.csv");
    const col = (n: string): number => t.header.indexOf(n);
    const summ = (k: number): string[] => t.rows.find((row) => Number(row[col("Cycle_Index")]) === k)!;
    const ours = r.replay.cycles;
    const byStart = (tS: number): CycleRecord => ours.find((c) => Math.abs(c.startTMs / 1000 - tS) < 1)!;
    // Summary cycle 2 ("Capacity check", C/20): charge step 10 at t = 6359.94 s → our first cycle.
    const c2 = byStart(6359.94);
    const s2 = summ(2);
    expectCap(c2.chargeAh, Number(s2[col("Q_chg")]), "summary cycle 2 charge");
    expectCap(c2.dischargeAh, Number(s2[col("Q_dis")]), "summary cycle 2 discharge");
    expectCe(c2.ce, Number(s2[col("CE")]) * 100, "summary cycle 2 CE");
    expect(c2.flags).toBe(0);
    // Summary cycle 9 (aging, C/2): charge step 211 from t = 293108.466 s → our last cycle.
    // (Its first record holds a 0.15 mA set-up current; the importer applies the step's
    // current from the step start — see host/import/batteryDataRaw.ts.)
    const c9 = byStart(293108.466);
    const s9 = summ(9);
    expectCap(c9.chargeAh, Number(s9[col("Q_chg")]), "summary cycle 9 charge");
    expectCap(c9.dischargeAh, Number(s9[col("Q_dis")]), "summary cycle 9 discharge");
    expectCe(c9.ce, Number(s9[col("CE")]) * 100, "summary cycle 9 CE");
    expect(c9.flags).toBe(0);
    // Skipped, with reasons:
    //  1: discharge only (no charge before it in the raw file).
    //  3, 4: cycle 3 is a charge only and cycle 4 holds two charges; the summary counts only
    //     cycle 4's second charge (Q_chg = the max of the counter), the model merges both.
    //  5, 6: HPPC pulses; the summary's Q is the max of per-pulse counters.
    //  7: impedance (EIS) — voltage column is junk; replayed with an invalid voltage.
    //  8: discharge only.
    expect(r.replay.impedanceRows).toBeGreaterThan(0);
  });
});

describe("PyBaMM DFN synthetic (PyBOP)", () => {
  it("reproduces the known 1.6667 Ah out and 0.8333 Ah in within 0.1 %", async () => {
    const r = await analyze("pybamm_dfn_chen2020_charge_discharge_75.csv");
    expect(r.replay.cycles.length).toBe(1);
    const c = r.replay.cycles[0];
    // 40 min discharge at 2.5 A, 20 min charge at 2.5 A (README).
    expectCap(c.dischargeAh, 2.5 * (40 / 60), "discharge");
    expectCap(c.chargeAh, 2.5 * (20 / 60), "charge");
  });
});
