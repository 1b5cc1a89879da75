/**
 * What the demo's report shows, checked against independent sources: the monitor's own cycle
 * records (the board's model, logged), the cycle lines in the raw log, the simulator's truth
 * (rests) and the pack file the demo flashed. Reads the numbers the report embeds for its plots
 * (the `zbms-plot-data` JSON), not whether canvases were drawn. Called by demo.test.ts after
 * the demo ran (one demo run for both tests).
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { expect } from "vitest";
import { analyzeFile } from "../../host/analyze/analyzeApi";
import { PLOT_DATA_ID } from "../../host/analyze/report";
import type { TruthFile } from "../../host/cli/simCommand";
import { configHash } from "../../host/monitor/boardConfig";
import { parseNoteLine } from "../../host/monitor/rawLog";
import { CYCLE_FLAG_PARTIAL, type CycleRecord } from "../../shared/model/events";
import type { PackConfig } from "../../shared/config/packConfig";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import { MS_PER_H, S_PER_H } from "../../shared/units";

const PERCENT = 100;
/** Wire resolution of a status line (docs/protocol.md): current f6, cell voltage l4, time i (ms); half of each is the rounding. */
const WIRE_HALF_A = 0.5e-6;
const WIRE_HALF_CELL_V = 0.5e-4;
const WIRE_HALF_MS = 0.5;

interface PlotData {
  vt: { x: number[]; vMin: (number | null)[]; vMax: (number | null)[]; iMin: (number | null)[]; iMax: (number | null)[] };
  cap: { x: number[]; chg: (number | null)[]; dis: (number | null)[]; leftOut: number[] };
  eff: { x: number[]; ce: (number | null)[]; ee: (number | null)[] };
}

/** The plot data a report embeds. */
export function plotData(html: string): PlotData {
  const m = new RegExp(`<script type="application/json" id="${PLOT_DATA_ID}">([^<]*)</script>`).exec(html);
  if (!m) throw new Error(`no ${PLOT_DATA_ID} script in the report`);
  return JSON.parse(m[1]!) as PlotData;
}

type Row = Record<string, number | string | null>;

function reportFiles(dir: string, stem: string): { summary: Record<string, unknown>; cycles: Row[]; rests: Row[]; html: string } {
  const f = (ext: string): string => nodePath.join(dir, stem + ext);
  const csv = fs.readFileSync(f(".rests.csv"), "utf8").trim().split("\n");
  const head = csv[0]!.split(",");
  const rests = csv.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, k) => [head[k]!, v === "" ? null : Number.isNaN(Number(v)) ? v : Number(v)])));
  return {
    summary: JSON.parse(fs.readFileSync(f(".summary.json"), "utf8")) as Record<string, unknown>,
    cycles: JSON.parse(fs.readFileSync(f(".cycles.json"), "utf8")) as Row[],
    rests,
    html: fs.readFileSync(f(".report.html"), "utf8"),
  };
}

/** Board records and status extremes from the raw log's telemetry lines. */
function scanRawLog(lines: string[]): { boardCycles: Map<number, CycleRecord>; maxAbsA: number; maxPackV: number } {
  const boardCycles = new Map<number, CycleRecord>();
  let maxAbsA = 0;
  let maxPackV = 0;
  for (const l of lines) {
    if (parseNoteLine(l) || !l.includes("#Z")) continue;
    const d = decodeLine(l);
    if (!d.ok) continue;
    if (d.record.type === "cycle") boardCycles.set(d.record.cycle.index, d.record.cycle);
    if (d.record.type === "status") {
      maxAbsA = Math.max(maxAbsA, Math.abs(d.record.currentA));
      maxPackV = Math.max(maxPackV, d.record.cellV.reduce((a, b) => a + b, 0));
    }
  }
  return { boardCycles, maxAbsA, maxPackV };
}

/**
 * How far a replay of the logged status lines may land from the board's own count of one cycle:
 * each sample's rounding on the wire (current ±0.5 µA, each cell ±0.05 mV, time ±0.5 ms) summed
 * over the cycle's samples, through the trapezoid (charge: dt·δI + |I|·2δt per step; energy:
 * dt·(|I|·δV + V·δI) + V·|I|·2δt per step).
 */
function wireBounds(c: CycleRecord, cfg: PackConfig, maxAbsA: number, maxPackV: number): { ah: number; wh: number } {
  const steps = (c.endTMs - c.startTMs) / cfg.samplePeriodMs + 1;
  const dtH = cfg.samplePeriodMs / MS_PER_H;
  const twoDtH = (2 * WIRE_HALF_MS) / MS_PER_H;
  const ah = steps * (dtH * WIRE_HALF_A + maxAbsA * twoDtH);
  const wh = steps * (dtH * (maxAbsA * cfg.cellCount * WIRE_HALF_CELL_V + maxPackV * WIRE_HALF_A) + maxPackV * maxAbsA * twoDtH);
  return { ah, wh };
}

/** The demo's report (in `out`/report) against the monitor's records, the raw log and the truth. */
export async function checkDemoReport(out: string, demoStdout: string): Promise<void> {
  const files = fs.readdirSync(out);
  const rawName = files.find((f) => f.endsWith(".raw.log"))!;
  const stem = rawName.replace(/\.log$/, "");
  const pack = JSON.parse(fs.readFileSync(nodePath.join(out, "demoPack.json"), "utf8")) as PackConfig;
  const rep = reportFiles(nodePath.join(out, "report"), stem);

  // 1. analyze used the pack the board ran, from the log, and says so (no flag given)
  expect(rep.summary.configSource).toBe(`config: from the log ("${pack.name}"), hash ${configHash(pack)}`);
  expect(rep.html).toContain(`hash ${configHash(pack)}`);
  expect(files).toContain(rawName.replace(/\.raw\.log$/, ".pack.json"));
  expect((rep.summary.gaps as { count: number }).count).toBe(0);

  // 2. per-cycle charge, discharge, CE and EE equal the monitor's records to wire resolution
  const rawLines = fs.readFileSync(nodePath.join(out, rawName), "latin1").split("\n");
  const { boardCycles, maxAbsA, maxPackV } = scanRawLog(rawLines);
  const logged = fs.readFileSync(nodePath.join(out, files.find((f) => f.endsWith(".cycles.jsonl"))!), "utf8").trim().split("\n").map((l) => JSON.parse(l) as CycleRecord);
  expect(logged.length).toBeGreaterThanOrEqual(6);
  const plots = plotData(rep.html);
  let compared = 0;
  for (const m of logged) {
    const board = boardCycles.get(m.index)!;
    const row = rep.cycles.find((r) => r.cycle === m.index)!;
    expect(row, `cycle ${m.index} in the report`).toBeDefined();
    const k = plots.cap.x.indexOf(m.index);
    if (m.flags & CYCLE_FLAG_PARTIAL) {
      // partial everywhere: flagged in the table, no CE/EE, not in the capacity or efficiency lines
      expect(row.flags).toMatch(/partial/);
      expect(row.CE_pct).toBeNull();
      expect(row.EE_pct).toBeNull();
      expect([plots.cap.chg[k], plots.cap.dis[k], plots.eff.ce[k], plots.eff.ee[k]]).toEqual([null, null, null, null]);
      expect(plots.cap.leftOut).toContain(m.index);
      expect(rep.html).toContain(`<tr class="partial"><td>${m.index}</td>`);
      continue;
    }
    compared++;
    expect(row.start_s, `cycle ${m.index} starts where the board's did`).toBeCloseTo(board.startTMs / 1000, 3);
    const b = wireBounds(board, pack, maxAbsA, maxPackV);
    const at = `cycle ${m.index}`;
    expect(Math.abs((row.charge_Ah as number) - m.chargeAh), `${at} charge`).toBeLessThanOrEqual(b.ah);
    expect(Math.abs((row.discharge_Ah as number) - m.dischargeAh), `${at} discharge`).toBeLessThanOrEqual(b.ah);
    const ceTol = m.ce * (b.ah / m.chargeAh + b.ah / m.dischargeAh) * PERCENT;
    const eeTol = m.ee * (b.wh / m.chargeWh + b.wh / m.dischargeWh) * PERCENT;
    expect(Math.abs((row.CE_pct as number) - m.ce * PERCENT), `${at} CE`).toBeLessThanOrEqual(ceTol);
    expect(Math.abs((row.EE_pct as number) - m.ee * PERCENT), `${at} EE`).toBeLessThanOrEqual(eeTol);
    // the capacity and efficiency plots draw exactly the table's numbers
    expect([plots.cap.chg[k], plots.cap.dis[k], plots.eff.ce[k], plots.eff.ee[k]]).toEqual([row.charge_Ah, row.discharge_Ah, row.CE_pct, row.EE_pct]);
  }
  expect(compared).toBeGreaterThanOrEqual(5);
  // cumulative CE leaves the partial cycle out, as the board's does
  const lastBoard = boardCycles.get(Math.max(...boardCycles.keys()))!;
  expect(Math.abs((rep.summary.cumulativeCePct as number) - lastBoard.cumulativeCe * PERCENT)).toBeLessThan(0.01);
  // the demo's own summary never shows a whole-cycle truth beside a partial cycle
  for (const line of demoStdout.split("\n").filter((l) => /^\s*\d+\s.*partial\s*$/.test(l))) expect((line.match(/partial/g) ?? []).length, line).toBeGreaterThanOrEqual(3);

  // 3. the protocol check reads the real C-rate: the board's own halves over the pack's capacity
  const rate = (ah: number, s: number): number => ah / (s / S_PER_H) / pack.capacityAh;
  const clean = [...boardCycles.values()].filter((c) => c.flags === 0);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const chgC = median(clean.map((c) => rate(c.chargeAh, c.chargeDurationS)));
  const proto = rep.summary.protocol as { id: string; value: string; holds: boolean | null }[];
  const chargeRate = proto.find((p) => p.id === "chargeRate")!;
  expect(chargeRate.holds).toBe(true);
  // shown with 3 decimals: within half a unit of the last one (plus the replay's 1e-8 from the board)
  expect(Math.abs(Number(/\(([\d.]+) C\)/.exec(chargeRate.value)![1]) - chgC)).toBeLessThanOrEqual(0.0005 + 1e-6);
  expect(proto.find((p) => p.id === "dischargeRate")!.holds).toBe(true);

  // 4. every rest the simulator made is listed (start and length within a dwell and two samples)
  const truth = JSON.parse(fs.readFileSync(nodePath.join(out, "truth.json"), "utf8")) as TruthFile;
  const bootS = truth.boots[truth.boots.length - 1]!.simTimeS;
  const tolS = (pack.segmentation.dwellMs + 2 * pack.samplePeriodMs) / 1000;
  expect(truth.rests.length).toBeGreaterThanOrEqual(5);
  for (const t of truth.rests) {
    const startS = t.startS - bootS;
    const found = rep.rests.find((r) => Math.abs((r.start_s as number) - startS) <= tolS && Math.abs((r.duration_s as number) - t.durationS) <= tolS);
    expect(found, `rest ${t.index} (${(t.durationS / S_PER_H).toFixed(2)} h after ${t.after}, board time ${startS.toFixed(0)} s) in the report's rests`).toBeDefined();
    expect(found!.after).toBe(t.after);
  }

  // 5. alarm values carry their units
  for (const a of rep.summary.alarms as { id: string; worstValueText: string }[]) expect(a.worstValueText, a.id).toMatch(/ (V|A|°C|%|%\/h|channels)$/);

  // 6. time plots break at gaps: none in the demo's log; a copy with 2 h cut out has one null row there
  const nulls = (ys: (number | null)[]): number => ys.filter((y) => y === null).length;
  expect(nulls(plots.vt.vMax)).toBe(0);
  const cutFromMs = 48 * MS_PER_H;
  const cutToMs = 50 * MS_PER_H;
  const gapped = rawLines.filter((l) => {
    const d = l.includes("#Z") ? decodeLine(l) : null;
    return !(d && d.ok && d.record.type === "status" && d.record.tMs >= cutFromMs && d.record.tMs < cutToMs);
  });
  const gappedLog = nodePath.join(out, "gapped.raw.log");
  fs.writeFileSync(gappedLog, gapped.join("\n"));
  const g = await analyzeFile(gappedLog, { outDir: nodePath.join(out, "report-gapped"), printTable: null, progress: false });
  expect(g.replay.gaps.count).toBe(1);
  const gp = plotData(fs.readFileSync(g.files.html, "utf8")).vt;
  for (const ys of [gp.vMin, gp.vMax, gp.iMin, gp.iMax]) expect(nulls(ys)).toBe(1);
  const k = gp.vMax.indexOf(null);
  expect(gp.x[k - 1]!).toBeLessThan(cutFromMs / MS_PER_H);
  expect(gp.x[k + 1]!).toBeGreaterThanOrEqual(cutToMs / MS_PER_H);
}
