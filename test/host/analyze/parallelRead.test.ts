import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { readInWorker, startWorkerRead } from "../../../host/analyze/parallelRead";
import { fitConfig } from "../../../host/analyze/fitConfig";
import { profileInput } from "../../../host/analyze/profile";
import { DQDV_BINS, PLOT_BUCKETS, replay, startReplayRead } from "../../../host/analyze/replay";
import { detectFormat } from "../../../host/import/detect";
import { bdfImporter } from "../../../host/import/bdfCsv";
import { BATCH_RECORDS } from "../../../host/analyze/batchLayout";
import { BdfWriter } from "../../../host/bdf/writer";
import type { ImportedRecord } from "../../../host/import/record";
import { expectSameReplay, replayBothWays } from "./replayBothWays";

const REAL = resolve(__dirname, "..", "..", "fixtures", "realdata");
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
      const { inThread, worker } = await replayBothWays(imp, path);
      expectSameReplay(inThread, worker);
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

describe("a worker read started before its consumer (WorkerRead)", () => {
  const dir2 = mkdtempSync(join(tmpdir(), "zbms-early-"));
  const csv = (n: number): string => {
    const f = join(dir2, `early-${n}.csv`);
    let text = "Test Time / s,Voltage / V,Current / A\n";
    for (let k = 0; k < n; k++) text += `${k},1.5,${k % 3 ? 0.1 : -0.1}\n`;
    writeFileSync(f, text);
    return f;
  };
  const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it("delivers every record in order when consumed after the worker filled its queue (and blocked)", async () => {
    const n = 6 * BATCH_RECORDS + 5;
    const f = csv(n);
    const early = startWorkerRead(bdfImporter, f);
    await wait(300);
    const seen: number[] = [];
    const st = await early.consume((r) => {
      seen.push(r.tS);
    });
    expect(st.records).toBe(n);
    expect(seen.length).toBe(n);
    expect(seen.every((t, k) => t === k)).toBe(true);
  });

  it("delivers everything when the worker finished and exited before consume", async () => {
    const f = csv(100);
    const early = startWorkerRead(bdfImporter, f);
    await wait(300);
    const seen: number[] = [];
    const st = await early.consume((r) => {
      seen.push(r.currentA);
    });
    expect(st.records).toBe(100);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, k) => (k % 3 ? 0.1 : -0.1)));
  });

  it("passes an error that happened before consume on to the consumer", async () => {
    const f = join(dir2, "bad.csv");
    writeFileSync(f, "a,b\n1,2\n");
    const early = startWorkerRead(bdfImporter, f);
    await wait(300);
    await expect(early.consume(() => undefined)).rejects.toThrow(/Columns found: "a", "b"/);
  });

  it("a column-mode read needs a batch callback, takes its parameters once, and has its pass-1 result only at the end", async () => {
    const f = csv(3 * BATCH_RECORDS);
    const read = startWorkerRead(bdfImporter, f, { cyclerColumns: false, columns: { zeroIsOpen: true } });
    await expect(read.consume(() => undefined)).rejects.toThrow(/sends column batches: consume it with a batch callback/);
    expect(() => read.columnResult()).toThrow(/has no column result/);
    read.setColumnParams({ plotStartS: 0, plotWidthS: 1, vLo: 0, binW: 0.01, temps: false });
    expect(() => read.setColumnParams({ plotStartS: 0, plotWidthS: 1, vLo: 0, binW: 0.01, temps: false })).toThrow(/set already/);
    read.cancel();
    const plain = startWorkerRead(bdfImporter, f);
    expect(() => plain.setColumnParams({ plotStartS: 0, plotWidthS: 1, vLo: 0, binW: 0.01, temps: false })).toThrow(/not in column mode/);
    plain.cancel();
  });

  it("cancel stops a read that will not be consumed; consuming it afterwards is an error", async () => {
    const early = startWorkerRead(bdfImporter, csv(5 * BATCH_RECORDS));
    early.cancel();
    await expect(early.consume(() => undefined)).rejects.toThrow(/cancelled/);
  });

  it("a replay given an early read gives the same result as one that starts its own", async () => {
    const path = join(REAL, "neware_uio_anode_halfcell_records.csv");
    const imp = await detectFormat(path);
    const early = startReplayRead(imp, path, { parallel: true, zeroCurrentIsOpenCircuit: true });
    expect(early).not.toBeNull();
    const profile = await profileInput(imp, path);
    const config = fitConfig(profile);
    const x = await replay(imp, path, { config, profile, parallel: true, zeroCurrentIsOpenCircuit: true });
    const y = await replay(imp, path, { config, profile, parallel: true, zeroCurrentIsOpenCircuit: true, reader: early });
    expect(y.cycles).toEqual(x.cycles);
    expect(y.series).toEqual(x.series);
    expect(y.samples).toBe(x.samples);
    // A read of another input is refused, quoting both.
    const other = startReplayRead(imp, join(REAL, "landt_Si_halfcell_14cyc__RecordTab.csv"), { parallel: true, zeroCurrentIsOpenCircuit: true });
    await expect(replay(imp, path, { config, profile, zeroCurrentIsOpenCircuit: true, reader: other })).rejects.toThrow(/landt_Si.*startReplayRead/);
    other?.cancel();
    // So is a read started for another zero-current rule (its pass 1 would mark other rows open circuit).
    const otherRule = startReplayRead(imp, path, { parallel: true, zeroCurrentIsOpenCircuit: false });
    await expect(replay(imp, path, { config, profile, zeroCurrentIsOpenCircuit: true, reader: otherRule })).rejects.toThrow(/zero current open circuit false.*startReplayRead/);
    otherRule?.cancel();
  });
});

describe("the batch loop's plot decimation", () => {
  it("puts samples on and next to bucket edges in the same buckets as the in-thread replay", async () => {
    const f = join(mkdtempSync(join(tmpdir(), "zbms-edges-")), "edges.csv");
    const spanS = 7777.777;
    const widthS = spanS / PLOT_BUCKETS;
    let text = "Test Time / s,Voltage / V,Current / A\n";
    let prev = -1;
    for (let j = 0; j <= PLOT_BUCKETS; j++) {
      // On the edge, one ulp-ish either side, and mid-bucket; kept increasing.
      for (const t of [j * widthS * (1 - 1e-15), j * widthS, j * widthS * (1 + 1e-15), (j + 0.5) * widthS]) {
        if (t > prev && t <= spanS) {
          text += `${t},${1.2 + 0.1 * Math.sin(j)},${j % 2 ? 0.05 : -0.05}\n`;
          prev = t;
        }
      }
    }
    writeFileSync(f, text);
    const profile = await profileInput(bdfImporter, f);
    const config = fitConfig(profile);
    const x = await replay(bdfImporter, f, { config, profile, parallel: false, zeroCurrentIsOpenCircuit: true });
    const y = await replay(bdfImporter, f, { config, profile, parallel: true, zeroCurrentIsOpenCircuit: true });
    expect(x.series.tS.length).toBeGreaterThan(PLOT_BUCKETS / 2);
    expect(y.series).toEqual(x.series);
  });
});

describe("the batch loop's dQ/dV voltage bins", () => {
  it("count voltages on and next to bin edges in the same bins as the in-thread replay", async () => {
    const f = join(mkdtempSync(join(tmpdir(), "zbms-vedges-")), "vedges.csv");
    const vLo = 1.0;
    const vHi = 2.0;
    const binW = (vHi - vLo) / DQDV_BINS;
    let text = "Test Time / s,Voltage / V,Current / A\n";
    let t = 0;
    // Two cycles (charge up through every edge, discharge down), each edge hit on, below and above.
    for (let cyc = 0; cyc < 2; cyc++) {
      for (const dir of [1, -1]) {
        for (let j = 0; j <= DQDV_BINS; j++) {
          const e = vLo + (dir > 0 ? j : DQDV_BINS - j) * binW;
          for (const v of [e * (1 - 1e-15), e, e * (1 + 1e-15)]) {
            text += `${t},${Math.min(vHi, Math.max(vLo, v))},${dir * 0.1}\n`;
            t += 10;
          }
        }
        for (let r = 0; r < 5; r++) {
          text += `${t},${dir > 0 ? vHi : vLo},0\n`;
          t += 10;
        }
      }
    }
    writeFileSync(f, text);
    const profile = await profileInput(bdfImporter, f);
    expect([profile.minV, profile.maxV]).toEqual([vLo, vHi]);
    const config = fitConfig(profile, { capacityAh: 0.05 });
    const x = await replay(bdfImporter, f, { config, profile, parallel: false, zeroCurrentIsOpenCircuit: true });
    const y = await replay(bdfImporter, f, { config, profile, parallel: true, zeroCurrentIsOpenCircuit: true });
    expect(x.dqdv.length).toBeGreaterThan(0);
    expect(x.dqdv.some((d) => d.charge.some((q) => q > 0) && d.discharge.some((q) => q > 0))).toBe(true);
    expect(y.dqdv).toEqual(x.dqdv);
  });
});

describe("the BDF export read on the worker (record batches, not pass 1's columns)", () => {
  it("writes the same BDF file as the in-thread read", async () => {
    const path = join(REAL, "neware_uio_anode_halfcell_records.csv");
    const imp = await detectFormat(path);
    const profile = await profileInput(imp, path);
    const config = fitConfig(profile);
    const dir = mkdtempSync(join(tmpdir(), "zbms-bdfboth-"));
    const write = async (parallel: boolean): Promise<string> => {
      const out = join(dir, `${parallel}.bdf.csv`);
      const w = new BdfWriter(out);
      try {
        await replay(imp, path, { config, profile, parallel, bdf: w, zeroCurrentIsOpenCircuit: true });
      } finally {
        w.close();
      }
      return readFileSync(out, "utf8");
    };
    const inThread = await write(false);
    const worker = await write(true);
    expect(inThread.split("\n").length).toBeGreaterThan(1000);
    expect(worker).toBe(inThread);
    // A column-mode read (what the analysis starts) is refused by an export replay.
    const columns = startReplayRead(imp, path, { parallel: true, zeroCurrentIsOpenCircuit: true });
    const w = new BdfWriter(join(dir, "refused.bdf.csv"));
    await expect(replay(imp, path, { config, profile, bdf: w, zeroCurrentIsOpenCircuit: true, reader: columns })).rejects.toThrow(/\(neware[^)]*records\) was given a worker read .*columns/);
    w.close();
    columns?.cancel();
  });
});
