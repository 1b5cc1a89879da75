import { describe, expect, it } from "vitest";
import { DurationError, parseDurationS } from "../../../host/util/duration";

describe("parseDurationS", () => {
  const good: [string, number][] = [
    ["45s", 45],
    ["90 s", 90],
    ["1 sec", 1],
    ["30 min", 1800],
    ["90min", 5400],
    ["2 minutes", 120],
    ["2h", 7200],
    ["2.5h", 9000],
    ["1 hr", 3600],
    ["24 hours", 86400],
    ["2 days", 172800],
    ["1d", 86400],
    [".5 h", 1800],
    ["2. h", 7200],
    ["1e3 s", 1000],
    ["1.5E-1 min", 9],
    ["0 s", 0],
    ["  3 Hours  ", 10800],
  ];
  for (const [text, s] of good) {
    it(`reads ${JSON.stringify(text)} as ${s} s`, () => {
      expect(parseDurationS(text)).toBeCloseTo(s, 9);
    });
  }

  const unreadable = ["", "3", "h", "2 fortnights", "-2 h", "2 h 30 min", "2,5 h", "1e5", "2 constructor", "two hours"];
  for (const text of unreadable) {
    it(`rejects ${JSON.stringify(text)}, quoting it and listing the units`, () => {
      let err: unknown = null;
      try {
        parseDurationS(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DurationError);
      expect((err as DurationError).kind).toBe("notation");
      expect((err as Error).message).toContain(`cannot read the duration ${JSON.stringify(text)}`);
      expect((err as Error).message).toMatch(/s \(sec.*min \(minute.*h \(hr.*d \(day/);
    });
  }

  it("rejects a number too large for finite seconds, naming it a range problem", () => {
    const huge = "9".repeat(400) + " h";
    expect(() => parseDurationS(huge)).toThrow(DurationError);
    expect(() => parseDurationS(huge)).toThrow(/too large to be a finite number of seconds/);
    expect(() => parseDurationS("1e400 s")).toThrow(expect.objectContaining({ kind: "range", text: "1e400 s" }));
  });
});
