import { describe, expect, it } from "vitest";
import { CYCLE_COLUMNS, flagWords, toCsv, toObjects, toText } from "../../../host/analyze/tables";
import { CYCLE_FLAG_GAP, CYCLE_FLAG_PARTIAL, CYCLE_FLAG_RESTORED, type CycleRecord } from "../../../shared/model/events";

const rec: CycleRecord = {
  index: 3, startTMs: 7200000, endTMs: 9000000, chargeAh: 0.5, dischargeAh: 0.49, chargeWh: 0.7, dischargeWh: 0.6,
  ce: 0.98, ceBound: 0.0012, ee: 0.857, ve: 0.874, meanChargeV: 1.4, meanDischargeV: 1.22, voltageGapV: 0.18,
  chargeDurationS: 900, dischargeDurationS: 880, tempMinC: NaN, tempMaxC: NaN, flags: CYCLE_FLAG_GAP | CYCLE_FLAG_RESTORED,
  cumulativeCe: 0.98, rollingCe: 0.98, cyclesTo80: 11.04, cyclesTo80Low: 10.5, cyclesTo80High: Infinity, restAh: 0,
};

describe("cycle tables", () => {
  it("flags read as words", () => {
    expect(flagWords(0)).toBe("");
    expect(flagWords(CYCLE_FLAG_PARTIAL | CYCLE_FLAG_GAP)).toBe("partial+gap");
  });
  it("CSV has a header, percentages in %, NaN as empty, flags in words", () => {
    const lines = toCsv([rec], CYCLE_COLUMNS).trim().split("\n");
    const head = lines[0].split(",");
    const row = lines[1].split(",");
    expect(head[0]).toBe("cycle");
    expect(row[head.indexOf("CE_pct")]).toBe("98");
    expect(row[head.indexOf("CE_bound_pct")]).toBe("0.12");
    expect(row[head.indexOf("temp_min_C")]).toBe("");
    expect(row[head.indexOf("flags")]).toBe("gap+restored");
  });
  it("JSON objects carry null for NaN and text for infinity", () => {
    const o = toObjects([rec], CYCLE_COLUMNS)[0];
    expect(o.temp_min_C).toBeNull();
    expect(o.CE_pct).toBeCloseTo(98, 10);
    expect(JSON.parse(JSON.stringify(o)).cycle).toBe(3);
  });
  it("text table is aligned with '-' for missing values", () => {
    const t = toText([rec], CYCLE_COLUMNS).split("\n");
    expect(t[0].length).toBe(t[1].length);
    expect(t[1]).toContain("98.000");
    expect(t[1]).toMatch(/\s-\s/);
  });
});
