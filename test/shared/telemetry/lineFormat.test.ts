import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { crc32 } from "../../../shared/telemetry/crc32";
import { roundHalfAway } from "../../../shared/telemetry/fieldText";
import {
  FIELDS,
  LINE_MARKER,
  PROTOCOL_VERSION,
  SEQ_MODULUS,
  decodeLine,
  encodeLine,
  nextSeq,
} from "../../../shared/telemetry/lineFormat";
import { recordFromEvent, type TelemetryRecord, type TelemetryType } from "../../../shared/telemetry/records";

const TYPES = Object.keys(FIELDS) as TelemetryType[];

function kindOf(spec: string): string {
  return spec.substring(spec.indexOf(":") + 1);
}
function pathOf(spec: string): string {
  return spec.substring(0, spec.indexOf(":"));
}
function get(rec: object, path: string): unknown {
  const [a, b] = path.split(".");
  const r = rec as Record<string, unknown>;
  return b === undefined ? r[a] : (r[a] as Record<string, unknown>)[b];
}

const special = fc.constantFrom(NaN, Infinity, -Infinity);
/** Arbitrary value for a field kind, including NaN/±Infinity for numbers. */
function arbFor(kind: string): fc.Arbitrary<unknown> {
  const k = kind.charAt(0);
  if (k === "s") return fc.string({ unit: "binary", maxLength: 30 });
  if (k === "b") return fc.boolean();
  if (k === "v") return fc.constantFrom("warning", "alarm");
  if (k === "i") return fc.oneof({ weight: 9, arbitrary: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) }, { weight: 1, arbitrary: special });
  if (k === "g")
    return fc.oneof(
      { weight: 9, arbitrary: fc.double({ min: -1e12, max: 1e12, noNaN: true }).filter((x) => x === 0 || Math.abs(x) > 1e-200) },
      { weight: 1, arbitrary: special },
    );
  const num = fc.oneof({ weight: 19, arbitrary: fc.double({ min: -1e5, max: 1e5, noNaN: true }) }, { weight: 1, arbitrary: special });
  if (k === "f") return num;
  return fc.array(num, { maxLength: 16 });
}

function arbRecord(type: TelemetryType): fc.Arbitrary<TelemetryRecord> {
  const specs = FIELDS[type];
  return fc.tuple(...specs.map((s) => arbFor(kindOf(s)))).map((vals) => {
    const rec: Record<string, unknown> = { type };
    specs.forEach((s, i) => {
      const [a, b] = pathOf(s).split(".");
      if (b === undefined) rec[a] = vals[i];
      else {
        rec[a] = rec[a] ?? {};
        (rec[a] as Record<string, unknown>)[b] = vals[i];
      }
    });
    return rec as unknown as TelemetryRecord;
  });
}
const anyRecord = fc.constantFrom(...TYPES).chain(arbRecord);
const anySeq = fc.integer({ min: 0, max: SEQ_MODULUS - 1 });

/** The value must survive within the field's documented resolution. */
function expectWithinResolution(kind: string, orig: unknown, got: unknown, path: string): void {
  const k = kind.charAt(0);
  if (k === "s" || k === "b" || k === "v") {
    expect(got, path).toBe(orig);
    return;
  }
  const one = (o: number, g: number, decimals: number): void => {
    if (!isFinite(o)) {
      expect(Object.is(g, o) || (isNaN(o) && isNaN(g)), path).toBe(true);
      return;
    }
    if (k === "g") expect(Math.abs(g - o), path).toBeLessThanOrEqual(Math.abs(o) * 5.000001e-9);
    else if (k === "i") expect(g, path).toBe(roundHalfAway(o) + 0); // -0 prints as 0
    else expect(Math.abs(g - o), path).toBeLessThanOrEqual(0.5 * 10 ** -decimals * (1 + 1e-9) + Math.abs(o) * 1e-15);
  };
  if (k === "l") {
    const a = orig as number[];
    const b = got as number[];
    expect(b.length, path).toBe(a.length);
    for (let i = 0; i < a.length; i++) one(a[i], b[i], parseInt(kind.substring(1), 10));
    return;
  }
  one(orig as number, got as number, k === "f" ? parseInt(kind.substring(1), 10) : 0);
}

// A realistic 4-cell status line.
const STATUS: TelemetryRecord = {
  type: "status",
  tMs: 86_400_123,
  cellV: [1.4567, 1.4521, 1.4602, 1.4499],
  currentA: -0.123456,
  tempC: [25.1, 24.8],
  socFrac: [0.8734, 0.8702, 0.8811, 0.869],
  segment: 2,
  cycleCount: 153,
  alarmMask: 0,
  lastCe: 0.998734,
  lastCeBound: 0.0012,
  lastEe: 0.8654,
  flags: 0,
};

describe("telemetry line format", () => {
  it("every field spec is path:kind with at most one decimals digit (the encoder reads one)", () => {
    for (const type of Object.keys(FIELDS) as TelemetryType[]) {
      for (const spec of FIELDS[type]) expect(spec, type).toMatch(/^[a-zA-Z0-9.]+:([ibsvg]|[fl]\d)$/);
    }
  });

  it("a 4-cell status line is well under 150 bytes and decodes back", () => {
    const line = encodeLine(STATUS, 123456);
    expect(line.length).toBeLessThan(130);
    expect(line.startsWith(LINE_MARKER + PROTOCOL_VERSION + ",123456,S,")).toBe(true);
    const d = decodeLine(line);
    expect(d.ok).toBe(true);
    if (d.ok) {
      expect(d.seq).toBe(123456);
      expect(d.record).toEqual(STATUS);
    }
  });

  it("a status line whose last fields repeat the previous line's reuses their text: same bytes as encoded afresh (property)", () => {
    // each line's tail is the previous one's, or it with one field changed (often to NaN, −0 or 0)
    const tailValue = fc.constantFrom(0, -0, 1, 2, NaN, Infinity, 0.5, 153, 0.998734, 1e-7);
    const TAIL = ["segment", "cycleCount", "alarmMask", "lastCe", "lastCeBound", "lastEe", "flags"];
    const change = fc.option(fc.tuple(fc.integer({ min: 0, max: TAIL.length - 1 }), tailValue), { freq: 2 });
    const seqArb = fc.tuple(
      fc.array(tailValue, { minLength: TAIL.length, maxLength: TAIL.length }),
      fc.array(fc.tuple(arbRecord("status"), change), { minLength: 1, maxLength: 12 }),
    ).map(([first, steps]) => {
      const tail = first.slice();
      return steps.map(([rec, ch]) => {
        if (ch !== null) tail[ch[0]] = ch[1];
        const r = rec as unknown as Record<string, unknown>;
        TAIL.forEach((name, i) => (r[name] = tail[i]));
        return rec;
      });
    });
    // a record whose tail differs from every tailValue: encoding it first empties the kept text's use
    const other = { ...STATUS } as unknown as Record<string, unknown>;
    for (const name of TAIL) other[name] = 0.25;
    fc.assert(
      fc.property(seqArb, (recs) => {
        const inOrder = recs.map((r, k) => encodeLine(r, k));
        const afresh = recs.map((r, k) => {
          encodeLine(other as unknown as TelemetryRecord, 0);
          return encodeLine(r, k);
        });
        expect(inOrder).toEqual(afresh);
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips arbitrary records of every type within each field's resolution (property)", () => {
    fc.assert(
      fc.property(anyRecord, anySeq, (rec, seq) => {
        const d = decodeLine(encodeLine(rec, seq));
        expect(d.ok).toBe(true);
        if (!d.ok) return;
        expect(d.seq).toBe(seq);
        expect(d.version).toBe(PROTOCOL_VERSION);
        expect(d.record.type).toBe(rec.type);
        for (const spec of FIELDS[rec.type])
          expectWithinResolution(kindOf(spec), get(rec, pathOf(spec)), get(d.record, pathOf(spec)), pathOf(spec));
      }),
      { numRuns: 500 },
    );
  });

  it("rejects any single corrupted byte (property)", () => {
    fc.assert(
      fc.property(anyRecord, anySeq, fc.nat(), fc.integer({ min: 0, max: 0xffff }), (rec, seq, posSeed, code) => {
        const line = encodeLine(rec, seq);
        const pos = posSeed % line.length;
        fc.pre(line.charCodeAt(pos) !== code);
        const bad = line.substring(0, pos) + String.fromCharCode(code) + line.substring(pos + 1);
        const d = decodeLine(bad);
        expect(d.ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it("rejects any single corrupted byte with a printable ASCII substitute (property)", () => {
    fc.assert(
      fc.property(anyRecord, anySeq, fc.nat(), fc.integer({ min: 0x20, max: 0x7e }), (rec, seq, posSeed, code) => {
        const line = encodeLine(rec, seq);
        const pos = posSeed % line.length;
        fc.pre(line.charCodeAt(pos) !== code);
        const bad = line.substring(0, pos) + String.fromCharCode(code) + line.substring(pos + 1);
        expect(decodeLine(bad).ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it("rejects a line with one byte dropped (property)", () => {
    fc.assert(
      fc.property(anyRecord, anySeq, fc.nat(), (rec, seq, posSeed) => {
        const line = encodeLine(rec, seq);
        const pos = posSeed % line.length;
        expect(decodeLine(line.substring(0, pos) + line.substring(pos + 1)).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it("tells console text, bad CRC, bad version and malformed lines apart", () => {
    const line = encodeLine(STATUS, 7);
    const notTel = decodeLine('>print("hello")');
    expect(notTel.ok === false && notTel.reason).toBe("notTelemetry");
    const badCrc = decodeLine(line.substring(0, line.length - 1) + (line.endsWith("0") ? "1" : "0"));
    expect(badCrc.ok === false && badCrc.reason).toBe("badCrc");
    const v2body = "#Z2,7,S,1";
    const v2 = decodeLine(v2body + "*" + crc32(v2body).toString(16).padStart(8, "0"));
    expect(v2.ok === false && v2.reason).toBe("badVersion");
    const shortBody = "#Z1,7,S,1,2";
    const short = decodeLine(shortBody + "*" + crc32(shortBody).toString(16).padStart(8, "0"));
    expect(short.ok === false && short.reason).toBe("malformed");
    expect(short.ok === false && short.detail).toMatch(/12 fields, line has 2/);
    const unknownBody = "#Z1,7,Q";
    const unknown = decodeLine(unknownBody + "*" + crc32(unknownBody).toString(16).padStart(8, "0"));
    expect(unknown.ok === false && unknown.detail).toMatch(/unknown record type 'Q'/);
    const upper = decodeLine(line.toUpperCase());
    expect(upper.ok).toBe(false);
  });

  it("tolerates a REPL prompt before the marker and a trailing CR", () => {
    const line = encodeLine(STATUS, 9);
    expect(decodeLine(">" + line + "\r").ok).toBe(true);
    expect(decodeLine("\r\x1b[J>" + line).ok).toBe(true);
    expect(decodeLine(line + "\r\n").ok).toBe(true);
    expect(decodeLine(line + ">").ok).toBe(false);
  });

  it("uses an injected CRC function (the firmware passes E.CRC32, which may return signed values)", () => {
    const signedCrc = (s: string): number => crc32(s) | 0;
    const rec: TelemetryRecord = { type: "reply", id: "c1", payload: '{"cells":4}' };
    for (let seq = 0; seq < 50; seq++) expect(encodeLine(rec, seq, signedCrc)).toBe(encodeLine(rec, seq));
  });

  it("strings survive with separators and markers inside", () => {
    const rec: TelemetryRecord = { type: "error", id: "ina226", text: "I2C, NACK * at #Z1; 100% bad\n" };
    const d = decodeLine(encodeLine(rec, 1));
    expect(d.ok && d.record).toEqual(rec);
  });

  it("a 0.01 % CE difference survives a cycle line", () => {
    const base = { index: 3, startTMs: 0, endTMs: 7_200_000, chargeWh: 1.5, dischargeWh: 1.3, ceBound: 0.001, ee: 0.87, ve: 0.87,
      meanChargeV: 1.5, meanDischargeV: 1.3, voltageGapV: 0.2, chargeDurationS: 3600, dischargeDurationS: 3600, tempMinC: 24,
      tempMaxC: 26, flags: 0, cumulativeCe: 0.999, rollingCe: 0.999, cyclesTo80: 223.0, cyclesTo80Low: 100, cyclesTo80High: Infinity, restAh: -0.0001 };
    const a = { ...base, chargeAh: 1.000123, dischargeAh: 0.998734, ce: 0.998734 / 1.000123 };
    const b = { ...a, dischargeAh: a.dischargeAh + 0.0001 * a.chargeAh, ce: a.ce + 0.0001 };
    const da = decodeLine(encodeLine({ type: "cycle", tMs: 7_200_000, cycle: a }, 1));
    const db = decodeLine(encodeLine({ type: "cycle", tMs: 7_200_000, cycle: b }, 2));
    if (!da.ok || !db.ok || da.record.type !== "cycle" || db.record.type !== "cycle") throw new Error("decode failed");
    const ceA = da.record.cycle.dischargeAh / da.record.cycle.chargeAh;
    const ceB = db.record.cycle.dischargeAh / db.record.cycle.chargeAh;
    expect(ceB - ceA).toBeCloseTo(0.0001, 8);
    expect(db.record.cycle.ce - da.record.cycle.ce).toBeCloseTo(0.0001, 8);
    expect(db.record.cycle.cyclesTo80High).toBe(Infinity);
  });

  it("maps model events to records", () => {
    const r = recordFromEvent({ kind: "alarm", tMs: 5, id: "cellOverVoltage", level: "alarm", raised: true, value: 1.95 });
    expect(r).toEqual({ type: "alarm", tMs: 5, id: "cellOverVoltage", level: "alarm", raised: true, value: 1.95 });
    const line = encodeLine(r as TelemetryRecord, 4);
    expect(line).toMatch(/^#Z1,4,A,5,cellOverVoltage,a,1,195e-2\*[0-9a-f]{8}$/);
  });

  it("sequence numbers wrap at SEQ_MODULUS", () => {
    expect(nextSeq(0)).toBe(1);
    expect(nextSeq(SEQ_MODULUS - 1)).toBe(0);
  });

  it("encoding refuses records that break their type, naming the field", () => {
    expect(() => encodeLine({ ...STATUS, cellV: 3 as unknown as number[] }, 0)).toThrow(/cellV/);
    expect(() => encodeLine({ type: "alarm", tMs: 0, id: "x", level: "fatal" as never, raised: true, value: 1 }, 0)).toThrow(/level/);
    expect(() => encodeLine({ type: "nope" } as unknown as TelemetryRecord, 0)).toThrow(/unknown record type/);
  });
});

describe("docs/protocol.md", () => {
  it("every example line on the page decodes, and re-encodes to the same text", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const md = fs.readFileSync(path.resolve(__dirname, "../../../docs/protocol.md"), "utf8");
    const lines = md.split("\n").filter((l) => l.startsWith("#Z1,") && l.indexOf("<seq>") < 0);
    expect(lines.length).toBeGreaterThanOrEqual(14);
    for (const l of lines) {
      const d = decodeLine(l);
      expect(d.ok, l).toBe(true);
      if (d.ok) expect(encodeLine(d.record, d.seq)).toBe(l);
    }
  });
});
