/**
 * Proof that a netlist (hardware/netlists) and a board file (hardware/boards) describe the same
 * wiring: every pin, I2C address strap, divider ratio, shunt value and NTC resistor the firmware
 * reads from the board file is checked against the parts and nets of the netlist.
 * Returns a list of disagreements (empty = agree), each naming the board field and the net.
 */
import type { BoardDef, VoltageChannelDef, CurrentChannelDef, TempChannelDef } from "../../shared/config/boardDef";
import { espruinoPinToGpio, netOfPin, type Netlist } from "./netlist";

/** ADS1115 ADDR pin strap → 7-bit address (TI SBAS444, table 4). */
const ADS1115_ADDR_BY_STRAP: Record<string, number> = { GND: 0x48, "3V3": 0x49, SDA: 0x4a, SCL: 0x4b };
/** INA226 A1/A0 straps → address (TI SBOS547, table 2; GND/GND = 0x40, first rows only). */
const INA226_ADDR_BY_STRAPS: Record<string, number> = { "GND/GND": 0x40, "GND/3V3": 0x41, "3V3/GND": 0x44, "3V3/3V3": 0x45 };
/** Relative tolerance when comparing a divider ratio computed from resistor values. */
const RATIO_TOL_FRAC = 1e-9;

export function checkNetlistAgainstBoard(n: Netlist, b: BoardDef): string[] {
  const problems: string[] = [];
  const say = (s: string) => problems.push(b.id + ": " + s);
  if (n.board !== b.id) say('netlist is for board "' + n.board + '"');
  const mcu = findPart(n, "mcu");
  if (!mcu) {
    say("netlist has no mcu part");
    return problems;
  }

  // I2C bus: the MCU's SDA/SCL pins share a net with every I2C chip's SDA/SCL.
  const i2cChips = Object.keys(n.parts).filter((r) => n.parts[r].kind === "adc" || n.parts[r].kind === "currentMonitor");
  if (b.i2c) {
    const sdaNet = netOfPin(n, mcu + "." + espruinoPinToGpio(b.i2c.sdaPin));
    const sclNet = netOfPin(n, mcu + "." + espruinoPinToGpio(b.i2c.sclPin));
    if (!sdaNet) say("i2c.sdaPin " + b.i2c.sdaPin + " is not connected in the netlist");
    if (!sclNet) say("i2c.sclPin " + b.i2c.sclPin + " is not connected in the netlist");
    for (const chip of i2cChips) {
      if (sdaNet && netOfPin(n, chip + ".SDA") !== sdaNet) say(chip + ".SDA is not on the net of i2c.sdaPin " + b.i2c.sdaPin);
      if (sclNet && netOfPin(n, chip + ".SCL") !== sclNet) say(chip + ".SCL is not on the net of i2c.sclPin " + b.i2c.sclPin);
    }
  } else if (i2cChips.length > 0) {
    say("netlist has I2C chips (" + i2cChips.join(", ") + ") but the board file has no i2c bus");
  }

  // Chip addresses from their strap pins.
  const adsByAddr: Record<number, string> = {};
  for (const ref of i2cChips.filter((r) => n.parts[r].part === "ADS1115")) {
    const addr = ADS1115_ADDR_BY_STRAP[netOfPin(n, ref + ".ADDR") || ""];
    if (addr === undefined) say(ref + ".ADDR strap is on no known net (GND, 3V3, SDA, SCL)");
    else adsByAddr[addr] = ref;
  }
  for (const chip of b.ads1115 || []) {
    if (!(chip.address in adsByAddr)) say("ads1115 address " + hex(chip.address) + " has no ADS1115 strapped to it in the netlist");
  }
  if (Object.keys(adsByAddr).length !== (b.ads1115 || []).length) {
    say("netlist has " + Object.keys(adsByAddr).length + " ADS1115, board file " + (b.ads1115 || []).length);
  }
  let inaRef: string | undefined;
  for (const ref of i2cChips.filter((r) => n.parts[r].part === "INA226")) {
    const straps = (netOfPin(n, ref + ".A1") || "?") + "/" + (netOfPin(n, ref + ".A0") || "?");
    const addr = INA226_ADDR_BY_STRAPS[straps];
    if (!b.ina226) say(ref + " (INA226) is in the netlist but not in the board file");
    else if (addr !== b.ina226.address) say("ina226.address " + hex(b.ina226.address) + " but " + ref + " straps A1/A0 = " + straps + " give " + (addr === undefined ? "an unknown address" : hex(addr)));
    inaRef = ref;
  }
  if (b.ina226 && !inaRef) say("board file has an INA226 but the netlist has none");

  // Voltage channels: tap k (node CELLk+ of J1) reaches the channel's input through its divider.
  const taps = tapNets(n);
  b.voltages.forEach((ch, k) => {
    const where = "voltages[" + k + "]";
    const inputNet = inputNetOf(n, mcu, adsByAddr, ch, where, say);
    if (!inputNet) return;
    const tapNet = taps[k];
    if (!tapNet) {
      say(where + ": the netlist's tap connector has no CELL" + k + "+ pin");
      return;
    }
    const ratio = dividerRatio(n, tapNet, inputNet);
    if (ratio === undefined) say(where + ": no direct wire or two-resistor divider from " + tapNet + " to " + inputNet);
    else if (Math.abs(ratio - ch.dividerRatio) > RATIO_TOL_FRAC * ch.dividerRatio) {
      say(where + ".dividerRatio = " + ch.dividerRatio + " but the netlist's resistors give " + ratio);
    }
  });

  checkCurrent(n, b.current, mcu, adsByAddr, inaRef, say);
  b.temps.forEach((t, k) => checkTemp(n, t, k, mcu, adsByAddr, say));

  if (b.protection) {
    const net = netOfPin(n, mcu + "." + espruinoPinToGpio(b.protection.pin));
    if (!net) say("protection.pin " + b.protection.pin + " is not connected in the netlist");
    else if (!n.nets[net].some((p) => n.parts[p.split(".")[0]].kind === "switch")) say("protection.pin " + b.protection.pin + " does not drive a switch part");
  }
  return problems;
}

function checkCurrent(
  n: Netlist,
  c: CurrentChannelDef,
  mcu: string,
  adsByAddr: Record<number, string>,
  inaRef: string | undefined,
  say: (s: string) => void,
): void {
  const shunt = findPart(n, "shunt");
  if (!shunt) {
    say("netlist has no shunt");
    return;
  }
  if (n.parts[shunt].valueOhm !== c.shuntOhm) say("current.shuntOhm = " + c.shuntOhm + " but " + shunt + " is " + n.parts[shunt].valueOhm + " Ω");
  const sPos = netOfPin(n, shunt + ".1"); // pack side (PACK−): higher potential while charging
  const sNeg = netOfPin(n, shunt + ".2");
  // The sensed pair (+, −) must be (pack side, load side) for polarity +1, reversed for −1.
  let plus: string | undefined;
  let minus: string | undefined;
  if (c.chip === "ina226") {
    if (!inaRef) return;
    plus = netOfPin(n, inaRef + ".IN+");
    minus = netOfPin(n, inaRef + ".IN-");
  } else if (c.chip === "ads1115") {
    const ref = adsByAddr[c.address];
    if (!ref) return;
    const pins = c.mux.split("-");
    plus = netOfPin(n, ref + "." + pins[0]);
    minus = pins.length > 1 ? netOfPin(n, ref + "." + pins[1]) : "GND";
  } else {
    const amp = findPart(n, "senseAmp");
    const pinNet = netOfPin(n, mcu + "." + espruinoPinToGpio(c.pin));
    if (!amp || netOfPin(n, amp + ".OUT") !== pinNet) {
      say("current.pin " + c.pin + " is not driven by a sense amplifier's OUT");
      return;
    }
    if (c.senseAmp && n.parts[amp].gain !== c.senseAmp.gain) say("current.senseAmp.gain = " + c.senseAmp.gain + " but " + amp + " has gain " + n.parts[amp].gain);
    plus = netOfPin(n, amp + ".IN+");
    minus = netOfPin(n, amp + ".IN-");
  }
  const forward = plus === sPos && minus === sNeg;
  const reversed = plus === sNeg && minus === sPos;
  if (!forward && !reversed) say("current channel does not sense across " + shunt + " (senses " + plus + " − " + minus + ")");
  else if ((forward ? 1 : -1) !== c.polarity) say("current.polarity = " + c.polarity + " but the netlist wires the sense inputs " + (forward ? "forward" : "reversed"));
}

function checkTemp(n: Netlist, t: TempChannelDef, k: number, mcu: string, adsByAddr: Record<number, string>, say: (s: string) => void): void {
  const where = "temps[" + k + "]";
  const net = inputNetOf(n, mcu, adsByAddr, t, where, say);
  if (!net) return;
  const ntc = n.nets[net].map((p) => p.split(".")[0]).filter((r) => n.parts[r].kind === "ntc");
  const fixed = n.nets[net].map((p) => p.split(".")[0]).filter((r) => n.parts[r].kind === "resistor");
  if (ntc.length !== 1 || fixed.length !== 1) {
    say(where + ": net " + net + " should join one NTC and one fixed resistor");
    return;
  }
  if (n.parts[ntc[0]].valueOhm !== t.ntc.r0Ohm) say(where + ".ntc.r0Ohm = " + t.ntc.r0Ohm + " but " + ntc[0] + " is " + n.parts[ntc[0]].valueOhm + " Ω");
  if (n.parts[fixed[0]].valueOhm !== t.ntc.rFixedOhm) say(where + ".ntc.rFixedOhm = " + t.ntc.rFixedOhm + " but " + fixed[0] + " is " + n.parts[fixed[0]].valueOhm + " Ω");
  const ntcOther = otherEnd(n, ntc[0], net);
  const fixedOther = otherEnd(n, fixed[0], net);
  const wantNtc = t.ntc.ntcLowSide ? "GND" : "3V3";
  const wantFixed = t.ntc.ntcLowSide ? "3V3" : "GND";
  if (ntcOther !== wantNtc || fixedOther !== wantFixed) say(where + ": NTC " + ntc[0] + " goes to " + ntcOther + " and " + fixed[0] + " to " + fixedOther + "; ntcLowSide = " + t.ntc.ntcLowSide + " wants NTC to " + wantNtc);
}

/** The net an analog input reads (MCU pin or ADS1115 AINx), reporting unknown chips. */
function inputNetOf(
  n: Netlist,
  mcu: string,
  adsByAddr: Record<number, string>,
  ch: VoltageChannelDef | TempChannelDef,
  where: string,
  say: (s: string) => void,
): string | undefined {
  let pin: string;
  if (ch.chip === "esp32adc") pin = mcu + "." + espruinoPinToGpio(ch.pin);
  else {
    const ref = adsByAddr[ch.address];
    if (!ref) {
      say(where + ": ADS1115 at " + hex(ch.address) + " is not in the netlist");
      return undefined;
    }
    if (ch.mux.indexOf("-") >= 0) {
      say(where + ": differential mux " + ch.mux + " is not a single-ended tap input");
      return undefined;
    }
    pin = ref + "." + ch.mux;
  }
  const net = netOfPin(n, pin);
  if (!net) say(where + ": input pin " + pin + " is not connected in the netlist");
  return net;
}

/** Tap nets in order: net of J?.CELLk+ for k = 0, 1, … */
function tapNets(n: Netlist): string[] {
  const out: string[] = [];
  for (const net of Object.keys(n.nets)) {
    for (const pin of n.nets[net]) {
      const m = /\.CELL(\d+)\+$/.exec(pin);
      if (m) out[Number(m[1])] = net;
    }
  }
  return out;
}

/** Ratio tap volts / input volts: 1 for a direct wire, (Rtop + Rbottom) / Rbottom for a divider. */
function dividerRatio(n: Netlist, tapNet: string, inputNet: string): number | undefined {
  if (tapNet === inputNet) return 1;
  const resistorsOn = (net: string) => n.nets[net].map((p) => p.split(".")[0]).filter((r) => n.parts[r].kind === "resistor");
  for (const top of resistorsOn(tapNet)) {
    if (otherEnd(n, top, tapNet) !== inputNet) continue;
    for (const bottom of resistorsOn(inputNet)) {
      if (bottom === top || otherEnd(n, bottom, inputNet) !== "GND") continue;
      const rTop = n.parts[top].valueOhm as number;
      const rBottom = n.parts[bottom].valueOhm as number;
      return (rTop + rBottom) / rBottom;
    }
  }
  return undefined;
}

/** For a two-terminal part with one pin on `net`, the net of its other pin. */
function otherEnd(n: Netlist, ref: string, net: string): string | undefined {
  for (const pin of ["1", "2"]) {
    const here = netOfPin(n, ref + "." + pin);
    if (here === net) return netOfPin(n, ref + "." + (pin === "1" ? "2" : "1"));
  }
  return undefined;
}

function findPart(n: Netlist, kind: string): string | undefined {
  return Object.keys(n.parts).find((r) => n.parts[r].kind === kind);
}

function hex(a: number): string {
  return "0x" + a.toString(16);
}
