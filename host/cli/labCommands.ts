/**
 * The lab commands: `zbms ingest LOG…` (raw logs → history database) and `zbms dashboard`
 * (the web page over that database, fed live by a monitor's log folder or an MQTT broker).
 * The history database is a PGlite folder (default: `zbms-history/` next to the logs) or a
 * PostgreSQL server (`--db postgres://user@host/db`; the password is never printed).
 */
import * as nodePath from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { openDb } from "../history/db";
import { ingestFile } from "../history/ingest";
import { createSchema } from "../history/store";
import { CliError, EXIT_FAILED } from "./cliErrors";
import * as crypto from "node:crypto";
import * as os from "node:os";
import { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT, startLab, startPublisher, type RunningLab } from "../dashboard/lab";
import { clientOptions, DEFAULT_TOPIC_ROOT, redactMqttUrl, type MqttFlags } from "../mqtt/options";
import type { MqttPublisher } from "../mqtt/publisher";
import { DEFAULT_MONITOR_OUT } from "./monitorCommand";
import { parsePositiveNumber } from "./options";

/** Name of the PGlite folder created next to the logs when --db is not given. */
export const DEFAULT_DB_DIR = "zbms-history";

/** The database target for logs in `logDir` (a PGlite folder beside them unless --db says otherwise). */
export function dbTarget(db: string | undefined, logDir: string): string {
  return db ?? nodePath.join(logDir, DEFAULT_DB_DIR);
}

export function registerIngest(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  program
    .command("ingest")
    .description("backfill the history database from raw logs (idempotent: a log ingested twice adds nothing)")
    .argument("<log...>", "raw logs written by zbms monitor (*.raw.log)")
    .option("--db <target>", `PGlite folder or postgres://… URL (default: ${DEFAULT_DB_DIR}/ beside the first log)`)
    .option("--board-prefix <text>", "prefix for board names (e.g. the lab host: lab1/)", "")
    .action((logs: string[], flags: { db?: string; boardPrefix: string }) => run(() => ingestCommand(logs, flags)));
}

export async function ingestCommand(logs: string[], flags: { db?: string; boardPrefix: string }, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const target = dbTarget(flags.db, nodePath.dirname(logs[0]!));
  const db = await openDb(target);
  try {
    await createSchema(db);
    for (const log of logs) {
      let r;
      try {
        r = await ingestFile(db, log, flags.boardPrefix);
      } catch (e) {
        throw new CliError(`ingest ${log}: ${e instanceof Error ? e.message : String(e)}`, EXIT_FAILED);
      }
      out.write(`${log}: board ${r.board}, ${r.samples} new samples, ${r.events} new cycle/rest/alarm records` + (r.rejected ? `, ${r.rejected} damaged lines skipped` : "") + `\n`);
    }
    out.write(`history: ${db.label}\n`);
  } finally {
    await db.close();
  }
}

/** The broker flags (host/mqtt/options.ts), shared by `monitor` and `dashboard`. */
export function addMqttOptions(cmd: Command, what: string): Command {
  return cmd
    .option("--mqtt <url>", `${what} (mqtt://host[:port] or mqtts://…; password from ZBMS_MQTT_PASSWORD or --mqtt-pw-file)`)
    .option("--mqtt-username <name>", "broker user name")
    .option("--mqtt-pw-file <file>", "file holding the broker password (never give it on the command line)")
    .option("--mqtt-cafile <file>", "CA certificate(s) to trust for mqtts:// (PEM)")
    .option("--mqtt-cert <file>", "client certificate for mqtts:// (PEM)")
    .option("--mqtt-key <file>", "client key for mqtts:// (PEM)")
    .option("--mqtt-insecure", "mqtts:// without checking the server's certificate (tests only)")
    .option("--mqtt-topic <root>", `topic root (default ${DEFAULT_TOPIC_ROOT})`);
}

/** A client id that is stable for one role on one host and folder (persistent sessions need that). */
export function stableClientId(role: string, where: string): string {
  return `zbms-${role}-${os.hostname().replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 20)}-${crypto.createHash("sha256").update(nodePath.resolve(where)).digest("hex").slice(0, 10)}`;
}

export interface DashboardFlags extends MqttFlags {
  db?: string;
  logs?: string;
  host: string;
  port: number;
  boardPrefix: string;
  duration?: number;
}

export function registerDashboard(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  const cmd = program
    .command("dashboard")
    .description("web page of every pack: live values, cycles with CE ± bound, the current rest, alarms, history plots")
    .option("--logs <dir>", "follow a monitor's log folder and feed the database live (e.g. out/monitor)")
    .option("--db <target>", `PGlite folder or postgres://… URL (default: ${DEFAULT_DB_DIR}/ in --logs, else out/monitor/${DEFAULT_DB_DIR})`)
    .option("--host <addr>", "address to listen on; beyond 127.0.0.1 a token is required (ZBMS_DASHBOARD_TOKEN, or one is generated and printed)", DEFAULT_DASHBOARD_HOST)
    .option("--port <n>", "TCP port (0 = any free one)", parsePort, DEFAULT_DASHBOARD_PORT)
    .option("--board-prefix <text>", "prefix for this host's board names (e.g. lab1/)", "")
    .option("-d, --duration <s>", "stop after this many seconds (default: until Ctrl-C)", parsePositiveNumber);
  addMqttOptions(cmd, "subscribe to every monitor publishing to this broker").action((flags: DashboardFlags) => run(() => dashboardCommand(flags)));
}

export function parsePort(value: string): number {
  const x = Number(value);
  if (!/^\d+$/.test(value.trim()) || x > 65535) throw new InvalidArgumentError(`expected a TCP port 0…65535, e.g. 8180; got "${value}".`);
  return x;
}

/** Resolves when the duration ends or on SIGINT / SIGTERM. */
export function untilStopped(durationS?: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
    if (durationS !== undefined) setTimeout(done, durationS * 1000).unref();
  });
}

export async function dashboardCommand(flags: DashboardFlags, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const target = dbTarget(flags.db, flags.logs ?? DEFAULT_MONITOR_OUT);
  const lab = await startLab({
    mqttFeed: flags.mqtt ? { url: flags.mqtt, client: clientOptions(flags, stableClientId("lab", target)), root: flags.mqttTopic } : undefined,
    db: target,
    logDir: flags.logs,
    boardPrefix: flags.boardPrefix,
    dashboard: { host: flags.host, port: flags.port, token: process.env.ZBMS_DASHBOARD_TOKEN || undefined },
  });
  if (flags.mqtt) out.write(`lab feed: ${redactMqttUrl(flags.mqtt)}\n`);
  out.write(`dashboard: ${lab.url}${lab.generatedToken ? "   (the token in this URL is required from other machines)" : ""}\nhistory: ${lab.db.label}\nCtrl-C stops.\n`);
  await untilStopped(flags.duration);
  await lab.stop();
}

/** `zbms monitor --db/--dashboard`: the lab side beside the monitor, following its --out folder. */
export async function startMonitorLab(
  flags: MqttFlags & { out: string; db?: string; dashboard?: string | boolean; boardPrefix?: string },
  out: NodeJS.WritableStream = process.stdout,
): Promise<{ stop(): Promise<void> } | null> {
  let publisher: MqttPublisher | null = null;
  if (flags.mqtt) {
    publisher = startPublisher({ url: flags.mqtt, client: clientOptions(flags, stableClientId("monitor", flags.out)), dir: flags.out, boardPrefix: flags.boardPrefix, root: flags.mqttTopic });
    out.write(`publishing to ${redactMqttUrl(flags.mqtt)} (buffered in the raw logs while the broker is away)\n`);
  }
  const lab = await startMonitorDb(flags, out);
  return publisher || lab
    ? {
        stop: async () => {
          if (publisher) await publisher.stop();
          if (lab) await lab.stop();
        },
      }
    : null;
}

async function startMonitorDb(flags: { out: string; db?: string; dashboard?: string | boolean; boardPrefix?: string }, out: NodeJS.WritableStream): Promise<RunningLab | null> {
  if (flags.db === undefined && !flags.dashboard) return null;
  let dashboard: { host: string; port: number; token?: string } | undefined;
  if (flags.dashboard) {
    const m = typeof flags.dashboard === "string" ? /^(.*?)(?::(\d+))?$/.exec(flags.dashboard.trim()) : null;
    const host = (m && m[1]) || DEFAULT_DASHBOARD_HOST;
    const port = m && m[2] !== undefined ? parsePort(m[2]) : DEFAULT_DASHBOARD_PORT;
    dashboard = { host: host.replace(/^\[(.*)\]$/, "$1"), port, token: process.env.ZBMS_DASHBOARD_TOKEN || undefined };
  }
  const lab = await startLab({ db: dbTarget(flags.db, flags.out), logDir: flags.out, dashboard, boardPrefix: flags.boardPrefix });
  if (lab.url) out.write(`dashboard: ${lab.url}\n`);
  out.write(`history: ${lab.db.label}\n`);
  return lab;
}
