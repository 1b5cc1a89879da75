import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { defaultPackConfig } from "../../../shared/config/defaults";
import type { PackConfig } from "../../../shared/config/packConfig";
import type { ChemistryId } from "../../../shared/chemistry/presets";
import { OCV_SOC_GRID } from "../../../shared/chemistry/presets";
import { ocvAtSoc, OCV_BRANCH_DISCHARGE, OCV_BRANCH_CHARGE } from "../../../shared/chemistry/ocv";
import {
  createSocState,
  stepSoc,
  socOfCell,
  socSigmaOfCell,
  socAnchored,
  updateSocCapacity,
  sohFrac,
} from "../../../shared/soc/socEstimator";
import type { SocState } from "../../../shared/soc/socEstimator";
import { snapshotState, restoreState } from "../../../shared/state/snapshot";
import { SEG_CHARGE, SEG_DISCHARGE, SEG_REST, CYCLE_FLAG_PARTIAL } from "../../../shared/model/events";
import type { CycleRecord, SegmentCode } from "../../../shared/model/events";

const MIN_MS = 60000;

function pack(chem: ChemistryId, cells: number, capAh: number): PackConfig {
  const c = defaultPackConfig(chem, cells, capAh);
  c.counting.maxGapMs = 5 * MIN_MS; // the tests sample rests once a minute
  return c;
}

/** Feeds samples with a fixed period; keeps time. */
class Driver {
  tMs = 0;
  constructor(public st: SocState, public cfg: PackConfig) {}
  run(durMs: number, periodMs: number, currentA: number, v: number[] | ((tMs: number) => number[]), seg: SegmentCode) {
    const end = this.tMs + durMs;
    while (this.tMs < end) {
      this.tMs += periodMs;
      stepSoc(this.st, this.cfg, this.tMs, periodMs, currentA, typeof v === "function" ? v(this.tMs) : v, seg);
    }
  }
}

/** Anchor at full by charging into the cut-off, then discharge to socFrac at C/5. */
function anchoredAt(cfg: PackConfig, socFrac: number): Driver {
  const d = new Driver(createSocState(cfg), cfg);
  const n = cfg.cellCount;
  d.run(1000, 1000, 0.2 * cfg.capacityAh, new Array(n).fill(cfg.soc.fullCellV + 0.01), SEG_CHARGE);
  const iA = -0.2 * cfg.capacityAh;
  const durMs = Math.round(((1 - socFrac) * cfg.capacityAh) / 0.2 / cfg.capacityAh * 3600000);
  const vMid = (cfg.soc.fullCellV + cfg.soc.emptyCellV) / 2;
  d.run(durMs, 1000, iA, new Array(n).fill(vMid), SEG_DISCHARGE);
  // The current stops: one rest sample 1 s later closes the trapezoid, so what follows
  // (once-a-minute rest samples) counts nothing.
  d.run(1000, 1000, 0, new Array(n).fill(vMid), SEG_REST);
  return d;
}

function cycleRecord(dischargeAh: number, flags: number): CycleRecord {
  return {
    index: 1, startTMs: 0, endTMs: 1, chargeAh: dischargeAh / 0.99, dischargeAh, chargeWh: 0, dischargeWh: 0,
    ce: 0.99, ceBound: 0.001, ee: 0.8, ve: 0.81, meanChargeV: 1.4, meanDischargeV: 1.3, voltageGapV: 0.1,
    chargeDurationS: 1, dischargeDurationS: 1, tempMinC: 25, tempMaxC: 25, flags, cumulativeCe: 0.99,
    rollingCe: 0.99, cyclesTo80: 22, cyclesTo80Low: 20, cyclesTo80High: 24, restAh: 0,
  };
}

describe("SOC counting and anchors", () => {
  it("counts charge from the full anchor: C/5 for 2.5 h from full leaves 50 %", () => {
    const cfg = pack("ZnMnO2", 2, 1);
    const d = anchoredAt(cfg, 0.5);
    expect(socOfCell(d.st, 0)).toBeCloseTo(0.5, 3);
    expect(socOfCell(d.st, 1)).toBeCloseTo(0.5, 3);
    expect(socAnchored(d.st, 0)).toBe(1);
  });

  it("the empty cut-off anchors at 0 and a later charge counts up from there", () => {
    const cfg = pack("ZnVOx", 1, 2);
    const d = new Driver(createSocState(cfg), cfg);
    d.run(2000, 1000, -0.4, [cfg.soc.emptyCellV - 0.01], SEG_DISCHARGE);
    expect(socOfCell(d.st, 0)).toBe(0);
    d.run(3600000, 1000, 0.4, [0.9], SEG_CHARGE);
    expect(socOfCell(d.st, 0)).toBeCloseTo(0.2, 3);
  });

  it("invalid current does not count but widens the uncertainty", () => {
    const cfg = pack("ZnMnO2", 1, 1);
    const d = anchoredAt(cfg, 0.6);
    d.run(1000, 1000, -0.2, [1.3], SEG_DISCHARGE);
    const soc0 = socOfCell(d.st, 0);
    const sig0 = socSigmaOfCell(d.st, 0);
    d.run(600000, 1000, NaN, [1.3], SEG_DISCHARGE);
    expect(socOfCell(d.st, 0)).toBe(soc0);
    // σ grows by |last current| × time / capacity = 0.2 A × 1/6 h / 1 Ah ≈ 0.033.
    expect(socSigmaOfCell(d.st, 0) - sig0).toBeGreaterThan(0.03);
  });

  it("SOC stays in [0, 1] for any current, voltage, time step and segment sequence", () => {
    const cfg = pack("ZnI2", 2, 1.5);
    const sampleArb = fc.record({
      dtMs: fc.oneof(fc.integer({ min: -5000, max: 20 * MIN_MS }), fc.constant(NaN)),
      currentA: fc.oneof(fc.double({ min: -50, max: 50, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 0)),
      v0: fc.oneof(fc.double({ min: -1, max: 3, noNaN: true }), fc.constant(NaN)),
      v1: fc.oneof(fc.double({ min: -1, max: 3, noNaN: true }), fc.constantFrom(NaN, Infinity)),
      seg: fc.constantFrom(SEG_REST, SEG_CHARGE, SEG_DISCHARGE) as fc.Arbitrary<SegmentCode>,
      repeat: fc.integer({ min: 1, max: 40 }),
    });
    fc.assert(
      fc.property(fc.array(sampleArb, { minLength: 1, maxLength: 60 }), (samples) => {
        const st = createSocState(cfg);
        let t = 0;
        for (const s of samples) {
          for (let r = 0; r < s.repeat; r++) {
            t += isFinite(s.dtMs) ? s.dtMs : 1000;
            stepSoc(st, cfg, t, s.dtMs, s.currentA, [s.v0, s.v1], s.seg);
            for (let i = 0; i < 2; i++) {
              const x = socOfCell(st, i);
              if (!(x >= 0 && x <= 1)) throw new Error("SOC " + x + " out of [0,1]");
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("OCV correction after relaxation", () => {
  it("is not applied before the cell has been quiet for relaxedMinMs, then is applied", () => {
    const cfg = pack("ZnVOx", 1, 1);
    const d = anchoredAt(cfg, 0.5);
    const trueSoc = 0.4; // counting drifted 10 %: the OCV says 40 %
    const ocv = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_DISCHARGE, trueSoc);
    const before = socOfCell(d.st, 0);
    d.run(cfg.soc.relaxedMinMs, MIN_MS, 0, [ocv], SEG_REST);
    expect(socOfCell(d.st, 0)).toBe(before); // quiet for relaxedMinMs minus the first window
    d.run(2 * cfg.soc.relaxedWindowMs, MIN_MS, 0, [ocv], SEG_REST);
    const after = socOfCell(d.st, 0);
    expect(Math.abs(after - trueSoc)).toBeLessThan(Math.abs(before - trueSoc) / 2);
  });

  it("a voltage still relaxing (falling faster than relaxedDvDtVPerS) never corrects", () => {
    const cfg = pack("ZnMnO2", 1, 1);
    const d = anchoredAt(cfg, 0.5);
    const before = socOfCell(d.st, 0);
    const fallVPerMs = (3 * cfg.soc.relaxedDvDtVPerS) / 1000;
    const t0 = d.tMs;
    d.run(6 * 3600000, MIN_MS, 0, (t) => [1.45 - fallVPerMs * (t - t0)], SEG_REST);
    expect(socOfCell(d.st, 0)).toBe(before);
  });

  it("an invalid voltage channel gets no correction while the valid cell does", () => {
    const cfg = pack("ZnVOx", 2, 1);
    const d = anchoredAt(cfg, 0.5);
    const ocv = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_DISCHARGE, 0.3);
    d.run(2 * 3600000, MIN_MS, 0, [ocv, NaN], SEG_REST);
    expect(socOfCell(d.st, 0)).toBeLessThan(0.45);
    expect(socOfCell(d.st, 1)).toBeCloseTo(0.5, 3);
  });

  it("uses the charge branch after a charge and the discharge branch after a discharge", () => {
    const cfg = pack("ZnVOx", 1, 1);
    // Same voltage, read after a discharge vs after a charge: the charge branch lies higher,
    // so the same voltage means a lower SOC after a charge.
    const v = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_CHARGE, 0.5);
    const a = anchoredAt(cfg, 0.5);
    a.run(2 * 3600000, MIN_MS, 0, [v], SEG_REST);
    const b = anchoredAt(cfg, 0.55);
    b.run(1000, 1000, 0.2, [1.0], SEG_CHARGE); // last direction: charge
    b.run(2 * 3600000, MIN_MS, 0, [v], SEG_REST);
    // a read v on the discharge branch (SOC > 0.5) and stayed ~0.5+; b read it on the charge branch (0.5).
    expect(socOfCell(a.st, 0)).toBeGreaterThan(0.5);
    expect(Math.abs(socOfCell(b.st, 0) - 0.5)).toBeLessThan(0.03);
  });

  it("the first relaxed rest sets the initial SOC from OCV", () => {
    const cfg = pack("ZnPBA", 1, 1);
    const d = new Driver(createSocState(cfg), cfg);
    const ocv = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_DISCHARGE, 0.85);
    d.run(1000, 1000, -0.2, [1.5], SEG_DISCHARGE); // unrelaxed voltage under load: provisional guess
    d.run(2 * 3600000, MIN_MS, 0, [ocv], SEG_REST);
    expect(socOfCell(d.st, 0)).toBeCloseTo(0.85, 6);
    expect(socAnchored(d.st, 0)).toBe(0); // committed when the rest ends
    d.run(1000, 1000, -0.2, [ocv], SEG_DISCHARGE);
    expect(socAnchored(d.st, 0)).toBe(1);
  });

  /** SOC after a relaxed rest at OCV(trueSoc) + errV, from a cell anchored at trueSoc. */
  function moveAfterRest(cfg: PackConfig, trueSoc: number, errV: number): number {
    const d = anchoredAt(cfg, trueSoc);
    const base = socOfCell(d.st, 0);
    const v = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_DISCHARGE, base) + errV;
    d.run(2 * 3600000, MIN_MS, 0, [v], SEG_REST);
    return Math.abs(socOfCell(d.st, 0) - base);
  }

  function linearPack(v0: number, slopeV: number): PackConfig {
    const c = pack("ZnVOx", 1, 1);
    c.soc.ocvDischargeV = Array.from(OCV_SOC_GRID, (s) => v0 + slopeV * s);
    c.soc.ocvChargeV = Array.from(OCV_SOC_GRID, (s) => v0 + 0.02 + slopeV * s);
    c.soc.fullCellV = v0 + slopeV + 0.2;
    c.soc.emptyCellV = v0 - 0.2;
    return c;
  }

  it("for the same voltage error, a flat plateau (σ_V/slope > maxOcvSigmaFrac) moves SOC less than a sloped curve", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.005, max: 0.09, noNaN: true }), // flat: ≤ 90 mV per 100 % SOC (Zn‖I2 ~50 mV)
        fc.double({ min: 0.3, max: 1.2, noNaN: true }), // sloped: Zn‖MnO2 / Zn‖V-oxide-like
        fc.double({ min: 0.25, max: 0.75, noNaN: true }),
        fc.double({ min: 0.003, max: 0.03, noNaN: true }),
        fc.boolean(),
        (sFlat, sSloped, soc, e, neg) => {
          const errV = neg ? -e : e;
          const flat = moveAfterRest(linearPack(1.2, sFlat), soc, errV);
          const sloped = moveAfterRest(linearPack(0.5, sSloped), soc, errV);
          expect(sloped).toBeGreaterThan(0);
          expect(flat).toBeLessThan(sloped);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("the Zn‖I2 preset's plateau does not move an anchored SOC; Zn‖V-oxide's slope does", () => {
    // Plateau: discharge branch 0.2–0.9 SOC spans only 1.215–1.258 V; readings within ±5 mV
    // of a SOC in 0.3–0.8 stay on it.
    fc.assert(
      fc.property(fc.double({ min: 0.3, max: 0.8, noNaN: true }), fc.double({ min: -0.005, max: 0.005, noNaN: true }), (soc, errV) => {
        fc.pre(Math.abs(errV) > 0.001);
        expect(moveAfterRest(pack("ZnI2", 1, 1), soc, errV)).toBe(0);
        expect(moveAfterRest(pack("ZnVOx", 1, 1), soc, errV)).toBeGreaterThan(0);
      }),
      { numRuns: 20 },
    );
  });

  it("a corrected cell moves by exactly K·e/s = σ²·s·e / (σ²·s² + σ_V²) for a voltage error e", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.15, max: 2, noNaN: true }),
        fc.double({ min: 0.3, max: 0.7, noNaN: true }),
        fc.double({ min: -0.02, max: 0.02, noNaN: true }),
        (slope, soc, errV) => {
          const cfg = linearPack(0.5, slope);
          cfg.sensorChain.currentOffsetA = 0; // σ constant during the rest
          const d = anchoredAt(cfg, soc);
          const base = socOfCell(d.st, 0);
          const sigma = socSigmaOfCell(d.st, 0);
          fc.pre(base + errV / slope > 0 && base + errV / slope < 1);
          const v = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_DISCHARGE, base) + errV;
          d.run(2 * 3600000, MIN_MS, 0, [v], SEG_REST);
          const sigmaV2 = cfg.soc.ocvSigmaV ** 2 + cfg.sensorChain.voltageOffsetV ** 2 / 3; // the offset is a worst-case bound: σ = bound / √3
          const expected = (sigma * sigma * slope * errV) / (sigma * sigma * slope * slope + sigmaV2);
          expect(socOfCell(d.st, 0) - base).toBeCloseTo(expected, 9);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("each cell's OCV reading is weighted by its own declared offset (sensorChain.cellVoltageOffsetV), else by voltageOffsetV", () => {
    // 4 cells, the same 10 mV reading error on each; cell 0 declares 2 mV, cell 3 the worst 100 mV
    const slope = 0.8;
    const errV = 0.01;
    const cellOffV = [0.002, 0.02, 0.05, 0.1];
    const move = (perCell: boolean) => {
      const cfg = linearPack(0.5, slope);
      cfg.cellCount = 4;
      cfg.sensorChain.currentOffsetA = 0; // σ constant during the rest
      cfg.sensorChain.voltageOffsetV = 0.1;
      if (perCell) cfg.sensorChain.cellVoltageOffsetV = cellOffV.slice();
      const d = anchoredAt(cfg, 0.5);
      const base = [0, 1, 2, 3].map((i) => socOfCell(d.st, i));
      const sigma = socSigmaOfCell(d.st, 0);
      const v = base.map((b) => ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_DISCHARGE, b) + errV);
      d.run(2 * 3600000, MIN_MS, 0, v, SEG_REST);
      return { moved: base.map((b, i) => socOfCell(d.st, i) - b), sigma, cfg };
    };
    const own = move(true);
    const worst = move(false);
    // K·e/s with σ_V² = ocvSigmaV² + (bound / √3)², the bound being the cell's own entry
    const expected = (boundV: number) => {
      const sigmaV2 = own.cfg.soc.ocvSigmaV ** 2 + boundV ** 2 / 3;
      return (own.sigma * own.sigma * slope * errV) / (own.sigma * own.sigma * slope * slope + sigmaV2);
    };
    cellOffV.forEach((b, i) => expect(own.moved[i], `cell ${i}`).toBeCloseTo(expected(b), 9));
    expect(own.moved[0]).toBeGreaterThan(own.moved[3]! * 1.5);
    // without the list every cell is weighted by the worst bound, as cell 3 is with it
    worst.moved.forEach((m, i) => expect(m, `cell ${i}`).toBeCloseTo(own.moved[3]!, 12));
  });

  it("for the same SOC disagreement, the weight K grows with the slope (Kalman weight)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.15, max: 0.5, noNaN: true }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        fc.double({ min: 0.3, max: 0.7, noNaN: true }),
        fc.double({ min: 0.05, max: 0.2, noNaN: true }),
        (s1, ds, soc, dis) => {
          const moveFor = (slope: number) => {
            const cfg = linearPack(0.5, slope);
            const d = anchoredAt(cfg, soc);
            const base = socOfCell(d.st, 0);
            const target = Math.min(1, base + dis);
            const v = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_DISCHARGE, target);
            d.run(2 * 3600000, MIN_MS, 0, [v], SEG_REST);
            return Math.abs(socOfCell(d.st, 0) - base);
          };
          expect(moveFor(s1)).toBeLessThan(moveFor(s1 + ds));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("repeated relaxed windows in one rest do not over-trust OCV: σ after a long rest equals σ after one correction", () => {
    const cfg = pack("ZnMnO2", 1, 1);
    cfg.sensorChain.currentOffsetA = 0; // no offset: σ does not grow during the rest
    const a = anchoredAt(cfg, 0.5);
    const v = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_DISCHARGE, 0.45);
    a.run(cfg.soc.relaxedMinMs + 2 * cfg.soc.relaxedWindowMs, MIN_MS, 0, [v], SEG_REST);
    const s1 = socOfCell(a.st, 0);
    const sig1 = socSigmaOfCell(a.st, 0);
    a.run(24 * 3600000, MIN_MS, 0, [v], SEG_REST);
    expect(socOfCell(a.st, 0)).toBeCloseTo(s1, 12);
    expect(socSigmaOfCell(a.st, 0)).toBeCloseTo(sig1, 12);
  });
});

describe("capacity (state of health)", () => {
  it("a full discharge (full anchor → empty anchor) updates capacity; a partial cycle does not", () => {
    const cfg = pack("ZnMnO2", 1, 1);
    const d = new Driver(createSocState(cfg), cfg);
    d.run(1000, 1000, 0.2, [cfg.soc.fullCellV + 0.01], SEG_CHARGE);
    d.run(1000, 1000, -0.2, [1.3], SEG_DISCHARGE);
    d.run(1000, 1000, -0.2, [cfg.soc.emptyCellV - 0.01], SEG_DISCHARGE);
    updateSocCapacity(d.st, cfg, cycleRecord(0.8, CYCLE_FLAG_PARTIAL));
    expect(d.st.capacityAh).toBe(1); // flagged: ignored (and the full discharge is consumed)
    d.run(1000, 1000, 0.2, [1.4], SEG_CHARGE);
    d.run(1000, 1000, 0.2, [cfg.soc.fullCellV + 0.01], SEG_CHARGE);
    d.run(1000, 1000, -0.2, [cfg.soc.emptyCellV - 0.01], SEG_DISCHARGE);
    updateSocCapacity(d.st, cfg, cycleRecord(0.8, 0));
    expect(d.st.capacityAh).toBeCloseTo(1 + cfg.soc.capacityUpdateGain * (0.8 - 1), 12);
    expect(sohFrac(d.st, cfg)).toBeCloseTo(d.st.capacityAh, 12);
    // A discharge that did not start from full: no update.
    d.run(1000, 1000, 0.2, [1.4], SEG_CHARGE);
    d.run(1000, 1000, -0.2, [cfg.soc.emptyCellV - 0.01], SEG_DISCHARGE);
    const cap = d.st.capacityAh;
    updateSocCapacity(d.st, cfg, cycleRecord(0.5, 0));
    expect(d.st.capacityAh).toBe(cap);
  });
});

describe("SOC snapshot / restore", () => {
  it("restoring at any sample and continuing equals never stopping, bit for bit", () => {
    const cfg = pack("ZnMnO2", 3, 1);
    const stepArb = fc.record({
      dtMs: fc.integer({ min: 1, max: 10 * MIN_MS }),
      currentA: fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constant(NaN)),
      v: fc.array(fc.oneof(fc.double({ min: 0.7, max: 1.9, noNaN: true }), fc.constant(NaN)), { minLength: 3, maxLength: 3 }),
      seg: fc.constantFrom(SEG_REST, SEG_CHARGE, SEG_DISCHARGE) as fc.Arbitrary<SegmentCode>,
      repeat: fc.integer({ min: 1, max: 30 }),
    });
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 2, maxLength: 30 }), fc.nat(), (steps, cutRaw) => {
        const flat: { t: number; dt: number; i: number; v: number[]; seg: SegmentCode }[] = [];
        let t = 0;
        for (const s of steps) for (let r = 0; r < s.repeat; r++) flat.push({ t: (t += s.dtMs), dt: s.dtMs, i: s.currentA, v: s.v, seg: s.seg });
        const cut = cutRaw % flat.length;
        const a = createSocState(cfg);
        const b = createSocState(cfg);
        for (let k = 0; k < flat.length; k++) {
          const x = flat[k];
          stepSoc(a, cfg, x.t, x.dt, x.i, x.v, x.seg);
          if (k < cut) stepSoc(b, cfg, x.t, x.dt, x.i, x.v, x.seg);
          if (k === cut) {
            const snap = snapshotState(b);
            const fresh = createSocState(cfg);
            restoreState(fresh, snap);
            stepSoc(fresh, cfg, x.t, x.dt, x.i, x.v, x.seg);
            Object.assign(b, fresh);
          }
          if (k > cut) stepSoc(b, cfg, x.t, x.dt, x.i, x.v, x.seg);
        }
        expect(Array.from(snapshotState(b))).toEqual(Array.from(snapshotState(a)));
      }),
      { numRuns: 60 },
    );
  });
});

describe("end-of-half anchors (per cell)", () => {
  /** Charge at C/5 from a mid SOC, then taper to `endA` with the given last voltages; then a rest sample. */
  function chargeThenTaper(cfg: PackConfig, endA: number, lastV: number[]): Driver {
    const d = new Driver(createSocState(cfg), cfg);
    const n = cfg.cellCount;
    const vMid = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_CHARGE, 0.5);
    d.run(3600000, 1000, 0.2 * cfg.capacityAh, new Array(n).fill(vMid), SEG_CHARGE);
    d.run(60000, 1000, endA, lastV, SEG_CHARGE);
    d.run(1000, 1000, 0, lastV, SEG_REST);
    return d;
  }

  it("a CV hold's end reads each cell on the charge branch: the held cell goes to full, a cell left behind to its own SOC", () => {
    const cfg = pack("ZnMnO2", 2, 1);
    const behindSoc = 0.97;
    const vBehind = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_CHARGE, behindSoc);
    const d = chargeThenTaper(cfg, (0.5 * cfg.soc.fullTaperCurrentC) * cfg.capacityAh, [cfg.soc.fullCellV, vBehind]);
    // Counting alone would say ≈ 0.5 + 0.2 + a little; the readings pull each cell to its own value.
    expect(socOfCell(d.st, 0)).toBeGreaterThan(0.97);
    expect(Math.abs(socOfCell(d.st, 1) - behindSoc)).toBeLessThan(0.03);
    expect(socOfCell(d.st, 0)).toBeGreaterThan(socOfCell(d.st, 1));
    expect(socAnchored(d.st, 1)).toBe(1);
  });

  it("a charge that stops at full current (no taper) or below the top voltage is not a full anchor", () => {
    const cfg = pack("ZnMnO2", 1, 1);
    const counted = chargeThenTaper(cfg, 0.2 * cfg.capacityAh, [cfg.soc.fullCellV - 0.001]);
    expect(socOfCell(counted.st, 0)).toBeLessThan(0.9);
    const low = chargeThenTaper(cfg, 0.5 * cfg.soc.fullTaperCurrentC * cfg.capacityAh, [cfg.soc.fullCellV - 0.2]);
    expect(socOfCell(low.st, 0)).toBeLessThan(0.9);
  });

  it("a discharge whose last loaded sample sits just above the cut-off anchors that cell at empty, not the others", () => {
    const cfg = pack("ZnMnO2", 2, 1);
    const d = anchoredAt(cfg, 0.3);
    d.run(60000, 1000, -0.2, [cfg.soc.emptyCellV + 0.002, 1.2], SEG_DISCHARGE);
    const other = socOfCell(d.st, 1);
    d.run(1000, 1000, 0, [1.0, 1.25], SEG_REST);
    expect(socOfCell(d.st, 0)).toBe(0);
    expect(socOfCell(d.st, 1)).toBeCloseTo(other, 3); // only the rest sample's half-second trapezoid moves it
  });
});

describe("per-cell capacity", () => {
  /** A cell of trueCapAh read full at a CV hold's end, then discharged by dischargeAh and rested at its true OCV. */
  function topThenDischargeRest(cfg: PackConfig, trueCapAh: number, dischargeAh: number): Driver {
    const d = new Driver(createSocState(cfg), cfg);
    const taperA = 0.5 * cfg.soc.fullTaperCurrentC * cfg.capacityAh;
    d.run(60000, 1000, taperA, [cfg.soc.fullCellV], SEG_CHARGE);
    const iA = -0.2 * cfg.capacityAh;
    const vMid = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_DISCHARGE, 0.5);
    d.run(Math.round((dischargeAh / 0.2) * 3600000), 1000, iA, [vMid], SEG_DISCHARGE);
    const trueSoc = 1 - dischargeAh / trueCapAh;
    const ocv = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_DISCHARGE, trueSoc);
    d.run(1000, 1000, 0, [ocv], SEG_REST);
    d.run(cfg.soc.relaxedMinMs + 2 * cfg.soc.relaxedWindowMs, MIN_MS, 0, [ocv], SEG_REST);
    d.run(1000, 1000, 0.2, [ocv], SEG_CHARGE); // the rest ends: its reading is committed
    return d;
  }

  it("a reading at full and a reading after a discharge measure that cell's capacity", () => {
    const cfg = pack("ZnMnO2", 1, 1);
    const d = topThenDischargeRest(cfg, 0.8, 0.6);
    const expected = 1 + cfg.soc.capacityUpdateGain * (0.8 - 1);
    expect(d.st.cellCapAh[0]).toBeGreaterThan(expected - 0.03);
    expect(d.st.cellCapAh[0]).toBeLessThan(expected + 0.03);
  });

  it("a short discharge between readings (below MIN_CAP_SPAN_FRAC) or a charge between them measures nothing", () => {
    const cfg = pack("ZnMnO2", 1, 1);
    expect(topThenDischargeRest(cfg, 0.8, 0.1).st.cellCapAh[0]).toBe(1);
    // bottom anchor, then charge 0.5 Ah and a relaxed rest: a charge-direction pair
    const d = new Driver(createSocState(cfg), cfg);
    d.run(2000, 1000, -0.2, [cfg.soc.emptyCellV - 0.01], SEG_DISCHARGE);
    d.run(2.5 * 3600000, 1000, 0.2, [1.4], SEG_CHARGE);
    const ocv = ocvAtSoc(OCV_SOC_GRID, cfg.soc.ocvChargeV, cfg.soc.ocvDischargeV, OCV_BRANCH_CHARGE, 0.6);
    d.run(2 * 3600000, MIN_MS, 0, [ocv], SEG_REST);
    expect(d.st.cellCapAh[0]).toBe(1);
  });
});
