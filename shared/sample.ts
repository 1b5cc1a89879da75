/**
 * One time-stamped reading of the whole pack: the only input of the model.
 *
 * Sign convention, stated once for all of zbms: **positive current charges the cell**
 * (the Battery Data Format's convention). Discharge current is negative.
 *
 * Validity: a channel whose reading is invalid (open or shorted sensor, ADC at a rail,
 * I2C error, NaN from a driver) carries `NaN`. The model never integrates or uses a NaN
 * channel; it raises the `sensorFault` alarm instead.
 *
 * Arrays are reused by the caller from sample to sample on the firmware (no allocation per
 * sample), so the model must copy what it keeps, never hold on to the arrays.
 */
export interface Sample {
  /** Time of the sample (ms) on the board's own clock; monotonic within one boot. */
  tMs: number;
  /** Per-cell voltage (V), cell 0 at the pack's negative end; NaN = invalid channel. */
  cellV: ArrayLike<number>;
  /** Pack current (A), + = charge; NaN = invalid channel. */
  currentA: number;
  /** Temperatures (°C), one per NTC; NaN = invalid channel. */
  tempC: ArrayLike<number>;
  /**
   * 1 when the pack is known to be at open circuit (a relay is open, or the operator marked
   * a rest), so the current reading is pure sensor offset; 0 otherwise.
   */
  openCircuit: number;
}

/** Build a sample with fresh arrays (host and tests; the firmware reuses its own). */
export function makeSample(
  tMs: number,
  cellV: number[],
  currentA: number,
  tempC: number[],
  openCircuit: number,
): Sample {
  return { tMs, cellV, currentA, tempC, openCircuit };
}
