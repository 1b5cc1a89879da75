/**
 * The simulated board's sensor chain, wired as a board definition says (hardware/boards/*.json,
 * shared/config/boardDef.ts): from the pack's analog state to the RAW readings the firmware drivers
 * read (ESP32 `analogRead` fractions, ADS1115 conversion codes, INA226 shunt-register codes),
 * and back to a `Sample` on the host through shared/sensors' pure conversions.
 *
 * Parts as built, each drawn once from the chain's seed: divider resistors (0.1 %), shunt
 * (0.1 %), sense-amplifier gain/offset and its supply-derived reference, ADC chips, NTCs.
 *
 * Calibration used for the way back (`calibration` option):
 * - "board": the constants in the board file (ESP32 channels: ESP-IDF's typical line) — what an
 *   uncalibrated board reports;
 * - "measured" (default): the calibration procedure a careful builder runs once — known voltages
 *   from a reference (σ 0.3 mV) at the ESP32 pins (piecewise table of averaged readings), a
 *   two-point fit per ADS1115 input, and divider ratios measured with the same meter (σ 0.02 %).
 *   Current gains are not calibrated (gain error is common to charge and discharge).
 * - "twoPoint": what `zbms calibrate` does (host/calibrate): per voltage channel two known
 *   voltages applied at the tap (the suggested 0.9 and 1.8 V per cell below it, read with the
 *   same meter), CAL_AVERAGES raw readings each, one straight line from raw code to pin volts
 *   at the board's nominal divider ratio (the divider's error folds into the line); the ADC's
 *   nonlinearity between the points stays. Current and temperature channels as "board".
 */
import type { BoardDef, CurrentChannelDef, TempChannelDef, VoltageChannelDef } from "../../shared/config/boardDef";
import { ads1115PgaCodeForFsr, ads1115ReadingV } from "../../shared/sensors/ads1115";
import { applyCalibration, piecewiseCal, twoPointCal, type AdcCalibration } from "../../shared/sensors/calibration";
import { esp32PinVolts, ESP32_RANGE_MAX_V, ESP32_RANGE_MIN_V, esp32RangeIndex } from "../../shared/sensors/esp32Adc";
import { ina226ShuntVolts } from "../../shared/sensors/ina226";
import { ntcTempCFromRatio } from "../../shared/sensors/ntc";
import type { Sample } from "../../shared/sample";
import { ads1115Code, createAds1115Chip, type Ads1115Chip } from "./ads1115Model";
import { createEsp32AdcChip, esp32AdcCode, esp32AdcFraction, type Esp32AdcChip } from "./esp32AdcModel";
import { createIna226Chip, ina226ShuntCode, type Ina226Chip } from "./ina226Model";
import { createNtcPart, ntcTapV, type NtcPart } from "./ntcModel";
import type { SimPack } from "./pack";
import { SUGGESTED_CELL_V } from "../calibrate/channels";
import { createRng, forkRng, normal, type Rng } from "./rng";

/** Divider resistor tolerance 0.1 % (thin film), ratio σ ≈ 0.1 %·√2/3. */
export const DIVIDER_RATIO_SD_FRAC = 0.0005;
/** Shunt tolerance 0.1 % (board file: "50 mOhm 0.1 % 4-terminal"), σ = 0.1 %/3. */
export const SHUNT_SD_FRAC = 0.001 / 3;
/** INA240 gain error ±0.2 % max (TI SBOS662 §7.5), σ = max/3; offset ±25 µV max, σ = max/3. */
export const SENSE_AMP_GAIN_SD_FRAC = 0.002 / 3;
export const SENSE_AMP_VOS_SD_V = 25e-6 / 3;
/** 3.3 V rail ±1 % (typical LDO), σ = 1 %/3: the amplifier's VS/2 reference moves with it. */
export const SUPPLY_SD_FRAC = 0.01 / 3;
/** Reference meter used for the calibration procedure: σ 0.3 mV (a 5½-digit DMM on its 2 V range). */
export const CAL_METER_SD_V = 0.0003;
/** Meter ratio measurement σ 0.02 % (same DMM, two readings). */
export const CAL_RATIO_SD_FRAC = 0.0002;
/** Readings averaged per calibration point (noise ÷ 8). */
export const CAL_AVERAGES = 64;
/** Calibration points across the ESP32's accurate 11 dB range. */
export const CAL_POINTS_ESP32 = 12;

type AnyInput = VoltageChannelDef | TempChannelDef | CurrentChannelDef;

export type CalibrationMode = "board" | "measured" | "twoPoint";

export interface SensorChainOptions {
  /** Seed of the parts drawn for this board. */
  seed: number;
  /** Perfect parts: no tolerances, no chip errors (noise stays). Default false. */
  ideal?: boolean;
  /** Calibration used to convert raw readings back (see file comment). Default "measured". */
  calibration?: CalibrationMode;
}

/** The raw readings of one sample, as the firmware drivers get them. */
export interface RawReadings {
  /** Per voltage channel: analogRead fraction (esp32adc) or unsigned 16-bit code (ads1115). */
  volt: number[];
  /** Current channel: fraction, ADS1115 code or INA226 shunt-register code. */
  current: number;
  /** Per temperature channel: fraction or ADS1115 code. */
  temp: number[];
}

interface ChannelParts {
  /** True divider ratio (input V / pin V). */
  ratio: number;
  /** Ratio used on the way back. */
  ratioUsed: number;
  /** Calibration used on the way back (code → pin volts); null = data-sheet LSB. */
  cal: AdcCalibration | null;
}

export class SensorChain {
  readonly board: BoardDef;
  readonly cellCount: number;
  readonly tempCount: number;
  private readonly rng: Rng;
  private readonly esp32: Esp32AdcChip;
  private readonly ads: Record<number, Ads1115Chip> = {};
  private readonly ina: Ina226Chip | null;
  private readonly volt: ChannelParts[] = [];
  private readonly temp: ChannelParts[] = [];
  private readonly ntc: NtcPart[] = [];
  private readonly curr: ChannelParts;
  private readonly shuntOhmTrue: number;
  private readonly ampGain: number;
  private readonly ampVosV: number;
  private readonly ampRefV: number;
  private readonly supplyFactor: number;
  private tapScratch: number[];

  constructor(board: BoardDef, cellCount: number, tempCount: number, opts: SensorChainOptions) {
    if (cellCount > board.voltages.length) {
      throw new Error(`board ${board.id} has ${board.voltages.length} voltage channels; the pack needs ${cellCount}`);
    }
    if (tempCount > board.temps.length) {
      throw new Error(`board ${board.id} has ${board.temps.length} temperature channels; the pack config asks for ${tempCount}`);
    }
    this.board = board;
    this.cellCount = cellCount;
    this.tempCount = tempCount;
    const ideal = !!opts.ideal;
    const mode = opts.calibration || "measured";
    if (mode !== "board" && mode !== "measured" && mode !== "twoPoint") {
      throw new Error(`calibration ${JSON.stringify(mode)} unknown; accepted: "board", "measured", "twoPoint"`);
    }
    const root = createRng(opts.seed);
    const parts = forkRng(root, 1);
    this.rng = forkRng(root, 2);
    const calRng = forkRng(root, 3);
    this.esp32 = createEsp32AdcChip(forkRng(parts, 10), ideal);
    for (const a of board.ads1115 || []) this.ads[a.address] = createAds1115Chip(forkRng(parts, a.address), ideal);
    this.ina = board.ina226 ? createIna226Chip(forkRng(parts, 20), board.ina226.averages, ideal) : null;
    this.supplyFactor = ideal ? 1 : normal(parts, 1, SUPPLY_SD_FRAC);

    for (let k = 0; k < cellCount; k++) {
      const ch = board.voltages[k];
      const ratio = ideal || ch.dividerRatio === 1 ? ch.dividerRatio : ch.dividerRatio * normal(parts, 1, DIVIDER_RATIO_SD_FRAC);
      const cellsBelow = board.cellWiring === "taps" ? k + 1 : 1;
      this.volt.push(mode === "twoPoint" ? this.twoPointParts(ch, ratio, cellsBelow, calRng) : this.channelParts(ch, ratio, mode, calRng));
    }
    for (let k = 0; k < tempCount; k++) {
      const ch = board.temps[k];
      this.ntc.push(createNtcPart(parts, ideal));
      // Temperature channels: the board's calibration unless measured (same procedure as volts).
      this.temp.push(this.channelParts(ch, 1, mode === "twoPoint" ? "board" : mode, calRng));
    }
    const c = board.current;
    this.shuntOhmTrue = ideal ? c.shuntOhm : c.shuntOhm * normal(parts, 1, SHUNT_SD_FRAC);
    const amp = c.senseAmp;
    this.ampGain = amp ? (ideal ? amp.gain : amp.gain * normal(parts, 1, SENSE_AMP_GAIN_SD_FRAC)) : 1;
    this.ampVosV = amp && !ideal ? normal(parts, 0, SENSE_AMP_VOS_SD_V) : 0;
    this.ampRefV = amp ? amp.refV * this.supplyFactor : 0;
    this.curr = c.chip === "ina226" ? { ratio: 1, ratioUsed: 1, cal: c.cal || null } : this.channelParts(c, 1, mode === "twoPoint" ? "board" : mode, calRng);
    this.tapScratch = new Array(cellCount).fill(0);
  }

  /**
   * `zbms calibrate`'s two-point line for voltage channel `ch` (true divider ratio `trueRatio`,
   * `cellsBelow` cells between its tap and PACK−): see the file comment, "twoPoint".
   */
  private twoPointParts(ch: VoltageChannelDef, trueRatio: number, cellsBelow: number, calRng: Rng): ChannelParts {
    const nominal = ch.dividerRatio;
    if (ch.chip !== "esp32adc") return this.channelParts(ch, trueRatio, "measured", calRng);
    const point = (appliedV: number): { raw: number; pinV: number } => {
      let sum = 0;
      for (let n = 0; n < CAL_AVERAGES; n++) sum += esp32AdcCode(appliedV / trueRatio, ch.attenDb, this.esp32, calRng, ch.pin);
      return { raw: sum / CAL_AVERAGES, pinV: (appliedV + normal(calRng, 0, CAL_METER_SD_V)) / nominal };
    };
    const lo = point(SUGGESTED_CELL_V.low * cellsBelow);
    const hi = point(SUGGESTED_CELL_V.high * cellsBelow);
    return { ratio: trueRatio, ratioUsed: nominal, cal: twoPointCal(lo.raw, lo.pinV, hi.raw, hi.pinV) };
  }

  /** Build a channel's true ratio and the calibration used on the way back. */
  private channelParts(
    ch: VoltageChannelDef | TempChannelDef | CurrentChannelDef,
    trueRatio: number,
    mode: CalibrationMode,
    calRng: Rng,
  ): ChannelParts {
    const nominalRatio = "dividerRatio" in ch ? ch.dividerRatio : 1;
    if (mode === "board") {
      return { ratio: trueRatio, ratioUsed: nominalRatio, cal: "cal" in ch && ch.cal ? ch.cal : null };
    }
    const ratioUsed = trueRatio === 1 ? 1 : trueRatio * normal(calRng, 1, CAL_RATIO_SD_FRAC);
    if (ch.chip === "esp32adc") {
      const k = esp32RangeIndex(ch.attenDb);
      const lo = ESP32_RANGE_MIN_V[k];
      const hi = ESP32_RANGE_MAX_V[k];
      const raws: number[] = [];
      const volts: number[] = [];
      for (let j = 0; j < CAL_POINTS_ESP32; j++) {
        const v = lo + ((hi - lo) * j) / (CAL_POINTS_ESP32 - 1);
        let sum = 0;
        for (let n = 0; n < CAL_AVERAGES; n++) sum += esp32AdcCode(v, ch.attenDb, this.esp32, calRng, ch.pin);
        const raw = sum / CAL_AVERAGES;
        if (raws.length === 0 || raw > raws[raws.length - 1]) {
          raws.push(raw);
          volts.push(v + normal(calRng, 0, CAL_METER_SD_V));
        }
      }
      // Stretch the ends by half a code so the table covers the whole accurate range.
      raws[0] -= 0.5;
      raws[raws.length - 1] += 0.5;
      return { ratio: trueRatio, ratioUsed, cal: piecewiseCal(raws, volts) };
    }
    if (ch.chip === "ads1115") {
      const chip = this.ads[ch.address];
      const input = muxInput(ch.mux);
      const fsr = ch.pgaFsrV;
      const v1 = fsr * 0.05;
      const v2 = fsr * 0.45;
      const avg = (v: number): number => {
        let s = 0;
        for (let n = 0; n < CAL_AVERAGES; n++) s += signed16(ads1115Code(v, fsr, chip, input, calRng));
        return s / CAL_AVERAGES;
      };
      const r1 = avg(v1);
      const r2 = avg(v2);
      return {
        ratio: trueRatio,
        ratioUsed,
        cal: twoPointCal(r1, v1 + normal(calRng, 0, CAL_METER_SD_V * (fsr / 4.096)), r2, v2 + normal(calRng, 0, CAL_METER_SD_V * (fsr / 4.096))),
      };
    }
    return { ratio: trueRatio, ratioUsed: nominalRatio, cal: null };
  }

  /** Raw code of one analog input for a voltage at the chip's input (V). */
  private rawOf(ch: AnyInput, vIn: number): number {
    const rng = this.rng;
    if (ch.chip === "esp32adc") return esp32AdcFraction(vIn, ch.attenDb, this.esp32, rng, ch.pin);
    if (ch.chip === "ads1115") return ads1115Code(vIn, ch.pgaFsrV, this.ads[ch.address], muxInput(ch.mux), rng);
    throw new Error(`input chip ${ch.chip} has no analog raw reading here`);
  }

  /**
   * Voltage (V) at the chip input of voltage channel k now: the tap (or cell) node through this
   * board's real divider. For chip emulators (host/virtualBoard) and for `readRaw`.
   */
  voltPinV(k: number, pack: SimPack): number {
    const node = this.board.cellWiring === "taps" ? pack.tapV(k) : pack.cellV(k);
    return node / this.volt[k].ratio;
  }

  /** True shunt voltage (V) now, signed as wired (polarity): what an INA226 / ADS1115 sees. */
  shuntV(pack: SimPack): number {
    return pack.currentA * this.shuntOhmTrue * this.board.current.polarity;
  }

  /** Voltage (V) at the current channel's chip input: the sense amplifier's output, or the shunt. */
  currentPinV(pack: SimPack): number {
    const vShunt = this.shuntV(pack);
    return this.board.current.senseAmp ? this.ampRefV + this.ampGain * (vShunt + this.ampVosV) : vShunt;
  }

  /** Voltage (V) at the chip input of temperature channel k: the NTC divider's tap. */
  tempPinV(k: number, pack: SimPack): number {
    const ch = this.board.temps[k];
    const tC = k < pack.cellCount ? pack.cellTempC(k) : pack.ambientC;
    return ntcTapV(tC, ch.ntc, this.ntc[k], ch.supplyV * this.supplyFactor);
  }

  /** This board's chips (drawn errors), for register-level emulators. */
  get esp32Chip(): Esp32AdcChip {
    return this.esp32;
  }
  ads1115Chip(address: number): Ads1115Chip {
    const c = this.ads[address];
    if (!c) throw new Error(`board ${this.board.id} has no ADS1115 at address ${address}`);
    return c;
  }
  get ina226Chip(): Ina226Chip | null {
    return this.ina;
  }
  /** The noise stream of this chain (emulators share it so runs stay reproducible). */
  get noiseRng(): Rng {
    return this.rng;
  }

  /** Sample the pack's analog state into raw readings (fills `out`). */
  readRaw(pack: SimPack, out: RawReadings): RawReadings {
    const b = this.board;
    for (let k = 0; k < this.cellCount; k++) out.volt[k] = this.rawOf(b.voltages[k], this.voltPinV(k, pack));
    const c = b.current;
    if (c.chip === "ina226") out.current = ina226ShuntCode(this.shuntV(pack), this.ina!, this.rng);
    else out.current = this.rawOf(c, this.currentPinV(pack));
    for (let k = 0; k < this.tempCount; k++) out.temp[k] = this.rawOf(b.temps[k], this.tempPinV(k, pack));
    return out;
  }

  /** Fresh raw-reading holder sized for this chain. */
  newRaw(): RawReadings {
    return { volt: new Array(this.cellCount).fill(0), current: 0, temp: new Array(this.tempCount).fill(0) };
  }

  /** Volts at a channel's chip input from its raw reading (NaN when invalid). */
  private voltsOf(ch: AnyInput, parts: ChannelParts, raw: number): number {
    if (ch.chip === "esp32adc") {
      if (!parts.cal) return NaN;
      return esp32PinVolts(raw, parts.cal, ch.attenDb);
    }
    if (ch.chip !== "ads1115") return NaN;
    const pga = ads1115PgaCodeForFsr(ch.pgaFsrV);
    const ideal = ads1115ReadingV(raw, pga);
    if (isNaN(ideal) || !parts.cal) return ideal;
    return applyCalibration(parts.cal, signed16(raw));
  }

  /** Convert raw readings to a Sample (host side), writing into `out`. */
  toSample(raw: RawReadings, tMs: number, openCircuit: number, out: Sample): Sample {
    const b = this.board;
    const cellV = out.cellV as number[];
    let prevTap = 0;
    for (let k = 0; k < this.cellCount; k++) {
      const node = this.voltsOf(b.voltages[k], this.volt[k], raw.volt[k]) * this.volt[k].ratioUsed;
      if (b.cellWiring === "taps") {
        this.tapScratch[k] = node;
        cellV[k] = node - prevTap;
        prevTap = node;
      } else cellV[k] = node;
    }
    const c = b.current;
    let vShunt: number;
    if (c.chip === "ina226") vShunt = this.curr.cal ? applyCalibration(this.curr.cal, signed16(raw.current)) : ina226ShuntVolts(raw.current);
    else if (c.senseAmp) vShunt = (this.voltsOf(c, this.curr, raw.current) - c.senseAmp.refV) / c.senseAmp.gain;
    else vShunt = this.voltsOf(c, this.curr, raw.current);
    out.currentA = (vShunt / c.shuntOhm) * c.polarity;
    const tempC = out.tempC as number[];
    for (let k = 0; k < this.tempCount; k++) {
      const ch = b.temps[k];
      const v = this.voltsOf(ch, this.temp[k], raw.temp[k]);
      tempC[k] = ntcTempCFromRatio(v / ch.supplyV, ch.ntc);
    }
    out.tMs = tMs;
    out.openCircuit = openCircuit;
    return out;
  }
}

/** Input index 0…3 of an ADS1115 mux setting (differential pairs use their positive input). */
function muxInput(mux: string): number {
  const m = /AIN([0-3])/.exec(mux);
  return m ? Number(m[1]) : 0;
}

function signed16(raw: number): number {
  return raw >= 32768 ? raw - 65536 : raw;
}
