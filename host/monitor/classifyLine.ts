/**
 * Tell telemetry from REPL noise, and good telemetry from damaged telemetry, with the shared
 * line format's decoder (shared/telemetry/lineFormat.ts, docs/protocol.md):
 * - no `#Z` marker → console noise (REPL echo, prompt, `print` output, error traces);
 * - a marker but a bad CRC, an unknown version or malformed fields, or a field outside its
 *   physical bounds (shared/telemetry/fieldBounds.ts) → a rejected line, counted;
 * - otherwise the decoded record, mapped onto the monitor's few shapes (monitorRecord.ts);
 *   text fields hold the board's bytes, read back as the UTF-8 the host sent (`boardText`).
 */
import { decodeLine, SEQ_MODULUS } from "../../shared/telemetry/lineFormat";
import { implausibleRecord } from "../../shared/telemetry/fieldBounds";
import type { TelemetryRecord } from "../../shared/telemetry/records";
import type { LineClass, MonitorRecord } from "./monitorRecord";
import { boardText } from "../serial/replCommand";

/** Sequence numbers wrap here (re-exported for the session). */
export const TELEMETRY_SEQ_MODULUS = SEQ_MODULUS;

/**
 * A reply payload (JSON the board wrote) with raw control characters escaped: the board's JSON
 * writer leaves user text's control bytes as they are (cheaper on the board), and outside
 * strings its JSON has none, so escaping them all makes the text parse.
 */
export function jsonControlEscaped(json: string): string {
  return json.replace(/[\x00-\x1f]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** The monitor's shape of one decoded record. */
export function toMonitorRecord(seq: number, rec: TelemetryRecord): MonitorRecord {
  switch (rec.type) {
    case "status":
      return {
        kind: "sample",
        seq,
        tMs: rec.tMs,
        cellV: rec.cellV,
        currentA: rec.currentA,
        tempC: rec.tempC,
        socFrac: rec.socFrac,
        segment: rec.segment,
        cycleIndex: rec.cycleCount + 1,
        alarmMask: rec.alarmMask,
        lastCe: rec.lastCe,
        lastCeBound: rec.lastCeBound,
        lastEe: rec.lastEe,
      };
    case "cycle":
      return {
        kind: "cycle",
        seq,
        tMs: rec.tMs,
        cycle: {
          index: rec.cycle.index,
          chargeAh: rec.cycle.chargeAh,
          dischargeAh: rec.cycle.dischargeAh,
          chargeWh: rec.cycle.chargeWh,
          dischargeWh: rec.cycle.dischargeWh,
          ce: rec.cycle.ce,
          ceBound: rec.cycle.ceBound,
          ee: rec.cycle.ee,
          flags: rec.cycle.flags,
        },
      };
    case "boot":
      return { kind: "boot", seq, tMs: rec.tMs, restored: rec.restored, storedAgeS: rec.storedAgeS, reason: boardText(rec.reason) };
    case "alarm":
      return { kind: "alarm", seq, tMs: rec.tMs, id: rec.id, level: rec.level, raised: rec.raised, value: rec.value };
    case "ident":
      return { kind: "ident", seq, fwVersion: rec.fwVersion, bundleHash: rec.bundleHash, board: boardText(rec.board), pack: boardText(rec.pack) };
    case "reply":
      return { kind: "reply", seq, id: rec.id, payload: jsonControlEscaped(boardText(rec.payload)) };
    case "error":
      return { kind: "error", seq, id: rec.id, text: boardText(rec.text) };
    case "done":
      return { kind: "done", seq, id: rec.id };
    default:
      return { kind: "other", seq, type: rec.type };
  }
}

export function classifyLine(line: string): LineClass {
  const d = decodeLine(line);
  if (d.ok) {
    // a good CRC says the line arrived as sent, not that it means anything physical
    const bad = implausibleRecord(d.record);
    if (bad !== null) return { kind: "rejected", reason: `implausible: ${bad}` };
    return { kind: "telemetry", record: toMonitorRecord(d.seq, d.record) };
  }
  if (d.reason === "notTelemetry") return { kind: "noise" };
  return { kind: "rejected", reason: `${d.reason}: ${d.detail}` };
}
