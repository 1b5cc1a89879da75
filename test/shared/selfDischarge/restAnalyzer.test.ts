import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { defaultPackConfig } from "../../../shared/config/defaults";
import type { PackConfig } from "../../../shared/config/packConfig";
import type { ChemistryId } from "../../../shared/chemistry/presets";
import { CHEMISTRY_IDS, OCV_SOC_GRID } from "../../../shared/chemistry/presets";
import { ocvAtSoc, socAtOcv, OCV_BRANCH_CHARGE } from "../../../shared/chemistry/ocv";
import {
  createSelfDischargeState,
  stepSelfDischarge,
  onHalfEnd,
  liveSlopeMVPerH,
  liveRateFracPerH,
  lastRetentionFrac,
  rcldFrac,
} from "../../../shared/selfDischarge/restAnalyzer";
import type { SelfDischargeState } from "../../../shared/selfDischarge/restAnalyzer";
import { createSocState } from "../../../shared/soc/socEstimator";
import type { SocState } from "../../../shared/soc/socEstimator";
import { createAlarmState, stepAlarms } from "../../../shared/alarms/alarmTable";
import type { AlarmInputs, AlarmState } from "../../../shared/alarms/alarmTable";
import { SEG_CHARGE, SEG_DISCHARGE, SEG_REST } from "../../../shared/model/events";
import type { ModelEvent, RestRecord } from "../../../shared/model/events";
import { snapshotState, restoreState } from "../../../shared/state/snapshot";

const H_MS = 3600000;
const MIN_MS = 60000;

function inputs(rateFracPerH: number): AlarmInputs {
  return {
    maxCellV: NaN, minCellV: NaN, chargeCurrentA: NaN, dischargeCurrentA: NaN, maxTempC: NaN, minTempC: NaN,
    imbalanceV: NaN, sensorFault: NaN, selfDischargeFracPerH: rateFracPerH, retentionFrac: NaN, lastCe: NaN,
  };
}

/** Relaxed OCV (V) on the charge branch at socFrac: a cell resting after a charge. */
function ocvCharge(cfg: PackConfig, socFrac: number): number {
  return ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_CHARGE, socFrac);
}

/** SOC (fraction) at voltage v on the charge branch. */
function socCharge(cfg: PackConfig, v: number): number {
  return socAtOcv(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_CHARGE, v);
}

/** Deterministic noise in [−amp, amp] (a small LCG seeded by the property). */
function noiseGen(seed: number, amp: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return amp * (2 * (x / 4294967296) - 1);
  };
}

/** Self-discharge analyzer + alarm table fed together, as the pack model does. */
class Rig {
  sd: SelfDischargeState;
  soc: SocState;
  al: AlarmState;
  events: ModelEvent[] = [];
  tMs = 0;
  constructor(public cfg: PackConfig) {
    this.sd = createSelfDischargeState(cfg);
    this.soc = createSocState(cfg);
    this.al = createAlarmState(cfg);
  }
  emit = (e: ModelEvent) => this.events.push(e);
  sample(v: number[], seg: 0 | 1 | 2) {
    stepSelfDischarge(this.sd, this.cfg, this.tMs, v, seg, this.soc, this.emit);
    stepAlarms(this.al, this.cfg, this.tMs, inputs(liveRateFracPerH(this.sd)), this.emit);
  }
  /** A rest of durMs sampled every periodMs with cell voltages v(tSinceRestStartMs, cell). */
  rest(durMs: number, periodMs: number, v: (tMs: number, cell: number) => number) {
    const t0 = this.tMs;
    const vv = new Array(this.cfg.cellCount).fill(0);
    for (let t = 0; t <= durMs; t += periodMs) {
      this.tMs = t0 + t;
      for (let i = 0; i < vv.length; i++) vv[i] = v(t, i);
      this.sample(vv, SEG_REST);
    }
  }
  active(seg: 1 | 2, durMs: number, v: number) {
    const vv = new Array(this.cfg.cellCount).fill(v);
    const t0 = this.tMs;
    for (let t = 1000; t <= durMs; t += 1000) {
      this.tMs = t0 + t;
      this.sample(vv, seg);
    }
  }
  alarms() {
    return this.events.filter((e) => e.kind === "alarm");
  }
  rests(): RestRecord[] {
    return this.events.filter((e) => e.kind === "rest").map((e) => (e as { rest: RestRecord }).rest);
  }
}

describe("rest analysis", () => {
  it("recovers a cell's self-discharge rate along its OCV curve and estimates the charge lost", () => {
    const cfg = defaultPackConfig("ZnMnO2", 2, 1);
    const r = new Rig(cfg);
    r.active(SEG_CHARGE, 10000, 1.7);
    const relaxH = cfg.selfDischarge.relaxationMs / H_MS;
    // cell 0: 60 mV relaxation (τ 10 min) while losing 0.1 %/h of capacity from SOC 0.92, across
    // the knee of the curve at 0.9; cell 1: same relaxation at a constant OCV.
    const rateFracPerH = 0.001;
    r.rest(24 * H_MS, MIN_MS, (t, i) => {
      const relax = 0.06 * Math.exp(-t / (10 * MIN_MS));
      return relax + (i === 0 ? ocvCharge(cfg, 0.92 - (rateFracPerH * t) / H_MS) : ocvCharge(cfg, 0.92));
    });
    r.active(SEG_DISCHARGE, 2000, 1.3);
    const rec = r.rests()[0];
    expect(rec.index).toBe(1);
    expect(rec.after).toBe(SEG_CHARGE);
    expect(rec.durationS).toBe(24 * 3600);
    expect(rec.worstSlopeMVPerH).toBeLessThan(0);
    expect(rec.steadySlopeMVPerH).toBeCloseTo(rec.worstSlopeMVPerH / 2, 6);
    // Drop over the relaxation: 60 mV for both cells, plus cell 0's own fall in that time.
    const fall0 = ocvCharge(cfg, 0.92) - ocvCharge(cfg, 0.92 - rateFracPerH * relaxH);
    expect(rec.relaxationDropV).toBeCloseTo(0.06 + fall0 / 2, 3);
    const steadyH = 24 - relaxH;
    expect(rec.chargeLostEstAh).toBeCloseTo(rateFracPerH * steadyH * r.soc.capacityAh, 3);
    // 0.1 %/h: above the warning (0.04 %/h), below the alarm level (0.2 %/h); the record flags it.
    expect(rec.faulty).toBe(1);
    expect(r.alarms().map((e) => (e as { level: string }).level)).toEqual(["warning"]);
  });

  it("on a flat Zn‖I2 plateau the OCV estimate of charge lost is not determinable (NaN), though the slope is measured", () => {
    const cfg = defaultPackConfig("ZnI2", 1, 1);
    const r = new Rig(cfg);
    r.active(SEG_CHARGE, 10000, 1.5);
    // A cell resting at SOC 0.5 on the plateau, losing 0.2 %/h: about 0.1 mV/h.
    r.rest(24 * H_MS, MIN_MS, (t) => ocvCharge(cfg, 0.5 - (0.002 * t) / H_MS));
    r.active(SEG_DISCHARGE, 2000, 1.2);
    const rec = r.rests()[0];
    expect(rec.worstSlopeMVPerH).toBeLessThan(0);
    expect(rec.chargeLostEstAh).toBeNaN();
    // The same leak on Zn‖MnO2's sloping curve gives a number.
    const cfgMn = defaultPackConfig("ZnMnO2", 1, 1);
    const m = new Rig(cfgMn);
    m.active(SEG_CHARGE, 10000, 1.7);
    m.rest(24 * H_MS, MIN_MS, (t) => ocvCharge(cfgMn, 0.5 - (0.002 * t) / H_MS));
    m.active(SEG_DISCHARGE, 2000, 1.2);
    expect(m.rests()[0].chargeLostEstAh).toBeCloseTo(0.002 * (24 - cfgMn.selfDischarge.relaxationMs / H_MS), 3);
  });

  it("a self-discharge alarm raised in a leaking rest clears in the next rest once that one is judged healthy", () => {
    const cfg = defaultPackConfig("ZnMnO2", 1, 1);
    const r = new Rig(cfg);
    r.active(SEG_CHARGE, 10000, 1.7);
    r.rest(12 * H_MS, MIN_MS, (t) => ocvCharge(cfg, 0.9 - (0.005 * t) / H_MS));
    const raised = r.alarms().filter((e) => (e as { raised: boolean }).raised);
    expect(raised.length).toBeGreaterThan(0);
    const raisedAt = (raised[0] as { tMs: number }).tMs - (r.tMs - 12 * H_MS);
    // Caught within relaxation + 2 h of the rest's start.
    expect(raisedAt).toBeLessThanOrEqual(cfg.selfDischarge.relaxationMs + 2 * H_MS);
    r.active(SEG_DISCHARGE, 10000, 1.3);
    r.active(SEG_CHARGE, 10000, 1.7);
    const restStart = r.tMs;
    r.rest(12 * H_MS, MIN_MS, () => ocvCharge(cfg, 0.9));
    const cleared = r.alarms().filter((e) => !(e as { raised: boolean }).raised);
    expect(cleared.length).toBe(raised.length);
    for (const e of cleared) expect((e as { tMs: number }).tMs - restStart).toBeLessThanOrEqual(cfg.selfDischarge.relaxationMs + 2 * H_MS);
  });

  it("the live slope is NaN outside a rest and before relaxationMs + minSteadyMs", () => {
    const cfg = defaultPackConfig("ZnPBA", 1, 1);
    const r = new Rig(cfg);
    expect(liveSlopeMVPerH(r.sd)).toBeNaN();
    expect(liveRateFracPerH(r.sd)).toBeNaN();
    const need = cfg.selfDischarge.relaxationMs + cfg.selfDischarge.minSteadyMs;
    r.rest(need - MIN_MS, MIN_MS, (t) => 1.8 - (0.01 * t) / H_MS);
    expect(liveSlopeMVPerH(r.sd)).toBeNaN();
    expect(liveRateFracPerH(r.sd)).toBeNaN();
    r.rest(MIN_MS, MIN_MS, (t) => 1.8 - (0.01 * (t + need - MIN_MS)) / H_MS);
    expect(liveSlopeMVPerH(r.sd)).toBeCloseTo(10, 6);
    expect(liveRateFracPerH(r.sd)).toBeGreaterThan(0);
    r.active(SEG_DISCHARGE, 1000, 1.7);
    expect(liveSlopeMVPerH(r.sd)).toBeNaN();
    expect(liveRateFracPerH(r.sd)).toBeNaN();
  });

  it("a pure relaxation rest (steep exponential drop, then flat) never alarms", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CHEMISTRY_IDS),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 0.2, noNaN: true }), // relaxation amplitude (V)
        fc.double({ min: 1 / 120, max: 1 / 8, noNaN: true }), // τ as a share of relaxationMs
        fc.double({ min: 1, max: 48, noNaN: true }), // rest (h)
        fc.integer({ min: 10000, max: 5 * MIN_MS }), // sample period (ms)
        fc.double({ min: 0, max: 0.0005, noNaN: true }), // noise amplitude (V)
        fc.double({ min: 0, max: 1, noNaN: true }), // healthy residual loss, as a share of a third of the lowest limit
        fc.integer(),
        (chem: ChemistryId, cells, ampV, tauShare, restH, periodMs, noiseV, healthyShare, seed) => {
          const cfg = defaultPackConfig(chem, cells, 1);
          const r = new Rig(cfg);
          const tauMs = tauShare * cfg.selfDischarge.relaxationMs;
          const noise = noiseGen(seed, noiseV);
          // The alarm judges charge lost (fraction/h). As before the unit change (healthy fall up to
          // 1 mV/h against a lowest limit of 3 mV/h), a healthy cell loses up to a third of the
          // lowest limit, along its OCV curve from the window's middle voltage.
          const lowest = Math.min(...cfg.alarms.filter((x) => x.id === "selfDischarge").map((x) => x.limit));
          const healthyFracPerH = (healthyShare * lowest) / 3;
          const soc0 = socCharge(cfg, (cfg.soc.fullCellV + cfg.soc.emptyCellV) / 2);
          r.active(SEG_CHARGE, 5000, cfg.soc.fullCellV);
          r.rest(restH * H_MS, periodMs, (t, i) =>
            ocvCharge(cfg, soc0 - (healthyFracPerH * t) / H_MS) + ampV * (1 + 0.1 * i) * Math.exp(-t / tauMs) + noise(),
          );
          r.active(SEG_DISCHARGE, 2000, ocvCharge(cfg, soc0));
          expect(r.alarms()).toEqual([]);
          expect(r.rests()[0].faulty).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a steady slope above the threshold always alarms within relaxation + minSteady + delay (+2 samples)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CHEMISTRY_IDS),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }), // which cell is bad
        fc.double({ min: 1.2, max: 30, noNaN: true }), // slope as a multiple of the lowest limit
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 1 / 120, max: 1 / 8, noNaN: true }),
        fc.integer({ min: 10000, max: MIN_MS }),
        fc.double({ min: 0, max: 0.03, noNaN: true }), // noise amplitude, as a share of the bad cell's hourly fall
        fc.integer(),
        (chem: ChemistryId, cells, badRaw, mult, ampV, tauShare, periodMs, noiseShare, seed) => {
          const cfg = defaultPackConfig(chem, cells, 1);
          const rows = cfg.alarms.filter((x) => x.id === "selfDischarge");
          const lowest = rows.reduce((a, b) => (b.limit < a.limit ? b : a));
          // The alarm judges charge lost (fraction/h): the bad cell loses mult × the lowest limit,
          // along its OCV curve from SOC 0.55. Noise up to 3 % of its hourly voltage fall, the ratio
          // of the mV/h version of this test (0.1 mV against slopes of at least 3.6 mV/h).
          const rateFracPerH = mult * lowest.limit;
          const soc0 = 0.55;
          const hourlyFallV = ocvCharge(cfg, soc0) - ocvCharge(cfg, soc0 - rateFracPerH);
          const bad = badRaw % cells;
          const r = new Rig(cfg);
          const tauMs = tauShare * cfg.selfDischarge.relaxationMs;
          const noise = noiseGen(seed, noiseShare * hourlyFallV);
          r.active(SEG_CHARGE, 5000, cfg.soc.fullCellV);
          const restStart = r.tMs;
          // The slope becomes known at the first sample after relaxation + minSteady, and the delay
          // ends at the first sample after that + delayMs: at most two sample periods late.
          const deadline = cfg.selfDischarge.relaxationMs + cfg.selfDischarge.minSteadyMs + lowest.delayMs + 2 * periodMs;
          r.rest(deadline + 2 * periodMs, periodMs, (t, i) =>
            ocvCharge(cfg, soc0 - (i === bad ? (rateFracPerH * t) / H_MS : 0)) + ampV * Math.exp(-t / tauMs) + noise(),
          );
          const raised = r.alarms().filter((e) => e.kind === "alarm" && e.raised && e.level === lowest.level);
          expect(raised.length).toBe(1);
          expect(raised[0].tMs - restStart).toBeLessThanOrEqual(deadline);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("Zn‖I2: a steady 1 mV/h fall anywhere on the flat plateau (0.3 mV noise) alarms within relaxation + 2 h; the same rest without it does not", () => {
    // Issue 20's target in its own unit: the plateau's 0.05–0.14 V per unit SOC makes 1 mV/h a
    // loss of about 0.7–2 %/h, so no plateau position may hide it.
    fc.assert(
      fc.property(fc.double({ min: 0.35, max: 0.85, noNaN: true }), fc.double({ min: 1, max: 3, noNaN: true }), fc.integer(), (soc0, mvPerH, seed) => {
        for (const leaking of [true, false]) {
          const cfg = defaultPackConfig("ZnI2", 4, 1);
          const r = new Rig(cfg);
          const noise = noiseGen(seed, 0.0003);
          const tauMs = cfg.selfDischarge.relaxationMs / 16;
          r.active(SEG_CHARGE, 5000, cfg.soc.fullCellV);
          const restStart = r.tMs;
          const targetMs = cfg.selfDischarge.relaxationMs + 2 * H_MS;
          r.rest(targetMs, 10000, (t, i) => ocvCharge(cfg, soc0) + 0.03 * Math.exp(-t / tauMs) - (leaking && i === 2 ? (mvPerH * t) / H_MS / 1000 : 0) + noise());
          const raised = r.alarms().filter((e) => e.kind === "alarm" && e.raised);
          if (leaking) {
            expect(raised.length).toBeGreaterThan(0);
            expect(raised[0]!.tMs - restStart).toBeLessThanOrEqual(targetMs);
          } else expect(raised).toEqual([]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("a cell found leaking keeps its verdict through a rest in which it is nearly empty; a rest holding charge without a leak clears it", () => {
    const cfg = defaultPackConfig("ZnMnO2", 2, 1);
    const restAt = (r: Rig, soc0: number, rateFracPerH: number) => {
      r.active(SEG_CHARGE, 10000, 1.7);
      r.rest(12 * H_MS, MIN_MS, (t, i) => ocvCharge(cfg, i === 0 ? soc0 - (rateFracPerH * t) / H_MS : 0.9));
      r.active(SEG_DISCHARGE, 2000, 1.3);
      const recs = r.rests();
      return recs[recs.length - 1];
    };
    const r = new Rig(cfg);
    expect(restAt(r, 0.9, 0.003).faulty).toBe(1);
    expect(restAt(r, 0.05, 0).faulty).toBe(1); // 5 %: too little charge to show a leak
    expect(restAt(r, 0.6, 0).faulty).toBe(0); // 60 % and flat: healthy now
    expect(restAt(r, 0.05, 0).faulty).toBe(0); // nothing left to remember
    // Without the earlier verdict the nearly empty rest is not faulty either.
    expect(restAt(new Rig(cfg), 0.05, 0).faulty).toBe(0);
  });

  it("an invalid voltage channel is left out of the fit (no NaN slope, no crash)", () => {
    const cfg = defaultPackConfig("ZnVOx", 2, 1);
    const r = new Rig(cfg);
    r.rest(6 * H_MS, MIN_MS, (t, i) => (i === 1 ? NaN : 1.0 - (0.002 * t) / H_MS));
    expect(liveSlopeMVPerH(r.sd)).toBeCloseTo(2, 6);
    r.active(SEG_DISCHARGE, 1000, 0.9);
    expect(r.rests()[0].worstSlopeMVPerH).toBeCloseTo(-2, 6);
  });
});

describe("retention and Rcld", () => {
  const cfg = defaultPackConfig("ZnMnO2", 1, 1);
  const sdCfg = cfg.selfDischarge;

  /** Charge qcAh, optionally rest restMs, discharge qdAh; returns the retention events. */
  function pair(r: Rig, qcAh: number, restMs: number, qdAh: number): ModelEvent[] {
    const before = r.events.length;
    r.active(SEG_CHARGE, 2000, 1.7);
    onHalfEnd(r.sd, cfg, r.tMs, SEG_CHARGE, qcAh, r.emit);
    if (restMs > 0) r.rest(restMs, MIN_MS, () => 1.5);
    r.active(SEG_DISCHARGE, 2000, 1.3);
    onHalfEnd(r.sd, cfg, r.tMs, SEG_DISCHARGE, qdAh, r.emit);
    return r.events.slice(before).filter((e) => e.kind === "retention");
  }

  it("continuous cycles set the reference CE; a shelved cycle gives retention and its calendar share", () => {
    const r = new Rig(cfg);
    expect(pair(r, 1.0, 0, 0.99)).toEqual([]); // reference CE 0.99, loss 0.01 Ah
    const ev = pair(r, 1.0, 24 * H_MS, 0.95);
    // retention = 0.95 / 1.0; calendar loss = 1.0 × 0.99 − 0.95 = 0.04 Ah; total = 0.01 + 0.05 Ah.
    expect(ev.length).toBe(1);
    const e = ev[0] as { retention: number; rcld: number; restIndex: number; chargeLostAh: number };
    expect(e.retention).toBeCloseTo(0.95, 12);
    expect(e.chargeLostAh).toBeCloseTo(0.04, 12);
    expect(e.rcld).toBeCloseTo(0.04 / 0.06, 12);
    expect(e.restIndex).toBe(1);
    expect(lastRetentionFrac(r.sd)).toBeCloseTo(0.95, 12);
    // Two more continuous cycles at CE 0.99 dilute Rcld: 0.04 / 0.08.
    pair(r, 1.0, 0, 0.99);
    pair(r, 1.0, 0, 0.99);
    expect(rcldFrac(r.sd)).toBeCloseTo(0.5, 12);
  });

  it("the article's example: 32.3 % lost after aging, 93.8 % of it calendar loss", () => {
    // Wang et al. via the article: OTf− electrolyte, 12 h aging: loss 1.29 mAh cm−2 of which
    // 1.21 calendar (Rcld 93.8 %). Per cm²: Q_charge 4 mAh (1.29 = 32.3 %), cycling loss 0.08.
    const r = new Rig(cfg);
    pair(r, 4.0, 0, 4.0 - 0.08); // a continuous reference cycle losing 0.08 mAh
    const ceRef = (4 - 0.08) / 4;
    r.sd.totalLossAh = 0; // compare the aged cycle alone, as the article does
    const ev = pair(r, 4.0, 12 * H_MS, 4.0 - 1.29);
    const e = ev[0] as { retention: number; rcld: number };
    expect(e.retention).toBeCloseTo(1 - 0.3225, 3);
    expect(e.rcld).toBeCloseTo((4 * ceRef - (4 - 1.29)) / 1.29, 12);
    expect(e.rcld).toBeCloseTo(0.938, 3);
  });

  it("a rest too short to show a steady slope, or one after a discharge, is not a shelving test", () => {
    const r = new Rig(cfg);
    expect(pair(r, 1.0, sdCfg.relaxationMs, 0.97)).toEqual([]);
    // rest after a discharge, then charge and discharge without rest
    r.active(SEG_DISCHARGE, 2000, 1.3);
    r.rest(24 * H_MS, MIN_MS, () => 1.3);
    expect(pair(r, 1.0, 0, 0.98)).toEqual([]);
    expect(lastRetentionFrac(r.sd)).toBeNaN();
  });

  it("without any unrested reference cycle, the whole loss of a shelved cycle counts as calendar loss", () => {
    const r = new Rig(cfg);
    const ev = pair(r, 2.0, 30 * H_MS, 1.8);
    expect((ev[0] as { rcld: number }).rcld).toBeCloseTo(1, 12);
  });

  it("Rcld is a share (0–100 %) and each rest's counted loss lies within its pair's loss, whatever the pairs", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ qc: fc.double({ min: 0.5, max: 1.5, noNaN: true }), ce: fc.double({ min: 0.7, max: 1.1, noNaN: true }), rested: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        (pairs) => {
          const r = new Rig(cfg);
          for (const p of pairs) {
            const ev = pair(r, p.qc, p.rested ? 24 * H_MS : 0, p.qc * p.ce);
            for (const e of ev as { chargeLostAh: number; rcld: number }[]) {
              expect(e.chargeLostAh).toBeGreaterThanOrEqual(0);
              expect(e.chargeLostAh).toBeLessThanOrEqual(Math.max(0, p.qc - p.qc * p.ce) + 1e-12);
              if (!isNaN(e.rcld)) {
                expect(e.rcld).toBeGreaterThanOrEqual(0);
                expect(e.rcld).toBeLessThanOrEqual(1 + 1e-12);
              }
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("snapshot / restore at any sample and continuing equals never stopping", () => {
    fc.assert(
      fc.property(fc.nat(), fc.double({ min: 0, max: 20, noNaN: true }), (cutRaw, slope) => {
        const script: { seg: 0 | 1 | 2; v: number; dt: number; half?: number }[] = [];
        for (let c = 0; c < 2; c++) {
          for (let k = 0; k < 5; k++) script.push({ seg: SEG_CHARGE, v: 1.7, dt: 1000 });
          script.push({ seg: SEG_REST, v: 1.55, dt: 1000, half: 1.0 });
          for (let k = 0; k < 60; k++) script.push({ seg: SEG_REST, v: 1.5 + 0.05 * Math.exp(-k / 5) - (slope * k) / 6000, dt: 6 * MIN_MS });
          for (let k = 0; k < 5; k++) script.push({ seg: SEG_DISCHARGE, v: 1.3, dt: 1000 });
          script.push({ seg: SEG_REST, v: 1.35, dt: 1000, half: 0.9 });
        }
        const cut = cutRaw % script.length;
        const run = (restoreAt: number) => {
          const cfg2 = defaultPackConfig("ZnMnO2", 2, 1);
          let sd = createSelfDischargeState(cfg2);
          const soc = createSocState(cfg2);
          const ev: ModelEvent[] = [];
          let t = 0;
          let prevSeg = SEG_REST;
          for (let k = 0; k < script.length; k++) {
            if (k === restoreAt) {
              const fresh = createSelfDischargeState(cfg2);
              restoreState(fresh, snapshotState(sd));
              sd = fresh;
            }
            const s = script[k];
            t += s.dt;
            if (s.half !== undefined) onHalfEnd(sd, cfg2, t, prevSeg === SEG_CHARGE ? SEG_CHARGE : SEG_DISCHARGE, s.half, (e) => ev.push(e));
            stepSelfDischarge(sd, cfg2, t, [s.v, s.v - 0.001], s.seg, soc, (e) => ev.push(e));
            ev.push({ kind: "gap", tMs: t, dtMs: liveSlopeMVPerH(sd) }); // record the live slope too
            if (s.seg !== SEG_REST) prevSeg = s.seg;
          }
          return { ev, snap: Array.from(snapshotState(sd)) };
        };
        const a = run(-1);
        const b = run(cut);
        expect(b.ev).toEqual(a.ev);
        expect(b.snap).toEqual(a.snap);
      }),
      { numRuns: 50 },
    );
  });
});
