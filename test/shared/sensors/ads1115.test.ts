import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ADS1115_CONFIG_RESET,
  ADS1115_MUX_DIFF_0_1,
  ADS1115_MUX_SINGLE_2,
  ADS1115_PGA_2_048V,
  ads1115CodeToVolts,
  ads1115ConfigDataRate,
  ads1115ConfigMux,
  ads1115ConfigPga,
  ads1115ConfigSingleShot,
  ads1115ConfigWord,
  ads1115ConversionTimeMaxMs,
  ads1115DataRateCode,
  ads1115LsbV,
  ads1115PgaCodeForFsr,
  ads1115ReadingV,
  ads1115VoltsToCode,
} from "../../../shared/sensors/ads1115";

describe("ADS1115 against SBAS444", () => {
  it("reset config word 8583h = OS, AIN0/AIN1, ±2.048 V, single-shot, 128 SPS, comparator off", () => {
    expect(ads1115ConfigWord(ADS1115_MUX_DIFF_0_1, ADS1115_PGA_2_048V, true, 4)).toBe(ADS1115_CONFIG_RESET);
    expect(ads1115ConfigMux(0x8583)).toBe(0);
    expect(ads1115ConfigPga(0x8583)).toBe(2);
    expect(ads1115ConfigDataRate(0x8583)).toBe(4);
    expect(ads1115ConfigSingleShot(0x8583)).toBe(true);
  });
  it("AIN2 single-ended, ±4.096 V, continuous, 860 SPS → E2E3h", () => {
    // OS=1, MUX=110, PGA=001, MODE=0, DR=111, COMP_QUE=11: 1110 0010 1110 0011
    expect(ads1115ConfigWord(ADS1115_MUX_SINGLE_2, 1, false, 7)).toBe(0xe2e3);
  });
  it("LSB sizes of the FSR table: 187.5 µV … 7.8125 µV", () => {
    const lsbUv = [187.5, 125, 62.5, 31.25, 15.625, 7.8125];
    for (let i = 0; i < 6; i++) expect(ads1115LsbV(i) * 1e6).toBeCloseTo(lsbUv[i], 9);
  });
  it("code 7FFFh at ±2.048 V is +FS·(2^15−1)/2^15 = 2.0479375 V in the transfer function, NaN as a reading", () => {
    expect(ads1115CodeToVolts(0x7fff, ADS1115_PGA_2_048V)).toBeCloseTo(2.0479375, 12);
    expect(ads1115ReadingV(0x7fff, ADS1115_PGA_2_048V)).toBeNaN();
    expect(ads1115CodeToVolts(0x8000, ADS1115_PGA_2_048V)).toBeCloseTo(-2.048, 12);
    expect(ads1115ReadingV(0x8000, ADS1115_PGA_2_048V)).toBeNaN();
    expect(ads1115ReadingV(0x7ffe, ADS1115_PGA_2_048V)).toBeCloseTo(2.047875, 12);
    expect(ads1115ReadingV(0xffff, ADS1115_PGA_2_048V)).toBeCloseTo(-62.5e-6, 15);
  });
  it("lookups: FSR and data-rate codes, −1 when the chip has no such setting", () => {
    expect(ads1115PgaCodeForFsr(0.512)).toBe(4);
    expect(ads1115PgaCodeForFsr(3.3)).toBe(-1);
    expect(ads1115DataRateCode(860)).toBe(7);
    expect(ads1115DataRateCode(100)).toBe(-1);
    expect(ads1115ConversionTimeMaxMs(4)).toBeCloseTo(1000 / (128 * 0.9), 9);
  });
  it("bad fields and non-codes give NaN", () => {
    expect(ads1115ConfigWord(8, 2, true, 4)).toBeNaN();
    expect(ads1115CodeToVolts(0x10000, 2)).toBeNaN();
    expect(ads1115CodeToVolts(1.5, 2)).toBeNaN();
    expect(ads1115ReadingV(NaN, 2)).toBeNaN();
  });
  it("volts → code → volts within half an LSB inside the range (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.double({ min: -0.99, max: 0.99, noNaN: true }), (pga, f) => {
        const fsr = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256][pga];
        const v = f * fsr;
        const back = ads1115ReadingV(ads1115VoltsToCode(v, pga), pga);
        expect(Math.abs(back - v)).toBeLessThanOrEqual(ads1115LsbV(pga) / 2 + 1e-15);
      }),
    );
  });
});
