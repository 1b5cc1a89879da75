/**
 * One board in one monitor session: its link, its raw log, its per-cell BDF files, its
 * sequence/CRC bookkeeping and its live view.
 *
 * Order of work for every line (the order is the durability guarantee): (1) the raw log gets
 * the line, synchronously, before anything else can fail; (2) the line is classified;
 * (3) sequence and link health are updated, gaps and resets noted in the raw log; (4) the live
 * view, the BDF rows and the cycle list are updated.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { BdfWriter } from "../bdf/writer";
import { CYCLE_FLAG_PARTIAL } from "../../shared/model/events";
import type { PackConfig } from "../../shared/config/packConfig";
import { writeFileAtomic } from "../util/atomicWrite.mjs";
import { configCopyPath, configHash, configRequest, CONFIG_REPLY_ID, parseConfigReply } from "./boardConfig";
import { BoardLink } from "../serial/boardLink";
import { BdfRowBuilder } from "./bdfRows";
import type { CycleSummary, LineClass, MonitorRecord, SampleRecord } from "./monitorRecord";
import { emptyPackView, type PackState, type PackView } from "./packView";
import { RawLog } from "./rawLog";
import { SequenceTracker } from "./sequenceTracker";
import { MeaningCheck } from "./meaningCheck";
import { lastSeqInLog, previousRawLog } from "./resumeSeq";
import { dropTornTails } from "./tornTail";
import { BDF_MEMORY_MAX_B, describeMkdirError, describeWriteError, formatBytes, FREE_SPACE_CHECK_MS, freeBytes, RAW_LOG_RESERVE_B } from "./writeFailure";

const SEGMENT_STATE: Record<number, PackState> = { 0: "rest", 1: "charge", 2: "discharge" };

export interface SessionFiles {
  rawLog: string;
  cycles: string;
  /** The copy of the board's pack config (written when the board answers `config`). */
  packConfig: string;
  bdf: string[];
}

export interface MonitorSessionOptions {
  port: string;
  /** Output directory (created if missing). */
  outDir: string;
  /** File name stem, e.g. "ttyUSB0-20261124T210000Z". */
  stem: string;
  classify: (line: string) => LineClass;
  /** Sequence numbers wrap after this many (from the telemetry line format). */
  seqModulus: number;
  /** Called after every line (for tests and the demo). */
  onRecord?: (r: MonitorRecord) => void;
  /** A log file cannot be written (disk full, read-only…) or works again: one message each (default: stderr). */
  onLogProblem?: (message: string) => void;
  /** Ask the board for its pack config at start and after every boot (default true; boardConfig.ts). */
  askConfig?: boolean;
  /** Free bytes on the output folder's file system (default: statfs); tests inject a full disk. */
  freeBytes?: (dir: string) => number;
  /** Free space the derived files leave to the raw log (default RAW_LOG_RESERVE_B). */
  rawLogReserveB?: number;
}

/** Wait this long for the board's config reply before asking again (ms): a few telemetry lines at 1 Hz. */
export const CONFIG_RETRY_MS = 5000;
/** Config requests per boot before giving up (the board may not run zbms firmware). */
export const CONFIG_ASKS = 3;

export class MonitorSession {
  readonly view: PackView;
  readonly files: SessionFiles;
  readonly cycles: CycleSummary[] = [];
  private readonly opts: MonitorSessionOptions;
  private rawLog: RawLog | null = null;
  private readonly seq: SequenceTracker;
  private readonly meaning: MeaningCheck;
  private readonly link: BoardLink;
  private cyclesFd = -1;
  private bdfWriters: BdfWriter[] = [];
  private bdfBuilders: BdfRowBuilder[] = [];
  private lastClockNoteMs = 0;
  private readonly cycleKeys = new Set<string>();
  /** Cycle records not yet written to the cycles file (while it cannot be written). */
  private cyclesPending: string[] = [];
  /** BDF rows dropped because their file could not take them within BDF_MEMORY_MAX_B. */
  bdfRowsDropped = 0;
  private bdfFailing = false;
  /** Config requests left for this boot, and the retry timer. */
  private configAsksLeft = 0;
  private configTimer: NodeJS.Timeout | null = null;
  /** Hash of the board's config as last logged (a reply with the same hash is not noted again). */
  configHash = "";
  /** Derived files (BDF, cycles) stopped to leave the disk to the raw log: why, or null. */
  private derivedStopped: string | null = null;
  private freeCheckedMs = -Infinity;
  /** Set from start until the first telemetry line: the previous session's log and its last seq. */
  private resumed: { log: string; seq: number } | null = null;
  /** BDF rows (per cell) and cycle records not written while the derived files were stopped. */
  derivedRowsSkipped = 0;

  constructor(opts: MonitorSessionOptions) {
    this.opts = opts;
    const base = nodePath.join(opts.outDir, opts.stem);
    this.files = { rawLog: base + ".raw.log", cycles: base + ".cycles.jsonl", packConfig: configCopyPath(base + ".raw.log"), bdf: [] };
    this.seq = new SequenceTracker(opts.seqModulus);
    this.meaning = new MeaningCheck(opts.seqModulus);
    this.view = emptyPackView(opts.port);
    this.link = new BoardLink(opts.port, {
      onLine: (line) => this.handleLine(line),
      onDisconnect: (reason, partial) => this.handleDisconnect(reason, partial),
      onReconnect: (downMs) => this.handleReconnect(downMs),
    });
  }

  /** Open the port (rejects with SerialPortError on a wrong or busy port), then the files. */
  async start(): Promise<void> {
    await this.link.open();
    this.view.connected = true;
    this.view.openedAtMs = Date.now();
    this.openFiles(); // now, before the first data event can arrive
    this.raw.writeNote({ event: "open", port: this.opts.port });
    this.askConfig();
  }

  /** Ask the board for its pack config (again after CONFIG_RETRY_MS, CONFIG_ASKS times in all). */
  private askConfig(): void {
    if (this.opts.askConfig === false) return;
    this.configAsksLeft = CONFIG_ASKS;
    this.sendConfigRequest();
  }

  private sendConfigRequest(): void {
    if (this.configTimer) clearTimeout(this.configTimer);
    this.configTimer = null;
    if (this.configAsksLeft <= 0) return;
    this.configAsksLeft--;
    this.link.write(configRequest()).catch(() => undefined); // a lost port is noted by the link
    this.configTimer = setTimeout(() => {
      this.configTimer = null;
      if (this.configAsksLeft > 0) this.sendConfigRequest();
      else {
        this.raw.writeNote({ event: "configUnanswered", asks: CONFIG_ASKS });
        this.view.lastEvent = `the board did not answer ${CONFIG_ASKS} requests for its pack config: analyze will need --config (flash zbms firmware of this version?)`;
      }
    }, CONFIG_RETRY_MS);
    this.configTimer.unref();
  }

  /** The board's config reply: copy it beside the log, note its hash; or note why it was refused. */
  private takeConfigReply(payload: string): void {
    this.configAsksLeft = 0;
    if (this.configTimer) clearTimeout(this.configTimer);
    this.configTimer = null;
    let cfg: PackConfig;
    try {
      cfg = parseConfigReply(payload);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      this.raw.writeNote({ event: "configRejected", reason: why });
      this.view.lastEvent = `the board's pack config could not be used: ${why}`;
      return;
    }
    const hash = configHash(cfg);
    if (hash === this.configHash) return;
    this.configHash = hash;
    this.raw.writeNote({ event: "config", hash, file: nodePath.basename(this.files.packConfig) });
    try {
      writeFileAtomic(this.files.packConfig, JSON.stringify(cfg, null, 2) + "\n");
      this.view.lastEvent = `pack config "${cfg.name}" (hash ${hash}) copied to ${this.files.packConfig}`;
    } catch (e) {
      // the raw log holds the reply line, which is what analyze reads: only the copy is missing
      this.logProblem(`cannot write the pack config copy ${this.files.packConfig}: ${describeWriteError(e)} (the raw log has the board's reply)`);
    }
  }

  /** The raw log, created with the output directory on first use (so a refused port leaves no files). */
  private get raw(): RawLog {
    return this.rawLog ?? this.openFiles();
  }

  private openFiles(): RawLog {
    if (!this.rawLog) {
      try {
        fs.mkdirSync(this.opts.outDir, { recursive: true });
      } catch (e) {
        throw new Error(`cannot create the log folder "${this.opts.outDir}": ${describeMkdirError(this.opts.outDir, e)}; choose another --out folder`);
      }
      // a monitor killed earlier may have left a torn last row in this port's files: drop it first
      const torn = dropTornTails(this.opts.outDir, this.opts.stem.replace(/\d{8}T\d{6}Z$/, ""));
      const prevLog = previousRawLog(this.opts.outDir, this.opts.stem);
      const prevSeq = prevLog === null ? null : lastSeqInLog(prevLog);
      try {
        this.rawLog = new RawLog(this.files.rawLog, {
          onWriteError: (m) => this.logProblem(m),
          onWriteResumed: (m) => this.logProblem(m),
        });
        this.cyclesFd = fs.openSync(this.files.cycles, "a");
      } catch (e) {
        throw new Error(`cannot write logs in "${this.opts.outDir}": ${describeWriteError(e)}; choose another --out folder or fix this one`);
      }
      for (const t of torn) this.rawLog.writeNote({ event: "tornTail", file: t.path, droppedBytes: t.droppedBytes, text: t.text });
      if (prevLog !== null && prevSeq !== null) {
        this.resumed = { log: prevLog, seq: prevSeq };
        this.seq.resume(prevSeq);
        this.rawLog.writeNote({ event: "resume", previousLog: prevLog, lastSeq: prevSeq });
      }
      if (torn.length > 0) this.view.lastEvent = `dropped a torn last line from ${torn.length} earlier log file(s): ${torn.map((t) => nodePath.basename(t.path)).join(", ")}`;
    }
    return this.rawLog;
  }

  /** Send raw text to the board (commands from the monitor). */
  write(text: string): Promise<void> {
    return this.link.write(text);
  }

  /** Push buffered BDF rows and held cycle records to disk (the raw log is always written through). */
  flush(): void {
    this.flushBdf();
    this.flushCycles();
    if (this.rawLog) this.rawLog.sync();
  }

  /** Say that a log cannot be written (or works again): the live view and the user hear it. */
  private logProblem(message: string): void {
    this.view.lastEvent = message;
    if (this.opts.onLogProblem) this.opts.onLogProblem(message);
    else process.stderr.write(`zbms monitor: ${message}\n`);
  }

  /**
   * The raw log first: derived files may write only while the raw log holds nothing back and
   * the disk keeps RAW_LOG_RESERVE_B free for it (checked at most every FREE_SPACE_CHECK_MS).
   * Stopping and resuming are noted in the raw log and said on screen, with what was skipped.
   */
  private derivedAllowed(): boolean {
    const now = Date.now();
    if (this.rawLog && this.rawLog.heldBytes() > 0) return this.stopDerived("the raw log cannot be written and holds lines in memory");
    if (this.derivedStopped === null && now - this.freeCheckedMs < FREE_SPACE_CHECK_MS) return true;
    if (this.derivedStopped !== null && now - this.freeCheckedMs < FREE_SPACE_CHECK_MS) return false;
    this.freeCheckedMs = now;
    const free = (this.opts.freeBytes ?? freeBytes)(this.opts.outDir);
    const reserve = this.opts.rawLogReserveB ?? RAW_LOG_RESERVE_B;
    if (free < reserve) return this.stopDerived(`${formatBytes(free)} free on the disk, less than the ${formatBytes(reserve)} kept for the raw log`);
    if (this.derivedStopped !== null) {
      this.raw.writeNote({ event: "derivedResumed", skipped: this.derivedRowsSkipped, freeBytes: free });
      this.logProblem(`BDF and cycles files are written again; ${this.derivedRowsSkipped} row(s) were skipped meanwhile (rebuild them from the raw log: zbms analyze ${this.files.rawLog})`);
      this.derivedStopped = null;
    }
    return true;
  }

  private stopDerived(why: string): boolean {
    if (this.derivedStopped === null) {
      this.derivedStopped = why;
      if (this.rawLog) this.rawLog.writeNote({ event: "derivedStopped", reason: why });
      this.logProblem(`BDF and cycles files stopped: ${why}; the raw log ${this.files.rawLog} keeps every line`);
    }
    return false;
  }

  private flushBdf(): void {
    if (this.derivedStopped !== null && !this.derivedAllowed()) return;
    let failure: unknown = null;
    for (const w of this.bdfWriters) {
      try {
        w.flush();
      } catch (e) {
        failure = e;
      }
    }
    if (failure !== null && !this.bdfFailing) {
      this.bdfFailing = true;
      this.logProblem(`cannot write the BDF files in ${this.opts.outDir}: ${describeWriteError(failure)}; keeping their rows in memory (up to ${formatBytes(BDF_MEMORY_MAX_B)} per cell) and retrying every second`);
    } else if (failure === null && this.bdfFailing) {
      this.bdfFailing = false;
      this.logProblem(`BDF files in ${this.opts.outDir} are written again` + (this.bdfRowsDropped > 0 ? `; ${this.bdfRowsDropped} row(s) beyond the memory bound were dropped (rebuild them from the raw log)` : "; nothing lost"));
    }
  }

  private flushCycles(): void {
    if (this.cyclesPending.length > 0 && !this.derivedAllowed()) return; // kept in memory (a few per day)
    while (this.cyclesPending.length > 0 && this.cyclesFd >= 0) {
      try {
        fs.writeSync(this.cyclesFd, this.cyclesPending[0]!);
      } catch {
        return; // the raw log reports the outage; retried at the next flush
      }
      this.cyclesPending.shift();
    }
  }

  /** Stop: log an unfinished line, close the port and every file. */
  async stop(): Promise<void> {
    if (this.configTimer) clearTimeout(this.configTimer);
    this.configTimer = null;
    const partial = this.link.pending();
    await this.link.close();
    this.view.connected = false;
    if (!this.rawLog) return; // never opened: no files to close
    this.flushCycles();
    if (partial) this.rawLog.writeNote({ event: "partial", text: partial });
    const rawDropped = this.rawLog.droppedLines;
    this.rawLog.writeNote({
      event: "close", lines: this.view.health.lines, rejected: this.view.health.rejected, gaps: this.view.health.gaps,
      derivedRowsSkipped: this.derivedRowsSkipped, bdfRowsDropped: this.bdfRowsDropped, cycleRecordsUnwritten: this.cyclesPending.length,
    });
    const lostB = this.rawLog.close();
    // the raw log is closed first: the derived files' last buffered rows cannot take its space
    let bdfError: unknown = null;
    for (const w of this.bdfWriters) {
      try {
        w.close();
      } catch (e) {
        bdfError = e;
      }
    }
    this.bdfWriters = [];
    // say only what is true: the raw log is whole unless it dropped or could not write lines
    const rawWhole = lostB === 0 && rawDropped === 0;
    if (bdfError !== null) this.logProblem(`BDF file rows could not be written at close: ${describeWriteError(bdfError)}` + (rawWhole ? " (the raw log has every line)" : ""));
    if (lostB > 0 || rawDropped > 0) this.logProblem(`stopped while ${this.files.rawLog} could not be written: ${formatBytes(lostB)} of received lines were not written` + (rawDropped > 0 ? ` and ${rawDropped} line(s) beyond the memory bound were dropped` : "") + "; the file ends where the disk stopped taking it");
    this.rawLog = null;
    if (this.cyclesFd >= 0) fs.closeSync(this.cyclesFd);
    this.cyclesFd = -1;
  }

  /** Exposed for tests: process one line as if it came from the port. */
  handleLine(line: string): void {
    this.raw.writeLine(line);
    const nowMs = Date.now();
    if (nowMs - this.lastClockNoteMs >= 1000) {
      this.lastClockNoteMs = nowMs;
      this.raw.writeNote({ event: "clock", lines: this.view.health.lines + 1 });
    }
    let cls: LineClass;
    try {
      cls = this.opts.classify(line);
    } catch (e) {
      cls = { kind: "rejected", reason: e instanceof Error ? e.message : String(e) };
    }
    this.view.health.noteLine(cls.kind, nowMs);
    if (cls.kind === "rejected") {
      this.raw.writeNote({ event: "rejected", reason: cls.reason });
      this.view.lastEvent = `rejected a telemetry line (${cls.reason})`;
    }
    if (cls.kind !== "telemetry") return;
    const r = cls.record;
    // a booting board prints its ident line (seq 0) and then its boot line: both start a fresh count
    if (r.kind === "ident" && r.seq === 0) this.seq.restart();
    if (r.kind === "boot") {
      this.askConfig(); // a reflashed or reconfigured board may run another config
      this.seq.restart();
      this.meaning.restart();
      this.view.health.boots++;
      for (const b of this.bdfBuilders) b.boardRestarted();
      this.raw.writeNote({ event: "boot", seq: r.seq, restored: r.restored, storedAgeS: r.storedAgeS, reason: r.reason });
      this.view.lastEvent =
        `board reset noticed at ${new Date(nowMs).toISOString()}: ` +
        (r.restored ? `state restored from a copy ${r.storedAgeS.toFixed(0)} s old` : "nothing restored") +
        (r.reason ? ` (${r.reason})` : "");
    }
    const s = this.seq.observe(r.seq);
    const down = this.resumed;
    this.resumed = null;
    if (down !== null && (s.unexpected || (r.kind === "ident" && r.seq === 0) || r.kind === "boot")) {
      // the board restarted while no monitor ran: how many lines it sent before is unknown
      this.raw.writeNote({ event: "gapUnknown", previousLog: down.log, lastSeq: down.seq, seq: r.seq, reason: "the board restarted while no monitor ran" });
      this.view.lastEvent = `lines after seq ${down.seq} of ${nodePath.basename(down.log)} may be lost: the board restarted while no monitor ran`;
    }
    if (s.missing > 0) {
      this.view.health.noteGap(s.missing);
      this.raw.writeNote(down !== null ? { event: "gap", missing: s.missing, seq: r.seq, whileMonitorDown: true, previousLog: down.log } : { event: "gap", missing: s.missing, seq: r.seq });
      this.view.lastEvent = down !== null
        ? `${s.missing} line(s) sent while no monitor ran (after seq ${down.seq} of ${nodePath.basename(down.log)})`
        : `sequence gap: ${s.missing} line(s) lost before seq ${r.seq}`;
    } else if (s.unexpected) {
      this.meaning.restart();
      this.raw.writeNote({ event: "seqRestart", seq: r.seq });
      this.view.lastEvent = `sequence restarted at ${r.seq} without a boot record`;
    }
    // meaning across lines (time steps, cell count): a line that fails is rejected, not applied
    const m = this.meaning.check(r);
    if (m.rejected !== null) {
      this.view.health.reclassifyAsRejected();
      this.raw.writeNote({ event: "rejected", seq: r.seq, reason: `implausible: ${m.rejected}` });
      this.view.lastEvent = `rejected a telemetry line (implausible: ${m.rejected})`;
      return;
    }
    if (m.rebased) this.raw.writeNote({ event: "timeBase", seq: r.seq, tMs: (r as SampleRecord).tMs, note: "consecutive lines agree on a new board time base" });
    this.apply(r);
    if (this.opts.onRecord) this.opts.onRecord(r);
  }

  private apply(r: MonitorRecord): void {
    const v = this.view;
    switch (r.kind) {
      case "sample":
        v.boardTMs = r.tMs;
        v.cellV = r.cellV;
        v.currentA = r.currentA;
        v.tempC = r.tempC;
        v.socFrac = r.socFrac;
        v.state = SEGMENT_STATE[r.segment] ?? "unknown";
        v.cycleIndex = r.cycleIndex;
        v.alarmMask = r.alarmMask;
        if (r.alarmMask === 0) v.alarms = [];
        if (Number.isFinite(r.lastCe) && (!v.lastCycle || v.lastCycle.index !== r.cycleIndex - 1)) {
          v.lastCycle = { index: r.cycleIndex - 1, ce: r.lastCe, ceBound: r.lastCeBound, ee: r.lastEe, chargeAh: NaN, dischargeAh: NaN };
        }
        this.writeBdf(r);
        break;
      case "cycle": {
        // the `cycles` command and a restored board may print a cycle again: log each once
        const key = `${r.cycle.index}/${r.cycle.chargeAh}/${r.cycle.dischargeAh}`;
        if (this.cycleKeys.has(key)) break;
        this.cycleKeys.add(key);
        v.lastCycle = { index: r.cycle.index, ce: r.cycle.ce, ceBound: r.cycle.ceBound, ee: r.cycle.ee, chargeAh: r.cycle.chargeAh, dischargeAh: r.cycle.dischargeAh, partial: (r.cycle.flags & CYCLE_FLAG_PARTIAL) !== 0 };
        this.cycles.push(r.cycle);
        this.cyclesPending.push(JSON.stringify({ tMs: r.tMs, ...r.cycle }) + "\n");
        this.flushCycles();
        break;
      }
      case "alarm": {
        v.alarms = v.alarms.filter((a) => a.id !== r.id);
        if (r.raised) v.alarms.push({ id: r.id, level: r.level, value: r.value });
        break;
      }
      case "ident":
        v.identity = `${r.board} / ${r.pack} / v${r.fwVersion} #${r.bundleHash}`;
        break;
      case "reply":
        if (r.id === CONFIG_REPLY_ID) this.takeConfigReply(r.payload);
        break;
      case "error":
        if (r.id === CONFIG_REPLY_ID) {
          this.configAsksLeft = 0;
          if (this.configTimer) clearTimeout(this.configTimer);
          this.configTimer = null;
          this.raw.writeNote({ event: "configRejected", reason: r.text });
          this.view.lastEvent = `the board refused the config request (${r.text}): analyze will need --config`;
        }
        break;
      default:
        break;
    }
  }

  private writeBdf(s: SampleRecord): void {
    if (!this.derivedAllowed()) {
      this.derivedRowsSkipped += s.cellV.length;
      return;
    }
    while (this.bdfWriters.length < s.cellV.length) {
      const i = this.bdfWriters.length;
      const path = nodePath.join(this.opts.outDir, `${this.opts.stem}-cell${i + 1}.bdf.csv`);
      let w: BdfWriter;
      try {
        w = new BdfWriter(path, { append: true });
      } catch (e) {
        // cannot even create the file now: this sample's BDF rows are skipped (the raw log has it); retried next sample
        this.bdfRowsDropped++;
        if (!this.bdfFailing) {
          this.bdfFailing = true;
          this.logProblem(`cannot create ${path}: ${describeWriteError(e)}; BDF rows wait until it can be created (the raw log keeps every line)`);
        }
        return;
      }
      this.files.bdf.push(path);
      this.bdfWriters.push(w);
      this.bdfBuilders.push(new BdfRowBuilder(i));
    }
    for (let i = 0; i < s.cellV.length; i++) {
      const w = this.bdfWriters[i]!;
      const row = this.bdfBuilders[i]!.next(s);
      if (w.bufferedBytes() > BDF_MEMORY_MAX_B) {
        this.bdfRowsDropped++;
        continue;
      }
      try {
        w.writeRow(row); // flushes itself past its buffer size; a failing disk keeps the rows buffered
      } catch {
        // kept in the writer's buffer; flushBdf reports the outage
      }
    }
  }

  private handleDisconnect(reason: string, partial: string): void {
    this.view.connected = false;
    this.view.health.disconnects++;
    if (partial) this.raw.writeNote({ event: "partial", text: partial });
    this.raw.writeNote({ event: "disconnected", reason });
    this.view.lastEvent = `port lost at ${new Date().toISOString()} (${reason}); waiting for it to come back`;
  }

  private handleReconnect(downMs: number): void {
    this.view.connected = true;
    this.raw.writeNote({ event: "reconnected", downMs });
    this.view.lastEvent = `reconnected after ${(downMs / 1000).toFixed(1)} s`;
  }
}
