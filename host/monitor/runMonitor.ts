/**
 * `zbms monitor`: one MonitorSession per port, a live view, and a clean stop.
 *
 * Stops on Ctrl-C (SIGINT), SIGTERM, SIGHUP, the `--duration` running out, or an AbortSignal;
 * then flushes and closes every port and file and prints where the logs are. A wrong or busy
 * port at start is refused at once (nothing half-open is left behind).
 */
import { MS_PER_S } from "../../shared/units";
import * as fs from "node:fs";
import * as nodePath from "node:path";
import type { LineClass, MonitorRecord } from "./monitorRecord";
import { MonitorSession, type SessionFiles } from "./monitorSession";
import { noTelemetryHint, renderPackView, renderScreen } from "./liveView";
import type { LinkHealth } from "./linkHealth";
import type { CycleSummary } from "./monitorRecord";

/** Live view refresh period (ms). */
export const VIEW_REFRESH_MS = 500;
/** BDF buffers are pushed to disk this often (ms): "flushed within a second". */
export const BDF_FLUSH_MS = 1000;
/** In plain-lines mode (stdout not a terminal), one status block per pack this often (ms). */
export const LINES_MODE_PERIOD_MS = 5000;

export type DisplayMode = "tty" | "lines" | "none";

export interface RunMonitorOptions {
  ports: string[];
  outDir: string;
  /** Stop after this many seconds of wall time; undefined = until a signal. */
  durationS?: number;
  display: DisplayMode;
  classify: (line: string) => LineClass;
  seqModulus: number;
  /** View refresh period (ms); default VIEW_REFRESH_MS on a TTY, LINES_MODE_PERIOD_MS in lines mode. */
  refreshMs?: number;
  /** Where the view and the final summary go (default process.stdout). */
  out?: NodeJS.WritableStream;
  signal?: AbortSignal;
  onRecord?: (port: string, r: MonitorRecord) => void;
  /** Print where the logs are when stopping (default true). */
  summary?: boolean;
  /** Called once all ports are open. */
  onStarted?: (sessions: MonitorSession[]) => void;
}

export interface SessionResult {
  port: string;
  files: SessionFiles;
  cycles: CycleSummary[];
  health: LinkHealth;
}

export interface MonitorResult {
  stoppedBy: "duration" | "signal" | "abort";
  sessions: SessionResult[];
}

/** File-name-safe label of a port: "/dev/ttyUSB0" → "ttyUSB0", "COM3" → "COM3". */
export function portLabel(port: string): string {
  return nodePath.basename(port).replace(/[^A-Za-z0-9._-]/g, "_") || "port";
}

/** "2026-11-24T21:00:00.123Z" → "20261124T210000Z". */
export function sessionStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** One session per port; a label used twice gets "-2", "-3"… so no two sessions share files. */
function createSessions(opts: RunMonitorOptions, stamp: string): MonitorSession[] {
  const used = new Map<string, number>();
  const sessions: MonitorSession[] = [];
  for (const port of opts.ports) {
    let label = portLabel(port);
    const n = (used.get(label) ?? 0) + 1;
    used.set(label, n);
    if (n > 1) label += "-" + n;
    sessions.push(
      new MonitorSession({
        port,
        outDir: opts.outDir,
        stem: `${label}-${stamp}`,
        classify: opts.classify,
        seqModulus: opts.seqModulus,
        onRecord: opts.onRecord ? (r) => opts.onRecord!(port, r) : undefined,
      }),
    );
  }
  return sessions;
}

/**
 * Runs the timers (BDF flush, the live view) until a signal, the abort signal or the duration
 * ends the session; resolves with what ended it, every timer and handler removed.
 */
function untilStopped(opts: RunMonitorOptions, sessions: MonitorSession[], out: NodeJS.WritableStream): Promise<MonitorResult["stoppedBy"]> {
  return new Promise<MonitorResult["stoppedBy"]>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = (why: MonitorResult["stoppedBy"]): void => {
      for (const t of timers) clearInterval(t);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      process.off("SIGHUP", onSignal);
      if (opts.signal) opts.signal.removeEventListener("abort", onAbort);
      resolve(why);
    };
    const onSignal = (): void => finish("signal");
    const onAbort = (): void => finish("abort");
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("SIGHUP", onSignal);
    if (opts.signal) {
      if (opts.signal.aborted) return finish("abort");
      opts.signal.addEventListener("abort", onAbort);
    }
    if (opts.durationS !== undefined) timers.push(setTimeout(() => finish("duration"), opts.durationS * MS_PER_S));
    timers.push(setInterval(() => sessions.forEach((s) => s.flush()), BDF_FLUSH_MS));
    if (opts.display === "tty") {
      timers.push(
        setInterval(() => out.write(renderScreen(sessions.map((s) => s.view), Date.now(), true, "Ctrl-C stops and closes the logs.")), opts.refreshMs ?? VIEW_REFRESH_MS),
      );
    } else if (opts.display === "lines") {
      timers.push(
        setInterval(() => {
          for (const s of sessions) out.write(renderPackView(s.view, Date.now(), false).join("\n") + "\n");
        }, opts.refreshMs ?? LINES_MODE_PERIOD_MS),
      );
    }
  });
}

/** The closing summary: per port, line counts, gaps, resets, unplugs, cycles and where the files are. */
function writeSummary(out: NodeJS.WritableStream, result: MonitorResult, sessions: MonitorSession[]): void {
  out.write(`\nmonitor stopped (${result.stoppedBy}); logs:\n`);
  for (const r of result.sessions) {
    const h = r.health;
    out.write(
      `  ${r.port}: ${h.lines} lines (${h.telemetry} telemetry, ${h.rejected} rejected, ${h.noise} other), ` +
        `${h.gaps} gaps (${h.missingLines} lines lost), ${h.boots} resets, ${h.disconnects} unplugs, ${r.cycles.length} cycles\n` +
        `    raw log  ${r.files.rawLog}\n    cycles   ${r.files.cycles}\n` +
        (fs.existsSync(r.files.packConfig) ? `    config   ${r.files.packConfig} (the pack config the board runs; analyze reads it from the raw log)\n` : "") +
        r.files.bdf.map((f) => `    BDF      ${f}\n`).join(""),
    );
  }
  for (const s of sessions) {
    const hint = noTelemetryHint(s.view, Date.now(), true);
    if (hint) out.write(`  ${s.view.port}: ${hint}\n`);
  }
}

export async function runMonitor(opts: RunMonitorOptions): Promise<MonitorResult> {
  const out = opts.out ?? process.stdout;
  const sessions = createSessions(opts, sessionStamp(new Date()));
  try {
    for (const s of sessions) await s.start();
  } catch (e) {
    for (const s of sessions) await s.stop();
    throw e;
  }
  if (opts.display !== "none") {
    for (const s of sessions) out.write(`monitoring ${s.view.port} → ${s.files.rawLog}\n`);
    out.write("Ctrl-C stops, flushes and closes the logs.\n");
  }
  if (opts.onStarted) opts.onStarted(sessions);
  const stoppedBy = await untilStopped(opts, sessions, out);
  for (const s of sessions) await s.stop();
  const result: MonitorResult = {
    stoppedBy,
    sessions: sessions.map((s) => ({ port: s.view.port, files: s.files, cycles: s.cycles, health: s.view.health })),
  };
  if (opts.summary !== false) writeSummary(out, result, sessions);
  return result;
}
