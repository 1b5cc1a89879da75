/**
 * fastForward against PackModel.step: stepping a run of rows with fastForward (and `step` for
 * every row it refuses) leaves the same state, bit for bit, and emits the same events as `step`
 * on every row. The inputs are built to visit every refusal reason: rests and open circuit,
 * the hysteresis band, a current changing sign, invalid channels, time gaps and a clock going
 * back, cut-off voltages, quiet-band currents, alarm limits, and a restored model mid-run.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { defaultPackConfig } from "../../../shared/config/defaults";
import { validateConfig } from "../../../shared/config/validateConfig";
import type { PackConfig } from "../../../shared/config/packConfig";
import type { ModelEvent } from "../../../shared/model/events";
import { PackModel } from "../../../shared/model/packModel";
import { fastForward, type SampleColumns } from "../../../shared/model/fastForward";
import { fastRest } from "../../../shared/model/fastRest";
import type { Sample } from "../../../shared/sample";
import { createRng, uniform } from "../../../host/sim/rng";

/** One stretch of the generated input: what the current does and for how many rows. */
interface Phase {
  kind: "charge" | "discharge" | "rest" | "hover" | "quiet" | "flip" | "overV" | "underV" | "highA" | "spread" | "hot";
  rows: number;
  /** Multiple of activeCurrentA for the active kinds. */
  rateOfActive: number;
  seed: number;
}

const phaseArb: fc.Arbitrary<Phase> = fc.record({
  kind: fc.constantFrom("charge", "charge", "discharge", "discharge", "rest", "hover", "quiet", "flip", "overV", "underV", "highA", "spread", "hot"),
  rows: fc.integer({ min: 1, max: 900 }),
  rateOfActive: fc.double({ min: 1.5, max: 40, noNaN: true }),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

/** Rare row faults, drawn per row from the phase's seed. */
interface Faults {
  nanCurrent: number;
  nanVoltage: number;
  nanTemp: number;
  gap: number;
  back: number;
  openCircuit: number;
}

const faultsArb: fc.Arbitrary<Faults> = fc.record({
  nanCurrent: fc.constantFrom(0, 0.002, 0.02),
  nanVoltage: fc.constantFrom(0, 0.002, 0.02),
  nanTemp: fc.constantFrom(0, 0.01, 0.2),
  gap: fc.constantFrom(0, 0.002, 0.01),
  back: fc.constantFrom(0, 0.002),
  openCircuit: fc.constantFrom(0, 0.005),
});

interface Rows {
  tMs: number[];
  currentA: number[];
  cellV: number[][];
  tempC: number[][];
  openCircuit: number[];
}

/** Largest cell-to-cell spread of a "spread" phase (V): beyond the default cellImbalance rows' limits (shared/config/defaults.ts). */
const SPREAD_MAX_V = 0.2;

/** Largest warming of a "hot" phase (°C above 25 °C): beyond the default temperature alarms' limits. */
const WARM_MAX_C = 50;

/** Rows of a pack from phases (1 s samples with jitter, a sloping voltage, noise and faults). */
function buildRows(cfg: PackConfig, phases: Phase[], faults: Faults): Rows {
  const out: Rows = { tMs: [], currentA: [], cellV: [], tempC: [], openCircuit: [] };
  const act = cfg.segmentation.activeCurrentA;
  const rest = cfg.segmentation.restCurrentA;
  const full = cfg.soc.fullCellV;
  const empty = cfg.soc.emptyCellV;
  let t = 1000;
  for (const p of phases) {
    const stream = createRng(p.seed);
    const r = (): number => uniform(stream);
    for (let k = 0; k < p.rows; k++) {
      t += r() < faults.gap ? cfg.counting.maxGapMs + 1000 + r() * 60000 : r() < faults.back ? -3000 : 800 + r() * 400;
      let a = 0;
      let v = empty + (full - empty) * (0.3 + 0.4 * (k / p.rows));
      const noise = (r() - 0.5) * 0.02 * act;
      if (p.kind === "charge") a = p.rateOfActive * act + noise;
      else if (p.kind === "discharge") a = -p.rateOfActive * act + noise;
      else if (p.kind === "rest") a = (r() - 0.5) * 0.5 * cfg.counting.offsetRestMaxA;
      else if (p.kind === "hover") a = (r() < 0.5 ? 1 : -1) * (rest + (act - rest) * r());
      else if (p.kind === "quiet") {
        // Inside the offset estimator's quiet band; above the rest threshold when the band is (a
        // half goes on while the estimator may open an open-circuit window).
        const q = 0.9 * cfg.counting.offsetRestMaxA;
        a = q > rest ? rest * 1.05 + (q - rest * 1.05) * r() : q * r();
      }
      else if (p.kind === "flip") a = (k % 2 === 0 ? 1 : -1) * p.rateOfActive * act;
      else if (p.kind === "overV") {
        a = p.rateOfActive * act;
        v = full - 0.002 + 0.004 * r();
      } else if (p.kind === "underV") {
        a = -p.rateOfActive * act;
        v = empty + 0.002 - 0.004 * r();
      } else if (p.kind === "spread" || p.kind === "hot") a = p.rateOfActive * act + noise;
      else a = (r() < 0.5 ? 1 : -1) * 50 * p.rateOfActive * act; // past the current alarms
      // "spread": the cells drift apart during a charge, across the imbalance alarm's limits.
      const spreadV = p.kind === "spread" ? (SPREAD_MAX_V * k) / p.rows : 0;
      if (r() < faults.nanCurrent) a = NaN;
      const cells: number[] = [];
      for (let c = 0; c < cfg.cellCount; c++) cells.push(r() < faults.nanVoltage ? NaN : v + 0.001 * c + spreadV * c + (r() - 0.5) * 0.001);
      const temps: number[] = [];
      // "hot": the sensors warm up during a charge, across the temperature alarms' limits.
      const warmC = p.kind === "hot" ? (WARM_MAX_C * k) / p.rows : 0;
      for (let c = 0; c < cfg.tempCount; c++) temps.push(r() < faults.nanTemp ? NaN : 25 + c + warmC + r());
      out.tMs.push(t);
      out.currentA.push(a);
      out.cellV.push(cells);
      out.tempC.push(temps);
      out.openCircuit.push(p.kind === "rest" && r() < 0.5 ? 1 : r() < faults.openCircuit ? 1 : 0);
    }
  }
  return out;
}

function sampleOf(rows: Rows, k: number): Sample {
  return { tMs: rows.tMs[k], currentA: rows.currentA[k], cellV: rows.cellV[k], tempC: rows.tempC[k], openCircuit: rows.openCircuit[k] };
}

function columnsOf(cfg: PackConfig, rows: Rows, from: number, to: number): SampleColumns {
  const m = to - from;
  const cols: SampleColumns = {
    tMs: new Float64Array(m),
    currentA: new Float64Array(m),
    cellV: new Float64Array(m * cfg.cellCount),
    tempC: new Float64Array(m * cfg.tempCount),
    openCircuit: new Float64Array(m),
  };
  for (let j = 0; j < m; j++) {
    cols.tMs[j] = rows.tMs[from + j];
    cols.currentA[j] = rows.currentA[from + j];
    for (let c = 0; c < cfg.cellCount; c++) cols.cellV[j * cfg.cellCount + c] = rows.cellV[from + j][c];
    for (let c = 0; c < cfg.tempCount; c++) cols.tempC[j * cfg.tempCount + c] = rows.tempC[from + j][c];
    cols.openCircuit[j] = rows.openCircuit[from + j];
  }
  return cols;
}

function bits(model: PackModel): string {
  return Buffer.from(model.snapshot().buffer).toString("hex");
}

function eventLog(): { events: string[]; sink: (e: ModelEvent) => void } {
  const events: string[] = [];
  return { events, sink: (e) => events.push(JSON.stringify(e, (_k, v) => (typeof v === "number" && !isFinite(v) ? String(v) : v))) };
}

/** Rows fastRest took, over every compare() of a test (reset by the test that reads it). */
let restTaken = 0;

/**
 * Both ways over `rows`, in batches of `batch` rows: `step` on every row, and fastForward then
 * fastRest, with `step` for what both refuse; returns the rows fastForward took.
 */
function compare(cfg: PackConfig, rows: Rows, batch: number, restoreAt: number): number {
  const a = eventLog();
  const b = eventLog();
  const ref = new PackModel(cfg, a.sink);
  const fast = new PackModel(cfg, b.sink);
  const n = rows.tMs.length;
  let taken = 0;
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    for (let k = from; k < to; k++) ref.step(sampleOf(rows, k));
    const cols = columnsOf(cfg, rows, from, to);
    let j = 0;
    while (j < to - from) {
      const e = fastForward(fast, cols, j, to - from);
      taken += e - j;
      j = e;
      if (j < to - from) {
        const rest = fastRest(fast, cols, j, to - from, b.sink);
        restTaken += rest - j;
        j = rest;
      }
      if (j < to - from) {
        fast.step(sampleOf(rows, from + j));
        j++;
      }
    }
    expect(bits(fast)).toBe(bits(ref));
    if (from <= restoreAt && restoreAt < to) {
      // A restore in the middle (as after a reboot): the next runs start from restored state.
      const snap = fast.snapshot();
      fast.restore(snap);
      ref.restore(ref.snapshot());
    }
  }
  expect(b.events).toEqual(a.events);
  return taken;
}

/**
 * The default pack, with `temps` sensors. Thresholds: "wideQuiet" puts the offset estimator's
 * quiet band above the rest threshold (a noisy sensor: a current can be quiet and still in a
 * half); "noRest" sets restCurrentA = 0 (rests only from open circuit: an open-circuit window
 * can then open inside a half).
 */
function config(cells: number, temps: number, capacityAh: number, thresholds: "default" | "wideQuiet" | "noRest" = "default"): PackConfig {
  const c = defaultPackConfig("ZnMnO2", cells, capacityAh);
  c.tempCount = temps;
  if (thresholds === "wideQuiet") c.counting.offsetRestMaxA = 3 * c.segmentation.restCurrentA;
  if (thresholds === "noRest") c.segmentation.restCurrentA = 0;
  return validateConfig(c);
}

describe("fastForward", () => {
  it("leaves the state and the events of step on every row, bit for bit (property)", () => {
    restTaken = 0;
    let taken = 0;
    let total = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom(0.5, 1, 3),
        fc.array(phaseArb, { minLength: 1, maxLength: 14 }),
        faultsArb,
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.constantFrom("default", "wideQuiet", "noRest") as fc.Arbitrary<"default" | "wideQuiet" | "noRest">,
        (cells, temps, capAh, phases, faults, batch, restoreAt, thresholds) => {
          const cfg = config(cells, temps, capAh, thresholds);
          const rows = buildRows(cfg, phases, faults);
          taken += compare(cfg, rows, batch, restoreAt);
          total += rows.tMs.length;
        },
      ),
      { numRuns: 150 },
    );
    // The property is only worth something if the fast paths ran: most rows are in a half, and
    // some in open-circuit rests.
    expect(taken / total).toBeGreaterThan(0.3);
    expect(restTaken / total).toBeGreaterThan(0.01);
  });

  it("takes the body of a clean charge and discharge and refuses rests, switches and cut-offs", () => {
    const cfg = config(1, 0, 1);
    const phases: Phase[] = [
      { kind: "charge", rows: 2000, rateOfActive: 10, seed: 7 },
      { kind: "rest", rows: 600, rateOfActive: 1, seed: 8 },
      { kind: "discharge", rows: 2000, rateOfActive: 10, seed: 9 },
    ];
    const rows = buildRows(cfg, phases, { nanCurrent: 0, nanVoltage: 0, nanTemp: 0, gap: 0, back: 0, openCircuit: 0 });
    const taken = compare(cfg, rows, 4096, -1);
    // Every half row but the first ones (start, the segment dwell) is taken; no rest row is.
    expect(taken).toBeGreaterThan(0.9 * 4000);
    expect(taken).toBeLessThanOrEqual(4000);
  });

  it("closes an open-circuit window opened inside a half (restCurrentA = 0) as step does", () => {
    const cfg = config(1, 0, 1, "noRest");
    const none = { nanCurrent: 0, nanVoltage: 0, nanTemp: 0, gap: 0, back: 0, openCircuit: 0 };
    const phases: Phase[] = [
      { kind: "charge", rows: 100, rateOfActive: 10, seed: 11 },
      { kind: "quiet", rows: 900, rateOfActive: 1, seed: 12 }, // 15 min quiet: the estimator's window opens
      { kind: "charge", rows: 100, rateOfActive: 10, seed: 13 },
    ];
    const rows = buildRows(cfg, phases, none);
    // The last quiet row above the window's mean (the offset): the charge's first interval then
    // keeps one current sign and can be fast-forwarded.
    rows.currentA[999] = 0.85 * cfg.counting.offsetRestMaxA;
    const probe = new PackModel(cfg);
    for (let k = 0; k < 1000; k++) probe.step(sampleOf(rows, k));
    expect(probe.state().count.offset.inWindow).toBe(1); // the case this test is about
    expect(probe.state().count.currentA).toBeGreaterThan(0);
    expect(compare(cfg, rows, 1000, -1)).toBeGreaterThan(100 + 60); // all of the second charge, most of the first
  });

  it("returns `from` and writes nothing when the first row is refused", () => {
    const cfg = config(2, 1, 1);
    const model = new PackModel(cfg);
    const rows = buildRows(cfg, [{ kind: "charge", rows: 200, rateOfActive: 10, seed: 3 }], { nanCurrent: 0, nanVoltage: 0, nanTemp: 0, gap: 0, back: 0, openCircuit: 0 });
    for (let k = 0; k < 100; k++) model.step(sampleOf(rows, k));
    const before = bits(model);
    const cols = columnsOf(cfg, rows, 100, 200);
    cols.currentA[0] = NaN; // an invalid current is never fast-forwarded
    expect(fastForward(model, cols, 0, 100)).toBe(0);
    expect(bits(model)).toBe(before);
    cols.currentA[0] = rows.currentA[100];
    expect(fastForward(model, cols, 0, 100)).toBe(100);
    expect(fastForward(model, cols, 100, 100)).toBe(100);
  });
});
