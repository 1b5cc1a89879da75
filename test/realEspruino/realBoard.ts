/**
 * zbms firmware bundles on the real Espruino 2v29 interpreter (tools/espruino): bundles built
 * once per process, a board booted from Storage as `zbms flash` leaves it (`.bootcde`, with the
 * stand-in chips in `.boot0`, tools/espruino/standIns.ts) or from a RAM script, its telemetry
 * decoded, commands sent the way `zbms send` types them, and any error text it printed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware, defaultPackFor, loadBoard, loadPack } from "../../host/bundle/buildFirmware";
import { formatCommandCall, replLine } from "../../host/serial/replCommand";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import type { TelemetryRecord } from "../../shared/telemetry/records";
import type { PackState } from "../../host/virtualBoard/frontEnd";
import { realEspruino, type RealEspruino } from "../../tools/espruino/interpreters";
import { EspruinoProcess, type EspruinoVariant } from "../../tools/espruino/process";
import { writeFlashFolder } from "../../tools/espruino/flashImage";
import { restingPack, standInPrelude } from "../../tools/espruino/standIns";

export const found = realEspruino();
export const skipReason = found.ok ? "" : ` (skipped: ${found.reason})`;

export function espruino(): RealEspruino {
  if (!found.ok) throw new Error(found.reason);
  return found.espruino;
}

export const BOARD_IDS = ["esp32-ads1115", "esp32-ina226", "esp32-adc"];

const bundles = new Map<string, Promise<string>>();
/** The bundle of `boardId` with its default pack (built once per process; subset findings fail it). */
export function boardBundle(boardId: string): Promise<string> {
  let p = bundles.get(boardId);
  if (!p) {
    p = buildFirmware({ board: boardId, pack: defaultPackFor(boardId), write: false }).then((r) => {
      if (r.findings.length > 0) throw new Error(`${boardId}: subset findings ${JSON.stringify(r.findings)}`);
      return r.code;
    });
    bundles.set(boardId, p);
  }
  return p;
}

/** The stand-in chips for `boardId` reading a resting pack of its default pack's cell count (or `state`). */
export async function preludeFor(boardId: string, state?: PackState): Promise<string> {
  const board = await loadBoard(boardId);
  const pack = (await loadPack(defaultPackFor(boardId))) as unknown as { cellCount: number };
  return standInPrelude(board, state ?? restingPack(pack.cellCount, board.temps.length));
}

/** What the console shows before a line's text: the REPL prompt and its clear-line escape. */
const PROMPT_PREFIX = /^(?:>|\x1b\[J)+/;
/** Text that means something went wrong on the interpreter (Espruino's own messages). */
const ESPRUINO_ERROR = /Uncaught|ERROR|OUT OF MEMORY|Out of Memory|New interpreter error|Execution Interrupted|not defined|is not a function/;

export interface SeqRecord {
  seq: number;
  record: TelemetryRecord;
  line: string;
}

export interface RealBoardOptions {
  variant: EspruinoVariant;
  poolJsVars?: number;
  /** Folder holding espruino.flash (a restart reuses it). */
  cwd: string;
  /** RAM script to run instead of booting from Storage. */
  scriptPath?: string;
}

/** One running interpreter with a zbms bundle, its telemetry decoded as it arrives. */
export class RealBoard {
  readonly proc: EspruinoProcess;
  readonly records: SeqRecord[] = [];
  private seen = 0;

  constructor(readonly opts: RealBoardOptions) {
    this.proc = new EspruinoProcess(espruino(), { variant: opts.variant, poolJsVars: opts.poolJsVars, cwd: opts.cwd, scriptPath: opts.scriptPath });
  }

  /** Output lines with the prompt stripped. */
  lines(): string[] {
    return this.proc.lines.map((l) => l.replace(PROMPT_PREFIX, ""));
  }

  private collect(): void {
    const all = this.proc.lines;
    for (; this.seen < all.length; this.seen++) {
      const raw = all[this.seen]!;
      const at = raw.lastIndexOf("#Z");
      if (at < 0) continue;
      const line = raw.slice(at);
      const d = decodeLine(line);
      if (d.ok) this.records.push({ seq: d.seq, record: d.record, line });
    }
  }

  /** Waits for a telemetry record (from index `from` of `records`) that `test` accepts. */
  async waitRecord(test: (r: SeqRecord) => boolean, timeoutMs: number, from = 0): Promise<SeqRecord> {
    const find = (): SeqRecord | undefined => {
      this.collect();
      return this.records.slice(from).find(test);
    };
    const now = find();
    if (now) return now;
    await this.proc.waitFor((line) => line.includes("#Z") && find() !== undefined, timeoutMs);
    return find()!;
  }

  /** Types `zbms(...)` as `zbms send` does (echo off) and waits for the reply/error/ident carrying `id`. */
  async command(words: string[], timeoutMs: number): Promise<SeqRecord> {
    const id = words[0]!.includes("#") ? words[0]!.split("#")[1]! : words[0]!;
    this.collect();
    const n = this.records.length;
    this.proc.write(replLine(formatCommandCall(words)));
    return this.waitRecord((r) => {
      const rec = r.record as { type: string; id?: string };
      return rec.type === "reply" || rec.type === "error" ? rec.id === id : rec.type === "ident" || rec.type === "done";
    }, timeoutMs, n);
  }

  /** `process.memory()` as the interpreter reports it now. */
  async memory(timeoutMs: number): Promise<{ usage: number; total: number; free: number }> {
    const from = this.proc.lines.length;
    this.proc.write(replLine('print("ZMEM", JSON.stringify(process.memory()))'));
    const line = await this.proc.waitFor((l) => l.includes("ZMEM {"), timeoutMs, from);
    return JSON.parse(line.slice(line.indexOf("{"))) as { usage: number; total: number; free: number };
  }

  /** Espruino error messages and firmware error lines printed so far. */
  errorText(): string[] {
    this.collect();
    const out = this.lines().filter((l) => ESPRUINO_ERROR.test(l));
    for (const r of this.records) if (r.record.type === "error") out.push(r.line);
    return out;
  }

  kill(): Promise<void> {
    return this.proc.kill();
  }
}

/** A fresh folder whose Storage holds the stand-in chips and the board bundle (as `zbms flash` leaves it). */
export async function flashedFolder(boardId: string, state?: PackState): Promise<string> {
  return writeFlashFolder(espruino(), { ".boot0": await preludeFor(boardId, state), ".bootcde": await boardBundle(boardId) });
}

/** A temporary folder the caller removes with `removeFolder`. */
export function tempFolder(): string {
  return mkdtempSync(join(tmpdir(), "zbms-real-"));
}

export function removeFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A fresh folder whose Storage holds exactly `files`. */
export function writeFlashFolderFor(files: Record<string, string>): Promise<string> {
  return writeFlashFolder(espruino(), files);
}
