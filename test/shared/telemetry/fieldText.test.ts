import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { encodeFixed, encodeSig, escapeText, parseNumber, roundHalfAway, unescapeText } from "../../../shared/telemetry/fieldText";

describe("numbers as text", () => {
  it("round half away from zero, the same on Espruino and Node", () => {
    expect(roundHalfAway(2.5)).toBe(3);
    expect(roundHalfAway(-2.5)).toBe(-3);
    expect(roundHalfAway(-2.4)).toBe(-2);
    expect(encodeFixed(-0.00004, 4)).toBe("0");
  });
  it("fixed point: 1.2345 V at 4 decimals is 12345", () => {
    expect(encodeFixed(1.2345, 4)).toBe("12345");
    expect(parseNumber("12345", 4)).toBe(1.2345);
    expect(encodeFixed(-0.0015, 6)).toBe("-1500");
  });
  it("significant digits fold zeros into the exponent", () => {
    expect(encodeSig(1.5, 9)).toBe("15e-1");
    expect(encodeSig(100, 9)).toBe("1e2");
    expect(encodeSig(0.998734567891, 9)).toBe("998734568e-9");
    expect(encodeSig(9.9999999999, 9)).toBe("1e1");
    expect(encodeSig(0, 9)).toBe("0");
  });
  it("NaN and infinities have their own words", () => {
    expect(encodeSig(NaN, 9)).toBe("N");
    expect(encodeFixed(Infinity, 3)).toBe("I");
    expect(encodeFixed(-Infinity, 3)).toBe("-I");
    expect(parseNumber("N", 4)).toBeNaN();
    expect(parseNumber("-I", 0)).toBe(-Infinity);
  });
  it("rejects what is not a number", () => {
    for (const t of ["", "-", "1.5", "1e", "e5", "1e-", "+1", " 1", "0x10", "1e5e2", "NaN", "Infinity", "--1"])
      expect(parseNumber(t, 0)).toBeUndefined();
  });
  it("9 significant digits keep any normal double to 5e-9 relative (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e300, max: 1e300, noNaN: true }), (x) => {
        fc.pre(x === 0 || Math.abs(x) > 1e-290);
        const back = parseNumber(encodeSig(x, 9), 0) as number;
        expect(Math.abs(back - x)).toBeLessThanOrEqual(Math.abs(x) * 5.000001e-9);
      }),
    );
  });
  it("extremes do not break: subnormal and largest double", () => {
    expect(parseNumber(encodeSig(5e-324, 9), 0)).toBe(5e-324);
    expect(parseNumber(encodeSig(1.7976931348623157e308, 9), 0)).toBeCloseTo(1.79769313e308, -300);
  });
});

describe("strings as text", () => {
  it("separators, markers and non-ASCII are escaped", () => {
    expect(escapeText("a,b;c*d#e%f\n")).toBe("a%2cb%3bc%2ad%23e%25f%0a");
    expect(escapeText("\u20ac")).toBe("%u20ac");
    expect(escapeText('{"ok":true}')).toBe('{"ok":true}');
  });
  it("any string round-trips and the text never holds , ; * # or non-printables (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (s) => {
        const t = escapeText(s);
        expect(unescapeText(t)).toBe(s);
        for (let i = 0; i < t.length; i++) {
          const c = t.charCodeAt(i);
          expect(c >= 0x20 && c <= 0x7e).toBe(true);
          expect(",;*#".indexOf(t.charAt(i))).toBe(-1);
        }
      }),
    );
  });
  it("non-canonical escapes are refused", () => {
    expect(unescapeText("%41")).toBeUndefined(); // 'A' must be plain
    expect(unescapeText("%2C")).toBeUndefined(); // uppercase hex
    expect(unescapeText("%u0041")).toBeUndefined();
    expect(unescapeText("%4")).toBeUndefined();
    expect(unescapeText("a,b")).toBeUndefined();
  });
});
