/**
 * Regenerates the example pack configs in this folder from the shared defaults
 * (`defaultPackConfig`) plus the few choices each example makes, and checks each with
 * `validateConfig`. Run: `npx tsx hardware/packs/make-packs.ts`. Edit a pack by hand freely
 * afterwards; test/firmware/packs.test.ts validates whatever is here. Each pack declares the
 * sensor chain of the board it is made for (its default board, host/bundle/buildFirmware.ts
 * BOARD_DEFAULT_PACKS), never better than that board delivers: `zbms build` refuses a better
 * one (host/boardDesign/declaredChain.ts).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defaultPackConfig, BOARD_TIME_BASE_ERR_FRAC } from "../../shared/config/defaults";
import { boardSensorChain } from "../../host/boardDesign/accuracy";
import { loadBoard } from "../../host/boardDesign/generate";
import { validateConfig } from "../../shared/config/validateConfig";
import { ADS1115_FSR_V, ADS1115_HALF_CODES } from "../../shared/sensors/ads1115";
import type { PackConfig, SensorChainConfig } from "../../shared/config/packConfig";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The data-sheet chain of board `id` on the channels of a `cellCount`-cell pack (host/boardDesign/accuracy.ts). */
function boardChain(id: string, cellCount: number): SensorChainConfig {
  return boardSensorChain(loadBoard(REPO_ROOT, id), cellCount);
}

/** ADS1115 offset (±3 LSB) and gain error (0.15 %): SBAS444 Electrical Characteristics. */
const ADS_OFFSET_LSB = 3;
const ADS_GAIN_ERR_FRAC = 0.0015;
/** ADS1115 gain drift (fraction/°C): SBAS444 Electrical Characteristics, 40 ppm/°C max; × 2 °C between halves. */
const ADS_GAIN_DRIFT_MISMATCH = 40e-6 * 2;

/**
 * Sensor chain of hardware/boards/esp32-ads1115.json: shunt 50 mΩ on ±0.256 V, taps on
 * ±4.096 V through dividers up to 4:1; a cell is a difference of two taps (errors add).
 */
function ads1115BoardChain(shuntOhm: number, maxDividerRatio: number): SensorChainConfig {
  const shuntLsbV = ADS1115_FSR_V[5] / ADS1115_HALF_CODES;
  const tapLsbV = (ADS1115_FSR_V[1] / ADS1115_HALF_CODES) * maxDividerRatio;
  return {
    currentOffsetA: (ADS_OFFSET_LSB * shuntLsbV) / shuntOhm,
    currentGainErrFrac: ADS_GAIN_ERR_FRAC,
    currentGainMismatchFrac: ADS_GAIN_DRIFT_MISMATCH,
    currentLsbA: shuntLsbV / shuntOhm,
    voltageOffsetV: 2 * ADS_OFFSET_LSB * tapLsbV,
    voltageGainErrFrac: ADS_GAIN_ERR_FRAC,
    voltageLsbV: tapLsbV,
    timeBaseErrFrac: BOARD_TIME_BASE_ERR_FRAC,
  };
}

/** Significant digits kept in the files: drops binary noise such as 1.9000000000000001. */
const FILE_SIG_DIGITS = 12;

function tidy(x: unknown): unknown {
  if (typeof x === "number") return Number(x.toPrecision(FILE_SIG_DIGITS));
  if (Array.isArray(x)) return x.map(tidy);
  if (x !== null && typeof x === "object") {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(x)) o[k] = tidy((x as Record<string, unknown>)[k]);
    return o;
  }
  return x;
}

function make(file: string, c: PackConfig): void {
  const v = validateConfig(tidy(c));
  writeFileSync(new URL(file, import.meta.url), JSON.stringify(v, null, 2) + "\n");
  console.log(file + ": " + v.name);
}

// 4 × Zn‖MnO2 pouch, 2 Ah (C/5 = 0.4 A), default board esp32-ads1115 (shunt 50 mΩ); one NTC
// so the pack also fits esp32-adc, which has one temperature channel.
const mn = defaultPackConfig("ZnMnO2", 4, 2);
mn.name = "ZnMnO2 4S 2Ah pouch";
mn.tempCount = 1;
mn.sensorChain = ads1115BoardChain(0.05, 4);
make("znmno2-4s.json", mn);

// 1 × Zn‖I2 pouch, 0.5 Ah, sized for esp32-adc (the ESP32's own ADC, its ±1.6 A current
// channel): that board's chain (current through the INA240A2, cell 0 on divider 1; calibrating
// with `zbms calibrate` lowers the cell-voltage terms on the board); flat plateau: SOC from counting.
const i2 = defaultPackConfig("ZnI2", 1, 0.5);
i2.name = "ZnI2 1S 0.5Ah pouch";
i2.tempCount = 1;
i2.sensorChain = boardChain("esp32-adc", i2.cellCount);
make("zni2-1s.json", i2);

// 2 × Zn‖PBA (ZnHCF) pouch, 1 Ah, esp32-ina226 (INA226 current on 20 mΩ, cells on the ESP32 ADC
// through dividers 1 and 2), two NTCs.
const pba = defaultPackConfig("ZnPBA", 2, 1);
pba.name = "ZnPBA 2S 1Ah pouch";
pba.tempCount = 2;
pba.sensorChain = boardChain("esp32-ina226", pba.cellCount);
make("znpba-2s.json", pba);
