import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  INA226_CONFIG_RESET,
  INA226_MODE_SHUNT_BUS_CONTINUOUS,
  ina226AppliedCurrentLsbA,
  ina226BusCode,
  ina226BusVolts,
  ina226CalibrationWord,
  ina226ConfigAvg,
  ina226ConfigBusCt,
  ina226ConfigMode,
  ina226ConfigShuntCt,
  ina226ConfigWord,
  ina226CurrentA,
  ina226CurrentRegister,
  ina226MinCurrentLsbA,
  ina226PowerRegister,
  ina226PowerW,
  ina226ShuntCode,
  ina226ShuntVolts,
  ina226UpdatePeriodMs,
} from "../../../shared/sensors/ina226";

// SBOS547 Table 1 "Configure/Measure/Calculate Example": load 10 A, VCM = 12 V, RSHUNT = 2 mΩ.
const R_SHUNT_OHM = 0.002;
const CURRENT_LSB_A = 0.001;

describe("INA226 against the data sheet's worked example (SBOS547 Table 1)", () => {
  it("configuration register reset value 4127h decodes to AVG 1, 1.1 ms, 1.1 ms, shunt+bus continuous", () => {
    expect(ina226ConfigWord(0, 4, 4, INA226_MODE_SHUNT_BUS_CONTINUOUS)).toBe(0x4127);
    expect(ina226ConfigAvg(INA226_CONFIG_RESET)).toBe(0);
    expect(ina226ConfigBusCt(INA226_CONFIG_RESET)).toBe(4);
    expect(ina226ConfigShuntCt(INA226_CONFIG_RESET)).toBe(4);
    expect(ina226ConfigMode(INA226_CONFIG_RESET)).toBe(7);
    expect(ina226UpdatePeriodMs(INA226_CONFIG_RESET)).toBeCloseTo(2.2, 12);
  });
  it("calibration register: 0.00512 / (1 mA × 2 mΩ) = 2560 = A00h", () => {
    expect(ina226CalibrationWord(CURRENT_LSB_A, R_SHUNT_OHM)).toBe(0x0a00);
    expect(ina226AppliedCurrentLsbA(0x0a00, R_SHUNT_OHM)).toBeCloseTo(CURRENT_LSB_A, 15);
  });
  it("shunt 1F40h = 8000 → 20 mV; bus 2570h = 9584 → 11.98 V", () => {
    expect(ina226ShuntVolts(0x1f40)).toBeCloseTo(0.02, 12);
    expect(ina226BusVolts(0x2570)).toBeCloseTo(11.98, 12);
    expect(ina226ShuntCode(0.02)).toBe(0x1f40);
    expect(ina226BusCode(11.98)).toBe(0x2570);
  });
  it("current 2710h = 10000 → 10 A; power 12B8h = 4792 → 119.8 W", () => {
    expect(ina226CurrentRegister(0x1f40, 0x0a00)).toBe(0x2710);
    expect(ina226CurrentA(0x2710, CURRENT_LSB_A)).toBeCloseTo(10, 12);
    expect(ina226PowerRegister(0x2710, 0x2570)).toBe(0x12b8);
    expect(ina226PowerW(0x12b8, CURRENT_LSB_A)).toBeCloseTo(119.8, 9);
  });
  it("Equation 2: minimum Current_LSB for 8.192 A is 250 µA", () => {
    expect(ina226MinCurrentLsbA(8.192)).toBeCloseTo(250e-6, 15);
  });
});

describe("INA226 invalid readings are NaN, never clamped", () => {
  it("clipped shunt and current codes", () => {
    expect(ina226ShuntVolts(0x7fff)).toBeNaN();
    expect(ina226ShuntVolts(0x8000)).toBeNaN();
    expect(ina226CurrentA(0x7fff, CURRENT_LSB_A)).toBeNaN();
    expect(ina226CurrentA(0x8000, CURRENT_LSB_A)).toBeNaN();
    expect(ina226ShuntVolts(0x7ffe)).toBeCloseTo(32766 * 2.5e-6, 12);
    expect(ina226ShuntVolts(0xffff)).toBeCloseTo(-2.5e-6, 15);
  });
  it("bus register with bit 15 set, above 36 V, or not a code", () => {
    expect(ina226BusVolts(0x8000)).toBeNaN();
    expect(ina226BusVolts(0x7fff)).toBeNaN();
    expect(ina226BusVolts(36 / 1.25e-3 + 1)).toBeNaN();
    expect(ina226BusVolts(1.5)).toBeNaN();
    expect(ina226BusVolts(NaN)).toBeNaN();
  });
  it("calibration that does not fit 15 bits is refused", () => {
    expect(ina226CalibrationWord(1e-6, 0.001)).toBeNaN(); // 5 120 000
    expect(ina226CalibrationWord(10, 1)).toBeNaN(); // 0.000512 → 0
    expect(ina226CalibrationWord(0, 1)).toBeNaN();
  });
  it("config fields out of range", () => {
    expect(ina226ConfigWord(8, 0, 0, 7)).toBeNaN();
    expect(ina226ConfigWord(0, 0, 0, -1)).toBeNaN();
  });
});

describe("INA226 properties", () => {
  it("shunt code ↔ volts round trip within half an LSB inside the range", () => {
    fc.assert(
      fc.property(fc.double({ min: -0.0819, max: 0.0819, noNaN: true }), (v) => {
        const back = ina226ShuntVolts(ina226ShuntCode(v));
        expect(Math.abs(back - v)).toBeLessThanOrEqual(1.25e-6 + 1e-15);
      }),
    );
  });
  it("current register = shunt × CAL / 2048 agrees with shunt V / R within one applied LSB", () => {
    fc.assert(
      fc.property(fc.integer({ min: -32767, max: 32766 }), fc.integer({ min: 1, max: 0x7fff }), (s, cal) => {
        const raw = s < 0 ? s + 65536 : s;
        const curRaw = ina226CurrentRegister(raw, cal);
        const r = 0.01;
        const lsb = ina226AppliedCurrentLsbA(cal, r);
        const i = ina226CurrentA(curRaw, lsb);
        if (isNaN(i)) return; // clipped: 16-bit current overflow at this CAL
        expect(Math.abs(i - ina226ShuntVolts(raw) / r)).toBeLessThanOrEqual(lsb * (1 + 1e-9));
      }),
    );
  });
});
