/**
 * Register-level INA226 emulator (TI SBOS547): configuration (with RST), shunt and bus voltage,
 * power and current computed from the calibration register (equations 3 and 4), Mask/Enable
 * with the conversion-ready flag CVRF (set when an averaged result completes, cleared by
 * reading Mask/Enable; section 7.6.1.7), manufacturer and die ID. Continuous modes complete a
 * result every AVG × (tBus + tShunt); triggered modes complete one after each config write.
 */
import {
  INA226_CONFIG_RESET,
  INA226_CONFIG_RST_BIT,
  INA226_DIE_ID,
  INA226_MANUFACTURER_ID,
  INA226_ME_CVRF,
  INA226_MODE_SHUNT_BUS_TRIGGERED,
  INA226_MODE_POWER_DOWN,
  INA226_REG_ALERT_LIMIT,
  INA226_REG_BUS_V,
  INA226_REG_CALIBRATION,
  INA226_REG_CONFIG,
  INA226_REG_CURRENT,
  INA226_REG_DIE_ID,
  INA226_REG_MANUFACTURER_ID,
  INA226_REG_MASK_ENABLE,
  INA226_REG_POWER,
  INA226_REG_SHUNT_V,
  ina226BusCode,
  ina226ConfigMode,
  ina226CurrentRegister,
  ina226PowerRegister,
  ina226ShuntCode,
  ina226UpdatePeriodMs,
} from "../../../shared/sensors/ina226.js";
import type { I2cDevice } from "./i2cBus.js";

/** Calibration register bit 15 is reserved and reads 0 (SBOS547 section 7.6.1.6). */
const CAL_WRITABLE_MASK = 0x7fff;

export interface Ina226Converters {
  shuntCode(vShuntV: number): number;
  busCode(vBusV: number): number;
}
export const idealIna226: Ina226Converters = { shuntCode: ina226ShuntCode, busCode: ina226BusCode };

export class Ina226Emu implements I2cDevice {
  readonly regs = new Map<number, number>();
  pointer = 0;
  private startMs = 0;
  private resultsSeen = 0;
  conversions = 0;

  constructor(
    readonly address: number,
    private readonly now: () => number,
    private readonly shuntV: (tMs: number) => number,
    private readonly busV: (tMs: number) => number,
    private readonly conv: Ina226Converters = idealIna226,
  ) {
    this.powerOnReset();
  }

  powerOnReset(): void {
    this.regs.clear();
    this.regs.set(INA226_REG_CONFIG, INA226_CONFIG_RESET);
    for (const r of [INA226_REG_SHUNT_V, INA226_REG_BUS_V, INA226_REG_POWER, INA226_REG_CURRENT, INA226_REG_CALIBRATION, INA226_REG_MASK_ENABLE, INA226_REG_ALERT_LIMIT]) this.regs.set(r, 0);
    this.regs.set(INA226_REG_MANUFACTURER_ID, INA226_MANUFACTURER_ID);
    this.regs.set(INA226_REG_DIE_ID, INA226_DIE_ID);
    this.pointer = 0;
    this.startMs = this.now();
    this.resultsSeen = 0;
  }

  private complete(tMs: number): void {
    const shunt = this.conv.shuntCode(this.shuntV(tMs)) & 0xffff;
    const bus = this.conv.busCode(this.busV(tMs)) & 0xffff;
    const cal = this.regs.get(INA226_REG_CALIBRATION)!;
    const current = cal === 0 ? 0 : ina226CurrentRegister(shunt, cal);
    this.regs.set(INA226_REG_SHUNT_V, shunt);
    this.regs.set(INA226_REG_BUS_V, bus);
    this.regs.set(INA226_REG_CURRENT, current);
    this.regs.set(INA226_REG_POWER, cal === 0 ? 0 : ina226PowerRegister(current, bus));
    this.regs.set(INA226_REG_MASK_ENABLE, this.regs.get(INA226_REG_MASK_ENABLE)! | INA226_ME_CVRF);
    this.conversions++;
  }

  private update(): void {
    const config = this.regs.get(INA226_REG_CONFIG)!;
    const mode = ina226ConfigMode(config);
    if (mode === INA226_MODE_POWER_DOWN || mode === 4) return; // 4 = power-down as well (table 9)
    const period = ina226UpdatePeriodMs(config);
    const t = this.now();
    const done = Math.floor((t - this.startMs) / period);
    const triggered = mode <= INA226_MODE_SHUNT_BUS_TRIGGERED;
    const available = triggered ? Math.min(done, 1) : done;
    if (available > this.resultsSeen) {
      this.complete(this.startMs + available * period);
      this.resultsSeen = available;
    }
  }

  write(bytes: number[]): void {
    if (bytes.length === 0) return;
    this.pointer = bytes[0]!;
    if (bytes.length < 3) return;
    this.update();
    const value = ((bytes[1]! << 8) | bytes[2]!) & 0xffff;
    switch (this.pointer) {
      case INA226_REG_CONFIG:
        if (value & INA226_CONFIG_RST_BIT) {
          this.powerOnReset();
          return;
        }
        this.regs.set(INA226_REG_CONFIG, value);
        this.startMs = this.now(); // a config write restarts conversions (and triggers one in triggered modes)
        this.resultsSeen = 0;
        return;
      case INA226_REG_CALIBRATION:
        this.regs.set(INA226_REG_CALIBRATION, value & CAL_WRITABLE_MASK);
        return;
      case INA226_REG_MASK_ENABLE:
        this.regs.set(INA226_REG_MASK_ENABLE, (value & 0xfc03) | (this.regs.get(INA226_REG_MASK_ENABLE)! & 0x001c));
        return;
      case INA226_REG_ALERT_LIMIT:
        this.regs.set(INA226_REG_ALERT_LIMIT, value);
        return;
      default:
        return; // read-only registers ignore writes
    }
  }

  read(count: number): number[] {
    this.update();
    const v = this.regs.get(this.pointer) ?? 0;
    if (this.pointer === INA226_REG_MASK_ENABLE) {
      this.regs.set(INA226_REG_MASK_ENABLE, v & ~INA226_ME_CVRF); // reading clears CVRF
    }
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(i % 2 === 0 ? v >> 8 : v & 0xff);
    return out;
  }
}
