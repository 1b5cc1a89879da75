/**
 * `zbms calibrate --port P [--channel v0|…|i] [--out FILE]`: interactive two-point calibration of
 * the board's channels with a third-point check (host/calibrate/session.ts). Questions go to
 * stdout as lines starting with "? ", answers come as stdin lines, so a script can drive it.
 * The calibration is stored on the board (Storage `zbms.cal`) and in a local JSON file.
 */
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { loadBoard } from "../bundle/buildFirmware";
import { openLineChannel } from "../serial/lineChannel";
import { DEFAULT_REPLY_TIMEOUT_MS } from "../serial/replCommand";
import { CalibrationError, runCalibration, type Prompter } from "../calibrate/session";
import { defaultCalibrationPath, writeCalibrationFile } from "../calibrate/calibrationFile";
import { CliError, EXIT_FAILED, EXIT_USAGE, EXIT_VERIFY } from "./cliErrors";
import { parsePortPath, parsePositiveInt, parsePositiveNumber } from "./options";

/** Raw codes averaged per point by default (one per board sample: 8 s at 1 Hz). */
export const DEFAULT_READINGS = 8;
/** Fewest readings that can show an unstable reference. */
const MIN_READINGS = 2;

export interface CalibrateFlags {
  port: string;
  channel?: string;
  out?: string;
  readings?: number;
  timeout?: number;
}

/** `--channel`: "v<k>" or "i" (whether the board has it is checked once connected). */
export function parseChannelName(value: string): string {
  if (!/^(v\d+|i)$/.test(value)) throw new InvalidArgumentError(`expected a channel v0, v1, … or i (current); got "${value}".`);
  return value;
}

function parseReadings(value: string): number {
  const n = parsePositiveInt(value);
  if (n < MIN_READINGS) throw new InvalidArgumentError(`expected at least ${MIN_READINGS} readings (one cannot show an unstable reference); got "${value}".`);
  return n;
}

export function registerCalibrate(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  program
    .command("calibrate")
    .description("two-point calibration of each channel against a known voltage/current, checked at a third point; stored on the board and in a local file")
    .requiredOption("-p, --port <path>", "serial port of the board", parsePortPath)
    .option("-c, --channel <name>", "calibrate only this channel: v0 … vN (cell taps) or i (current)", parseChannelName)
    .option("-o, --out <file>", "local copy of the calibration (default calibration/<board>-<date>.json)")
    .option("-n, --readings <n>", `raw readings averaged per point, one per board sample (default ${DEFAULT_READINGS})`, parseReadings)
    .option("-t, --timeout <s>", `seconds to wait for one board answer or sample (default ${DEFAULT_REPLY_TIMEOUT_MS / 1000})`, parsePositiveNumber)
    .addHelpText(
      "after",
      '\nEach question is one line starting with "? "; answer with the value your meter reads\n' +
        '(volts or amps), or "skip" to leave a channel as it is. Example:\n' +
        "  zbms calibrate --port /dev/ttyUSB0 --channel v0\n",
    )
    .action((flags: CalibrateFlags) => run(() => calibrateCommand(flags)));
}

/** Questions on stdout, answers from stdin lines (queued, so a script may answer ahead). */
export function stdioPrompter(): Prompter & { close(): void } {
  const rl = createInterface({ input: process.stdin, terminal: false });
  const lines: string[] = [];
  const waiting: Array<{ resolve: (l: string) => void; reject: (e: Error) => void; question: string }> = [];
  let closed = false;
  rl.on("line", (l) => {
    const w = waiting.shift();
    if (w) w.resolve(l);
    else lines.push(l);
  });
  rl.on("close", () => {
    closed = true;
    for (const w of waiting.splice(0)) w.reject(new CliError(`stdin closed before an answer to: ${w.question}`, EXIT_USAGE));
  });
  return {
    ask(question) {
      process.stdout.write(question + "\n");
      const l = lines.shift();
      if (l !== undefined) return Promise.resolve(l);
      if (closed) return Promise.reject(new CliError(`stdin closed before an answer to: ${question}`, EXIT_USAGE));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject, question }));
    },
    say(text) {
      process.stdout.write(text + "\n");
    },
    close() {
      rl.close();
    },
  };
}

export async function calibrateCommand(flags: CalibrateFlags, prompter?: Prompter): Promise<void> {
  const ch = await openLineChannel(flags.port);
  const own = prompter === undefined ? stdioPrompter() : undefined;
  let rec;
  try {
    rec = await runCalibration(ch, prompter ?? own!, {
      channel: flags.channel,
      readings: flags.readings ?? DEFAULT_READINGS,
      timeoutMs: flags.timeout === undefined ? DEFAULT_REPLY_TIMEOUT_MS : flags.timeout * 1000,
      port: flags.port,
      loadBoard,
    });
  } catch (e) {
    if (e instanceof CalibrationError) throw new CliError(e.message, EXIT_FAILED);
    throw e;
  } finally {
    own?.close();
    await ch.close();
  }
  const out = flags.out ?? defaultCalibrationPath(rec.board, new Date(rec.finishedAt));
  writeCalibrationFile(out, rec);
  (prompter ?? { say: (t: string) => process.stdout.write(t + "\n") }).say(`calibration written to ${out}`);
  const failed = rec.channels.filter((c) => !c.check.pass).map((c) => c.channel);
  if (failed.length > 0) {
    throw new CliError(`check failed on ${failed.join(", ")}: the calibrated reading is outside the board's accuracy at the third point (see ${out}); repeat with a steadier reference or check the wiring`, EXIT_VERIFY);
  }
}
