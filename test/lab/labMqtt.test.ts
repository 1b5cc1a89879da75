/**
 * A lab through a real broker into a real database: three boards (pseudo-terminals fed with a
 * simulated pack's telemetry, encoded by the firmware's encoder from the shared model) read by
 * two real `zbms monitor --mqtt` processes, a real Mosquitto broker (with credentials) and the
 * lab feed of a real `zbms dashboard --mqtt` process writing to a real PostgreSQL 15 server.
 * Midway the broker is restarted, one monitor is killed with SIGKILL and started again, and so
 * is the dashboard (its broker session keeps what arrives meanwhile). At the end every
 * telemetry line in the monitors' raw logs (the record of truth, decoded independently here) is
 * in the database exactly once, keyed (board, boot, seq), and no sequence number is missing
 * beyond the lines the killed monitor had half-read.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import pg from "pg";
import { boardOfLogName } from "../../host/history/logRows";
import { VirtualPackLog } from "../../host/history/virtualPackLog";
import { FakeBoardPty } from "../host/serial/fakeBoardPty";
import { startZbms, type CliProcess } from "../e2e/monitorCli";
import { fastPackJson, SHORT_PROTOCOL } from "../host/history/simLogFixture";
import { startMosquitto, startPostgres, type Broker, type PgServer } from "./realServers";

const PASSWORD = "lab-pw-123";
/** Each board prints this many samples every TICK_MS. */
const SAMPLES_PER_TICK = 3;
const TICK_MS = 100;

let dir = "";
let pgServer: PgServer | null = null;
let broker: Broker | null = null;
let db: pg.Client | null = null;
let dashboard: CliProcess | null = null;
const monitors: CliProcess[] = [];
const boards: FakeBoardPty[] = [];
let timer: NodeJS.Timeout | null = null;

afterAll(async () => {
  if (timer) clearInterval(timer);
  for (const m of monitors) if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill("SIGKILL");
  for (const b of boards) b.unplug();
  if (dashboard && dashboard.child.exitCode === null) dashboard.child.kill("SIGKILL");
  if (db) await db.end().catch(() => undefined);
  if (broker) {
    await broker.stop();
    fs.rmSync(broker.dir, { recursive: true, force: true });
  }
  if (pgServer) pgServer.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function startMonitor(ports: string[], out: string, prefix: string): CliProcess {
  const args = ["monitor", ...ports.flatMap((p) => ["--port", p]), "--out", out, "--view", "none", "--mqtt", broker!.url, "--mqtt-username", "lab", "--board-prefix", prefix];
  const m = startZbms(args, { ZBMS_MQTT_PASSWORD: PASSWORD });
  monitors.push(m);
  return m;
}

/** (board, seq) of every status line in the raw logs of `out`, boards named as the monitor names them. */
function loggedSamples(out: string, prefix: string): string[] {
  const keys: string[] = [];
  for (const f of fs.readdirSync(out).filter((n) => n.endsWith(".raw.log"))) {
    const board = prefix + boardOfLogName(f);
    for (const l of fs.readFileSync(nodePath.join(out, f), "latin1").split("\n")) {
      const d = decodeLine(l);
      if (d.ok && d.record.type === "status") keys.push(`${board}#${d.seq}`);
    }
  }
  return keys.sort();
}

/** Per raw log: [file, first seq, last seq, missing seqs inside it] (lines lost on the link while it was written). */
function logSpans(out: string): [string, number, number, number][] {
  return fs
    .readdirSync(out)
    .filter((n) => n.endsWith(".raw.log"))
    .sort()
    .map((f) => {
      const seqs = new Set<number>();
      for (const l of fs.readFileSync(nodePath.join(out, f), "latin1").split("\n")) {
        const d = decodeLine(l);
        if (d.ok) seqs.add(d.seq);
      }
      const lo = Math.min(...seqs);
      const hi = Math.max(...seqs);
      return [f, lo, hi, hi - lo + 1 - seqs.size];
    });
}

describe("three boards, two monitors, one broker, one PostgreSQL database", () => {
  it("loses and duplicates no row across a broker restart, a monitor kill -9 and a dashboard kill -9", async () => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-lab-"));
    pgServer = await startPostgres();
    broker = await startMosquitto({ lab: PASSWORD });
    const startDashboard = (): CliProcess =>
      startZbms(["dashboard", "--mqtt", broker!.url, "--mqtt-username", "lab", "--db", pgServer!.url, "--port", "0"], { ZBMS_MQTT_PASSWORD: PASSWORD });
    dashboard = startDashboard();
    db = new pg.Client(pgServer.url);
    await db.connect();

    const packs: VirtualPackLog[] = [];
    for (let i = 0; i < 3; i++) {
      const b = await FakeBoardPty.create();
      boards.push(b);
      packs.push(
        new VirtualPackLog({
          packJson: fastPackJson(),
          protocol: SHORT_PROTOCOL,
          seed: 10 + i,
          onLine: (line) => {
            try {
              b.write(line + "\r\n");
            } catch {
              // unplugged at the end
            }
          },
        }),
      );
    }
    const d1 = nodePath.join(dir, "m1");
    const d2 = nodePath.join(dir, "m2");
    startMonitor([boards[0]!.path, boards[1]!.path], d1, "m1/");
    startMonitor([boards[2]!.path], d2, "m2/");
    await sleep(1500); // the monitors open their ports
    timer = setInterval(() => packs.forEach((p) => p.step(SAMPLES_PER_TICK)), TICK_MS);
    await sleep(3000);

    // the broker goes away for 3 s: the monitors keep logging; what they could not publish waits in the raw logs
    await broker.stop();
    await sleep(3000);
    await broker.restart();
    await sleep(2000);

    // monitor 1 dies without a chance to clean up, and comes back
    monitors[0]!.child.kill("SIGKILL");
    await monitors[0]!.exited;
    await sleep(1000);
    startMonitor([boards[0]!.path, boards[1]!.path], d1, "m1/");
    await sleep(2000);

    // the lab's dashboard dies without a chance to clean up, and comes back
    const firstDashboard = dashboard;
    dashboard.child.kill("SIGKILL");
    await dashboard.exited;
    await sleep(1500);
    dashboard = startDashboard();
    await sleep(3000);

    clearInterval(timer);
    timer = null;
    await sleep(2000); // the last lines reach the logs
    for (const m of monitors.slice(1)) m.child.kill("SIGINT");
    const codes = await Promise.all(monitors.slice(1).map((m) => m.exited));
    for (const c of codes) expect(c.code, monitors.map((m) => m.stderr()).join("\n")).toBe(0);

    const want = [...loggedSamples(d1, "m1/"), ...loggedSamples(d2, "m2/")].sort();
    expect(want.length).toBeGreaterThan(300);
    const stored = async (): Promise<string[]> =>
      (await db!.query<{ k: string }>("SELECT board || '#' || seq AS k FROM samples")).rows.map((r) => r.k).sort();
    const t0 = Date.now();
    let got = await stored();
    while (got.length < want.length && Date.now() - t0 < 30000) {
      await sleep(250);
      got = await stored();
    }
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);
    // one boot per board (the restarted monitor's new log continues it), and the sequence
    // numbers run without a hole except where the killed monitor held a half-read line
    const boots = (await db.query<{ board: string; n: string }>("SELECT board, count(*) AS n FROM boots GROUP BY board ORDER BY board")).rows;
    expect(boots.map((b) => [b.board, Number(b.n)])).toEqual([["m1/ttyFAKE0", 1], ["m1/ttyFAKE0-2", 1], ["m2/ttyFAKE0", 1]]);
    // sequence numbers: no line is missing inside any raw log; the only lines lost are those a
    // board printed while no monitor was reading it (between monitor 1's two logs of that port)
    const spans1 = logSpans(d1);
    for (const [f, , , missing] of [...spans1, ...logSpans(d2)]) expect(missing, f).toBe(0);
    const outage: Record<string, number> = {};
    for (const label of ["ttyFAKE0-2", "ttyFAKE0"]) {
      const [a, b] = spans1.filter(([f]) => boardOfLogName(f) === label);
      expect(b, label).toBeDefined();
      expect(b![1], label).toBeGreaterThan(a![2]);
      outage["m1/" + label] = b![1] - a![2] - 1;
    }
    process.stdout.write(`lab: ${want.length} samples from 3 boards in the database = the raw logs; lines printed while monitor 1 was dead (lost on the link): ${JSON.stringify(outage)}\n`);
    // the dashboard never saw a hole in a log (it would say "never arrived")
    dashboard.child.kill("SIGINT");
    expect((await dashboard.exited).code).toBe(0);
    expect(firstDashboard.stderr() + dashboard.stderr()).not.toMatch(/never arrived/);
  }, 180000);
});
