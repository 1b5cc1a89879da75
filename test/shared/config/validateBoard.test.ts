import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { validateBoard } from "../../../shared/config/validateBoard";

const dir = new URL("../../../hardware/boards/", import.meta.url);
function load(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(name, dir), "utf8"));
}

describe("board files", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  it("the three required boards exist", () => {
    expect(files).toEqual(expect.arrayContaining(["esp32-ads1115.json", "esp32-ina226.json", "esp32-adc.json"]));
  });
  for (const f of files) {
    it(f + " passes validateBoard and its id is its file name", () => {
      const b = validateBoard(load(f));
      expect(b.id + ".json").toBe(f);
    });
  }
});

describe("validateBoard names the bad field", () => {
  const cases: Array<[string, (b: Record<string, any>) => void, RegExp]> = [
    ["a non-ADC1 pin", (b) => (b.temps[0].pin = "D12"), /board\.temps\[0\]\.pin: got "D12"; accepted: one of D32/],
    ["an unknown attenuation", (b) => (b.temps[1].attenDb = 3), /board\.temps\[1\]\.attenDb: got 3/],
    ["an ADS1115 address not listed", (b) => (b.voltages[1].address = 74), /board\.voltages\[1\]\.address: got 74; accepted: an address listed in board\.ads1115 \(72, 73\)/],
    ["a bad PGA range", (b) => (b.current.pgaFsrV = 0.3), /board\.current\.pgaFsrV: got 0\.3/],
    ["a divider below 1", (b) => (b.voltages[0].dividerRatio = 0.5), /board\.voltages\[0\]\.dividerRatio: got 0\.5/],
    ["a missing shunt", (b) => delete b.current.shuntOhm, /board\.current\.shuntOhm: got nothing/],
    ["a reversed piecewise calibration", (b) => (b.temps[0].cal.volts = [2, 1]), /board\.temps\[0\]\.cal: piecewise calibration must rise/],
    ["a duplicate ADS1115 address", (b) => (b.ads1115[1].address = 72), /board\.ads1115\[1\]\.address: got 72/],
    ["a pin used twice", (b) => (b.temps[1].pin = "D36"), /board\.pins: got "D36"/],
    ["a polarity of 2", (b) => (b.current.polarity = 2), /board\.current\.polarity: got 2; accepted: one of 1, -1/],
    ["a bad I2C clock", (b) => (b.i2c.bitrateHz = 1e6), /board\.i2c\.bitrateHz: got 1000000/],
    ["a bad cell wiring", (b) => (b.cellWiring = "series"), /board\.cellWiring: got "series"; accepted: one of taps, cells/],
  ];
  for (const [name, mutate, msg] of cases) {
    it("rejects " + name, () => {
      const b = load("esp32-ads1115.json");
      mutate(b);
      expect(() => validateBoard(b)).toThrow(msg);
    });
  }
  it("rejects an INA226 current channel when no INA226 is defined", () => {
    const b = load("esp32-ads1115.json");
    b.current = { chip: "ina226", shuntOhm: 0.05, polarity: 1 };
    expect(() => validateBoard(b)).toThrow(/board\.current\.chip: got "ina226"/);
  });
  it("rejects an INA226 shunt that disagrees with the chip's", () => {
    const b = load("esp32-ina226.json");
    b.current.shuntOhm = 0.1;
    expect(() => validateBoard(b)).toThrow(/board\.current\.shuntOhm: got 0\.1; accepted: the same value as ina226\.shuntOhm \(0\.02\)/);
  });
  it("rejects an ESP32-ADC current channel without its sense amplifier", () => {
    const b = load("esp32-adc.json");
    delete b.current.senseAmp;
    expect(() => validateBoard(b)).toThrow(/board\.current\.senseAmp: got nothing/);
  });
});

describe("validateBoard NTC fields", () => {
  it("rejects an unknown NTC model", () => {
    const b = load("esp32-ads1115.json");
    b.temps[0].ntc.model = "linear";
    expect(() => validateBoard(b)).toThrow(/board\.temps\[0\]\.ntc\.model: got "linear"; accepted: one of beta, steinhartHart/);
  });
  it("rejects a rated range upside down", () => {
    const b = load("esp32-ina226.json");
    b.temps[1].ntc.maxTempC = -50;
    expect(() => validateBoard(b)).toThrow(/board\.temps\[1\]\.ntc\.maxTempC: got -50/);
  });
  it("rejects a missing divider supply", () => {
    const b = load("esp32-adc.json");
    delete b.temps[0].supplyV;
    expect(() => validateBoard(b)).toThrow(/board\.temps\[0\]\.supplyV: got nothing/);
  });
});
