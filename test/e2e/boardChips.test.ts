import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { Ads1115Emu } from "../../host/virtualBoard/chips/ads1115Emu.js";
import { Ina226Emu } from "../../host/virtualBoard/chips/ina226Emu.js";
import { I2cBus } from "../../host/virtualBoard/chips/i2cBus.js";
import { invertCalibration, calibrationExtended } from "../../host/virtualBoard/frontEnd.js";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard.js";
import { simChipModels } from "../../host/virtualBoard/simChips.js";
import { ads1115ConfigWord, ADS1115_CONFIG_RESET } from "../../shared/sensors/ads1115.js";
import { ina226ConfigWord, INA226_MANUFACTURER_ID, INA226_DIE_ID, INA226_CONFIG_RESET } from "../../shared/sensors/ina226.js";
import type { BoardDef } from "../../shared/config/boardDef.js";

const boardDef = (id: string): BoardDef => JSON.parse(readFileSync(`hardware/boards/${id}.json`, "utf8")) as BoardDef;

function reg16(bus: I2cBus, addr: number, reg: number): number {
  bus.write(addr, [reg]);
  const b = bus.read(addr, 2);
  return (b[0]! << 8) | b[1]!;
}
function write16(bus: I2cBus, addr: number, reg: number, v: number): void {
  bus.write(addr, [reg, v >> 8, v & 0xff]);
}

describe("ADS1115 register emulator (TI SBAS444)", () => {
  function setup(inputs: number[]) {
    let t = 0;
    const bus = new I2cBus();
    const emu = new Ads1115Emu(0x48, () => t, (ain) => inputs[ain]!);
    bus.attach(0x48, emu);
    return { bus, emu, setT: (x: number) => (t = x) };
  }

  it("powers up with the data-sheet reset values (config 8583h, thresholds 8000h/7FFFh)", () => {
    const { bus } = setup([0, 0, 0, 0]);
    expect(reg16(bus, 0x48, 1)).toBe(ADS1115_CONFIG_RESET);
    expect(reg16(bus, 0x48, 2)).toBe(0x8000);
    expect(reg16(bus, 0x48, 3)).toBe(0x7fff);
  });

  it("single-shot: OS reads 0 while converting and 1 after 1/DR; the result is the input at the PGA's LSB", () => {
    const { bus, setT } = setup([1.0, 0.25, 0, 0]);
    const cfg = ads1115ConfigWord(4 /* AIN0 vs GND */, 1 /* ±4.096 V */, true, 4 /* 128 SPS */);
    write16(bus, 0x48, 1, cfg);
    expect(reg16(bus, 0x48, 1) & 0x8000).toBe(0);
    setT(1000 / 128 - 0.01);
    expect(reg16(bus, 0x48, 1) & 0x8000).toBe(0);
    setT(1000 / 128 + 0.01);
    expect(reg16(bus, 0x48, 1) & 0x8000).toBe(0x8000);
    expect(reg16(bus, 0x48, 0)).toBe(Math.round(1.0 / (4.096 / 32768))); // 8000
    // differential AIN0−AIN1 at ±0.256 V clips at 7FFFh (0.75 V > FS)
    write16(bus, 0x48, 1, ads1115ConfigWord(0, 5, true, 7));
    setT(1000);
    expect(reg16(bus, 0x48, 0)).toBe(0x7fff);
  });

  it("negative differential inputs give two's-complement codes (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: -0.25, max: 0.25, noNaN: true }), (v) => {
        const { bus, setT } = setup([v, 0, 0, 0]);
        write16(bus, 0x48, 1, ads1115ConfigWord(0 /* AIN0−AIN1 */, 5 /* ±0.256 V */, true, 7 /* 860 SPS */));
        setT(2);
        const raw = reg16(bus, 0x48, 0);
        const signed = raw >= 0x8000 ? raw - 0x10000 : raw;
        const lsb = 0.256 / 32768;
        return Math.abs(signed * lsb - v) <= lsb / 2 + 1e-12;
      }),
    );
  });

  it("a chip that stops answering makes every transfer throw a NACK", () => {
    const { bus } = setup([0, 0, 0, 0]);
    bus.dead.add(0x48);
    expect(() => bus.read(0x48, 2)).toThrow(/0x48 not responding/);
    expect(() => bus.write(0x4a, [0])).toThrow(/0x4a not responding/);
  });
});

describe("INA226 register emulator (TI SBOS547)", () => {
  function setup(shuntV: number, busV: number) {
    let t = 0;
    const bus = new I2cBus();
    bus.attach(0x40, new Ina226Emu(0x40, () => t, () => shuntV, () => busV));
    return { bus, setT: (x: number) => (t = x) };
  }

  it("IDs, reset config 4127h, and RST restores the defaults", () => {
    const { bus } = setup(0, 0);
    expect(reg16(bus, 0x40, 0xfe)).toBe(INA226_MANUFACTURER_ID);
    expect(reg16(bus, 0x40, 0xff)).toBe(INA226_DIE_ID);
    expect(reg16(bus, 0x40, 0)).toBe(INA226_CONFIG_RESET);
    write16(bus, 0x40, 5, 2560);
    write16(bus, 0x40, 0, 0x8000);
    expect(reg16(bus, 0x40, 5)).toBe(0);
  });

  it("continuous mode: CVRF sets after AVG × (tBus + tShunt), reading Mask/Enable clears it; current = shunt × CAL / 2048", () => {
    const { bus, setT } = setup(0.01, 5.0); // 10 mV shunt = 4000 LSB of 2.5 µV
    write16(bus, 0x40, 5, 2560); // data sheet example CAL
    const cfg = ina226ConfigWord(1 /* 4 avg */, 4 /* 1.1 ms */, 4, 7);
    write16(bus, 0x40, 0, cfg);
    expect(reg16(bus, 0x40, 6) & 0x0008).toBe(0);
    setT(4 * 2.2 + 0.01);
    expect(reg16(bus, 0x40, 6) & 0x0008).toBe(0x0008);
    expect(reg16(bus, 0x40, 6) & 0x0008).toBe(0); // cleared by the read
    expect(reg16(bus, 0x40, 1)).toBe(4000);
    expect(reg16(bus, 0x40, 2)).toBe(4000); // 5 V / 1.25 mV
    expect(reg16(bus, 0x40, 4)).toBe(Math.trunc((4000 * 2560) / 2048));
  });
});

describe("ESP32 ADC inputs and chip models", () => {
  it("inverting the board calibration returns the code whose calibrated volts are nearest", () => {
    const ntc = boardDef("esp32-ads1115").temps[0]!;
    if (ntc.chip !== "esp32adc") throw new Error("esp32-ads1115's first NTC is expected on the ESP32 ADC");
    const cal = ntc.cal;
    fc.assert(
      fc.property(fc.double({ min: 0.2, max: 2.4, noNaN: true }), (v) => {
        const code = invertCalibration(cal, v);
        const lsbV = calibrationExtended(cal, code + 1) - calibrationExtended(cal, code);
        return Math.abs(calibrationExtended(cal, code) - v) <= lsbV;
      }),
    );
  });

  it("with host/sim's chip models the board reads the pack within the chips' errors, and differs from the ideal chips", () => {
    const b = boardDef("esp32-ads1115");
    const pack = () => ({ cellV: [1.5, 1.5, 1.5, 1.5], currentA: 1, tempC: [25, 25] });
    const read = (opts: object) => {
      const vb = new VirtualBoard({ ...opts, board: b, pack });
      vb.evaluate("I2C1.setup({scl:'D22',sda:'D21',bitrate:400000}); I2C1.writeTo(0x48,[1,0xD3,0x83]);");
      vb.advance(20);
      vb.evaluate("I2C1.writeTo(0x48,0); var d = I2C1.readFrom(0x48,2); var code = (d[0]<<8)|d[1];");
      return vb.evaluate("code").value as number;
    };
    const ideal = read({});
    expect(ideal).toBe(Math.round(1.5 / (4.096 / 32768)));
    const real = read(simChipModels(b, 7));
    expect(Math.abs(real - ideal)).toBeLessThan(100); // offset + gain error ≪ 1 % of 12000 codes
  });
});
