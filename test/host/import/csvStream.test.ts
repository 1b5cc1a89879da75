import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvLineTooLongError, MAX_LINE_BYTES, parseNumberBytes, readCsv } from "../../../host/import/csvStream";

const enc = new TextEncoder();
const num = (s: string): number => {
  const b = enc.encode(s);
  return parseNumberBytes(b, 0, b.length);
};

describe("parseNumberBytes", () => {
  it("parses plain, signed, exponent and padded numbers", () => {
    expect(num("0")).toBe(0);
    expect(num("-0.14571")).toBe(-0.14571);
    expect(num("+2.5")).toBe(2.5);
    expect(num("1.2e-5")).toBe(1.2e-5);
    expect(num("7.52614275528797")).toBe(7.52614275528797);
    expect(num(" 3.5 ")).toBe(3.5);
    expect(num('"4.25"')).toBe(4.25);
    expect(num("3.2760357100000001")).toBe(3.2760357100000001);
  });
  it("gives NaN for empty, dashes and words, Number() for NaN/Infinity text", () => {
    expect(num("")).toBeNaN();
    expect(num("-")).toBeNaN();
    expect(num("abc")).toBeNaN();
    expect(num("1.2.3")).toBeNaN();
    expect(num("1e")).toBeNaN();
    expect(num("NaN")).toBeNaN();
    expect(num("Infinity")).toBe(Infinity);
  });
  it("agrees with Number() on the shortest text of any double", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = String(x);
        expect(num(s)).toBe(Number(s));
      }),
      { numRuns: 3000 },
    );
  });
  it("agrees with Number() on fixed-decimal texts", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 12 }), (x, d) => {
        const s = x.toFixed(d);
        expect(num(s)).toBe(Number(s));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("readCsv", () => {
  const dir = mkdtempSync(join(tmpdir(), "zbms-csv-"));
  it("returns every row intact whatever the chunk size (lines split across chunks)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        async (rows, chunk, crlf) => {
          const f = join(dir, "p.csv");
          const eol = crlf ? "\r\n" : "\n";
          writeFileSync(f, "a,b\n" + rows.map((r) => r.map(String).join(",")).join(eol) + eol);
          const got: number[][] = [];
          await readCsv(f, (row) => {
            if (row.lineNo === 1) return;
            const r: number[] = [];
            for (let i = 0; i < row.count; i++) r.push(row.num(i));
            got.push(r);
          }, { chunkBytes: chunk });
          expect(got).toEqual(rows.map((r) => r.map((x) => (Object.is(x, -0) ? 0 : x)))); // String(-0) is "0"
        },
      ),
      { numRuns: 150 },
    );
  });
  it("strips a BOM, reads quoted fields and guesses ';' delimiters", async () => {
    const f = join(dir, "q.csv");
    writeFileSync(f, "\ufeffname;value\n\"a;b\";1,5\n\"say \"\"hi\"\"\";2\n");
    const rows: string[][] = [];
    await readCsv(f, (row) => {
      rows.push(row.strings());
    });
    expect(rows).toEqual([["name", "value"], ["a;b", "1,5"], ['say "hi"', "2"]]);
  });
  it("stops early when the callback returns false", async () => {
    const f = join(dir, "s.csv");
    writeFileSync(f, "x\n1\n2\n3\n");
    let n = 0;
    await readCsv(f, () => {
      n++;
      return n < 2;
    });
    expect(n).toBe(2);
  });
});

describe("readCsv with a sampling stride", () => {
  const dir = mkdtempSync(join(tmpdir(), "zbms-stride-"));
  it("hands out the header, every k-th pair of lines and the last line, with true line numbers", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 2, max: 7 }), fc.boolean(), fc.integer({ min: 1, max: 40 }), async (n, k, trailingNewline, chunk) => {
        const f = join(dir, "s.csv");
        const lines = ["h"];
        for (let i = 0; i < n; i++) lines.push(String(i));
        writeFileSync(f, lines.join("\n") + (trailingNewline ? "\n" : ""));
        const got: [number, string][] = [];
        await readCsv(f, (row) => {
          got.push([row.lineNo, row.str(0)]);
        }, { stride: k, chunkBytes: chunk });
        const want: [number, string][] = [[1, "h"]];
        for (let i = 0; i < n; i++) if (i % k < 2 || i === n - 1) want.push([i + 2, String(i)]);
        expect(got).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });
});

describe("readCsv sampling by byte position", () => {
  const dir = mkdtempSync(join(tmpdir(), "zbms-bytestride-"));
  it("hands out the header, pairs of consecutive lines in file order about every k lines, and the last line", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 2, max: 9 }),
        fc.boolean(),
        fc.integer({ min: 8, max: 300 }),
        fc.boolean(),
        async (n, k, trailingNewline, windowBytes, crlf) => {
          const f = join(dir, "b.csv");
          const lines = ["t,v"];
          // Lines of varying length (1–7 digits) so that byte jumps do not land on line starts.
          for (let i = 0; i < n; i++) lines.push(String(i * 7919 % 10 ** ((i % 7) + 1)) + "," + i);
          writeFileSync(f, lines.join(crlf ? "\r\n" : "\n") + (trailingNewline ? (crlf ? "\r\n" : "\n") : ""));
          const got: [number, string, number][] = [];
          await readCsv(f, (row) => {
            got.push([row.lineNo, row.str(0), row.num(1)]);
          }, { stride: k, sampleByBytes: true, chunkBytes: windowBytes });
          expect(got[0]).toEqual([1, "t", NaN]);
          const data = got.slice(1);
          // Every data line handed out is a real line, in file order, none twice.
          for (let j = 0; j < data.length; j++) {
            const idx = data[j][2];
            expect(lines[idx + 1]).toBe(data[j][1] + "," + idx);
            if (j > 0) expect(idx).toBeGreaterThan(data[j - 1][2]);
            if (j > 0) expect(data[j][0] - data[j - 1][0] === 1).toBe(idx - data[j - 1][2] === 1);
          }
          if (n > 0) {
            expect(data[0][2]).toBe(0);
            expect(data[data.length - 1][2]).toBe(n - 1);
            // Roughly two lines per k (jumps are by mean line length, lines vary up to 7×).
            expect(data.length).toBeLessThanOrEqual(Math.ceil((8 * 2 * n) / k) + 3);
            if (n >= 10 * k) expect(data.length).toBeGreaterThanOrEqual(Math.floor(n / (8 * k)));
          }
        },
      ),
      { numRuns: Number(process.env.H16_RUNS ?? 300) },
    );
  });
});

describe("readCsv sampling by byte position, far-apart positions (small read window per position)", () => {
  const dir = mkdtempSync(join(tmpdir(), "zbms-sparse-"));
  it("hands out the same rows as with one whole window: with equal-length lines, exactly every k-th pair", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 40, max: 400 }), fc.boolean(), async (n, k, crlf) => {
        const f = join(dir, "s.csv");
        const eol = crlf ? "\r\n" : "\n";
        // Equal-length lines: the mean line length is exact, whatever window measured it.
        const lines = ["time,value"];
        for (let i = 0; i < n; i++) lines.push(String(i).padStart(6, "0") + "," + String((i * 7919) % 1000).padStart(3, "0"));
        writeFileSync(f, lines.join(eol) + eol);
        const read = async (chunkBytes?: number): Promise<[number, string][]> => {
          const got: [number, string][] = [];
          await readCsv(f, (row) => {
            got.push([row.num(0), row.str(1)]);
          }, { stride: k, sampleByBytes: true, ...(chunkBytes !== undefined ? { chunkBytes } : {}) });
          return got.slice(1);
        };
        const want: [number, string][] = [];
        for (let i = 0; i < n; i++) if (i % k < 2 || i === n - 1) want.push([i, String((i * 7919) % 1000).padStart(3, "0")]);
        // Default window (1 MiB, switched to a small one for the far-apart positions) and a
        // window too small for that switch.
        expect(await read()).toEqual(want);
        expect(await read(256)).toEqual(want);
      }),
      { numRuns: 100 },
    );
  });
});

describe("readCsv's bounded input (issue 21)", () => {
  const dir = mkdtempSync(join(tmpdir(), "zbms-bounded-"));
  it("stops at a line longer than the cap, naming the line, having read little more than the cap", async () => {
    const f = join(dir, "long-line.csv");
    const cap = 64 * 1024;
    const chunk = 16 * 1024;
    // An 8 MB third line with no line end (a scaled-down 128 MB line: the cap is the option).
    writeFileSync(f, "a,b\n1,2\n" + "9".repeat(8 * 1024 * 1024));
    let readBytes = 0;
    const err = await readCsv(f, () => undefined, { maxLineBytes: cap, chunkBytes: chunk, onProgress: (done) => (readBytes = done) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsvLineTooLongError);
    expect(String(err)).toMatch(/long-line\.csv: line 3 is longer than 65536 bytes \(it begins "9999/);
    expect(readBytes).toBeLessThan(cap + 3 * chunk);
  });
  it("applies the default cap (MAX_LINE_BYTES) without options, and in the byte-position sampler", async () => {
    const f = join(dir, "long-default.csv");
    writeFileSync(f, "a,b\n1,2\n" + "7,".repeat(MAX_LINE_BYTES) + "\n3,4\n");
    await expect(readCsv(f, () => undefined)).rejects.toThrow(/line 3 is longer than 1048576 bytes/);
    await expect(readCsv(f, () => undefined, { stride: 2, sampleByBytes: true, chunkBytes: 4096 })).rejects.toThrow(/is longer than 1048576 bytes/);
  });
  it("reads \\n, \\r\\n, lone \\r and mixed line ends alike (rows and line numbers), chunk boundaries anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: -999, max: 999 })), { minLength: 1, maxLength: 30 }),
        fc.array(fc.constantFrom("\n", "\r\n", "\r"), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 16 }),
        fc.boolean(),
        async (rows, ends, chunk, lastEnd) => {
          const f = join(dir, "ends.csv");
          const lines = ["t,v", ...rows.map(([t, v]) => `${t},${v}`)];
          writeFileSync(f, lines.map((l, k) => l + (k < lines.length - 1 || lastEnd ? ends[k % ends.length] : "")).join(""));
          const got: [number, number, number][] = [];
          await readCsv(f, (row) => {
            got.push([row.lineNo, row.num(0), row.num(1)]);
          }, { chunkBytes: chunk });
          expect(got).toEqual([[1, NaN, NaN], ...rows.map(([t, v], k): [number, number, number] => [k + 2, t, v])]);
        },
      ),
      { numRuns: 200 },
    );
  });
  it("samples a lone-\\r file by byte position as it samples the same file with \\n", async () => {
    const body = Array.from({ length: 3000 }, (_, k) => `${k},${(k * 0.001).toFixed(3)}`);
    const rowsOf = async (sep: string): Promise<string[]> => {
      const f = join(dir, "sampled.csv");
      writeFileSync(f, ["t,v", ...body].join(sep) + sep);
      const got: string[] = [];
      await readCsv(f, (row) => {
        got.push(`${row.lineNo}:${row.str(0)}`);
      }, { stride: 50, sampleByBytes: true, chunkBytes: 1024 });
      return got;
    };
    const lf = await rowsOf("\n");
    expect(lf.length).toBeGreaterThan(100);
    expect(await rowsOf("\r")).toEqual(lf);
  });
});
