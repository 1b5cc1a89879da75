/** A short raw log from a simulated 4-cell pack: a few fast cycles, a rest, a leaking cell. */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { REPO_ROOT } from "../../../host/util/repoRoot";
import { VirtualPackLog } from "../../../host/history/virtualPackLog";

/** Pack file with 20 s samples (as the demo) so hours of protocol are a few thousand lines. */
export function fastPackJson(): Record<string, unknown> {
  const p = JSON.parse(fs.readFileSync(nodePath.join(REPO_ROOT, "hardware", "packs", "znmno2-4s.json"), "utf8")) as Record<string, unknown> & {
    counting: Record<string, unknown>;
    segmentation: Record<string, unknown>;
  };
  p.samplePeriodMs = 20000;
  p.counting.maxGapMs = 100000;
  p.segmentation.dwellMs = 60000;
  return p;
}

/** Two C/2 cycles and a 30-minute rest between them: closes cycle records quickly. */
export const SHORT_PROTOCOL = ["Repeat 3 times:", "  Charge at C/2 until 1.8 V", "  Rest for 30 minutes", "  Discharge at C/2 until 0.8 V", "Charge at C/2 until 1.8 V"].join("\n");

export function writeSimLog(dir: string, name: string, seed = 1): string {
  const path = nodePath.join(dir, name);
  const v = new VirtualPackLog({ packJson: fastPackJson(), protocol: SHORT_PROTOCOL, seed, rawLogPath: path });
  let host = Date.parse("2026-12-01T10:00:00Z");
  while (v.step(50, host)) host += 1000;
  v.close();
  return path;
}
