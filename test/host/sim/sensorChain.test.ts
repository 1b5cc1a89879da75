import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ads1115Code, ads1115ConversionTimeS, createAds1115Chip } from "../../../host/sim/ads1115Model";
import { createIna226Chip, ina226BusCode, ina226ShuntCode } from "../../../host/sim/ina226Model";
import { createEsp32AdcChip, esp32AdcCode, esp32AdcFraction } from "../../../host/sim/esp32AdcModel";
import { createRng } from "../../../host/sim/rng";
import { Simulation, loadBoard } from "../../../host/sim/simulate";
import { esp32CodeFromFraction } from "../../../shared/sensors/esp32Adc";
import { ads1115ToSigned } from "../../../shared/sensors/ads1115";
import { ina226ToSigned } from "../../../shared/sensors/ina226";

function mean(f: () => number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += f();
  return s / n;
}

describe("ADS1115 model (SBAS444)", () => {
  it("codes are 16-bit two's complement, clipped at 0x7FFF / 0x8000", () => {
    const rng = createRng(1);
    const chip = createAds1115Chip(rng, false);
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), (v) => {
        const code = ads1115Code(v, 4.096, chip, 0, rng);
        expect(Number.isInteger(code)).toBe(true);
        expect(code).toBeGreaterThanOrEqual(0);
        expect(code).toBeLessThanOrEqual(0xffff);
        if (v > 4.2) expect(code).toBe(0x7fff);
        if (v < -4.2) expect(code).toBe(0x8000);
      }),
    );
  });

  it("an ideal chip steps 1 LSB = FSR/32768 (125 µV at ±4.096 V)", () => {
    const rng = createRng(2);
    const chip = createAds1115Chip(rng, true);
    const lsb = 4.096 / 32768;
    expect(mean(() => ads1115ToSigned(ads1115Code(1000 * lsb, 4.096, chip, 1, rng)), 400)).toBeCloseTo(1000, 1);
    expect(mean(() => ads1115ToSigned(ads1115Code(-2000 * lsb, 4.096, chip, 1, rng)), 400)).toBeCloseTo(-2000, 1);
  });

  it("drawn chips stay within the data sheet's gain and data-rate limits", () => {
    const rng = createRng(3);
    for (let i = 0; i < 200; i++) {
      const chip = createAds1115Chip(rng, false);
      expect(chip.dataRateFactor).toBeGreaterThanOrEqual(0.9);
      expect(chip.dataRateFactor).toBeLessThanOrEqual(1.1);
      const t = ads1115ConversionTimeS(chip, 128);
      expect(t).toBeGreaterThan(1 / 128 / 1.1 - 1e-12);
      expect(t).toBeLessThan(1 / 128 / 0.9 + 1e-12);
      expect(Math.abs(chip.gainErrFrac)).toBeLessThan(0.0015 * 2); // 4σ of a 0.05 % σ is inside 2× max
    }
  });
});

describe("INA226 model (SBOS547)", () => {
  it("shunt LSB 2.5 µV, bus LSB 1.25 mV on an ideal chip; clipping at full scale", () => {
    const rng = createRng(4);
    const chip = createIna226Chip(rng, 16, true);
    expect(mean(() => ina226ToSigned(ina226ShuntCode(0.01, chip, rng)), 400)).toBeCloseTo(4000, 0);
    expect(mean(() => ina226ToSigned(ina226ShuntCode(-0.01, chip, rng)), 400)).toBeCloseTo(-4000, 0);
    expect(mean(() => ina226BusCode(5, chip, rng), 400)).toBeCloseTo(4000, 0);
    expect(ina226ShuntCode(0.1, chip, rng)).toBe(0x7fff);
    expect(ina226ShuntCode(-0.1, chip, rng)).toBe(0x8000);
    expect(ina226BusCode(-1, chip, rng)).toBe(0);
  });

  it("a real chip's offset stays inside ±10 µV most of the time (σ = max/4)", () => {
    const rng = createRng(5);
    let inside = 0;
    for (let i = 0; i < 500; i++) if (Math.abs(createIna226Chip(rng, 1, false).shuntOffsetV) <= 10e-6) inside++;
    expect(inside / 500).toBeGreaterThan(0.99);
  });
});

describe("ESP32 ADC model", () => {
  it("analogRead fractions are whole codes / 4096 in [0, 4095/4096]", () => {
    const rng = createRng(6);
    const chip = createEsp32AdcChip(rng, false);
    fc.assert(
      fc.property(fc.double({ min: -1, max: 4, noNaN: true }), fc.constantFrom(0, 2.5, 6, 11), (v, att) => {
        const f = esp32AdcFraction(v, att, chip, rng, "D32");
        const code = esp32CodeFromFraction(f);
        expect(Number.isNaN(code)).toBe(false);
        expect(code).toBeGreaterThanOrEqual(0);
        expect(code).toBeLessThanOrEqual(4095);
      }),
    );
  });

  it("is dead near 0 V, saturates near the top, and is monotone in between (on average)", () => {
    const rng = createRng(7);
    const chip = createEsp32AdcChip(rng, false);
    expect(mean(() => esp32AdcCode(0.02, 11, chip, rng, "D33"), 200)).toBeLessThan(8);
    expect(mean(() => esp32AdcCode(3.6, 11, chip, rng, "D33"), 200)).toBeGreaterThan(3900);
    let last = -1;
    for (let v = 0.2; v < 2.4; v += 0.1) {
      const m = mean(() => esp32AdcCode(v, 11, chip, rng, "D33"), 64);
      expect(m).toBeGreaterThan(last);
      last = m;
    }
  });

  it("chip-to-chip Vref spread changes the gain: 1000…1200 mV", () => {
    const rng = createRng(8);
    const codes: number[] = [];
    for (let i = 0; i < 50; i++) {
      const chip = createEsp32AdcChip(rng, false);
      expect(chip.vrefMv).toBeGreaterThanOrEqual(1000);
      expect(chip.vrefMv).toBeLessThanOrEqual(1200);
      codes.push(mean(() => esp32AdcCode(1.5, 11, chip, rng, "D34"), 16));
    }
    expect(Math.max(...codes) - Math.min(...codes)).toBeGreaterThan(40);
  });
});

describe("sensor chain from a board file", () => {
  const pack = { chemistry: "ZnMnO2" as const, cellCount: 4, capacityAh: 1, seed: 3, initialSocFrac: 0.5 };
  const protocol = "Charge at C/5 for 1 hour\nRest for 1 hour\nDischarge at C/5 for 1 hour";

  it("converts back to samples close to the truth (ADS1115 volts, INA226-free board)", () => {
    const sim = new Simulation({ pack, protocol, board: "esp32-ads1115", seed: 1, samplePeriodMs: 30000 });
    let s;
    let n = 0;
    while ((s = sim.next())) {
      n++;
      for (let k = 0; k < 4; k++) expect(Math.abs(s.sample.cellV[k] - s.truth.cellV[k])).toBeLessThan(0.005);
      expect(Math.abs(s.sample.currentA - s.truth.currentA)).toBeLessThan(0.002);
      for (let k = 0; k < s.sample.tempC.length; k++) expect(Math.abs(s.sample.tempC[k] - s.truth.cellTempC[k])).toBeLessThan(2);
      expect(s.sample.openCircuit).toBe(s.truth.step === "rest" || s.truth.step === "done" ? 1 : 0);
    }
    expect(n).toBeGreaterThan(300);
  });

  it("the same options reproduce the run bit for bit; another seed does not", () => {
    const take = (seed: number): number[] => {
      const sim = new Simulation({ pack, protocol, board: "esp32-ina226", seed, samplePeriodMs: 60000 });
      const out: number[] = [];
      let s;
      while ((s = sim.next())) out.push(s.sample.tMs, s.sample.currentA, ...Array.from(s.sample.cellV), ...Array.from(s.sample.tempC), s.truth.socFrac[0]);
      return out;
    };
    const a = take(11);
    const b = take(11);
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) expect(Object.is(a[i], b[i])).toBe(true);
    expect(take(12)).not.toEqual(a);
  });

  it("a pack bigger than the board's voltage channels is refused with a clear message", () => {
    expect(() => new Simulation({ pack: { ...pack, cellCount: 5 }, protocol, board: loadBoard("esp32-adc"), seed: 1 })).toThrow(
      /4 voltage channels; the pack needs 5/,
    );
    expect(() => loadBoard("no-such-board")).toThrow(/not found/);
  });
});
