import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBoard } from "../../../host/bundle/buildFirmware";
import {
  appliedValueProblem,
  boardChannelNames,
  channelInfo,
  pointPairProblem,
  toleranceAt,
  valueFromRaw,
} from "../../../host/calibrate/channels";
import { defaultCalibrationPath } from "../../../host/calibrate/calibrationFile";
import { summarize } from "../../../host/calibrate/rawReadings";
import { twoPointCal } from "../../../shared/sensors/calibration";
import type { CurrentChannelDef, VoltageChannelDef } from "../../../shared/config/boardDef";

const BOARDS = ["esp32-ads1115", "esp32-ina226", "esp32-adc"];

/** Chip-input volts the firmware's `cal` command pairs with an actual value (firmware/commands.ts inputVFor). */
function inputVFor(def: VoltageChannelDef | CurrentChannelDef, isCurrent: boolean, actual: number): number {
  if (!isCurrent) return actual / (def as VoltageChannelDef).dividerRatio;
  const c = def as CurrentChannelDef;
  if (c.chip === "esp32adc") return c.senseAmp!.refV + actual * c.polarity * c.senseAmp!.gain * c.shuntOhm;
  return actual * c.polarity * c.shuntOhm;
}

describe("calibration channels", () => {
  it("lists v0…vN and i; an unknown channel is named with the accepted ones", async () => {
    const b = await loadBoard("esp32-ads1115");
    expect(boardChannelNames(b)).toEqual(["v0", "v1", "v2", "v3", "i"]);
    expect(() => channelInfo(b, "v4")).toThrow('unknown channel "v4" on board esp32-ads1115; accepted: v0, v1, v2, v3, i');
    expect(() => channelInfo(b, "t0")).toThrow(/accepted: v0, v1, v2, v3, i/);
  });

  it("ranges: tap k reads up to the ADC input limit × its divider; the ADS1115 shunt reads ±FSR/R", async () => {
    const b = await loadBoard("esp32-ads1115");
    expect(channelInfo(b, "v0").maxValue).toBeCloseTo(3.6, 9); // 3.3 V rail + 0.3 V (SBAS444 abs. max) below the 4.096 V FSR
    expect(channelInfo(b, "v3").maxValue).toBeCloseTo(14.4, 9);
    const i = channelInfo(b, "i");
    expect(i.minValue).toBeCloseTo(-5.12, 9);
    expect(i.maxValue).toBeCloseTo(5.12, 9);
    expect(appliedValueProblem(i, 6)).toBe("6 A is outside what channel i can read (-5.12 to 5.12 A)");
    expect(appliedValueProblem(i, NaN)).toMatch(/not a number/);
    expect(appliedValueProblem(i, -1)).toBeNull();
    expect(pointPairProblem(i, 1, 1.5)).toMatch(/closer than 1.024 A/);
    expect(pointPairProblem(i, -1, 1)).toBeNull();
  });

  it.each(BOARDS)("%s: suggested points lie inside each channel's range", async (id) => {
    const b = await loadBoard(id);
    for (const n of boardChannelNames(b)) {
      const info = channelInfo(b, n);
      for (const s of info.suggested) expect(appliedValueProblem(info, s), `${id} ${n} ${s}`).toBeNull();
      expect(pointPairProblem(info, info.suggested[0], info.suggested[1])).toBeNull();
    }
  });

  it.each(BOARDS)("%s: a cal built as the firmware builds it maps the two raw codes back to the two applied values (property)", async (id) => {
    const b = await loadBoard(id);
    for (const n of boardChannelNames(b)) {
      const info = channelInfo(b, n);
      const edge = 1e-6 * (info.maxValue - info.minValue); // the ADC's span ends are NaN on the board (float rounding at the edge)
      fc.assert(
        fc.property(
          fc.double({ min: info.minValue + edge, max: info.maxValue - edge, noNaN: true }),
          fc.double({ min: info.minValue + edge, max: info.maxValue - edge, noNaN: true }),
          fc.integer({ min: 100, max: 3000 }),
          fc.integer({ min: 10, max: 1000 }),
          (a1, a2, raw1, dRaw) => {
            fc.pre(Math.abs(a2 - a1) > 1e-3 * (info.maxValue - info.minValue));
            const isI = info.kind === "current";
            const v1 = inputVFor(info.def, isI, a1);
            const v2 = inputVFor(info.def, isI, a2);
            const [r1, r2] = v2 > v1 ? [raw1, raw1 + dRaw] : [raw1 + dRaw, raw1];
            const cal = twoPointCal(r1, v1, r2, v2);
            const tol = 1e-9 * (info.maxValue - info.minValue);
            expect(Math.abs(valueFromRaw(info, cal, r1) - a1)).toBeLessThan(tol);
            expect(Math.abs(valueFromRaw(info, cal, r2) - a2)).toBeLessThan(tol);
          },
        ),
        { numRuns: 50 },
      );
    }
  });

  it("tolerance: the data-sheet worst case grows with |value| (ADS1115 board: 1.5 mV + 0.15 % + 1 LSB)", async () => {
    const b = await loadBoard("esp32-ads1115");
    const v = channelInfo(b, "v0");
    expect(toleranceAt(b, v, 1)).toBeCloseTo(0.0015 + 0.0015 + 0.0005, 9);
    expect(toleranceAt(b, v, 2)).toBeGreaterThan(toleranceAt(b, v, 1));
    const i = channelInfo(b, "i");
    expect(toleranceAt(b, i, -1)).toBe(toleranceAt(b, i, 1));
  });
});

describe("calibration file and readings", () => {
  it("default path is calibration/<board>-<date>.json, numbered when it exists", () => {
    const dir = mkdtempSync(join(tmpdir(), "zbms-calpath-"));
    const d = new Date("2026-11-24T21:00:00Z");
    const p1 = defaultCalibrationPath("esp32-adc", d, dir);
    expect(p1).toBe(join(dir, "esp32-adc-2026-11-24.json"));
    writeFileSync(p1, "{}");
    const p2 = defaultCalibrationPath("esp32-adc", d, dir);
    expect(p2).toBe(join(dir, "esp32-adc-2026-11-24-2.json"));
    expect(existsSync(p2)).toBe(false);
  });

  it("summarize: mean and max − min", () => {
    expect(summarize([10, 12, 11, 15])).toEqual({ codes: [10, 12, 11, 15], meanCode: 12, spreadCode: 5 });
  });
});
