/**
 * host/analyze/readAhead.ts: a tabular input parsed on a worker thread delivers exactly what its
 * importer delivers in-thread — records, line numbers, skipped-row counts and errors — across
 * several batches, and the replay gives the same result either way.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { generateBdf } from "../../../bench/analyzeGen";
import { fitConfig } from "../../../host/analyze/fitConfig";
import { profileInput } from "../../../host/analyze/profile";
import { canReadAhead, readAhead } from "../../../host/analyze/readAhead";
import { BATCH_RECORDS } from "../../../host/analyze/readAheadLayout";
import { replay } from "../../../host/analyze/replay";
import { MAX_LINE_BYTES } from "../../../host/import/csvStream";
import { bdfImporter } from "../../../host/import/bdfCsv";
import { zbmsLogImporter } from "../../../host/import/zbmsLog";
import type { ImportedRecord } from "../../../host/import/record";

// Each case starts a worker thread (its bundle is built once, ≈ 0.1 s, then cached).
vi.setConfig({ testTimeout: 60000 });

const dir = mkdtempSync(join(tmpdir(), "zbms-readahead-"));

/** The fields a replay reads, per record. */
function fieldsOf(r: ImportedRecord): number[] {
  return [r.line, r.tS, r.voltageV, r.currentA, r.tempC, r.stepKind, r.restored];
}

async function bothWays(path: string) {
  const inThread: number[][] = [];
  const statsIn = await bdfImporter.read(path, (r) => inThread.push(fieldsOf(r)), undefined, undefined, { cyclerColumns: false });
  const ahead: number[][] = [];
  const statsAhead = await readAhead(bdfImporter, path, (r) => ahead.push(fieldsOf(r)), undefined, { cyclerColumns: false });
  return { inThread, statsIn, ahead, statsAhead };
}

describe("readAhead", () => {
  it("reads the tabular formats only (records without per-cell arrays)", () => {
    expect(canReadAhead(bdfImporter)).toBe(true);
    expect(canReadAhead(zbmsLogImporter)).toBe(false);
  });

  it("delivers the importer's records, line numbers and skipped rows, over several batches", async () => {
    const f = join(dir, "odd.bdf.csv");
    const rows = 4 * BATCH_RECORDS + 1234;
    generateBdf(f, rows);
    // Odd rows: a bad time (skipped and counted), an empty line, a temperature column.
    const text = readFileSync(f, "utf8").split("\n");
    text[0] += ",Ambient Temperature / degC";
    for (let k = 1; k < text.length; k++) if (text[k] !== "") text[k] += k % 7 === 0 ? ",25.5" : ",";
    text[500] = "x" + text[500];
    text[2 * BATCH_RECORDS + 7] = "";
    writeFileSync(f, text.join("\n"));
    const { inThread, statsIn, ahead, statsAhead } = await bothWays(f);
    expect(statsIn.skipped).toBe(1);
    expect(inThread.length).toBe(rows - 2);
    expect(ahead).toEqual(inThread);
    expect(statsAhead).toEqual(statsIn);
  });

  it("passes the importer's errors on: a file of another format, a line over the cap", async () => {
    const other = join(dir, "other.csv");
    writeFileSync(other, "a,b,c\n1,2,3\n");
    const err = await bdfImporter.read(other, () => undefined).catch((e: Error) => e);
    await expect(readAhead(bdfImporter, other, () => undefined)).rejects.toThrow((err as Error).message);
    const long = join(dir, "long.bdf.csv");
    writeFileSync(long, "Test Time / s,Voltage / V,Current / A\n0,1.2,0.1\n" + "1".repeat(MAX_LINE_BYTES + 1) + "\n");
    await expect(readAhead(bdfImporter, long, () => undefined)).rejects.toThrow(/line 3 is longer than 1048576 bytes/);
  });

  it("stops with the consumer's error when the consumer throws", async () => {
    const f = join(dir, "throw.bdf.csv");
    generateBdf(f, 3 * BATCH_RECORDS);
    let n = 0;
    await expect(
      readAhead(bdfImporter, f, () => {
        if (++n === BATCH_RECORDS + 5) throw new Error("consumer gave up");
      }),
    ).rejects.toThrow("consumer gave up");
    expect(n).toBe(BATCH_RECORDS + 5);
  });

  it("gives the replay the same result as the in-thread read", async () => {
    const f = join(dir, "replay.bdf.csv");
    generateBdf(f, 80000); // two cycles and a bit
    const profile = await profileInput(bdfImporter, f);
    const config = fitConfig(profile);
    const x = await replay(bdfImporter, f, { config, profile, zeroCurrentIsOpenCircuit: true, readAhead: false });
    const y = await replay(bdfImporter, f, { config, profile, zeroCurrentIsOpenCircuit: true, readAhead: true });
    expect(x.cycles.length).toBeGreaterThan(1);
    expect(y).toEqual(x);
  });
});
