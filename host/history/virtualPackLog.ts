/**
 * A simulated pack (host/sim) measured by the shared model (PackModel.step, the firmware's own
 * model) whose telemetry lines — encoded with the firmware's line encoder — are written into a
 * raw log exactly as `zbms monitor` writes one (host/monitor/rawLog.ts: lines as received,
 * host-time notes). For the history, dashboard and MQTT tests and the lab benchmark, where
 * dozens of boards over pseudo-terminals would cost more than the thing measured.
 */
import { validateConfig } from "../../shared/config/validateConfig";
import type { PackConfig } from "../../shared/config/packConfig";
import { PackModel } from "../../shared/model/packModel";
import { encodeLine } from "../../shared/telemetry/lineFormat";
import { recordFromEvent, type TelemetryRecord } from "../../shared/telemetry/records";
import type { ChemistryId } from "../../shared/chemistry/presets";
import { RawLog } from "../monitor/rawLog";
import { Simulation } from "../sim/simulate";

export interface VirtualPackOptions {
  /** Pack config JSON (validated here), e.g. hardware/packs/znmno2-4s.json's content. */
  packJson: Record<string, unknown>;
  protocol: string;
  seed: number;
  /** Cells (0-based) that leak (self-discharge fault). */
  faultyCells?: number[];
  /** Raw log file to append to, as a monitor would; or… */
  rawLogPath?: string;
  /** …where each line goes instead (e.g. a pseudo-terminal a real monitor reads, with "\r\n" added there). */
  onLine?: (line: string) => void;
  /** Board name in the ident line. */
  boardName?: string;
}

export class VirtualPackLog {
  readonly sim: Simulation;
  readonly model: PackModel;
  readonly log: RawLog | null;
  private readonly onLine: ((line: string) => void) | null;
  private seq = 0;
  private pending: TelemetryRecord[] = [];
  /** Lines written so far. */
  lines = 0;

  constructor(opts: VirtualPackOptions) {
    const cfg = validateConfig(opts.packJson) as PackConfig;
    const pj = opts.packJson as { chemistry: ChemistryId; cellCount: number; capacityAh: number };
    this.sim = new Simulation({
      pack: { chemistry: pj.chemistry, cellCount: pj.cellCount, capacityAh: pj.capacityAh, seed: opts.seed, faultyCells: opts.faultyCells },
      protocol: opts.protocol,
      board: "esp32-ads1115",
      seed: opts.seed,
      samplePeriodMs: cfg.samplePeriodMs,
      tempCount: cfg.tempCount,
    });
    this.model = new PackModel(cfg, (ev) => {
      const r = recordFromEvent(ev);
      if (r) this.pending.push(r);
    });
    this.log = opts.rawLogPath ? new RawLog(opts.rawLogPath) : null;
    this.onLine = opts.onLine ?? null;
    if (this.log) this.log.writeNote({ event: "open", port: "virtual" });
    this.emit({ type: "ident", fwVersion: "0.1.0", bundleHash: "0000000000000000", board: opts.boardName ?? "virtual", pack: "sim" });
    this.emit({ type: "boot", tMs: 0, restored: false, storedAgeS: NaN, reason: "power on" });
  }

  private emit(r: TelemetryRecord): void {
    const line = encodeLine(r, this.seq);
    if (this.log) this.log.writeLine(line);
    if (this.onLine) this.onLine(line);
    this.seq++;
    this.lines++;
  }

  /**
   * Step `n` samples (false once the protocol has ended). Host time in the log: `hostMs`
   * (default now) — a clock note per call, as the monitor writes one per second.
   */
  step(n: number, hostMs = Date.now()): boolean {
    if (this.log) this.log.writeNote({ event: "clock", lines: this.lines }, new Date(hostMs));
    for (let i = 0; i < n; i++) {
      const x = this.sim.next();
      if (!x) return false;
      this.model.step(x.sample);
      for (const r of this.pending) this.emit(r);
      this.pending.length = 0;
      this.emit({ ...this.model.status(), type: "status", flags: 0 });
    }
    return true;
  }

  close(): void {
    if (this.log) this.log.close();
  }
}
