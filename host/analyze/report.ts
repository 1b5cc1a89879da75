/**
 * Self-contained HTML report: tables, the protocol check and plots drawn by uPlot, whose
 * JavaScript and CSS are inlined from the installed `uplot` package, so the file opens with no
 * network. Plots: voltage and current vs time (decimated min/max envelope), capacity vs cycle,
 * CE (with its bound) and EE vs cycle, voltage change during each rest, dQ/dV of chosen cycles.
 * When every plot has drawn pixels, the page sets `data-plots-ready` on <body> to the count
 * (the report test reads it from headless Chromium's DOM dump).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { PackConfig } from "../../shared/config/packConfig";
import { CYCLE_FLAG_PARTIAL } from "../../shared/model/events";
import type { CycleRecord } from "../../shared/model/events";
import { alarmValueText } from "../util/alarmValue";
import { adamsLine, type AdamsReport } from "./adams";
import type { ProtocolCheck } from "./practical";
import { CYCLE_FLAG_TRUNCATED, type DqDvCurve, type ReplayResult, type RestCurve } from "./replay";
import { CYCLE_COLUMNS, REST_COLUMNS, restRows, type Column } from "./tables";
import { MS_PER_H, S_PER_H } from "../../shared/units";

const require = createRequire(import.meta.url);
const PERCENT = 100;
const MV_PER_V = 1000;
/** Points of the common log-time grid that rest curves are resampled onto. */
const REST_GRID_POINTS = 120;
/** Earliest time on the rest grid (s). */
const REST_GRID_MIN_S = 1;
/**
 * A step between plotted points longer than this many times their median step (and longer
 * than the config's gap limit) is a stretch without data: the line breaks there.
 */
const GAP_STEP_FACTOR = 3;
/** Id of the <script type="application/json"> that holds every plot's data (read by the tests). */
export const PLOT_DATA_ID = "zbms-plot-data";

export interface ReportSummary {
  input: string;
  format: string;
  samples: number;
  /** Where the replay's config came from and its hash (logConfig.ts chooseConfig). */
  configSource: string;
  capacityAh: number;
  firstHalf: string;
  cumulativeCePct: number;
  cyclesTo80: number;
  cyclesTo80Low: number;
  cyclesTo80High: number;
  /** Adams reservoir CE of the labelled span (--adams), or null (why: in notes). */
  adams: AdamsReport | null;
  notes: string[];
}

function uplotAssets(): { js: string; css: string } {
  const pkgDir = dirname(require.resolve("uplot/package.json"));
  return {
    js: readFileSync(join(pkgDir, "dist", "uPlot.iife.min.js"), "utf8"),
    css: readFileSync(join(pkgDir, "dist", "uPlot.min.css"), "utf8"),
  };
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function cellText(v: number | string, digits: number): string {
  if (typeof v === "string") return esc(v);
  if (v !== v) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  return v.toFixed(digits);
}

function htmlTable<T>(rows: T[], cols: Column<T>[], rowClass: (r: T) => string = () => ""): string {
  if (rows.length === 0) return "<p><em>none</em></p>";
  const head = "<tr>" + cols.map((c) => `<th>${esc(c.name)}</th>`).join("") + "</tr>";
  const tr = (r: T): string => (rowClass(r) ? `<tr class="${rowClass(r)}">` : "<tr>");
  const body = rows.map((r) => tr(r) + cols.map((c) => `<td>${cellText(c.get(r), c.digits)}</td>`).join("") + "</tr>").join("\n");
  return `<table>${head}\n${body}</table>`;
}

/** JSON with NaN/±Infinity as null (uPlot treats null as a gap). */
function json(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)).replace(/</g, "\\u003c");
}

/** True for a cycle whose numbers cover only part of it (partial start, input ended mid-half). */
export function incompleteCycle(c: CycleRecord): boolean {
  return (c.flags & (CYCLE_FLAG_PARTIAL | CYCLE_FLAG_TRUNCATED)) !== 0;
}

/**
 * Insert a row of nulls between consecutive x further apart than `maxStep`, so that uPlot
 * breaks every line there (spanGaps false) instead of drawing straight across hours without data.
 */
export function breakAtGaps(x: number[], ys: (number | null)[][], maxStep: number): { x: number[]; ys: (number | null)[][] } {
  const ox: number[] = [];
  const oy: (number | null)[][] = ys.map(() => []);
  for (let k = 0; k < x.length; k++) {
    if (k > 0 && x[k] - x[k - 1] > maxStep) {
      ox.push((x[k] + x[k - 1]) / 2);
      for (const y of oy) y.push(null);
    }
    ox.push(x[k]);
    for (let j = 0; j < ys.length; j++) oy[j].push(ys[j][k]);
  }
  return { x: ox, ys: oy };
}

/** The step beyond which the time plots break: GAP_STEP_FACTOR × median step, at least `minGap`. */
export function gapStep(x: number[], minGap: number): number {
  const d: number[] = [];
  for (let k = 1; k < x.length; k++) d.push(x[k] - x[k - 1]);
  d.sort((a, b) => a - b);
  const med = d.length > 0 ? d[d.length >> 1] : 0;
  return Math.max(GAP_STEP_FACTOR * med, minGap);
}

function restGrid(curves: RestCurve[]): { x: number[]; ys: (number | null)[][]; labels: string[] } {
  let maxS = REST_GRID_MIN_S * 2;
  for (const c of curves) if (c.tS.length > 0) maxS = Math.max(maxS, c.tS[c.tS.length - 1]);
  const x: number[] = [];
  const lr = Math.log(maxS / REST_GRID_MIN_S);
  for (let k = 0; k < REST_GRID_POINTS; k++) x.push(REST_GRID_MIN_S * Math.exp((lr * k) / (REST_GRID_POINTS - 1)));
  const ys = curves.map((c) => {
    const v0 = c.v[0];
    return x.map((t) => {
      if (t > c.tS[c.tS.length - 1]) return null;
      let j = 0;
      while (j + 1 < c.tS.length && c.tS[j + 1] < t) j++;
      const t0 = c.tS[j];
      const t1 = j + 1 < c.tS.length ? c.tS[j + 1] : t0;
      const f = t1 > t0 ? Math.min(1, Math.max(0, (t - t0) / (t1 - t0))) : 0;
      const v = c.v[j] + f * ((j + 1 < c.v.length ? c.v[j + 1] : c.v[j]) - c.v[j]);
      return (v - v0) * MV_PER_V;
    });
  });
  return { x: x.map((t) => t / S_PER_H), ys, labels: curves.map((c) => `${c.restIndex >= 0 ? "rest " + c.restIndex : "rest"} @ ${(c.startS / S_PER_H).toFixed(1)} h`) };
}

function dqdvData(curves: DqDvCurve[]): { x: number[]; ys: number[][]; labels: string[] } {
  if (curves.length === 0) return { x: [], ys: [], labels: [] };
  const ys: number[][] = [];
  const labels: string[] = [];
  for (const c of curves) {
    ys.push(c.charge);
    labels.push(`cycle ${c.cycle} charge`);
    ys.push(c.discharge.map((d) => -d));
    labels.push(`cycle ${c.cycle} discharge`);
  }
  return { x: curves[0].v, ys, labels };
}

/** The report's own styles (uPlot's come with its assets). */
const REPORT_CSS = `body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font:12px ui-monospace,monospace;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f3f3f3}
.ok{color:#070;font-weight:bold}.bad{color:#b00;font-weight:bold}.na{color:#777}
.plot{margin:1em 0}
tr.partial td{color:#888;font-style:italic}
h2{margin-top:1.5em}
`;

/**
 * The page's script: draws every plot from the JSON data block with uPlot, then marks on
 * <body> how many plots were made and how many hold drawn pixels (read by the browser test).
 */
const PLOT_SCRIPT = `const D = JSON.parse(document.getElementById("${PLOT_DATA_ID}").textContent);
const W = Math.max(600, Math.min(1100, (document.body.clientWidth || 1000) - 40));
const H = 260;
const COLORS = ["#1f77b4","#d62728","#2ca02c","#ff7f0e","#9467bd","#8c564b","#e377c2","#7f7f7f","#bcbd22","#17becf"];
const made = [];
function plot(id, title, xLabel, yLabel, x, series, extra) {
  const el = document.getElementById(id);
  if (!x || x.length === 0) { el.textContent = title + ": no data"; return; }
  const opts = Object.assign({
    title, width: W, height: H,
    scales: { x: { time: false } },
    axes: [{ label: xLabel }, { label: yLabel }],
    series: [{ label: xLabel }].concat(series.map((s, k) => Object.assign({ stroke: COLORS[k % COLORS.length], width: 1, spanGaps: false }, s.opts, { label: s.label }))),
  }, extra || {});
  made.push({ id, u: new uPlot(opts, [x].concat(series.map((s) => s.data)), el) });
}
plot("p-v", "Voltage vs time", "time / h", "voltage / V", D.vt.x, [
  { label: "V max", data: D.vt.vMax }, { label: "V min", data: D.vt.vMin, opts: { stroke: "#6baed6" } }]);
plot("p-i", "Current vs time (+ = charge)", "time / h", "current / A", D.vt.x, [
  { label: "I max", data: D.vt.iMax, opts: { stroke: "#d62728" } }, { label: "I min", data: D.vt.iMin, opts: { stroke: "#fc9272" } }]);
const CYCLE_AXES = { axes: [{ label: "cycle", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }, {}] };
plot("p-cap", D.titles.cap, "cycle", "capacity / Ah", D.cap.x, [
  { label: "charge", data: D.cap.chg, opts: { points: { show: true } } }, { label: "discharge", data: D.cap.dis, opts: { points: { show: true } } }],
  { axes: [CYCLE_AXES.axes[0], { label: "capacity / Ah" }] });
plot("p-eff", D.titles.eff, "cycle", "efficiency / %", D.eff.x, [
  { label: "CE", data: D.eff.ce, opts: { points: { show: true } } },
  { label: "CE − bound", data: D.eff.ceLo, opts: { stroke: "#aaa", dash: [4, 4] } },
  { label: "CE + bound", data: D.eff.ceHi, opts: { stroke: "#aaa", dash: [4, 4] } },
  { label: "EE", data: D.eff.ee, opts: { stroke: "#2ca02c", points: { show: true } } }],
  { axes: [CYCLE_AXES.axes[0], { label: "efficiency / %" }] });
plot("p-rest", "Voltage change during each rest", "time since rest began / h", "ΔV / mV", D.rest.x,
  D.rest.ys.map((y, k) => ({ label: D.rest.labels[k], data: y })), { scales: { x: { time: false, distr: 3 } } });
plot("p-dq", "dQ/dV of chosen cycles (discharge drawn negative)", "voltage / V", "dQ/dV / (Ah/V)", D.dq.x,
  D.dq.ys.map((y, k) => ({ label: D.dq.labels[k], data: y })));
// Ready marker: count plots whose canvas holds drawn pixels.
setTimeout(() => {
  let drawn = 0;
  for (const m of made) {
    const c = m.u.ctx.canvas;
    const img = m.u.ctx.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let k = 3; k < img.length; k += 4) if (img[k] !== 0) { ink++; if (ink > 50) break; }
    if (ink > 50) drawn++;
  }
  document.body.dataset.plotsMade = String(made.length);
  document.body.dataset.plotsReady = String(drawn);
}, 0);
`;

/** Every plot's data (the JSON block the page script reads) and the partial cycles left out. */
function plotData(r: ReplayResult, config?: PackConfig): { plots: object; left: number[] } {
  const cyc = r.cycles;
  const tH = r.series.tS.map((t) => t / S_PER_H);
  const minGapH = config ? config.counting.maxGapMs / MS_PER_H : 0;
  const vt = breakAtGaps(tH, [r.series.vMin, r.series.vMax, r.series.iMin, r.series.iMax], gapStep(tH, minGapH));
  // Partial and truncated cycles are left out of the capacity and efficiency lines (null).
  const whole = (c: CycleRecord, v: number): number => (incompleteCycle(c) ? NaN : v);
  const left = cyc.filter(incompleteCycle).map((c) => c.index);
  const leftOut = left.length > 0 ? ` (partial cycle${left.length > 1 ? "s" : ""} ${left.join(", ")} left out)` : "";
  const plots = {
    vt: { x: vt.x, vMin: vt.ys[0], vMax: vt.ys[1], iMin: vt.ys[2], iMax: vt.ys[3] },
    cap: { x: cyc.map((c) => c.index), chg: cyc.map((c) => whole(c, c.chargeAh)), dis: cyc.map((c) => whole(c, c.dischargeAh)), leftOut: left },
    eff: {
      x: cyc.map((c) => c.index),
      ce: cyc.map((c) => whole(c, c.ce * PERCENT)),
      ceLo: cyc.map((c) => whole(c, (c.ce - c.ceBound) * PERCENT)),
      ceHi: cyc.map((c) => whole(c, (c.ce + c.ceBound) * PERCENT)),
      ee: cyc.map((c) => whole(c, c.ee * PERCENT)),
    },
    rest: restGrid(r.restCurves),
    dq: dqdvData(r.dqdv),
    titles: { cap: "Capacity vs cycle" + leftOut, eff: "CE (± bound) and EE vs cycle" + leftOut },
  };
  return { plots, left };
}

/** One table row per practical-protocol condition: value and verdict. */
function protocolRows(protocol: ProtocolCheck[]): string {
  return protocol
    .map((p) => `<tr><td>${esc(p.condition)}</td><td>${esc(p.value)}</td><td class="${p.holds === true ? "ok" : p.holds === false ? "bad" : "na"}">${p.holds === true ? "holds" : p.holds === false ? "does not hold" : "unknown"}</td></tr>`)
    .join("\n");
}

/** The Adams reservoir CE of the labelled span and of the model's events, or why there is none. */
function adamsSection(r: ReplayResult, summary: ReportSummary): string {
  const items: string[] = [];
  if (summary.adams) items.push(`<li>${esc(adamsLine(summary.adams))}</li>`);
  for (const a of r.adams) items.push(`<li>model event at ${(a.tS / S_PER_H).toFixed(2)} h: CE ${(a.ce * PERCENT).toFixed(3)} ± ${(a.ceBound * PERCENT).toFixed(3)} %</li>`);
  return items.length
    ? "<ul>" + items.join("") + "</ul>"
    : "<p><em>no Adams reservoir CE in this run (label the protocol with --adams; see the notes if it was labelled)</em></p>";
}

/** Every alarm the replay raised: level, count, first time, worst value. */
function alarmsSection(r: ReplayResult): string {
  return r.alarms.length
    ? "<ul>" + r.alarms.map((a) => `<li>${esc(a.id)} (${esc(a.level)}): raised ${a.raised}×, first at ${(a.firstTS / S_PER_H).toFixed(2)} h, worst value at a raise ${esc(alarmValueText(a.id, a.worstValue))}</li>`).join("") + "</ul>"
    : "<p><em>none</em></p>";
}

/** The run in a few lines: input, config source, capacity, cumulative CE and projection, notes. */
function summaryHtml(s: ReportSummary): string {
  const fmtN = (n: number, d: number): string => (Number.isFinite(n) ? n.toFixed(d) : n > 0 ? "∞" : "–");
  return `<p>Input <code>${esc(s.input)}</code> (${esc(s.format)}), ${s.samples} samples replayed through the shared model.
<br><span id="config-source">${esc(s.configSource)}</span>.
Capacity ${s.capacityAh.toPrecision(5)} Ah; cycles open with the ${esc(s.firstHalf)} half.</p>
<p>Cumulative CE ${fmtN(s.cumulativeCePct, 3)} %; projected cycles to 80 %: ${fmtN(s.cyclesTo80, 0)} (${fmtN(s.cyclesTo80Low, 0)} … ${fmtN(s.cyclesTo80High, 0)}).</p>
${s.notes.length ? "<ul>" + s.notes.map((n) => `<li>${esc(n)}</li>`).join("") + "</ul>" : ""}`;
}

/** The cycle table, with a line naming the partial cycles (grey) when there are any. */
function cyclesSection(cyc: CycleRecord[], left: number[]): string {
  return `${left.length > 0 ? `<p>Cycle${left.length > 1 ? "s" : ""} ${left.join(", ")} (grey): partial — started before the log or cut by its end; no CE or EE, left out of the plots, of cumulative CE and of the fade projection.</p>` : ""}
${htmlTable(cyc, CYCLE_COLUMNS, (c) => (incompleteCycle(c) ? "partial" : ""))}`;
}

/** The self-contained HTML report: summary, protocol check, plots, tables, Adams CE, alarms, config. */
export function renderReport(r: ReplayResult, summary: ReportSummary, protocol: ProtocolCheck[], config?: PackConfig): string {
  const { js, css } = uplotAssets();
  const { plots, left } = plotData(r, config);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zbms analysis – ${esc(summary.input)}</title>
<style>${css}</style>
<style>
${REPORT_CSS}</style></head>
<body data-plots-ready="0">
<h1>zbms analysis</h1>
${summaryHtml(summary)}
<h2>Practical protocol (article)</h2>
<table><tr><th>condition</th><th>this run</th><th>verdict</th></tr>
${protocolRows(protocol)}</table>
<h2>Plots</h2>
<div id="p-v" class="plot"></div>
<div id="p-i" class="plot"></div>
<div id="p-cap" class="plot"></div>
<div id="p-eff" class="plot"></div>
<div id="p-rest" class="plot"></div>
<div id="p-dq" class="plot"></div>
<h2>Cycles</h2>
${cyclesSection(r.cycles, left)}
<h2>Rests and self-discharge</h2>
${htmlTable(restRows(r.rests, r.retentions), REST_COLUMNS)}
<h2>Adams reservoir CE</h2>
${adamsSection(r, summary)}
<h2>Alarms raised during replay</h2>
${alarmsSection(r)}
${config ? `<h2>Configuration used for the replay</h2>\n<details><summary>pack config (JSON)</summary><pre>${esc(JSON.stringify(config, null, 1))}</pre></details>` : ""}
<script>${js}</script>
<script type="application/json" id="${PLOT_DATA_ID}">${json(plots)}</script>
<script>
${PLOT_SCRIPT}</script>
</body></html>
`;
}
