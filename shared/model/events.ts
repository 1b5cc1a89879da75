/**
 * What the model emits: records and events. Plain objects of numbers (and a `kind` tag),
 * allocated only when something happens (a cycle ends, an alarm changes), never per sample.
 */
import type { AlarmId, AlarmLevel } from "../config/packConfig";

/** Segment (operating state) codes; numbers so they live in numeric state. */
export const SEG_REST = 0;
export const SEG_CHARGE = 1;
export const SEG_DISCHARGE = 2;
export type SegmentCode = 0 | 1 | 2;

/** Cycle flags (bitmask) carried by a cycle record. */
export const CYCLE_FLAG_PARTIAL = 1; // a half shorter than minHalfCapacityFrac, or run started mid-half
export const CYCLE_FLAG_GAP = 2; // a time gap fell inside the cycle
export const CYCLE_FLAG_RESTORED = 4; // the model was restored from a snapshot during the cycle
export const CYCLE_FLAG_SENSOR_FAULT = 8; // an invalid current or voltage channel during the cycle
export const CYCLE_FLAG_UNBALANCED = 16; // CE outside [CE_PLAUSIBLE_MIN, CE_PLAUSIBLE_MAX]: halves not one cycle (pulses, HPPC)

/**
 * A "cycle" whose CE falls outside this range is not a charge and a discharge of the same
 * capacity (a pulse test, HPPC, a step the cycler counts differently): its CE is reported, but
 * flagged and kept out of cumulative and rolling CE. Engineering choice: practical Zn pouch
 * cells run 0.9–1.0 (article: ~97.5 %); first Zn‖Cu cycles can fall to ~0.6; no real cycle
 * returns 1.5× the charge it took in.
 */
export const CE_PLAUSIBLE_MIN = 0.5;
export const CE_PLAUSIBLE_MAX = 1.5;

/** One completed cycle (a charge half and a discharge half, in the configured order). */
export interface CycleRecord {
  /** 1-based cycle number. */
  index: number;
  startTMs: number;
  endTMs: number;
  chargeAh: number;
  dischargeAh: number;
  chargeWh: number;
  dischargeWh: number;
  /** Coulombic efficiency (fraction): dischargeAh/chargeAh (charge first) or chargeAh/dischargeAh (discharge first). */
  ce: number;
  /** Half-width of the CE uncertainty interval (fraction): true CE in [ce − ceBound, ce + ceBound]. */
  ceBound: number;
  /** Energy efficiency (fraction), same orientation as ce. */
  ee: number;
  /** Voltage efficiency = ee / ce. */
  ve: number;
  /** Mean pack voltage during charge / discharge (V) = energy / capacity. */
  meanChargeV: number;
  meanDischargeV: number;
  /** meanChargeV − meanDischargeV (V). */
  voltageGapV: number;
  chargeDurationS: number;
  dischargeDurationS: number;
  tempMinC: number;
  tempMaxC: number;
  /** CYCLE_FLAG_* bitmask. */
  flags: number;
  /** Cumulative CE over all unflagged cycles so far (product of CEs^(1/n): geometric mean). */
  cumulativeCe: number;
  /** Rolling mean CE of the last few unflagged cycles. */
  rollingCe: number;
  /** Projected cycles to 80 % retention, N = ln 0.8 / ln CE (Infinity when CE ≥ 1). */
  cyclesTo80: number;
  /** Same projection at CE − bound and CE + bound. */
  cyclesTo80Low: number;
  cyclesTo80High: number;
  /** Net charge counted at open circuit inside the cycle (Ah, + = in): rests' residual current,
   *  left out of chargeAh/dischargeAh (taken as zero) and added, as |restAh|, to ceBound's error. */
  restAh: number;
}

/** One completed open-circuit rest and its self-discharge analysis. */
export interface RestRecord {
  index: number;
  startTMs: number;
  endTMs: number;
  durationS: number;
  /** Segment before the rest (SEG_CHARGE or SEG_DISCHARGE, or SEG_REST if none). */
  after: SegmentCode;
  /** Voltage drop during the relaxation window (V, mean over cells, positive = fell). */
  relaxationDropV: number;
  /** Steady slope after relaxation (mV/h, mean over cells; negative = falling). */
  steadySlopeMVPerH: number;
  /** Worst cell's steady slope (mV/h). */
  worstSlopeMVPerH: number;
  /** Estimate of the charge lost during the rest from its steady voltage fall through the OCV
   *  curve (Ah); NaN when not determinable (the curve is a plateau where the cells rest) or the
   *  rest had no steady part. The counted figure comes with the `retention` event. */
  chargeLostEstAh: number;
  /** 1 when the steady slope crossed its alarm threshold. */
  faulty: number;
}

export type ModelEvent =
  | { kind: "cycle"; tMs: number; cycle: CycleRecord }
  | { kind: "rest"; tMs: number; rest: RestRecord }
  /** After a rest that followed a charge: retention = discharge Ah after ÷ charge Ah before;
   *  chargeLostAh = charge lost to the rest (counted: charge before × unrested pairs' CE −
   *  discharge after, within [0, the pair's loss]); rcld = Σ lost to rests ÷ Σ pairs' losses. */
  | { kind: "retention"; tMs: number; restIndex: number; retention: number; rcld: number; chargeLostAh: number }
  | { kind: "alarm"; tMs: number; id: AlarmId; level: AlarmLevel; raised: boolean; value: number }
  | { kind: "segment"; tMs: number; from: SegmentCode; to: SegmentCode }
  | { kind: "gap"; tMs: number; dtMs: number }
  | { kind: "adams"; tMs: number; ce: number; ceBound: number };

export type EventSink = (ev: ModelEvent) => void;
