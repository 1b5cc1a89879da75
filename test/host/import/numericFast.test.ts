import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateBdf } from "../../../bench/analyzeGen";
import { BATCH_RECORDS, FIELDS_PER_RECORD, packRecord } from "../../../host/analyze/batchLayout";
import { readInWorker } from "../../../host/analyze/parallelRead";
import { BdfWriter } from "../../../host/bdf/writer";
import { BATTERYDATA_RAW_FORMAT } from "../../../host/import/batteryDataRaw";
import { BDF_FORMAT, bdfImporter } from "../../../host/import/bdfCsv";
import { detectFormat } from "../../../host/import/detect";
import { LANDT_RECORD_FORMAT } from "../../../host/import/landtRecord";
import { NEWARE_RECORD_FORMAT } from "../../../host/import/newareRecord";
import { numericFastEligible, readTabularNumeric } from "../../../host/import/numericFast";
import { PYBAMM_FORMAT } from "../../../host/import/pybamm";
import type { ImportStats } from "../../../host/import/record";
import { tabularImporter, type TabularFormat } from "../../../host/import/tabular";
import { expectSameReplay, replayBothWays } from "../analyze/replayBothWays";
import { importerFor } from "../../../host/import/detect";

const REAL = resolve(__dirname, "..", "..", "..", "..", "shared", "realdata");
const dir = mkdtempSync(join(tmpdir(), "zbms-numfast-"));

/** A number as text that tells −0 from 0 and every double apart (String round-trips). */
function key(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

interface Outcome {
  records: string[][];
  stats: ImportStats | null;
  error: string | null;
}

/** The generic importer's records, packed as the worker packs them. */
async function viaGeneric(fmt: TabularFormat, path: string, cyclerColumns = false): Promise<Outcome> {
  const records: string[][] = [];
  const one = new Float64Array(FIELDS_PER_RECORD);
  try {
    const stats = await tabularImporter(fmt).read(path, (r) => {
      one.fill(0);
      packRecord(one, 0, r);
      records.push(Array.from(one, key));
    }, undefined, undefined, { cyclerColumns });
    return { records, stats, error: null };
  } catch (e) {
    return { records, stats: null, error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

function viaFast(fmt: TabularFormat, path: string, chunkBytes: number | undefined, batchRecords: number): Outcome {
  const records: string[][] = [];
  const newBatch = (): Float64Array => new Float64Array(batchRecords * FIELDS_PER_RECORD);
  try {
    const stats = readTabularNumeric(fmt, path, newBatch(), (b, count) => {
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(batchRecords);
      for (let k = 0; k < count; k++) records.push(Array.from(b.subarray(k * FIELDS_PER_RECORD, (k + 1) * FIELDS_PER_RECORD), key));
      return newBatch();
    }, chunkBytes !== undefined ? { chunkBytes } : {});
    return { records, stats, error: null };
  } catch (e) {
    return { records, stats: null, error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** An eligible format with unit scales and the opposite current sign (exercises both). */
const SCALED_FORMAT: TabularFormat = {
  format: "bdf",
  description: "scaled test CSV",
  columns: {
    time: [{ header: "Time [h]", scale: 3600 }],
    voltage: [{ header: "Voltage [mV]", scale: 1e-3 }],
    current: [{ header: "Current [mA]", scale: 1e-3 }],
    temp: [{ header: "T [0.1 C]", scale: 0.1 }],
  },
  required: ["time", "voltage", "current"],
  currentSign: -1,
};

/** An eligible format whose temperature and voltage can share one column (every row slow). */
const SHARED_COLUMN_FORMAT: TabularFormat = {
  format: "bdf",
  description: "shared-column test CSV",
  columns: {
    time: [{ header: "t", scale: 1 }],
    voltage: [{ header: "v", scale: 1 }],
    current: [{ header: "i", scale: 1 }],
    temp: [{ header: "v", scale: 2 }],
  },
  required: ["time", "voltage", "current"],
  currentSign: 1,
};

const FORMATS = [BDF_FORMAT, SCALED_FORMAT, SHARED_COLUMN_FORMAT];

/** Headers a format accepts for its batch quantities, plus columns it ignores. */
function headerChoices(fmt: TabularFormat): { required: string[][]; temp: string[]; other: string[] } {
  const names = (q: "time" | "voltage" | "current" | "temp"): string[] => (fmt.columns[q] ?? []).map((a) => a.header);
  return {
    required: [names("time"), names("voltage"), names("current")],
    temp: names("temp"),
    other: ["Cycle Count / 1", "Step Count / 1", "Notes", "Unix Time / s"],
  };
}

const digitsText = (max: number) => fc.array(fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), { maxLength: max }).map((a) => a.join(""));

/** Decimal spellings built from parts: sign, integer and fraction digits, exponent. */
const builtNumber = fc
  .record({
    sign: fc.constantFrom("", "", "-", "+"),
    int: digitsText(20),
    dot: fc.boolean(),
    frac: digitsText(20),
    exp: fc.option(fc.record({ e: fc.constantFrom("e", "E"), sign: fc.constantFrom("", "-", "+"), digits: fc.oneof(digitsText(3), fc.integer({ min: 15, max: 30 }).map(String)) }), { nil: undefined }),
  })
  .map((p) => p.sign + p.int + (p.dot ? "." + p.frac : "") + (p.exp ? p.exp.e + p.exp.sign + p.exp.digits : ""));

const JUNK = [
  "", " ", "abc", "NaN", "nan", "Infinity", "-Infinity", "1e", "1.2.3", "--1", "+-1", ".", "-.", ".5", "5.",
  "0x10", "1_000", "1e400", "1e-400", "-0", "-0.0", "0e5", "00012", "9007199254740993", "12345678901234567890",
  "1.000000000000000000001", "\t5", "5\t", "1 2", "µ", "1e22", "1e23", "1e-22", "1e-23", "1e-24", "1.5e21", "25e-24",
  "\r", "5\r", "x\ry", "\r5", "\rx5", '"a,b"', '"a;b"', '"a\tb"', 'a"b', '"', '"5', '5"', '""',
];

const fieldText = fc
  .record({
    body: fc.oneof(
      { weight: 3, arbitrary: builtNumber },
      { weight: 2, arbitrary: fc.integer({ min: -100000, max: 100000 }).map(String) },
      { weight: 2, arbitrary: fc.double().map(String) },
      { weight: 1, arbitrary: fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 16 })).map(([x, d]) => x.toExponential(d)) },
      { weight: 2, arbitrary: fc.constantFrom(...JUNK) },
    ),
    lead: fc.constantFrom("", "", "", " ", "  "),
    trail: fc.constantFrom("", "", "", " ", "  "),
    quoted: fc.constantFrom(false, false, false, false, false, true),
  })
  .map((f) => {
    const s = f.lead + f.body + f.trail;
    return f.quoted ? `"${s}"` : s;
  });

/** What a logger writes: integers and fixed decimals (the rows the fast loop takes itself). */
const plainNumber = fc.oneof(
  fc.integer({ min: -1000000, max: 1000000 }).map(String),
  fc.tuple(fc.double({ min: -10000, max: 10000, noNaN: true }), fc.integer({ min: 0, max: 9 })).map(([x, d]) => x.toFixed(d)),
  fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.integer({ min: 0, max: 6 })).map(([x, d]) => x.toExponential(d)),
);

const lineEnd = fc.constantFrom("\n", "\n", "\n", "\n", "\r\n", "\r\n", "\r\r\n");

/** A whole CSV file as text, for one of FORMATS. */
const csvFile = fc
  .record({
    fmtIdx: fc.integer({ min: 0, max: FORMATS.length - 1 }),
    delim: fc.constantFrom(",", ",", ";", "\t"),
    bom: fc.constantFrom(false, false, true),
    leadingBlank: fc.constantFrom(0, 0, 0, 1),
    pick: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    withTemp: fc.boolean(),
    others: fc.integer({ min: 0, max: 3 }),
    order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    badHeader: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
    rows: fc.array(
      fc.record({
        fields: fc.array(fieldText, { minLength: 0, maxLength: 9 }),
        clean: fc.array(plainNumber, { minLength: 8, maxLength: 8 }),
        kind: fc.constantFrom("clean", "clean", "clean", "mixed", "mixed", "blank", "spaces", "cr"),
        end: lineEnd,
      }),
      { maxLength: 40 },
    ),
    finalEnd: fc.boolean(),
  })
  .map((g) => {
    const fmt = FORMATS[g.fmtIdx];
    const ch = headerChoices(fmt);
    const cols: string[] = ch.required.map((alts, k) => alts[g.pick[k] % alts.length]);
    if (g.badHeader) cols.pop();
    if (g.withTemp && ch.temp.length > 0) cols.push(ch.temp[g.pick[3] % ch.temp.length]);
    for (let k = 0; k < g.others; k++) cols.push(ch.other[(g.pick[4 + k] ?? 0) % ch.other.length]);
    // Shuffle the columns with the generated order (a stable sort on random keys).
    const header = cols.map((c, k) => ({ c: g.pick[k] % 3 === 0 ? ` ${c.toUpperCase()} ` : c, o: g.order[k] ?? 0 }))
      .sort((a, b) => a.o - b.o)
      .map((x) => x.c);
    let text = (g.bom ? "\uFEFF" : "") + "\n".repeat(g.leadingBlank) + header.join(g.delim) + "\n";
    g.rows.forEach((r, k) => {
      let line = "";
      if (r.kind === "clean") line = header.map((_, c) => r.clean[c % r.clean.length]).join(g.delim);
      else if (r.kind === "mixed") line = header.map((_, c) => (c < r.fields.length ? r.fields[c] : r.clean[c % 8])).slice(0, Math.max(1, r.fields.length + (k % 3))).join(g.delim);
      else if (r.kind === "spaces") line = "   ";
      else if (r.kind === "cr") line = "\r";
      const last = k === g.rows.length - 1;
      text += line + (last && !g.finalEnd ? "" : r.end);
    });
    return { fmt, text };
  });

/** A real cycler file exported as BDF CSV (as `zbms export --bdf` does): its path. */
async function exportBdf(file: string): Promise<string> {
  const src = join(REAL, file);
  const imp = await detectFormat(src);
  const path = join(dir, `${file}.bdf.csv`);
  const w = new BdfWriter(path);
  await imp.read(src, (r) => {
    w.writeRow({
      testTimeS: r.tS, voltageV: r.voltageV, currentA: r.currentA, cycleCount: r.cycle, stepCount: r.step,
      ambientTempC: r.tempC, chargingCapacityAh: r.chargeAh, dischargingCapacityAh: r.dischargeAh,
      chargingEnergyWh: r.chargeWh, dischargingEnergyWh: r.dischargeWh,
    });
  });
  w.close();
  return path;
}

let fileNo = 0;
function writeCase(text: string): string {
  const path = join(dir, `case${fileNo++}.csv`);
  writeFileSync(path, text);
  return path;
}

describe("numericFastEligible", () => {
  it("takes BDF and refuses formats whose rows depend on others, on a step type or on h:mm:ss", () => {
    expect(numericFastEligible(BDF_FORMAT)).toBe(true);
    expect(numericFastEligible(PYBAMM_FORMAT)).toBe(false); // currentHeldBackward
    expect(numericFastEligible(BATTERYDATA_RAW_FORMAT)).toBe(false); // stepStartCurrentFromNext
    expect(numericFastEligible(LANDT_RECORD_FORMAT)).toBe(false); // step type
    expect(numericFastEligible(NEWARE_RECORD_FORMAT)).toBe(false); // hms time, step type
  });
  it("finds tabular formats by id (the importer's column table), and none for the zbms log", () => {
    expect(importerFor("bdf").tabular).toBe(BDF_FORMAT);
    expect(importerFor("pybamm").tabular).toBe(PYBAMM_FORMAT);
    expect(importerFor("zbms-log").tabular).toBeUndefined();
  });
  it("refuses to read an ineligible format, naming it", () => {
    const path = writeCase("Time [s],Voltage [V],Current [A]\n1,2,3\n");
    expect(() => readTabularNumeric(PYBAMM_FORMAT, path, new Float64Array(FIELDS_PER_RECORD), (b) => b)).toThrow(/"pybamm"/);
  });
  it("refuses a sink that returns a smaller batch (records would be lost), saying the size needed", () => {
    const path = writeCase("Test Time / s,Voltage / V,Current / A\n1,2,3\n4,5,6\n7,8,9\n");
    expect(() => readTabularNumeric(BDF_FORMAT, path, new Float64Array(2 * FIELDS_PER_RECORD), () => new Float64Array(FIELDS_PER_RECORD))).toThrow(
      /returned 8 numbers; it must return at least 16/,
    );
  });
  it("refuses a chunk size that is not a positive number of bytes, quoting it", () => {
    const path = writeCase("Test Time / s,Voltage / V,Current / A\n1,2,3\n");
    expect(() => readTabularNumeric(BDF_FORMAT, path, new Float64Array(FIELDS_PER_RECORD), (b) => b, { chunkBytes: 0 })).toThrow(/chunkBytes 0/);
  });
});

describe("fast numeric read = generic importer", () => {
  it("random CSVs: every record field (Object.is), line numbers, stats and errors agree", async () => {
    await fc.assert(
      fc.asyncProperty(
        csvFile,
        fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
        fc.constantFrom(1, 2, 3, BATCH_RECORDS),
        fc.boolean(),
        async ({ fmt, text }, chunkBytes, batchRecords, cyclerColumns) => {
          const path = writeCase(text);
          // The batch carries no cycler column: with or without them, the same records.
          const want = await viaGeneric(fmt, path, cyclerColumns);
          const got = viaFast(fmt, path, chunkBytes, batchRecords);
          expect(got.error).toBe(want.error);
          if (want.error === null) {
            expect(got.records).toEqual(want.records);
            expect(got.stats).toEqual(want.stats);
          }
        },
      ),
      { numRuns: 600 },
    );
  }, 120000);

  it.each([
    ["an empty file", ""],
    ["only blank lines", "\n\r\n\n"],
    ["a header of another format", "a;b\n1;2\n"],
    ["a header and no rows", "Test Time / s,Voltage / V,Current / A"],
    ["a last row without a line end", "Test Time / s,Voltage / V,Current / A\n1,2,3\n4,5,6"],
    ["a BOM and CRLF", "\uFEFFTest Time / s,Voltage / V,Current / A\r\n1,2,3\r\n4,5,-0\r\n"],
    ["rows whose time or current is not a number", "Test Time / s,Voltage / V,Current / A\nx,1,2\n1,1,\n2,1,\"3\"\n3,,4\n , , \n"],
    ["a quoted delimiter before a bound column", "Notes,Test Time / s,Voltage / V,Current / A\n\"a,b\",1,2,3\n"],
  ])("%s", async (_name, text) => {
    const path = writeCase(text);
    const want = await viaGeneric(BDF_FORMAT, path);
    for (const chunk of [undefined, 1, 5]) {
      const got = viaFast(BDF_FORMAT, path, chunk, 2);
      expect(got).toEqual(want);
    }
  });

  it("every odd spelling in every column, with LF and CRLF line ends", async () => {
    const header = ["Notes", "Test Time / s", "Voltage / V", "Current / A", "Ambient Temperature / degC", "Step Count / 1"];
    const plain = ["n", "12", "1.25", "-0.5", "25.5", "3"];
    const spellings = [...JUNK, "+1.5", "-0", "0", "-0.000", " 7 ", "1E3", "1e+3", "2.5e-3", "123456789012345", "1234567890123456", "0.1234567890123456789"];
    let text = header.join(",") + "\n";
    for (const end of ["\n", "\r\n"]) {
      for (const sp of spellings) {
        for (let col = 0; col < header.length; col++) {
          text += plain.map((p, k) => (k === col ? sp : p)).join(",") + end;
          text += plain.slice(0, col + 1).map((p, k) => (k === col ? sp : p)).join(",") + end; // a short row
        }
      }
    }
    // Two unbound columns first: a quoted delimiter in the first shifts every later column.
    text += '"a,b",9,1,2,3\n';
    const path = writeCase(text);
    const want = await viaGeneric(BDF_FORMAT, path);
    expect(want.stats!.skipped).toBeGreaterThan(0);
    expect(viaFast(BDF_FORMAT, path, undefined, 3)).toEqual(want);
    const shifted = writeCase('Notes,Notes 2,Test Time / s,Voltage / V,Current / A\n"a,b",9,1,2,3\n"x;y",9,1,2,3\n');
    expect(viaFast(BDF_FORMAT, shifted, 7, 1)).toEqual(await viaGeneric(BDF_FORMAT, shifted));
  });

  it("the benchmark's generated BDF (40 000 rows), across chunk sizes", async () => {
    const path = join(dir, "gen.bdf.csv");
    generateBdf(path, 40000);
    const want = await viaGeneric(BDF_FORMAT, path);
    expect(want.records.length).toBe(40000);
    for (const chunk of [undefined, 4093]) {
      expect(viaFast(BDF_FORMAT, path, chunk, BATCH_RECORDS)).toEqual(want);
    }
  });

  it.each(["landt_Si_halfcell_14cyc__RecordTab.csv", "neware_uio_anode_halfcell_records.csv", "pybamm_dfn_chen2020_charge_discharge_75.csv", "xcel_p492-13_NMC532-Gr_raw.csv"])(
    "%s exported as BDF (empty cells, temperatures, many digits)",
    async (file) => {
      const path = await exportBdf(file);
      const want = await viaGeneric(BDF_FORMAT, path);
      expect(want.records.length).toBeGreaterThan(0);
      expect(viaFast(BDF_FORMAT, path, undefined, BATCH_RECORDS)).toEqual(want);
      expect(viaFast(BDF_FORMAT, path, 999, 7)).toEqual(want);
    },
    60000,
  );
});

describe("the read worker on the fast path", () => {
  it("delivers the generic importer's records and stats for a BDF file with odd rows", async () => {
    const path = join(dir, "worker.bdf.csv");
    let text = "\uFEFFTest Time / s,Voltage / V,Current / A,Cycle Count / 1\r\n";
    const n = 2 * BATCH_RECORDS + 11;
    for (let k = 0; k < n; k++) {
      if (k % 5000 === 7) text += `${k},"1.5",junk,1\r\n`;
      else if (k % 7001 === 3) text += "\r\n";
      else text += `${k * 0.5},${(1.2 + k * 1e-6).toFixed(6)},${k % 3 === 0 ? "-0.000" : (0.2 - k * 1e-7).toExponential(4)},1\r\n`;
    }
    writeFileSync(path, text);
    const want = await viaGeneric(BDF_FORMAT, path);
    const got: string[][] = [];
    const one = new Float64Array(FIELDS_PER_RECORD);
    const stats = await readInWorker(bdfImporter, path, (r) => {
      one.fill(0);
      packRecord(one, 0, r);
      got.push(Array.from(one, key));
    }, undefined, { cyclerColumns: false });
    expect(stats).toEqual(want.stats);
    expect(got).toEqual(want.records);
  });
});

describe("replay with the fast worker read = replay in-thread", () => {
  it.each(["generated", "landt_Si_halfcell_14cyc__RecordTab.csv", "xcel_p492-13_NMC532-Gr_raw.csv"])(
    "%s (as BDF): same cycles, rests, series and alarms",
    async (name) => {
      let path = join(dir, "replay-gen.bdf.csv");
      if (name === "generated") generateBdf(path, 100000);
      else path = await exportBdf(name);
      const { inThread, worker } = await replayBothWays(bdfImporter, path);
      expect(inThread.cycles.length).toBeGreaterThan(1);
      expectSameReplay(inThread, worker);
    },
    60000,
  );
});
