/**
 * The declared-chain rule (host/boardDesign/declaredChain.ts): a pack may not declare a sensor
 * chain better than its board delivers on the channels it uses; `zbms calibrate`'s calibrated
 * ESP32-ADC cell-voltage terms are the floor only when calibrated. Floors checked against
 * hand-computed data-sheet figures.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import path from "node:path";
import { loadBoard } from "../../../host/boardDesign/generate";
import { boardSensorChain } from "../../../host/boardDesign/accuracy";
import { chainFloor, chainShortfalls, describeShortfalls } from "../../../host/boardDesign/declaredChain";
import { packMaxCellV } from "../../../host/boardDesign/packFit";
import { defaultPackConfig } from "../../../shared/config/defaults";
import type { SensorChainConfig } from "../../../shared/config/packConfig";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const BOARDS = ["esp32-ads1115", "esp32-ina226", "esp32-adc"];

/** ESP32 ADC total error at 11 dB: ±60 mV (ESP32 data sheet, ADC characteristics); 2.3 V calibrated span (150–2450 mV). */
const ESP32_TOTAL_ERR_V = 0.06;
const ESP32_SPAN_V = 2.3;
/** ESP32 ADC INL ±12 LSB of 3.1 V / 4096 (the calibrated chain's residual). */
const ESP32_INL_V = (12 * 3.1) / 4096;

/** A Zn‖MnO2 pack of `n` cells: over-voltage alarm limit 1.9 V (the chain's largest cell voltage). */
const mn = (n: number) => defaultPackConfig("ZnMnO2", n, 2);

describe("chainFloor: the board's data-sheet chain on the pack's channels", () => {
  it("esp32-adc, 1 cell: 60 mV × divider 1; current 60 mV / (10 mΩ × gain 50) = 0.12 A; calibrated: the INL", () => {
    const b = loadBoard(repoRoot, "esp32-adc");
    const f = chainFloor(b, mn(1), false);
    expect(f.voltageOffsetV).toBeCloseTo(ESP32_TOTAL_ERR_V, 12);
    expect(f.voltageGainErrFrac).toBeCloseTo(ESP32_TOTAL_ERR_V / ESP32_SPAN_V, 12);
    expect(f.currentOffsetA).toBeCloseTo(ESP32_TOTAL_ERR_V / (0.01 * 50), 12);
    // top cell = tap 3 (divider 4) − tap 2 (divider 3), lower cells at the 1.9 V alarm limit (accuracy.ts cellVoltageTerms)
    const g = ESP32_TOTAL_ERR_V / ESP32_SPAN_V;
    expect(chainFloor(b, mn(4), false).voltageOffsetV).toBeCloseTo((4 + 3) * ESP32_TOTAL_ERR_V + 2 * g * 3 * 1.9, 12);
    // each cell's own: cell k = tap k (divider k + 1) − tap k−1 (divider k), the k cells below at 1.9 V; cell 0 one tap
    const cells = chainFloor(b, mn(4), false).cellVoltageOffsetV!;
    expect(cells.length).toBe(4);
    cells.forEach((x, k) => expect(x, `cell ${k}`).toBeCloseTo(k === 0 ? ESP32_TOTAL_ERR_V : (2 * k + 1) * ESP32_TOTAL_ERR_V + 2 * g * k * 1.9, 12));
    expect(chainFloor(b, mn(4), true).cellVoltageOffsetV![0], "calibrated: the INL on tap 0").toBeCloseTo(ESP32_INL_V, 12);
    const c = chainFloor(b, mn(1), true);
    expect(c.voltageOffsetV).toBeCloseTo(ESP32_INL_V, 12);
    expect(c.voltageGainErrFrac).toBeCloseTo(ESP32_INL_V / ESP32_SPAN_V, 12);
    expect(c.currentOffsetA, "calibration does not lower the current terms").toBe(f.currentOffsetA);
  });

  it("esp32-ads1115 has no calibrated chain: calibrated or not, the data-sheet floor", () => {
    const b = loadBoard(repoRoot, "esp32-ads1115");
    expect(chainFloor(b, mn(4), true)).toEqual(chainFloor(b, mn(4), false));
  });
});

/** `c` with every number term and every per-cell entry mapped by `f`. */
function mapTerms(c: SensorChainConfig, f: (x: number) => number): SensorChainConfig {
  const out = { ...c };
  for (const k of Object.keys(c) as (keyof SensorChainConfig)[]) {
    const x = c[k]!;
    (out as Record<string, unknown>)[k] = Array.isArray(x) ? x.map(f) : f(x);
  }
  return out;
}

describe("chainShortfalls", () => {
  it("refuses every term below the floor, naming field, declared value and the board's value", () => {
    const b = loadBoard(repoRoot, "esp32-adc");
    const declared: SensorChainConfig = { ...chainFloor(b, mn(1), false), voltageOffsetV: 0.000375, currentOffsetA: 0.0005 };
    const s = chainShortfalls(declared, b, mn(1), false);
    expect(s.map((x) => x.field)).toEqual(["currentOffsetA", "voltageOffsetV"]);
    const text = describeShortfalls(s, b, mn(1), false).join("\n");
    expect(text).toContain("sensorChain.voltageOffsetV = 0.000375 is better than board esp32-adc delivers for 1 cell: its data-sheet worst case is 0.06");
    expect(text).toContain("sensorChain.currentOffsetA = 0.0005 is better than board esp32-adc delivers for 1 cell: its data-sheet worst case is 0.12");
  });

  it("accepts the board's own chain and any worse one, on every board and cell count (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...BOARDS), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.array(fc.double({ min: 1, max: 100, noNaN: true }), { minLength: 8, maxLength: 8 }), (id, n, calibrated, factors) => {
        const b = loadBoard(repoRoot, id);
        const own = boardSensorChain(b, n, packMaxCellV(mn(n)));
        let i = 0;
        const worse = mapTerms(own, (x) => x * factors[i++ % factors.length]!);
        expect(chainShortfalls(own, b, mn(n), calibrated)).toEqual([]);
        expect(chainShortfalls(worse, b, mn(n), calibrated)).toEqual([]);
        // a file's 12 significant digits of the board's own chain still pass
        expect(chainShortfalls(mapTerms(own, (x) => Number(x.toPrecision(12))), b, mn(n), false)).toEqual([]);
      }),
    );
  });

  it("any one data-sheet term halved is refused, that term only", () => {
    for (const id of BOARDS) {
      const b = loadBoard(repoRoot, id);
      const own = boardSensorChain(b, 2, packMaxCellV(mn(2)));
      for (const k of Object.keys(own) as (keyof SensorChainConfig)[]) {
        const x = own[k]!;
        if (Array.isArray(x)) {
          // each cell's own offset against that cell's floor
          x.forEach((e, c) => {
            const list = x.slice();
            list[c] = e / 2;
            expect(chainShortfalls({ ...own, [k]: list }, b, mn(2), false), `${id} ${k}[${c}]`).toEqual([{ field: `${k}[${c}]`, declared: e / 2, floor: e }]);
          });
          continue;
        }
        const s = chainShortfalls({ ...own, [k]: x / 2 }, b, mn(2), false);
        expect(s, `${id} ${k}`).toEqual([{ field: k, declared: x / 2, floor: x }]);
      }
    }
  });

  it("the terms zbms calibrate sets (boardSensorChain calibrated) pass only as calibrated, and the uncalibrated ones always", () => {
    for (const id of ["esp32-ina226", "esp32-adc"]) {
      const b = loadBoard(repoRoot, id);
      for (const n of [1, 2, 4]) {
        const cal = boardSensorChain(b, n, packMaxCellV(mn(n)), true);
        const sent = { voltageOffsetV: cal.voltageOffsetV, voltageGainErrFrac: cal.voltageGainErrFrac };
        expect(chainShortfalls(sent, b, mn(n), true), `${id} ${n}`).toEqual([]);
        expect(chainShortfalls(sent, b, mn(n), false).map((x) => x.field), `${id} ${n}`).toEqual(["voltageOffsetV", "voltageGainErrFrac"]);
        const uncal = boardSensorChain(b, n, packMaxCellV(mn(n)), false);
        expect(chainShortfalls({ voltageOffsetV: uncal.voltageOffsetV, voltageGainErrFrac: uncal.voltageGainErrFrac }, b, mn(n), false)).toEqual([]);
      }
    }
  });
});
