/**
 * 16-bit register access over I2C for chips with a pointer register (ADS1115 SBAS444 §9.5.3,
 * INA226 SBOS547 §6.5.6): write [pointer, MSB, LSB]; read = write [pointer], then read 2 bytes,
 * MSB first. Never throws: a bus error (Espruino throws on NACK) or a short read gives NaN / false.
 */
import type { I2cBus } from "./hw";

/** Bytes per register (both chips): 16-bit registers, MSB first. */
const REG_BYTES = 2;

/** Read a 16-bit register as an unsigned value 0…65535, or NaN on any bus error. */
export function readReg16(bus: I2cBus, address: number, reg: number): number {
  try {
    bus.writeTo(address, [reg]);
    const d = bus.readFrom(address, REG_BYTES);
    if (!d || d.length !== REG_BYTES) return NaN;
    const v = ((d[0] & 0xff) << 8) | (d[1] & 0xff);
    return v;
  } catch (e) {
    return NaN;
  }
}

/** Write a 16-bit register; false on any bus error. */
export function writeReg16(bus: I2cBus, address: number, reg: number, value: number): boolean {
  try {
    bus.writeTo(address, [reg, (value >> 8) & 0xff, value & 0xff]);
    return true;
  } catch (e) {
    return false;
  }
}
