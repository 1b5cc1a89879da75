/**
 * Bill of materials and wiring tables, generated from a netlist (and its board file), so the
 * documentation cannot drift from what the firmware reads.
 */
import type { BoardDef } from "../../shared/config/boardDef";
import { espruinoPinToGpio, netOfPin, type Netlist } from "./netlist";

export interface BomLine {
  refs: string[];
  quantity: number;
  mpn: string;
  maker: string;
  value: string;
  description: string;
}

/** Group parts by manufacturer part number. */
export function billOfMaterials(n: Netlist): BomLine[] {
  const byMpn: Record<string, BomLine> = {};
  const order: string[] = [];
  for (const ref of Object.keys(n.parts)) {
    const p = n.parts[ref];
    let line = byMpn[p.mpn];
    if (!line) {
      line = byMpn[p.mpn] = { refs: [], quantity: 0, mpn: p.mpn, maker: p.maker, value: valueText(p.valueOhm, p.gain), description: p.description };
      order.push(p.mpn);
    }
    line.refs.push(ref);
    line.quantity++;
    if (line.description.split("; ").indexOf(p.description) < 0) line.description += "; " + p.description;
  }
  return order.map((m) => byMpn[m]);
}

function valueText(ohm: number | undefined, gain: number | undefined): string {
  if (ohm !== undefined) return ohm >= 1000 ? ohm / 1000 + " kΩ" : ohm < 1 ? ohm * 1000 + " mΩ" : ohm + " Ω";
  if (gain !== undefined) return gain + " V/V";
  return "";
}

/** Escape a table cell ("Zn||MnO2" would split a Markdown table row). */
export function cell(s: string): string {
  return s.split("|").join("\\|");
}

export function bomMarkdown(n: Netlist): string {
  const rows = billOfMaterials(n).map(
    (l) => "| " + l.refs.join(", ") + " | " + l.quantity + " | " + cell(l.maker + " " + l.mpn) + " | " + l.value + " | " + cell(l.description) + " |",
  );
  return ["| refs | qty | part number | value | what |", "|---|---|---|---|---|"].concat(rows).join("\n");
}

/**
 * Wiring table: one row per ESP32 DevKitC pin the board file uses → the part on its net → the
 * cell terminal (or supply) the signal comes from.
 */
export function wiringMarkdown(n: Netlist, b: BoardDef): string {
  const mcu = Object.keys(n.parts).find((r) => n.parts[r].kind === "mcu") as string;
  const rows: string[] = [];
  const describe = (net: string | undefined): string => {
    if (!net) return "(not connected)";
    return n.nets[net].filter((p) => p.indexOf(mcu + ".") !== 0).join(", ");
  };
  const add = (pin: string, role: string) => {
    const net = netOfPin(n, mcu + "." + espruinoPinToGpio(pin));
    rows.push("| " + espruinoPinToGpio(pin) + " (`" + pin + "`) | " + role + " | " + (net || "") + " | " + describe(net) + " |");
  };
  if (b.i2c) {
    add(b.i2c.sdaPin, "I2C SDA");
    add(b.i2c.sclPin, "I2C SCL");
  }
  b.voltages.forEach((ch, k) => {
    if (ch.chip === "esp32adc") add(ch.pin, (b.cellWiring === "taps" ? "tap " : "cell ") + k + ", divider " + ch.dividerRatio + ":1");
  });
  if (b.current.chip === "esp32adc") add(b.current.pin, "pack current (sense amplifier output)");
  b.temps.forEach((t, k) => {
    if (t.chip === "esp32adc") add(t.pin, "temperature " + k + " (NTC divider)");
  });
  if (b.protection) add(b.protection.pin, "protection switch");
  // Inputs of the I2C chips: which net (and so which cell terminal) each reads.
  for (const ref of Object.keys(n.parts)) {
    const p = n.parts[ref];
    if (p.kind !== "adc" && p.kind !== "currentMonitor" && p.kind !== "senseAmp") continue;
    for (const net of Object.keys(n.nets)) {
      for (const pin of n.nets[net]) {
        if (pin.indexOf(ref + ".") !== 0) continue;
        const name = pin.slice(ref.length + 1);
        if (name.indexOf("AIN") === 0 || name.indexOf("IN") === 0 || name === "VBUS") {
          rows.push("| " + ref + " " + p.part + " " + name + " | analog input | " + net + " | " + describe(net) + " |");
        }
      }
    }
  }
  rows.push("| 3V3 | supply | 3V3 | " + describe("3V3") + " |");
  rows.push("| GND | ground = pack negative | GND | " + describe("GND") + " |");
  return ["| ESP32 DevKitC pin | role | net | parts and cell terminals on the net |", "|---|---|---|---|"].concat(rows).join("\n");
}
