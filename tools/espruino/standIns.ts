/**
 * What a zbms board bundle needs from the hardware, for Linux Espruino: the stand-in chips of
 * `standInChips.js` (emulated ADS1115 / INA226 behind I2C1, ESP32 ADC codes behind analogRead,
 * ESP32.setAtten) and the table of volts and codes they read (`ZBMS_PINS`), computed here from the
 * board's analog front end (host/virtualBoard/frontEnd.ts, the virtual board's) for one pack state.
 * Test scaffolding only: the prelude runs on the interpreter before the bundle and is never part
 * of a firmware bundle.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BoardDef } from "../../shared/config/boardDef.js";
import { AnalogFrontEnd, type PackState } from "../../host/virtualBoard/frontEnd.js";

const STAND_IN_FILE = join(dirname(fileURLToPath(import.meta.url)), "standInChips.js");
/** ADS1115 analog inputs AIN0…AIN3 (TI SBAS444). */
const ADS1115_INPUTS = 4;

/** The inputs the stand-in chips read: volts per ADS1115 input, INA226 [shunt, bus] volts, ESP32 ADC codes per pin. */
export interface StandInPins {
  ads: Record<string, number[]>;
  ina: Record<string, [number, number]>;
  esp: Record<string, number>;
}

/** A resting pack at room temperature: every cell at `cellV`, no current, 25 °C. */
export function restingPack(cellCount: number, tempCount: number, cellV = 1.3): PackState {
  return { cellV: new Array<number>(cellCount).fill(cellV), currentA: 0, tempC: new Array<number>(tempCount).fill(25) };
}

/** What every chip input of `board` reads while the pack is in `state`. */
export function standInPins(board: BoardDef, state: PackState): StandInPins {
  const fe = new AnalogFrontEnd(board, () => state);
  const pins: StandInPins = { ads: {}, ina: {}, esp: {} };
  for (const chip of board.ads1115 ?? []) {
    const v: number[] = [];
    for (let ain = 0; ain < ADS1115_INPUTS; ain++) v.push(fe.adsInputV(chip.address, ain, 0));
    pins.ads[String(chip.address)] = v;
  }
  if (board.ina226) pins.ina[String(board.ina226.address)] = [fe.inaShuntV(0), fe.inaBusV(0)];
  for (const [pin, wired] of fe.esp32Pins) pins.esp[pin] = fe.esp32Code(pin, wired.attenDb, 0);
  return pins;
}

/** The stand-in chips' source (plain ES5 for Espruino). */
export function standInSource(): string {
  return readFileSync(STAND_IN_FILE, "utf8");
}

/** The console line that sets (or replaces) the stand-ins' inputs. */
export function pinsLine(pins: StandInPins): string {
  return "ZBMS_PINS=" + JSON.stringify(pins) + ";";
}

/** Prelude for a board bundle: the inputs, then the stand-in chips. */
export function standInPrelude(board: BoardDef, state: PackState): string {
  return pinsLine(standInPins(board, state)) + "\n" + standInSource();
}
