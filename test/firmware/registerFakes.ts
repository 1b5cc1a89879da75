/**
 * Small register-level fakes of the I2C chips, for driver tests: each keeps its register memory
 * behind the same `I2cBus` interface the drivers use (pointer write, 2-byte MSB-first reads),
 * and logs every transaction so tests can check raw bytes against data-sheet values.
 */
import type { Hw, I2cBus } from "../../firmware/drivers/hw";
import { ads1115VoltsToCode } from "../../shared/sensors/ads1115";
import { ina226ShuntCode } from "../../shared/sensors/ina226";

export interface FakeChip {
  regs: Record<number, number>;
  pointer: number;
  /** Called on every register write (after the pointer byte). */
  onWrite(reg: number, value: number): void;
  /** Called before a register read; may update regs. */
  onRead(reg: number): void;
}

export class FakeBus implements I2cBus {
  chips: Record<number, FakeChip> = {};
  log: Array<{ op: "w" | "r"; address: number; bytes: number[] }> = [];
  /** Addresses that NACK (Espruino throws). */
  dead: number[] = [];
  writeTo(address: number, data: number[]): void {
    this.log.push({ op: "w", address, bytes: data.slice() });
    const c = this.chips[address];
    if (!c || this.dead.indexOf(address) >= 0) throw new Error("I2C NACK at " + address);
    c.pointer = data[0];
    if (data.length === 3) c.onWrite(data[0], (data[1] << 8) | data[2]);
  }
  readFrom(address: number, quantity: number): Uint8Array {
    const c = this.chips[address];
    if (!c || this.dead.indexOf(address) >= 0) throw new Error("I2C NACK at " + address);
    c.onRead(c.pointer);
    const v = c.regs[c.pointer] ?? 0;
    const out = new Uint8Array(quantity);
    out[0] = (v >> 8) & 0xff;
    out[1] = v & 0xff;
    this.log.push({ op: "r", address, bytes: Array.from(out) });
    return out;
  }
}

/** ADS1115: inputs AIN0…AIN3 in volts; a single-shot conversion finishes after `busyPolls` config reads. */
export function fakeAds1115(ain: number[], busyPolls: number): FakeChip & { conversions: number } {
  let busy = 0;
  const chip = {
    regs: { 0: 0, 1: 0x8583, 2: 0x8000, 3: 0x7fff } as Record<number, number>,
    pointer: 0,
    conversions: 0,
    onWrite(reg: number, value: number) {
      if (reg !== 1) {
        chip.regs[reg] = value;
        return;
      }
      chip.regs[1] = value & 0x7fff; // OS reads 0 while converting
      if ((value & 0x8000) === 0) return;
      busy = busyPolls;
      const mux = (value >> 12) & 7;
      const pga = (value >> 9) & 7;
      const pairs = [[0, 1], [0, 3], [1, 3], [2, 3]];
      const v = mux < 4 ? ain[pairs[mux][0]] - ain[pairs[mux][1]] : ain[mux - 4];
      chip.regs[0] = ads1115VoltsToCode(v, pga);
      chip.conversions++;
    },
    onRead(reg: number) {
      if (reg === 1) {
        if (busy > 0) busy--;
        else chip.regs[1] |= 0x8000;
      }
    },
  };
  return chip;
}

/** INA226 with a shunt voltage; `refuseCal` makes the chip ignore CAL writes. */
export function fakeIna226(shuntV: () => number, refuseCal: boolean): FakeChip {
  const chip: FakeChip = {
    regs: { 0: 0x4127, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 0xfe: 0x5449, 0xff: 0x2260 },
    pointer: 0,
    onWrite(reg: number, value: number) {
      if (reg === 5 && refuseCal) return;
      if (reg === 0 || reg === 5 || reg === 6 || reg === 7) chip.regs[reg] = value;
    },
    onRead(reg: number) {
      if (reg === 1) chip.regs[1] = ina226ShuntCode(shuntV());
    },
  };
  return chip;
}

/** Hardware with a fake bus, ESP32 ADC pins given as functions returning analogRead's fraction, and a manual clock. */
export function fakeHw(bus: FakeBus | null, pins: Record<string, () => number>): Hw & { clockS: number; atten: Record<string, number>; tickS: number } {
  const hw = {
    i2c: bus as I2cBus | null,
    clockS: 100,
    tickS: 0.0005,
    atten: {} as Record<string, number>,
    analogRead(pin: string): number {
      const f = pins[pin];
      if (!f) throw new Error("no pin " + pin);
      return f();
    },
    setAtten(pin: string, code: number): void {
      hw.atten[pin] = code;
    },
    getTimeS(): number {
      hw.clockS += hw.tickS;
      return hw.clockS;
    },
  };
  return hw;
}
