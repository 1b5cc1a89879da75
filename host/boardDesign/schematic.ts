/**
 * Schematic SVG from a netlist, drawn by netlistsvg (its analog skin; layout by ELK).
 * Our netlist is turned into the Yosys JSON netlistsvg reads: one cell per part (resistors,
 * NTCs and the shunt as resistor symbols, chips as labelled boxes with their pin names), one
 * bit number per net, a ground and a 3V3 symbol for those two nets.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import type { Netlist } from "./netlist";

const require = createRequire(import.meta.url);

interface YosysCell {
  type: string;
  port_directions: Record<string, "input" | "output">;
  connections: Record<string, number[]>;
  attributes?: Record<string, string>;
}

/** Pins drawn on the left of a chip box (inputs from the pack side); all others go right. */
const LEFT_PIN_PREFIXES = ["AIN", "IN", "CELL", "PACK", "VBUS", "GPIO3"];

/** Power nets drawn as a ground or supply symbol at every pin instead of as wires. */
const POWER_NETS: Record<string, "gnd" | "vcc"> = { GND: "gnd", "3V3": "vcc" };

/** Yosys-style JSON for netlistsvg. */
export function toYosys(n: Netlist): object {
  const bits: Record<string, number> = {};
  const pinBits: Record<string, number> = {};
  const cells: Record<string, YosysCell> = {};
  let next = 2; // netlistsvg reserves 0 and 1 for constants
  for (const net of Object.keys(n.nets)) {
    const symbol = POWER_NETS[net];
    if (!symbol) {
      bits[net] = next++;
      continue;
    }
    for (const pin of n.nets[net]) {
      const bit = next++;
      pinBits[pin] = bit;
      const dir = symbol === "gnd" ? "input" : "output";
      cells[symbol + "_" + pin] = { type: symbol, port_directions: { A: dir }, connections: { A: [bit] }, attributes: { name: net } };
    }
  }
  const bitOf = (pin: string): number => (pin in pinBits ? pinBits[pin] : bits[netOf(n, pin)]);
  const pinsOf: Record<string, string[]> = {};
  for (const net of Object.keys(n.nets)) {
    for (const pin of n.nets[net]) {
      const dot = pin.indexOf(".");
      const ref = pin.slice(0, dot);
      (pinsOf[ref] = pinsOf[ref] || []).push(pin.slice(dot + 1));
    }
  }
  for (const ref of Object.keys(n.parts)) {
    const p = n.parts[ref];
    const pins = pinsOf[ref] || [];
    const twoTerminal = p.kind === "resistor" || p.kind === "ntc" || p.kind === "shunt";
    if (twoTerminal) {
      cells[ref] = {
        type: p.kind === "shunt" ? "r_h" : "r_v",
        port_directions: { A: "input", B: "output" },
        connections: { A: [bitOf(ref + ".1")], B: [bitOf(ref + ".2")] },
        attributes: { ref: ref, value: formatOhm(p.valueOhm as number) + (p.kind === "ntc" ? " NTC" : "") },
      };
      continue;
    }
    const dirs: Record<string, "input" | "output"> = {};
    const conns: Record<string, number[]> = {};
    for (const pin of pins) {
      dirs[pin] = LEFT_PIN_PREFIXES.some((pre) => pin.indexOf(pre) === 0) ? "input" : "output";
      conns[pin] = [bitOf(ref + "." + pin)];
    }
    cells[ref] = { type: ref + " " + p.part, port_directions: dirs, connections: conns };
  }
  return { modules: { [n.board]: { ports: {}, cells, netnames: netnames(bits) } } };
}

function netnames(bits: Record<string, number>): Record<string, { bits: number[]; hide_name: number }> {
  const out: Record<string, { bits: number[]; hide_name: number }> = {};
  for (const k of Object.keys(bits)) out[k] = { bits: [bits[k]], hide_name: 0 };
  return out;
}

function netOf(n: Netlist, pin: string): string {
  for (const net of Object.keys(n.nets)) if (n.nets[net].indexOf(pin) >= 0) return net;
  throw new Error("netlist " + n.board + ": pin " + pin + " is on no net");
}

function formatOhm(r: number): string {
  if (r >= 1e6) return r / 1e6 + "M";
  if (r >= 1e3) return r / 1e3 + "k";
  if (r < 1) return r * 1e3 + "m";
  return String(r);
}

/** Render the schematic SVG text. */
export async function renderSchematicSvg(n: Netlist): Promise<string> {
  const netlistsvg = require("netlistsvg") as { render: (skin: string, net: object) => Promise<string> };
  const skin = readFileSync(require.resolve("netlistsvg/lib/analog.svg"), "utf8");
  const svg = await netlistsvg.render(skin, toYosys(n));
  // The skin's power symbols keep a placeholder label: ground gets none, supplies their net name.
  return svg
    .replace(/(class="nodelabel cell_gnd_[^"]*" s:attribute="name">)name</g, "$1<")
    .replace(/(class="nodelabel cell_vcc_[^"]*" s:attribute="name">)name</g, "$13V3<")
    .replace("<svg ", '<svg data-board="' + n.board + '" ');
}
