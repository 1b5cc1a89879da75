/**
 * How command failures reach the user: one clear line on stderr and a distinct exit status,
 * never a stack trace for a problem the user can fix.
 */
import { SerialPortError } from "../serial/portErrors";
import { ReplyTimeoutError } from "../serial/replCommand";
import { NotEspruinoError } from "../serial/espruinoProbe";
import { AnalyzeOptionError } from "../analyze/analyzeApi";

/** Exit statuses of `zbms` (1 is commander's own "bad flag or value"). */
export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_PORT = 2;
export const EXIT_TIMEOUT = 3;
export const EXIT_VERIFY = 4;
export const EXIT_FAILED = 5;
export const EXIT_NOT_ESPRUINO = 6;

/** A failure with a message meant for the user and its exit status. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** Message and exit status for any error a command threw. */
export function describeFailure(e: unknown): { message: string; exitCode: number } {
  if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode };
  if (e instanceof SerialPortError) return { message: e.message, exitCode: EXIT_PORT };
  if (e instanceof ReplyTimeoutError) return { message: e.message, exitCode: EXIT_TIMEOUT };
  if (e instanceof NotEspruinoError) return { message: e.message, exitCode: EXIT_NOT_ESPRUINO };
  if (e instanceof AnalyzeOptionError) return { message: e.message, exitCode: EXIT_USAGE };
  if (e instanceof Error) return { message: e.message, exitCode: EXIT_FAILED };
  return { message: String(e), exitCode: EXIT_FAILED };
}
