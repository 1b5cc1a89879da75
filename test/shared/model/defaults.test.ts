import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { defaultPackConfig, defaultShuntOhm, esp32AdcSensorChain, ina226SensorChain, INA226_SHUNT_FULL_SCALE_V } from "../../../shared/config/defaults";
import { validateConfig } from "../../../shared/config/validateConfig";
import { CHEMISTRY_IDS } from "../../../shared/chemistry/presets";
import type { AlarmId } from "../../../shared/config/packConfig";

const ALL_IDS: AlarmId[] = [
  "cellOverVoltage",
  "cellUnderVoltage",
  "chargeOverCurrent",
  "dischargeOverCurrent",
  "overTemp",
  "underTemp",
  "cellImbalance",
  "sensorFault",
  "selfDischarge",
  "ceDrop",
];

describe("defaultPackConfig", () => {
  it("passes validateConfig for every chemistry, cell count and capacity", () => {
    fc.assert(
      fc.property(fc.constantFrom(...CHEMISTRY_IDS), fc.integer({ min: 1, max: 16 }), fc.double({ min: 0.01, max: 200, noNaN: true }), (chem, n, cap) => {
        const c = defaultPackConfig(chem, n, cap);
        expect(() => validateConfig(JSON.parse(JSON.stringify(c)))).not.toThrow();
      }),
      { numRuns: 60 },
    );
  });

  it("has an alarm row at warning and at alarm level for every AlarmId, each with a reset", () => {
    const c = defaultPackConfig("ZnI2", 4, 2);
    for (const id of ALL_IDS) {
      for (const level of ["warning", "alarm"]) {
        const rows = c.alarms.filter((r) => r.id === id && r.level === level);
        if (id === "sensorFault" && level === "warning") continue; // a dead channel is never only a warning
        expect(rows.length, id + "/" + level).toBe(1);
        expect(rows[0].reset).not.toBe(rows[0].limit);
      }
    }
  });

  it("chooses a shunt whose full scale covers 2C, and derives the chain from data-sheet constants", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 80, noNaN: true }), (cap) => {
        expect(INA226_SHUNT_FULL_SCALE_V / defaultShuntOhm(cap)).toBeGreaterThanOrEqual(2 * cap);
      }),
    );
    const ch = ina226SensorChain(0.01);
    expect(ch.currentOffsetA).toBeCloseTo(10e-6 / 0.01, 15); // INA226 Vos 10 µV
    expect(ch.currentLsbA).toBeCloseTo(2.5e-6 / 0.01, 15); // INA226 shunt LSB 2.5 µV
    expect(ch.currentGainErrFrac).toBe(0.001); // INA226 gain error 0.1 %
    const e = esp32AdcSensorChain(10, 2);
    expect(e.currentGainMismatchFrac).toBeGreaterThan(ch.currentGainMismatchFrac * 10);
  });
});
