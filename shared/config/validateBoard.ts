/**
 * Board-file validation: `validateBoard(x)` returns `x` as a `BoardDef` or throws an Error whose
 * message names the field, quotes the bad value and lists what is accepted, e.g.
 *   board.voltages[2].pin: got "D12"; accepted: one of D32, D33, …, D39 (ESP32 ADC1)
 * Runs at build time (host); kept inside the Espruino subset so the board could use it too.
 */
import { checkCalibration, type AdcCalibration } from "../sensors/calibration";
import {
  ADS1115_DATA_RATES_SPS,
  ADS1115_FSRS_V,
  ADS1115_MUXES,
  ESP32_ADC1_PINS,
  ESP32_ATTEN_DB,
  INA226_AVERAGES,
  INA226_CONV_TIMES_US,
  type BoardDef,
} from "./boardDef";

/** ADS1115 7-bit addresses (SBAS444 table 4: ADDR to GND, VDD, SDA, SCL). */
const ADS1115_ADDRESSES = [72, 73, 74, 75];
/** INA226 7-bit addresses 0x40…0x4F (SBOS547 table 2). */
const INA226_ADDR_MIN = 64;
const INA226_ADDR_MAX = 79;
/** I2C standard-mode and fast-mode clocks (Hz) (NXP UM10204 table 10). */
const I2C_BITRATES_HZ = [100000, 400000];
/** Largest divider ratio accepted: beyond it a tap's resolution is worse than ~10 mV on any ADC here. */
const MAX_DIVIDER_RATIO = 50;

type Obj = Record<string, unknown>;

function q(v: unknown): string {
  if (typeof v === "string") return '"' + v + '"';
  if (v === undefined) return "nothing";
  return JSON.stringify(v);
}

function fail(field: string, v: unknown, accepted: string): never {
  throw new Error("board." + field + ": got " + q(v) + "; accepted: " + accepted);
}

function obj(field: string, v: unknown): Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail(field, v, "an object");
  return v as Obj;
}

function num(field: string, v: unknown, min: number, max: number, what: string): number {
  if (typeof v !== "number" || !isFinite(v) || v < min || v > max) fail(field, v, what);
  return v as number;
}

function oneOf(field: string, v: unknown, list: unknown[]): void {
  if (list.indexOf(v) < 0) fail(field, v, "one of " + list.join(", "));
}

function str(field: string, v: unknown): string {
  if (typeof v !== "string" || v.length === 0) fail(field, v, "a non-empty string");
  return v as string;
}

function cal(field: string, v: unknown, required: boolean): void {
  if (v === undefined && !required) return;
  obj(field, v);
  const p = checkCalibration(v as AdcCalibration);
  if (p.length > 0) throw new Error("board." + field + ": " + p.join("; "));
}

function input(field: string, c: Obj, b: Obj, allowIna: boolean): void {
  const chips = allowIna ? ["esp32adc", "ads1115", "ina226"] : ["esp32adc", "ads1115"];
  oneOf(field + ".chip", c.chip, chips);
  if (c.chip === "esp32adc") {
    oneOf(field + ".pin", c.pin, ESP32_ADC1_PINS);
    oneOf(field + ".attenDb", c.attenDb, ESP32_ATTEN_DB);
    cal(field + ".cal", c.cal, true);
  } else if (c.chip === "ads1115") {
    const list = (b.ads1115 || []) as Obj[];
    let found = false;
    for (let i = 0; i < list.length; i++) if (list[i].address === c.address) found = true;
    if (!found) {
      const addrs: unknown[] = [];
      for (let i = 0; i < list.length; i++) addrs.push(list[i].address);
      fail(field + ".address", c.address, "an address listed in board.ads1115 (" + (addrs.length ? addrs.join(", ") : "none listed") + ")");
    }
    oneOf(field + ".mux", c.mux, ADS1115_MUXES);
    oneOf(field + ".pgaFsrV", c.pgaFsrV, ADS1115_FSRS_V);
    cal(field + ".cal", c.cal, false);
  } else {
    if (b.ina226 === undefined) fail(field + ".chip", c.chip, "ina226 only when board.ina226 is defined");
    cal(field + ".cal", c.cal, false);
  }
}

/** The I2C bus (required when a chip on it is listed), the ADS1115 list and the INA226. */
function checkI2cChips(b: Obj): void {
  const usesI2c = b.ads1115 !== undefined || b.ina226 !== undefined;
  if (usesI2c || b.i2c !== undefined) {
    const i = obj("i2c", b.i2c);
    oneOf("i2c.bus", i.bus, ["I2C1", "I2C2"]);
    str("i2c.sclPin", i.sclPin);
    str("i2c.sdaPin", i.sdaPin);
    oneOf("i2c.bitrateHz", i.bitrateHz, I2C_BITRATES_HZ);
  }
  if (b.ads1115 !== undefined) {
    if (!Array.isArray(b.ads1115) || b.ads1115.length === 0) fail("ads1115", b.ads1115, "a non-empty array of chips");
    const a = b.ads1115 as unknown[];
    for (let k = 0; k < a.length; k++) {
      const c = obj("ads1115[" + k + "]", a[k]);
      oneOf("ads1115[" + k + "].address", c.address, ADS1115_ADDRESSES);
      for (let j = 0; j < k; j++) {
        if ((a[j] as Obj).address === c.address) fail("ads1115[" + k + "].address", c.address, "an address not used by another ADS1115");
      }
      oneOf("ads1115[" + k + "].dataRateSps", c.dataRateSps, ADS1115_DATA_RATES_SPS);
    }
  }
  if (b.ina226 !== undefined) {
    const n = obj("ina226", b.ina226);
    num("ina226.address", n.address, INA226_ADDR_MIN, INA226_ADDR_MAX, "an integer 64…79 (0x40…0x4F)");
    if (Math.floor(n.address as number) !== n.address) fail("ina226.address", n.address, "an integer 64…79 (0x40…0x4F)");
    num("ina226.shuntOhm", n.shuntOhm, 1e-5, 100, "a resistance 1e-5…100 Ω");
    num("ina226.maxCurrentA", n.maxCurrentA, 1e-3, 1000, "a current 0.001…1000 A");
    oneOf("ina226.averages", n.averages, INA226_AVERAGES);
    oneOf("ina226.shuntConvTimeUs", n.shuntConvTimeUs, INA226_CONV_TIMES_US);
    oneOf("ina226.busConvTimeUs", n.busConvTimeUs, INA226_CONV_TIMES_US);
  }
}

/** The current channel: its input, shunt, polarity and (ESP32 ADC) sense amplifier. */
function checkCurrent(b: Obj): Obj {
  const cur = obj("current", b.current);
  input("current", cur, b, true);
  num("current.shuntOhm", cur.shuntOhm, 1e-5, 100, "a resistance 1e-5…100 Ω");
  oneOf("current.polarity", cur.polarity, [1, -1]);
  if (cur.chip === "ina226" && cur.shuntOhm !== (b.ina226 as Obj).shuntOhm) {
    fail("current.shuntOhm", cur.shuntOhm, "the same value as ina226.shuntOhm (" + q((b.ina226 as Obj).shuntOhm) + ")");
  }
  if (cur.chip === "esp32adc") {
    const a = obj("current.senseAmp", cur.senseAmp);
    num("current.senseAmp.gain", a.gain, 1, 10000, "a gain 1…10000 V/V");
    num("current.senseAmp.refV", a.refV, 0, 3.3, "a reference 0…3.3 V");
  }
  return cur;
}

/** One temperature channel `f`: its input, NTC model and divider supply. */
function checkTemp(f: string, c: Obj, b: Obj): void {
  input(f, c, b, false);
  const n = obj(f + ".ntc", c.ntc);
  oneOf(f + ".ntc.model", n.model, ["beta", "steinhartHart"]);
  if (n.model === "beta") {
    num(f + ".ntc.r0Ohm", n.r0Ohm, 10, 1e7, "a resistance 10…1e7 Ω");
    num(f + ".ntc.t0C", n.t0C, -50, 150, "a temperature −50…150 °C");
    num(f + ".ntc.betaK", n.betaK, 1000, 10000, "a Beta 1000…10000 K");
  } else {
    num(f + ".ntc.shA", n.shA, -1, 1, "a Steinhart–Hart A coefficient (1/K)");
    num(f + ".ntc.shB", n.shB, -1, 1, "a Steinhart–Hart B coefficient (1/K)");
    num(f + ".ntc.shC", n.shC, -1, 1, "a Steinhart–Hart C coefficient (1/K)");
  }
  num(f + ".ntc.rFixedOhm", n.rFixedOhm, 10, 1e7, "a resistance 10…1e7 Ω");
  if (typeof n.ntcLowSide !== "boolean") fail(f + ".ntc.ntcLowSide", n.ntcLowSide, "true or false");
  num(f + ".ntc.minTempC", n.minTempC, -100, 300, "a temperature −100…300 °C");
  num(f + ".ntc.maxTempC", n.maxTempC, (n.minTempC as number) + 1, 300, "a temperature above ntc.minTempC, up to 300 °C");
  num(f + ".supplyV", c.supplyV, 0.5, 5.5, "a supply 0.5…5.5 V");
}

/** One pin, one use: no ESP32 ADC pin read by two channels, the protection pin by none. */
function checkPins(b: Obj, channels: Obj[]): void {
  const pins: string[] = [];
  for (let k = 0; k < channels.length; k++) {
    if (channels[k].chip !== "esp32adc") continue;
    const p = channels[k].pin as string;
    if (pins.indexOf(p) >= 0) fail("pins", p, "each ESP32 ADC pin used by one channel only");
    pins.push(p);
  }
  if (b.protection !== undefined) {
    const p = obj("protection", b.protection);
    str("protection.pin", p.pin);
    if (pins.indexOf(p.pin as string) >= 0) fail("protection.pin", p.pin, "a pin not used by an analog channel");
    if (typeof p.activeHigh !== "boolean") fail("protection.activeHigh", p.activeHigh, "true or false");
  }
}

/** Check a parsed board file; returns it typed, or throws naming the first bad field. */
export function validateBoard(x: unknown): BoardDef {
  const b = obj("(root)", x);
  str("id", b.id);
  str("description", b.description);
  if (b.sources !== undefined && !Array.isArray(b.sources)) fail("sources", b.sources, "an array of strings");
  checkI2cChips(b);
  oneOf("cellWiring", b.cellWiring, ["taps", "cells"]);
  if (!Array.isArray(b.voltages) || b.voltages.length === 0) fail("voltages", b.voltages, "a non-empty array of voltage channels");
  const vs = b.voltages as unknown[];
  for (let k = 0; k < vs.length; k++) {
    const f = "voltages[" + k + "]";
    const c = obj(f, vs[k]);
    input(f, c, b, false);
    num(f + ".dividerRatio", c.dividerRatio, 1, MAX_DIVIDER_RATIO, "a ratio 1…" + MAX_DIVIDER_RATIO + " (1 = no divider)");
  }
  const cur = checkCurrent(b);
  if (!Array.isArray(b.temps)) fail("temps", b.temps, "an array of temperature channels (may be empty)");
  const ts = b.temps as unknown[];
  for (let k = 0; k < ts.length; k++) checkTemp("temps[" + k + "]", obj("temps[" + k + "]", ts[k]), b);
  checkPins(b, vs.concat([cur], ts) as Obj[]);
  return x as BoardDef;
}
