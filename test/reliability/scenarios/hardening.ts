/**
 * Issue 21's cases as bench figures (`npm run bench:faults`); each mirrors a vitest file:
 * injection.test.ts (runInjection in ./injection.ts), settingsBounds.test.ts,
 * host/monitor/meaning.test.ts, rawLogFirst.test.ts, host/monitor/resumeSeq.test.ts.
 * The bar: zero injected commands run, zero absurd values accepted, zero silent losses.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { createRequire, syncBuiltinESMExports } from "node:module";
import * as fc from "fast-check";
import { KNOWN_PAYLOADS, runInjection, startLinkedBoard, type InjectionFigures } from "./injection";
import { sendWords, startFirmwareBoard, TelemetryTap } from "../firmwareBoard";
import { CONFIG_FILE } from "../../../firmware/commands";
import { SETTINGS_WRITE_MIN_S } from "../../../firmware/app";
import { MonitorSession } from "../../../host/monitor/monitorSession";
import { classifyLine, TELEMETRY_SEQ_MODULUS } from "../../../host/monitor/classifyLine";
import { encodeLine } from "../../../shared/telemetry/lineFormat";
import type { CycleLine, StatusLine } from "../../../shared/telemetry/records";
import type { CycleRecord } from "../../../shared/model/events";

/** Send the known payloads and `randomTexts` seeded arbitrary Unicode strings through `zbms send`'s path. */
export async function runInjectionBench(randomTexts: number, seed: number): Promise<InjectionFigures> {
  const link = await startLinkedBoard(20);
  try {
    const random = fc.sample(fc.string({ unit: "binary", minLength: 1, maxLength: 16 }), { seed, numRuns: randomTexts });
    return await runInjection(link.ch, [...KNOWN_PAYLOADS, ...random]);
  } finally {
    await link.stop();
  }
}

export interface SettingsFigures {
  /** The reported absurd settings and calibration sent; how many the board accepted. */
  absurdSettingsSent: number;
  absurdSettingsAccepted: number;
  /** Storage writes of the config for 3 000 rapid `set`s, before and after SETTINGS_WRITE_MIN_S. */
  configWritesDuringBurst: number;
  configWritesAfterFlush: number;
}

export async function runSettingsBench(): Promise<SettingsFigures> {
  const board = await startFirmwareBoard();
  const tap = new TelemetryTap(board);
  board.advance(3000);
  const raw = sendWords(board, tap, ["raw"]).find((r) => r.record.type === "reply")!.record as { payload: string };
  const v0 = (JSON.parse(raw.payload) as { v0: number }).v0;
  sendWords(board, tap, ["cal", "v0", "0", "0", "1.41", String(v0)]);
  const absurd = [
    ["set", "alarms.0.delayMs", "1e15"],
    ["set", "alarms.0.limit", "1e6"],
    ["set", "alarms.0.reset", "-9999"],
    ["set", "capacityAh", "1e-9"],
    ["set", "alarms.4.limit", "1e6"],
    ["set", "alarms.8.limit", "1e6"],
    ["cal", "v0", "1.2", "9600", "1.6", "9601"],
    ["cal", "v0", "1.2", "9600", "1.2", "9600"],
  ];
  let accepted = 0;
  for (const w of absurd) if (sendWords(board, tap, w).some((r) => r.record.type === "reply")) accepted++;
  let writes = 0;
  const st = board.storage as unknown as { write: (name: string, ...rest: unknown[]) => boolean };
  const orig = st.write.bind(st);
  st.write = (name: string, ...rest: unknown[]) => {
    if (name === CONFIG_FILE) writes++;
    return orig(name, ...rest);
  };
  for (let i = 0; i < 3000; i++) sendWords(board, tap, ["set", "samplePeriodMs", String(1000 + (i % 7) * 10)]);
  const during = writes;
  board.advance((SETTINGS_WRITE_MIN_S + 2) * 1000);
  tap.dispose();
  return { absurdSettingsSent: absurd.length, absurdSettingsAccepted: accepted, configWritesDuringBurst: during, configWritesAfterFlush: writes };
}

function status(seq: number, tMs: number, over: Partial<StatusLine> = {}): string {
  return encodeLine({ type: "status", tMs, cellV: [1.4, 1.41, 1.39, 1.4], currentA: 0.2, tempC: [24.5], socFrac: [0.5, 0.5, 0.5, 0.5], segment: 1, cycleCount: 0, alarmMask: 0, lastCe: NaN, lastCeBound: NaN, lastEe: NaN, flags: 0, ...over }, seq);
}

function cycle(seq: number, tMs: number, chargeAh: number): string {
  const c: CycleRecord = {
    index: 1, startTMs: 0, endTMs: tMs, chargeAh, dischargeAh: 0.98, chargeWh: 1.6, dischargeWh: 1.3, ce: 0.98, ceBound: 0.002, ee: 0.8, ve: 0.82,
    meanChargeV: 1.6, meanDischargeV: 1.3, voltageGapV: 0.3, chargeDurationS: 3600, dischargeDurationS: 3600, tempMinC: 24, tempMaxC: 26, flags: 0,
    cumulativeCe: 0.98, rollingCe: 0.98, cyclesTo80: 11, cyclesTo80Low: 10, cyclesTo80High: 12,
  } as CycleRecord;
  return encodeLine({ type: "cycle", tMs, cycle: c } as CycleLine, seq);
}

export interface TelemetryMeaningFigures {
  absurdLinesSent: number;
  /** Absurd lines whose values reached the BDF or cycles files. */
  absurdValuesAccepted: number;
  /** Good lines after them that did not reach the BDF files. */
  goodRowsLost: number;
}

export async function runTelemetryMeaningBench(): Promise<TelemetryMeaningFigures> {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-bench-meaning-"));
  try {
    const t0 = 1_000_000;
    const absurd = [
      status(1, t0, { cellV: [-9999, 1.4, 1.4, 1.4] }), status(2, t0, { currentA: 1e15 }), cycle(3, t0, 1e300), status(4, t0, { lastCe: -Infinity }),
      status(5, 1e400), status(6, t0, { cellV: new Array(15000).fill(0) }), status(7, t0 - 500_000), status(8, t0 + 1e11), status(9, t0, { cellV: [1.4, 1.4, 1.4, 1.4, 1.4] }),
      status(10, t0, { tempC: [1e6] }), status(11, t0, { socFrac: [Infinity, 0.5, 0.5, 0.5] }),
    ];
    const good = [status(0, 900_000), ...absurd, status(12, 1_100_000), cycle(13, 1_100_000, 1), status(14, 1_200_000)];
    const s = new MonitorSession({ port: "/dev/null-not-opened", outDir: dir, stem: "bench", classify: classifyLine, seqModulus: TELEMETRY_SEQ_MODULUS, onLogProblem: () => undefined });
    for (const l of good) s.handleLine(l);
    await s.stop();
    const bdfRows = s.files.bdf.map((f) => fs.readFileSync(f, "utf8").trim().split("\n").slice(1));
    const cycles = fs.readFileSync(s.files.cycles, "utf8").trim().split("\n").filter((l) => l.length > 0);
    const badRows = bdfRows.flat().filter((r) => r.split(",").some((x) => x !== "" && (!Number.isFinite(Number(x)) || Math.abs(Number(x)) > 1e6))).length;
    const badCycles = cycles.filter((l) => (JSON.parse(l) as { chargeAh: number }).chargeAh > 1e6).length;
    const extraFiles = Math.max(0, s.files.bdf.length - 4);
    const goodRowsLost = bdfRows.reduce((a, rows) => a + (3 - rows.length), 0);
    return { absurdLinesSent: absurd.length, absurdValuesAccepted: badRows + badCycles + extraFiles, goodRowsLost };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface SmallVolumeFigures {
  volumeB: number;
  linesSent: number;
  /** Bytes the BDF and cycles files took of the volume. */
  derivedB: number;
  rawLogB: number;
  /** The raw log lost lines but the monitor did not say so (or claimed every line). */
  silentLosses: number;
}

/** The reported 200 kB volume (simulated by a byte budget on node:fs writes under one folder). */
export async function runSmallVolumeBench(volumeB: number, lines: number): Promise<SmallVolumeFigures> {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-bench-volume-"));
  const cjsFs = createRequire(import.meta.url)("node:fs") as typeof fs;
  const real = cjsFs.writeSync;
  let used = 0;
  (cjsFs as { writeSync: unknown }).writeSync = function (fd: number, buf: unknown, ...rest: unknown[]): number {
    let inDir = false;
    try {
      inDir = fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      inDir = false;
    }
    if (!inDir || !Buffer.isBuffer(buf)) return (real as (...a: unknown[]) => number)(fd, buf, ...rest);
    const off = (rest[0] as number | undefined) ?? 0;
    const len = (rest[1] as number | undefined) ?? buf.length - off;
    if (used >= volumeB) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const w = real(fd, buf, off, Math.min(len, volumeB - used));
    used += w;
    return w;
  };
  syncBuiltinESMExports();
  try {
    const said: string[] = [];
    const s = new MonitorSession({ port: "/dev/null-not-opened", outDir: dir, stem: "bench", classify: classifyLine, seqModulus: TELEMETRY_SEQ_MODULUS, onLogProblem: (m) => said.push(m), freeBytes: () => volumeB - used });
    const sent: string[] = [];
    for (let i = 0; i < lines; i++) {
      sent.push(status(i, 1000 * i));
      s.handleLine(sent[i]!);
      if (i % 50 === 49) s.flush();
    }
    await s.stop();
    const size = (f: string): number => (fs.existsSync(f) ? fs.statSync(f).size : 0);
    const derivedB = s.files.bdf.reduce((a, f) => a + size(f), 0) + size(s.files.cycles);
    const rawLogB = size(s.files.rawLog);
    const onDisk = fs.readFileSync(s.files.rawLog, "latin1").split("\n").filter((l) => l.startsWith("#Z1,"));
    const whole = onDisk.filter((l, i) => l === sent[i]).length;
    const lost = lines - whole;
    const stated = said.some((m) => /were not written/.test(m)) && !said.some((m) => /raw log has every line/.test(m));
    return { volumeB, linesSent: lines, derivedB, rawLogB, silentLosses: lost > 0 && !stated ? lost : 0 };
  } finally {
    (cjsFs as { writeSync: unknown }).writeSync = real;
    syncBuiltinESMExports();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface RestartFigures {
  restarts: number;
  /** Lines sent while no monitor ran (truth) and lines the new logs noted as missing. */
  linesWhileDown: number;
  linesReported: number;
}

/** `restarts` monitor sessions of one port in one folder, the board sending between them. */
export async function runRestartBench(restarts: number, seed: number): Promise<RestartFigures> {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-bench-restart-"));
  let rnd = seed >>> 0;
  const next = (n: number): number => {
    rnd = (Math.imul(rnd, 1664525) + 1013904223) >>> 0;
    return rnd % n;
  };
  try {
    let seq = 0;
    let down = 0;
    let reported = 0;
    for (let k = 0; k < restarts; k++) {
      const stamp = `20261207T${String(100000 + k).padStart(6, "0")}Z`;
      const s = new MonitorSession({ port: "/dev/null-not-opened", outDir: dir, stem: `ttyUSB0-${stamp}`, classify: classifyLine, seqModulus: TELEMETRY_SEQ_MODULUS, onLogProblem: () => undefined });
      for (let i = 0; i < 20 + next(200); i++, seq++) s.handleLine(status(seq, 1000 * seq));
      await s.stop();
      reported += s.view.health.missingLines;
      const skipped = next(150);
      if (k < restarts - 1) {
        down += skipped;
        seq += skipped;
      }
    }
    return { restarts: restarts - 1, linesWhileDown: down, linesReported: reported };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
