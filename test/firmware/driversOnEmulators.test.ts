/**
 * The drivers against the virtual board's register emulators (host/virtualBoard/chips): after each
 * driver call the emulator's registers, read by their data-sheet addresses, hold the
 * data-sheet values, and the readings match the emulated inputs.
 */
import { describe, expect, it } from "vitest";
import { I2cBus } from "../../host/virtualBoard/chips/i2cBus";
import { Ads1115Emu } from "../../host/virtualBoard/chips/ads1115Emu";
import { Ina226Emu } from "../../host/virtualBoard/chips/ina226Emu";
import type { Hw } from "../../firmware/drivers/hw";
import { ads1115Convert, ads1115Plan, ads1115Result, ads1115Start, ADS1115_NOT_READY } from "../../firmware/drivers/ads1115Driver";
import { ina226ReadShuntCode, ina226Setup } from "../../firmware/drivers/ina226Driver";
import { createDriverStatus } from "../../firmware/drivers/driverStatus";

/** A bus and a clock that moves 0.2 ms per driver clock read (I2C transfers take time). */
function rig() {
  const clk = { ms: 0 };
  const bus = new I2cBus();
  const hw: Hw = {
    i2c: {
      writeTo: (a, d) => bus.write(a, d),
      readFrom: (a, n) => new Uint8Array(bus.read(a, n)),
    },
    analogRead: () => NaN,
    setAtten: () => undefined,
    getTimeS: () => {
      clk.ms += 0.2;
      return clk.ms / 1000;
    },
  };
  return { clk, bus, hw };
}

describe("ADS1115 driver on the ADS1115 emulator", () => {
  it("leaves config 4383h (+OS) for AIN0, ±4.096 V, 128 SPS, single-shot, comparator off, and reads 1.25 V as 10000", () => {
    const { clk, bus, hw } = rig();
    const chip = new Ads1115Emu(72, () => clk.ms, (ain) => [1.25, 0.5, 0, 0][ain]);
    bus.attach(72, chip);
    const conv = ads1115Plan({ chip: "ads1115", address: 72, mux: "AIN0", pgaFsrV: 4.096 }, { address: 72, dataRateSps: 128 });
    const st = createDriverStatus();
    expect(ads1115Convert(hw, conv, st)).toBe(10000);
    expect(chip.regs[1] & 0x7fff).toBe(0x4383);
    expect(chip.regs[1] & 0x8000).toBe(0x8000); // OS = 1: conversion done
    expect(chip.conversions).toBe(1);
    expect(st.errorCount).toBe(0);
  });

  it("start/result: not ready before 1/DR, the differential code after", () => {
    const { clk, bus, hw } = rig();
    bus.attach(73, new Ads1115Emu(73, () => clk.ms, (ain) => [0.012, 0.002, 0, 0][ain]));
    const conv = ads1115Plan({ chip: "ads1115", address: 73, mux: "AIN0-AIN1", pgaFsrV: 0.256 }, { address: 73, dataRateSps: 128 });
    const st = createDriverStatus();
    expect(ads1115Start(hw, conv, st)).toBe(true);
    expect(ads1115Result(hw, conv, st)).toBe(ADS1115_NOT_READY);
    clk.ms += conv.convMaxMs;
    expect(ads1115Result(hw, conv, st)).toBe(Math.round(0.01 / (0.256 / 32768)));
  });

  it("a chip that does not answer gives NaN and an error, not an exception", () => {
    const { clk, bus, hw } = rig();
    bus.attach(72, new Ads1115Emu(72, () => clk.ms, () => 1));
    bus.dead.add(72);
    const st = createDriverStatus();
    const conv = ads1115Plan({ chip: "ads1115", address: 72, mux: "AIN2", pgaFsrV: 2.048 }, { address: 72, dataRateSps: 860 });
    expect(ads1115Convert(hw, conv, st)).toBeNaN();
    expect(st.lastError).toBe("ads1115@72 AIN2: i2c write");
  });
});

describe("INA226 driver on the INA226 emulator", () => {
  it("leaves configuration 4527h and calibration 2097 in the chip, checks the ID, reads −20 mV as −8000", () => {
    const { clk, bus, hw } = rig();
    const chip = new Ina226Emu(64, () => clk.ms, () => -0.02, () => 5.6);
    bus.attach(64, chip);
    const st = createDriverStatus();
    const a = ina226Setup(hw, { address: 64, shuntOhm: 0.05, maxCurrentA: 1.6, averages: 16, shuntConvTimeUs: 1100, busConvTimeUs: 1100 }, st);
    expect(a).toMatchObject({ ok: true, configReadBack: 0x4527, calReadBack: 2097, manufacturerId: 0x5449 });
    expect(chip.regs.get(0x00)).toBe(0x4527);
    expect(chip.regs.get(0x05)).toBe(2097);
    clk.ms += 100; // one averaged result: 16 × (1.1 + 1.1) ms
    expect(ina226ReadShuntCode(hw, 64, st)).toBe(-8000);
    expect(st.errorCount).toBe(0);
  });
});
