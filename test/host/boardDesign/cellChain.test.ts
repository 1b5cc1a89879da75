/**
 * Per-cell sensor chain of a board (host/boardDesign/accuracy.ts boardSensorChain): on tap-wired
 * boards the firmware takes cell k = tap k − tap k−1 (firmware/sensors.ts finishRead), so both
 * taps' errors add and each tap's gain error applies to its whole tap voltage. Known answers
 * computed by hand from the data sheets, and a property: tap errors anywhere inside their
 * data-sheet bounds give cell errors inside the declared per-cell chain, at any cell voltages in
 * the chemistry's window; and the bound is reached (not looser than the worst case).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import path from "node:path";
import { loadBoard } from "../../../host/boardDesign/generate";
import { boardSensorChain, boardTapChain } from "../../../host/boardDesign/accuracy";
import { maxCellsFor, packMaxCellV } from "../../../host/boardDesign/packFit";
import { defaultPackConfig } from "../../../shared/config/defaults";
import { CHEMISTRY_IDS, CHEMISTRY_PRESETS, type ChemistryId } from "../../../shared/chemistry/presets";
import type { BoardDef, VoltageChannelDef } from "../../../shared/config/boardDef";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const BOARDS = ["esp32-ads1115", "esp32-ina226", "esp32-adc"];

// Data-sheet figures, written out here independently of shared/config/defaults.ts:
/** ESP32 ADC at 11 dB: total error ±60 mV over the 150–2450 mV span (ESP32 data sheet, ADC characteristics). */
const ESP32_TOTAL_V = 0.06;
const ESP32_SPAN_V = 2.3;
const ESP32_LSB_V = 3.1 / 4096;
/** After zbms calibrate: INL ±12 LSB. */
const ESP32_INL_V = 12 * ESP32_LSB_V;
/** ADS1115 (SBAS444): offset ±3 LSB, gain error 0.15 %, LSB = FSR / 32768. */
const ADS_OFFSET_LSB = 3;
const ADS_GAIN = 0.0015;

/** One tap's data-sheet bound: |error| ≤ offset + gain × tap volts (+ ½ LSB rounding). */
function tapBound(ch: VoltageChannelDef, calibrated: boolean): { offsetV: number; gain: number; lsbV: number } {
  if (ch.chip === "esp32adc") {
    const at = calibrated ? ESP32_INL_V : ESP32_TOTAL_V;
    return { offsetV: at * ch.dividerRatio, gain: at / ESP32_SPAN_V, lsbV: ESP32_LSB_V * ch.dividerRatio };
  }
  const lsbV = (ch.pgaFsrV / 32768) * ch.dividerRatio;
  return { offsetV: ADS_OFFSET_LSB * lsbV, gain: ADS_GAIN, lsbV };
}

/** Cell voltages as the firmware computes them from tap readings (taps: differences). */
function cellsFromTaps(b: BoardDef, tapV: number[]): number[] {
  return tapV.map((v, k) => (b.cellWiring === "taps" && k > 0 ? v - tapV[k - 1]! : v));
}

const maxV = (chem: ChemistryId, n: number) => packMaxCellV(defaultPackConfig(chem, n, 2));

describe("boardSensorChain: per cell, worst cell of the pack (known answers)", () => {
  const g = ESP32_TOTAL_V / ESP32_SPAN_V; // 2.6087 %

  it("4S Zn‖MnO2 on the ESP32 ADC, uncalibrated: top cell = tap 3 (÷4) − tap 2 (÷3), lower cells at the 1.9 V alarm limit", () => {
    for (const id of ["esp32-adc", "esp32-ina226"]) {
      const c = boardSensorChain(loadBoard(repoRoot, id), 4, maxV("ZnMnO2", 4));
      // 240 mV + 180 mV + (2.6087 % + 2.6087 %) × 3 × 1.9 V = 420 + 297.39 = 717.39 mV
      expect(c.voltageOffsetV, id).toBeCloseTo(0.717391304, 8);
      expect(c.voltageGainErrFrac, id).toBeCloseTo(g, 12);
      expect(c.voltageLsbV, id).toBeCloseTo(4 * ESP32_LSB_V, 12);
      // at cells of 1.8 V (the chemistry's window top): 420 + 0.052174 × 5.4 V + 0.026087 × 1.8 V = 748.7 mV,
      // where the single-tap figure said 240 mV + 2.6087 % × 1.8 V = 287 mV
      const at18 = boardSensorChain(loadBoard(repoRoot, id), 4, 1.8);
      expect(at18.voltageOffsetV + at18.voltageGainErrFrac * 1.8).toBeCloseTo(0.748696, 5);
    }
  });

  it("the same after zbms calibrate: 7 × INL (9.08 mV) + 2 × (INL / 2.3 V) × 3 × 1.9 V = 108.6 mV, gain INL / 2.3 V", () => {
    const c = boardSensorChain(loadBoard(repoRoot, "esp32-adc"), 4, 1.9, true);
    expect(c.voltageOffsetV).toBeCloseTo(0.10858950, 7);
    expect(c.voltageGainErrFrac).toBeCloseTo(ESP32_INL_V / ESP32_SPAN_V, 12);
  });

  it("2S Zn‖PBA on esp32-ina226 (alarm limit 2.1 V): cell 1 = 120 + 60 mV + 2 × 2.6087 % × 2.1 V = 289.57 mV", () => {
    const c = boardSensorChain(loadBoard(repoRoot, "esp32-ina226"), 2, maxV("ZnPBA", 2));
    expect(maxV("ZnPBA", 2)).toBe(2.1);
    expect(c.voltageOffsetV).toBeCloseTo(0.289565217, 8);
    expect(c.voltageGainErrFrac).toBeCloseTo(g, 12);
    expect(c.voltageLsbV).toBeCloseTo(2 * ESP32_LSB_V, 12);
  });

  it("1S is tap 0 alone, unchanged: 60 mV, 2.6087 %, 0.757 mV; current terms as before", () => {
    const b = loadBoard(repoRoot, "esp32-adc");
    const c = boardSensorChain(b, 1, maxV("ZnI2", 1));
    expect(c.voltageOffsetV).toBeCloseTo(ESP32_TOTAL_V, 12);
    expect(c.voltageGainErrFrac).toBeCloseTo(g, 12);
    expect(c.voltageLsbV).toBeCloseTo(ESP32_LSB_V, 12);
    expect(c.currentOffsetA).toBeCloseTo(ESP32_TOTAL_V / (0.01 * 50), 12);
    expect(boardSensorChain(b, 1, 5)).toEqual(c); // no tap below: the cell voltage limit does not enter
  });

  it("4S Zn‖MnO2 on the ADS1115 taps: 1.5 + 1.125 mV + 2 × 0.15 % × 3 × 1.9 V = 19.725 mV; current mismatch INL 1 LSB + 40 ppm/°C × 2 °C", () => {
    const c = boardSensorChain(loadBoard(repoRoot, "esp32-ads1115"), 4, maxV("ZnMnO2", 4));
    expect(c.voltageOffsetV).toBeCloseTo(0.019725, 12);
    expect(c.voltageGainErrFrac).toBeCloseTo(ADS_GAIN, 12);
    expect(c.voltageLsbV).toBeCloseTo(0.0005, 12);
    expect(c.currentGainMismatchFrac).toBeCloseTo(1 / 32768 + 40e-6 * 2, 12);
  });

  it("directly wired cells (cellWiring \"cells\"): each cell is its own channel, no tap difference", () => {
    const b: BoardDef = { ...loadBoard(repoRoot, "esp32-adc"), cellWiring: "cells" };
    const c = boardSensorChain(b, 4, 1.9);
    expect(c.voltageOffsetV).toBeCloseTo(4 * ESP32_TOTAL_V, 12);
    expect(c.voltageGainErrFrac).toBeCloseTo(g, 12);
  });

  it("boardTapChain (zbms calibrate's per-reading tolerance) stays one tap at the largest divider", () => {
    const t = boardTapChain(loadBoard(repoRoot, "esp32-adc"));
    expect(t.voltageOffsetV).toBeCloseTo(4 * ESP32_TOTAL_V, 12);
    expect(t.voltageGainErrFrac).toBeCloseTo(g, 12);
  });
});

describe("boardSensorChain bounds every cell's error (property)", () => {
  it("tap errors inside their data-sheet bounds, cells anywhere in the chemistry's window: |cell error| ≤ offset + gain × cell V + 1 LSB", () => {
    const arb = fc.record({
      id: fc.constantFrom(...BOARDS),
      chem: fc.constantFrom(...CHEMISTRY_IDS),
      n: fc.integer({ min: 1, max: 4 }),
      calibrated: fc.boolean(),
      cellFrac: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
      // where each tap's error sits in its bound (±1 = the bound; extremes weighted in) and its rounding
      errFrac: fc.array(fc.oneof(fc.constantFrom(-1, 1), fc.double({ min: -1, max: 1, noNaN: true })), { minLength: 4, maxLength: 4 }),
      roundFrac: fc.array(fc.double({ min: -0.5, max: 0.5, noNaN: true }), { minLength: 4, maxLength: 4 }),
    });
    fc.assert(
      fc.property(arb, ({ id, chem, n, calibrated, cellFrac, errFrac, roundFrac }) => {
        const b = loadBoard(repoRoot, id);
        const vMax = maxV(chem, n);
        const cells = Math.min(n, maxCellsFor(b, vMax));
        const p = CHEMISTRY_PRESETS[chem];
        const trueCell = cellFrac.slice(0, cells).map((f) => p.minCellV + f * (p.maxCellV - p.minCellV));
        const trueTap = trueCell.map((_, k) => (b.cellWiring === "taps" ? trueCell.slice(0, k + 1).reduce((a, x) => a + x, 0) : trueCell[k]!));
        const readTap = trueTap.map((v, k) => {
          const t = tapBound(b.voltages[k]!, calibrated);
          return v + errFrac[k]! * (t.offsetV + t.gain * v) + roundFrac[k]! * t.lsbV;
        });
        const readCell = cellsFromTaps(b, readTap);
        const chain = boardSensorChain(b, cells, vMax, calibrated);
        for (let k = 0; k < cells; k++) {
          const bound = chain.voltageOffsetV + chain.voltageGainErrFrac * trueCell[k]! + chain.voltageLsbV;
          expect(Math.abs(readCell[k]! - trueCell[k]!), `${id} ${chem} cell ${k}/${cells}`).toBeLessThanOrEqual(bound * (1 + 1e-12));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("the bound is reached: lower cells at the limit, the two taps' errors at opposite extremes (and the single-tap figure is exceeded)", () => {
    for (const id of BOARDS) {
      const b = loadBoard(repoRoot, id);
      for (const chem of CHEMISTRY_IDS) {
        const vMax = maxV(chem, 4);
        const n = maxCellsFor(b, vMax);
        const k = n - 1;
        const cellV = CHEMISTRY_PRESETS[chem].minCellV;
        const below = k * vMax;
        const t = tapBound(b.voltages[k]!, false);
        const u = tapBound(b.voltages[k - 1]!, false);
        const err = t.offsetV + t.gain * (below + cellV) + (u.offsetV + u.gain * below);
        const chain = boardSensorChain(b, n, vMax);
        expect(chain.voltageOffsetV + chain.voltageGainErrFrac * cellV, `${id} ${chem}`).toBeCloseTo(err, 12);
        expect(err, `${id} ${chem}: one tap's offset + gain × cell is too small`).toBeGreaterThan(t.offsetV + t.gain * cellV);
      }
    }
  });
});
