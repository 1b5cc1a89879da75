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
import { numericFastEligible, readTabularNumeric, type NumericEngine, type NumericReadReport } from "../../../host/import/numericFast";
import { PYBAMM_FORMAT } from "../../../host/import/pybamm";
import type { ImportStats } from "../../../host/import/record";
import { tabularImporter, type TabularFormat } from "../../../host/import/tabular";
import { expectSameReplay, replayBothWays } from "../analyze/replayBothWays";
import { importerFor } from "../../../host/import/detect";

const REAL = resolve(__dirname, "..", "..", "fixtures", "realdata");
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

/** A fast read's outcome, with the size of every batch handed out and the engine's report. */
interface FastOutcome extends Outcome {
  counts: number[];
  report: NumericReadReport | null;
}

function readFast(fmt: TabularFormat, path: string, chunkBytes: number | undefined, batchRecords: number, engine: NumericEngine): FastOutcome {
  const records: string[][] = [];
  const counts: number[] = [];
  let report: NumericReadReport | null = null;
  try {
    const stats = readTabularNumeric(fmt, path, (b, count) => {
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(batchRecords);
      counts.push(count);
      // The view is the reader's own buffer: copied out here, as the sink must.
      for (let k = 0; k < count; k++) records.push(Array.from(b.subarray(k * FIELDS_PER_RECORD, (k + 1) * FIELDS_PER_RECORD), key));
    }, { ...(chunkBytes !== undefined ? { chunkBytes } : {}), batchRecords, engine, onReport: (r) => (report = { ...r }) });
    return { records, stats, error: null, counts, report };
  } catch (e) {
    return { records, stats: null, error: `${(e as Error).name}: ${(e as Error).message}`, counts, report };
  }
}

function viaFast(fmt: TabularFormat, path: string, chunkBytes: number | undefined, batchRecords: number, engine: NumericEngine = "wasm"): Outcome {
  const { records, stats, error } = readFast(fmt, path, chunkBytes, batchRecords, engine);
  return { records, stats, error };
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

const ENGINES: readonly NumericEngine[] = ["wasm", "js"];

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
    expect(() => readTabularNumeric(PYBAMM_FORMAT, path, () => undefined)).toThrow(/"pybamm"/);
  });
  it("refuses a batch size that is not a positive whole number of records, quoting it", () => {
    const path = writeCase("Test Time / s,Voltage / V,Current / A\n1,2,3\n4,5,6\n7,8,9\n");
    expect(() => readTabularNumeric(BDF_FORMAT, path, () => undefined, { batchRecords: 0 })).toThrow(/batchRecords 0 /);
    expect(() => readTabularNumeric(BDF_FORMAT, path, () => undefined, { batchRecords: 2.5 })).toThrow(/batchRecords 2\.5 /);
  });
  it("refuses a chunk size that is not a positive number of bytes, quoting it", () => {
    const path = writeCase("Test Time / s,Voltage / V,Current / A\n1,2,3\n");
    expect(() => readTabularNumeric(BDF_FORMAT, path, () => undefined, { chunkBytes: 0 })).toThrow(/chunkBytes 0/);
  });
  it("refuses an unknown engine, naming the ones there are", () => {
    const path = writeCase("Test Time / s,Voltage / V,Current / A\n1,2,3\n");
    expect(() => readTabularNumeric(BDF_FORMAT, path, () => undefined, { engine: "asm" as NumericEngine })).toThrow(/engine "asm".*"wasm", "js"/);
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
          for (const engine of ENGINES) {
            const got = viaFast(fmt, path, chunkBytes, batchRecords, engine);
            expect(got.error).toBe(want.error);
            if (want.error === null) {
              expect(got.records).toEqual(want.records);
              expect(got.stats).toEqual(want.stats);
            }
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
      for (const engine of ENGINES) expect(viaFast(BDF_FORMAT, path, chunk, 2, engine)).toEqual(want);
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
    const shifted = writeCase('Notes,Notes 2,Test Time / s,Voltage / V,Current / A\n"a,b",9,1,2,3\n"x;y",9,1,2,3\n');
    const wantShifted = await viaGeneric(BDF_FORMAT, shifted);
    for (const engine of ENGINES) {
      expect(viaFast(BDF_FORMAT, path, undefined, 3, engine)).toEqual(want);
      expect(viaFast(BDF_FORMAT, shifted, 7, 1, engine)).toEqual(wantShifted);
    }
  });

  it("the benchmark's generated BDF (40 000 rows), across chunk sizes", async () => {
    const path = join(dir, "gen.bdf.csv");
    generateBdf(path, 40000);
    const want = await viaGeneric(BDF_FORMAT, path);
    expect(want.records.length).toBe(40000);
    for (const chunk of [undefined, 4093]) {
      for (const engine of ENGINES) expect(viaFast(BDF_FORMAT, path, chunk, BATCH_RECORDS, engine)).toEqual(want);
    }
  });

  it.each(["landt_Si_halfcell_14cyc__RecordTab.csv", "neware_uio_anode_halfcell_records.csv", "pybamm_dfn_chen2020_charge_discharge_75.csv", "xcel_p492-13_NMC532-Gr_raw.csv"])(
    "%s exported as BDF (empty cells, temperatures, many digits)",
    async (file) => {
      const path = await exportBdf(file);
      const want = await viaGeneric(BDF_FORMAT, path);
      expect(want.records.length).toBeGreaterThan(0);
      for (const engine of ENGINES) {
        expect(viaFast(BDF_FORMAT, path, undefined, BATCH_RECORDS, engine)).toEqual(want);
        expect(viaFast(BDF_FORMAT, path, 999, 7, engine)).toEqual(want);
      }
    },
    60000,
  );
});

/** SCALED_FORMAT without a required voltage column (the record's voltage is then NaN). */
const NO_VOLTAGE_FORMAT: TabularFormat = { ...SCALED_FORMAT, description: "no-voltage test CSV", required: ["time", "current"] };

/** What a logger writes, mostly: plain decimals (some long, some −0), rarely an odd field or line. */
const loggerField = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -1000000, max: 1000000 }).map(String) },
  { weight: 6, arbitrary: fc.tuple(fc.double({ min: -10000, max: 10000, noNaN: true }), fc.integer({ min: 0, max: 9 })).map(([x, d]) => x.toFixed(d)) },
  { weight: 1, arbitrary: fc.constantFrom("-0", "-0.0", "0.000", "-0.000", "00012", "5.", ".5", "-.5") },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 13, max: 18 }), fc.integer({ min: 0, max: 18 }), fc.boolean()).map(([n, dot, neg]) => {
    const digits = Array.from({ length: n }, (_, k) => String((k * 7 + n) % 10)).join("");
    return (neg ? "-" : "") + (dot < n ? digits.slice(0, dot) + "." + digits.slice(dot) : digits);
  }) },
);
const loggerFile = fc
  .record({
    fmtIdx: fc.integer({ min: 0, max: 1 }),
    delim: fc.constantFrom(",", ";", "\t"),
    withTemp: fc.boolean(),
    others: fc.integer({ min: 0, max: 3 }),
    order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    crlf: fc.boolean(),
    rows: fc.array(
      fc.record({
        cells: fc.array(loggerField, { minLength: 8, maxLength: 8 }),
        odd: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(fc.nat(7), fieldText) }),
        blank: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
      }),
      { maxLength: 60, size: "medium" },
    ),
  })
  .map((g) => {
    const fmt = [BDF_FORMAT, SCALED_FORMAT][g.fmtIdx];
    const ch = headerChoices(fmt);
    const cols = ch.required.map((alts) => alts[0]);
    if (g.withTemp) cols.push(ch.temp[0]);
    for (let k = 0; k < g.others; k++) cols.push(ch.other[k]);
    const header = cols.map((c, k) => ({ c, o: g.order[k] })).sort((a, b) => a.o - b.o).map((x) => x.c);
    const end = g.crlf ? "\r\n" : "\n";
    let text = header.join(g.delim) + end;
    for (const r of g.rows) {
      if (r.blank) {
        text += end;
        continue;
      }
      const cells = header.map((_, c) => r.cells[c]);
      if (r.odd !== undefined) cells[r.odd[0] % cells.length] = r.odd[1];
      text += cells.join(g.delim) + end;
    }
    return { fmt, text };
  });

/** An eligible format whose time and current scales overflow a large value to Infinity. */
const HUGE_SCALE_FORMAT: TabularFormat = {
  format: "bdf",
  description: "huge-scale test CSV",
  columns: {
    time: [{ header: "t", scale: 1e300 }],
    voltage: [{ header: "v", scale: 1 }],
    current: [{ header: "i", scale: 1e300 }],
  },
  required: ["time", "voltage", "current"],
  currentSign: 1,
};

describe("the WASM row loop = the JS row loop", () => {
  it("random CSVs: identical records, batch sizes, stats and errors from both engines", () => {
    let wasmRan = 0;
    fc.assert(
      fc.property(
        csvFile,
        fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
        fc.constantFrom(1, 2, 3, 5, BATCH_RECORDS),
        ({ fmt, text }, chunkBytes, batchRecords) => {
          const path = writeCase(text);
          const js = readFast(fmt, path, chunkBytes, batchRecords, "js");
          const wasm = readFast(fmt, path, chunkBytes, batchRecords, "wasm");
          expect(wasm.error).toBe(js.error);
          expect(wasm.records).toEqual(js.records);
          expect(wasm.counts).toEqual(js.counts);
          expect(wasm.stats).toEqual(js.stats);
          expect(js.report === null || js.report.wasmRecords === 0).toBe(true);
          if (wasm.report !== null && wasm.report.wasmRecords > 0) wasmRan++;
        },
      ),
      { numRuns: 600 },
    );
    // Its clean rows are the WASM loop's when the chunks hold whole rows: it ran in some files.
    expect(wasmRan).toBeGreaterThan(20);
  }, 120000);

  it("random logger-like CSVs (mostly plain decimals): both engines = the generic importer, WASM reading most rows", async () => {
    let wasmRecords = 0;
    let records = 0;
    await fc.assert(
      fc.asyncProperty(
        loggerFile,
        fc.option(fc.integer({ min: 16, max: 400 }), { nil: undefined }),
        fc.constantFrom(1, 2, 3, 7, BATCH_RECORDS),
        async ({ fmt, text }, chunkBytes, batchRecords) => {
          const path = writeCase(text);
          const want = await viaGeneric(fmt, path);
          const js = readFast(fmt, path, chunkBytes, batchRecords, "js");
          const wasm = readFast(fmt, path, chunkBytes, batchRecords, "wasm");
          for (const got of [js, wasm]) expect({ records: got.records, stats: got.stats, error: got.error }).toEqual(want);
          expect(wasm.counts).toEqual(js.counts);
          wasmRecords += wasm.report?.wasmRecords ?? 0;
          records += want.stats?.records ?? 0;
        },
      ),
      { numRuns: 400 },
    );
    expect(wasmRecords).toBeGreaterThan(records / 2);
  }, 120000);

  const HEADER = "Notes,Test Time / s,Voltage / V,Current / A,Ambient Temperature / degC,Step Count / 1";
  /** Rows the WASM loop reads itself, around the row under test. */
  const CLEAN = ["a,1,1.25,-0.5,25.5,3", "b,2,1.5,0.25,26,3", "c,3.5,1.75,-0.125,26.5,4"];
  const fileWith = (row: string, end = "\n"): string => [HEADER, ...CLEAN, row, ...CLEAN].join(end) + end;

  /** Read with both engines; both must equal the generic importer. Returns the WASM read's report. */
  async function bothEngines(text: string, opts: { chunkBytes?: number; batchRecords?: number; fmt?: TabularFormat } = {}): Promise<NumericReadReport> {
    const fmt = opts.fmt ?? BDF_FORMAT;
    const path = writeCase(text);
    const want = await viaGeneric(fmt, path);
    expect(want.error).toBeNull();
    const batchRecords = opts.batchRecords ?? BATCH_RECORDS;
    const js = readFast(fmt, path, opts.chunkBytes, batchRecords, "js");
    const wasm = readFast(fmt, path, opts.chunkBytes, batchRecords, "wasm");
    for (const got of [js, wasm]) {
      expect({ records: got.records, stats: got.stats, error: got.error }).toEqual(want);
    }
    expect(wasm.counts).toEqual(js.counts);
    expect(wasm.report!.wasm).toBe(true);
    return wasm.report!;
  }

  it("clean rows, LF and CRLF: all read by the WASM loop, none handed back", async () => {
    for (const end of ["\n", "\r\n"]) {
      const r = await bothEngines(fileWith("d,4,1.875,0.0625,27,4", end));
      expect(r).toEqual({ wasm: true, wasmRecords: 7, oddRows: 0, jsChunkEnds: 0, jsBufferChunks: 0 });
    }
  });

  it("15 digits are the WASM loop's, 16 and more go back to JS (and give the same values)", async () => {
    expect((await bothEngines(fileWith("d,123456789012345,0.12345678901234,-9.99999999999999,1,1"))).oddRows).toBe(0);
    for (const v of ["1234567890123456", "0.123456789012345", "12345678901234567890", "9007199254740993"]) {
      const r = await bothEngines(fileWith(`d,4,${v},1,1,1`));
      expect(r.oddRows).toBe(1);
      expect(r.wasmRecords).toBe(6);
    }
  });

  it.each([
    ["an exponent", "d,4,1e3,1,1,1"],
    ["an exponent in the current", "d,4,1,2.5E-3,1,1"],
    ["a '+' sign", "d,4,+1.5,1,1,1"],
    ["a '+' time", "d,+4,1.5,1,1,1"],
    ["a leading space", "d, 4,1.5,1,1,1"],
    ["a trailing space", "d,4,1.5 ,1,1,1"],
    ["a quote in a skipped column", '"d,e",4,1.5,1,1,1'],
    ["a quoted bound field", 'd,4,"1.5",1,1,1'],
    ["a missing field", "d,4,1.5"],
    ["a missing temperature", "d,4,1.5,1"],
    ["an empty voltage", "d,4,,1,1,1"],
    ["an empty time (skipped row)", "d,,1.5,1,1,1"],
    ["junk in the current (skipped row)", "d,4,1.5,x,1,1"],
    ["a lone CR in a bound field", "d,4,1.5\r,1,1,1"],
    ["a lone CR after the last bound field", "d,4,1.5,1,1\r\r"],
    ["a lone CR as the line", "\r"],
    ["an empty CRLF line", "\r"],
    ["no digits", "d,4,-,1,1,1"],
    ["a bare dot", "d,4,.,1,1,1"],
  ])("%s goes back to JS, alone", async (_name, row) => {
    const r = await bothEngines(fileWith(row));
    expect(r.oddRows).toBe(1);
    expect(r.wasmRecords).toBe(6);
  });

  it("a quote hiding delimiters in a skipped column goes back to JS (read naively, the row would shift)", async () => {
    const header = "Notes,Test Time / s,Voltage / V,Current / A,Step Count / 1";
    const text = [header, "a,1,1.25,-0.5,3", '"x,5,6,7,",4,1.5,1,1', "b,2,1.5,0.25,3"].join("\n") + "\n";
    expect(await bothEngines(text)).toMatchObject({ oddRows: 1, wasmRecords: 2 });
  });

  it("a lone CR in a skipped column after the last bound one changes nothing (WASM reads it, as fastRows)", async () => {
    expect((await bothEngines(fileWith("d,4,1.5,1,1,3\r3"))).oddRows).toBe(0);
  });

  it("an empty line is counted and skipped by the WASM loop itself", async () => {
    const r = await bothEngines(fileWith(""));
    expect(r.oddRows).toBe(0);
    expect(r.wasmRecords).toBe(6);
  });

  it("-0: voltage and time keep it, the current becomes +0 (both read in WASM)", async () => {
    const r = await bothEngines(fileWith("d,-0,-0.0,-0.000,-0,1"));
    expect(r.oddRows).toBe(0);
    expect(r.wasmRecords).toBe(7);
  });

  it("scales, the current sign, columns in any order, voltage not bound", async () => {
    const text = "T [0.1 C],Current [mA],Other,Time [h]\n250,-1500.5,x,0.5\n-3,0,y,1.25\n" + "12,-0.000,z,2\n".repeat(3);
    const r = await bothEngines(text, { fmt: NO_VOLTAGE_FORMAT });
    expect(r).toMatchObject({ wasm: true, wasmRecords: 5, oddRows: 0 });
  });

  it("a time or current that overflows to Infinity after scaling goes back to JS (skipped there)", async () => {
    const text = "t,v,i\n1,1,1\n999999999,1,1\n1,1,999999999\n2,2,2\n";
    const r = await bothEngines(text, { fmt: HUGE_SCALE_FORMAT });
    expect(r).toMatchObject({ wasmRecords: 2, oddRows: 2 });
  });

  it("a line longer than the input buffer: read in a bigger JS buffer by the JS loop, then back to WASM", async () => {
    // chunkBytes 32: a 65-byte WASM buffer; the header (85 bytes) and the long row do not fit.
    const r = await bothEngines(fileWith("d,4,1.5,1,1," + "9".repeat(100)), { chunkBytes: 32 });
    expect(r.jsBufferChunks).toBeGreaterThan(0);
    expect(r.wasmRecords).toBeGreaterThan(0);
    for (const chunkBytes of [1, 2, 7, 16, 33]) {
      expect((await bothEngines(fileWith("d,4,1.5,1,1," + "9".repeat(100)), { chunkBytes, batchRecords: 2 })).jsBufferChunks).toBeGreaterThan(0);
    }
  });

  it("batch boundaries: full batches handed on from WASM and from JS rows alike", async () => {
    const rows = ["d,4,1e3,1,1,1", "e,5,1.5,1,1,1", "f,6, 2,1,1,1", "g,7,2,1,1,1"];
    const text = [HEADER, ...CLEAN, ...rows, ...CLEAN, ...rows].join("\n") + "\n";
    for (const batchRecords of [1, 2, 3, 4, 7]) {
      expect((await bothEngines(text, { batchRecords })).oddRows).toBe(4);
      // Small chunks: rows across chunk ends, some chunks in a bigger JS buffer.
      for (const chunkBytes of [1, 13, 40]) await bothEngines(text, { batchRecords, chunkBytes });
    }
  });

  it("many odd rows in a chunk: JS reads the rest of the chunk (ODD_ROWS_MIN, ODD_SHARE_MAX), same records", async () => {
    let text = HEADER + "\n";
    for (let k = 0; k < 3000; k++) text += k % 3 === 0 ? `r,${k},1.5,1,1,1\n` : `r,${k},1.5e0,1,1,1\n`;
    const r = await bothEngines(text, { batchRecords: 1000 });
    expect(r.jsChunkEnds).toBeGreaterThan(0);
    expect(r.oddRows).toBeLessThan(100);
    // A few odd rows per chunk stay with the WASM loop.
    let sparse = HEADER + "\n";
    for (let k = 0; k < 3000; k++) sparse += k % 100 === 0 ? `r,${k},1.5e0,1,1,1\n` : `r,${k},1.5,1,1,1\n`;
    expect(await bothEngines(sparse)).toMatchObject({ jsChunkEnds: 0, oddRows: 30, wasmRecords: 2970 });
  });
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
