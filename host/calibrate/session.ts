/**
 * The interactive two-point calibration of a board's channels over its serial line.
 *
 * Per channel: the user applies a known value (bench supply or current source read by a
 * meter) and types what the meter shows; the tool reads `readings` raw codes (one per board
 * sample) and rejects the point when they spread more than the channel's expected accuracy
 * (the reference or a contact is moving); a second point; `cal CH A1 RAW1 A2 RAW2` (the board
 * applies it and stores it in Storage `zbms.cal`); then a third point, read through the new
 * calibration and compared with the applied value against the channel's calibrated accuracy
 * (channels.ts checkToleranceAt). Last, the pack config on the board is told the cell-voltage
 * accuracy its channels now have (declareVoltageChain).
 *
 * Every question is one line starting with "? " on the output and is answered by one input
 * line, so a program can drive it (tests, lab scripts). "skip" skips the channel.
 */
import type { BoardDef } from "../../shared/config/boardDef";
import type { AdcCalibration } from "../../shared/sensors/calibration";
import type { SensorChainConfig } from "../../shared/config/packConfig";
import { sendBoardCommand } from "../serial/commandAnswer";
import type { LineChannel } from "../serial/replCommand";
import {
  appliedValueProblem,
  channelInfo,
  checkToleranceAt,
  pointPairProblem,
  toleranceAt,
  valueFromRaw,
  type ChannelInfo,
} from "./channels";
import { boardSensorChain, cellsOnEsp32Adc } from "../boardDesign/accuracy";
import { packMaxCellV } from "../boardDesign/packFit";
import { parseConfigReply } from "../monitor/boardConfig";
import { chainShortfalls, describeShortfalls } from "../boardDesign/declaredChain";
import { CALIBRATION_FORMAT, type CalibrationPoint, type CalibrationRecord, type ChainDeclaration, type ChannelCalibration } from "./calibrationFile";
import { readRawAll, readRawCodes } from "./rawReadings";

/** Asks one question (a line) and returns the answer line; says progress lines. */
export interface Prompter {
  ask(question: string): Promise<string>;
  say(text: string): void;
}

export interface CalibrateOptions {
  /** Only this channel ("v0"…, "i"); default all channels of the board. */
  channel?: string;
  /** Raw codes averaged per point (one per board sample). */
  readings: number;
  /** Longest wait for one board answer or sample (ms). */
  timeoutMs: number;
  /** Port path, for the record. */
  port: string;
  /** Board definition for a board id (hardware/boards); throws naming the boards that exist. */
  loadBoard: (id: string) => Promise<BoardDef>;
  now?: () => Date;
}

/** Tries per point before giving up (bad values or unstable readings). */
export const MAX_ATTEMPTS = 5;
/**
 * A reading this far from the typed value (fraction of the channel's range) before calibration
 * is worth a note: far beyond any data-sheet error, so the reference is probably on another
 * channel or the value was mistyped. Engineering choice.
 */
export const SUSPECT_FRAC_OF_RANGE = 0.1;

/** Thrown when the user skips a channel. */
class Skip extends Error {}

/** A failure the user can act on (bad channel, refused value, board refusal). */
export class CalibrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CalibrationError";
  }
}

/** Shortest text of a number for prompts and results (4 significant digits). */
function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

/** Ask until a usable applied value is typed; "skip" skips the channel. */
async function askApplied(p: Prompter, info: ChannelInfo, label: string, suggested: number): Promise<number> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const answer = (await p.ask(`? ${info.name} ${label}: apply about ${fmt(suggested)} ${info.unit} ${info.where}, then type the applied value in ${info.unit} as your meter reads it (or "skip")`)).trim();
    if (answer.toLowerCase() === "skip") throw new Skip();
    const value = answer === "" ? NaN : Number(answer);
    const problem = appliedValueProblem(info, value);
    if (problem === null) return value;
    p.say(`  rejected "${answer}": ${problem}`);
  }
  throw new CalibrationError(`channel ${info.name}, ${label}: no usable value after ${MAX_ATTEMPTS} tries`);
}

/** One measured point: ask for the value, read the codes, reject unstable readings. */
async function measurePoint(ch: LineChannel, p: Prompter, board: BoardDef, info: ChannelInfo, label: string, suggested: number, opts: CalibrateOptions): Promise<CalibrationPoint> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const applied = await askApplied(p, info, label, suggested);
    p.say(`  reading ${opts.readings} samples of ${info.name}…`);
    const r = await readRawCodes(ch, info.name, opts.readings, opts.timeoutMs);
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of r.codes) {
      const v = valueFromRaw(info, undefined, c);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const tol = toleranceAt(board, info, applied);
    if (!(hi - lo <= tol)) {
      p.say(`  rejected: unstable reading, codes ${Math.min(...r.codes)}…${Math.max(...r.codes)} over ${r.codes.length} samples spread ${fmt(hi - lo)} ${info.unit} (more than the channel's accuracy ±${fmt(tol)} ${info.unit}); hold the reference steady and try again`);
      continue;
    }
    const before = valueFromRaw(info, undefined, r.meanCode);
    if (Math.abs(before - applied) > SUSPECT_FRAC_OF_RANGE * (info.maxValue - info.minValue)) {
      p.say(`  note: before calibration ${info.name} reads ${fmt(before)} ${info.unit}, far from the ${fmt(applied)} ${info.unit} typed: is the reference ${info.where}, and the value right? (answer "skip" at the next question to stop this channel)`);
    }
    return { applied, rawCodes: r.codes, rawMean: r.meanCode, boardFileValue: before };
  }
  throw new CalibrationError(`channel ${info.name}, ${label}: no stable reading after ${MAX_ATTEMPTS} tries`);
}

/** A raw mean as a command word (3 decimals are far below one code's worth). */
function rawWord(x: number): string {
  return String(Number(x.toFixed(3)));
}

/** Send one command the board must accept; its reply payload, parsed. */
async function boardReply(ch: LineChannel, words: string[], timeoutMs: number): Promise<Record<string, unknown>> {
  const a = await sendBoardCommand(ch, words, timeoutMs);
  if (a.kind === "error") throw new CalibrationError(`the board refused "${words.join(" ")}": ${a.text}`);
  if (a.kind !== "reply") throw new CalibrationError(`unexpected answer to "${words.join(" ")}": ${JSON.stringify(a)}`);
  return JSON.parse(a.payload) as Record<string, unknown>;
}

async function calibrateChannel(ch: LineChannel, p: Prompter, board: BoardDef, info: ChannelInfo, opts: CalibrateOptions): Promise<ChannelCalibration> {
  p.say(`channel ${info.name} (${info.kind}, reads ${fmt(info.minValue)} to ${fmt(info.maxValue)} ${info.unit})`);
  const p1 = await measurePoint(ch, p, board, info, "point 1/2", info.suggested[0], opts);
  let p2 = await measurePoint(ch, p, board, info, "point 2/2", info.suggested[1], opts);
  for (let attempt = 1; ; attempt++) {
    const problem = pointPairProblem(info, p1.applied, p2.applied);
    if (problem === null) break;
    if (attempt >= MAX_ATTEMPTS) throw new CalibrationError(`channel ${info.name}: ${problem}`);
    p.say(`  rejected point 2: ${problem}`);
    p2 = await measurePoint(ch, p, board, info, "point 2/2", info.suggested[1], opts);
  }
  const words = ["cal", info.name, String(p1.applied), rawWord(p1.rawMean), String(p2.applied), rawWord(p2.rawMean)];
  const applied = (await boardReply(ch, words, opts.timeoutMs)) as unknown as { channel: string; cal: AdcCalibration; persisted: string };
  if (applied.persisted === "pending") {
    // the board coalesces settings writes (one per minute); a calibration is worth writing now
    const s = await sendBoardCommand(ch, ["save"], opts.timeoutMs);
    applied.persisted = s.kind === "reply" && (JSON.parse(s.payload) as { saved?: boolean }).saved === true ? "saved" : "pending (save failed)";
  }
  p.say(`  ${info.name}: calibration applied, ${applied.persisted === "saved" ? "stored on the board" : "NOT stored on the board (" + applied.persisted + ")"}`);
  const c = await measurePoint(ch, p, board, info, "check point", info.suggested[2], opts);
  const reading = valueFromRaw(info, applied.cal, c.rawMean);
  const error = reading - c.applied;
  const tolerance = checkToleranceAt(board, info, c.applied);
  const pass = Math.abs(error) <= tolerance;
  p.say(`  ${info.name} check: applied ${fmt(c.applied)} ${info.unit}, reads ${fmt(reading)} ${info.unit}, error ${error >= 0 ? "+" : ""}${fmt(error)} ${info.unit}, tolerance ±${fmt(tolerance)} ${info.unit}: ${pass ? "PASS" : "FAIL"}`);
  return { channel: info.name, unit: info.unit, points: [p1, p2], cal: applied.cal, persisted: applied.persisted, check: { ...c, reading, error, tolerance, pass } };
}

/**
 * The pack config on the board declares the cell-voltage accuracy its channels now have, so the
 * model weighs relaxed OCV readings by it (shared/soc): per cell, as the board computes it (on
 * tap-wired boards a difference of two taps: boardSensorChain), the calibrated ESP32-ADC chain when every
 * cell channel the firmware reads was calibrated in this run and passed its check, the
 * uncalibrated one when any cell channel's check failed (its stored calibration is not
 * verified), unchanged otherwise (no cell channel calibrated, some skipped, or not ESP32-ADC
 * inputs). One rule, on the host: the firmware keeps no copy of the chain formulas.
 */
async function declareVoltageChain(ch: LineChannel, p: Prompter, board: BoardDef, onBoard: string[], done: ChannelCalibration[], timeoutMs: number): Promise<ChainDeclaration | null> {
  const cells = onBoard.filter((n) => n !== "i");
  const calibrated = done.filter((c) => c.channel !== "i");
  if (calibrated.length === 0) return null;
  const failed = calibrated.some((c) => !c.check.pass);
  const missing = cells.filter((n) => !calibrated.some((c) => c.channel === n));
  if (!cellsOnEsp32Adc(board, cells.length)) return null;
  if (!failed && missing.length > 0) {
    p.say(`cell-voltage accuracy declared on the board unchanged: ${missing.join(", ")} not calibrated in this run (calibrate every cell channel together to declare the calibrated accuracy)`);
    return null;
  }
  // The pack's cells as the board computes them (tap differences), up to its over-voltage alarm limit.
  const cfg = await sendBoardCommand(ch, ["config"], timeoutMs);
  if (cfg.kind !== "reply") throw new CalibrationError(`cannot declare the cell-voltage accuracy: the board did not answer config (${JSON.stringify(cfg)})`);
  const pack = parseConfigReply(cfg.payload);
  const terms = boardSensorChain(board, cells.length, packMaxCellV(pack), !failed);
  // The one rule for declared chains (declaredChain.ts), here with the calibrated floor when every check passed.
  const sent: Partial<SensorChainConfig> = { voltageOffsetV: terms.voltageOffsetV, voltageGainErrFrac: terms.voltageGainErrFrac };
  // A config with per-cell offsets gets them too: the board refuses an entry above voltageOffsetV.
  const onBoardCells = pack.sensorChain.cellVoltageOffsetV;
  const cellTerms = terms.cellVoltageOffsetV;
  if (onBoardCells !== undefined) {
    if (cellTerms === undefined || cellTerms.length !== onBoardCells.length)
      throw new CalibrationError(`cannot declare the cell-voltage accuracy: the board's config has ${onBoardCells.length} per-cell offsets (sensorChain.cellVoltageOffsetV), this run reads ${cells.length} cell channels`);
    sent.cellVoltageOffsetV = cellTerms;
  }
  const short = chainShortfalls(sent, board, pack, !failed);
  if (short.length > 0) throw new CalibrationError(describeShortfalls(short, board, pack, !failed).join("; "));
  let persisted = "";
  for (const [path, value] of chainSetOrder(sent, pack.sensorChain.voltageOffsetV)) {
    persisted = String((await boardReply(ch, ["set", "sensorChain." + path, String(value)], timeoutMs)).persisted);
  }
  if (persisted === "pending") {
    // settings writes are coalesced (one per minute): write this one now, as for a calibration
    persisted = (await boardReply(ch, ["save"], timeoutMs)).saved === true ? "saved" : "pending (save failed)";
  }
  p.say(
    `cell-voltage accuracy declared on the board: ${failed ? "uncalibrated (a check failed)" : "calibrated"} ESP32 ADC, ` +
      `offset ±${fmt(terms.voltageOffsetV * 1000)} mV, gain ±${fmt(terms.voltageGainErrFrac * 100)} % (${persisted})`,
  );
  const out: ChainDeclaration = { calibrated: !failed, voltageOffsetV: terms.voltageOffsetV, voltageGainErrFrac: terms.voltageGainErrFrac, persisted };
  if (sent.cellVoltageOffsetV !== undefined) out.cellVoltageOffsetV = sent.cellVoltageOffsetV;
  return out;
}

/**
 * The `set sensorChain.*` paths and values of `sent`, in an order the board accepts one at a
 * time (each per-cell offset ≤ voltageOffsetV, validateConfig): when the worst-cell offset
 * falls below the board's `boardOffsetV`, the per-cell entries go first; otherwise after it.
 */
export function chainSetOrder(sent: Partial<SensorChainConfig>, boardOffsetV: number): [string, number][] {
  const terms: [string, number][] = [];
  if (sent.voltageOffsetV !== undefined) terms.push(["voltageOffsetV", sent.voltageOffsetV]);
  if (sent.voltageGainErrFrac !== undefined) terms.push(["voltageGainErrFrac", sent.voltageGainErrFrac]);
  const cells: [string, number][] = (sent.cellVoltageOffsetV ?? []).map((v, k) => ["cellVoltageOffsetV." + k, v]);
  return sent.voltageOffsetV !== undefined && sent.voltageOffsetV < boardOffsetV ? cells.concat(terms) : terms.concat(cells);
}

/** Run the whole calibration; returns the record (the caller writes it). */
export async function runCalibration(ch: LineChannel, p: Prompter, opts: CalibrateOptions): Promise<CalibrationRecord> {
  const now = opts.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const id = await sendBoardCommand(ch, ["ident"], opts.timeoutMs);
  if (id.kind !== "ident") throw new CalibrationError(`the board did not identify itself: ${JSON.stringify(id)}`);
  const board = await opts.loadBoard(id.board);
  // The channels this firmware reads: its `raw` reply (a pack may use fewer voltage channels than the board has).
  let onBoard: string[];
  try {
    onBoard = Object.keys(await readRawAll(ch, opts.timeoutMs)).filter((n) => n === "i" || /^v\d+$/.test(n));
  } catch (e) {
    throw new CalibrationError((e as Error).message);
  }
  let names = onBoard;
  if (opts.channel !== undefined) {
    if (onBoard.indexOf(opts.channel) < 0) throw new CalibrationError(`unknown channel "${opts.channel}" on board ${board.id}; accepted: ${onBoard.join(", ")}`);
    names = [opts.channel];
  }
  p.say(`zbms calibrate: board ${board.id}, firmware ${id.fwVersion} (${id.bundleHash}), channels ${names.join(", ")}`);
  const channels: ChannelCalibration[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const info = channelInfo(board, name);
    try {
      channels.push(await calibrateChannel(ch, p, board, info, opts));
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
      p.say(`  ${name}: skipped`);
      skipped.push(name);
    }
  }
  const declared = await declareVoltageChain(ch, p, board, onBoard, channels, opts.timeoutMs);
  return {
    format: CALIBRATION_FORMAT,
    board: board.id,
    firmware: { version: id.fwVersion, bundleHash: id.bundleHash },
    port: opts.port,
    startedAt,
    finishedAt: now().toISOString(),
    readingsPerPoint: opts.readings,
    channels,
    skipped,
    allPassed: channels.every((c) => c.check.pass),
    declared,
  };
}
