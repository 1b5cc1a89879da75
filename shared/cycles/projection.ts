/**
 * Projected cycle life: cycles until capacity falls to 80 % if every cycle keeps a fraction CE,
 * CE^N = 0.8 ⇒ N = ln 0.8 / ln CE (source article, §2.1: 80 % after 1000 cycles needs
 * CE ≈ 99.97 %).
 */

/** Retention fraction that defines end of life for the projection. */
export const END_OF_LIFE_RETENTION_FRAC = 0.8;

/** N = ln 0.8 / ln CE; Infinity for CE ≥ 1, 0 for CE ≤ 0, NaN for NaN. */
export function cyclesToRetention(ce: number): number {
  if (ce !== ce) return NaN;
  if (ce >= 1) return Infinity;
  if (ce <= 0) return 0;
  return Math.log(END_OF_LIFE_RETENTION_FRAC) / Math.log(ce);
}
