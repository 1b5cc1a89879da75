/**
 * Telemetry record types: what one telemetry line carries, as typed plain objects.
 * Units are in the field names (SI, + current = charge); the resolution each field keeps on
 * the wire is listed in lineFormat.ts and docs/protocol.md.
 *
 * API: the record interfaces, the union `TelemetryRecord`, `TelemetryType`, and
 * `recordFromEvent(ev)` which turns a model event (shared/model/events.ts) into its record
 * (the firmware prints model events with it; returns null for an event with no line).
 */
import type { CycleRecord, ModelEvent, RestRecord } from "../model/events";
import type { AlarmLevel } from "../config/packConfig";

/** Live state, sent at the telemetry rate. */
export interface StatusLine {
  type: "status";
  /** Board time (ms). */
  tMs: number;
  /** Per-cell voltage (V), cell 0 at the pack's negative end; NaN = invalid channel. */
  cellV: number[];
  /** Pack current (A), + = charge; NaN = invalid. */
  currentA: number;
  /** Temperatures (°C), one per NTC; NaN = invalid. */
  tempC: number[];
  /** Per-cell state of charge (fraction 0…1). */
  socFrac: number[];
  /** Segment code: 0 rest, 1 charge, 2 discharge (SEG_* in events.ts). */
  segment: number;
  /** Completed cycles so far. */
  cycleCount: number;
  /** Active alarms, bit i = alarm i in the alarm module's id order (see docs/protocol.md). */
  alarmMask: number;
  /** CE of the last completed cycle (fraction), NaN before the first. */
  lastCe: number;
  /** Half-width of its uncertainty interval (fraction). */
  lastCeBound: number;
  /** EE of the last completed cycle (fraction). */
  lastEe: number;
  /** Status flags bitmask (model-defined; see docs/protocol.md). */
  flags: number;
}

export interface CycleLine {
  type: "cycle";
  tMs: number;
  cycle: CycleRecord;
}

export interface RestLine {
  type: "rest";
  tMs: number;
  rest: RestRecord;
}

/** Retention after a rest that followed a charge. */
export interface RetentionLine {
  type: "retention";
  tMs: number;
  restIndex: number;
  /** Discharge capacity after the rest / charge capacity before it (fraction). */
  retention: number;
  /** Calendar-loss share so far (fraction). */
  rcld: number;
  /** Charge lost to the rest, counted (Ah; shared/model/events.ts "retention"). */
  chargeLostAh: number;
}

export interface AlarmLine {
  type: "alarm";
  tMs: number;
  /** Alarm id (an `AlarmId`, e.g. "cellOverVoltage"). */
  id: string;
  level: AlarmLevel;
  /** true = raised, false = cleared. */
  raised: boolean;
  /** The watched value at the change, in the alarm's unit. */
  value: number;
}

export interface GapLine {
  type: "gap";
  tMs: number;
  /** The time step that was not integrated blindly (ms). */
  dtMs: number;
}

export interface SegmentLine {
  type: "segment";
  tMs: number;
  from: number;
  to: number;
}

/** Adams' Zn reservoir CE result. */
export interface AdamsLine {
  type: "adams";
  tMs: number;
  ce: number;
  ceBound: number;
}

export interface BootLine {
  type: "boot";
  tMs: number;
  /** true when the model state was restored from a stored copy. */
  restored: boolean;
  /** Age of that stored copy (s) at boot; NaN when none was found. */
  storedAgeS: number;
  /** Why the board (re)started or why nothing was restored, free text. */
  reason: string;
}

/** A command's answer. */
export interface ReplyLine {
  type: "reply";
  /** The command id the host sent. */
  id: string;
  /** Answer text (JSON or plain), any characters. */
  payload: string;
}

/** A command or driver error. */
export interface ErrorLine {
  type: "error";
  /** Command id, or the driver/source name; may be empty. */
  id: string;
  text: string;
}

export interface IdentLine {
  type: "ident";
  fwVersion: string;
  bundleHash: string;
  board: string;
  pack: string;
}

/** End of a multi-line answer or of a run (`id` = the command id, may be empty). */
export interface DoneLine {
  type: "done";
  id: string;
}

export type TelemetryRecord =
  | StatusLine
  | CycleLine
  | RestLine
  | RetentionLine
  | AlarmLine
  | GapLine
  | SegmentLine
  | AdamsLine
  | BootLine
  | ReplyLine
  | ErrorLine
  | IdentLine
  | DoneLine;

export type TelemetryType = TelemetryRecord["type"];

/** The line for a model event (the event's objects are referenced, not copied). */
export function recordFromEvent(ev: ModelEvent): TelemetryRecord | null {
  switch (ev.kind) {
    case "cycle":
      return { type: "cycle", tMs: ev.tMs, cycle: ev.cycle };
    case "rest":
      return { type: "rest", tMs: ev.tMs, rest: ev.rest };
    case "retention":
      return { type: "retention", tMs: ev.tMs, restIndex: ev.restIndex, retention: ev.retention, rcld: ev.rcld, chargeLostAh: ev.chargeLostAh };
    case "alarm":
      return { type: "alarm", tMs: ev.tMs, id: ev.id, level: ev.level, raised: ev.raised, value: ev.value };
    case "segment":
      return { type: "segment", tMs: ev.tMs, from: ev.from, to: ev.to };
    case "gap":
      return { type: "gap", tMs: ev.tMs, dtMs: ev.dtMs };
    case "adams":
      return { type: "adams", tMs: ev.tMs, ce: ev.ce, ceBound: ev.ceBound };
  }
  return null;
}
