/**
 * Trapezoidal integration of one sample interval, split by the sign of the current.
 *
 * Between two samples the current and the cell voltage are taken as linear in time (the
 * trapezoid rule's own assumption). When the current changes sign inside the interval, the
 * interval is split at the zero crossing of that line, so charge and discharge stay apart
 * exactly and `positive − negative` equals the plain trapezoid 0.5·(a + b)·Δt.
 *
 * All results are magnitudes (≥ 0). Units follow the inputs: A and h give Ah; V, A and h give Wh.
 */

/** Plain trapezoid 0.5·(a + b)·Δt (A·h): the whole interval when the current keeps one sign. */
export function trapezoidAh(a: number, b: number, dtH: number): number {
  return 0.5 * (a + b) * dtH;
}

/** Plain ∫V·I for V and I linear over the interval (W·h): the whole interval when I keeps one sign. */
export function trapezoidWh(v0: number, v1: number, i0: number, i1: number, dtH: number): number {
  return (dtH / 6) * (2 * v0 * i0 + v0 * i1 + v1 * i0 + 2 * v1 * i1);
}

/** Integral over the interval of max(I, 0), I linear from `a` to `b`, length `dtH` (A·h). */
export function positiveAreaAh(a: number, b: number, dtH: number): number {
  if (a >= 0 && b >= 0) return trapezoidAh(a, b, dtH);
  if (a <= 0 && b <= 0) return 0;
  // One sign change: the positive part is a triangle of height max(a, b).
  if (a > 0) return (0.5 * a * a * dtH) / (a - b);
  return (0.5 * b * b * dtH) / (b - a);
}

/** Integral over the interval of max(−I, 0) (A·h), the discharge magnitude. */
export function negativeAreaAh(a: number, b: number, dtH: number): number {
  return positiveAreaAh(-a, -b, dtH);
}

/**
 * Integral of V·max(I, 0) with V linear from `v0` to `v1` and I from `i0` to `i1` over `dtH`:
 * exact for the product of the two lines, ∫ = Δt/6 · (2·v0·i0 + v0·i1 + v1·i0 + 2·v1·i1)
 * on the part where I > 0 (W·h).
 */
export function positiveEnergyWh(v0: number, v1: number, i0: number, i1: number, dtH: number): number {
  if (i0 >= 0 && i1 >= 0) return trapezoidWh(v0, v1, i0, i1, dtH);
  if (i0 <= 0 && i1 <= 0) return 0;
  if (i0 > 0) {
    // Positive on [0, τ], τ = Δt·i0/(i0 − i1); I reaches 0 at τ where V = vc.
    const f = i0 / (i0 - i1);
    const vc = v0 + (v1 - v0) * f;
    return ((f * dtH) / 6) * (2 * v0 * i0 + vc * i0);
  }
  // Positive on [τ, Δt], length Δt·i1/(i1 − i0); I starts from 0 at τ where V = vc.
  const g = i1 / (i1 - i0);
  const vc = v1 - (v1 - v0) * g;
  return ((g * dtH) / 6) * (vc * i1 + 2 * v1 * i1);
}

/** Integral of V·max(−I, 0) (W·h), the discharge energy magnitude. */
export function negativeEnergyWh(v0: number, v1: number, i0: number, i1: number, dtH: number): number {
  return positiveEnergyWh(v0, v1, -i0, -i1, dtH);
}
