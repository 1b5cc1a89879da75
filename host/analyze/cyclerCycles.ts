/**
 * The cycler's own cycle numbers on the analysis rows. The model splits cycles by current
 * direction (paired as the cycler pairs them, fitConfig.firstHalfOf); where the input has a
 * cycle index, each row gets the cycler's number for it, so that a cycler cycle holding several
 * charge/discharge alternations (pulse tests) shows as several rows with one cycler number.
 */
import type { CycleRecord } from "../../shared/model/events";
import { MS_PER_S } from "../../shared/units";

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

/** One cycle as the cycler counted it: the analysis rows that carry its number, summed. */
export interface CyclerCycleRow {
  cyclerCycle: number;
  /** Analysis rows merged (several when the cycler's cycle holds several charge/discharge alternations). */
  rows: number;
  startS: number;
  endS: number;
  chargeAh: number;
  dischargeAh: number;
  chargeWh: number;
  dischargeWh: number;
  /** out / in (first half in): NaN when the cycle lacks a half or a row of it is partial or truncated. */
  ce: number;
  ee: number;
  /** Flags of its rows, OR-ed. */
  flags: number;
}

/**
 * The cycler's cycles from the analysis rows (consecutive rows with one cycler number merged).
 * `notWhole` is the flag set that makes a row's numbers not a whole half (partial, truncated).
 */
export function cyclerCycleRows(cycles: readonly CycleRecord[], nums: readonly number[], chargeFirst: boolean, notWhole: number): CyclerCycleRow[] {
  const out: CyclerCycleRow[] = [];
  cycles.forEach((c, k) => {
    const last = out.length > 0 ? out[out.length - 1] : null;
    const n = nums[k];
    if (last !== null && Object.is(last.cyclerCycle, n)) {
      last.rows++;
      last.endS = c.endTMs / MS_PER_S;
      last.chargeAh += c.chargeAh;
      last.dischargeAh += c.dischargeAh;
      last.chargeWh += c.chargeWh;
      last.dischargeWh += c.dischargeWh;
      last.flags |= c.flags;
    } else {
      out.push({ cyclerCycle: n, rows: 1, startS: c.startTMs / MS_PER_S, endS: c.endTMs / MS_PER_S, chargeAh: c.chargeAh, dischargeAh: c.dischargeAh, chargeWh: c.chargeWh, dischargeWh: c.dischargeWh, ce: NaN, ee: NaN, flags: c.flags });
    }
  });
  for (const r of out) {
    const [inAh, outAh, inWh, outWh] = chargeFirst ? [r.chargeAh, r.dischargeAh, r.chargeWh, r.dischargeWh] : [r.dischargeAh, r.chargeAh, r.dischargeWh, r.chargeWh];
    if ((r.flags & notWhole) === 0 && inAh > 0 && outAh > 0) {
      r.ce = outAh / inAh;
      r.ee = outWh / inWh;
    }
  }
  return out;
}
