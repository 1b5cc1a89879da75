import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { readInWorker } from "../../../host/analyze/parallelRead";
import { fitConfig } from "../../../host/analyze/fitConfig";
import { profileInput } from "../../../host/analyze/profile";
import { replay } from "../../../host/analyze/replay";
import { detectFormat } from "../../../host/import/detect";
import { bdfImporter } from "../../../host/import/bdfCsv";
import { BATCH_RECORDS } from "../../../host/analyze/batchLayout";
import type { ImportedRecord } from "../../../host/import/record";

const REAL = resolve(__dirname, "..", "..", "..", "..", "shared", "realdata");
const dir = mkdtempSync(join(tmpdir(), "zbms-par-"));

describe("reading on a worker thread", () => {
  it.each(["landt_Si_halfcell_14cyc__RecordTab.csv", "neware_uio_anode_halfcell_records.csv", "pybamm_dfn_chen2020_charge_discharge_75.csv", "xcel_p492-13_NMC532-Gr_raw.csv"])(
    "%s: same records and same cycles as reading in-thread",
    async (file) => {
      const path = join(REAL, file);
      const imp = await detectFormat(path);
      const a: ImportedRecord[] = [];
      const b: ImportedRecord[] = [];
      await imp.read(path, (r) => {
        a.push({ ...r });
      }, undefined, undefined, { cyclerColumns: false });
      await readInWorker(imp, path, (r) => {
        b.push({ ...r });
      }, undefined, { cyclerColumns: false });
      expect(b.map((r) => [r.line, r.tS, r.voltageV, r.currentA, r.stepKind])).toEqual(a.map((r) => [r.line, r.tS, r.voltageV, r.currentA, r.stepKind]));
      const profile = await profileInput(imp, path);
      const config = fitConfig(profile);
      const x = await replay(imp, path, { config, profile, parallel: false, zeroCurrentIsOpenCircuit: true });
      const y = await replay(imp, path, { config, profile, parallel: true, zeroCurrentIsOpenCircuit: true });
      expect(y.cycles).toEqual(x.cycles);
      expect(y.samples).toBe(x.samples);
      // Everything the report draws from comes out the same (the batch path has its own loop).
      expect(y.rests).toEqual(x.rests);
      expect(y.series).toEqual(x.series);
      expect(y.restCurves).toEqual(x.restCurves);
      expect(y.dqdv).toEqual(x.dqdv);
      expect([y.impedanceRows, y.truncatedCycle, y.gaps, y.alarms]).toEqual([x.impedanceRows, x.truncatedCycle, x.gaps, x.alarms]);
    },
    60000,
  );
  it("delivers more than one batch in order (flow control across batches)", async () => {
    const f = join(dir, "many.csv");
    const n = 3 * BATCH_RECORDS + 17;
    let text = "Test Time / s,Voltage / V,Current / A\n";
    for (let k = 0; k < n; k++) text += `${k},1.5,${k % 2 ? 0.1 : -0.1}\n`;
    writeFileSync(f, text);
    const seen: number[] = [];
    const st = await readInWorker(bdfImporter, f, (r) => {
      seen.push(r.tS);
    });
    expect(st.records).toBe(n);
    expect(seen.length).toBe(n);
    expect(seen.every((t, k) => t === k)).toBe(true);
  });
  it("passes an importer's error back to the caller", async () => {
    const f = join(dir, "bad.csv");
    writeFileSync(f, "a,b\n1,2\n");
    await expect(readInWorker(bdfImporter, f, () => undefined)).rejects.toThrow(/Columns found: "a", "b"/);
  });
});
