/**
 * Error bookkeeping shared by the drivers: a driver never throws into the sampler; it returns
 * NaN for the reading and records here what went wrong (allocates a string only on an error).
 */
export interface DriverStatus {
  /** Errors since boot (all drivers of this sensor set). */
  errorCount: number;
  /** Errors in the current sample; the sampler clears it before each read. */
  sampleErrors: number;
  /** Last error, e.g. "ads1115@72 AIN0: i2c" — quoted in the sampler's fault line. */
  lastError: string;
}

export function createDriverStatus(): DriverStatus {
  return { errorCount: 0, sampleErrors: 0, lastError: "" };
}

/** Record one error; returns NaN so a driver can `return driverError(st, "…")`. */
export function driverError(st: DriverStatus, what: string): number {
  st.errorCount++;
  st.sampleErrors++;
  st.lastError = what;
  return NaN;
}
