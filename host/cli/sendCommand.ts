/** `zbms send --port P <command…>`: one call of the firmware's entry point, its answer printed. */
import type { Command } from "commander";
import { classifyLine } from "../monitor/classifyLine";
import type { MonitorRecord } from "../monitor/monitorRecord";
import { openLineChannel } from "../serial/lineChannel";
import { DEFAULT_REPLY_TIMEOUT_MS, formatCommandCall, sendAndAwait } from "../serial/replCommand";
import { CliError, EXIT_FAILED } from "./cliErrors";
import { parsePortPath, parsePositiveNumber } from "./options";

export interface SendFlags {
  port: string;
  timeout?: number;
  json?: boolean;
}

/** Records that answer a command: a reply, an error, or the identity. */
export type AnswerRecord = Extract<MonitorRecord, { kind: "reply" | "error" | "ident" }>;

/** The answer record a line carries, if it is one. */
export function answerOf(line: string): AnswerRecord | undefined {
  const c = classifyLine(line);
  if (c.kind !== "telemetry") return undefined;
  const r = c.record;
  return r.kind === "reply" || r.kind === "error" || r.kind === "ident" ? r : undefined;
}

export function registerSend(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  program
    .command("send")
    .description("send one command to the board's entry point zbms(…) and print its answer")
    .requiredOption("-p, --port <path>", "serial port of the board", parsePortPath)
    .option("-t, --timeout <s>", `seconds to wait for the answer (default ${DEFAULT_REPLY_TIMEOUT_MS / 1000})`, parsePositiveNumber)
    .option("--json", "print the decoded answer record as JSON")
    .argument("<command...>", "command and its arguments: status | ident | set <field> <value> | cal … | zero | rest | resetCounters | cycles")
    .addHelpText(
      "after",
      "\nEach word becomes one argument (numbers and true/false stay typed):\n" +
        "  zbms send --port /dev/ttyUSB0 status\n  zbms send --port /dev/ttyUSB0 set samplePeriodMs 2000\n",
    )
    .action((words: string[], flags: SendFlags) => run(() => sendCommand(words, flags)));
}

export async function sendCommand(words: string[], flags: SendFlags): Promise<void> {
  const code = formatCommandCall(words);
  const ch = await openLineChannel(flags.port);
  let answer: AnswerRecord;
  try {
    answer = await sendAndAwait(ch, code, answerOf, flags.timeout === undefined ? DEFAULT_REPLY_TIMEOUT_MS : flags.timeout * 1000);
  } finally {
    await ch.close();
  }
  if (flags.json) {
    console.log(JSON.stringify(answer));
  } else if (answer.kind === "reply") {
    console.log(answer.payload);
  } else if (answer.kind === "ident") {
    console.log(`firmware ${answer.fwVersion}, bundle ${answer.bundleHash}, board ${answer.board}, pack ${answer.pack}`);
  }
  if (answer.kind === "error") throw new CliError(`the board refused ${code}: ${answer.text}`, EXIT_FAILED);
}
