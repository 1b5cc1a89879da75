/**
 * `zbms analyze <file>` and `zbms export --bdf <file> --out FILE`: the command-line front ends of
 * the analysis functions of host/analyze/analyzeApi.ts (the only ones: flags are defined here).
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { resolve } from "node:path";
import { analyzeFile, exportBdf, loadPackConfig, parseCapacityAh, parseChemistry, parseCycleList, parseFirstHalf, TABLE_FORMATS, type AnalyzeOptions, type TableFormat } from "../analyze/analyzeApi";
import type { PackConfig } from "../../shared/config/packConfig";
import { DURATION_UNITS } from "../util/duration";
import { formatIds, parseFormat } from "../import/detect";
import { parseAdamsSpan, parsePlating, type AdamsSpan } from "../analyze/adams";

/** Wrap one of host/analyze's value parsers so commander names the flag and quotes the value. */
function flagParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (e) {
      throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
    }
  };
}

interface AnalyzeFlags {
  out: string;
  format?: AnalyzeOptions["format"];
  capacityAh?: number;
  firstHalf?: "charge" | "discharge";
  chemistry?: AnalyzeOptions["chemistry"];
  config?: PackConfig;
  dqdv?: number[];
  adams?: AdamsSpan;
  plating?: "charge" | "discharge";
  print: string;
  progress?: boolean;
  timings?: boolean;
}

/** `--format`'s help: its ids, so nobody has to provoke the error to learn them. */
const FORMAT_HELP = `input format, one of: ${formatIds()} (default: detected from the file's first lines)`;
/** The inputs analyze and export read. */
const INPUTS_HELP = "a zbms raw log, BDF CSV, cycler exports (Neware CSV/.xlsx/.ndax/.nda, BioLogic .mpt/.mpr, Arbin, Maccor, PEC, Landt, BatteryData, PyBaMM; docs/formats.md)";

/** `--config`: a pack config JSON file (validated), instead of one fitted to the input. */
const CONFIG_FLAG = "--config <pack.json>";
const CONFIG_HELP = "pack config JSON (e.g. hardware/packs/znmno2-4s.json) instead of one fitted to the input (a zbms raw log carries its own: a --config that differs from it is refused)";

export function registerAnalyze(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  program
    .command("analyze")
    .description("per-cycle table, rests and an HTML report from a zbms raw log, a BDF CSV or a cycler export")
    .argument("<file>", `input: ${INPUTS_HELP}`)
    .option("-o, --out <dir>", "output folder", "zbms-analysis")
    .option("--format <id>", FORMAT_HELP, flagParser(parseFormat))
    .option("--capacity-ah <ah>", "nominal capacity (default: the largest one-direction charge)", flagParser(parseCapacityAh))
    .option("--first-half <half>", "which half opens a cycle: charge | discharge", flagParser(parseFirstHalf))
    .option("--chemistry <id>", "chemistry preset (ZnMnO2, …)", flagParser(parseChemistry))
    .option(CONFIG_FLAG, CONFIG_HELP, flagParser(loadPackConfig))
    .option("--dqdv <list>", "cycles whose dQ/dV is plotted, e.g. 1,10,50", flagParser(parseCycleList))
    .option(
      "--adams <span>",
      `Adams reservoir protocol span: all | FROM-TO cycles of the per-cycle table (e.g. 3-14) | FROM-TO test times (e.g. 2.5h-80h; units ${DURATION_UNITS})`,
      flagParser(parseAdamsSpan),
    )
    .option("--plating <dir>", "direction that plates Zn in the Adams span: charge | discharge (default: the half that opens a cycle)", flagParser(parsePlating))
    .addOption(new Option("--print <format>", "table printed to the terminal").choices([...TABLE_FORMATS, "none"]).default("text"))
    .option("--no-progress", "no progress bar")
    .option("--timings", "print each phase's wall time (ms) as one JSON line on stderr")
    .action((file: string, f: AnalyzeFlags) =>
      run(async () => {
        const r = await analyzeFile(file, {
          outDir: f.out,
          format: f.format,
          capacityAh: f.capacityAh,
          firstHalf: f.firstHalf,
          chemistry: f.chemistry,
          config: f.config,
          dqdvCycles: f.dqdv,
          adams: f.adams,
          plating: f.plating,
          printTable: f.print === "none" ? null : (f.print as TableFormat),
          progress: f.progress === false ? false : "auto",
        });
        if (f.timings === true) {
          const ms: Record<string, number> = {};
          for (const [k, v] of Object.entries(r.phaseMs)) ms[k] = Math.round(v * 10) / 10;
          process.stderr.write(`timings ms ${JSON.stringify(ms)}\n`);
        }
        process.stdout.write(`analysis written to ${resolve(f.out)}\n`);
      }),
    );
  program
    .command("export")
    .description("convert a zbms log or a cycler export to a Battery Data Format (BDF) CSV")
    .usage("--bdf <input> -o <out.csv> [options]")
    .requiredOption("--bdf <input>", `the file to convert (read, not written): ${INPUTS_HELP}`)
    .requiredOption("-o, --out <out.csv>", "the BDF CSV to write")
    .option("--format <id>", FORMAT_HELP, flagParser(parseFormat))
    .option("--capacity-ah <ah>", "nominal capacity", flagParser(parseCapacityAh))
    .option("--first-half <half>", "charge | discharge", flagParser(parseFirstHalf))
    .option(CONFIG_FLAG, CONFIG_HELP, flagParser(loadPackConfig))
    .option("--no-progress", "no progress bar")
    .action((f: { bdf: string; out: string; format?: AnalyzeOptions["format"]; capacityAh?: number; firstHalf?: "charge" | "discharge"; config?: PackConfig; progress?: boolean }) =>
      run(async () => {
        const r = await exportBdf(f.bdf, f.out, { format: f.format, capacityAh: f.capacityAh, firstHalf: f.firstHalf, config: f.config, progress: f.progress === false ? false : "auto" });
        process.stdout.write(`wrote ${r.rows} BDF rows from ${r.format} input to ${resolve(f.out)}\n`);
      }),
    );
}
