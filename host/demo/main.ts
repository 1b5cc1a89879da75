/**
 * `npm start` — the whole path a lab user takes with a board, with no board attached:
 *
 *   zbms sim      a virtual ESP32 measuring a simulated 4-cell Zn‖MnO2 pouch pack that runs a
 *                 practical protocol (C/5 cycles, a 24 h rest after a full charge, random rests),
 *                 accelerated; prints its pseudo-terminal /dev/pts/N
 *   zbms flash    builds the firmware, uploads it over that pty, saves it, verifies its identity
 *   zbms monitor  logs the pack (raw log, BDF per cell, cycle records) with a live view
 *
 * Each step is the real `zbms` command in its own process (host/cli/bin.mjs, what `npx zbms`
 * runs), pointed at the pty instead of /dev/ttyUSB0. Then the logged cycle records are printed
 * beside the simulator's truth, and the raw log is analysed (`zbms analyze`) into a report.
 * Everything lands in out/demo/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { matchCycles, summaryTable, type LoggedCycle } from "./cycleSummary";
import { writeDemoPack } from "./demoPack";
import type { TruthFile } from "../cli/simCommand";
import { REPO_ROOT } from "../util/repoRoot";

const ZBMS = nodePath.join(REPO_ROOT, "host", "cli", "bin.mjs");
/** Where everything goes; ZBMS_DEMO_OUT overrides it (tests). */
const OUT_DIR = process.env.ZBMS_DEMO_OUT ? nodePath.resolve(process.env.ZBMS_DEMO_OUT) : nodePath.join(REPO_ROOT, "out", "demo");
/** The real pack file the demo pack is derived from (demoPack.ts). */
const BASE_PACK = nodePath.join(REPO_ROOT, "hardware", "packs", "znmno2-4s.json");
const PACK = nodePath.join(OUT_DIR, "demoPack.json");
const PROTOCOL = nodePath.join(REPO_ROOT, "host", "demo", "demoProtocol.txt");
const TRUTH = nodePath.join(OUT_DIR, "truth.json");
/**
 * Simulated seconds per real second. The protocol is ~140 simulated hours; at 8000× that is
 * ~65 s, and with 20 s samples the board prints ~400 telemetry lines per second.
 */
const SPEED = 8000;
/**
 * Simulated seconds per real second while `zbms flash` runs (the sim switches to SPEED when the
 * monitor is up): a slow machine that takes 40 s to flash then loses 40 simulated minutes, not
 * 90 simulated hours of the protocol.
 */
const FLASH_SPEED = 60;
/** Wall time the monitor needs to start and open the port before the sim speeds up (ms). */
const MONITOR_START_MS = 4000;
/** Wall-time cap of the monitoring phase (s), so the demo ends in about two minutes even on a slow machine. */
const MONITOR_CAP_S = 100;

function log(text: string): void {
  process.stdout.write(`\n== ${text}\n`);
}

function zbms(args: string[], stdio: "inherit" | "pipe"): ChildProcess {
  return spawn(process.execPath, [ZBMS, ...args], { cwd: REPO_ROOT, stdio: stdio === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"] });
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Start `zbms sim`; resolves with the pty path (its first stdout line) and a promise of "protocol finished". */
function startSim(): Promise<{ child: ChildProcess; path: string; finished: Promise<void> }> {
  const child = zbms(["sim", "--pack", PACK, "--protocol", PROTOCOL, "--speed", String(SPEED), "--start-speed", String(FLASH_SPEED), "--truth", TRUTH], "pipe");
  let resolveFinished: () => void = () => undefined;
  const finished = new Promise<void>((r) => (resolveFinished = r));
  child.stderr!.on("data", (d: Buffer) => {
    const text = d.toString("utf8");
    for (const line of text.split("\n")) if (line.trim() && !line.startsWith("npm warn")) process.stdout.write(`   ${line}\n`);
    if (text.includes("protocol finished")) resolveFinished();
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve({ child, path: out.slice(0, nl).trim(), finished });
    });
    child.on("exit", (code) => reject(new Error(`zbms sim exited (${code}) before printing its port`)));
  });
}

async function main(): Promise<number> {
  const t0 = Date.now();
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  writeDemoPack(BASE_PACK, PACK);

  log(`zbms sim --pack ${nodePath.relative(REPO_ROOT, PACK)} --protocol ${nodePath.relative(REPO_ROOT, PROTOCOL)} --speed ${SPEED}`);
  const sim = await startSim();
  const stopSim = async (): Promise<void> => {
    if (sim.child.exitCode === null) {
      sim.child.kill("SIGINT");
      await exitOf(sim.child);
    }
  };
  process.on("SIGINT", () => void stopSim().then(() => process.exit(130)));
  try {
    log(`zbms flash --port ${sim.path} --pack ${nodePath.relative(REPO_ROOT, PACK)}   (the pty stands in for /dev/ttyUSB0)`);
    const flashCode = await exitOf(zbms(["flash", "--port", sim.path, "--pack", PACK], "inherit"));
    if (flashCode !== 0) {
      process.stderr.write(`demo: zbms flash failed (exit ${flashCode})\n`);
      return flashCode;
    }

    const view = process.stdout.isTTY ? "tty" : "lines";
    log(`zbms monitor --port ${sim.path} --out ${nodePath.relative(REPO_ROOT, OUT_DIR)}   (until the protocol ends, at most ${MONITOR_CAP_S} s)`);
    // `npm start -- --dashboard`: the monitor also serves the lab dashboard (it prints the URL)
    const lab = process.argv.includes("--dashboard") ? ["--dashboard", "127.0.0.1:8180"] : [];
    const monitor = zbms(["monitor", "--port", sim.path, "--out", OUT_DIR, "--view", view, "--refresh", view === "tty" ? "0.5" : "10", ...lab], "inherit");
    // the monitor is starting: then run the protocol at full speed
    setTimeout(() => sim.child.kill("SIGUSR1"), MONITOR_START_MS);
    const capped = new Promise<void>((r) => setTimeout(r, MONITOR_CAP_S * 1000));
    await Promise.race([sim.finished, capped, exitOf(monitor)]);
    // let the last cycle's records cross the link, then stop like a user pressing Ctrl-C
    await new Promise((r) => setTimeout(r, 1500));
    if (monitor.exitCode === null) monitor.kill("SIGINT");
    const monitorCode = await exitOf(monitor);
    if (monitorCode !== 0) process.stderr.write(`demo: zbms monitor exited with ${monitorCode}\n`);
  } finally {
    await stopSim();
  }

  const cyclesFile = fs.readdirSync(OUT_DIR).find((n) => n.endsWith(".cycles.jsonl"));
  const rawLog = fs.readdirSync(OUT_DIR).find((n) => n.endsWith(".raw.log"));
  const logged: LoggedCycle[] = cyclesFile
    ? fs.readFileSync(nodePath.join(OUT_DIR, cyclesFile), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as LoggedCycle)
    : [];
  const truth = JSON.parse(fs.readFileSync(TRUTH, "utf8")) as TruthFile;
  // the monitor started after the last boot (the one `zbms flash` caused to verify the saved code)
  const lastBoot = truth.boots.length > 0 ? truth.boots[truth.boots.length - 1]!.simTimeS : 0;
  const rows = matchCycles(logged, truth.cycles, lastBoot, truth.rests);
  log(`per-cycle summary: the board's records (logged by zbms monitor) beside the simulator's truth`);
  console.log(summaryTable(rows));
  const judged = rows.filter((r) => r.covered !== null);
  console.log(
    `\n${logged.length} cycles logged, ${rows.filter((r) => r.truth).length} matched to the simulator's truth; ` +
      `the board's CE ± bound contains the true CE in ${judged.filter((r) => r.covered).length} of the ${judged.length} cycles with a CE` +
      (judged.length < rows.length ? ` (${rows.length - judged.length} partial: the board started mid-cycle)` : "") + ".",
  );
  for (const r of truth.rests) {
    if (r.durationS >= 3600) {
      console.log(`rest ${r.index}: ${(r.durationS / 3600).toFixed(1)} h after ${r.after}${r.random ? " (random rest test)" : ""}, retention ${Number.isFinite(r.retention) ? (r.retention * 100).toFixed(2) + " %" : "—"}`);
    }
  }

  if (rawLog) {
    log(`zbms analyze ${nodePath.relative(REPO_ROOT, nodePath.join(OUT_DIR, rawLog))} --out ${nodePath.relative(REPO_ROOT, nodePath.join(OUT_DIR, "report"))}`);
    const code = await exitOf(zbms(["analyze", nodePath.join(OUT_DIR, rawLog), "--out", nodePath.join(OUT_DIR, "report"), "--chemistry", "ZnMnO2", "--print", "none"], "inherit"));
    if (code !== 0) process.stderr.write(`demo: zbms analyze exited with ${code}\n`);
  }
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s; everything is in ${nodePath.relative(process.cwd(), OUT_DIR) || OUT_DIR}/`);
  for (const n of fs.readdirSync(OUT_DIR).sort()) console.log(`   ${n}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
