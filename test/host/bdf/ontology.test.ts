/**
 * `zbms export --bdf` against the BDF ontology's rules (battery-data-alliance/
 * battery-data-format-ontology @ c9d46a81ffaf1d8aef98eb6b931ce06a943323c4, docs/battery-data-format.rst),
 * on the cycler exports in test/fixtures/cyclers:
 * - column labels and units as the ontology spells them;
 * - Test Time / s monotonically non-decreasing;
 * - Cycle Count / 1 a non-negative integer, non-decreasing, the cycler's numbering preserved;
 * - Step Count / 1 starts at 1 and goes up by one at each new step, never resets;
 * - Charging/Discharging Capacity / Ah and Energy / Wh cumulative from the test's start, never
 *   reset, rising only over intervals with current of their sign (+ current charges), and the
 *   charging capacity equal to the integral of the positive part of the current.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { exportBdf } from "../../../host/analyze/analyzeApi";
import { S_PER_H } from "../../../shared/units";

vi.setConfig({ testTimeout: 60000 });

const FIX = resolve(__dirname, "..", "..", "fixtures", "cyclers");
const dir = mkdtempSync(join(tmpdir(), "zbms-bdf-onto-"));
/** Relative tolerance of the re-integrated charge (the CSV writes shortest round-trip doubles). */
const INTEGRAL_TOL_FRAC = 1e-9;

/** Labels of the ontology's terms that zbms writes ("Quantity / unit", its prefLabel). */
const ONTOLOGY_LABELS = [
  "Test Time / s",
  "Voltage / V",
  "Current / A",
  "Cycle Count / 1",
  "Step Count / 1",
  "Ambient Temperature / degC",
  "Charging Capacity / Ah",
  "Discharging Capacity / Ah",
  "Charging Energy / Wh",
  "Discharging Energy / Wh",
];

/** Charge of the positive (sign +1) or negative (−1) part of a linear current over dt (Ah). */
function signedArea(a: number, b: number, dtH: number, sign: number): number {
  const pa = Math.max(sign * a, 0);
  const pb = Math.max(sign * b, 0);
  if (pa > 0 && pb > 0) return ((pa + pb) / 2) * dtH;
  if (pa === 0 && pb === 0) return 0;
  // A sign change inside the interval: the triangle on this side.
  const frac = (pa + pb) / (Math.abs(a) + Math.abs(b));
  return ((pa + pb) / 2) * dtH * frac;
}

async function exported(file: string, capacityAh?: number): Promise<{ head: string[]; rows: number[][] }> {
  const out = join(dir, file + ".bdf.csv");
  await exportBdf(join(FIX, file), out, { progress: false, capacityAh });
  const lines = readFileSync(out, "utf8").trim().split("\n");
  return { head: lines[0].split(","), rows: lines.slice(1).map((l) => l.split(",").map((x) => (x === "" ? NaN : Number(x)))) };
}

function checkOntology(head: string[], rows: number[][]): void {
  for (const h of head) expect(ONTOLOGY_LABELS, `column ${h}`).toContain(h);
  const col = (n: string): number => head.indexOf(n);
  const [t, i, cyc, step] = [col("Test Time / s"), col("Current / A"), col("Cycle Count / 1"), col("Step Count / 1")];
  const cum = ["Charging Capacity / Ah", "Discharging Capacity / Ah", "Charging Energy / Wh", "Discharging Energy / Wh"].map(col);
  expect(rows[0][step]).toBe(1);
  // Violations gathered in plain code (an expect per cell would take seconds), shown together.
  const bad: string[] = [];
  const fail = (k: number, what: string): void => {
    if (bad.length < 5) bad.push(`row ${k + 2}: ${what}`);
  };
  let chargeAh = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (!(Number.isInteger(r[cyc]) && r[cyc] >= 0)) fail(k, `cycle count ${r[cyc]}`);
    for (const c of cum) if (!(r[c] >= 0)) fail(k, `${head[c]} ${r[c]} < 0`);
    if (k === 0) continue;
    const p = rows[k - 1];
    if (!(r[t] >= p[t])) fail(k, `test time ${p[t]} → ${r[t]}`);
    if (!(r[cyc] >= p[cyc])) fail(k, `cycle count ${p[cyc]} → ${r[cyc]}`);
    if (!(r[step] - p[step] === 0 || r[step] - p[step] === 1)) fail(k, `step count ${p[step]} → ${r[step]}`);
    for (const c of cum) if (!(r[c] >= p[c])) fail(k, `${head[c]} resets ${p[c]} → ${r[c]}`);
    // Charging capacity rises only over an interval with + current, discharging with −.
    if (r[cum[0]] > p[cum[0]] && !(Math.max(r[i], p[i]) > 0)) fail(k, "charge counted without + current");
    if (r[cum[1]] > p[cum[1]] && !(Math.min(r[i], p[i]) < 0)) fail(k, "discharge counted without − current");
    chargeAh += signedArea(p[i], r[i], (r[t] - p[t]) / S_PER_H, 1);
  }
  expect(bad).toEqual([]);
  const last = rows[rows.length - 1][cum[0]];
  expect(Math.abs(last - chargeAh)).toBeLessThanOrEqual(INTEGRAL_TOL_FRAC * Math.max(chargeAh, 1e-12) + 1e-15);
}

describe("BDF export follows the ontology's rules", () => {
  it.each([
    ["biologic_gcpl.issue_211.mpt", [0, 1, 2, 3, 4]],
    ["pec_pec.csv", [0, 1, 2]],
    ["landt_SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv", [1, 2]],
    ["maccor_PredictionDiagnostics_000151_test.052", [37]],
  ])("%s: rules hold and the cycler's cycle numbers %j are kept", async (file, cycles) => {
    const { head, rows } = await exported(file);
    checkOntology(head, rows);
    const cyc = head.indexOf("Cycle Count / 1");
    expect([...new Set(rows.map((r) => r[cyc]))]).toEqual(cycles);
  });

  it("Maccor .022: the cycler's 340 cycle numbers and one step count per cycler step", async () => {
    const file = "maccor_PreDiag_000412_00008Fshort.022";
    const { head, rows } = await exported(file);
    checkOntology(head, rows);
    expect(new Set(rows.map((r) => r[head.indexOf("Cycle Count / 1")])).size).toBe(340);
    // Independent count of the cycler's steps: changes of (Cyc#, Step) down the file.
    const lines = readFileSync(join(FIX, file), "latin1").split(/\r?\n/).slice(2).filter((l) => l.trim() !== "");
    let steps = 0;
    let last = "";
    for (const l of lines) {
      const f = l.split("\t");
      if (f[1] + "/" + f[2] !== last) steps++;
      last = f[1] + "/" + f[2];
    }
    expect(rows[rows.length - 1][head.indexOf("Step Count / 1")]).toBe(steps);
  });

  it("a file without a cycle index (Arbin CH33) and one whose cycle column is not a count (2π, Neware BDF example): zbms's own 1-based count", async () => {
    for (const file of ["arbin_2017-05-09_test-TC-contact_CH33.csv", "bdfref_SINTEF__G20M7-202512-Gru6mV__20251228__C30__25degC__Neware.bdf.csv"]) {
      const { head, rows } = await exported(file);
      checkOntology(head, rows);
      expect(rows[0][head.indexOf("Cycle Count / 1")]).toBe(1);
    }
  });

  it("a rest-only export (Neware BTS 8, given --capacity-ah): all counters stay 0", async () => {
    const { head, rows } = await exported("neware_interp-test.csv", 1);
    checkOntology(head, rows);
    expect(rows[rows.length - 1][head.indexOf("Charging Capacity / Ah")]).toBe(0);
  });
});
