import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { analyzeFile } from "../../../host/analyze/analyzeApi";
import { adamsOfHalves, HalfCollector, parseAdamsSpan, parsePlating, type HalfRecord } from "../../../host/analyze/adams";
import { fitValidConfig } from "../../../host/analyze/fitConfig";
import { profileInput } from "../../../host/analyze/profile";
import { replay } from "../../../host/analyze/replay";
import { bdfImporter } from "../../../host/import/bdfCsv";
import type { SensorChainConfig } from "../../../shared/config/packConfig";
import { ceBoundFrac } from "../../../shared/cycles/ceBound";
import { SEG_CHARGE, SEG_DISCHARGE, SEG_REST, type ModelEvent } from "../../../shared/model/events";
import { PackModel } from "../../../shared/model/packModel";
import type { PackConfig } from "../../../shared/config/packConfig";
import type { Sample } from "../../../shared/sample";
import { NO_ERRORS, sampleProfile, testCell, testPackConfig, TEST_PERIOD_MS, type AppliedErrors, type ProfileStep } from "../../shared/synthetic";
import { main as zbmsMain } from "../../../host/cli/main";
import { EXIT_USAGE } from "../../../host/cli/cliErrors";
import { S_PER_H } from "../../../shared/units";

// Whole-pipeline runs: allow for a loaded CI machine.
vi.setConfig({ testTimeout: 60000 });

const dir = mkdtempSync(join(tmpdir(), "zbms-adams-"));

/** Synthetic protocol numbers (a 1 cm² Zn||Cu-like cell at 1 mA): Ah, A, s. */
const CURRENT_A = 1e-3;
const RESERVOIR_AH = 1e-3; // Q_T = 1 mAh (1 mAh cm⁻²)
const CYCLE_AH = RESERVOIR_AH / 5; // Q_C = Q_T / 5
const N_CYCLES = 10;
const LOSS_PER_CYCLE_AH = 5e-6; // Zn lost (dead / corroded) per cycle: shows in the final strip
const FINAL_STRIP_AH = RESERVOIR_AH - N_CYCLES * LOSS_PER_CYCLE_AH;
/** True CE: (n·Q_C + Q_S)/(n·Q_C + Q_T) = 2.95/3 (the file's currents and times give exactly these). */
const TRUE_CE = (N_CYCLES * CYCLE_AH + FINAL_STRIP_AH) / (N_CYCLES * CYCLE_AH + RESERVOIR_AH);
const SAMPLE_S = 10;
const REST_S = 60;
/** Voltages written (V): only for the V/I plots; the Adams figures use the current. */
const PLATE_V = 0.03;
const STRIP_V = 0.08;
const REST_V = 0.05;

interface Step {
  currentA: number;
  durationS: number;
}

function capacityStep(sign: number, ah: number): Step {
  return { currentA: sign * CURRENT_A, durationS: (ah / CURRENT_A) * S_PER_H };
}

/**
 * Steps of the protocol; `plateSign` = +1: plating is the cycler's charge (+ current), −1: its
 * discharge. With `formation`, a formation cycle (plate 0.5 mAh, strip 0.49 mAh) comes first.
 */
function protocolSteps(plateSign: number, formation: boolean): Step[] {
  const rest: Step = { currentA: 0, durationS: REST_S };
  const steps: Step[] = [rest];
  if (formation) steps.push(capacityStep(plateSign, RESERVOIR_AH / 2), rest, capacityStep(-plateSign, 0.49e-3), rest);
  steps.push(capacityStep(plateSign, RESERVOIR_AH), rest);
  for (let k = 0; k < N_CYCLES; k++) steps.push(capacityStep(-plateSign, CYCLE_AH), rest, capacityStep(plateSign, CYCLE_AH), rest);
  steps.push(capacityStep(-plateSign, FINAL_STRIP_AH), rest);
  return steps;
}

/** Writes the steps as a BDF CSV (a step's last and the next step's first row share a time). */
function writeBdf(name: string, steps: Step[], plateSign: number): { path: string; starts: number[] } {
  const rows = ["Test Time / s,Voltage / V,Current / A"];
  const starts: number[] = [];
  let t0 = 0;
  for (const s of steps) {
    starts.push(t0);
    const v = s.currentA === 0 ? REST_V : Math.sign(s.currentA) === plateSign ? PLATE_V : STRIP_V;
    const n = Math.round(s.durationS / SAMPLE_S);
    for (let k = 0; k <= n; k++) rows.push(`${t0 + (k * s.durationS) / n},${v},${s.currentA}`);
    t0 += s.durationS;
  }
  const path = join(dir, name);
  writeFileSync(path, rows.join("\n") + "\n");
  return { path, starts };
}

const quiet = { printTable: null, progress: false } as const;

describe("Adams reservoir CE of a labelled synthetic protocol", () => {
  const pure = writeBdf("adams-charge.bdf.csv", protocolSteps(1, false), 1);
  const mirrored = writeBdf("adams-discharge.bdf.csv", protocolSteps(-1, false), -1);

  it("--adams all: CE matches the truth within its bound, the bound is tight, n/Q_T/Q_C/Q_S as written", async () => {
    const r = await analyzeFile(pure.path, { ...quiet, outDir: join(dir, "pure"), adams: parseAdamsSpan("all") });
    const a = r.summary.adams!;
    expect(a).not.toBeNull();
    expect(a.n).toBe(N_CYCLES);
    expect(a.plating).toBe("charge");
    expect(a.reservoirAh).toBeCloseTo(RESERVOIR_AH, 8);
    expect(a.cycleAhMean).toBeCloseTo(CYCLE_AH, 8);
    expect(a.finalStripAh).toBeCloseTo(FINAL_STRIP_AH, 8);
    expect(Math.abs(a.ce - TRUE_CE)).toBeLessThanOrEqual(a.ceBound);
    expect(a.ceBound).toBeGreaterThan(0);
    // Not absurdly wide: well below the 1.7 % this cell loses (1 − CE), so the figure means something.
    expect(a.ceBound).toBeLessThan((1 - TRUE_CE) / 10);
    // Exact to the counting: the step currents and times give Q_T, Q_C, Q_S to ~1e-9 Ah.
    expect(Math.abs(a.ce - TRUE_CE)).toBeLessThan(1e-6);
    // Summary JSON and HTML report carry it.
    const js = JSON.parse(readFileSync(r.files.summaryJson, "utf8"));
    expect(js.adams.n).toBe(N_CYCLES);
    expect(js.adams.ce).toBeCloseTo(a.ce, 12);
    expect(readFileSync(r.files.html, "utf8")).toContain(`Adams reservoir CE ${(a.ce * 100).toFixed(3)} ± ${(a.ceBound * 100).toFixed(3)} %`);
  });

  it("the same protocol with plating = discharge (mirrored signs) gives the same figures", async () => {
    const c = await analyzeFile(pure.path, { ...quiet, outDir: join(dir, "c"), adams: parseAdamsSpan("all") });
    const d = await analyzeFile(mirrored.path, { ...quiet, outDir: join(dir, "d"), adams: parseAdamsSpan("all"), plating: "discharge" });
    const a = d.summary.adams!;
    expect(a).not.toBeNull();
    expect(a.plating).toBe("discharge");
    expect(a.n).toBe(N_CYCLES);
    expect(a.ce).toBeCloseTo(c.summary.adams!.ce, 10);
    expect(a.reservoirAh).toBeCloseTo(RESERVOIR_AH, 8);
    expect(a.finalStripAh).toBeCloseTo(FINAL_STRIP_AH, 8);
    expect(Math.abs(a.ce - TRUE_CE)).toBeLessThanOrEqual(a.ceBound);
    // Default plating is the fitted first half, here the discharge.
    const dflt = await analyzeFile(mirrored.path, { ...quiet, outDir: join(dir, "d2"), adams: parseAdamsSpan("all") });
    expect(dflt.summary.adams!.plating).toBe("discharge");
    expect(dflt.summary.adams!.ce).toBeCloseTo(a.ce, 12);
  });

  it("the final strip that the input ends in is closed at the end (cycles opening with the strip direction)", async () => {
    // --first-half charge: the replay's closing sample is a charge (= strip) current, so only the
    // end-of-input close of the open half ends the final strip.
    const steps = protocolSteps(-1, false);
    steps.pop(); // no rest after the final strip: the input ends in it
    const f = writeBdf("adams-ends-in-strip.bdf.csv", steps, -1);
    const r = await analyzeFile(f.path, { ...quiet, outDir: join(dir, "end"), firstHalf: "charge", adams: parseAdamsSpan("all"), plating: "discharge" });
    const a = r.summary.adams!;
    expect(a, r.summary.notes.join("\n")).not.toBeNull();
    expect(a.n).toBe(N_CYCLES);
    expect(a.finalStripAh).toBeCloseTo(FINAL_STRIP_AH, 8);
    expect(a.endS).toBeCloseTo(f.starts[f.starts.length - 1] + steps[steps.length - 1].durationS, 6);
    expect(Math.abs(a.ce - TRUE_CE)).toBeLessThanOrEqual(a.ceBound);
  });

  it("the wrong plating direction gives a note and no CE", async () => {
    const r = await analyzeFile(mirrored.path, { ...quiet, outDir: join(dir, "wrong"), adams: parseAdamsSpan("all"), plating: "charge" });
    expect(r.summary.adams).toBeNull();
    expect(r.summary.notes.join("\n")).toMatch(/Adams.*not computed.*begins with a stripping half/);
  });

  it("no --adams: no Adams figures and no Adams note", async () => {
    const r = await analyzeFile(pure.path, { ...quiet, outDir: join(dir, "none") });
    expect(r.summary.adams).toBeNull();
    expect(r.summary.notes.join("\n")).not.toMatch(/Adams/);
    expect(r.replay.halves.length).toBe(2 * N_CYCLES + 2);
  });
});

describe("Adams span after a formation cycle: cycle and time labels", () => {
  const f = writeBdf("adams-formation.bdf.csv", protocolSteps(1, true), 1);
  // Steps: rest, plate, rest, strip, rest, reservoir (index 5) … final strip, rest.
  const reservoirStartS = f.starts[5];
  const endS = f.starts[f.starts.length - 1];

  it("cycles 2-12 (cycle 1 is the formation cycle) and the matching time window give the truth", async () => {
    const r = await analyzeFile(f.path, { ...quiet, outDir: join(dir, "f1"), adams: parseAdamsSpan("2-12") });
    expect(r.replay.cycles.length).toBe(12);
    const a = r.summary.adams!;
    expect(a).not.toBeNull();
    expect(a.n).toBe(N_CYCLES);
    expect(a.reservoirAh).toBeCloseTo(RESERVOIR_AH, 8);
    expect(Math.abs(a.ce - TRUE_CE)).toBeLessThanOrEqual(a.ceBound);
    expect(a.startS).toBeCloseTo(reservoirStartS, 0);
    const t = await analyzeFile(f.path, { ...quiet, outDir: join(dir, "f2"), adams: parseAdamsSpan(`${reservoirStartS - REST_S / 2}s-${(endS / S_PER_H).toFixed(3)}h`) });
    expect(t.summary.adams!.ce).toBeCloseTo(a.ce, 12);
    expect(t.summary.adams!.n).toBe(N_CYCLES);
  });

  it("mislabelled spans give a note that says why, and no CE", async () => {
    const cases: [string, RegExp][] = [
      ["all", /not clearly less than the reservoir/], // the formation cycle's plating taken as reservoir
      ["2-11", /last strip .* not larger than the cycled capacity/], // final strip cut off
      ["3-12", /not clearly less than the reservoir|strips more than it plates/], // reservoir cut off
      ["2-2", /n = 0/], // reservoir and one strip only
      ["1-13", /has 12 cycles/],
      [`${reservoirStartS - REST_S / 2}s-${reservoirStartS + 1}s`, /final strip is missing/],
    ];
    for (const [span, why] of cases) {
      const r = await analyzeFile(f.path, { ...quiet, outDir: join(dir, "bad"), adams: parseAdamsSpan(span) });
      expect(r.summary.adams, span).toBeNull();
      expect(r.summary.notes.join("\n"), span).toMatch(why);
    }
  });
});

describe("Adams option parsing", () => {
  it("accepts all, cycle ranges and time ranges", () => {
    expect(parseAdamsSpan("all")).toEqual({ kind: "all", text: "all" });
    expect(parseAdamsSpan("3-14")).toEqual({ kind: "cycles", fromCycle: 3, toCycle: 14, text: "3-14" });
    expect(parseAdamsSpan("2.5h-80h")).toMatchObject({ kind: "time", fromS: 9000, toS: 288000 });
    expect(parseAdamsSpan("90min-7200s")).toMatchObject({ kind: "time", fromS: 5400, toS: 7200 });
    expect(parsePlating("discharge")).toBe("discharge");
  });
  it("quotes a bad value and lists the accepted forms", () => {
    for (const bad of ["", "3", "a-b", "0-4", "5-3", "2h-1h", "2h-5", "1.5-3", "3-14-20", "-3"]) {
      expect(() => parseAdamsSpan(bad), bad).toThrow(new RegExp(`--adams "${bad}".*accepted: "all"`));
    }
    expect(() => parsePlating("up")).toThrow(/--plating "up": accepted values are "charge".*"discharge"/);
  });
});

describe("Adams through the command lines", () => {
  const pure = writeBdf("adams-cli.bdf.csv", protocolSteps(1, false), 1);

  it("zbms analyze prints the Adams line; bad values and --plating alone exit 1 (usage) with the reason", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const so = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
    const se = vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
    try {
      expect(await zbmsMain(["node", "zbms", "analyze", pure.path, "--out", join(dir, "cli"), "--no-progress", "--adams", "all", "--plating", "charge"])).toBe(0);
      expect(out.join("")).toMatch(/Adams reservoir CE 98\.33\d ± \d\.\d{3} % \(span all, plating = charge.*n = 10, Q_T = 0\.0010000 Ah/);
      expect(await zbmsMain(["node", "zbms", "analyze", pure.path, "--out", join(dir, "cli"), "--adams", "x-y"])).toBe(EXIT_USAGE);
      expect(err.join("")).toMatch(/--adams "x-y".*accepted/);
      expect(await zbmsMain(["node", "zbms", "analyze", pure.path, "--out", join(dir, "cli"), "--plating", "charge"])).toBe(EXIT_USAGE);
      expect(err.join("")).toMatch(/--plating charge labels the plating direction of an Adams span: give the span too/);
      expect(await zbmsMain(["node", "zbms", "analyze", pure.path, "--out", join(dir, "cli"), "--adams", "all", "--plating", "sideways"])).toBe(EXIT_USAGE);
      expect(err.join("")).toMatch(/--plating "sideways"/);
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
  });

  it("zbms analyze (commander front end) takes --adams and --plating", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const so = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
    const o = { writeOut: (t: string) => void out.push(t), writeErr: (t: string) => void err.push(t) };
    try {
      const outDir = join(dir, "zbms");
      expect(await zbmsMain(["node", "zbms", "analyze", pure.path, "--out", outDir, "--no-progress", "--print", "none", "--adams", "all"], o)).toBe(0);
      const js = JSON.parse(readFileSync(join(outDir, "adams-cli.bdf.summary.json"), "utf8"));
      expect(js.adams.n).toBe(N_CYCLES);
      expect(Math.abs(js.adams.ce - TRUE_CE)).toBeLessThanOrEqual(js.adams.ceBound);
      expect(await zbmsMain(["node", "zbms", "analyze", pure.path, "--out", outDir, "--adams", "5"], o)).not.toBe(0);
      expect(err.join("")).toMatch(/--adams "5".*accepted/);
    } finally {
      so.mockRestore();
    }
  });
});

/** A sensor chain with only a gain mismatch and time-base error (the counter's errors come with the halves). */
const CHAIN: SensorChainConfig = {
  currentOffsetA: 0,
  currentGainErrFrac: 1e-3,
  currentGainMismatchFrac: 2e-4,
  currentLsbA: 0,
  voltageOffsetV: 0,
  voltageGainErrFrac: 0,
  voltageLsbV: 0,
  timeBaseErrFrac: 1e-5,
};

function half(dir: number, startS: number, mainAh: number, otherAh: number, errAh: number): HalfRecord {
  const c = dir === SEG_CHARGE;
  return { dir, startTMs: startS * 1000, endTMs: (startS + 1) * 1000, chargeAh: c ? mainAh : otherAh, dischargeAh: c ? otherAh : mainAh, errAh, restAh: 0, lostTimeCount: 0 };
}

describe("adamsOfHalves: the halves' charge and bounds fed to the shared API", () => {
  // Plating = discharge. Reservoir 5 Ah (with 0.01 Ah of stray charge-direction throughput),
  // 2 cycles (strip, plate) of ~1 Ah, final strip 4.6 Ah (with 0.02 Ah stray plating).
  const H = [
    half(SEG_DISCHARGE, 0, 5, 0.01, 0.05),
    half(SEG_CHARGE, 1, 1, 0, 0.01),
    half(SEG_DISCHARGE, 2, 1.02, 0, 0.011),
    half(SEG_CHARGE, 3, 0.98, 0, 0.012),
    half(SEG_DISCHARGE, 4, 1, 0, 0.013),
    half(SEG_CHARGE, 5, 4.6, 0.02, 0.04),
  ];
  it("every Ah of the span counts once; each half's bound goes to its own direction", () => {
    const o = adamsOfHalves(H, parseAdamsSpan("all"), "discharge", [], CHAIN);
    const r = o.report!;
    expect(r).not.toBeNull();
    expect(r.n).toBe(2);
    const inAh = 5 + 1.02 + 1 + 0.02;
    const outAh = 0.01 + 1 + 0.98 + 4.6;
    expect(r.totalPlatedAh).toBeCloseTo(inAh, 12);
    expect(r.totalStrippedAh).toBeCloseTo(outAh, 12);
    expect(r.ce).toBeCloseTo(outAh / inAh, 12);
    expect(r.reservoirAh).toBe(5);
    expect(r.finalStripAh).toBe(4.6);
    expect(r.cycleAhMean).toBeCloseTo((inAh - 5 + outAh - 4.6) / 2 / 2, 12);
    const bound = ceBoundFrac(outAh, inAh, 0.01 + 0.012 + 0.04, 0.05 + 0.011 + 0.013, 1e-3, 2e-4, 1e-5);
    expect(r.ceBound).toBeCloseTo(bound, 12);
  });
  it("rests' net (the rest ledger, in neither capacity) widens both sides of the bound by Σ|net|, as a cycle's", () => {
    const withRest = H.map((h) => ({ ...h }));
    withRest[0]!.restAh = 0.004; // a charge-direction residual after the reservoir
    withRest[3]!.restAh = -0.003; // a discharge-direction one after a cycle's plating
    const o = adamsOfHalves(withRest, parseAdamsSpan("all"), "discharge", [], CHAIN);
    const r = o.report!;
    const inAh = 5 + 1.02 + 1 + 0.02;
    const outAh = 0.01 + 1 + 0.98 + 4.6;
    expect(r.ce).toBeCloseTo(outAh / inAh, 12);
    const rest = 0.004 + 0.003;
    expect(r.ceBound).toBeCloseTo(ceBoundFrac(outAh, inAh, 0.01 + 0.012 + 0.04 + rest, 0.05 + 0.011 + 0.013 + rest, 1e-3, 2e-4, 1e-5), 12);
  });
  it("a span that strips more than it plates gives a note, not a CE above 100 %", () => {
    const big = H.slice();
    big[5] = half(SEG_CHARGE, 5, 6, 0, 0.001);
    const o = adamsOfHalves(big, parseAdamsSpan("all"), "discharge", [], CHAIN);
    expect(o.report).toBeNull();
    expect(o.notes.join("\n")).toMatch(/strips more than it plates \(CE 11\d\.\d{3} ±/);
  });
  it("HalfCollector merges rests and repeated steps into one half and closes the last at finish", () => {
    const c = new HalfCollector();
    // r: the rest ledger (net counted at open circuit), moving during the rests only
    const m = (q: number, d: number, e: number, r: number) => ({ chargeAh: q, dischargeAh: d, errAh: e, gapErrAh: e / 10, lostTimeCount: 0, restNetAh: r });
    c.boundary(m(0, 0, 0, 0), 0, SEG_CHARGE);
    c.boundary(m(1, 0, 0.1, 0), 10, SEG_REST);
    c.boundary(m(1, 0, 0.1, 0.003), 20, SEG_CHARGE);
    c.boundary(m(2, 0, 0.2, 0.003), 30, SEG_DISCHARGE);
    c.boundary(m(2, 0.5, 0.3, 0.003), 40, SEG_REST);
    c.finish(m(2, 1.5, 0.4, 0.001), 50);
    c.boundary(m(2, 1.5, 0.4, 0.001), 60, SEG_CHARGE); // after finish: ignored
    expect(c.halves).toEqual([
      { dir: SEG_CHARGE, startTMs: 0, endTMs: 30, chargeAh: 2, dischargeAh: 0, errAh: 0.2 + 0.02, restAh: 0.003, lostTimeCount: 0 },
      { dir: SEG_DISCHARGE, startTMs: 30, endTMs: 50, chargeAh: 0, dischargeAh: 1.5, errAh: 0.2 + 0.02, restAh: 0.001 - 0.003, lostTimeCount: 0 },
    ]);
  });
});

describe("replay's halves", () => {
  it("are one per current direction of the protocol", async () => {
    const f = writeBdf("adams-halves.bdf.csv", protocolSteps(-1, true), -1);
    const profile = await profileInput(bdfImporter, f.path);
    const config = fitValidConfig(profile, {});
    const x = await replay(bdfImporter, f.path, { config, profile, zeroCurrentIsOpenCircuit: true });
    expect(x.halves.length).toBe(2 * N_CYCLES + 4);
  });
});

describe("Adams span times (read by host/util/duration.ts)", () => {
  it("take the protocol's duration units too", () => {
    expect(parseAdamsSpan("1d-2 days")).toMatchObject({ kind: "time", fromS: 86400, toS: 172800 });
    expect(parseAdamsSpan("0h-30 minutes")).toMatchObject({ kind: "time", fromS: 0, toS: 1800 });
  });
  it("quote the span for a time too large to be finite", () => {
    expect(() => parseAdamsSpan(`1h-${"9".repeat(400)}h`)).toThrow(/--adams "1h-9+h": the duration "9+h" is too large.*accepted: "all"/);
  });
  it("list the duration units among the accepted forms", () => {
    expect(() => parseAdamsSpan("2h-5")).toThrow(/give a unit on both ends.*s \(sec, second, seconds\), min \(minute, minutes\), h \(hr, hour, hours\) or d \(day, days\)/);
  });
});

/** Deterministic uniform noise in [−amp, amp] (zero mean). */
function noiseGen(seed: number, amp: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return amp * (2 * (x / 4294967296) - 1);
  };
}

/** The Adams report of samples run through the model, halves collected as the replay does. */
function adamsOfSamples(cfg: PackConfig, samples: Sample[]) {
  const c = new HalfCollector();
  const m: PackModel = new PackModel(cfg, (e: ModelEvent) => {
    if (e.kind === "segment") {
      const mark = m.state().count.mark;
      c.boundary(mark, mark.tMs, e.to);
    }
  });
  for (const x of samples) m.step(x);
  const counted = m.state().count;
  c.finish(counted, counted.lastTMs);
  return adamsOfHalves(c.halves, parseAdamsSpan("all"), "charge", [], cfg.sensorChain);
}

describe("Adams CE bound with long noisy rests (the rest ledger, issue 20)", () => {
  /** A fine chain (INA226-class offset, 10 µA LSB) whose quiet band is offset + 1 LSB (as test/shared/counting/restLedger). */
  const FINE: SensorChainConfig = { ...CHAIN, currentOffsetA: 5e-4, currentLsbA: 1e-5, timeBaseErrFrac: 5e-5 };
  const MIN = 60000;
  const HOUR = 60 * MIN;
  const A = 0.3;

  it("noise and an offset inside the declared band during unflagged rests of any length keep the true Adams CE inside its bound", () => {
    const cfg = testPackConfig(1, "charge", FINE);
    const band = cfg.counting.offsetRestMaxA;
    const restArb = fc.oneof(fc.integer({ min: 1, max: 30 }).map((x) => x * MIN), fc.integer({ min: 1, max: 30 }).map((x) => x * HOUR));
    let checked = 0;
    fc.assert(
      fc.property(fc.array(restArb, { minLength: 7, maxLength: 7 }), fc.integer({ min: 1, max: 3 }), fc.double({ min: -1, max: 1, noNaN: true }), fc.integer(), (rests, n, u, seed) => {
        // Reservoir 0.45 Ah, n cycles of 0.1 Ah, final strip 0.4 Ah (loss 0.05 Ah); rests between all steps.
        const steps: ProfileStep[] = [{ durationMs: 20 * MIN, currentA: 0, openCircuit: 1 }, { durationMs: 90 * MIN, currentA: A, openCircuit: 0 }];
        let r = 0;
        const rest = (): ProfileStep => ({ durationMs: rests[r++ % rests.length]!, currentA: 0, openCircuit: 0 });
        steps.push(rest());
        for (let k = 0; k < n; k++) steps.push({ durationMs: 20 * MIN, currentA: -A, openCircuit: 0 }, rest(), { durationMs: 20 * MIN, currentA: A, openCircuit: 0 }, rest());
        steps.push({ durationMs: 80 * MIN, currentA: -A, openCircuit: 0 }, { durationMs: 10 * MIN, currentA: 0, openCircuit: 1 });
        // The truth from the steps themselves: Σ stripped / Σ plated.
        const truth = (n * 20 + 80) / (90 + n * 20);
        const offsetA = u * FINE.currentOffsetA;
        const err: AppliedErrors = { ...NO_ERRORS, offsetA };
        const base = adamsOfSamples(cfg, sampleProfile(steps, TEST_PERIOD_MS, testCell(1), 1, err).samples).report;
        const noisy = sampleProfile(steps, TEST_PERIOD_MS, testCell(1), 1, err);
        const noise = noiseGen(seed, 0.99 * (band - Math.abs(offsetA)));
        for (let k = 0; k < noisy.samples.length; k++) if (noisy.trueCurrentA[k] === 0 && noisy.samples[k]!.openCircuit === 0) noisy.samples[k]!.currentA += noise();
        const meas = adamsOfSamples(cfg, noisy.samples).report;
        expect(meas, "the protocol is recognised").not.toBeNull();
        expect(meas!.n).toBe(n);
        expect(Math.abs(meas!.ce - truth)).toBeLessThanOrEqual(meas!.ceBound);
        if (base !== null) expect(Math.abs(meas!.ce - base.ce)).toBeLessThanOrEqual(meas!.ceBound);
        checked++;
      }),
      { numRuns: 25 },
    );
    expect(checked).toBe(25);
  });
});
