/** `zbms monitor --port P [--port P2 …] [--out DIR] [--duration S]`. */
import { Option, type Command } from "commander";
import { classifyLine, TELEMETRY_SEQ_MODULUS } from "../monitor/classifyLine";
import { runMonitor, type DisplayMode } from "../monitor/runMonitor";
import { collectPorts, parsePositiveNumber } from "./options";
import { addMqttOptions, startMonitorLab } from "./labCommands";
import type { MqttFlags } from "../mqtt/options";

/** Default log directory (relative to the working directory). */
export const DEFAULT_MONITOR_OUT = "out/monitor";

export interface MonitorFlags extends MqttFlags {
  port: string[];
  out: string;
  duration?: number;
  view: string;
  refresh?: number;
  /** Lab side (host/dashboard/lab.ts): history database and dashboard fed from the logs. */
  db?: string;
  dashboard?: string | boolean;
  boardPrefix?: string;
}

const VIEWS = ["auto", "tty", "lines", "none"];

export function registerMonitor(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  const cmd = program
    .command("monitor")
    .description("log and show one or more packs: raw log, BDF CSV per cell, live view")
    .requiredOption("-p, --port <path>", "serial port of a board; repeat for more boards", collectPorts)
    .option("-o, --out <dir>", "directory for the logs", DEFAULT_MONITOR_OUT)
    .option("-d, --duration <s>", "stop after this many seconds (default: until Ctrl-C)", parsePositiveNumber)
    .addOption(new Option("--view <mode>", "live view (auto = tty when stdout is a terminal, else plain lines)").choices(VIEWS).default("auto"))
    .option("--refresh <s>", "live view period in seconds (default 0.5 on a terminal, 5 in plain lines)", parsePositiveNumber)
    .option("--db <target>", "also write the history database: a PGlite folder or postgres://… URL (default with --dashboard: zbms-history/ in --out)")
    .option("--dashboard [host:port]", "also serve the dashboard (default 127.0.0.1:8180; beyond loopback a token is required)")
    .option("--board-prefix <text>", "prefix for this host's board names in the database and on MQTT (e.g. lab1/)")
    .addHelpText(
      "after",
      "\nFiles per board and session in --out: <port>-<time>.raw.log (every line as received),\n" +
        "<port>-<time>.cycles.jsonl (cycle records), <port>-<time>-cellN.bdf.csv (Battery Data Format),\n" +
        "<port>-<time>.pack.json (the pack config the board runs: the monitor asks it with the `config`\n" +
        "command at start and after a reset; the answer is in the raw log too, for `zbms analyze`).\n" +
        "Example:\n  zbms monitor --port /dev/ttyUSB0 --port /dev/ttyUSB1 --out logs/run42",
    );
  addMqttOptions(cmd, "also publish every record to this broker").action((flags: MonitorFlags) => run(() => monitorCommand(flags)));
}

export function resolveView(view: string, isTty: boolean): DisplayMode {
  if (!VIEWS.includes(view)) throw new Error(`--view: got "${view}"; accepted: ${VIEWS.join(", ")}`);
  if (view === "auto") return isTty ? "tty" : "lines";
  return view as DisplayMode;
}

export async function monitorCommand(flags: MonitorFlags): Promise<void> {
  const display = resolveView(flags.view, process.stdout.isTTY === true);
  const lab = await startMonitorLab(flags);
  try {
    await runMonitorWithLab(flags, display);
  } finally {
    if (lab) await lab.stop();
  }
}

async function runMonitorWithLab(flags: MonitorFlags, display: DisplayMode): Promise<void> {
  await runMonitor({
    ports: flags.port,
    outDir: flags.out,
    durationS: flags.duration,
    display,
    refreshMs: flags.refresh === undefined ? undefined : flags.refresh * 1000,
    classify: classifyLine,
    seqModulus: TELEMETRY_SEQ_MODULUS,
  });
}
