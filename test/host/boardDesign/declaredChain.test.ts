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
import { boardSensorChain, esp32VoltageTerms } from "../../../host/boardDesign/accuracy";
import { chainFloor, chainShortfalls, describeShortfalls } from "../../../host/boardDesign/declaredChain";
import type { SensorChainConfig } from "../../../shared/config/packConfig";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const BOARDS = ["esp32-ads1115", "esp32-ina226", "esp32-adc"];

/** ESP32 ADC total error at 11 dB: ±60 mV (ESP32 data sheet, ADC characteristics); 2.3 V calibrated span (150–2450 mV). */
const ESP32_TOTAL_ERR_V = 0.06;
const ESP32_SPAN_V = 2.3;
/** ESP32 ADC INL ±12 LSB of 3.1 V / 4096 (the calibrated chain's residual). */
const ESP32_INL_V = (12 * 3.1) / 4096;

describe("chainFloor: the board's data-sheet chain on the pack's channels", () => {
  it("esp32-adc, 1 cell: 60 mV × divider 1; current 60 mV / (10 mΩ × gain 50) = 0.12 A; calibrated: the INL", () => {
    const b = loadBoard(repoRoot, "esp32-adc");
    const f = chainFloor(b, 1, false);
    expect(f.voltageOffsetV).toBeCloseTo(ESP32_TOTAL_ERR_V, 12);
    expect(f.voltageGainErrFrac).toBeCloseTo(ESP32_TOTAL_ERR_V / ESP32_SPAN_V, 12);
    expect(f.currentOffsetA).toBeCloseTo(ESP32_TOTAL_ERR_V / (0.01 * 50), 12);
    expect(chainFloor(b, 4, false).voltageOffsetV).toBeCloseTo(4 * ESP32_TOTAL_ERR_V, 12); // top tap: divider 4
    const c = chainFloor(b, 1, true);
    expect(c.voltageOffsetV).toBeCloseTo(ESP32_INL_V, 12);
    expect(c.voltageGainErrFrac).toBeCloseTo(ESP32_INL_V / ESP32_SPAN_V, 12);
    expect(c.currentOffsetA, "calibration does not lower the current terms").toBe(f.currentOffsetA);
  });

  it("esp32-ads1115 has no calibrated chain: calibrated or not, the data-sheet floor", () => {
    const b = loadBoard(repoRoot, "esp32-ads1115");
    expect(chainFloor(b, 4, true)).toEqual(chainFloor(b, 4, false));
  });
});

describe("chainShortfalls", () => {
  it("refuses every term below the floor, naming field, declared value and the board's value", () => {
    const b = loadBoard(repoRoot, "esp32-adc");
    const declared: SensorChainConfig = { ...chainFloor(b, 1, false), voltageOffsetV: 0.000375, currentOffsetA: 0.0005 };
    const s = chainShortfalls(declared, b, 1, false);
    expect(s.map((x) => x.field)).toEqual(["currentOffsetA", "voltageOffsetV"]);
    const text = describeShortfalls(s, b, 1, false).join("\n");
    expect(text).toContain("sensorChain.voltageOffsetV = 0.000375 is better than board esp32-adc delivers for 1 cell: its data-sheet worst case is 0.06");
    expect(text).toContain("sensorChain.currentOffsetA = 0.0005 is better than board esp32-adc delivers for 1 cell: its data-sheet worst case is 0.12");
  });

  it("accepts the board's own chain and any worse one, on every board and cell count (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...BOARDS), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.array(fc.double({ min: 1, max: 100, noNaN: true }), { minLength: 8, maxLength: 8 }), (id, n, calibrated, factors) => {
        const b = loadBoard(repoRoot, id);
        const own = boardSensorChain(b, n);
        const worse = { ...own };
        (Object.keys(worse) as (keyof SensorChainConfig)[]).forEach((k, i) => (worse[k] = own[k] * factors[i]!));
        expect(chainShortfalls(own, b, n, calibrated)).toEqual([]);
        expect(chainShortfalls(worse, b, n, calibrated)).toEqual([]);
        // a file's 12 significant digits of the board's own chain still pass
        const rounded = { ...own };
        for (const k of Object.keys(rounded) as (keyof SensorChainConfig)[]) rounded[k] = Number(own[k].toPrecision(12));
        expect(chainShortfalls(rounded, b, n, false)).toEqual([]);
      }),
    );
  });

  it("any one data-sheet term halved is refused, that term only", () => {
    for (const id of BOARDS) {
      const b = loadBoard(repoRoot, id);
      const own = boardSensorChain(b, 2);
      for (const k of Object.keys(own) as (keyof SensorChainConfig)[]) {
        const s = chainShortfalls({ ...own, [k]: own[k] / 2 }, b, 2, false);
        expect(s, `${id} ${k}`).toEqual([{ field: k, declared: own[k] / 2, floor: own[k] }]);
      }
    }
  });

  it("the terms zbms calibrate sets (esp32VoltageTerms) pass only as calibrated, and the uncalibrated ones always", () => {
    for (const id of ["esp32-ina226", "esp32-adc"]) {
      const b = loadBoard(repoRoot, id);
      for (const n of [1, 2, 4]) {
        const cells = [...Array(n).keys()];
        const cal = esp32VoltageTerms(b, cells, true)!;
        const sent = { voltageOffsetV: cal.voltageOffsetV, voltageGainErrFrac: cal.voltageGainErrFrac };
        expect(chainShortfalls(sent, b, n, true), `${id} ${n}`).toEqual([]);
        expect(chainShortfalls(sent, b, n, false).map((x) => x.field), `${id} ${n}`).toEqual(["voltageOffsetV", "voltageGainErrFrac"]);
        const uncal = esp32VoltageTerms(b, cells, false)!;
        expect(chainShortfalls({ voltageOffsetV: uncal.voltageOffsetV, voltageGainErrFrac: uncal.voltageGainErrFrac }, b, n, false)).toEqual([]);
      }
    }
  });
});
