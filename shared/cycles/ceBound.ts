/**
 * Worst-case (linear) uncertainty of a coulombic efficiency CE = Q_out / Q_in measured through
 * a declared sensor chain. Definitions and derivation: docs/model.md, "CE uncertainty bound".
 *
 * Error model, per half (in = first half, out = second half):
 *   Q_meas = k · Q_true + e,   |e| ≤ E   (E from offset × time, resolution × time, gaps: Ah)
 *   k = (1 + g)(1 + τ),  |g| ≤ gainErr, |g_in − g_out| ≤ gainMismatch, |τ| ≤ timeBaseErr.
 * The common gain cancels in the ratio; what stays is k_in/k_out within [rLo, rHi] with
 *   a = gainMismatch / (1 − gainErr),  b = 2·timeBaseErr / (1 − timeBaseErr),
 *   rLo = (1 − a)(1 − b),  rHi = (1 + a)(1 + b).
 * So the true CE = (k_in/k_out)·(Q_out − e_out)/(Q_in − e_in) lies in
 *   [rLo·(Q_out − E_out)/(Q_in + E_in),  rHi·(Q_out + E_out)/(Q_in − E_in)],
 * and the reported bound is the larger distance from the measured CE to either end.
 */
import type { SensorChainConfig } from "../config/packConfig";

/**
 * Half-width of the CE interval (fraction). `qOutAh`/`qInAh` measured (Ah), `errOutAh`/`errInAh`
 * their absolute error bounds (Ah). Infinity when the input half is not larger than its error.
 */
export function ceBoundFrac(
  qOutAh: number,
  qInAh: number,
  errOutAh: number,
  errInAh: number,
  gainErrFrac: number,
  gainMismatchFrac: number,
  timeBaseErrFrac: number,
): number {
  if (!(qInAh > errInAh)) return Infinity;
  const a = gainMismatchFrac / (1 - gainErrFrac);
  const b = (2 * timeBaseErrFrac) / (1 - timeBaseErrFrac);
  const rLo = (1 - a) * (1 - b);
  const rHi = (1 + a) * (1 + b);
  const ce = qOutAh / qInAh;
  const hi = (rHi * (qOutAh + errOutAh)) / (qInAh - errInAh);
  let lo = (rLo * (qOutAh - errOutAh)) / (qInAh + errInAh);
  if (lo < 0) lo = 0;
  const up = hi - ce;
  const down = ce - lo;
  return up > down ? up : down;
}

/**
 * CE half-width of a span (a cycle, an Adams protocol) whose rest ledger net `restAh` — charge
 * counted at open circuit (coulombCounter.ts) — was left out of both totals as zero current. If
 * it was real current after all (a standing load), either total is off by up to |restAh|, so it
 * widens both error sums. The one rule for every CE bound of the model.
 */
export function ceBoundWithRest(qOutAh: number, qInAh: number, errOutAh: number, errInAh: number, restAh: number, chain: SensorChainConfig): number {
  const r = restAh < 0 ? -restAh : restAh;
  return ceBoundFrac(qOutAh, qInAh, errOutAh + r, errInAh + r, chain.currentGainErrFrac, chain.currentGainMismatchFrac, chain.timeBaseErrFrac);
}
