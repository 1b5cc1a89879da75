/**
 * The cycler's own cycle numbers on the analysis rows. The model splits cycles by current
 * direction (paired as the cycler pairs them, fitConfig.firstHalfOf); where the input has a
 * cycle index, each row gets the cycler's number for it, so that a cycler cycle holding several
 * charge/discharge alternations (pulse tests) shows as several rows with one cycler number.
 */
import type { CycleRecord } from "../../shared/model/events";

const MS_PER_S = 1000;

/**
 * Cycler cycle of each row: the index in effect at the row's midpoint (its start is the last
 * sample before its first half, still in the previous cycler cycle); NaN when no index.
 */
export function cyclerCycleOfRows(cycles: readonly CycleRecord[], starts: readonly { tS: number; cycle: number }[]): number[] {
  const out: number[] = [];
  let k = 0;
  for (const c of cycles) {
    const mid = (c.startTMs + c.endTMs) / 2 / MS_PER_S;
    if (starts.length === 0 || !(mid >= starts[0].tS)) {
      out.push(starts.length > 0 && mid === mid ? starts[0].cycle : NaN);
      continue;
    }
    while (k + 1 < starts.length && starts[k + 1].tS <= mid) k++;
    while (k > 0 && starts[k].tS > mid) k--;
    out.push(starts[k].cycle);
  }
  return out;
}
