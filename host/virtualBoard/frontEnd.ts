/**
 * The analog front end of a board definition: which volts appear at every chip input when the
 * pack is in a given state, wired as `hardware/boards/<id>.json` says (dividers, taps, shunt,
 * sense amplifier, NTC dividers), plus sensor-fault injection. The chip emulators
 * (`chips/`) and the ESP32 ADC turn these volts into codes.
 */
import type { BoardDef, TempChannelDef, VoltageChannelDef, CurrentChannelDef, Ads1115Mux } from "../../shared/config/boardDef.js";
import { ntcBetaResistance, ntcRatioFromResistance, ntcSteinhartHartResistance, type NtcParams } from "../../shared/sensors/ntc.js";
import { applyCalibration, type AdcCalibration } from "../../shared/sensors/calibration.js";
import { ESP32_ADC_MAX_CODE } from "../../shared/sensors/esp32Adc.js";

/** What the pack presents to the board at one instant. Units: V, A (+ = charge), °C. */
export interface PackState {
  cellV: ArrayLike<number>;
  currentA: number;
  tempC: ArrayLike<number>;
}
/** The pack's state at a board time (ms since the board powered on). */
export type PackSource = (tMs: number) => PackState;

/** Injected sensor faults. */
export interface SensorFaults {
  /** Temperature channels whose NTC is open (wire broken). */
  openNtc: Set<number>;
  /** ESP32 pins forced to a rail: "high" = ADC full scale, "low" = 0. */
  adcRail: Map<string, "high" | "low">;
}

/** ESP32 ADC full-scale input per attenuation 0/2.5/6/11 dB (V), approximate (ESP-IDF ADC docs, "ADC attenuation"). */
export const ESP32_NOMINAL_FULL_SCALE_V = [1.1, 1.5, 2.2, 3.9];
const ATTEN_DBS = [0, 2.5, 6, 11];
/** Bisection steps for inverting a calibration over codes 0…4095 (2^12 codes). */
const INVERT_STEPS = 13;

const MUX_INPUTS: Record<Ads1115Mux, [number, number]> = {
  "AIN0-AIN1": [0, 1], "AIN0-AIN3": [0, 3], "AIN1-AIN3": [1, 3], "AIN2-AIN3": [2, 3],
  AIN0: [0, -1], AIN1: [1, -1], AIN2: [2, -1], AIN3: [3, -1],
};

/** NTC resistance (Ω) at `tempC`. */
export function ntcResistanceAt(tempC: number, p: NtcParams): number {
  return p.model === "beta"
    ? ntcBetaResistance(tempC, p.r0Ohm, p.t0C, p.betaK)
    : ntcSteinhartHartResistance(tempC, p.shA, p.shB, p.shC);
}

/** The calibration over all codes: piecewise ones extended linearly beyond their end points (they return NaN there). */
export function calibrationExtended(cal: AdcCalibration, raw: number): number {
  if (cal.kind !== "piecewise") return applyCalibration(cal, raw);
  const r = cal.raws;
  const v = cal.volts;
  const n = r.length;
  if (raw < r[0]!) return v[0]! + ((raw - r[0]!) * (v[1]! - v[0]!)) / (r[1]! - r[0]!);
  if (raw > r[n - 1]!) return v[n - 1]! + ((raw - r[n - 1]!) * (v[n - 1]! - v[n - 2]!)) / (r[n - 1]! - r[n - 2]!);
  return applyCalibration(cal, raw);
}

/** The ESP32 ADC code the board's own calibration maps to `pinV` (inverse, by bisection); clipped to 0…4095. */
export function invertCalibration(cal: AdcCalibration, pinV: number): number {
  const f = (code: number): number => calibrationExtended(cal, code);
  let lo = 0;
  let hi = ESP32_ADC_MAX_CODE;
  if (!(pinV > f(lo))) return 0;
  if (pinV >= f(hi)) return ESP32_ADC_MAX_CODE;
  for (let i = 0; i < INVERT_STEPS && hi - lo > 1; i++) {
    const mid = Math.floor((lo + hi) / 2);
    if (f(mid) <= pinV) lo = mid;
    else hi = mid;
  }
  return pinV - f(lo) <= f(hi) - pinV ? lo : hi;
}

type Getter = (s: PackState) => number;

export class AnalogFrontEnd {
  readonly faults: SensorFaults = { openNtc: new Set(), adcRail: new Map() };
  /** Chip input nodes: "ads:<addr>:<ain>" / "esp:<pin>" / "ina:shunt" / "ina:bus" → volts from the pack state. */
  private readonly nodes = new Map<string, Getter>();
  /** ESP32 pins → calibration and attenuation of the channel wired there. */
  readonly esp32Pins = new Map<string, { cal: AdcCalibration; attenDb: number }>();

  constructor(readonly board: BoardDef, private readonly source: PackSource) {
    board.voltages.forEach((ch, k) => this.wireVoltage(ch, k));
    this.wireCurrent(board.current);
    board.temps.forEach((ch, k) => this.wireTemp(ch, k));
    this.nodes.set("ina:bus", (s) => sum(s.cellV, s.cellV.length - 1));
  }

  private place(input: VoltageChannelDef | CurrentChannelDef | TempChannelDef, g: Getter): void {
    if (input.chip === "ads1115") {
      const [p, n] = MUX_INPUTS[input.mux];
      this.nodes.set(`ads:${input.address}:${p}`, g);
      if (n >= 0 && !this.nodes.has(`ads:${input.address}:${n}`)) this.nodes.set(`ads:${input.address}:${n}`, () => 0);
    } else if (input.chip === "esp32adc") {
      this.nodes.set(`esp:${input.pin}`, g);
      this.esp32Pins.set(input.pin, { cal: input.cal, attenDb: input.attenDb });
    } else {
      this.nodes.set("ina:shunt", g);
    }
  }

  private wireVoltage(ch: VoltageChannelDef, k: number): void {
    const taps = this.board.cellWiring === "taps";
    this.place(ch, (s) => (taps ? sum(s.cellV, k) : s.cellV[k] ?? 0) / ch.dividerRatio);
  }

  private wireCurrent(ch: CurrentChannelDef): void {
    const shunt: Getter = (s) => ch.polarity * s.currentA * ch.shuntOhm;
    if (ch.chip === "esp32adc") {
      const amp = ch.senseAmp ?? { gain: 1, refV: 0 };
      this.place(ch, (s) => amp.refV + amp.gain * shunt(s));
    } else {
      this.place(ch, shunt);
    }
  }

  private wireTemp(ch: TempChannelDef, k: number): void {
    this.place(ch, (s) => {
      if (this.faults.openNtc.has(k)) return ch.ntc.ntcLowSide ? ch.supplyV : 0;
      const t = s.tempC[k] ?? 25;
      return ntcRatioFromResistance(ntcResistanceAt(t, ch.ntc), ch.ntc.rFixedOhm, ch.ntc.ntcLowSide) * ch.supplyV;
    });
  }

  private volts(node: string, tMs: number): number {
    const g = this.nodes.get(node);
    return g ? g(this.source(tMs)) : 0;
  }

  /** Volts at ADS1115 `address` input AIN`ain` (single-ended, vs GND). */
  adsInputV(address: number, ain: number, tMs: number): number {
    return this.volts(`ads:${address}:${ain}`, tMs);
  }

  inaShuntV(tMs: number): number {
    return this.volts("ina:shunt", tMs);
  }

  inaBusV(tMs: number): number {
    return this.volts("ina:bus", tMs);
  }

  /** Volts at an ESP32 pin. */
  esp32PinV(pin: string, tMs: number): number {
    return this.volts(`esp:${pin}`, tMs);
  }

  /**
   * The ideal ESP32 ADC: the code the board's own calibration maps to the pin volts when the
   * firmware set the calibrated attenuation; a nominal linear range otherwise; rail faults win.
   */
  esp32Code(pin: string, attenDb: number, tMs: number): number {
    const rail = this.faults.adcRail.get(pin);
    if (rail === "high") return ESP32_ADC_MAX_CODE;
    if (rail === "low") return 0;
    const v = this.esp32PinV(pin, tMs);
    const wired = this.esp32Pins.get(pin);
    if (wired && wired.attenDb === attenDb) return invertCalibration(wired.cal, v);
    const fs = ESP32_NOMINAL_FULL_SCALE_V[Math.max(0, ATTEN_DBS.indexOf(attenDb))]!;
    return Math.max(0, Math.min(ESP32_ADC_MAX_CODE, Math.round((v / fs) * ESP32_ADC_MAX_CODE)));
  }
}

function sum(a: ArrayLike<number>, lastIndex: number): number {
  let t = 0;
  for (let i = 0; i <= lastIndex && i < a.length; i++) t += a[i]!;
  return t;
}
