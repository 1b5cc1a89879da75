/**
 * The dashboard's server over a history fed from a simulated pack's raw log: the API answers
 * with the log's own numbers (checked against the line decoder, not the ingest), history comes
 * downsampled with gaps as nulls, live rows arrive as server-sent events, and a dashboard bound
 * beyond loopback answers 401 with nothing to a request without its token.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeLine, encodeLine } from "../../../shared/telemetry/lineFormat";
import type { StatusLine } from "../../../shared/telemetry/records";
import { startLab, type RunningLab } from "../../../host/dashboard/lab";
import { writeSimLog } from "../history/simLogFixture";

let dir = "";
let lab: RunningLab | null = null;
let log = "";
beforeAll(async () => {
  dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-dash-"));
  log = writeSimLog(dir, "ttyUSB0-20261201T100000Z.raw.log");
  lab = await startLab({ db: nodePath.join(dir, "db"), logDir: dir, dashboard: { host: "127.0.0.1", port: 0 } });
}, 120000);
afterAll(async () => {
  if (lab) await lab.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function decoded(): { rec: ReturnType<typeof decodeLine> }[] {
  return fs.readFileSync(log, "latin1").split("\n").map((l) => ({ rec: decodeLine(l) }));
}

const get = async (path: string, init?: RequestInit): Promise<Response> => fetch(new URL(path, lab!.url), init);

describe("zbms dashboard server", () => {
  it("serves the page, the packs' latest numbers and the cycle table from the log", async () => {
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("uplot.js");
    expect((await get("/uplot.js")).status).toBe(200);
    const ok = decoded().map((d) => d.rec).filter((d) => d.ok);
    const status = ok.map((d) => d.ok && d.record).filter((r): r is StatusLine => !!r && r.type === "status");
    const last = status[status.length - 1]!;
    const packs = (await (await get("/api/packs")).json()) as { packs: { board: string; cellV: number[]; currentA: number }[] };
    expect(packs.packs.map((p) => p.board)).toEqual(["ttyUSB0"]);
    expect(packs.packs[0]!.cellV).toEqual(last.cellV);
    expect(packs.packs[0]!.currentA).toBeCloseTo(last.currentA, 9);
    const cyc = (await (await get("/api/cycles?board=ttyUSB0")).json()) as { index: number; ce: number; ceBound: number }[];
    const cycLines = ok.map((d) => d.ok && d.record).filter((r) => r && r.type === "cycle");
    expect(cyc.length).toBe(cycLines.length);
    expect(cyc.length).toBeGreaterThanOrEqual(2);
    // a partial first cycle has no CE: NaN on the wire, null here
    cycLines.forEach((r, i) => r && r.type === "cycle" && (Number.isFinite(r.cycle.ce) ? expect(cyc[i]!.ce).toBeCloseTo(r.cycle.ce, 9) : expect(cyc[i]!.ce).toBeNull()));
    expect(cyc.filter((c) => c.ce !== null && c.ce > 0.5 && c.ce <= 1.01 && c.ceBound > 0).length).toBeGreaterThanOrEqual(1);
  });

  it("downsamples history to the asked points, with nulls where there is no sample", async () => {
    const packs = (await (await get("/api/packs")).json()) as { packs: { tMs: number }[] };
    const end = packs.packs[0]!.tMs;
    // a window twice as long as needed: its first half has no data → nulls (drawn as a gap)
    const s = (await (await get(`/api/series?board=ttyUSB0&from=${end - 48 * 3600e3}&to=${end + 1}&points=100`)).json()) as { t: number[]; cellV: (number | null)[][]; currentA: (number | null)[] };
    expect(s.t.length).toBe(100);
    expect(s.cellV.length).toBe(4);
    expect(s.currentA.filter((x) => x === null).length).toBeGreaterThan(10);
    expect(s.currentA.filter((x) => x !== null).length).toBeGreaterThan(10);
    // a short window asked at more points than it has samples: no false gaps between them
    const short = (await (await get(`/api/series?board=ttyUSB0&from=${end - 1800e3}&to=${end + 1}&points=600`)).json()) as { currentA: (number | null)[] };
    const firstI = short.currentA.findIndex((x) => x !== null);
    expect(firstI).toBeGreaterThanOrEqual(0);
    expect(short.currentA.slice(firstI).filter((x) => x === null).length).toBe(0);
  });

  it("pushes rows committed by the feed as server-sent events", async () => {
    const ac = new AbortController();
    const res = await get("/events", { signal: ac.signal });
    const reader = res.body!.getReader();
    // the monitor appends a line to the log: the follower commits it and the page hears of it
    let text = "";
    fs.appendFileSync(log, statusAfter(log));
    const t0 = Date.now();
    // (an earlier sample may come first: the feed's initial read is pushed at the next tick)
    while (!text.includes('"cellV":[1.5,1.5,1.5,1.5]') && Date.now() - t0 < 10000) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ac.abort();
    expect(text).toContain("event: sample");
    expect(text).toContain('"cellV":[1.5,1.5,1.5,1.5]');
  });

  it("beyond loopback: a request without the token gets 401 and nothing else", async () => {
    const open = await startLab({ db: nodePath.join(dir, "db2"), dashboard: { host: "0.0.0.0", port: 0 } });
    try {
      expect(open.generatedToken).toBe(true);
      const u = new URL(open.url);
      const token = u.searchParams.get("token")!;
      expect(token.length).toBeGreaterThanOrEqual(40);
      const base = `http://127.0.0.1:${u.port}`;
      for (const p of ["/", "/api/packs", "/events", "/uplot.js"]) {
        const r = await fetch(base + p);
        expect(r.status, p).toBe(401);
        expect(await r.text(), p).toBe("");
      }
      expect((await fetch(base + "/api/packs", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      expect((await fetch(base + "/api/packs", { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const withQuery = await fetch(`${base}/?token=${token}`);
      expect(withQuery.status).toBe(200);
      const cookie = withQuery.headers.get("set-cookie")!.split(";")[0]!;
      expect((await fetch(base + "/api/packs", { headers: { cookie } })).status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});

/** One more status line continuing the log's sequence, with distinctive voltages. */
function statusAfter(path: string): string {
  const lines = fs.readFileSync(path, "latin1").split("\n");
  let lastSeq = 0;
  let lastT = 0;
  for (const l of lines) {
    const d = decodeLine(l);
    if (d.ok) {
      lastSeq = d.seq;
      if ("tMs" in d.record) lastT = d.record.tMs;
    }
  }
  return encodeLine({ type: "status", tMs: lastT + 20000, cellV: [1.5, 1.5, 1.5, 1.5], currentA: 0, tempC: [25], socFrac: [0.9, 0.9, 0.9, 0.9], segment: 0, cycleCount: 3, alarmMask: 0, lastCe: NaN, lastCeBound: NaN, lastEe: NaN, flags: 0 }, lastSeq + 1) + "\n";
}
