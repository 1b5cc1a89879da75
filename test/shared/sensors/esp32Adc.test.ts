import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { twoPointCal } from "../../../shared/sensors/calibration";
import {
  ESP32_ADC_MAX_CODE,
  ESP32_ATTEN_DEFAULT_DB,
  esp32CodeFromFraction,
  esp32FractionFromCode,
  esp32InputVolts,
  esp32PinVolts,
  esp32RangeIndex,
} from "../../../shared/sensors/esp32Adc";

// A plausible per-channel fit at 11 dB: code 200 ↔ 0.20 V, code 3000 ↔ 2.40 V.
const CAL = twoPointCal(200, 0.2, 3000, 2.4);

describe("ESP32 ADC via Espruino's analogRead (raw / 4096)", () => {
  it("fraction ↔ code", () => {
    expect(esp32CodeFromFraction(2048 / 4096)).toBe(2048);
    expect(esp32CodeFromFraction(4095 / 4096)).toBe(4095);
    expect(esp32FractionFromCode(1024)).toBe(0.25);
    expect(esp32CodeFromFraction(1)).toBeNaN(); // 4096 is not a code
    expect(esp32CodeFromFraction(-0.001)).toBeNaN();
    expect(esp32CodeFromFraction(0.12345)).toBeNaN(); // not a whole code
    expect(esp32CodeFromFraction(NaN)).toBeNaN();
  });
  it("calibrated pin volts in the 11 dB effective range", () => {
    expect(esp32PinVolts(1600 / 4096, CAL, ESP32_ATTEN_DEFAULT_DB)).toBeCloseTo(1.3, 12);
    expect(esp32InputVolts(1600 / 4096, CAL, 11, 2)).toBeCloseTo(2.6, 12);
  });
  it("rails (0, 4095) are invalid: open or shorted input, or out of range", () => {
    expect(esp32PinVolts(0, CAL, 11)).toBeNaN();
    expect(esp32PinVolts(ESP32_ADC_MAX_CODE / 4096, CAL, 11)).toBeNaN();
  });
  it("outside the effective range of the attenuation is invalid, not clamped", () => {
    expect(esp32PinVolts(100 / 4096, CAL, 11)).toBeNaN(); // 0.1 V < 150 mV
    expect(esp32PinVolts(3100 / 4096, CAL, 11)).toBeNaN(); // 2.48 V > 2450 mV
    expect(esp32PinVolts(1000 / 4096, CAL, 0)).toBeCloseTo(0.8285714, 6); // inside 0 dB's 100–950 mV
    expect(esp32PinVolts(1300 / 4096, CAL, 0)).toBeNaN(); // 1.064 V > 950 mV at 0 dB
    expect(esp32PinVolts(1600 / 4096, CAL, 3)).toBeNaN(); // unknown attenuation
    expect(esp32RangeIndex(2.5)).toBe(1);
  });
  it("every valid result lies inside the effective range (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4095 }), fc.constantFrom(0, 2.5, 6, 11), (code, att) => {
        const v = esp32PinVolts(code / 4096, CAL, att);
        if (!isNaN(v)) {
          const k = esp32RangeIndex(att);
          expect(v).toBeGreaterThanOrEqual([0.1, 0.1, 0.15, 0.15][k]);
          expect(v).toBeLessThanOrEqual([0.95, 1.25, 1.75, 2.45][k]);
          expect(code).toBeGreaterThan(0);
          expect(code).toBeLessThan(4095);
        }
      }),
    );
  });
});
