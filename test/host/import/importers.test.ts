import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { batteryDataRawImporter } from "../../../host/import/batteryDataRaw";
import { bdfImporter } from "../../../host/import/bdfCsv";
import { landtRecordImporter, landtStepKind } from "../../../host/import/landtRecord";
import { newareRecordImporter, newareStepKind } from "../../../host/import/newareRecord";
import { newareRegularImporter } from "../../../host/import/newareRegular";
import { pybammImporter } from "../../../host/import/pybamm";
import {
  STEP_CHARGE, STEP_DISCHARGE, STEP_OTHER, STEP_REST,
  type CyclerCycle, type ImportedRecord, type Importer,
} from "../../../host/import/record";
import { parseHms } from "../../../host/import/tabular";

const REAL = resolve(__dirname, "..", "..", "fixtures", "realdata");
const dir = mkdtempSync(join(tmpdir(), "zbms-imp-"));

async function all(imp: Importer, path: string): Promise<ImportedRecord[]> {
  const out: ImportedRecord[] = [];
  await imp.read(path, (r) => {
    out.push({ ...r });
  });
  return out;
}

describe("parseHms", () => {
  it("reads h:mm:ss with hours past 24, fractions and day prefixes", () => {
    expect(parseHms("00:00:00")).toBe(0);
    expect(parseHms("30:49:13")).toBe(30 * 3600 + 49 * 60 + 13);
    expect(parseHms("0:01:02.500")).toBe(62.5);
    expect(parseHms("1-02:00:00")).toBe(86400 + 7200);
    expect(parseHms("45")).toBe(45);
  });
  it("gives NaN for malformed times", () => {
    expect(parseHms("")).toBeNaN();
    expect(parseHms("1:2:3:4")).toBeNaN();
    expect(parseHms("aa:bb")).toBeNaN();
    expect(parseHms("1::2")).toBeNaN();
  });
});

describe("Landt Record-Tab", () => {
  it("converts mA to A, keeps + = charge, labels steps and attributes the step counter", async () => {
    const recs = await all(landtRecordImporter, join(REAL, "landt_Si_halfcell_14cyc__RecordTab.csv"));
    expect(recs.length).toBe(16538);
    const firstDis = recs.find((r) => r.currentA !== 0)!;
    expect(firstDis.currentA).toBeCloseTo(-0.14571e-3, 12);
    expect(firstDis.stepKind).toBe(STEP_DISCHARGE);
    expect(firstDis.tS).toBe(14400);
    const firstChg = recs.find((r) => r.currentA > 0)!;
    expect(firstChg.stepKind).toBe(STEP_CHARGE);
    // Row 3037: end of cycle 1's second discharge step, counter 3.03312 mAh.
    const endD = recs.find((r) => r.tS === 99894 && r.stepKind === STEP_DISCHARGE)!;
    expect(endD.dischargeAh).toBeCloseTo(3.03312e-3, 10);
    expect(endD.tempC).toBeNaN(); // "-" in AuxTemp
  });
  it("step labels", () => {
    expect(landtStepKind("R")).toBe(STEP_REST);
    expect(landtStepKind("RateC")).toBe(STEP_CHARGE);
    expect(landtStepKind("RateD")).toBe(STEP_DISCHARGE);
    expect(landtStepKind("CCCV_C")).toBe(STEP_CHARGE);
  });
});

describe("Neware record-level export", () => {
  it("reads cumulative h:mm:ss time past 24 h and the per-step counters", async () => {
    const recs = await all(newareRecordImporter, join(REAL, "neware_uio_anode_halfcell_records.csv"));
    expect(recs.length).toBe(9065);
    const endStep2 = recs.filter((r) => r.tS === 30 * 3600 + 49 * 60 + 13 && r.stepKind === STEP_DISCHARGE).pop()!;
    expect(endStep2.dischargeAh).toBeCloseTo(0.00468031, 10);
    expect(endStep2.currentA).toBeLessThan(0);
    expect(recs.find((r) => r.currentA > 0)!.stepKind).toBe(STEP_CHARGE);
  });
  it("step labels", () => {
    expect(newareStepKind("Rest")).toBe(STEP_REST);
    expect(newareStepKind("CC DChg")).toBe(STEP_DISCHARGE);
    expect(newareStepKind("CCCV Chg")).toBe(STEP_CHARGE);
    expect(newareStepKind("Pulse")).toBe(STEP_OTHER);
  });
});

describe("BatteryData raw CSV", () => {
  it("reads SI columns and marks impedance rows", async () => {
    const recs = await all(batteryDataRawImporter, join(REAL, "xcel_p492-13_NMC532-Gr_raw.csv"));
    // Every data line once, plus boundary records at step starts.
    expect(new Set(recs.map((r) => r.line)).size).toBe(2021);
    expect(recs[0].tempC).toBeCloseTo(29.7005, 6);
    const imp = recs.filter((r) => r.stepKind === STEP_OTHER);
    expect(imp.length).toBeGreaterThan(0);
    expect(imp.every((r) => r.cycle === 7)).toBe(true);
  });
  it("applies a step's current from its first record (which logs a set-up current) with a boundary record", async () => {
    const recs = await all(batteryDataRawImporter, join(REAL, "xcel_p492-13_NMC532-Gr_raw.csv"));
    // Step 211 starts at t = 293108.466 s with 0.15 mA logged; 20 s later 19.00206 mA.
    const at = recs.filter((r) => r.tS === 293108.466);
    expect(at.map((r) => r.currentA)).toEqual([0, 0.01900206]);
    // A step whose first record already shows its current is left alone.
    const rest = recs.filter((r) => r.tS === 293108.328);
    expect(rest.length).toBe(1);
  });
});

describe("PyBaMM CSV", () => {
  it("flips the sign (PyBaMM: + = discharge) and moves each current step to where it began", async () => {
    const recs = await all(pybammImporter, join(REAL, "pybamm_dfn_chen2020_charge_discharge_75.csv"));
    // The 2.5 A discharge in the file starts after the row at t = 2 s.
    const start = recs.findIndex((r) => r.currentA !== 0);
    expect(recs[start].tS).toBe(2);
    expect(recs[start].currentA).toBe(-2.5);
    expect(recs[start - 1].tS).toBe(2);
    expect(recs[start - 1].currentA).toBe(0);
    const firstCharge = recs.find((r) => r.currentA > 0)!;
    expect(firstCharge.tS).toBe(2402);
    expect(firstCharge.currentA).toBe(2.5);
  });
});

describe("BDF importer", () => {
  it("skips rows with a non-numeric time or current and says which", async () => {
    const f = join(dir, "bad.csv");
    writeFileSync(f, "Test Time / s,Voltage / V,Current / A\n0,1.5,0.1\nxx,1.5,0.1\n2,1.5,abc\n3,1.6,0.1\n");
    const seen: number[] = [];
    const st = await bdfImporter.read(f, (r) => {
      seen.push(r.tS);
    });
    expect(seen).toEqual([0, 3]);
    expect(st.skipped).toBe(2);
    expect(st.skippedExamples[0]).toContain('"xx"');
    expect(st.skippedExamples[1]).toContain('"abc"');
  });
  it("refuses a file without the required columns, quoting what it found", async () => {
    const f = join(dir, "nocur.csv");
    writeFileSync(f, "Test Time / s,Voltage / V\n0,1.5\n");
    await expect(bdfImporter.read(f, () => undefined)).rejects.toThrow(/Columns found: "Test Time \/ s", "Voltage \/ V".*"Current \/ A"/s);
  });
});

describe("Neware regular export (cycle / step / record rows)", () => {
  const f = join(dir, "regular.csv");
  writeFileSync(
    f,
    [
      "Cycle ID,Cap_Chg(mAh),Cap_DChg(mAh),Chg/DChg Efficiency(%),Engy_Chg(mWh),Engy_DChg(mWh)",
      ",Step ID,Step Name,Step Time(h:min:s.ms),Capacity(mAh),Energy(mWh)",
      ",,Record ID,Time(h:min:s.ms),Voltage(V),Current(mA),Temperature(°C),Capacity(mAh),Energy(mWh)",
      "1,1.000,0.950,95.0,1.500,1.300",
      ",1,CC_Chg,1:00:00.000,1.000,1.500",
      ",,1,0:00:00.000,1.30,1.000,25.0,0.000,0.000",
      ",,2,0:30:00.000,1.45,1.000,25.5,0.500,0.700",
      ",,3,1:00:00.000,1.60,1.000,26.0,1.000,1.500",
      ",2,Rest,0:10:00.000,0.000,0.000",
      ",,4,0:00:00.000,1.55,0.000,26.0,0.000,0.000",
      ",,5,0:10:00.000,1.50,0.000,25.0,0.000,0.000",
      ",3,CC_DChg,0:57:00.000,0.950,1.300",
      ",,6,0:00:00.000,1.40,1.000,25.0,0.000,0.000",
      ",,7,0:57:00.000,0.90,1.000,25.0,0.950,1.300",
      "",
    ].join("\n"),
  );
  it("rebuilds test time from step-relative times and signs current from the step name", async () => {
    const recs = await all(newareRegularImporter, f);
    expect(recs.map((r) => r.tS)).toEqual([0, 1800, 3600, 3600, 4200, 4200, 4200 + 57 * 60]);
    expect(recs.map((r) => r.currentA)).toEqual([1e-3, 1e-3, 1e-3, 0, 0, -1e-3, -1e-3]);
    expect(recs.map((r) => r.stepKind)).toEqual([STEP_CHARGE, STEP_CHARGE, STEP_CHARGE, STEP_REST, STEP_REST, STEP_DISCHARGE, STEP_DISCHARGE]);
    expect(recs[1].tempC).toBe(25.5);
    expect(recs.every((r) => r.cycle === 1)).toBe(true);
  });
  it("hands out the cycler's own per-cycle numbers in SI", async () => {
    const cyc: CyclerCycle[] = [];
    await newareRegularImporter.read(f, () => undefined, undefined, (c) => cyc.push(c));
    expect(cyc.length).toBe(1);
    expect(cyc[0].cycle).toBe(1);
    expect(cyc[0].chargeAh).toBeCloseTo(1e-3, 15);
    expect(cyc[0].dischargeAh).toBeCloseTo(0.95e-3, 15);
    expect(cyc[0].chargeWh).toBeCloseTo(1.5e-3, 15);
    expect(cyc[0].dischargeWh).toBeCloseTo(1.3e-3, 15);
  });
  it("is detected from its three header lines", () => {
    expect(newareRegularImporter.detect([["Cycle ID", "x"], ["", "Step ID"], ["", "", "Record ID"]])).toBe(true);
    expect(newareRegularImporter.detect([["Cycle ID", "x"], ["1", "2"], ["", "", "Record ID"]])).toBe(false);
  });
});
