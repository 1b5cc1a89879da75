// zbms dashboard page: packs at a glance, the selected pack's live numbers, plots (uPlot, gaps
// as gaps), cycle table, current rest and alarms. Data: /api/* (downsampled history) and
// /events (server-sent events pushed as the monitor's rows are committed).
"use strict";
const STATES = { 0: "rest", 1: "charge", 2: "discharge" };
/** Plot window (ms) back from the latest sample (?span=1h|24h|7d|30d, or the selector); points asked per plot. */
const SPANS = { "1h": 3600e3, "24h": 24 * 3600e3, "7d": 7 * 24 * 3600e3, "30d": 30 * 24 * 3600e3 };
let spanKey = SPANS[new URLSearchParams(location.search).get("span")] ? new URLSearchParams(location.search).get("span") : "24h";
const POINTS = 600;
const packs = new Map();
const health = new Map();
let selected = null;
let plotV = null, plotI = null, plotSoc = null, plotT = null, plotRest = null;
let data = null;

const $ = (id) => document.getElementById(id);
const fmt = (x, d) => (x === null || x === undefined || !isFinite(x) ? "—" : Number(x).toFixed(d));
const pct = (x, d) => (x === null || x === undefined || !isFinite(x) ? "—" : (100 * x).toFixed(d));
const time = (ms) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);
const api = (path) => fetch(path, { credentials: "same-origin" }).then((r) => { if (!r.ok) throw new Error(path + ": " + r.status); return r.json(); });
const q = (b) => "board=" + encodeURIComponent(b);

/** Re-draw the pack cards at most once per animation frame (50 packs push 200 samples/s). */
let packsQueued = false;
function queuePacks() {
  if (packsQueued) return;
  packsQueued = true;
  requestAnimationFrame(() => { packsQueued = false; renderPacks(); });
}

function renderPacks() {
  const box = $("packs");
  box.textContent = "";
  for (const p of packs.values()) {
    const d = document.createElement("div");
    d.className = "pack" + (p.board === selected ? " sel" : "");
    d.dataset.board = p.board;
    const h = health.get(p.board);
    const age = h && h.lastMs ? (Date.now() - h.lastMs) / 1000 : null;
    const v = (p.cellV || []).map((x) => fmt(x, 3)).join(" / ");
    d.innerHTML = '<div class="name"></div><div class="v"></div><div class="link"></div>';
    d.querySelector(".name").textContent = p.board + " · " + (STATES[p.segment] || "—") + (p.alarmMask ? " · ALARM" : "");
    d.querySelector(".v").textContent = v + " V · " + fmt(p.currentA, 3) + " A";
    const l = d.querySelector(".link");
    l.textContent = age === null ? "no live feed" : (h.linesPerS.toFixed(1) + " lines/s, " + h.gaps + " gaps, last " + age.toFixed(0) + " s ago");
    l.className = "link " + (age !== null && age < 10 ? "ok" : "stale");
    d.onclick = () => select(p.board);
    box.appendChild(d);
  }
}

function renderLive(p) {
  $("live-board").textContent = p.board;
  const tb = $("live").tBodies[0];
  tb.textContent = "";
  (p.cellV || []).forEach((v, i) => {
    const tr = tb.insertRow();
    [String(i + 1), fmt(v, 4), pct((p.socFrac || [])[i], 1), fmt((p.tempC || [])[i], 1)].forEach((t) => (tr.insertCell().textContent = t));
  });
  $("live-current").textContent = fmt(p.currentA, 4);
  $("live-state").textContent = STATES[p.segment] || "—";
  const h = health.get(p.board);
  $("live-link").textContent = h ? h.linesPerS.toFixed(1) + " lines/s, " + h.gaps + " gaps (" + h.missing + " lines lost), " + h.rejected + " rejected" : "no live feed";
}

function plotOpts(title, labels, w) {
  const colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
  return {
    title, width: w || 560, height: 260, spanGaps: false,
    series: [{}].concat(labels.map((l, i) => ({ label: l, stroke: colors[i % colors.length], spanGaps: false }))),
  };
}

async function loadPlots(b) {
  const p = packs.get(b);
  const to = p && p.tMs ? p.tMs + 1 : Date.now();
  const s = await api("/api/series?" + q(b) + "&from=" + (to - SPANS[spanKey]) + "&to=" + to + "&points=" + POINTS);
  data = s;
  const vData = [s.t].concat(s.cellV);
  const iData = [s.t, s.currentA];
  for (const id of ["plot-v", "plot-i", "plot-soc", "plot-t"]) $(id).textContent = "";
  plotV = new uPlot(plotOpts("cell voltage (V)", s.cellV.map((_, i) => "cell " + (i + 1))), vData, $("plot-v"));
  plotI = new uPlot(plotOpts("current (A)", ["I"]), iData, $("plot-i"));
  plotSoc = new uPlot(plotOpts("state of charge (%)", s.socFrac.map((_, i) => "cell " + (i + 1))), [s.t].concat(s.socFrac.map((c) => c.map((x) => (x === null ? null : 100 * x)))), $("plot-soc"));
  plotT = new uPlot(plotOpts("temperature (°C)", s.tempC.map((_, i) => "T" + (i + 1))), [s.t].concat(s.tempC), $("plot-t"));
}

function appendLive(p) {
  if (!data || !plotV || p.board !== selected || !isFinite(p.tMs)) return;
  const t = p.tMs / 1000;
  if (data.t.length && t <= data.t[data.t.length - 1]) return;
  data.t.push(t);
  data.currentA.push(p.currentA);
  data.cellV.forEach((c, i) => c.push((p.cellV || [])[i] ?? null));
  data.socFrac.forEach((c, i) => c.push((p.socFrac || [])[i] ?? null));
  data.tempC.forEach((c, i) => c.push((p.tempC || [])[i] ?? null));
  if (data.t.length > 3 * POINTS) {
    data.t.shift(); data.currentA.shift();
    for (const cols of [data.cellV, data.socFrac, data.tempC]) cols.forEach((c) => c.shift());
  }
  plotV.setData([data.t].concat(data.cellV));
  plotI.setData([data.t, data.currentA]);
  plotSoc.setData([data.t].concat(data.socFrac.map((c) => c.map((x) => (x === null ? null : 100 * x)))));
  plotT.setData([data.t].concat(data.tempC));
}

async function loadCycles(b) {
  const rows = await api("/api/cycles?" + q(b));
  const tb = $("cycles").tBodies[0];
  tb.textContent = "";
  for (const c of rows) {
    const tr = tb.insertRow();
    [String(c.index), time(c.tMs), fmt(c.chargeAh, 4), fmt(c.dischargeAh, 4), pct(c.ce, 2), pct(c.ceBound, 2), pct(c.ee, 1), pct(c.ve, 1), pct(c.capacityRetention, 1)]
      .forEach((t) => (tr.insertCell().textContent = t));
  }
}

async function loadAlarms(b) {
  const rows = await api("/api/alarms?" + q(b));
  const tb = $("alarms").tBodies[0];
  tb.textContent = "";
  for (const a of rows) {
    const tr = tb.insertRow();
    tr.className = a.level;
    [time(a.tMs), a.id, a.level, a.raised ? "raised" : "cleared", fmt(a.value, 5)].forEach((t) => (tr.insertCell().textContent = t));
  }
}

async function loadRest(b) {
  const r = await api("/api/rest?" + q(b));
  $("rest-since").textContent = r.sinceMs ? "(resting since " + time(r.sinceMs) + ")" : "(not resting now)";
  $("plot-rest").textContent = "";
  const opts = plotOpts("current rest: cell voltage (V) — relaxation | steady slope", r.curve.cellV.map((_, i) => "cell " + (i + 1)), 1140);
  // dashed line where the relaxation ends and the model's steady-slope fit begins
  opts.hooks = { draw: [(u) => {
    if (!r.relaxationEndMs) return;
    const x = u.valToPos(r.relaxationEndMs / 1000, "x", true);
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
    const c = u.ctx;
    c.save(); c.setLineDash([6, 4]); c.strokeStyle = "#888"; c.beginPath();
    c.moveTo(x, u.bbox.top); c.lineTo(x, u.bbox.top + u.bbox.height); c.stroke();
    c.fillStyle = "#555"; c.font = "12px sans-serif"; c.fillText("relaxation | steady", x + 4, u.bbox.top + 14);
    c.restore();
  }] };
  plotRest = r.curve.t.length ? new uPlot(opts, [r.curve.t].concat(r.curve.cellV), $("plot-rest")) : null;
  const l = r.last;
  $("verdict").textContent = !l ? "no rest closed yet" : l.steadySlopeMVPerH === null ? "last rest #" + l.index + " (" + (l.durationS / 60).toFixed(0) + " min): too short to judge its self-discharge" :
    "last rest #" + l.index + " (" + (l.durationS / 3600).toFixed(1) + " h): relaxation drop " + fmt(l.relaxationDropV * 1000, 1) + " mV, steady slope " +
    fmt(l.steadySlopeMVPerH, 3) + " mV/h (worst cell " + fmt(l.worstSlopeMVPerH, 3) + "), charge lost (OCV estimate) " + fmt(l.chargeLostEstAh * 1000, 2) + " mAh" +
    (l.retention !== null ? ", retention " + pct(l.retention, 2) + " %" : "") + " — self-discharge " +
    (l.faulty ? "FAULTY (cells " + [0, 1, 2, 3, 4, 5, 6, 7].filter((i) => l.faulty & (1 << i)).map((i) => i + 1).join(", ") + ")" : "normal");
}

async function select(b) {
  selected = b;
  $("detail").hidden = false;
  renderPacks();
  renderLive(packs.get(b));
  await Promise.all([loadPlots(b), loadCycles(b), loadAlarms(b), loadRest(b)]);
}

async function start() {
  const sel = $("span");
  sel.value = spanKey;
  sel.onchange = () => { spanKey = sel.value; if (selected) void loadPlots(selected); };
  const r = await api("/api/packs");
  for (const p of r.packs) packs.set(p.board, p);
  for (const h of r.health) health.set(h.board, h);
  renderPacks();
  const want = new URLSearchParams(location.search).get("board");
  if (!selected && packs.size) await select(want && packs.has(want) ? want : packs.keys().next().value);
  document.body.dataset.ready = "1"; // first view drawn (tests and the page-load benchmark wait for this)
  const es = new EventSource("events");
  es.onopen = () => ($("status").textContent = "live");
  es.onerror = () => ($("status").textContent = "reconnecting…");
  es.addEventListener("sample", (e) => {
    const s = JSON.parse(e.data);
    const isNew = !packs.has(s.board);
    packs.set(s.board, s);
    if (isNew && !selected) void select(s.board);
    else {
      queuePacks();
      if (s.board === selected) { renderLive(s); appendLive(s); }
    }
  });
  es.addEventListener("health", (e) => { const h = JSON.parse(e.data); health.set(h.board, h); });
  es.addEventListener("cycle", (e) => { if (JSON.parse(e.data).board === selected) void loadCycles(selected); });
  es.addEventListener("retention", (e) => { if (JSON.parse(e.data).board === selected) void Promise.all([loadCycles(selected), loadRest(selected)]); });
  es.addEventListener("rest", (e) => { if (JSON.parse(e.data).board === selected) void loadRest(selected); });
  es.addEventListener("alarm", (e) => { if (JSON.parse(e.data).board === selected) void loadAlarms(selected); });
  // the current rest's curve grows while the pack rests
  setInterval(() => { const p = selected && packs.get(selected); if (p && p.segment === 0) void loadRest(selected); }, 5000);
}
start().catch((e) => ($("status").textContent = "error: " + e.message));
