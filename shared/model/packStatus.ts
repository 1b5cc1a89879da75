/**
 * Live numbers of a pack for telemetry and displays, built by PackModel.status() (allocates:
 * call at telemetry rate, not per sample).
 */
import type { SegmentCode } from "./events";

export interface PackStatus {
  /** Time of the latest sample (ms, board clock). */
  tMs: number;
  /** Cell voltages (V), NaN = invalid channel. */
  cellV: number[];
  /** Pack current (A), + = charge, offset-corrected; 0 at open circuit; NaN = invalid. */
  currentA: number;
  /** Temperatures (°C), NaN = invalid channel. */
  tempC: number[];
  /** SOC per cell (fraction 0…1). */
  socFrac: number[];
  /** Present segment (SEG_REST / SEG_CHARGE / SEG_DISCHARGE). */
  segment: SegmentCode;
  /** Completed cycles. */
  cycleCount: number;
  /** Charge and discharge throughput since the model started (Ah, ≥ 0). */
  chargeAh: number;
  dischargeAh: number;
  /** Last cycle's CE, its half-width and EE (fractions; NaN before the first or if partial). */
  lastCe: number;
  lastCeBound: number;
  lastEe: number;
  /** Bit i = row i of config.alarms active. */
  alarmMask: number;
  /** Current offset being subtracted (A). */
  offsetA: number;
  /** Gaps counted so far (Δt > maxGapMs, Δt ≤ 0, bad time). */
  gapCount: number;
  /** Invalid channels in the latest sample (cells + temperatures + current). */
  sensorFault: number;
}
