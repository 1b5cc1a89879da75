/**
 * The hardware the drivers use, as one injected object, so that the same driver code runs on
 * the board (built from Espruino's globals in `espruinoHw.ts`), on the virtual board, and in
 * tests against register fakes.
 */

/** Espruino's I2C object, the two calls the drivers use (espruino.com/Reference#I2C). */
export interface I2cBus {
  /** Write bytes to a 7-bit address; Espruino throws on a NACK or bus error. */
  writeTo(address: number, data: number[]): void;
  /** Read `quantity` bytes from a 7-bit address (a Uint8Array on Espruino). */
  readFrom(address: number, quantity: number): ArrayLike<number>;
}

export interface Hw {
  /** The I2C bus, already set up; null on boards without I2C chips. */
  i2c: I2cBus | null;
  /** Espruino `analogRead(pin)`: raw / 4096 (a fraction 0…4095/4096). */
  analogRead(pin: string): number;
  /** Espruino `ESP32.setAtten(pin, code)`, code 0…3 = 0, 2.5, 6, 11 dB. */
  setAtten(pin: string, attenCode: number): void;
  /** Espruino `getTime()`: seconds (float) on the board's clock. */
  getTimeS(): number;
}
