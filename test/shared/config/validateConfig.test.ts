import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { defaultPackConfig } from "../../../shared/config/defaults";
import { CONFIG_RULES, ConfigError, validateConfig, type ConfigRule } from "../../../shared/config/validateConfig";
import { CHEMISTRY_IDS } from "../../../shared/chemistry/presets";

type Json = Record<string, unknown>;
const base = (): Json => JSON.parse(JSON.stringify(defaultPackConfig("ZnMnO2", 4, 1.2))) as Json;

/** Run validateConfig and return the ConfigError it throws (fails the test if none). */
function errorOf(x: unknown): ConfigError {
  try {
    validateConfig(x);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("validateConfig accepted a bad config");
}

function setPath(o: Json, path: string, v: unknown): void {
  const parts = path.split(".");
  let cur = o;
  for (let i = 0; i < parts.length - 1; i++) cur = cur[parts[i]] as Json;
  if (v === undefined) delete cur[parts[parts.length - 1]];
  else cur[parts[parts.length - 1]] = v;
}

/** Every numeric leaf path in the rule table (required ones only). */
function numericPaths(rules: Record<string, ConfigRule>, prefix: string): string[] {
  const out: string[] = [];
  for (const k of Object.keys(rules)) {
    const r = rules[k];
    const p = prefix + k;
    if (r.optional) continue;
    if (r.kind === "num" || r.kind === "int") out.push(p);
    else if (r.kind === "obj") out.push(...numericPaths(r.fields as Record<string, ConfigRule>, p + "."));
  }
  return out;
}
const NUMERIC_PATHS = numericPaths(CONFIG_RULES, "");

describe("validateConfig accepts the defaults", () => {
  it("for every chemistry, cell count and a range of capacities (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...CHEMISTRY_IDS), fc.integer({ min: 1, max: 16 }), fc.double({ min: 0.001, max: 200, noNaN: true }), (ch, n, cap) => {
        const c = defaultPackConfig(ch, n, cap);
        expect(validateConfig(c)).toEqual(c);
      }),
      { numRuns: 200 },
    );
  });
  it("returns a deep copy", () => {
    const c = base();
    const v = validateConfig(c);
    (c.segmentation as Json).dwellMs = -5;
    expect(v.segmentation.dwellMs).not.toBe(-5);
  });
});

describe("validateConfig names the bad field, quotes the value, lists what is allowed", () => {
  it("out of range: the issue's own example", () => {
    const c = base();
    c.cellCount = 17;
    const e = errorOf(c);
    expect(e.message).toBe('pack config: field "cellCount" = 17 is out of range; allowed: integer 1…16');
    expect(String(e)).toBe('ConfigError: pack config: field "cellCount" = 17 is out of range; allowed: integer 1…16');
    expect(e.field).toBe("cellCount");
    expect(e.value).toBe(17);
    expect(e.allowed).toBe("integer 1…16");
  });
  it("not an integer", () => {
    const c = base();
    c.tempCount = 1.5;
    expect(errorOf(c).message).toMatch(/"tempCount" = 1.5 is not an integer; allowed: integer 0…16/);
  });
  it("wrong type, NaN, Infinity", () => {
    const c = base();
    c.capacityAh = "1.2";
    expect(errorOf(c).message).toMatch(/"capacityAh" = "1.2" is not a number; allowed: finite number 0.00001…1000 Ah/);
    c.capacityAh = NaN;
    expect(errorOf(c).field).toBe("capacityAh");
    c.capacityAh = Infinity;
    expect(errorOf(c).message).toMatch(/is not finite/);
  });
  it("missing field, nested", () => {
    const c = base();
    delete (c.counting as Json).maxGapMs;
    const e = errorOf(c);
    expect(e.field).toBe("counting.maxGapMs");
    expect(e.message).toMatch(/"counting.maxGapMs" = undefined \(missing\) is missing/);
  });
  it("unknown fields, top level and nested, are errors naming them", () => {
    const c = base();
    c.cellcount = 4;
    const e = errorOf(c);
    expect(e.field).toBe("cellcount");
    expect(e.message).toMatch(/is not a known field; allowed: fields of \(top level\): name, chemistry, cellCount/);
    const d = base();
    (d.soc as Json).relaxMs = 1;
    expect(errorOf(d).field).toBe("soc.relaxMs");
  });
  it("enum values", () => {
    const c = base();
    c.chemistry = "LiFePO4";
    expect(errorOf(c).message).toMatch(/"chemistry" = "LiFePO4" is not accepted; allowed: "ZnMnO2", "ZnVOx", "ZnI2", "ZnPBA"/);
    const d = base();
    (d.segmentation as Json).firstHalf = "both";
    expect(errorOf(d).field).toBe("segmentation.firstHalf");
  });
  it("strings: type and length", () => {
    const c = base();
    c.name = "";
    expect(errorOf(c).message).toMatch(/"name" = "" has the wrong length; allowed: text of 1…64 characters/);
  });
  it("not an object", () => {
    expect(errorOf(null).field).toBe("(top level)");
    expect(errorOf([1, 2]).field).toBe("(top level)");
    const c = base();
    c.sensorChain = 5;
    expect(errorOf(c).field).toBe("sensorChain");
  });
  it("OCV curve: length, order, range", () => {
    const c = base();
    const soc = c.soc as Json;
    soc.ocvChargeV = [1, 2];
    expect(errorOf(c).message).toMatch(/"soc.ocvChargeV" = \[1,2\] has 2 values, not 13/);
    const d = base();
    const curve = ((d.soc as Json).ocvChargeV as number[]).slice();
    curve[5] = curve[4];
    (d.soc as Json).ocvChargeV = curve;
    expect(errorOf(d).field).toBe("soc.ocvChargeV[5]");
  });
  it("per-cell offsets sensorChain.cellVoltageOffsetV: optional; one per cell, each finite, ≥ 0 and ≤ voltageOffsetV", () => {
    const withCells = (list: unknown): Json => {
      const c = base();
      (c.sensorChain as Json).voltageOffsetV = 0.02;
      (c.sensorChain as Json).cellVoltageOffsetV = list;
      return c;
    };
    // absent (the defaults) and a valid list, any order (tap-wired boards: rising), an entry equal to the worst
    expect(validateConfig(withCells([0.02, 0.001, 0, 0.01])).sensorChain.cellVoltageOffsetV).toEqual([0.02, 0.001, 0, 0.01]);
    expect(validateConfig(base()).sensorChain.cellVoltageOffsetV).toBeUndefined();
    const short = errorOf(withCells([0.001, 0.002, 0.003]));
    expect(short.field).toBe("sensorChain.cellVoltageOffsetV");
    expect(short.message).toBe('pack config: field "sensorChain.cellVoltageOffsetV" = [0.001,0.002,0.003] has 3 values, not cellCount = 4; ' +
      "allowed: one value per cell (cellCount), each 0…3 V and ≤ sensorChain.voltageOffsetV");
    expect(errorOf(withCells([0.001, 0.002, 0.003, 0.004, 0.005])).message).toMatch(/has 5 values, not cellCount = 4/);
    const above = errorOf(withCells([0.001, 0.021, 0.003, 0.004]));
    expect(above.field).toBe("sensorChain.cellVoltageOffsetV[1]");
    expect(above.value).toBe(0.021);
    expect(above.message).toMatch(/= 0.021 is above sensorChain.voltageOffsetV = 0.02; allowed: each cell's offset ≤ voltageOffsetV/);
    const neg = errorOf(withCells([0.001, 0.002, -0.001, 0.004]));
    expect([neg.field, neg.value]).toEqual(["sensorChain.cellVoltageOffsetV[2]", -0.001]);
    expect(neg.message).toMatch(/is out of range/);
    const nan = errorOf(withCells([NaN, 0.002, 0.003, 0.004]));
    expect(nan.field).toBe("sensorChain.cellVoltageOffsetV[0]");
    expect(nan.message).toMatch(/= NaN is not a finite number/);
    expect(errorOf(withCells([0.001, Infinity, 0.003, 0.004])).field).toBe("sensorChain.cellVoltageOffsetV[1]");
    expect(errorOf(withCells([0.001, "0.002", 0.003, 0.004])).field).toBe("sensorChain.cellVoltageOffsetV[1]");
    const notList = errorOf(withCells(0.01));
    expect([notList.field, notList.value]).toEqual(["sensorChain.cellVoltageOffsetV", 0.01]);
    expect(notList.message).toMatch(/is not a list/);
  });
  it("cross-field orderings name the field that must move", () => {
    const c = base();
    (c.segmentation as Json).restCurrentA = (c.segmentation as Json).activeCurrentA;
    const e = errorOf(c);
    expect(e.field).toBe("segmentation.restCurrentA");
    expect(e.message).toMatch(/is not below segmentation.activeCurrentA/);
    const d = base();
    (d.counting as Json).maxGapMs = d.samplePeriodMs;
    expect(errorOf(d).field).toBe("counting.maxGapMs");
    const f = base();
    (f.soc as Json).emptyCellV = (f.soc as Json).fullCellV;
    expect(errorOf(f).field).toBe("soc.emptyCellV");
    const g = base();
    const dis = ((g.soc as Json).ocvDischargeV as number[]).slice();
    dis[12] = 5 - 2.5;
    (g.soc as Json).ocvDischargeV = dis;
    expect(errorOf(g).field).toBe("soc.ocvDischargeV[12]");
  });
  it("alarm table: limit vs reset ordering names the row", () => {
    const c = base();
    const rows = c.alarms as Json[];
    const i = rows.findIndex((r) => r.id === "cellOverVoltage");
    rows[i].reset = (rows[i].limit as number) + 0.1;
    const e = errorOf(c);
    expect(e.field).toBe("alarms[" + i + "].reset");
    expect(e.value).toBe(rows[i].reset);
    expect(e.message).toMatch(/^pack config: alarm table: alarms\[\d+\]\.reset = .* must be below limit/);
  });
  it("alarm table: a warning beyond its alarm level", () => {
    const c = base();
    const rows = c.alarms as Json[];
    const w = rows.findIndex((r) => r.id === "overTemp" && r.level === "warning");
    const a = rows.findIndex((r) => r.id === "overTemp" && r.level === "alarm");
    rows[w].limit = (rows[a].limit as number) + 10;
    rows[w].reset = (rows[w].limit as number) - 1;
    const e = errorOf(c);
    expect(e.field).toBe("alarms");
    expect(e.message).toMatch(/overTemp: warning limit .* is beyond the alarm limit/);
  });
  it("alarm rows: unknown id, unknown or missing field", () => {
    const c = base();
    (c.alarms as Json[])[0].id = "meltdown";
    expect(errorOf(c).message).toMatch(/"meltdown" is not an alarm id/);
    const d = base();
    (d.alarms as Json[])[1].delay = 5;
    expect(errorOf(d).field).toBe("alarms[1].delay");
    const f = base();
    delete (f.alarms as Json[])[2].level;
    expect(errorOf(f).field).toBe("alarms[2].level");
    const g = base();
    g.alarms = "none";
    expect(errorOf(g).field).toBe("alarms");
  });
  it("optional practical conditions: absent is fine, bad values are named", () => {
    const c = base();
    c.practical = { npRatio: 3.2 };
    expect(validateConfig(c).practical).toEqual({ npRatio: 3.2 });
    c.practical = { npRatio: -1 };
    expect(errorOf(c).field).toBe("practical.npRatio");
    c.practical = { cathodeLoading: 20 };
    expect(errorOf(c).field).toBe("practical.cathodeLoading");
  });
  it("any numeric field set to a bad value is named exactly (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NUMERIC_PATHS),
        fc.constantFrom<unknown>(NaN, Infinity, -Infinity, "7", null, -1e9, 1e12, true, [1], undefined),
        (path, bad) => {
          const c = base();
          setPath(c, path, bad);
          let e: ConfigError | undefined;
          try {
            validateConfig(c);
          } catch (err) {
            e = err as ConfigError;
          }
          expect(e, path + " = " + String(bad)).toBeInstanceOf(ConfigError);
          expect((e as ConfigError).field).toBe(path);
          expect((e as ConfigError).message).toContain('"' + path + '"');
        },
      ),
      { numRuns: 400 },
    );
  });
});
