/**
 * Does a pack fit a board? The largest voltage the monitor must still read correctly is the
 * cell over-voltage ALARM limit (a reading that clips there would hide the alarm), and the
 * largest current is the charge/discharge over-current ALARM limit. Each tap (or cell) input,
 * after its divider, must stay inside its ADC's usable range, and the shunt's full scale must
 * cover the current. Returns the reasons a pack does not fit (empty = fits).
 */
import type { BoardDef, AnalogInput } from "../../shared/config/boardDef";
import type { PackConfig } from "../../shared/config/packConfig";
import { CHEMISTRY_PRESETS } from "../../shared/chemistry/presets";
import { ESP32_RANGE_MAX_V, esp32RangeIndex } from "../../shared/sensors/esp32Adc";
import { INA226_SHUNT_LSB_V, INA226_HALF_CODES } from "../../shared/sensors/ina226";

/** ADS1115 analog inputs must stay below VDD + 0.3 V (TI SBAS444, 7.1 absolute maximum ratings). */
const ADS1115_ABS_MAX_ABOVE_VDD_V = 0.3;
/** Supply of the ADS1115 on the reference boards: the DevKitC's 3.3 V rail. */
const BOARD_SUPPLY_V = 3.3;

/** Highest input voltage an analog input reads without clipping (V at the chip pin). */
export function inputMaxV(input: AnalogInput): number {
  if (input.chip === "esp32adc") return ESP32_RANGE_MAX_V[esp32RangeIndex(input.attenDb)];
  return Math.min(input.pgaFsrV, BOARD_SUPPLY_V + ADS1115_ABS_MAX_ABOVE_VDD_V);
}

/** Largest cell voltage (V) the pack's alarm table asks the monitor to see. */
export function packMaxCellV(pack: Pick<PackConfig, "chemistry" | "alarms">): number {
  let v = CHEMISTRY_PRESETS[pack.chemistry].maxCellV;
  for (const r of pack.alarms) if (r.id === "cellOverVoltage") v = Math.max(v, r.limit);
  return v;
}

/** Largest |current| (A) the pack's alarm table asks the monitor to see. */
export function packMaxCurrentA(pack: PackConfig): number {
  let a = 0;
  for (const r of pack.alarms) if (r.id === "chargeOverCurrent" || r.id === "dischargeOverCurrent") a = Math.max(a, r.limit);
  return a;
}

/** Largest |current| (A) the board's current channel reads without clipping. */
export function boardMaxCurrentA(b: BoardDef): number {
  const c = b.current;
  if (c.chip === "ina226") {
    const shuntFullScaleA = (INA226_SHUNT_LSB_V * (INA226_HALF_CODES - 1)) / c.shuntOhm;
    return b.ina226 ? Math.min(shuntFullScaleA, b.ina226.maxCurrentA) : shuntFullScaleA;
  }
  if (c.chip === "ads1115") return c.pgaFsrV / c.shuntOhm;
  const amp = c.senseAmp;
  if (!amp) return 0;
  const headroomV = Math.min(inputMaxV(c) - amp.refV, amp.refV - ESP32_USABLE_MIN_V(c.attenDb));
  return headroomV / amp.gain / c.shuntOhm;
}

/** Lowest input (V) the ESP32 ADC reads at an attenuation (ESP-IDF ADC docs, attenuation table). */
function ESP32_USABLE_MIN_V(attenDb: number): number {
  return attenDb >= 6 ? 0.15 : 0.1;
}

/** Largest series cell count of a chemistry this board can measure (0 if none). */
export function maxCellsFor(b: BoardDef, maxCellV: number): number {
  let n = 0;
  for (let k = 0; k < b.voltages.length; k++) {
    const ch = b.voltages[k];
    const nodeV = b.cellWiring === "taps" ? (k + 1) * maxCellV : maxCellV;
    if (nodeV / ch.dividerRatio > inputMaxV(ch)) break;
    n = k + 1;
  }
  return n;
}

export function checkPackFitsBoard(b: BoardDef, pack: PackConfig): string[] {
  const out: string[] = [];
  const where = 'pack "' + pack.name + '" on board ' + b.id + ": ";
  if (pack.cellCount > b.voltages.length) {
    out.push(where + pack.cellCount + " cells but the board has " + b.voltages.length + " voltage channels");
  }
  const maxCellV = packMaxCellV(pack);
  const n = Math.min(pack.cellCount, b.voltages.length);
  for (let k = 0; k < n; k++) {
    const ch = b.voltages[k];
    const nodeV = b.cellWiring === "taps" ? (k + 1) * maxCellV : maxCellV;
    const pinV = nodeV / ch.dividerRatio;
    const maxV = inputMaxV(ch);
    if (pinV > maxV) {
      out.push(
        where + "voltage channel " + k + " would see " + pinV.toFixed(3) + " V at its input (" + nodeV.toFixed(2) +
          " V / divider " + ch.dividerRatio + ") at the " + maxCellV + " V over-voltage alarm limit; its range ends at " + maxV + " V",
      );
    }
  }
  if (pack.tempCount > b.temps.length) out.push(where + pack.tempCount + " temperature channels but the board has " + b.temps.length);
  const needA = packMaxCurrentA(pack);
  const haveA = boardMaxCurrentA(b);
  if (needA > haveA) {
    out.push(where + "over-current alarm at " + needA.toFixed(3) + " A but the current channel reads only up to " + haveA.toFixed(3) + " A");
  }
  return out;
}
