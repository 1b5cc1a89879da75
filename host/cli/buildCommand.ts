/** `zbms build`: the firmware bundle for a board and a pack (host/bundle/buildFirmware.ts). */
import type { Command } from "commander";
import { relative } from "node:path";
import { buildFirmware, DEFAULT_BOARD, FirmwareBuildError, REPO_ROOT } from "../bundle/buildFirmware";
import { describeBundleSize } from "../bundle/bundleBudget";
import { formatFinding } from "../bundle/espruinoSubset";
import { CliError, EXIT_FAILED } from "./cliErrors";

export interface BuildFlags {
  board: string;
  pack?: string;
  calibration?: string;
  out?: string;
}

export function registerBuild(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  program
    .command("build")
    .description("build the firmware bundle (one Espruino script, board and pack embedded)")
    .option("-b, --board <id>", "board file hardware/boards/<id>.json", DEFAULT_BOARD)
    .option("-c, --pack <file>", "pack config JSON (default: the board's default pack, e.g. hardware/packs/znmno2-4s.json)")
    .option("--calibration <file>", "a `zbms calibrate` record of this board type: the pack may then declare the calibrated ESP32-ADC cell-voltage terms")
    .option("-o, --out <file>", "output file (default dist/firmware/zbms.js)")
    .addHelpText("after", "\nExample:\n  zbms build --board esp32-ina226 --pack hardware/packs/znpba-2s.json")
    .action((flags: BuildFlags) => run(() => buildCommand(flags)));
}

export async function buildCommand(flags: BuildFlags): Promise<void> {
  let r;
  try {
    r = await buildFirmware({ board: flags.board, pack: flags.pack, calibration: flags.calibration, out: flags.out });
  } catch (e) {
    if (e instanceof FirmwareBuildError) throw new CliError(`build failed: ${e.message}`, EXIT_FAILED);
    throw e;
  }
  for (const w of r.warnings) console.warn(`warning: ${w}`);
  console.log(`built ${relative(REPO_ROOT, r.outFile!)}: board ${r.board}, pack "${r.packName}", version ${r.version}, hash ${r.hash}`);
  console.log(describeBundleSize(r.sizeB));
  if (r.findings.length > 0) {
    throw new CliError(`the bundle uses what Espruino 2v29 lacks:\n  ${r.findings.map(formatFinding).join("\n  ")}`, EXIT_FAILED);
  }
  // a size line, not a memory limit (host/bundle/bundleBudget.ts): memory is measured on the interpreter
  if (r.sizeB > r.budgetB) console.warn(`warning: the bundle is ${r.sizeB - r.budgetB} B past its size line: measure its memory again (npm run bench:firmware)`);
}
