/**
 * `zbms build`'s check of the pack's declared sensor chain against its board
 * (host/boardDesign/declaredChain.ts, the one rule): every term at least the board's data-sheet
 * worst case for the pack's cells (on tap-wired boards a cell is a difference of two taps), or — with `--calibration <record>`, the JSON `zbms calibrate` wrote for a board of
 * this type after calibrating and checking every cell channel the pack uses — at least the
 * calibrated ESP32-ADC cell-voltage terms. Returns the error text, or null when the chain is allowed.
 */
import { readFile } from "node:fs/promises";
import type { BoardDef } from "../../shared/config/boardDef";
import type { PackConfig } from "../../shared/config/packConfig";
import { chainShortfalls, describeShortfalls } from "../boardDesign/declaredChain";
import { CALIBRATION_FORMAT, type CalibrationRecord } from "../calibrate/calibrationFile";

export async function declaredChainProblem(board: BoardDef, pack: PackConfig, packFile: string, calibrationFile: string | undefined): Promise<string | null> {
  let calibrated = false;
  if (calibrationFile !== undefined) {
    const why = await calibrationRecordProblem(board, pack.cellCount, calibrationFile);
    if (why !== null) return `--calibration ${calibrationFile}: ${why}`;
    calibrated = true;
  }
  const short = chainShortfalls(pack.sensorChain, board, pack, calibrated);
  if (short.length === 0) return null;
  const fix = calibrated
    ? "declare at least these values"
    : `declare at least the board's values (hardware/generated/${board.id}.md, boardSensorChain in host/boardDesign/accuracy.ts)` +
      `, or on an ESP32-ADC board run \`zbms calibrate\` and build with --calibration <its record> to declare the calibrated cell-voltage terms`;
  return `${packFile}: the declared sensor chain is better than the board delivers, so its CE bounds and SOC weights would be too tight:\n  ` +
    describeShortfalls(short, board, pack, calibrated).join("\n  ") + `\n${fix}`;
}

/** Why a calibration record does not vouch for the calibrated chain of `cellCount` cells on `board` (null = it does). */
export async function calibrationRecordProblem(board: BoardDef, cellCount: number, file: string): Promise<string | null> {
  let rec: Partial<CalibrationRecord>;
  try {
    rec = JSON.parse(await readFile(file, "utf8")) as Partial<CalibrationRecord>;
  } catch (e) {
    return `cannot read it as JSON (${(e as Error).message})`;
  }
  if (rec === null || typeof rec !== "object" || rec.format !== CALIBRATION_FORMAT) return `not a zbms calibrate record (format ${JSON.stringify(rec && rec.format)}, expected "${CALIBRATION_FORMAT}")`;
  if (rec.board !== board.id) return `a calibration of board ${JSON.stringify(rec.board)}, not ${board.id}`;
  if (!rec.declared || rec.declared.calibrated !== true) return "this run did not declare the calibrated chain (a cell channel was skipped or failed its check)";
  const channels = Array.isArray(rec.channels) ? rec.channels : [];
  for (let k = 0; k < cellCount; k++) {
    const c = channels.find((x) => x && x.channel === "v" + k);
    if (!c || !c.check || c.check.pass !== true) return `cell channel v${k} is not calibrated and checked in it`;
  }
  return null;
}
