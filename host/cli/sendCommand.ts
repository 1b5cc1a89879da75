/** `zbms send --port P <command…>`: one call of the firmware's entry point, its answer printed. */
import type { Command } from "commander";
import { sendBoardCommand, type CommandAnswer } from "../serial/commandAnswer";
import { openLineChannel } from "../serial/lineChannel";
import { DEFAULT_REPLY_TIMEOUT_MS } from "../serial/replCommand";
import type { LineChannel } from "../serial/replCommand";
import { loadBoard } from "../bundle/buildFirmware";
import { calibrationRecordProblem } from "../bundle/packChain";
import { chainFloor, chainShortfalls, describeShortfalls } from "../boardDesign/declaredChain";
import { parseConfigReply } from "../monitor/boardConfig";
import type { SensorChainConfig } from "../../shared/config/packConfig";
import { CliError, EXIT_FAILED } from "./cliErrors";
import { parsePortPath, parsePositiveNumber } from "./options";

export interface SendFlags {
  port: string;
  timeout?: number;
  json?: boolean;
  calibration?: string;
}

export function registerSend(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  program
    .command("send")
    .description("send one command to the board's entry point zbms(…) and print its answer")
    .requiredOption("-p, --port <path>", "serial port of the board", parsePortPath)
    .option("-t, --timeout <s>", `seconds to wait for the answer (default ${DEFAULT_REPLY_TIMEOUT_MS / 1000})`, parsePositiveNumber)
    .option("--json", "print the answer as one JSON object")
    .option("--calibration <file>", "set sensorChain.*: a `zbms calibrate` record of this board, allowing the calibrated ESP32-ADC cell-voltage terms")
    .argument("<command...>", "a firmware command and its arguments, e.g. ident, status, get PATH, set PATH VALUE, cycles (`help` lists what the board accepts)")
    .addHelpText(
      "after",
      "\nEach word becomes one argument (numbers and true/false stay typed):\n" +
        "  zbms send --port /dev/ttyUSB0 status\n  zbms send --port /dev/ttyUSB0 set samplePeriodMs 2000\n",
    )
    .action((words: string[], flags: SendFlags) => run(() => sendCommand(words, flags)));
}

/**
 * A reply's payload for a person. The firmware writes numbers as exact decimal mantissa and
 * exponent (`237333333e-9`, shared/telemetry/fieldText.ts encodeSig): valid JSON, but hard to
 * read. A JSON payload is re-printed with plain decimals (0.237333333), objects indented; any
 * other text is printed as it came.
 */
export function readablePayload(payload: string): string {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return payload;
  }
  return typeof v === "object" && v !== null ? JSON.stringify(v, null, 2) : JSON.stringify(v);
}

/** One answer as the text printed for a person. */
export function formatAnswer(a: CommandAnswer): string {
  switch (a.kind) {
    case "reply":
      return readablePayload(a.payload);
    case "error":
      return `error: ${a.text}`;
    case "ident":
      return `firmware ${a.fwVersion}, bundle ${a.bundleHash}, board ${a.board}, pack ${a.pack}`;
    case "cycles":
      return a.cycles.length === 0
        ? "no completed cycles yet"
        : a.cycles
            .map((c) => `cycle ${c.index}: CE ${(c.ce * 100).toFixed(3)} % ± ${(c.ceBound * 100).toFixed(3)} %, EE ${(c.ee * 100).toFixed(2)} %, ${c.chargeAh.toFixed(4)} Ah in, ${c.dischargeAh.toFixed(4)} Ah out`)
            .join("\n");
  }
}

/**
 * `set sensorChain.FIELD VALUE` must pass the rule `zbms build` applies (host/boardDesign/
 * declaredChain.ts) for the board and pack on the line (asked with `ident` and `config`); the
 * calibrated ESP32-ADC cell-voltage floor only with a `zbms calibrate` record. Returns why not, or null.
 */
export async function chainSetProblem(ch: LineChannel, words: string[], timeoutMs: number, calibrationFile?: string): Promise<string | null> {
  const m = words[0] === "set" && words.length === 3 ? /^sensorChain\.(\w+)(?:\.(\d+))?$/.exec(words[1]!) : null;
  if (m === null) return null;
  // one entry of a per-cell list (sensorChain.cellVoltageOffsetV.2), or a scalar term
  if ((m[2] !== undefined) !== (m[1] === "cellVoltageOffsetV")) return null; // the board refuses it itself
  const value = Number(words[2]);
  if (!Number.isFinite(value)) return null; // the board refuses it itself, quoting it
  const id = await sendBoardCommand(ch, ["ident"], timeoutMs);
  const cfg = await sendBoardCommand(ch, ["config"], timeoutMs);
  if (id.kind !== "ident" || cfg.kind !== "reply") return `cannot check the sensor chain: the board did not answer ident and config (${id.kind}, ${cfg.kind})`;
  let board;
  try {
    board = await loadBoard(id.board);
  } catch (e) {
    return `cannot check the sensor chain: ${(e as Error).message}`;
  }
  const pack = parseConfigReply(cfg.payload);
  const cellCount = pack.cellCount;
  if (!(m[1]! in chainFloor(board, pack, false))) return null; // not a chain term: the board refuses it
  let calibrated = false;
  if (calibrationFile !== undefined) {
    const why = await calibrationRecordProblem(board, cellCount, calibrationFile);
    if (why !== null) return `--calibration ${calibrationFile}: ${why}`;
    calibrated = true;
  }
  const entries: number[] = [];
  if (m[2] !== undefined) entries[Number(m[2])] = value;
  const declared = (m[2] !== undefined ? { [m[1]!]: entries } : { [m[1]!]: value }) as Partial<SensorChainConfig>;
  const short = chainShortfalls(declared, board, pack, calibrated);
  if (short.length === 0) return null;
  return describeShortfalls(short, board, pack, calibrated).join("; ") +
    (calibrated ? "" : "; after `zbms calibrate` of every cell channel, pass its record with --calibration to set the calibrated cell-voltage terms");
}

export async function sendCommand(words: string[], flags: SendFlags): Promise<void> {
  const ch = await openLineChannel(flags.port);
  const timeoutMs = flags.timeout === undefined ? DEFAULT_REPLY_TIMEOUT_MS : flags.timeout * 1000;
  let answer: CommandAnswer;
  try {
    const chain = await chainSetProblem(ch, words, timeoutMs, flags.calibration);
    if (chain !== null) throw new CliError(`not sent: "${words.join(" ")}": ${chain}`, EXIT_FAILED);
    answer = await sendBoardCommand(ch, words, timeoutMs);
  } finally {
    await ch.close();
  }
  if (answer.kind === "error") throw new CliError(`the board refused "${words.join(" ")}": ${answer.text}`, EXIT_FAILED);
  console.log(flags.json ? JSON.stringify(answer) : formatAnswer(answer));
}
