/**
 * Machine-readable netlists of the reference boards (`hardware/netlists/<board>.json`).
 *
 * A netlist names every part (reference designator → kind, value, manufacturer part number) and
 * every net (name → the part pins on it, written "REF.PIN"). The schematic SVG, the bill of
 * materials and the wiring tables are all generated from it, and `checkNetlistAgainstBoard`
 * proves that it and the board file (`hardware/boards/<board>.json`, what the firmware uses)
 * agree on every pin, address, divider, shunt and NTC resistor — so there is no second copy to
 * drift.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export type PartKind =
  | "mcu"
  | "adc"
  | "currentMonitor"
  | "senseAmp"
  | "shunt"
  | "resistor"
  | "ntc"
  | "connector"
  | "switch";

export interface NetlistPart {
  kind: PartKind;
  /** Generic part name, e.g. "ADS1115", "resistor". */
  part: string;
  /** Manufacturer part number (for the bill of materials). */
  mpn: string;
  maker: string;
  description: string;
  /** Resistance (Ω) for resistors, shunts and NTCs (NTC: R25). */
  valueOhm?: number;
  /** Voltage gain (V/V) for sense amplifiers. */
  gain?: number;
}

export interface Netlist {
  board: string;
  description: string;
  parts: Record<string, NetlistPart>;
  /** Net name → pins "REF.PIN". */
  nets: Record<string, string[]>;
}

const PART_KINDS: PartKind[] = ["mcu", "adc", "currentMonitor", "senseAmp", "shunt", "resistor", "ntc", "connector", "switch"];

/** Folder of the netlists, relative to the repository root. */
export const NETLIST_DIR = path.join("hardware", "netlists");

/** Parse and check a netlist's own consistency; throws naming the bad part, net or pin. */
export function parseNetlist(x: unknown, source: string): Netlist {
  const where = "netlist " + source;
  if (x === null || typeof x !== "object") throw new Error(where + ": expected a JSON object");
  const n = x as Netlist;
  if (typeof n.board !== "string" || n.board === "") throw new Error(where + ': field "board" must be a board id string');
  if (n.parts === null || typeof n.parts !== "object") throw new Error(where + ': field "parts" must be an object');
  if (n.nets === null || typeof n.nets !== "object") throw new Error(where + ': field "nets" must be an object');
  for (const ref of Object.keys(n.parts)) {
    const p = n.parts[ref];
    if (PART_KINDS.indexOf(p.kind) < 0) {
      throw new Error(where + ": part " + ref + ' has kind "' + String(p.kind) + '"; allowed: ' + PART_KINDS.join(", "));
    }
    if (typeof p.mpn !== "string" || p.mpn === "") throw new Error(where + ": part " + ref + " has no manufacturer part number (mpn)");
    const needsValue = p.kind === "resistor" || p.kind === "shunt" || p.kind === "ntc";
    if (needsValue && !(typeof p.valueOhm === "number" && p.valueOhm > 0)) {
      throw new Error(where + ": part " + ref + " (" + p.kind + ") needs valueOhm > 0, got " + JSON.stringify(p.valueOhm));
    }
  }
  const seen: Record<string, string> = {};
  for (const net of Object.keys(n.nets)) {
    for (const pin of n.nets[net]) {
      const dot = pin.indexOf(".");
      const ref = dot > 0 ? pin.slice(0, dot) : "";
      if (!ref || !(ref in n.parts)) throw new Error(where + ': net "' + net + '" lists pin "' + pin + '" of an unknown part');
      if (pin in seen) throw new Error(where + ': pin "' + pin + '" is on two nets, "' + seen[pin] + '" and "' + net + '"');
      seen[pin] = net;
    }
  }
  return n;
}

/** Load `hardware/netlists/<boardId>.json` from the repository root. */
export function loadNetlist(repoRoot: string, boardId: string): Netlist {
  const file = path.join(repoRoot, NETLIST_DIR, boardId + ".json");
  return parseNetlist(JSON.parse(readFileSync(file, "utf8")), file);
}

/** The net a pin is on, or undefined when it is not connected. */
export function netOfPin(n: Netlist, pin: string): string | undefined {
  for (const net of Object.keys(n.nets)) if (n.nets[net].indexOf(pin) >= 0) return net;
  return undefined;
}

/** Parts of a kind, as reference designators in file order. */
export function partsOfKind(n: Netlist, kind: PartKind): string[] {
  return Object.keys(n.parts).filter((ref) => n.parts[ref].kind === kind);
}

/** Espruino pin name "D36" → DevKitC pin name "GPIO36". */
export function espruinoPinToGpio(pin: string): string {
  return pin.charAt(0) === "D" ? "GPIO" + pin.slice(1) : pin;
}
