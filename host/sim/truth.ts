/**
 * Ground truth a protocol run produces, known exactly because the simulator made it: per
 * cycle, per rest. Charges in Ah (magnitudes), energies in Wh at the pack terminals.
 */

/** One true cycle: a charge half plus a discharge half (order as configured). */
export interface CycleTruth {
  /** 1-based. */
  index: number;
  startS: number;
  endS: number;
  /** Charge put in / taken out at the terminals (Ah, ≥ 0). */
  chargeAh: number;
  dischargeAh: number;
  /** Terminal energy in / out (Wh, ≥ 0), pack level. */
  chargeWh: number;
  dischargeWh: number;
  /** True coulombic efficiency (fraction): discharge/charge (charge first), else charge/discharge. */
  ce: number;
  /** True energy efficiency (fraction), same orientation; VE = EE / CE. */
  ee: number;
  ve: number;
  /** 1 when a rest fell inside the cycle (its CE is then a retention, "CE after shelving"). */
  hadRest: number;
}

/** One true rest (open circuit). */
export interface RestTruth {
  index: number;
  startS: number;
  endS: number;
  durationS: number;
  /** What came before: "charge", "discharge" or "none". */
  after: "charge" | "discharge" | "none";
  /** 1 when this was a random rest test. */
  random: number;
  /** 1 when any cell of the pack has faulty self-discharge. */
  faulty: number;
  /** Per cell: SOC at start and end (fraction). */
  socStart: number[];
  socEnd: number[];
  /** Per cell: charge lost to leaks during the rest (Ah). */
  leakAh: number[];
  /** Per cell: capacity lost for good during the rest (Ah): the calendar loss (Rcld's numerator). */
  calendarLossAh: number[];
  /** Per cell: mean self-discharge rate (fraction of capacity per hour). */
  selfDischargeFracPerH: number[];
  /** Per cell: terminal-voltage slope over the rest's second half (mV/h, negative = falling). */
  lateSlopeMVPerH: number[];
  /** Per cell: terminal-voltage drop over the first hour (V, positive = fell): the relaxation. */
  firstHourDropV: number[];
  /** Retention = discharge capacity after the rest / charge capacity before it (NaN until known, or not after a charge). */
  retention: number;
}
