/**
 * ESP32 ADC1 through Espruino: `ESP32.setAtten(pin, code)` once at setup, `analogRead(pin)`
 * (raw / 4096) per reading. Conversion to volts (calibration, rail and range checks) is
 * shared/sensors/esp32Adc's; this driver only talks to the hardware and never throws.
 */
import { ESP32_ATTEN_DB, type Esp32AdcInput } from "../../shared/config/boardDef";
import { esp32CodeFromFraction } from "../../shared/sensors/esp32Adc";
import type { Hw } from "./hw";
import { driverError, type DriverStatus } from "./driverStatus";

/** What setup applied to one pin. */
export interface Esp32AdcApplied {
  pin: string;
  /** Attenuation code passed to ESP32.setAtten (0…3 = 0, 2.5, 6, 11 dB). */
  attenCode: number;
  attenDb: number;
  /** false when setAtten threw (the pin then reads at Espruino's default, 11 dB). */
  ok: boolean;
}

export function esp32AdcSetup(hw: Hw, input: Esp32AdcInput): Esp32AdcApplied {
  const code = ESP32_ATTEN_DB.indexOf(input.attenDb);
  let ok = code >= 0;
  if (ok) {
    try {
      hw.setAtten(input.pin, code);
    } catch (e) {
      ok = false;
    }
  }
  return { pin: input.pin, attenCode: code, attenDb: input.attenDb, ok: ok };
}

/** One reading as analogRead's fraction (raw / 4096); NaN (and an error) when the read fails or is no code. */
export function esp32AdcReadFraction(hw: Hw, pin: string, st: DriverStatus): number {
  let f: number;
  try {
    f = hw.analogRead(pin);
  } catch (e) {
    return driverError(st, "adc " + pin + ": read failed");
  }
  if (isNaN(esp32CodeFromFraction(f))) return driverError(st, "adc " + pin + ": not a reading " + f);
  return f;
}
