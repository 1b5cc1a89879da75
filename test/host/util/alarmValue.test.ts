import { describe, expect, it } from "vitest";
import { alarmUnit, alarmValueText, alarmWorse } from "../../../host/util/alarmValue";
import { ALARM_WATCH } from "../../../shared/alarms/alarmTable";

describe("alarm values with their units", () => {
  it("every alarm id has a unit; fractions show as percent", () => {
    for (const id of Object.keys(ALARM_WATCH)) expect(alarmUnit(id), id).not.toBe("");
    expect(alarmValueText("ceDrop", 0.978298115)).toBe("97.83 %");
    expect(alarmValueText("selfDischarge", 0.0004)).toBe("0.04 %/h");
    expect(alarmValueText("cellOverVoltage", 1.9512)).toBe("1.951 V");
    expect(alarmValueText("overTemp", 55.04)).toBe("55.04 °C");
    expect(alarmValueText("sensorFault", 2)).toBe("2 channels");
    expect(alarmValueText("ceDrop", NaN)).toBe("–");
    expect(alarmValueText("notAnAlarm", 3)).toBe("3");
  });

  it("worse is lower for an alarm that raises below its limit, higher otherwise", () => {
    expect(alarmWorse("cellUnderVoltage", 0.7, 0.75)).toBe(true);
    expect(alarmWorse("cellUnderVoltage", 0.8, 0.75)).toBe(false);
    expect(alarmWorse("ceDrop", 0.97, 0.98)).toBe(true);
    expect(alarmWorse("cellOverVoltage", 1.95, 1.9)).toBe(true);
    expect(alarmWorse("dischargeOverCurrent", 1, 2)).toBe(false);
  });
});
