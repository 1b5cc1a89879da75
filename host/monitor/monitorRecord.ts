/**
 * The monitor's view of one received line, after the telemetry decoder has looked at it.
 * `classifyLine.ts` maps the shared line format's decoded records onto these few shapes, so
 * the rest of the monitor does not depend on every field of every record type.
 */

/** A live sample: the pack's numbers at one instant on the board's clock. */
export interface SampleRecord {
  kind: "sample";
  seq: number;
  /** Board time (ms), monotonic within one boot. */
  tMs: number;
  cellV: number[];
  /** Pack current (A), + = charge. */
  currentA: number;
  tempC: number[];
  socFrac: number;
  /** 0 rest, 1 charge, 2 discharge (shared/model/events SEG_*); NaN when not sent. */
  segment: number;
  /** Cycle number in progress (1-based); NaN when not sent. */
  cycleIndex: number;
}

export interface CycleSummary {
  index: number;
  chargeAh: number;
  dischargeAh: number;
  chargeWh: number;
  dischargeWh: number;
  ce: number;
  ceBound: number;
  ee: number;
  flags: number;
}

export type MonitorRecord =
  | SampleRecord
  | { kind: "cycle"; seq: number; tMs: number; cycle: CycleSummary }
  | { kind: "boot"; seq: number; tMs: number; text: string }
  | { kind: "alarm"; seq: number; tMs: number; id: string; level: string; raised: boolean; value: number }
  | { kind: "ident"; seq: number; text: string }
  | { kind: "other"; seq: number; type: string };

/** What one line turned out to be. */
export type LineClass =
  | { kind: "telemetry"; record: MonitorRecord }
  | { kind: "rejected"; reason: string }
  | { kind: "noise" };
