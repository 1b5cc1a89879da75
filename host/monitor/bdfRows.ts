/**
 * Turn the stream of decoded samples of one pack into Battery Data Format rows for one cell
 * (one builder per cell, one row per sample; the series current is the same for every cell).
 *
 * - Test Time / s: board time since the first sample of the session; after a board reset the
 *   board clock restarts, so time continues from the last sample before the reset (the reset
 *   itself is marked in the raw log; its true duration is unknown to the board).
 * - Cycle Count / 1: the board's cycle number when it sends one, else 1.
 * - Step Count / 1: +1 at every change of state (charge / discharge / rest), starting at 1.
 * - Charging/Discharging Capacity / Ah and Energy / Wh: running totals from the start of the
 *   session (BDF ontology: cumulative from the test's start, never reset between steps or
 *   cycles), integrated here from the samples by the trapezoid rule.
 */
import type { BdfRow } from "../bdf/writer";
import type { SampleRecord } from "./monitorRecord";
import { MS_PER_H } from "../../shared/units";

export class BdfRowBuilder {
  /** Which cell's voltage this builder writes (0 = the pack's negative end). */
  readonly cellIndex: number;
  private started = false;
  private timeOffsetS = 0;
  private lastTMs = NaN;
  private lastTestTimeS = 0;
  private lastCurrentA = NaN;
  private lastCellV = NaN;
  private lastSegment = NaN;
  private step = 0;
  private chargeAh = 0;
  private dischargeAh = 0;
  private chargeWh = 0;
  private dischargeWh = 0;

  constructor(cellIndex: number) {
    this.cellIndex = cellIndex;
  }

  /** The board rebooted: its clock restarts; do not integrate across the reset. */
  boardRestarted(): void {
    this.started = false;
    this.lastTMs = NaN;
  }

  /** The row of this cell for one sample (energy from this cell's voltage × pack current). */
  next(s: SampleRecord): BdfRow {
    if (!this.started) {
      this.started = true;
      // the first sample of the session is test time 0; the first after a reset continues from the last
      this.timeOffsetS = this.lastTestTimeS - s.tMs / 1000;
    }
    // max(): the rebased first row after a reset must not land one rounding step before the last row
    const testTimeS = Math.max(this.lastTestTimeS, this.timeOffsetS + s.tMs / 1000);
    const cellV = this.cellIndex < s.cellV.length ? s.cellV[this.cellIndex]! : NaN;
    const cycle = Number.isFinite(s.cycleIndex) ? s.cycleIndex : 1;
    const segment = Number.isFinite(s.segment) ? s.segment : 0;
    if (segment !== this.lastSegment) {
      this.step++;
      this.lastSegment = segment;
    }
    const dtMs = s.tMs - this.lastTMs;
    if (dtMs > 0 && Number.isFinite(this.lastCurrentA) && Number.isFinite(s.currentA)) {
      const meanA = (this.lastCurrentA + s.currentA) / 2;
      const meanW = (this.lastCurrentA * this.lastCellV + s.currentA * cellV) / 2;
      const ah = (meanA * dtMs) / MS_PER_H;
      const wh = (meanW * dtMs) / MS_PER_H;
      if (Number.isFinite(ah) && Number.isFinite(wh)) {
        if (ah >= 0) this.chargeAh += ah;
        else this.dischargeAh -= ah;
        if (wh >= 0) this.chargeWh += wh;
        else this.dischargeWh -= wh;
      }
    }
    this.lastTMs = s.tMs;
    this.lastCurrentA = s.currentA;
    this.lastCellV = cellV;
    this.lastTestTimeS = testTimeS;
    return {
      testTimeS,
      voltageV: cellV,
      currentA: s.currentA,
      cycleCount: cycle,
      stepCount: this.step,
      ambientTempC: s.tempC.length > 0 ? s.tempC[0]! : NaN,
      chargingCapacityAh: this.chargeAh,
      dischargingCapacityAh: this.dischargeAh,
      chargingEnergyWh: this.chargeWh,
      dischargingEnergyWh: this.dischargeWh,
    };
  }
}
