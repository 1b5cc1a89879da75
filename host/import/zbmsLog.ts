/**
 * zbms raw log (written by `zbms monitor`, host/monitor/rawLog.ts): every line the board
 * printed, verbatim, plus `#zbms-monitor {json}` notes. Telemetry lines are decoded with the
 * shared codec (shared/telemetry/lineFormat.ts); each valid `status` line becomes one record
 * with per-cell voltages and all temperatures. Lines that are not telemetry (REPL echo) are
 * ignored; telemetry lines that fail their CRC, are malformed or hold a value outside its
 * physical bounds (shared/telemetry/fieldBounds.ts) are skipped and counted.
 *
 * Time: the board clock restarts at a reboot (a `boot` line follows). The importer keeps a
 * continuous test time by continuing from the last status time plus one second, and marks
 * the first record after a boot that restored the model state (`restored` = 1), so the
 * replayed cycle carries CYCLE_FLAG_RESTORED.
 */
import { readCsv } from "./csvStream";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import { implausibleRecord } from "../../shared/telemetry/fieldBounds";
import { NOTE_PREFIX } from "../monitor/rawLog";
import { newRecord, newStats, noteSkip, type ImportedRecord, type Importer, type ImportStats, type ProgressFn } from "./record";
import { MS_PER_S } from "../../shared/units";

/** A byte that never occurs in a text line: makes the CSV tokenizer hand out whole lines. */
const NO_DELIMITER = 0;
/** Time assumed between the last status before a reboot and the first after it (ms). */
export const REBOOT_GAP_MS = 1000;

function isZbmsHead(head: string[][]): boolean {
  for (const line of head) {
    const text = line.join(",");
    if (text.startsWith(NOTE_PREFIX.trim()) || text.indexOf("#Z1,") >= 0) return true;
  }
  return false;
}

export const zbmsLogImporter: Importer = {
  format: "zbms-log",
  description: "zbms raw log",
  expected: ['telemetry lines "#Z1,<seq>,S,…*<crc>"', `or monitor notes "${NOTE_PREFIX}{…}"`],
  detect: isZbmsHead,
  read: readZbmsLog,
};

async function readZbmsLog(path: string, onRecord: (r: ImportedRecord) => void, onProgress?: ProgressFn): Promise<ImportStats> {
  const stats = newStats();
  const rec = newRecord();
  let offsetMs = 0;
  let lastBoardMs = NaN;
  let lastTMs = NaN;
  let pendingRestored = 0;
  await readCsv(
    path,
    (row) => {
      const line = row.str(0);
      if (line.startsWith(NOTE_PREFIX)) return;
      const d = decodeLine(line);
      if (!d.ok) {
        if (d.reason !== "notTelemetry") noteSkip(stats, `line ${row.lineNo}: ${d.reason}: ${d.detail}`);
        return;
      }
      const bad = implausibleRecord(d.record);
      if (bad !== null) {
        noteSkip(stats, `line ${row.lineNo}: implausible: ${bad}`);
        return;
      }
      const r = d.record;
      if (r.type === "boot") {
        if (r.restored) pendingRestored = 1;
        return;
      }
      if (r.type !== "status") return;
      if (lastBoardMs === lastBoardMs && r.tMs < lastBoardMs) {
        // Board clock restarted: continue the test time from where it was.
        offsetMs = lastTMs + REBOOT_GAP_MS - r.tMs;
      }
      lastBoardMs = r.tMs;
      const tMs = r.tMs + offsetMs;
      lastTMs = tMs;
      rec.line = row.lineNo;
      rec.tS = tMs / MS_PER_S;
      rec.cellsV = r.cellV;
      let sum = 0;
      for (let i = 0; i < r.cellV.length; i++) sum += r.cellV[i];
      rec.voltageV = sum;
      rec.currentA = r.currentA;
      rec.tempsC = r.tempC;
      rec.tempC = r.tempC.length > 0 ? r.tempC[0] : NaN;
      rec.restored = pendingRestored;
      pendingRestored = 0;
      stats.records++;
      onRecord(rec);
    },
    {
      delimiter: NO_DELIMITER,
      ...(onProgress ? { onProgress: (done: number, total: number) => onProgress(total > 0 ? done / total : 1) } : {}),
    },
  );
  return stats;
}
