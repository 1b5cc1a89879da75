import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { detectFormat, parseFormat } from "../../../host/import/detect";
import { ImportError } from "../../../host/import/record";

const REAL = resolve(__dirname, "..", "..", "fixtures", "realdata");
const dir = mkdtempSync(join(tmpdir(), "zbms-detect-"));

describe("format detection", () => {
  it.each([
    ["landt_Si_halfcell_14cyc__RecordTab.csv", "landt-record"],
    ["neware_uio_anode_halfcell_records.csv", "neware-record"],
    ["xcel_p492-13_NMC532-Gr_raw.csv", "batterydata-raw"],
    ["pybamm_dfn_chen2020_charge_discharge_75.csv", "pybamm"],
  ])("%s is %s", async (file, format) => {
    expect((await detectFormat(join(REAL, file))).format).toBe(format);
  });

  it("detects a BDF file by its required columns, in any order", async () => {
    const f = join(dir, "x.csv");
    writeFileSync(f, "Current / A,Voltage / V,Test Time / s\n0.1,1.5,0\n");
    expect((await detectFormat(f)).format).toBe("bdf");
  });

  it("refuses an unknown format, listing the columns found and those expected", async () => {
    const err = await detectFormat(join(REAL, "landt_Si_halfcell_14cyc__CycleTab.csv")).catch((e) => e);
    expect(err).toBeInstanceOf(ImportError);
    const msg = (err as Error).message;
    expect(msg).toContain('Columns found: "Cycle", "CapC/mAh"');
    expect(msg).toContain('"Test Time / s"');
    expect(msg).toContain('"TestTime/Sec"');
    expect(msg).toContain("Cumulative Time");
  });

  it("refuses an empty file", async () => {
    const f = join(dir, "empty.csv");
    writeFileSync(f, "");
    await expect(detectFormat(f)).rejects.toThrow(/empty/);
  });

  it("a bad --format value quotes it and lists the accepted ones", () => {
    expect(() => parseFormat("digatron")).toThrow(/"digatron".*bdf.*landt-record/);
  });
});
