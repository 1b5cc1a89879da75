/**
 * Open-circuit-voltage curve helpers: OCV(SOC), its slope dOCV/dSOC and the inverse SOC(OCV),
 * by linear interpolation of a tabulated curve on a SOC grid (`OCV_SOC_GRID` in presets.ts).
 *
 * A curve has two branches (relaxed after charge, relaxed after discharge: the OCV hysteresis).
 * Every helper takes both tables and a branch code; `OCV_BRANCH_MEAN` is the mid-curve used when
 * the last direction is unknown. Branch codes equal the segment codes SEG_CHARGE / SEG_DISCHARGE,
 * so a segment code can be passed as a branch. Pure functions, no allocation.
 */

/** Mean of the two branches (direction unknown). */
export const OCV_BRANCH_MEAN = 0;
/** Branch reached by relaxing after a charge (= SEG_CHARGE). */
export const OCV_BRANCH_CHARGE = 1;
/** Branch reached by relaxing after a discharge (= SEG_DISCHARGE). */
export const OCV_BRANCH_DISCHARGE = 2;

/** Weight of the charge table for a branch code (the discharge table gets 1 − this). */
function chargeWeight(branch: number): number {
  if (branch === OCV_BRANCH_CHARGE) return 1;
  if (branch === OCV_BRANCH_DISCHARGE) return 0;
  return 0.5;
}

/** Index k of the grid segment [grid[k], grid[k+1]] that holds socFrac (clamped to the ends). */
function segmentOf(grid: ArrayLike<number>, socFrac: number): number {
  const last = grid.length - 2;
  let k = 0;
  while (k < last && socFrac >= grid[k + 1]) k++;
  return k;
}

/** OCV (V) at socFrac on a branch; socFrac is clamped to the grid's range. */
export function ocvAtSoc(
  grid: ArrayLike<number>,
  chargeV: ArrayLike<number>,
  dischargeV: ArrayLike<number>,
  branch: number,
  socFrac: number,
): number {
  const w = chargeWeight(branch);
  let s = socFrac;
  if (s < grid[0]) s = grid[0];
  if (s > grid[grid.length - 1]) s = grid[grid.length - 1];
  const k = segmentOf(grid, s);
  const v0 = w * chargeV[k] + (1 - w) * dischargeV[k];
  const v1 = w * chargeV[k + 1] + (1 - w) * dischargeV[k + 1];
  return v0 + ((v1 - v0) * (s - grid[k])) / (grid[k + 1] - grid[k]);
}

/**
 * Slope dOCV/dSOC (V per unit SOC, i.e. V per 100 %) at socFrac on a branch: the slope of the
 * table segment that holds socFrac (the right-hand segment at a grid point).
 */
export function ocvSlopeAtSoc(
  grid: ArrayLike<number>,
  chargeV: ArrayLike<number>,
  dischargeV: ArrayLike<number>,
  branch: number,
  socFrac: number,
): number {
  const w = chargeWeight(branch);
  const k = segmentOf(grid, socFrac);
  const v0 = w * chargeV[k] + (1 - w) * dischargeV[k];
  const v1 = w * chargeV[k + 1] + (1 - w) * dischargeV[k + 1];
  return (v1 - v0) / (grid[k + 1] - grid[k]);
}

/**
 * Inverse: SOC (fraction) whose OCV on the branch is ocvV. Clamped to [grid[0], grid[last]]
 * (0…1) outside the table. The table must be strictly increasing (see `checkOcvCurve`).
 * NaN in, NaN out.
 */
export function socAtOcv(
  grid: ArrayLike<number>,
  chargeV: ArrayLike<number>,
  dischargeV: ArrayLike<number>,
  branch: number,
  ocvV: number,
): number {
  if (isNaN(ocvV)) return NaN;
  const w = chargeWeight(branch);
  const n = grid.length;
  const vFirst = w * chargeV[0] + (1 - w) * dischargeV[0];
  const vLast = w * chargeV[n - 1] + (1 - w) * dischargeV[n - 1];
  if (ocvV <= vFirst) return grid[0];
  if (ocvV >= vLast) return grid[n - 1];
  let k = 0;
  let v1 = w * chargeV[1] + (1 - w) * dischargeV[1];
  while (k < n - 2 && ocvV >= v1) {
    k++;
    v1 = w * chargeV[k + 1] + (1 - w) * dischargeV[k + 1];
  }
  const v0 = w * chargeV[k] + (1 - w) * dischargeV[k];
  return grid[k] + ((grid[k + 1] - grid[k]) * (ocvV - v0)) / (v1 - v0);
}

/**
 * Problems with an OCV table on a grid (empty list = usable): lengths differ, fewer than two
 * points, a non-finite value, grid not strictly increasing from 0 to 1, or OCV not strictly
 * increasing with SOC (the inverse SOC(OCV) needs a one-to-one curve). `name` prefixes messages.
 */
export function checkOcvCurve(grid: ArrayLike<number>, ocvV: ArrayLike<number>, name: string): string[] {
  const problems: string[] = [];
  if (ocvV.length !== grid.length) {
    problems.push(name + " has " + ocvV.length + " points; the SOC grid has " + grid.length + " (one OCV per grid point)");
    return problems;
  }
  if (grid.length < 2) problems.push(name + ": a curve needs at least 2 points");
  if (grid[0] !== 0 || grid[grid.length - 1] !== 1) problems.push(name + ": the SOC grid must run from 0 to 1");
  for (let k = 0; k < ocvV.length; k++) {
    if (!isFinite(ocvV[k])) problems.push(name + "[" + k + "] = " + ocvV[k] + " is not a finite voltage (V)");
    else if (k > 0 && !(ocvV[k] > ocvV[k - 1])) {
      problems.push(name + "[" + k + "] = " + ocvV[k] + " V is not above " + name + "[" + (k - 1) + "] = " + ocvV[k - 1] + " V; OCV must rise strictly with SOC");
    }
    if (k > 0 && !(grid[k] > grid[k - 1])) problems.push("SOC grid[" + k + "] = " + grid[k] + " does not rise");
  }
  return problems;
}
