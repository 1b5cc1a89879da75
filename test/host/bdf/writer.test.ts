import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BDF_HEADER_LINE, BdfWriter, type BdfRow } from "../../../host/bdf/writer";
import { bdfImporter } from "../../../host/import/bdfCsv";
import { BDF_REQUIRED } from "../../../host/bdf/columns";

const dir = mkdtempSync(join(tmpdir(), "zbms-bdf-"));

function row(t: number, v: number, i: number, temp: number): BdfRow {
  return {
    testTimeS: t, voltageV: v, currentA: i, cycleCount: 1, stepCount: 1, ambientTempC: temp,
    chargingCapacityAh: 0, dischargingCapacityAh: 0, chargingEnergyWh: 0, dischargingEnergyWh: 0,
  };
}

describe("BdfWriter", () => {
  it("writes the BDF header with the spec's column names, required ones first", () => {
    const f = join(dir, "h.csv");
    const w = new BdfWriter(f);
    w.close();
    const header = readFileSync(f, "utf8").split("\n")[0];
    expect(header).toBe(BDF_HEADER_LINE);
    expect(header.split(",").slice(0, 3)).toEqual([...BDF_REQUIRED]);
    expect(header).toContain("Cycle Count / 1");
    expect(header).toContain("Ambient Temperature / degC");
  });
  it("round-trips rows through the BDF importer exactly (+ current = charge kept)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.double({ min: 0, max: 1e7, noNaN: true }),
            fc.double({ min: 0, max: 5, noNaN: true }),
            fc.double({ min: -10, max: 10, noNaN: true }),
            fc.option(fc.double({ min: -40, max: 80, noNaN: true }), { nil: NaN }),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        async (rows) => {
          const f = join(dir, "r.csv");
          const w = new BdfWriter(f);
          for (const [t, v, i, temp] of rows) w.writeRow(row(t, v, i, temp));
          w.close();
          const got: number[][] = [];
          await bdfImporter.read(f, (r) => {
            got.push([r.tS, r.voltageV, r.currentA, r.tempC]);
          });
          const z = (x: number): number => (x === 0 ? 0 : x); // String(-0) is "0"
          expect(got).toEqual(rows.map(([t, v, i, temp]) => [z(t), z(v), z(i), z(temp)]));
        },
      ),
      { numRuns: 60 },
    );
  });
  it("append mode adds rows without a second header", () => {
    const f = join(dir, "a.csv");
    const w1 = new BdfWriter(f, { append: true });
    w1.writeRow(row(0, 1.5, 0.1, 25));
    w1.close();
    const w2 = new BdfWriter(f, { append: true });
    w2.writeRow(row(1, 1.6, 0.1, 25));
    w2.close();
    const lines = readFileSync(f, "utf8").trim().split("\n");
    expect(lines.length).toBe(3);
    expect(lines.filter((l) => l.startsWith("Test Time")).length).toBe(1);
  });
  it("writes NaN as an empty cell and refuses writes after close", () => {
    const f = join(dir, "n.csv");
    const w = new BdfWriter(f);
    w.writeRow(row(0, NaN, 0.5, NaN));
    w.close();
    expect(readFileSync(f, "utf8").split("\n")[1]).toBe("0,,0.5,1,1,,0,0,0,0");
    expect(() => w.writeRow(row(1, 1, 1, 1))).toThrow(/after close/);
  });
});
