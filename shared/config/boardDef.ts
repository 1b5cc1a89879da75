/**
 * Board definition: what is wired where on one ESP32 board, as data (`hardware/boards/*.json`).
 * Every pin, address, divider, shunt and calibration constant the firmware uses comes from
 * here; the firmware keeps no second copy. `validateBoard.ts` checks a file against this type
 * and names the bad field. The virtual board (host/virtualBoard) reads the same files through these
 * types to wire its emulated chips.
 *
 * Channel chain, for every analog input:
 *   raw code (ESP32: 0…4095 from analogRead()×4096; ADS1115: signed 16-bit conversion code;
 *   INA226: signed shunt-voltage register code)
 *   → `cal` (shared/sensors/calibration: code → volts at the chip input; optional on the
 *     ADS1115/INA226, where the data-sheet LSB is the default)
 *   → × `dividerRatio` (volts at the node being measured; 1 = no divider)
 *   → cell volts / shunt volts ÷ `shuntOhm` × `polarity` / NTC °C.
 *
 * Units are in the field names. I2C addresses are 7-bit numbers (0x48 = 72: JSON has no hex).
 */
import type { AdcCalibration } from "../sensors/calibration";
import type { NtcParams } from "../sensors/ntc";

/** ESP32 ADC1 pins (GPIO32–39) in Espruino's pin names; ADC2 is unusable while Wi-Fi runs. */
export type Esp32AdcPin = "D32" | "D33" | "D34" | "D35" | "D36" | "D37" | "D38" | "D39";
export const ESP32_ADC1_PINS: Esp32AdcPin[] = ["D32", "D33", "D34", "D35", "D36", "D37", "D38", "D39"];

/** ESP32 ADC input attenuation (dB); `ESP32.setAtten(pin, code)` takes code 0…3 in this order. */
export type Esp32AttenDb = 0 | 2.5 | 6 | 11;
export { ESP32_ATTEN_DB } from "../sensors/esp32Adc";

/** ADS1115 input multiplexer settings (data sheet SBAS444, table 8, MUX[2:0]). "AINp-AINn" = differential. */
export type Ads1115Mux = "AIN0-AIN1" | "AIN0-AIN3" | "AIN1-AIN3" | "AIN2-AIN3" | "AIN0" | "AIN1" | "AIN2" | "AIN3";
export const ADS1115_MUXES: Ads1115Mux[] = ["AIN0-AIN1", "AIN0-AIN3", "AIN1-AIN3", "AIN2-AIN3", "AIN0", "AIN1", "AIN2", "AIN3"];

/** ADS1115 PGA full-scale ranges (± V) (SBAS444 table 8, PGA[2:0]). */
export type Ads1115FsrV = 6.144 | 4.096 | 2.048 | 1.024 | 0.512 | 0.256;
export const ADS1115_FSRS_V: Ads1115FsrV[] = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256];

/** ADS1115 data rates (samples/s) (SBAS444 table 8, DR[2:0]). */
export type Ads1115DataRateSps = 8 | 16 | 32 | 64 | 128 | 250 | 475 | 860;
export const ADS1115_DATA_RATES_SPS: Ads1115DataRateSps[] = [8, 16, 32, 64, 128, 250, 475, 860];

/** INA226 averaging counts (SBOS547 table 6, AVG[2:0]). */
export const INA226_AVERAGES: number[] = [1, 4, 16, 64, 128, 256, 512, 1024];
/** INA226 conversion times (µs) (SBOS547 table 6, VBUSCT/VSHCT[2:0]). */
export const INA226_CONV_TIMES_US: number[] = [140, 204, 332, 588, 1100, 2116, 4156, 8244];

/** The I2C bus (Espruino's hardware I2C object and its pins). */
export interface I2cBusDef {
  /** Espruino's hardware I2C object. */
  bus: "I2C1" | "I2C2";
  sclPin: string;
  sdaPin: string;
  /** Bus clock (Hz); 100 kHz standard mode or 400 kHz fast mode. */
  bitrateHz: number;
}

/** One ADS1115 on the bus (chip-level settings). */
export interface Ads1115ChipDef {
  /** 7-bit address: 72…75 (0x48…0x4B, ADDR pin to GND/VDD/SDA/SCL; SBAS444 table 4). */
  address: number;
  /** Data rate (samples/s); sets the single-shot conversion time 1/rate. */
  dataRateSps: Ads1115DataRateSps;
}

/** The INA226 on the shunt (chip-level settings). */
export interface Ina226ChipDef {
  /** 7-bit address: 64…79 (0x40…0x4F, A0/A1 pins; SBOS547 table 2). */
  address: number;
  /** Shunt resistance (Ω). */
  shuntOhm: number;
  /** Largest expected |current| (A): sets Current_LSB = maxCurrentA / 2^15 and the CAL register. */
  maxCurrentA: number;
  /** Samples averaged per reading (one of INA226_AVERAGES). */
  averages: number;
  /** Shunt-voltage conversion time (µs) (one of INA226_CONV_TIMES_US). */
  shuntConvTimeUs: number;
  /** Bus-voltage conversion time (µs) (one of INA226_CONV_TIMES_US). */
  busConvTimeUs: number;
}

/** An input on the ESP32's own ADC1. `cal` is required: Espruino applies no factory calibration. */
export interface Esp32AdcInput {
  chip: "esp32adc";
  pin: Esp32AdcPin;
  attenDb: Esp32AttenDb;
  /** ADC code (0…4095) → volts at the pin. */
  cal: AdcCalibration;
}

/** An input of an ADS1115 listed in `BoardDef.ads1115`. */
export interface Ads1115Input {
  chip: "ads1115";
  /** Address of the chip (must be listed in `BoardDef.ads1115`). */
  address: number;
  mux: Ads1115Mux;
  /** PGA full-scale range (± V) used for this input. */
  pgaFsrV: Ads1115FsrV;
  /** Optional: conversion code → volts at the input; default the data-sheet LSB = FSR / 2^15. */
  cal?: AdcCalibration;
}

/** The INA226's shunt-voltage input (only for the current channel). */
export interface Ina226ShuntInput {
  chip: "ina226";
  /** Optional: shunt-voltage register code → shunt volts; default the data-sheet LSB 2.5 µV. */
  cal?: AdcCalibration;
}

export type AnalogInput = Esp32AdcInput | Ads1115Input;

/** A voltage channel: a cell (direct wiring) or a tap (tap wiring). */
export type VoltageChannelDef = AnalogInput & {
  /** Divider ratio (≥ 1): measured node volts = chip-input volts × ratio (shared/sensors dividerRatio). */
  dividerRatio: number;
};

/** Sense-amplifier stage in front of the ESP32 ADC for the shunt (esp32-adc board only). */
export interface SenseAmpDef {
  /** Voltage gain (V/V), e.g. INA240A2 = 50 (INA240 data sheet SBOS662, table 1). */
  gain: number;
  /** Output volts at zero current (bidirectional reference), e.g. VS/2. */
  refV: number;
}

/** The pack-current channel. */
export type CurrentChannelDef = (Ads1115Input | Ina226ShuntInput | Esp32AdcInput) & {
  /** Shunt resistance (Ω); for the INA226 it must equal `ina226.shuntOhm`. */
  shuntOhm: number;
  /** +1 when a positive shunt voltage means charging (zbms convention: + = charge), −1 if wired reversed. */
  polarity: 1 | -1;
  /** Required with chip "esp32adc": the amplifier between shunt and pin. */
  senseAmp?: SenseAmpDef;
};

/**
 * A temperature channel: an analog input at the tap of an NTC divider fed from `supplyV`;
 * ratio = input volts / supplyV → shared/sensors/ntc `ntcTempCFromRatio(ratio, ntc)`.
 */
export type TempChannelDef = AnalogInput & {
  ntc: NtcParams;
  /** Divider supply (V). */
  supplyV: number;
};

/** Optional protection output (e.g. a relay or MOSFET driver that opens the pack). */
export interface ProtectionDef {
  pin: string;
  /** Level that opens the pack (disconnects). */
  activeHigh: boolean;
}

/** A whole board. */
export interface BoardDef {
  /** Board id = file name without `.json`, e.g. "esp32-ads1115". */
  id: string;
  description: string;
  /** Where the constants come from (data sheet, measurement), one line each; not used by code. */
  sources?: string[];
  /** Present when any I2C chip is used. */
  i2c?: I2cBusDef;
  ads1115?: Ads1115ChipDef[];
  ina226?: Ina226ChipDef;
  /**
   * "taps": voltage channel k measures the node at the top of cell k against the pack's negative
   * end, cell k = tap k − tap k−1 (tap −1 = 0 V). "cells": channel k measures cell k directly.
   */
  cellWiring: "taps" | "cells";
  /** Voltage channels, cell/tap 0 at the pack's negative end. A pack may use the first N. */
  voltages: VoltageChannelDef[];
  current: CurrentChannelDef;
  /** Temperature channels; a pack may use the first N. */
  temps: TempChannelDef[];
  protection?: ProtectionDef;
}
