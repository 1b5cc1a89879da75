/** `zbms send --port P <command…>`: one call of the firmware's entry point, its answer printed. */
import type { Command } from "commander";
import { sendBoardCommand, type CommandAnswer } from "../serial/commandAnswer";
import { openLineChannel } from "../serial/lineChannel";
import { DEFAULT_REPLY_TIMEOUT_MS } from "../serial/replCommand";
import { CliError, EXIT_FAILED } from "./cliErrors";
import { parsePortPath, parsePositiveNumber } from "./options";

export interface SendFlags {
  port: string;
  timeout?: number;
  json?: boolean;
}

export function registerSend(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  program
    .command("send")
    .description("send one command to the board's entry point zbms(…) and print its answer")
    .requiredOption("-p, --port <path>", "serial port of the board", parsePortPath)
    .option("-t, --timeout <s>", `seconds to wait for the answer (default ${DEFAULT_REPLY_TIMEOUT_MS / 1000})`, parsePositiveNumber)
    .option("--json", "print the answer as one JSON object")
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

export async function sendCommand(words: string[], flags: SendFlags): Promise<void> {
  const ch = await openLineChannel(flags.port);
  let answer: CommandAnswer;
  try {
    answer = await sendBoardCommand(ch, words, flags.timeout === undefined ? DEFAULT_REPLY_TIMEOUT_MS : flags.timeout * 1000);
  } finally {
    await ch.close();
  }
  if (answer.kind === "error") throw new CliError(`the board refused "${words.join(" ")}": ${answer.text}`, EXIT_FAILED);
  console.log(flags.json ? JSON.stringify(answer) : formatAnswer(answer));
}
