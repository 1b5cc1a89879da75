import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { checkNetlistAgainstBoard } from "../../../host/boardDesign/boardCheck";
import { boardPage, DOCUMENTED_BOARDS, loadDocumentedBoard } from "../../../host/boardDesign/generate";
import { parseNetlist, type Netlist } from "../../../host/boardDesign/netlist";
import { renderSchematicSvg } from "../../../host/boardDesign/schematic";
import { billOfMaterials } from "../../../host/boardDesign/bom";
import type { BoardDef } from "../../../shared/config/boardDef";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe("netlists agree with board files", () => {
  for (const id of DOCUMENTED_BOARDS) {
    it(id + ": every pin, address, divider, shunt and NTC matches", () => {
      const { netlist, board } = loadDocumentedBoard(repoRoot, id);
      expect(checkNetlistAgainstBoard(netlist, board)).toEqual([]);
    });
  }

  it("every board file has a netlist", () => {
    const boards = readdirSync(path.join(repoRoot, "hardware", "boards")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
    for (const b of boards) expect(DOCUMENTED_BOARDS).toContain(b);
  });
});

describe("the check finds each kind of disagreement", () => {
  const base = loadDocumentedBoard(repoRoot, "esp32-ads1115");
  const ina = loadDocumentedBoard(repoRoot, "esp32-ina226");
  const adc = loadDocumentedBoard(repoRoot, "esp32-adc");
  const problems = (n: Netlist, b: BoardDef) => checkNetlistAgainstBoard(n, b).join("\n");

  it("a divider ratio in the board file that the resistors do not give", () => {
    const b = clone(base.board);
    b.voltages[2].dividerRatio = 2.5;
    expect(problems(base.netlist, b)).toMatch(/voltages\[2\]\.dividerRatio = 2\.5 but the netlist's resistors give 3/);
  });

  it("a resistor value changed in the netlist", () => {
    const n = clone(base.netlist);
    n.parts.R5.valueOhm = 330000;
    expect(problems(n, base.board)).toMatch(/voltages\[3\]\.dividerRatio = 4 but the netlist's resistors give 4\.3/);
  });

  it("the I2C pins swapped in the board file", () => {
    const b = clone(base.board);
    if (!b.i2c) throw new Error("fixture has no i2c");
    b.i2c.sdaPin = "D22";
    b.i2c.sclPin = "D21";
    expect(problems(base.netlist, b)).toMatch(/U2\.SDA is not on the net of i2c\.sdaPin D22/);
  });

  it("an ADS1115 address strap that does not match", () => {
    const n = clone(base.netlist);
    n.nets["3V3"] = n.nets["3V3"].filter((p) => p !== "U3.ADDR");
    n.nets.SDA.push("U3.ADDR");
    expect(problems(n, base.board)).toMatch(/ads1115 address 0x49 has no ADS1115 strapped to it/);
  });

  it("an INA226 address that its straps do not give", () => {
    const b = clone(ina.board);
    if (!b.ina226) throw new Error("fixture has no ina226");
    b.ina226.address = 0x41;
    expect(problems(ina.netlist, b)).toMatch(/ina226\.address 0x41 but U2 straps A1\/A0 = GND\/GND give 0x40/);
  });

  it("a current polarity that the sense wiring contradicts", () => {
    const b = clone(ina.board);
    b.current.polarity = -1;
    expect(problems(ina.netlist, b)).toMatch(/current\.polarity = -1 but the netlist wires the sense inputs forward/);
  });

  it("a shunt value that differs", () => {
    const b = clone(adc.board);
    b.current.shuntOhm = 0.02;
    expect(problems(adc.netlist, b)).toMatch(/current\.shuntOhm = 0\.02 but RS1 is 0\.01/);
  });

  it("an NTC series resistor that differs, and an NTC on the wrong side", () => {
    const b = clone(base.board);
    b.temps[1].ntc.rFixedOhm = 10000;
    b.temps[0].ntc.ntcLowSide = false;
    const p = problems(base.netlist, b);
    expect(p).toMatch(/temps\[1\]\.ntc\.rFixedOhm = 10000 but R8 is 15000/);
    expect(p).toMatch(/temps\[0\]: NTC TH1 goes to GND .* wants NTC to 3V3/);
  });

  it("a sense amplifier gain that differs", () => {
    const b = clone(adc.board);
    if (!b.current.senseAmp) throw new Error("fixture has no amplifier");
    b.current.senseAmp.gain = 20;
    expect(problems(adc.netlist, b)).toMatch(/senseAmp\.gain = 20 but U2 has gain 50/);
  });

  it("a voltage channel on a pin the netlist leaves unconnected", () => {
    const b = clone(ina.board);
    const ch = b.voltages[1];
    if (ch.chip !== "esp32adc") throw new Error("fixture changed");
    ch.pin = "D37";
    expect(problems(ina.netlist, b)).toMatch(/voltages\[1\]: input pin U1\.GPIO37 is not connected/);
  });
});

describe("netlist parsing", () => {
  const good = loadDocumentedBoard(repoRoot, "esp32-ads1115").netlist;
  it("rejects a pin of an unknown part, naming net and pin", () => {
    const n = clone(good);
    n.nets.SDA.push("U9.SDA");
    expect(() => parseNetlist(n, "x.json")).toThrow(/net "SDA" lists pin "U9\.SDA" of an unknown part/);
  });
  it("rejects a pin on two nets", () => {
    const n = clone(good);
    n.nets.SCL.push("U2.SDA");
    expect(() => parseNetlist(n, "x.json")).toThrow(/pin "U2\.SDA" is on two nets, "SDA" and "SCL"/);
  });
  it("rejects a resistor without a value", () => {
    const n = clone(good);
    delete n.parts.R1.valueOhm;
    expect(() => parseNetlist(n, "x.json")).toThrow(/part R1 \(resistor\) needs valueOhm > 0/);
  });
});

describe("generated documents", () => {
  for (const id of DOCUMENTED_BOARDS) {
    it(id + ": the committed page is what the netlist and board file give (npm run build:hardware)", () => {
      const { netlist, board } = loadDocumentedBoard(repoRoot, id);
      const committed = readFileSync(path.join(repoRoot, "hardware", "generated", id + ".md"), "utf8");
      expect(committed).toBe(boardPage(netlist, board));
    });

    it(id + ": the schematic renders every part", async () => {
      const { netlist } = loadDocumentedBoard(repoRoot, id);
      const svg = await renderSchematicSvg(netlist);
      expect(svg.startsWith("<svg")).toBe(true);
      for (const ref of Object.keys(netlist.parts)) expect(svg).toContain('id="cell_' + ref + '"');
    });
  }

  it("the bill of materials counts every part once", () => {
    const { netlist } = loadDocumentedBoard(repoRoot, "esp32-ads1115");
    const total = billOfMaterials(netlist).reduce((s, l) => s + l.quantity, 0);
    expect(total).toBe(Object.keys(netlist.parts).length);
  });
});
