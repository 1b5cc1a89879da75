/** `zbms send` prints a reply's numbers as plain decimals, not the firmware's wire form (issue 17). */
import { describe, expect, it } from "vitest";
import { formatAnswer, readablePayload } from "../../../host/cli/sendCommand";
import { encodeSig, SIG_DIGITS } from "../../../shared/telemetry/fieldText";

describe("readablePayload", () => {
  it("turns the encoder's mantissa-exponent numbers into the decimals they stand for", () => {
    // the wire form comes from the firmware's own encoder; its value is checked against the number encoded
    const values = [0.000111111111, 0.237333333, 338009.361, 1000, -0.0025, 0];
    const payload = "{" + values.map((v, i) => `"v${i}":${encodeSig(v, SIG_DIGITS)}`).join(",") + "}";
    expect(payload).toContain("111111111e-12");
    const shown = readablePayload(payload);
    expect(shown).not.toMatch(/\de-?\d/);
    for (let i = 0; i < values.length; i++) expect(shown).toContain(`"v${i}": ${String(values[i])}`);
    expect(shown.split("\n").length).toBe(values.length + 2); // one field per line
  });

  it("nested objects, arrays, strings and booleans keep their values; scalars print on one line", () => {
    const p = '{"mem":{"free":4943},"list":["a","b"],"ok":true,"x":null,"t":"text e-5"}';
    expect(JSON.parse(readablePayload(p))).toEqual(JSON.parse(p));
    expect(readablePayload("12345e-2")).toBe("123.45");
  });

  it("a payload that is not JSON is printed as it came", () => {
    expect(readablePayload("not json {")).toBe("not json {");
    expect(formatAnswer({ kind: "reply", id: "1", payload: "plain" })).toBe("plain");
  });
});
