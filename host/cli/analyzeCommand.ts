/**
 * `zbms analyze <file>` and `zbms export --bdf <file> --out FILE`: commander front ends for the
 * analysis functions of host/analyze/cli.ts (H7), with the same flags as its standalone entry.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { resolve } from "node:path";
import { analyzeFile, exportBdf, parseCapacityAh, parseChemistry, parseCycleList, parseFirstHalf, TABLE_FORMATS, type AnalyzeOptions, type TableFormat } from "../analyze/cli";
import { parseFormat } from "../import/detect";
import { parseAdamsSpan, parsePlating, type AdamsSpan } from "../analyze/adams";

/** Wrap one of host/analyze's value parsers so commander names the flag and quotes the value. */
function flagParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (e) {
      // the analysis parsers append their whole usage text; the first line is the message
      throw new InvalidArgumentError((e instanceof Error ? e.message : String(e)).split("\n")[0]!);
    }
  };
}

interface AnalyzeFlags {
  out: string;
  format?: AnalyzeOptions["format"];
  capacityAh?: number;
  firstHalf?: "charge" | "discharge";
  chemistry?: AnalyzeOptions["chemistry"];
  dqdv?: number[];
  adams?: AdamsSpan;
  plating?: "charge" | "discharge";
  print: string;
  progress?: boolean;
}

export function registerAnalyze(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  program
    .command("analyze")
    .description("per-cycle table, rests and an HTML report from a zbms raw log, a BDF CSV or a cycler export")
    .argument("<file>", "input: zbms raw log, BDF CSV, Neware, Landt, BatteryData raw CSV, PyBaMM")
    .option("-o, --out <dir>", "output folder", "zbms-analysis")
    .option("--format <id>", "input format (default: detected)", flagParser(parseFormat))
    .option("--capacity-ah <ah>", "nominal capacity (default: the largest one-direction charge)", flagParser(parseCapacityAh))
    .option("--first-half <half>", "which half opens a cycle: charge | discharge", flagParser(parseFirstHalf))
    .option("--chemistry <id>", "chemistry preset (ZnMnO2, …)", flagParser(parseChemistry))
    .option("--dqdv <list>", "cycles whose dQ/dV is plotted, e.g. 1,10,50", flagParser(parseCycleList))
    .option(
      "--adams <span>",
      "Adams reservoir protocol span: all | FROM-TO cycles of the per-cycle table (e.g. 3-14) | FROM-TO test times (e.g. 2.5h-80h; s, min, h)",
      flagParser(parseAdamsSpan),
    )
    .option("--plating <dir>", "direction that plates Zn in the Adams span: charge | discharge (default: the half that opens a cycle)", flagParser(parsePlating))
    .addOption(new Option("--print <format>", "table printed to the terminal").choices([...TABLE_FORMATS, "none"]).default("text"))
    .option("--no-progress", "no progress bar")
    .action((file: string, f: AnalyzeFlags) =>
      run(async () => {
        await analyzeFile(file, {
          outDir: f.out,
          format: f.format,
          capacityAh: f.capacityAh,
          firstHalf: f.firstHalf,
          chemistry: f.chemistry,
          dqdvCycles: f.dqdv,
          adams: f.adams,
          plating: f.plating,
          printTable: f.print === "none" ? null : (f.print as TableFormat),
          progress: f.progress === false ? false : "auto",
        });
        process.stdout.write(`analysis written to ${resolve(f.out)}\n`);
      }),
    );
  program
    .command("export")
    .description("convert a log or cycler export to a Battery Data Format CSV")
    .requiredOption("--bdf <file>", "input file to convert")
    .requiredOption("-o, --out <file>", "BDF CSV to write")
    .option("--format <id>", "input format (default: detected)", flagParser(parseFormat))
    .option("--capacity-ah <ah>", "nominal capacity", flagParser(parseCapacityAh))
    .option("--first-half <half>", "charge | discharge", flagParser(parseFirstHalf))
    .option("--no-progress", "no progress bar")
    .action((f: { bdf: string; out: string; format?: AnalyzeOptions["format"]; capacityAh?: number; firstHalf?: "charge" | "discharge"; progress?: boolean }) =>
      run(async () => {
        const r = await exportBdf(f.bdf, f.out, { format: f.format, capacityAh: f.capacityAh, firstHalf: f.firstHalf, progress: f.progress === false ? false : "auto" });
        process.stdout.write(`wrote ${r.rows} BDF rows from ${r.format} input to ${resolve(f.out)}\n`);
      }),
    );
}
