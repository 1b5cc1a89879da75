/**
 * `zbms dashboard`'s web server: one page (static/index.html + app.js + uPlot), a small JSON
 * API over the history database (queries.ts), and a server-sent-event stream that pushes what
 * the feed (a monitor's log folder or an MQTT broker) commits: samples (at most
 * LIVE_SAMPLE_MIN_MS apart per pack, the latest wins), cycle / rest / alarm records at once, and
 * each pack's link health.
 *
 * Security: on a loopback address anyone on this machine may look (as with the log files).
 * Bound to any other address, every request needs the token (`Authorization: Bearer …`,
 * `?token=…` once — it then sets an HttpOnly cookie — or that cookie); without it the answer
 * is 401 with an empty body. The token is compared in constant time and never logged.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import { createRequire } from "node:module";
import * as nodePath from "node:path";
import type { Db } from "../history/db";
import type { CommittedChunk } from "../history/ingest";
import { REPO_ROOT } from "../util/repoRoot";
import { alarms, cycles, listPacks, restView, series } from "./queries";
import { defaultSelfDischargeConfig } from "../../shared/selfDischarge/restAnalyzer";

/** Fastest live-sample rate per pack sent to browsers (ms): an accelerated sim prints hundreds per second. */
export const LIVE_SAMPLE_MIN_MS = 250;
/** Window for a pack's lines-per-second figure (ms). */
const RATE_WINDOW_MS = 10000;
const COOKIE = "zbms_token";

export interface DashboardOptions {
  db: Db;
  host: string;
  port: number;
  /** Required when host is not loopback (checked by the caller); optional otherwise. */
  token?: string;
  /** The packs' self-discharge relaxation (ms), to mark it on the rest curve; default the model's default. */
  relaxationMs?: number;
}

export interface LinkHealthView {
  board: string;
  lastMs: number;
  linesPerS: number;
  gaps: number;
  missing: number;
  rejected: number;
}

export function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "::1" || host === "localhost" || /^127\./.test(host);
}

/** The page's files (resolved on first use: `zbms` commands other than the dashboard never look for uPlot). */
let staticFiles: Record<string, { file: string; type: string }> | null = null;
function staticFile(path: string): { file: string; type: string } | undefined {
  if (!staticFiles) {
    const req = createRequire(import.meta.url);
    const js = "text/javascript; charset=utf-8";
    staticFiles = {
      "/": { file: nodePath.join(REPO_ROOT, "host", "dashboard", "static", "index.html"), type: "text/html; charset=utf-8" },
      "/app.js": { file: nodePath.join(REPO_ROOT, "host", "dashboard", "static", "app.js"), type: js },
      "/uplot.js": { file: req.resolve("uplot/dist/uPlot.iife.min.js"), type: js },
      "/uplot.css": { file: req.resolve("uplot/dist/uPlot.min.css"), type: "text/css; charset=utf-8" },
    };
  }
  return staticFiles[path];
}

export class DashboardServer {
  private readonly server: http.Server;
  private readonly clients = new Set<http.ServerResponse>();
  private readonly health = new Map<string, LinkHealthView & { stamps: number[] }>();
  private readonly pendingSample = new Map<string, unknown>();
  private flushTimer: NodeJS.Timeout | null = null;
  url = "";

  constructor(private readonly opts: DashboardOptions) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const a = this.server.address() as { port: number };
    const h = this.opts.host.includes(":") ? `[${this.opts.host}]` : this.opts.host;
    this.url = `http://${h}:${a.port}/`;
    this.flushTimer = setInterval(() => this.flushSamples(), LIVE_SAMPLE_MIN_MS);
    return this.url;
  }

  async close(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    for (const c of this.clients) c.end();
    this.clients.clear();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private authorized(req: http.IncomingMessage, url: URL): { ok: boolean; setCookie: boolean } {
    const token = this.opts.token;
    if (!token) return { ok: true, setCookie: false };
    const given: string[] = [];
    const auth = req.headers.authorization;
    if (auth && auth.startsWith("Bearer ")) given.push(auth.slice(7));
    const q = url.searchParams.get("token");
    if (q) given.push(q);
    for (const part of (req.headers.cookie ?? "").split(";")) {
      const [k, v] = part.trim().split("=");
      if (k === COOKIE && v) given.push(decodeURIComponent(v));
    }
    const want = crypto.createHash("sha256").update(token).digest();
    const ok = given.some((g) => crypto.timingSafeEqual(crypto.createHash("sha256").update(g).digest(), want));
    return { ok, setCookie: ok && q !== null };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const auth = this.authorized(req, url);
    if (!auth.ok) {
      res.writeHead(401, { "content-length": "0", "www-authenticate": 'Bearer realm="zbms dashboard"' });
      res.end();
      return;
    }
    if (auth.setCookie) res.setHeader("set-cookie", `${COOKIE}=${encodeURIComponent(this.opts.token!)}; HttpOnly; SameSite=Strict; Path=/`);
    try {
      const st = staticFile(url.pathname);
      if (st) {
        res.writeHead(200, { "content-type": st.type, "cache-control": "no-cache" });
        res.end(fs.readFileSync(st.file));
      } else if (url.pathname === "/events") this.subscribe(res);
      else if (url.pathname.startsWith("/api/")) await this.api(url, res);
      else {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not found\n");
      }
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }

  private async api(url: URL, res: http.ServerResponse): Promise<void> {
    const db = this.opts.db;
    const board = url.searchParams.get("board") ?? "";
    const num = (k: string, d: number): number => {
      const v = Number(url.searchParams.get(k));
      return url.searchParams.has(k) && Number.isFinite(v) ? v : d;
    };
    let body: unknown;
    switch (url.pathname) {
      case "/api/packs":
        body = { packs: await listPacks(db), health: [...this.health.values()].map((h) => this.healthView(h.board)) };
        break;
      case "/api/series": {
        const toMs = num("to", Date.now());
        body = await series(db, board, num("from", toMs - 24 * 3600e3), toMs, num("points", 600));
        break;
      }
      case "/api/cycles":
        body = await cycles(db, board);
        break;
      case "/api/alarms":
        body = await alarms(db, board);
        break;
      case "/api/rest":
        body = await restView(db, board, this.opts.relaxationMs ?? defaultSelfDischargeConfig().relaxationMs);
        break;
      default:
        res.writeHead(404, { "content-type": "text/plain" });
        res.end(`no API ${JSON.stringify(url.pathname.slice(0, 60))}\n`);
        return;
    }
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  }

  private subscribe(res: http.ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write(": zbms\n\n");
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
  }

  private send(event: string, data: unknown): void {
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.write(text);
  }

  /** A feed committed rows: push them to every open page. */
  publish(chunk: CommittedChunk): void {
    const b = chunk.board;
    let h = this.health.get(b);
    if (!h) {
      h = { board: b, lastMs: 0, linesPerS: 0, gaps: 0, missing: 0, rejected: 0, stamps: [] };
      this.health.set(b, h);
    }
    const now = Date.now();
    for (let i = 0; i < chunk.batch.lines; i++) h.stamps.push(now);
    h.gaps += chunk.batch.gaps;
    h.missing += chunk.batch.missing;
    h.rejected += chunk.batch.rejected;
    h.lastMs = now;
    for (const e of chunk.batch.events) this.send(e.record.type, { board: b, boot: e.boot, seq: e.seq, tMs: e.tMs, record: e.record });
    const s = chunk.batch.samples[chunk.batch.samples.length - 1];
    if (s) this.pendingSample.set(b, { board: b, ...s, cellV: s.cellV.map(nanNull), tempC: s.tempC.map(nanNull), socFrac: s.socFrac.map(nanNull), currentA: nanNull(s.currentA) });
  }

  private healthView(board: string): LinkHealthView {
    const h = this.health.get(board)!;
    const now = Date.now();
    while (h.stamps.length > 0 && h.stamps[0]! < now - RATE_WINDOW_MS) h.stamps.shift();
    return { board, lastMs: h.lastMs, linesPerS: h.stamps.length / (RATE_WINDOW_MS / 1000), gaps: h.gaps, missing: h.missing, rejected: h.rejected };
  }

  private flushSamples(): void {
    for (const [b, s] of this.pendingSample) {
      this.send("sample", s);
      this.send("health", this.healthView(b));
    }
    this.pendingSample.clear();
  }
}

function nanNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
