/**
 * Per-channel calibration of a raw ADC reading, and resistive dividers.
 *
 * API (pure functions, no allocation on the conversion path):
 * - `TwoPointCal`, `PiecewiseCal`, `AdcCalibration` — a channel's calibration as data
 *   (e.g. from `hardware/boards/*.json`): raw reading (ADC code) → volts at the ADC pin.
 * - `twoPointCal(raw1, volts1, raw2, volts2)` / `piecewiseCal(raws, volts)` — build one;
 *   throw a message naming the problem when the points cannot define a calibration.
 * - `checkCalibration(cal)` — list of problems (empty = usable), for config validation.
 * - `applyTwoPoint(cal, raw)`, `applyPiecewise(cal, raw)`, `applyCalibration(cal, raw)` →
 *   volts, or NaN when `raw` is NaN or (piecewise) outside the calibrated span. A piecewise
 *   table is never extrapolated: outside the span the channel is uncalibrated, hence invalid.
 * - `dividerRatio(rTopOhm, rBottomOhm)` = (Rtop + Rbottom) / Rbottom (≥ 1), input V = pin V × ratio;
 *   `dividerInputV(pinV, ratio)`, `dividerPinV(inputV, ratio)` (the inverse, for simulators).
 *
 * Why per channel: the ESP32's ADC has no factory calibration applied by Espruino and a
 * gain/offset that varies from chip to chip and channel to channel (ESP-IDF "ADC
 * calibration" notes); a two-point fit per channel removes offset and gain, a piecewise
 * table also the bow of its transfer curve near the ends.
 */
import { OUT_OF_RANGE } from "../config/physicalLimits";

/** Straight line through two measured points (raw reading → volts at the pin). */
export interface TwoPointCal {
  kind: "twoPoint";
  raw1: number;
  volts1: number;
  raw2: number;
  volts2: number;
}

/** Piecewise-linear table: `raws` strictly increasing, `volts` strictly increasing, same length ≥ 2. */
export interface PiecewiseCal {
  kind: "piecewise";
  raws: number[];
  volts: number[];
}

export type AdcCalibration = TwoPointCal | PiecewiseCal;

/** Problems with a calibration (empty list = usable). Messages quote the bad values. */
export function checkCalibration(cal: AdcCalibration): string[] {
  const out: string[] = [];
  if (cal === null || typeof cal !== "object") {
    out.push("calibration must be an object, got " + String(cal));
    return out;
  }
  if (cal.kind === "twoPoint") {
    const f = [cal.raw1, cal.volts1, cal.raw2, cal.volts2];
    for (let i = 0; i < f.length; i++) {
      if (typeof f[i] !== "number" || !isFinite(f[i])) {
        out.push("two-point calibration needs finite numbers raw1, volts1, raw2, volts2; got " + String(f[i]));
        return out;
      }
    }
    if (cal.raw1 === cal.raw2) out.push("two-point calibration: raw1 = raw2 = " + cal.raw1 + "; the two points must differ");
    else if ((cal.volts2 - cal.volts1) / (cal.raw2 - cal.raw1) <= 0)
      out.push("two-point calibration: volts must rise with raw; got (" + cal.raw1 + ", " + cal.volts1 + ") and (" + cal.raw2 + ", " + cal.volts2 + ")");
    return out;
  }
  if (cal.kind === "piecewise") {
    if (!Array.isArray(cal.raws) || !Array.isArray(cal.volts)) {
      out.push("piecewise calibration needs arrays raws and volts");
      return out;
    }
    if (cal.raws.length !== cal.volts.length || cal.raws.length < 2)
      out.push("piecewise calibration needs raws and volts of equal length >= 2; got " + cal.raws.length + " and " + cal.volts.length);
    const n = Math.min(cal.raws.length, cal.volts.length);
    for (let i = 0; i < n; i++) {
      if (typeof cal.raws[i] !== "number" || !isFinite(cal.raws[i]) || typeof cal.volts[i] !== "number" || !isFinite(cal.volts[i])) {
        out.push("piecewise calibration point " + i + " is not two finite numbers: (" + String(cal.raws[i]) + ", " + String(cal.volts[i]) + ")");
        return out;
      }
      if (i > 0 && (cal.raws[i] <= cal.raws[i - 1] || cal.volts[i] <= cal.volts[i - 1]))
        out.push("piecewise calibration must rise strictly in raws and volts; point " + i + " (" + cal.raws[i] + ", " + cal.volts[i] + ") does not rise from (" + cal.raws[i - 1] + ", " + cal.volts[i - 1] + ")");
    }
    return out;
  }
  out.push('calibration kind must be "twoPoint" or "piecewise", got ' + String((cal as { kind: unknown }).kind));
  return out;
}

function throwIfBad(cal: AdcCalibration): AdcCalibration {
  const p = checkCalibration(cal);
  if (p.length > 0) throw new Error(p.join("; "));
  return cal;
}

/** Build a two-point calibration; throws when the points coincide or volts fall with raw. */
export function twoPointCal(raw1: number, volts1: number, raw2: number, volts2: number): TwoPointCal {
  return throwIfBad({ kind: "twoPoint", raw1: raw1, volts1: volts1, raw2: raw2, volts2: volts2 }) as TwoPointCal;
}

/** Build a piecewise-linear calibration (copies the arrays); throws when not strictly rising. */
export function piecewiseCal(raws: number[], volts: number[]): PiecewiseCal {
  return throwIfBad({ kind: "piecewise", raws: raws.slice(), volts: volts.slice() }) as PiecewiseCal;
}

/**
 * How far a new calibration's gain may stray from the channel's nominal gain (fraction). Wide
 * enough for every real chain: the ESP32 ADC's reference varies ±10 % chip to chip (ESP32 data
 * sheet, Vref 1000–1200 mV), 1 % divider resistors and shunts add a few %; narrow enough to
 * refuse a mistyped raw code or actual value (`cal v0 1.2 9600 1.6 9601` is 3 200× the gain).
 */
export const CAL_GAIN_TOLERANCE_FRAC = 0.25;

/** Volts per raw code over a calibration's span (first to last point). */
export function calSlope(cal: AdcCalibration): number {
  if (cal.kind === "twoPoint") return (cal.volts2 - cal.volts1) / (cal.raw2 - cal.raw1);
  const n = cal.raws.length - 1;
  return (cal.volts[n] - cal.volts[0]) / (cal.raws[n] - cal.raws[0]);
}

/** Why `cal` cannot replace a channel whose nominal gain is `nominalVPerCode`, or null. */
export function calGainProblem(cal: AdcCalibration, nominalVPerCode: number): string | null {
  const k = calSlope(cal) / nominalVPerCode;
  if (k >= 1 - CAL_GAIN_TOLERANCE_FRAC && k <= 1 + CAL_GAIN_TOLERANCE_FRAC) return null;
  return "gain " + Math.round(k * 1000) / 1000 + " x nominal" + OUT_OF_RANGE + (1 - CAL_GAIN_TOLERANCE_FRAC) + ".." + (1 + CAL_GAIN_TOLERANCE_FRAC) + " x (a typo?)";
}

/** Volts at the pin through the line of a two-point calibration (extrapolates linearly). */
export function applyTwoPoint(cal: TwoPointCal, raw: number): number {
  if (isNaN(raw)) return NaN;
  return cal.volts1 + ((raw - cal.raw1) * (cal.volts2 - cal.volts1)) / (cal.raw2 - cal.raw1);
}

/** Volts at the pin by linear interpolation; NaN outside [raws[0], raws[last]] (never extrapolated). */
export function applyPiecewise(cal: PiecewiseCal, raw: number): number {
  const r = cal.raws;
  const v = cal.volts;
  const n = r.length;
  if (isNaN(raw) || raw < r[0] || raw > r[n - 1]) return NaN;
  let i = 1;
  while (i < n - 1 && raw > r[i]) i++;
  return v[i - 1] + ((raw - r[i - 1]) * (v[i] - v[i - 1])) / (r[i] - r[i - 1]);
}

/** Volts at the pin for either calibration kind. */
export function applyCalibration(cal: AdcCalibration, raw: number): number {
  return cal.kind === "twoPoint" ? applyTwoPoint(cal, raw) : applyPiecewise(cal, raw);
}

/**
 * Ratio of a resistive divider (Rtop from the input to the pin, Rbottom from the pin to ground):
 * input V = pin V × (Rtop + Rbottom) / Rbottom. Returns NaN unless Rtop ≥ 0 and Rbottom > 0.
 */
export function dividerRatio(rTopOhm: number, rBottomOhm: number): number {
  if (!(rTopOhm >= 0) || !(rBottomOhm > 0) || !isFinite(rTopOhm) || !isFinite(rBottomOhm)) return NaN;
  return (rTopOhm + rBottomOhm) / rBottomOhm;
}

/** Voltage at the divider's input from the voltage at its tap. */
export function dividerInputV(pinV: number, ratio: number): number {
  return pinV * ratio;
}

/** Voltage at the divider's tap for a given input (inverse of `dividerInputV`; simulators). */
export function dividerPinV(inputV: number, ratio: number): number {
  return inputV / ratio;
}
