import { describe, expect, it } from "vitest";
import { ProtocolError, countSteps, parseProtocol, parseStep, type ProtocolStep } from "../../../host/sim/protocol";

const opts = { capacityAh: 2 };

describe("protocol parsing", () => {
  it("parses the accepted forms into SI units", () => {
    const c = parseStep("Charge at C/5 until 1.8 V", "step 1", opts);
    expect(c).toMatchObject({ kind: "charge", currentA: 0.4, cellV: 1.8 });
    expect(c.durationS).toBeNaN();
    expect(parseStep("Discharge at 100 mA for 5 hours or until 800 mV", "s", opts)).toMatchObject({
      kind: "discharge",
      currentA: 0.1,
      cellV: 0.8,
      durationS: 18000,
    });
    expect(parseStep("charge at 0.5C for 90 min", "s", opts)).toMatchObject({ currentA: 1, durationS: 5400 });
    expect(parseStep("Hold at 1.8 V until C/50", "s", opts)).toMatchObject({ kind: "hold", cellV: 1.8, untilCurrentA: 0.04 });
    expect(parseStep("Hold at 1.8 V until 10 mA or 2 hours", "s", opts)).toMatchObject({ untilCurrentA: 0.01, durationS: 7200 });
    expect(parseStep("Rest for 2 days", "s", opts)).toMatchObject({ kind: "rest", durationS: 172800 });
    const rr = parseStep("Random rest for 24 to 48 hours with probability 0.1", "s", opts);
    expect(rr).toMatchObject({ kind: "rest", durationS: 86400, maxDurationS: 172800, probability: 0.1 });
  });

  it("text repeats by indentation equal the JSON form", () => {
    const text = parseProtocol(
      "# conditioning\nDischarge at C/5 until 0.8 V\nRepeat 10 times:\n  Charge at C/5 until 1.8 V\n  Repeat 2 times:\n    Rest for 1 h\n  Discharge at C/5 until 0.8 V\nRest for 24 hours",
      opts,
    );
    const json = parseProtocol(
      [
        "Discharge at C/5 until 0.8 V",
        { repeat: 10, steps: ["Charge at C/5 until 1.8 V", { repeat: 2, steps: ["Rest for 1 h"] }, "Discharge at C/5 until 0.8 V"] },
        "Rest for 24 hours",
      ],
      opts,
    );
    const strip = (x: unknown): string => JSON.stringify(x, (k, v) => (k === "text" ? undefined : v));
    expect(strip(text)).toBe(strip(json));
    expect(countSteps(text)).toBe(1 + 10 * 4 + 1);
  });

  const bad: [string, RegExp][] = [
    ["Charge at C/5 untl 1.8 V", /cannot read the current/],
    ["Charge at C/5", /needs an end/],
    ["Chrage at C/5 until 1.8 V", /unknown step kind "chrage"/],
    ["Rest for 2 fortnights", /cannot read the duration "2 fortnights"/],
    ["Charge at C/5 until 18 V", /outside 0…10 V/],
    ["Discharge at -1 A until 0.8 V", /cannot read the current/],
    ["Random rest for 24 to 48 hours with probability 1.5", /probability "1.5"/],
    ["Random rest for 48 to 24 hours with probability 0.5", /upper duration is below/],
    ["Hold at 1.8 V until", /cannot read this hold step|unknown/],
  ];
  for (const [text, why] of bad) {
    it(`rejects ${JSON.stringify(text)} naming the step, quoting it, listing accepted forms`, () => {
      let err: unknown = null;
      try {
        parseProtocol(["Rest for 1 h", text], opts);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ProtocolError);
      const m = (err as Error).message;
      expect(m).toContain("step 2");
      expect(m).toContain(JSON.stringify(text.trim()));
      expect(m).toMatch(why);
      expect(m).toContain("Accepted forms");
      expect(m).toContain('e.g. "Charge at C/5 until 1.8 V"');
    });
  }

  it("rejects bad repeats in both forms and names the line", () => {
    expect(() => parseProtocol("Repeat ten times:\n  Rest for 1 h", opts)).toThrow(/line 1.*repeat count "ten"/);
    expect(() => parseProtocol("Repeat 3 times:\nRest for 1 h", opts)).toThrow(/indented deeper/);
    expect(() => parseProtocol([{ repeat: 0, steps: ["Rest for 1 h"] }], opts)).toThrow(/repeat must be an integer ≥ 1/);
    expect(() => parseProtocol("Rest for 1 h\n    Rest for 2 h", opts)).toThrow(/line 2.*indentation/);
    expect(() => parseProtocol("", opts)).toThrow(/no steps/);
  });

  it("needs a capacity for C-rates", () => {
    expect(() => parseProtocol(["Rest for 1 h"], { capacityAh: 0 })).toThrow(/capacityAh/);
  });

  it("every parsed step is typed with NaN for absent limits", () => {
    const s: ProtocolStep = parseStep("Rest for 10 s", "s", opts);
    expect(s.currentA).toBeNaN();
    expect(s.cellV).toBeNaN();
    expect(s.probability).toBeNaN();
  });
});

describe("protocol durations (read by host/util/duration.ts)", () => {
  it("keeps the step's context and its own limit > 0", () => {
    expect(() => parseProtocol(["Rest for 1 h", "Rest for 0 h"], opts)).toThrow(/step 2 "Rest for 0 h": duration "0 h" must be > 0/);
    expect(() => parseProtocol("Rest for 1 h\nRest for 1e400 hours", opts)).toThrow(/line 2.*duration "1e400 hours" is too large/);
    expect(() => parseStep("Rest for 2 weeks", "step 7", opts)).toThrow(/step 7 "Rest for 2 weeks": cannot read the duration "2 weeks".*d \(day, days\)/);
  });
  it("reads the same notation as Adams span times (short units, no space)", () => {
    expect(parseStep("Rest for 2.5h", "s", opts).durationS).toBe(9000);
    expect(parseStep("Charge at C/5 for 90min or until 1.8 V", "s", opts)).toMatchObject({ durationS: 5400, cellV: 1.8 });
  });
});
