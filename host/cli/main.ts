/**
 * `zbms` — the host command-line tool. Each command lives in its own file; this one wires
 * them into commander and turns failures into one clear message and an exit status
 * (cliErrors.ts).
 */
import { Command, CommanderError } from "commander";
import { registerAnalyze } from "./analyzeCommand";
import { registerBuild } from "./buildCommand";
import { registerCalibrate } from "./calibrate";
import { describeFailure, EXIT_OK } from "./cliErrors";
import { registerFlash } from "./flashCommand";
import { registerDashboard, registerIngest } from "./labCommands";
import { registerMonitor } from "./monitorCommand";
import { registerSend } from "./sendCommand";
import { registerSim } from "./simCommand";
import { version as PACKAGE_VERSION } from "../../package.json";

/** Where commander writes help and usage errors (tests capture them). */
export interface CliOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

export function buildProgram(output?: CliOutput): { program: Command; result: { exitCode: number } } {
  const result = { exitCode: EXIT_OK };
  const run = async (f: () => Promise<void>): Promise<void> => {
    try {
      await f();
    } catch (e) {
      const { message, exitCode } = describeFailure(e);
      (output ? output.writeErr : (t: string) => process.stderr.write(t))(`zbms: ${message}\n`);
      result.exitCode = exitCode;
    }
  };
  const program = new Command()
    .name("zbms")
    .description("Battery monitor for aqueous zinc-metal pouch cells: build, flash, monitor, simulate")
    .version(PACKAGE_VERSION, "-V, --version", "print zbms's version (package.json) and exit")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  if (output) program.configureOutput({ writeOut: output.writeOut, writeErr: output.writeErr });
  registerBuild(program, run);
  registerFlash(program, run);
  registerMonitor(program, run);
  registerSim(program, run);
  registerSend(program, run);
  registerAnalyze(program, run);
  registerCalibrate(program, run);
  registerIngest(program, run);
  registerDashboard(program, run);
  return { program, result };
}

/** Run the CLI with `argv` (as process.argv: node, script, args…); returns the exit status. */
export async function main(argv: string[], output?: CliOutput): Promise<number> {
  const { program, result } = buildProgram(output);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // commander already printed the message
    throw e;
  }
  return result.exitCode;
}
