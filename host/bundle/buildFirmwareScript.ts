/**
 * `npm run build:firmware -- --board B --pack P --out FILE [--samples F.jsonl]`
 * Builds the bundle, prints size vs budget and every Espruino-subset finding; exit code 1 on
 * a failed build or any finding (the file is still written, for inspection); over budget is a warning.
 */
import { Command } from "commander";
import { relative } from "node:path";
import { BOARD_DEFAULT_PACKS, buildFirmware, DEFAULT_BOARD, DEFAULT_PACK, FirmwareBuildError, REPO_ROOT } from "./buildFirmware.js";
import { describeBundleSize } from "./bundleBudget.js";
import { formatFinding } from "./espruinoSubset.js";

const program = new Command()
  .name("build:firmware")
  .description("Bundle firmware/main.ts for Espruino 2v29 with a board and a pack embedded")
  .option("--board <id>", `board file hardware/boards/<id>.json, or "replay"`, DEFAULT_BOARD)
  .option("--pack <path>", `pack config JSON (default ${DEFAULT_PACK}; ${Object.keys(BOARD_DEFAULT_PACKS).map((b) => b + ": " + BOARD_DEFAULT_PACKS[b]).join(", ")})`)
  .option("--calibration <file>", "a `zbms calibrate` record of this board type: the pack may then declare the calibrated ESP32-ADC cell-voltage terms")
  .option("--out <file>", "output file (default dist/firmware/zbms.js; replay: dist/firmware/replay.js)")
  .option("--samples <file>", "replay builds: samples JSONL (without it the replay bundle streams: one zbmsReplay(...) console call per sample)")
  .option("--no-minify", "keep the bundle readable (debugging only)")
  .option("--analyze", "list the bytes each source file adds to the bundle");
program.parse();
const o = program.opts<{ board: string; pack?: string; calibration?: string; out?: string; samples?: string; minify: boolean; analyze?: boolean }>();

try {
  const r = await buildFirmware({ board: o.board, pack: o.pack, calibration: o.calibration, out: o.out, samples: o.samples, minify: o.minify });
  for (const w of r.warnings) console.warn(`warning: ${w}`);
  console.log(`built ${relative(REPO_ROOT, r.outFile!)}: board ${r.board}, pack "${r.packName}", version ${r.version}, hash ${r.hash}`);
  console.log(describeBundleSize(r.sizeB));
  if (o.analyze) {
    for (const c of r.contributions) console.log(`  ${String(c.bytes).padStart(7)} B  ${c.file}`);
  }
  if (r.findings.length > 0) {
    console.error(`Espruino-subset check: ${r.findings.length} finding(s) in the bundle:`);
    for (const f of r.findings) console.error("  " + formatFinding(f));
  }
  // Over budget is a warning (the bundle may still fit a board with more heap); a subset finding is an error.
  if (r.sizeB > r.budgetB) console.error(`warning: bundle is over the ${r.budgetB} B budget by ${r.sizeB - r.budgetB} B (see host/bundle/bundleBudget.ts)`);
  process.exitCode = r.findings.length > 0 ? 1 : 0;
} catch (e) {
  if (e instanceof FirmwareBuildError || e instanceof Error) console.error(`build:firmware: ${e.message}`);
  process.exitCode = 1;
}
