/**
 * Time-unit factors, declared once for shared/, firmware/, host/, bench/ and test/ (the model's
 * clock is in ms, rates and charges use s and h). Plain numeric `export const`: Espruino-safe.
 */

/** Milliseconds per second. */
export const MS_PER_S = 1000;
/** Milliseconds per hour: Ah = A · ms / MS_PER_H. */
export const MS_PER_H = 3600000;
/** Seconds per millisecond. */
export const S_PER_MS = 0.001;
/** Seconds per minute. */
export const S_PER_MIN = 60;
/** Seconds per hour: Ah = A · s / S_PER_H. */
export const S_PER_H = 3600;
/** Seconds per day. */
export const S_PER_DAY = 86400;
