import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  cellCapacitorEnergyWh,
  cellStoredEnergyWh,
  createCellState,
  stepCell,
  type CellState,
} from "../../../host/sim/cell";
import { defaultCellParams, losslessCellParams, type CellParams } from "../../../host/sim/cellParams";

function isothermal(p: CellParams): CellParams {
  p.thermalResistanceKPerW = 0; // T = ambient exactly
  p.capacityTempCoeffPerK = 0;
  p.ocvTempCoeffVPerK = 0;
  return p;
}

/** Terminal energy in − out (Wh) and the sum of every loss booked by the cell. */
function balance(p: CellParams, s: CellState, e0: number): { terminal: number; accounted: number } {
  const t = s.totals;
  const terminal = t.energyInWh - t.energyOutWh;
  const stored = cellStoredEnergyWh(p, s) + cellCapacitorEnergyWh(p, s) - e0;
  const losses = t.ohmicWh + t.rcWh + t.hysteresisWh + t.sideReactionWh + t.entropicWh;
  return { terminal, accounted: stored + losses };
}

/**
 * The only approximation in a step's energy is the midpoint OCV when the step crosses a knot of
 * the piecewise-linear OCV table: error ≤ capacity·Δslope·ΔSOC²/2, with the presets' largest
 * slope change Δslope < 4 V per unit SOC (1 Ah cell here). Anything larger is a bookkeeping bug.
 */
function knotErrorWh(currentA: number, dtS: number): number {
  const dSoc = (Math.abs(currentA) * dtS) / 3600;
  return (4 * dSoc * dSoc) / 2;
}

const segment = fc.record({
  currentA: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
  dtS: fc.double({ min: 1, max: 900, noNaN: true }),
});

describe("cell energy conservation", () => {
  it("terminal energy = Δstored + Δcapacitors + losses, lossless cell, any current profile", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 60 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }), (segs, soc0) => {
        const p = isothermal(losslessCellParams("ZnMnO2", 1));
        const s = createCellState(p, soc0, 25);
        const e0 = cellStoredEnergyWh(p, s) + cellCapacitorEnergyWh(p, s);
        let bound = 1e-9;
        for (const g of segs) {
          stepCell(p, s, g.currentA, g.dtS, 25);
          bound += knotErrorWh(g.currentA, g.dtS);
        }
        const b = balance(p, s, e0);
        expect(Math.abs(b.terminal - b.accounted)).toBeLessThan(bound);
      }),
      { numRuns: 150 },
    );
  });

  it("also holds with side reactions, leaks and fade on (losses booked, not lost track of)", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 60 }), (segs) => {
        const p = isothermal(defaultCellParams("ZnI2", 1));
        p.fadePerCycleFrac = 0; // fade changes capacity (a state-function change), tested apart
        p.calendarLossShare = 0;
        const s = createCellState(p, 0.5, 25);
        const e0 = cellStoredEnergyWh(p, s) + cellCapacitorEnergyWh(p, s);
        let bound = 1e-9;
        for (const g of segs) {
          stepCell(p, s, g.currentA, g.dtS, 25);
          bound += knotErrorWh(g.currentA, g.dtS);
        }
        const b = balance(p, s, e0);
        expect(Math.abs(b.terminal - b.accounted)).toBeLessThan(bound);
        expect(s.totals.sideReactionWh).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 100 },
    );
  });

  it("ohmic and RC losses are never negative; heat warms the cell above ambient", () => {
    const p = defaultCellParams("ZnMnO2", 1);
    const s = createCellState(p, 0.5, 25);
    for (let k = 0; k < 60; k++) stepCell(p, s, 1.0, 60, 25);
    expect(s.totals.ohmicWh).toBeGreaterThan(0);
    expect(s.totals.rcWh).toBeGreaterThan(0);
    expect(s.tempC).toBeGreaterThan(25);
  });
});

describe("cell charge bookkeeping", () => {
  it("stored charge changes by terminal charge minus H2 minus leaks (charge conservation)", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 40 }), (segs) => {
        const p = defaultCellParams("ZnMnO2", 1);
        const s = createCellState(p, 0.5, 25);
        const q0 = s.storedAh;
        for (const g of segs) stepCell(p, s, g.currentA, g.dtS, 25);
        const t = s.totals;
        const expected = q0 + t.chargeInAh - t.chargeOutAh - t.h2Ah - t.leakAh;
        expect(s.storedAh).toBeCloseTo(expected, 12);
      }),
      { numRuns: 100 },
    );
  });

  it("H2 evolution costs a larger share of a smaller charge current", () => {
    const share = (currentA: number): number => {
      const p = defaultCellParams("ZnMnO2", 1);
      const s = createCellState(p, 0.6, 25);
      const dt = 10;
      const steps = Math.round((0.35 * 3600) / currentA / dt); // same charge, 0.35 Ah
      for (let k = 0; k < steps; k++) stepCell(p, s, currentA, dt, 25);
      return s.totals.h2Ah / s.totals.chargeInAh;
    };
    expect(share(0.05)).toBeGreaterThan(share(0.2) * 2);
  });

  it("a lossless cell keeps its capacity and has no side charge", () => {
    const p = losslessCellParams("ZnPBA", 2);
    const s = createCellState(p, 0.3, 25);
    for (let k = 0; k < 500; k++) stepCell(p, s, k % 2 ? 0.4 : -0.4, 120, 25);
    expect(s.capacityRefAh).toBe(2);
    expect(s.totals.h2Ah).toBe(0);
    expect(s.totals.leakAh).toBe(0);
  });
});
