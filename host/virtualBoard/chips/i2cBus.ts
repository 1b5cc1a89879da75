/**
 * An I2C bus with emulated devices behind Espruino's `I2C.writeTo(addr, …)` /
 * `I2C.readFrom(addr, n)` interface. A device that does not answer (absent, or failed by fault
 * injection) makes the transfer throw, as Espruino's ESP32 I2C does on a NACK/timeout.
 */

/** A device on the bus: receives written bytes, returns read bytes. */
export interface I2cDevice {
  write(bytes: number[]): void;
  read(count: number): number[];
}

export class I2cBus {
  private readonly devices = new Map<number, I2cDevice>();
  /** Addresses made to stop answering (fault injection). */
  readonly dead = new Set<number>();
  /** Transfers so far (tests check that a driver does not flood the bus). */
  transfers = 0;

  attach(address: number, device: I2cDevice): void {
    this.devices.set(address, device);
  }

  device(address: number): I2cDevice | undefined {
    return this.devices.get(address);
  }

  private target(address: number): I2cDevice {
    this.transfers++;
    const d = this.devices.get(address);
    if (!d || this.dead.has(address)) {
      throw new Error(`I2C device 0x${address.toString(16)} not responding (NACK)`);
    }
    return d;
  }

  write(address: number, bytes: number[]): void {
    this.target(address).write(bytes.map((b) => b & 0xff));
  }

  read(address: number, count: number): number[] {
    return this.target(address).read(count);
  }
}
