/**
 * The real firmware bundle on a virtual board, in this process: built once per process,
 * installed as boot code (as `zbms flash` does), and helpers to read what the board printed
 * and to call its `zbms(...)` command entry point the way `zbms send` formats it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildFirmware, REPO_ROOT } from "../../host/bundle/buildFirmware";
import { VirtualBoard, BOOTCODE_FILE } from "../../host/virtualBoard/virtualBoard";
import type { PackSource } from "../../host/virtualBoard/frontEnd";
import type { BoardDef } from "../../shared/config/boardDef";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import type { TelemetryRecord } from "../../shared/telemetry/records";
import { formatCommandCall } from "../../host/serial/replCommand";

/** The firmware bundle for `boardId` + the default pack (built once per process per board). */
const codeByBoard = new Map<string, Promise<string>>();
export function firmwareCode(boardId = "esp32-ads1115"): Promise<string> {
  let p = codeByBoard.get(boardId);
  if (!p) {
    p = buildFirmware({ write: false, board: boardId }).then((r) => r.code);
    codeByBoard.set(boardId, p);
  }
  return p;
}

export function boardDef(id: string): BoardDef {
  return JSON.parse(readFileSync(join(REPO_ROOT, "hardware", "boards", `${id}.json`), "utf8")) as BoardDef;
}

export interface FirmwareBoardOptions {
  boardId?: string;
  pack?: PackSource;
  storagePath?: string;
}

/** A powered virtual board whose boot code is the firmware bundle (booted once already). */
export async function startFirmwareBoard(opts: FirmwareBoardOptions = {}): Promise<VirtualBoard> {
  const boardId = opts.boardId ?? "esp32-ads1115";
  const code = await firmwareCode(boardId);
  const board = new VirtualBoard({ board: boardDef(boardId), pack: opts.pack, storagePath: opts.storagePath });
  board.storage.write(BOOTCODE_FILE, new Uint8Array(Buffer.from(code, "latin1")), undefined, undefined);
  board.powerCycle();
  return board;
}

/** A decoded telemetry line with its sequence number. */
export interface SeqRecord {
  seq: number;
  record: TelemetryRecord;
  line: string;
}

/** Collects every telemetry line the board prints (from its console output, before any link). */
export class TelemetryTap {
  readonly records: SeqRecord[] = [];
  /** Console bytes seen. */
  bytes = 0;
  private rest = "";
  private readonly off: () => void;

  constructor(board: VirtualBoard) {
    this.off = board.onOutput((t) => this.feed(t));
  }

  feed(text: string): void {
    this.bytes += text.length;
    const parts = (this.rest + text).split("\n");
    this.rest = parts.pop()!;
    for (const p of parts) {
      const line = p.endsWith("\r") ? p.slice(0, -1) : p;
      const d = decodeLine(line);
      if (d.ok) this.records.push({ seq: d.seq, record: d.record, line: line.slice(line.lastIndexOf("#Z")) });
    }
  }

  /** Records of one type since index `from`. */
  ofType<T extends TelemetryRecord["type"]>(type: T, from = 0): Extract<TelemetryRecord, { type: T }>[] {
    return this.records.slice(from).map((r) => r.record).filter((r): r is Extract<TelemetryRecord, { type: T }> => r.type === type);
  }

  dispose(): void {
    this.off();
  }
}

/**
 * Type a command at the board's REPL as `zbms send` would (`formatCommandCall(words)`) and
 * return the telemetry records it printed synchronously.
 */
export function sendWords(board: VirtualBoard, tap: TelemetryTap, words: string[]): SeqRecord[] {
  const from = tap.records.length;
  board.evaluate(formatCommandCall(words));
  return tap.records.slice(from);
}

/** `zbms("status#id")` → the parsed JSON payload of its reply. */
export function boardStatus(board: VirtualBoard, tap: TelemetryTap): Record<string, unknown> {
  const recs = sendWords(board, tap, ["status#rel"]);
  const r = recs.find((x) => x.record.type === "reply");
  if (!r || r.record.type !== "reply") throw new Error(`status: no reply; got ${recs.map((x) => x.line).join(" | ")}`);
  return JSON.parse(r.record.payload) as Record<string, unknown>;
}

/** The status alarmMask bit value of alarm row `id` in the board's own config (bit i = row i, docs/protocol.md). */
export function alarmBit(board: VirtualBoard, tap: TelemetryTap, id: string): number {
  const r = sendWords(board, tap, ["get#alarms", "alarms"]).find((x) => x.record.type === "reply");
  if (!r || r.record.type !== "reply") throw new Error("get alarms: no reply");
  const rows = (JSON.parse(r.record.payload) as { value: { id: string }[] }).value;
  const i = rows.findIndex((x) => x.id === id);
  if (i < 0) throw new Error(`no alarm row "${id}" in the board's config`);
  return 2 ** i;
}
