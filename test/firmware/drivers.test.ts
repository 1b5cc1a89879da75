import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { validateBoard } from "../../shared/config/validateBoard";
import type { BoardDef } from "../../shared/config/boardDef";
import { ads1115Convert, ads1115Plan } from "../../firmware/drivers/ads1115Driver";
import { ina226ReadShuntCode, ina226Setup } from "../../firmware/drivers/ina226Driver";
import { esp32AdcReadFraction, esp32AdcSetup } from "../../firmware/drivers/esp32AdcDriver";
import { createDriverStatus } from "../../firmware/drivers/driverStatus";
import { createSensorSet, readSample } from "../../firmware/sensors";
import { makeSample } from "../../shared/sample";
import { ntcBetaResistance, ntcRatioFromResistance } from "../../shared/sensors/ntc";
import { FakeBus, fakeAds1115, fakeHw, fakeIna226 } from "./registerFakes";

function board(id: string): BoardDef {
  return validateBoard(JSON.parse(readFileSync(new URL("../../hardware/boards/" + id + ".json", import.meta.url), "utf8")));
}

/** Inverse of the boards' nominal ESP32 line (code 10 → 0.1501 V, 2865 → 2.4502 V): pin volts → analogRead fraction. */
function esp32Frac(pinV: number): number {
  const code = Math.round(10 + ((pinV - 0.1501) * (2865 - 10)) / (2.4502 - 0.1501));
  return code / 4096;
}

describe("ADS1115 driver (SBAS444)", () => {
  it("writes the data-sheet config word for AIN0 single-ended, ±4.096 V, 128 SPS, single-shot: C383h", () => {
    const bus = new FakeBus();
    bus.chips[72] = fakeAds1115([1.25, 0, 0, 0], 3);
    const hw = fakeHw(bus, {});
    const conv = ads1115Plan({ chip: "ads1115", address: 72, mux: "AIN0", pgaFsrV: 4.096 }, { address: 72, dataRateSps: 128 });
    const st = createDriverStatus();
    const code = ads1115Convert(hw, conv, st);
    // OS=1, MUX=100, PGA=001, MODE=1, DR=100, COMP_QUE=11 → 1100 0011 1000 0011
    expect(bus.log[0]).toEqual({ op: "w", address: 72, bytes: [0x01, 0xc3, 0x83] });
    expect(code).toBe(Math.round(1.25 / (4.096 / 32768))); // 10000 codes, 125 µV LSB
    expect(st.errorCount).toBe(0);
  });

  it("writes 8B83h for the shunt pair AIN0−AIN1 at ±0.256 V and reads a negative code", () => {
    const bus = new FakeBus();
    bus.chips[73] = fakeAds1115([0, 0.01, 0, 0], 0);
    const hw = fakeHw(bus, {});
    const conv = ads1115Plan({ chip: "ads1115", address: 73, mux: "AIN0-AIN1", pgaFsrV: 0.256 }, { address: 73, dataRateSps: 128 });
    expect(conv.configWord).toBe(0x8b83);
    expect(ads1115Convert(hw, conv, createDriverStatus())).toBe(-Math.round(0.01 / (0.256 / 32768)));
  });

  it("polls the config register until OS = 1 (conversion ready) before reading the result", () => {
    const bus = new FakeBus();
    bus.chips[72] = fakeAds1115([0.5, 0, 0, 0], 5);
    const hw = fakeHw(bus, {});
    const conv = ads1115Plan({ chip: "ads1115", address: 72, mux: "AIN0", pgaFsrV: 2.048 }, { address: 72, dataRateSps: 8 });
    ads1115Convert(hw, conv, createDriverStatus());
    const configReads = bus.log.filter((t, i) => t.op === "r" && bus.log[i - 1].bytes[0] === 0x01).length;
    expect(configReads).toBe(6);
  });

  it("gives NaN and an error (never throws) on a NACK, a timeout, and a refused config", () => {
    const bus = new FakeBus();
    bus.chips[72] = fakeAds1115([0.5, 0, 0, 0], 1e9);
    const hw = fakeHw(bus, {});
    const st = createDriverStatus();
    const conv = ads1115Plan({ chip: "ads1115", address: 72, mux: "AIN0", pgaFsrV: 2.048 }, { address: 72, dataRateSps: 860 });
    expect(ads1115Convert(hw, conv, st)).toBeNaN();
    expect(st.lastError).toBe("ads1115@72 AIN0: conversion timeout");
    bus.dead.push(72);
    expect(ads1115Convert(hw, conv, st)).toBeNaN();
    expect(st.lastError).toBe("ads1115@72 AIN0: i2c write");
    bus.dead.length = 0;
    const chip = fakeAds1115([0.5, 0, 0, 0], 0);
    chip.onWrite = (reg) => {
      if (reg === 1) chip.regs[1] = 0x8583; // ignores the new config
    };
    bus.chips[72] = chip;
    expect(ads1115Convert(hw, conv, st)).toBeNaN();
    expect(st.lastError).toMatch(/config read back 34179, wrote/);
    expect(st.errorCount).toBe(3);
  });

  it("converts any input inside the range to within one LSB (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: -4.09, max: 4.09, noNaN: true }), (v) => {
        const bus = new FakeBus();
        bus.chips[72] = fakeAds1115([v, 0, 0, 0], 1);
        const conv = ads1115Plan({ chip: "ads1115", address: 72, mux: "AIN0-AIN1", pgaFsrV: 4.096 }, { address: 72, dataRateSps: 128 });
        const code = ads1115Convert(fakeHw(bus, {}), conv, createDriverStatus());
        return Math.abs(code * (4.096 / 32768) - v) <= 4.096 / 32768;
      }),
    );
  });
});

describe("INA226 driver (SBOS547)", () => {
  const chipDef = board("esp32-ina226").ina226!;

  it("writes configuration 4527h and CAL 0800h (= trunc(0.00512 / (4.096 A/2^15 × 0.02 Ω)) = 2048) and reads them back", () => {
    const bus = new FakeBus();
    bus.chips[64] = fakeIna226(() => 0, false);
    const st = createDriverStatus();
    const a = ina226Setup(fakeHw(bus, {}), chipDef, st);
    const writes = bus.log.filter((t) => t.op === "w" && t.bytes.length === 3).map((t) => t.bytes);
    // AVG 16 = 010, VBUSCT 1.1 ms = 100, VSHCT 1.1 ms = 100, MODE 111, reserved bit 14 set
    expect(writes).toEqual([
      [0x00, 0x45, 0x27],
      [0x05, 0x08, 0x00],
    ]);
    expect(a.ok).toBe(true);
    expect(a.calReadBack).toBe(2048);
    expect(a.currentLsbA).toBeCloseTo(0.00512 / (2048 * 0.02), 12);
    expect(st.errorCount).toBe(0);
  });

  it("reports a chip that refused its CAL write instead of believing it", () => {
    const bus = new FakeBus();
    bus.chips[64] = fakeIna226(() => 0, true);
    const st = createDriverStatus();
    const a = ina226Setup(fakeHw(bus, {}), chipDef, st);
    expect(a.ok).toBe(false);
    expect(a.calReadBack).toBe(0);
    expect(st.lastError).toMatch(/ina226@64: setup .* cal 0\/2048/);
  });

  it("reads the shunt register as a signed code (−20 mV = −8000 codes of 2.5 µV)", () => {
    const bus = new FakeBus();
    bus.chips[64] = fakeIna226(() => -0.02, false);
    expect(ina226ReadShuntCode(fakeHw(bus, {}), 64, createDriverStatus())).toBe(-8000);
    bus.dead.push(64);
    const st = createDriverStatus();
    expect(ina226ReadShuntCode(fakeHw(bus, {}), 64, st)).toBeNaN();
    expect(st.lastError).toBe("ina226@64: i2c read");
  });
});

describe("ESP32 ADC driver", () => {
  it("sets attenuation code 3 for 11 dB and rejects a value analogRead cannot return", () => {
    let value = 1000 / 4096;
    const hw = fakeHw(null, { D36: () => value });
    const a = esp32AdcSetup(hw, board("esp32-ads1115").temps[0] as never);
    expect(a).toEqual({ pin: "D36", attenCode: 3, attenDb: 11, ok: true });
    expect(hw.atten.D36).toBe(3);
    const st = createDriverStatus();
    expect(esp32AdcReadFraction(hw, "D36", st)).toBe(1000 / 4096);
    value = 0.123456789;
    expect(esp32AdcReadFraction(hw, "D36", st)).toBeNaN();
    expect(st.errorCount).toBe(1);
  });
});

describe("sensor set (board file → sample)", () => {
  const tempPin = (tC: number) => () => esp32Frac(3.3 * ntcRatioFromResistance(ntcBetaResistance(tC, 10000, 25, 3977), 15000, true));

  it("esp32-ads1115: tap differences give the cell volts, the shunt the current (+ = charge), NTCs °C", () => {
    const cells = [1.41, 1.38, 1.45, 1.4];
    const taps = [0, 0, 0, 0];
    let acc = 0;
    for (let k = 0; k < 4; k++) taps[k] = (acc += cells[k]) / (k + 1); // divider ratio k+1
    const bus = new FakeBus();
    bus.chips[72] = fakeAds1115(taps, 2);
    bus.chips[73] = fakeAds1115([0.0175, 0, 0, 0], 2); // 0.35 A × 50 mΩ
    const hw = fakeHw(bus, { D36: tempPin(25), D39: tempPin(31) });
    const s = createSensorSet(board("esp32-ads1115"), hw, 4, 2);
    const smp = makeSample(0, [0, 0, 0, 0], 0, [0, 0], 0);
    smp.cellV = new Float64Array(4);
    smp.tempC = new Float64Array(2);
    expect(readSample(s, smp)).toBe(0);
    for (let k = 0; k < 4; k++) expect(Math.abs(smp.cellV[k] - cells[k])).toBeLessThan(2 * (k + 1) * 125e-6 + 1e-9);
    expect(smp.currentA).toBeCloseTo(0.35, 3);
    expect(Math.abs(smp.tempC[0] - 25)).toBeLessThan(0.3);
    expect(Math.abs(smp.tempC[1] - 31)).toBeLessThan(0.3);
    expect(smp.tMs).toBeGreaterThan(100000);
  });

  it("a dead ADS1115 gives NaN cells and an error count, the rest still reads", () => {
    const bus = new FakeBus();
    bus.chips[72] = fakeAds1115([1, 1, 1, 1], 0);
    bus.chips[73] = fakeAds1115([-0.01, 0, 0, 0], 0);
    bus.dead.push(72);
    const s = createSensorSet(board("esp32-ads1115"), fakeHw(bus, { D36: tempPin(20), D39: tempPin(20) }), 4, 2);
    const smp = makeSample(0, [], 0, [], 0);
    smp.cellV = new Float64Array(4);
    smp.tempC = new Float64Array(2);
    expect(readSample(s, smp)).toBe(4);
    expect(Array.from(smp.cellV).every((v) => isNaN(v))).toBe(true);
    expect(smp.currentA).toBeCloseTo(-0.2, 3);
    expect(s.status.lastError).toBe("ads1115@72 AIN3: i2c write");
  });

  it("esp32-ina226: INA226 current with the board's polarity; an open NTC (ADC at the rail) is NaN", () => {
    const bus = new FakeBus();
    bus.chips[64] = fakeIna226(() => -0.0016, false); // −80 mA through 20 mΩ
    const pins: Record<string, () => number> = { D36: tempPin(22), D39: () => 4095 / 4096 };
    const cells = [1.3, 1.31, 1.29, 1.32];
    let acc = 0;
    for (let k = 0; k < 4; k++) {
      acc += cells[k];
      const pinV = acc / (k + 1);
      pins["D3" + (2 + k)] = () => esp32Frac(pinV);
    }
    const s = createSensorSet(board("esp32-ina226"), fakeHw(bus, pins), 4, 2);
    expect(s.appliedIna!.ok).toBe(true);
    const smp = makeSample(0, [], 0, [], 0);
    smp.cellV = new Float64Array(4);
    smp.tempC = new Float64Array(2);
    readSample(s, smp);
    expect(smp.currentA).toBeCloseTo(-0.08, 4);
    for (let k = 0; k < 4; k++) expect(Math.abs(smp.cellV[k] - cells[k])).toBeLessThan(0.005 * (k + 1));
    expect(Math.abs(smp.tempC[0] - 22)).toBeLessThan(0.5);
    expect(smp.tempC[1]).toBeNaN();
  });

  it("esp32-adc: sense-amplifier current (INA240, gain 50, 1.65 V zero)", () => {
    const pins: Record<string, () => number> = { D39: tempPin(25), D36: () => esp32Frac(1.65 + 0.5 * 50 * 0.01) };
    for (let k = 0; k < 4; k++) pins["D3" + (2 + k)] = () => esp32Frac(1.3);
    const s = createSensorSet(board("esp32-adc"), fakeHw(null, pins), 1, 1);
    const smp = makeSample(0, [], 0, [], 0);
    smp.cellV = new Float64Array(1);
    smp.tempC = new Float64Array(1);
    readSample(s, smp);
    expect(Math.abs(smp.currentA - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(smp.cellV[0] - 1.3)).toBeLessThan(0.002);
  });

  it("refuses a pack with more cells than the board measures", () => {
    expect(() => createSensorSet(board("esp32-adc"), fakeHw(null, {}), 5, 1)).toThrow(/pack has 5 cells, board esp32-adc measures 4/);
  });
});
