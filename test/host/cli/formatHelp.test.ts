/**
 * `--format` lists its ids in the help of `analyze` and `export` and in the error for an unknown
 * id (quoted, control characters escaped); `export --help` says that `--bdf` names the input
 * and `--out` the BDF file written. The ids are checked against the importers themselves.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../../host/cli/main";
import { IMPORTERS, parseFormat } from "../../../host/import/detect";
import { ImportError } from "../../../host/import/record";

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["node", "zbms", ...args], { writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
  return { code, out, err };
}

/** Help text with commander's line wrapping undone. */
const unwrap = (t: string): string => t.replace(/\s+/g, " ");

const IDS = IMPORTERS.map((i) => i.format);

describe("--format ids", () => {
  it("there are sixteen importers, each with its own id", () => {
    expect(new Set(IDS).size).toBe(IDS.length);
    expect(IDS).toEqual([
      "zbms-log", "neware-regular", "bdf", "neware-record", "landt-record", "arbin", "batterydata-raw", "pybamm",
      "pec", "landt-raw", "biologic-mpt", "maccor", "biologic-mpr", "neware-xlsx", "neware-ndax", "neware-nda",
    ]);
  });

  it.each(["analyze", "export"])("zbms %s --help lists every id under --format", async (c) => {
    const r = await cli(c, "--help");
    expect(r.code).toBe(0);
    expect(unwrap(r.out)).toContain(`--format <id> input format, one of: ${IDS.join(", ")} (default: detected`);
  });

  it.each(["analyze", "export"])("zbms %s --format nope: exit 1, the bad id quoted, every id listed", async (c) => {
    const args = c === "analyze" ? ["analyze", "x.csv", "--format", "nope"] : ["export", "--bdf", "x.csv", "-o", "y.csv", "--format", "nope"];
    const r = await cli(...args);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`unknown format "nope"; accepted: ${IDS.join(", ")} (or leave --format out to detect it)`);
  });

  it("parseFormat accepts each id, escapes control characters and shortens long input in its error", () => {
    for (const id of IDS) expect(parseFormat(id)).toBe(id);
    expect(() => parseFormat("a\u001b[31mb")).toThrow(ImportError);
    expect(() => parseFormat("a\u001b[31mb")).toThrow('unknown format "a\\u001b[31mb"');
    expect(() => parseFormat("x".repeat(100))).toThrow(`unknown format "${"x".repeat(40)}…"`);
    expect(() => parseFormat("BDF")).toThrow(/unknown format "BDF"/); // ids are exact
  });
});

describe("zbms export --help", () => {
  it("names --bdf as the input (any format analyze reads) and --out as the BDF CSV written", async () => {
    const r = await cli("export", "--help");
    expect(r.code).toBe(0);
    const t = unwrap(r.out);
    expect(t).toContain("Usage: zbms export --bdf <input> -o <out.csv> [options]");
    expect(t).toContain("--bdf <input> the file to convert (read, not written): a zbms raw log, BDF CSV, cycler exports (Neware CSV/.xlsx/.ndax/.nda, BioLogic .mpt/.mpr, Arbin, Maccor, PEC, Landt, BatteryData, PyBaMM; docs/formats.md)");
    expect(t).toContain("-o, --out <out.csv> the BDF CSV to write");
  });
});
