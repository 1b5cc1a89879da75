/**
 * The board's sensor set: from a validated board definition, set up every channel once
 * (attenuations, INA226 registers, ADS1115 conversion plans), then per sample read the raw
 * codes, convert them with shared/sensors (calibration, divider, NTC) and fill the caller's
 * reused `Sample` in place. Invalid channels are NaN (the model raises sensorFault); nothing
 * here throws into the sampler.
 *
 * Channel names (commands use them): "v0"…"vN" voltage channels (taps or cells as wired),
 * "i" the current channel, "t0"…"tN" temperature channels.
 */
import type { Sample } from "../shared/sample";
import { applyCalibration, type AdcCalibration } from "../shared/sensors/calibration";
import { esp32PinVolts, ESP32_ADC_CODES } from "../shared/sensors/esp32Adc";
import { ads1115PgaCodeForFsr, ads1115ReadingV, ADS1115_CODE_POS_FULL, ADS1115_HALF_CODES } from "../shared/sensors/ads1115";
import { ina226ShuntVolts, INA226_CODE_POS_FULL, INA226_HALF_CODES } from "../shared/sensors/ina226";
import { ntcTempCFromRatio } from "../shared/sensors/ntc";
import { CELL_V_PLAUSIBLE_MIN_V, CELL_V_PLAUSIBLE_MAX_V } from "../shared/chemistry/presets";
import type { AnalogInput, BoardDef, CurrentChannelDef, TempChannelDef, VoltageChannelDef } from "../shared/config/boardDef";
import type { Hw } from "./drivers/hw";
import { createDriverStatus, driverError, type DriverStatus } from "./drivers/driverStatus";
import { esp32AdcReadFraction, esp32AdcSetup, type Esp32AdcApplied } from "./drivers/esp32AdcDriver";
import { ADS1115_NOT_READY, ads1115Convert, ads1115Plan, ads1115Result, ads1115Start, type Ads1115Conv } from "./drivers/ads1115Driver";
import { ina226ReadShuntCode, ina226Setup, type Ina226Applied } from "./drivers/ina226Driver";
import { MS_PER_S } from "../shared/units";

/** One analog channel ready to read. */
interface Chan {
  def: AnalogInput | CurrentChannelDef;
  conv: Ads1115Conv | null;
  /** Position in `SensorSet.raw` (volts…, current, temps…). */
  index: number;
}

export interface SensorSet {
  board: BoardDef;
  hw: Hw;
  status: DriverStatus;
  /** Channels used by the pack (first `cellCount` voltage, first `tempCount` temperature channels). */
  volts: Chan[];
  current: Chan;
  temps: Chan[];
  /** Last raw code per channel: volts…, current, temps… (NaN = failed read). For `raw`/`cal`. */
  raw: Float64Array;
  /** Last chip-input volts per voltage channel (before the tap difference). */
  nodeV: Float64Array;
  /** What setup applied: ESP32 attenuations and the INA226 registers. */
  appliedAdc: Esp32AdcApplied[];
  appliedIna: Ina226Applied | null;
  /** ADS1115 channels in conversion rounds: one channel per chip per round (chips convert in parallel). */
  phases: Chan[][];
  /** Round in progress (timer-driven read), and whether it already waited a second time. */
  phase: number;
  retried: boolean;
  /** Board time (s) the current channel was read: the sample's time stamp. */
  currentAtS: number;
  /** 1 while a channel's conversion is started and its result not yet read (per `raw` index). */
  pending: Uint8Array;
  /** Channels read in place at the end of a sample (ESP32 ADC, INA226). */
  direct: Chan[];
}

function plan(board: BoardDef, def: AnalogInput | CurrentChannelDef, index: number): Chan {
  if (def.chip !== "ads1115") return { def: def, conv: null, index: index };
  const chips = board.ads1115 || [];
  for (let i = 0; i < chips.length; i++) {
    if (chips[i].address === def.address) return { def: def, conv: ads1115Plan(def, chips[i]), index: index };
  }
  throw new Error("board: ads1115 address " + def.address + " not listed in board.ads1115");
}

/**
 * Set up the pack's channels. Throws (at boot, before sampling starts) only when the pack
 * needs more channels than the board has; chip failures are recorded, not thrown.
 */
export function createSensorSet(board: BoardDef, hw: Hw, cellCount: number, tempCount: number): SensorSet {
  checkChannelCount(board, cellCount, board.voltages.length, " cells");
  checkChannelCount(board, tempCount, board.temps.length, " temperatures");
  const st = createDriverStatus();
  const s: SensorSet = {
    board: board,
    hw: hw,
    status: st,
    volts: [],
    current: plan(board, board.current, cellCount),
    temps: [],
    raw: new Float64Array(cellCount + 1 + tempCount),
    nodeV: new Float64Array(cellCount),
    appliedAdc: [],
    appliedIna: null,
    phases: [],
    phase: 0,
    retried: false,
    currentAtS: NaN,
    pending: new Uint8Array(cellCount + 1 + tempCount),
    direct: [],
  };
  for (let k = 0; k < cellCount; k++) s.volts.push(plan(board, board.voltages[k], k));
  for (let k = 0; k < tempCount; k++) s.temps.push(plan(board, board.temps[k], cellCount + 1 + k));
  const all = s.volts.concat([s.current], s.temps);
  for (let k = 0; k < all.length; k++) {
    const c = all[k];
    if (c.conv === null) {
      s.direct.push(c);
      continue;
    }
    let p = 0;
    while (p < s.phases.length && phaseHasChip(s.phases[p], c.conv.address)) p++;
    if (p === s.phases.length) s.phases.push([]);
    s.phases[p].push(c);
  }
  for (let k = 0; k < all.length; k++) {
    const d = all[k].def;
    if (d.chip === "esp32adc") s.appliedAdc.push(esp32AdcSetup(hw, d));
  }
  if (board.ina226 && board.current.chip === "ina226") s.appliedIna = ina226Setup(hw, board.ina226, st);
  return s;
}

/** Throws when the pack needs more channels of a kind than the board measures. */
function checkChannelCount(board: BoardDef, needed: number, has: number, what: string): void {
  if (needed > has) throw new Error("pack has " + needed + what + ", board " + board.id + " measures " + has);
}

function phaseHasChip(phase: Chan[], address: number): boolean {
  for (let i = 0; i < phase.length; i++) if ((phase[i].conv as Ads1115Conv).address === address) return true;
  return false;
}

/** Raw code of one channel: ESP32 code 0…4095, ADS1115 / INA226 signed code; NaN + error on failure. */
function readCode(s: SensorSet, c: Chan): number {
  const d = c.def;
  if (d.chip === "esp32adc") {
    const f = esp32AdcReadFraction(s.hw, d.pin, s.status);
    return isNaN(f) ? NaN : Math.floor(f * ESP32_ADC_CODES + 0.5);
  }
  if (d.chip === "ads1115") return ads1115Convert(s.hw, c.conv as Ads1115Conv, s.status);
  const ina = s.board.ina226;
  return ina ? ina226ReadShuntCode(s.hw, ina.address, s.status) : driverError(s.status, "ina226: not on this board");
}

/** Clipped full-scale codes mean "true value unknown" (SBAS444 / SBOS547 output-code tables). */
function clipped(code: number, pos: number, neg: number): boolean {
  return code === pos || code === neg;
}

/** Volts at the chip input for a raw code through the channel's calibration (NaN when invalid). */
export function chipInputV(d: AnalogInput | CurrentChannelDef, code: number): number {
  if (isNaN(code)) return NaN;
  if (d.chip === "esp32adc") return esp32PinVolts(code / ESP32_ADC_CODES, d.cal, d.attenDb);
  if (d.chip === "ads1115") {
    if (!d.cal) return ads1115ReadingV(code, ads1115PgaCodeForFsr(d.pgaFsrV));
    if (clipped(code, ADS1115_CODE_POS_FULL, -ADS1115_HALF_CODES)) return NaN;
    return applyCalibration(d.cal as AdcCalibration, code);
  }
  if (!d.cal) return ina226ShuntVolts(code < 0 ? code + 2 * INA226_HALF_CODES : code);
  if (clipped(code, INA226_CODE_POS_FULL, -INA226_HALF_CODES)) return NaN;
  return applyCalibration(d.cal as AdcCalibration, code);
}

/** Pack current (A, + = charge) from the current channel's chip-input volts. */
export function currentFromInputV(d: CurrentChannelDef, inputV: number): number {
  if (d.chip === "esp32adc") {
    const amp = d.senseAmp;
    if (!amp) return NaN;
    return ((inputV - amp.refV) / (amp.gain * d.shuntOhm)) * d.polarity;
  }
  return (inputV / d.shuntOhm) * d.polarity;
}

/** Store a channel's code; the current channel's read time stamps the sample. */
function store(s: SensorSet, c: Chan, code: number): void {
  s.raw[c.index] = code;
  s.pending[c.index] = 0;
  if (c === s.current) s.currentAtS = s.hw.getTimeS();
}

/** Start the ADS1115 conversions of round `s.phase`; the wait (ms) before their results, or −1 when no round is left. */
function startPhase(s: SensorSet): number {
  if (s.phase >= s.phases.length) return -1;
  const ph = s.phases[s.phase];
  let waitMs = 0;
  for (let i = 0; i < ph.length; i++) {
    const conv = ph[i].conv as Ads1115Conv;
    if (ads1115Start(s.hw, conv, s.status)) {
      s.pending[ph[i].index] = 1;
      if (conv.convMaxMs > waitMs) waitMs = conv.convMaxMs;
    } else store(s, ph[i], NaN);
  }
  s.retried = false;
  return waitMs;
}

/**
 * Begin reading a sample without blocking: starts the first round of ADS1115 conversions.
 * Returns the wait (ms) before `continueRead`, or −1 when there is nothing to wait for
 * (then call `finishRead` at once).
 */
export function beginRead(s: SensorSet): number {
  s.status.sampleErrors = 0;
  s.currentAtS = NaN;
  s.phase = 0;
  return startPhase(s);
}

/** Collect the running round's results and start the next; the next wait (ms) or −1 when all rounds are done. */
export function continueRead(s: SensorSet): number {
  const ph = s.phases[s.phase];
  let waiting = 0;
  let waitMs = 0;
  for (let i = 0; i < ph.length; i++) {
    const c = ph[i];
    if (s.pending[c.index] === 0) continue;
    const conv = c.conv as Ads1115Conv;
    const r = ads1115Result(s.hw, conv, s.status);
    if (r === ADS1115_NOT_READY && !s.retried) {
      waiting++;
      if (conv.convMaxMs > waitMs) waitMs = conv.convMaxMs;
    } else if (r === ADS1115_NOT_READY) store(s, c, driverError(s.status, conv.label + ": conversion timeout"));
    else store(s, c, r);
  }
  if (waiting > 0) {
    s.retried = true;
    return waitMs;
  }
  s.phase++;
  return startPhase(s);
}

/** Read the remaining (non-ADS1115) channels and fill `out` in place; returns this sample's driver errors. */
export function finishRead(s: SensorSet, out: Sample): number {
  for (let k = 0; k < s.direct.length; k++) store(s, s.direct[k], readCode(s, s.direct[k]));
  const n = s.volts.length;
  const cellV = out.cellV as Float64Array;
  for (let k = 0; k < n; k++) {
    const c = s.volts[k];
    s.nodeV[k] = chipInputV(c.def, s.raw[k]) * (c.def as VoltageChannelDef).dividerRatio;
  }
  // A broken tap wire or a floating input gives a node no Zn cell string can produce: it is an
  // invalid channel, and with taps so are both cells it separates. A tap is checked against the
  // last good tap below it (pack negative = 0 V): the cells between must span a possible voltage.
  const taps = s.board.cellWiring === "taps";
  let lastV = 0;
  let lastK = -1;
  for (let k = 0; k < n; k++) {
    const span = taps ? k - lastK : 1;
    const rise = s.nodeV[k] - (taps ? lastV : 0);
    if (rise >= span * CELL_V_PLAUSIBLE_MIN_V && rise <= span * CELL_V_PLAUSIBLE_MAX_V) {
      lastV = s.nodeV[k];
      lastK = k;
    } else s.nodeV[k] = NaN;
  }
  for (let k = 0; k < n; k++) cellV[k] = taps && k > 0 ? s.nodeV[k] - s.nodeV[k - 1] : s.nodeV[k];
  out.tMs = s.currentAtS * MS_PER_S;
  out.currentA = currentFromInputV(s.current.def as CurrentChannelDef, chipInputV(s.current.def, s.raw[n]));
  const tempC = out.tempC as Float64Array;
  for (let k = 0; k < s.temps.length; k++) {
    const d = s.temps[k].def as TempChannelDef;
    tempC[k] = ntcTempCFromRatio(chipInputV(d, s.raw[n + 1 + k]) / d.supplyV, d.ntc);
  }
  return s.status.sampleErrors;
}

/**
 * Read every channel at once, waiting in place for each ADS1115 conversion (tests, tools):
 * the same result as beginRead/continueRead/finishRead without timers.
 */
export function readSample(s: SensorSet, out: Sample): number {
  s.status.sampleErrors = 0;
  s.currentAtS = NaN;
  for (let p = 0; p < s.phases.length; p++) {
    const ph = s.phases[p];
    for (let i = 0; i < ph.length; i++) store(s, ph[i], ads1115Convert(s.hw, ph[i].conv as Ads1115Conv, s.status));
  }
  return finishRead(s, out);
}
