/**
 * Cycler exports from test/fixtures/cyclers (README there: source, licence, each cycler's own
 * numbers): detected by content (the files are copied under a neutral name first), their
 * first records read in SI units with + current = charge, and the binary / non-cycler files
 * refused with a reason and without echoing bytes.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeFile, exportBdf } from "../../../host/analyze/analyzeApi";
import { detectFormat } from "../../../host/import/detect";
import { ndcRecords, readNdaxTables } from "../../../host/import/newareNdax";
import { zipEntries } from "../../../host/import/zip";
import { ImportError, STEP_CHARGE, STEP_DISCHARGE, STEP_REST, type ImportedRecord } from "../../../host/import/record";

const FIX = resolve(__dirname, "..", "..", "fixtures", "cyclers");
const tmp = mkdtempSync(join(tmpdir(), "zbms-cyclers-"));

/** The fixture under a name that says nothing about its format. */
function neutral(file: string): string {
  const to = join(tmp, "input-" + file.length + "-" + Math.random().toString(36).slice(2) + ".dat");
  copyFileSync(join(FIX, file), to);
  return to;
}

async function records(file: string, n: number): Promise<{ format: string; recs: ImportedRecord[]; total: number }> {
  const path = neutral(file);
  const imp = await detectFormat(path);
  const recs: ImportedRecord[] = [];
  const st = await imp.read(path, (r) => {
    if (recs.length < n) recs.push({ ...r });
  });
  return { format: imp.format, recs, total: st.records };
}

describe("cycler text exports, detected by content", () => {
  it.each([
    ["neware_interp-test.csv", "neware-record", 333],
    ["arbin_FastCharge_000025_CH8.csv", "arbin", 248],
    ["arbin_2017-05-09_test-TC-contact_CH33.csv", "arbin", 287],
    ["maccor_PreDiag_000412_00008Fshort.022", "maccor", 10344],
    ["maccor_PredictionDiagnostics_000151_test.052", "maccor", 333],
    ["biologic_gcpl.issue_211.mpt", "biologic-mpt", 2767],
    ["biologic_mb.issue_223.mpt", "biologic-mpt", 108],
    ["pec_pec.csv", "pec", 16255],
    ["landt_SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv", "landt-raw", 25162],
    ["bdfref_SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv", "bdf", 25162],
    ["biologic_gcpl.issue_211.mpr", "biologic-mpr", 2767],
    ["biologic_mb.issue_223.mpr", "biologic-mpr", 108],
    ["neware_GMJuly2022_CELL002_RPT_3.xlsx", "neware-xlsx", 2833],
    ["neware_interp-test.ndax", "neware-ndax", 333],
    ["neware_test_2.ndax", "neware-ndax", 108563],
    ["neware_TestFile.nda", "neware-nda", 6670],
  ])("%s is %s with %i records (the README's row count)", async (file, format, rows) => {
    const r = await records(file, 0);
    expect(r.format).toBe(format);
    expect(r.total).toBe(rows);
  });

  it("Neware BTS 8 record export: Latin-1 µA, mV, mAs converted to A, V, Ah", async () => {
    // Line 2: Current(µA) 0, Voltage(mV) 0.2; the file is one rest step.
    const r = await records("neware_interp-test.csv", 2);
    expect(r.recs[0].voltageV).toBeCloseTo(0.2e-3, 12);
    expect(r.recs[1].tS).toBe(3);
    expect(r.recs[0].stepKind).toBe(STEP_REST);
    expect(r.recs[0].cycle).toBe(1);
  });

  it("Maccor: signed Amps, state C/D/R, Cyc#, title line above the header", async () => {
    const r = await records("maccor_PredictionDiagnostics_000151_test.052", 1);
    // 249791	37	44	769267.2400	14.2500	0.0191579754	…	-4.8400091554	3.86823835	D
    expect(r.recs[0].tS).toBe(769267.24);
    expect(r.recs[0].currentA).toBeCloseTo(-4.8400091554, 12);
    expect(r.recs[0].voltageV).toBeCloseTo(3.86823835, 12);
    expect(r.recs[0].cycle).toBe(37);
    expect(r.recs[0].step).toBe(44);
    expect(r.recs[0].stepKind).toBe(STEP_DISCHARGE);
    expect(r.recs[0].dischargeAh).toBeCloseTo(0.0191579754, 12);
  });

  it("BioLogic .mpt: 80 header lines, <I>/mA → A, cycle number and Ns kept", async () => {
    const r = await records("biologic_gcpl.issue_211.mpt", 300);
    const d = r.recs[250];
    expect(d.tS).toBeGreaterThan(88246);
    expect(d.currentA).toBeLessThan(0);
    // "Battery capacity : 0.068 mA.h", discharge at C/1 ("Set I/C: C / N", N = 1).
    expect(Math.abs(d.currentA)).toBeCloseTo(0.068e-3, 6);
    expect(d.step).toBe(2);
    expect(d.cycle).toBe(0);
  });

  it("PEC: table below 32 lines of metadata, mV and mA → V and A", async () => {
    const r = await records("pec_pec.csv", 10);
    // 187,1,…,1,0,31.183,…,3268.6792,-1640.1,0,0.455,…
    const d = r.recs.find((x) => x.tS === 31.183)!;
    expect(d.tS).toBe(31.183);
    expect(d.voltageV).toBeCloseTo(3.2686792, 10);
    expect(d.currentA).toBeCloseTo(-1.6401, 10);
    expect(d.dischargeAh).toBeCloseTo(0.455e-3, 12);
    expect(d.step).toBe(1);
    expect(d.cycle).toBe(0);
  });

  it("Landt raw CSV: header below 6 metadata lines, step names", async () => {
    const r = await records("landt_SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv", 1);
    expect(r.recs[0].tS).toBe(0.02);
    expect(r.recs[0].voltageV).toBe(2.9215);
    expect(r.recs[0].stepKind).toBe(STEP_REST);
  });

  it("Arbin: Test_Time, signed Current, Charge_Capacity", async () => {
    const r = await records("arbin_2017-05-09_test-TC-contact_CH33.csv", 1);
    expect(r.recs[0].currentA).toBeCloseTo(6.600444793701172, 12);
    expect(r.recs[0].chargeAh).toBeCloseTo(0.0051783411763608456, 15);
    expect(r.recs[0].cycle).toBeNaN();
  });

  it("Neware regular export with BTS 8 spellings (Cycle Index / Step Index / Record Index, Total Time)", async () => {
    const f = join(tmp, "regular8.csv");
    writeFileSync(
      f,
      [
        "Cycle Index,Chg. Cap.(Ah),DChg. Cap.(Ah),Chg. Energy(Wh),DChg. Energy(Wh)",
        ",Step Index,Step Type,Step Time",
        ",,Record Index,Time,Total Time,Current(A),Voltage(V)",
        "1,0.001,0.0009,0.0037,0.0033",
        ",1,CC Chg,00:00:10",
        ",,1,00:00:00,00:00:00,0.36,3.6",
        ",,2,00:00:10,00:00:10,0.36,3.7",
        ",2,CC DChg,00:00:09",
        ",,3,00:00:00,00:00:10.5,0.36,3.6",
        ",,4,00:00:09,00:00:19.5,0.36,3.5",
      ].join("\n") + "\n",
    );
    const imp = await detectFormat(f);
    expect(imp.format).toBe("neware-regular");
    const recs: ImportedRecord[] = [];
    const cycles: number[] = [];
    await imp.read(f, (r) => recs.push({ ...r }), undefined, (c) => cycles.push(c.chargeAh));
    expect(recs.map((r) => r.tS)).toEqual([0, 10, 10.5, 19.5]);
    // The step type gives the sign: the discharge step's 0.36 A is −0.36 A.
    expect(recs.map((r) => r.currentA)).toEqual([0.36, 0.36, -0.36, -0.36]);
    expect(recs.map((r) => r.cycle)).toEqual([1, 1, 1, 1]);
    expect(cycles).toEqual([0.001]);
  });

  it("Maccor export in the MIMS header style (Rec, Cycle C, Step, Test Time, Capacity, Current, Voltage, MD, ES)", async () => {
    const f = join(tmp, "mims.txt");
    const rows = [
      "Rec\tCycle P\tCycle C\tStep\tTest Time\tStep Time\tCapacity\tEnergy\tCurrent\tVoltage\tMD\tES",
      "1\t0\t1\t1\t0\t0\t0\t0\t0\t3.5\tR\t0",
      "2\t0\t1\t2\t10\t0\t0\t0\t1.5\t3.6\tC\t0",
      "3\t0\t1\t2\t20\t10\t0.0041667\t0.015\t1.5\t3.7\tC\t0",
      "4\t0\t1\t3\t30\t0\t0\t0\t1.5\t3.6\tD\t0",
    ];
    writeFileSync(f, rows.join("\r\n") + "\r\n");
    const imp = await detectFormat(f);
    expect(imp.format).toBe("maccor");
    const recs: ImportedRecord[] = [];
    await imp.read(f, (r) => recs.push({ ...r }));
    // Current given as a magnitude: the state decides the sign (D → −).
    expect(recs.map((r) => r.currentA)).toEqual([0, 1.5, 1.5, -1.5]);
    expect(recs.map((r) => r.stepKind)).toEqual([STEP_REST, STEP_CHARGE, STEP_CHARGE, STEP_DISCHARGE]);
    expect(recs[2].chargeAh).toBeCloseTo(0.0041667, 12);
    expect(recs.map((r) => r.cycle)).toEqual([1, 1, 1, 1]);
  });

  it("BioLogic text exported as CSV (';' or ',', no header block): the delimiter comes from the header line", async () => {
    for (const d of [";", ","]) {
      const f = join(tmp, `biologic${d === ";" ? "semi" : "comma"}.csv`);
      const rows = [
        ["mode", "ox/red", "time/s", "Ewe/V", "I/mA", "cycle number", "Ns"],
        ["1", "1", "0", "1.50", "0.5", "0", "1"],
        ["1", "0", "10", "1.40", "-0.5", "0", "2"],
      ];
      writeFileSync(f, rows.map((r) => r.join(d)).join("\n") + "\n");
      const imp = await detectFormat(f);
      expect(imp.format).toBe("biologic-mpt");
      const recs: ImportedRecord[] = [];
      await imp.read(f, (r) => recs.push({ ...r }));
      expect(recs.map((r) => [r.tS, r.voltageV, r.currentA, r.step])).toEqual([
        [0, 1.5, 0.5e-3, 1],
        [10, 1.4, -0.5e-3, 2],
      ]);
    }
  });

  it("BDF with the test time in hours", async () => {
    const f = join(tmp, "hours.csv");
    writeFileSync(f, "Test Time / h,Voltage / V,Current / A\n0,1.5,0.1\n0.5,1.6,0.1\n");
    const imp = await detectFormat(f);
    expect(imp.format).toBe("bdf");
    const ts: number[] = [];
    await imp.read(f, (r) => ts.push(r.tS));
    expect(ts).toEqual([0, 1800]);
  });

  it("a charge step keeps + current, a discharge step − (Maccor state)", async () => {
    const r = await records("maccor_PreDiag_000412_00008Fshort.022", 10344);
    for (const x of r.recs) {
      if (x.stepKind === STEP_CHARGE) expect(x.currentA).toBeGreaterThanOrEqual(0);
      if (x.stepKind === STEP_DISCHARGE) expect(x.currentA).toBeLessThanOrEqual(0);
    }
  });
});

describe("BioLogic .mpr binary files", () => {
  it("read the same records as their .mpt text exports (Modulo Bat: I, Ewe, EIS rows, Ns, mode)", async () => {
    const a = await records("biologic_mb.issue_223.mpr", 200);
    const b = await records("biologic_mb.issue_223.mpt", 200);
    expect(a.recs.length).toBe(b.recs.length);
    for (let k = 0; k < a.recs.length; k++) {
      const [x, y] = [a.recs[k], b.recs[k]];
      expect(x.tS, `row ${k} time`).toBeCloseTo(y.tS, 6);
      expect(x.voltageV, `row ${k} V`).toBeCloseTo(y.voltageV, 6);
      expect(x.currentA, `row ${k} I`).toBeCloseTo(y.currentA, 9);
      expect(x.step, `row ${k} Ns`).toBe(y.step);
      expect(x.stepKind, `row ${k} kind`).toBe(y.stepKind);
    }
  });

  it("an unknown data-module version is named in the error", async () => {
    const f = join(tmp, "v7.mpr");
    const b = Buffer.from(readFileSync(join(FIX, "biologic_mb.issue_223.mpr")));
    // The data module's header: its old version field (0) → 7 (EC-Lab ≥ 11.50 layout: new = 11).
    const at = b.indexOf("MODULEVMP data");
    b.writeUInt32LE(7, at + 6 + 35 + 8);
    writeFileSync(f, b);
    const imp = await detectFormat(f);
    await expect(imp.read(f, () => undefined)).rejects.toThrow(/BioLogic \.mpr data module version 18 is not known \(known: 2, 3, 10, 11\)/);
  });
});

describe("Neware .ndax binary files", () => {
  it("interp-test.ndax gives the records of BTSDA's own CSV export of the same test (times exact, voltage within the CSV's 0.1 mV)", async () => {
    const a = await records("neware_interp-test.ndax", 400);
    const b = await records("neware_interp-test.csv", 400);
    expect(a.recs.length).toBe(333);
    expect(b.recs.length).toBe(333);
    // Voltage(mV) written with one decimal: ±0.05 mV of rounding.
    const halfLsbV = 0.05e-3;
    for (let k = 0; k < a.recs.length; k++) {
      expect(a.recs[k].tS, `record ${k + 1} time`).toBe(b.recs[k].tS);
      expect(Math.abs(a.recs[k].voltageV - b.recs[k].voltageV), `record ${k + 1} V`).toBeLessThanOrEqual(halfLsbV);
      expect(a.recs[k].currentA).toBe(b.recs[k].currentA);
      expect([a.recs[k].cycle, a.recs[k].step, a.recs[k].stepKind]).toEqual([b.recs[k].cycle, b.recs[k].step, b.recs[k].stepKind]);
    }
  });

  it("an unknown .ndc table version is named, as is a missing table", async () => {
    const page = Buffer.alloc(2 * 4096);
    page[0] = 1; // a data table…
    page[2] = 99; // …of a version no reader knows
    expect(() => ndcRecords("x.ndax", "data.ndc", page, 1, () => undefined)).toThrow(/x\.ndax: Neware \.ndax: data\.ndc version 99 is not known \(known: 11, 14, 17\)/);
    const f = join(FIX, "neware_interp-test.ndax");
    const entries = new Map([...zipEntries(f)].filter(([n]) => n !== "data.ndc"));
    expect(() => readNdaxTables(f, entries)).toThrow(/Neware \.ndax without data\.ndc/);
  });
});

describe("Neware .nda binary file", () => {
  it("reads BTS 9.1 records in SI units with + current = charge (README: CC_DChg about −3000 mA)", async () => {
    const r = await records("neware_TestFile.nda", 6670);
    const dis = r.recs.filter((x) => x.stepKind === STEP_DISCHARGE);
    expect(dis.length).toBeGreaterThan(0);
    for (const x of dis) expect(x.currentA).toBeLessThanOrEqual(0);
    expect(Math.min(...dis.map((x) => x.currentA))).toBeCloseTo(-2.99, 1);
    expect(r.recs[0].tS).toBe(0.01);
    expect([...new Set(r.recs.map((x) => x.cycle))]).toEqual([1, 2, 3]);
  });

  it("an unknown version is named", async () => {
    const f = join(tmp, "v29.nda");
    const b = Buffer.from(readFileSync(join(FIX, "neware_TestFile.nda")));
    b[14] = 29;
    writeFileSync(f, b);
    const imp = await detectFormat(f);
    await expect(imp.read(f, () => undefined)).rejects.toThrow(/Neware \.nda version 29 is not known \(known: 130 as BTS 9\.1 writes it\)/);
  });
});

describe("damaged binary files", () => {
  it.each(["biologic_gcpl.issue_211.mpr", "biologic_mb.issue_223.mpr", "neware_TestFile.nda", "neware_interp-test.ndax", "neware_GMJuly2022_CELL002_RPT_3.xlsx"])(
    "%s cut short or with 64 bytes scrambled: an ImportError or records, never a crash",
    async (file) => {
      const b = readFileSync(join(FIX, file));
      const p = join(tmp, "damaged-" + file);
      for (const frac of [0.001, 0.01, 0.05, 0.2, 0.5, 0.9, 0.999]) {
        const at = Math.floor(b.length * frac);
        const scrambled = Buffer.from(b);
        for (let k = 0; k < 64 && at + k < b.length; k++) scrambled[at + k] ^= 0xa5;
        for (const x of [b.subarray(0, at), scrambled]) {
          writeFileSync(p, x);
          const err = await detectFormat(p)
            .then((imp) => imp.read(p, () => undefined))
            .then(() => null, (e: unknown) => e);
          if (err !== null) expect(err, `${file} at ${frac}: ${(err as Error).message}`).toBeInstanceOf(ImportError);
        }
      }
    },
  );
});

describe("files that are not cycler text are refused with a reason", () => {
  it.each([
    ["neware_TestFile.NewareNDA.ftr", /binary file \(not text\)/],
    ["neware_interp-test.fastnda.parquet", /binary file \(not text\)/],
    ["arbin_FastCharge_000025_CH8_Metadata.csv", /Arbin test metadata file.*analyse the data file/],
    ["arbin_2017-05-09_test-TC-contact_CH33_Metadata.csv", /Arbin test metadata file/],
  ])("%s: %s", async (file, why) => {
    const err = await detectFormat(neutral(file)).catch((e) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as Error).message).toMatch(why);
    // No bytes of the file echoed: only printable text.
    // eslint-disable-next-line no-control-regex
    expect((err as Error).message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it("an unknown header is quoted without its control characters", async () => {
    const f = join(tmp, "evil.csv");
    writeFileSync(f, "a\u001b[2J,b\u0007\n1,2\n");
    const err = await detectFormat(f).catch((e) => e);
    expect(err).toBeInstanceOf(ImportError);
    const msg = (err as Error).message;
    expect(msg).toContain('Columns found: "a?[2J", "b?"');
    expect(msg).not.toContain("\u001b");
    expect(msg).not.toContain("\u0007");
  });

  it("random bytes are a binary file, not a column list", async () => {
    const f = join(tmp, "noise.bin");
    const b = Buffer.alloc(4096);
    for (let i = 0; i < b.length; i++) b[i] = (i * 7919 + 13) % 256;
    writeFileSync(f, b);
    const err = await detectFormat(f).catch((e) => e);
    expect((err as Error).message).toMatch(/binary file \(not text\)/);
    expect((err as Error).message).not.toMatch(/Columns found/);
  });
});

describe("a BDF file with a clock fault (the BDF repository's Time_Bug example)", () => {
  it("is analysed with each of its 19 steps back sized in the notes and every cycle holding one flagged; a BDF export of it is refused", async () => {
    const file = "bdfref_SINTEF__SLPBA842124HV__2024-10-23__Rate_25degC__Neware__Time_Bug.bdf.csv";
    const path = neutral(file);
    const imp = await detectFormat(path);
    expect(imp.format).toBe("bdf");
    const r = await analyzeFile(path, { outDir: join(tmp, "tb"), printTable: null, progress: false });
    const note = r.summary.notes.find((n) => n.indexOf("steps back in time") >= 0);
    expect(note).toMatch(/^19 steps back in time \(by 7200 s, /);
    // the re-covered time counts for no half: capacities stay those of a ~7.3 Ah cell, not thousands of Ah
    expect(r.summary.capacityAh).toBeGreaterThan(7);
    expect(r.summary.capacityAh).toBeLessThan(8);
    for (const c of r.replay.cycles) expect(c.flags & 2, `cycle ${c.index} flagged`).toBe(2); // CYCLE_FLAG_GAP
    const err = await exportBdf(path, join(tmp, "tb.bdf.csv")).catch((e) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as Error).message).toMatch(/the test time goes back 19 time\(s\) \(first at line 724: 0 s after 7200 s\)/);
  });

  it("a cycler text export skips such a row, noting it", async () => {
    const f = join(tmp, "back.csv");
    const head = "Data_Point,Test_Time,Step_Time,Step_Index,Cycle_Index,Current,Voltage\n";
    writeFileSync(f, head + "0,0,0,1,1,0.1,3.0\n1,10,10,1,1,0.1,3.1\n2,0,0,1,1,0.1,3.1\n3,20,20,1,1,0.1,3.2\n");
    const imp = await detectFormat(f);
    expect(imp.format).toBe("arbin");
    const ts: number[] = [];
    const st = await imp.read(f, (r) => ts.push(r.tS));
    expect(ts).toEqual([0, 10, 20]);
    expect(st.skippedExamples).toEqual(["line 4: test time 0 goes back from 10 s"]);
  });
});
