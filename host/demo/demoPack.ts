/**
 * The demo's pack config: the real 4-cell Zn‖MnO2 pack (hardware/packs/znmno2-4s.json) with a
 * longer sample period, so that ~140 simulated hours fit in about a minute without the virtual
 * board printing more lines than a 2-core machine can log. Derived at run time from the real
 * file (so it follows every change of the config schema) and checked by the shared validator.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { validateConfig } from "../../shared/config/validateConfig";

/** Sample period of the demo (ms): 600 samples per C/5 half (5 h) — plenty for trapezoid counting at constant current. */
export const DEMO_SAMPLE_PERIOD_MS = 20_000;
/** A gap is 5 missed samples (the real pack file uses 10 s = 10 samples of 1 s; the validator asks for more than one period). */
export const DEMO_MAX_GAP_MS = 5 * DEMO_SAMPLE_PERIOD_MS;
/** Segment changes need 3 samples of the new state (the real file: 30 s = 30 samples). */
export const DEMO_DWELL_MS = 3 * DEMO_SAMPLE_PERIOD_MS;

/** Write the demo pack JSON derived from `basePath` to `outPath`; returns outPath. Throws ConfigError naming a bad field. */
export function writeDemoPack(basePath: string, outPath: string): string {
  const pack = JSON.parse(fs.readFileSync(basePath, "utf8")) as Record<string, unknown> & {
    name: string;
    counting: Record<string, unknown>;
    segmentation: Record<string, unknown>;
  };
  pack.name = `${pack.name} (demo: ${DEMO_SAMPLE_PERIOD_MS / 1000} s samples)`;
  pack.samplePeriodMs = DEMO_SAMPLE_PERIOD_MS;
  pack.counting.maxGapMs = DEMO_MAX_GAP_MS;
  pack.segmentation.dwellMs = DEMO_DWELL_MS;
  validateConfig(pack);
  fs.mkdirSync(nodePath.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, JSON.stringify(pack, null, 2) + "\n");
  return outPath;
}
