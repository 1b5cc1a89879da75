/**
 * The monitor's view of one received line, after the telemetry decoder has looked at it.
 * `classifyLine.ts` maps the shared line format's decoded records onto these few shapes, so
 * the rest of the monitor does not depend on every field of every record type.
 */
import type { CycleRecord } from "../../shared/model/events";

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
  /** Per-cell state of charge (fraction). */
  socFrac: number[];
  /** 0 rest, 1 charge, 2 discharge (shared/model/events SEG_*); NaN when not sent. */
  segment: number;
  /** Cycle number in progress (1-based) = completed cycles + 1. */
  cycleIndex: number;
  /** Active alarms bitmask (docs/protocol.md). */
  alarmMask: number;
  /** Last completed cycle's CE ± bound and EE (fractions); NaN before the first. */
  lastCe: number;
  lastCeBound: number;
  lastEe: number;
}

/** The fields of the model's cycle record the monitor shows and logs. */
export type CycleSummary = Pick<CycleRecord, "index" | "chargeAh" | "dischargeAh" | "chargeWh" | "dischargeWh" | "ce" | "ceBound" | "ee" | "flags">;

export type MonitorRecord =
  | SampleRecord
  | { kind: "cycle"; seq: number; tMs: number; cycle: CycleSummary }
  | { kind: "boot"; seq: number; tMs: number; restored: boolean; storedAgeS: number; reason: string }
  | { kind: "alarm"; seq: number; tMs: number; id: string; level: string; raised: boolean; value: number }
  | { kind: "ident"; seq: number; fwVersion: string; bundleHash: string; board: string; pack: string }
  | { kind: "reply"; seq: number; id: string; payload: string }
  | { kind: "error"; seq: number; id: string; text: string }
  | { kind: "done"; seq: number; id: string }
  | { kind: "other"; seq: number; type: string };

/** What one line turned out to be. */
export type LineClass =
  | { kind: "telemetry"; record: MonitorRecord }
  | { kind: "rejected"; reason: string }
  | { kind: "noise" };
