import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";

// Whole-pipeline runs: allow for a loaded CI machine.
vi.setConfig({ testTimeout: 60000 });
import { analyzeFile, exportBdf, parseCapacityAh, parseCycleList, parseFirstHalf } from "../../../host/analyze/analyzeApi";
import { main as zbmsMain } from "../../../host/cli/main";
import { EXIT_FAILED, EXIT_USAGE } from "../../../host/cli/cliErrors";

/** `zbms ARGS…` in this process; returns the exit status. */
function zbms(...args: string[]): Promise<number> {
  return zbmsMain(["node", "zbms", ...args]);
}
import { fitConfig } from "../../../host/analyze/fitConfig";
import { profileInput } from "../../../host/analyze/profile";
import { pybammImporter } from "../../../host/import/pybamm";
import { MAX_LINE_BYTES } from "../../../host/import/csvStream";
import { generateBdf } from "../../../bench/analyzeGen";

const REPO = resolve(__dirname, "..", "..", "..");
const REAL = resolve(REPO, "test", "fixtures", "realdata");
const PYBAMM = join(REAL, "pybamm_dfn_chen2020_charge_discharge_75.csv");
const dir = mkdtempSync(join(tmpdir(), "zbms-cli-"));

/** Run `fn` with process.stderr captured; returns what was written, in order. */
async function withStderr(fn: () => Promise<void>): Promise<string[]> {
  const errs: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  (process.stderr as unknown as { write: (s: string) => boolean }).write = (s: string) => {
    errs.push(s);
    return true;
  };
  try {
    await fn();
  } finally {
    (process.stderr as unknown as { write: typeof orig }).write = orig;
  }
  return errs;
}

describe("option parsers quote the bad value and list what is accepted", () => {
  it("capacity", () => {
    expect(parseCapacityAh("0.25")).toBe(0.25);
    expect(() => parseCapacityAh("-1")).toThrow(/"-1".*positive/);
    expect(() => parseCapacityAh("abc")).toThrow(/"abc"/);
  });
  it("first half", () => {
    expect(parseFirstHalf("discharge")).toBe("discharge");
    expect(() => parseFirstHalf("up")).toThrow(/"up".*"charge".*"discharge"/);
  });
  it("dQ/dV cycle list", () => {
    expect(parseCycleList("1, 10,50")).toEqual([1, 10, 50]);
    expect(() => parseCycleList("1,x")).toThrow(/"1,x"/);
  });
});

describe("fitted analysis config", () => {
  it("takes capacity and cycle order from the data, or from the options", async () => {
    const p = await profileInput(pybammImporter, PYBAMM);
    const auto = fitConfig(p);
    expect(auto.capacityAh).toBeCloseTo(2.5 * (40 / 60), 6);
    expect(auto.segmentation.firstHalf).toBe("discharge");
    expect(auto.segmentation.activeCurrentA).toBeLessThan(2.5);
    const given = fitConfig(p, { capacityAh: 5, firstHalf: "charge" });
    expect(given.capacityAh).toBe(5);
    expect(given.segmentation.firstHalf).toBe("charge");
  });
});

describe("zbms export --bdf", () => {
  it("writes a BDF file whose analysis gives the same cycles as the original", async () => {
    const out = join(dir, "pybamm.bdf.csv");
    const r = await exportBdf(PYBAMM, out, { progress: false });
    expect(r.format).toBe("pybamm");
    const text = readFileSync(out, "utf8");
    expect(text.split("\n")[0]).toContain("Test Time / s,Voltage / V,Current / A,Cycle Count / 1");
    // + = charge in BDF: PyBaMM's first (discharge) current appears negative.
    const firstActive = text.split("\n").slice(1).find((l) => l.split(",")[2] !== "0")!;
    expect(Number(firstActive.split(",")[2])).toBe(-2.5);
    const a = await analyzeFile(PYBAMM, { outDir: join(dir, "a"), printTable: null, progress: false });
    const b = await analyzeFile(out, { outDir: join(dir, "b"), printTable: null, progress: false });
    expect(b.format).toBe("bdf");
    expect(b.replay.cycles.length).toBe(a.replay.cycles.length);
    expect(b.replay.cycles[0].chargeAh).toBeCloseTo(a.replay.cycles[0].chargeAh, 9);
    expect(b.replay.cycles[0].dischargeAh).toBeCloseTo(a.replay.cycles[0].dischargeAh, 9);
  });
});

describe("BDF export of a cycler file keeps the cycler's cycles", () => {
  it("Landt → BDF → analyze gives the same per-cycle capacities and CE", async () => {
    const landt = join(REAL, "landt_Si_halfcell_14cyc__RecordTab.csv");
    const out = join(dir, "landt.bdf.csv");
    await exportBdf(landt, out, { progress: false });
    const a = await analyzeFile(landt, { outDir: join(dir, "la"), printTable: null, progress: false });
    const b = await analyzeFile(out, { outDir: join(dir, "lb"), printTable: null, progress: false });
    expect(b.replay.cycles.length).toBe(a.replay.cycles.length);
    for (let k = 0; k < a.replay.cycles.length; k++) {
      expect(b.replay.cycles[k].chargeAh).toBeCloseTo(a.replay.cycles[k].chargeAh, 9);
      expect(b.replay.cycles[k].dischargeAh).toBeCloseTo(a.replay.cycles[k].dischargeAh, 9);
      expect(b.replay.cycles[k].ce).toBeCloseTo(a.replay.cycles[k].ce, 6);
    }
    // The export's own per-cycle counters end each cycle at the model's capacity.
    const rows = readFileSync(out, "utf8").trim().split("\n");
    const head = rows[0].split(",");
    const cc = head.indexOf("Cycle Count / 1");
    const qd = head.indexOf("Discharging Capacity / Ah");
    let lastOfCycle1 = "";
    for (const r of rows.slice(1)) {
      const f = r.split(",");
      if (f[cc] === "1") lastOfCycle1 = f[qd];
      else if (lastOfCycle1 !== "") break;
    }
    expect(Number(lastOfCycle1)).toBeCloseTo(a.replay.cycles[0].dischargeAh, 9);
  });
});

describe("zbms analyze outputs", () => {
  it("writes the tables (text, CSV, JSON), the summary and the report", async () => {
    let printed = "";
    const r = await analyzeFile(PYBAMM, { outDir: join(dir, "o"), progress: false, print: (s) => (printed += s) });
    expect(printed).toContain("charge_Ah");
    expect(printed).toContain("report:");
    const json = JSON.parse(readFileSync(r.files.cyclesJson, "utf8"));
    expect(json[0].discharge_Ah).toBeCloseTo(1.6667, 4);
    expect(readFileSync(r.files.cyclesCsv, "utf8").split("\n")[0]).toContain("CE_bound_pct");
    const summary = JSON.parse(readFileSync(r.files.summaryJson, "utf8"));
    expect(summary.protocol.length).toBe(7);
    expect(readFileSync(r.files.html, "utf8")).toContain("new uPlot(");
  });
  it("zbms analyze exits with a clear message for an unknown format (5) or a bad option (1)", async () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "a,b\n1,2\n");
    const errs = await withStderr(async () => {
      expect(await zbms("analyze", bad, "--out", join(dir, "x"), "--no-progress")).toBe(EXIT_FAILED);
      expect(await zbms("analyze", PYBAMM, "--capacity-ah", "zero")).toBe(EXIT_USAGE);
      expect(await zbms("frobnicate")).toBe(EXIT_USAGE);
      expect(await zbms("analyze", PYBAMM, "--config", bad)).toBe(EXIT_USAGE);
      expect(await zbms("export", "--bdf", PYBAMM, "--out", join(dir, "y.csv"), "--config", bad)).toBe(EXIT_USAGE);
    });
    expect(errs.join("")).toContain('Columns found: "a", "b"');
    expect(errs.join("")).toContain('--capacity-ah "zero"');
    expect(errs.join("")).toContain("unknown command 'frobnicate'");
    expect(errs.join("")).toMatch(/--config ".*bad.csv": cannot read it as JSON/);
  });
  it("zbms analyze --config replays with the given pack config", async () => {
    const cfgFile = join(dir, "pack.json");
    writeFileSync(cfgFile, readFileSync(join(REPO, "hardware", "packs", "znmno2-4s.json"), "utf8"));
    const errs = await withStderr(async () => {
      expect(await zbms("analyze", PYBAMM, "--out", join(dir, "cfg"), "--print", "none", "--no-progress", "--config", cfgFile)).toBe(0);
    });
    expect(errs.join("")).toBe("");
    const summaryFile = readdirSync(join(dir, "cfg")).find((f) => f.endsWith(".summary.json"));
    expect(summaryFile).toBeDefined();
    const summary = JSON.parse(readFileSync(join(dir, "cfg", summaryFile as string), "utf8"));
    // The replay used the given pack (4 cells), not a config fitted to the 1-cell input.
    expect(summary.config.name).toBe("ZnMnO2 4S 2Ah pouch");
    expect(summary.config.cellCount).toBe(4);
  });
});

describe("zbms analyze --timings", () => {
  it("prints each phase's wall time (ms) as one JSON line on stderr, and analyzeFile returns them", async () => {
    const errs = await withStderr(async () => {
      expect(await zbms("analyze", PYBAMM, "--out", join(dir, "timed"), "--print", "none", "--no-progress", "--timings")).toBe(0);
    });
    const line = errs.join("").split("\n").find((l) => l.startsWith("timings ms "));
    expect(line).toBeDefined();
    const ms = JSON.parse((line as string).slice("timings ms ".length)) as Record<string, number>;
    expect(Object.keys(ms)).toEqual(["start", "profile", "config", "replay", "outputs"]);
    for (const v of Object.values(ms)) expect(v).toBeGreaterThanOrEqual(0);
    const t0 = performance.now();
    const r = await analyzeFile(PYBAMM, { outDir: join(dir, "timed2"), printTable: null, progress: false });
    const wall = performance.now() - t0;
    const sum = Object.values(r.phaseMs).reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(wall + 1);
    expect(sum).toBeGreaterThan(0.5 * wall);
  });
});

describe("zbms analyze on awkward line ends and lines (issue 21)", () => {
  it("a BDF file with lone \\r line ends gives the cycles of the same file with \\n, no row skipped", async () => {
    const lf = join(dir, "ends-lf.bdf.csv");
    generateBdf(lf, 80000);
    const cr = join(dir, "ends-cr.bdf.csv");
    writeFileSync(cr, readFileSync(lf, "utf8").replace(/\n/g, "\r"));
    const a = await analyzeFile(lf, { outDir: join(dir, "ends-lf"), printTable: null, progress: false });
    const b = await analyzeFile(cr, { outDir: join(dir, "ends-cr"), printTable: null, progress: false });
    expect(b.replay.samples).toBe(80000);
    expect(b.replay.importStats.skipped).toBe(0);
    expect(b.replay.cycles.length).toBeGreaterThan(1);
    expect(readFileSync(b.files.cyclesCsv, "utf8")).toBe(readFileSync(a.files.cyclesCsv, "utf8"));
  });
  it("a line longer than the cap stops zbms analyze at once, naming the line (exit 5)", async () => {
    const f = join(dir, "long-line.bdf.csv");
    writeFileSync(f, "Test Time / s,Voltage / V,Current / A\n0,1.2,0.1\n1,1.2," + "1".repeat(MAX_LINE_BYTES + 10) + "\n2,1.2,0.1\n");
    const errs = await withStderr(async () => {
      expect(await zbms("analyze", f, "--out", join(dir, "long"), "--print", "none", "--no-progress")).toBe(EXIT_FAILED);
    });
    expect(errs.join("")).toMatch(/long-line\.bdf\.csv: line 3 is longer than 1048576 bytes \(it begins "1,1\.2,111/);
  });
});
