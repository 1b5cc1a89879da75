/**
 * Realistic chips for the virtual board: host/sim's ADS1115, INA226 and ESP32 ADC models
 * (offsets, gain errors, INL, noise, data-rate spread, drawn from a seed) as the converters of
 * the register emulators. Without these the board's chips are ideal (data-sheet transfer
 * functions), which tests that compare exact values use.
 */
import type { BoardDef } from "../../shared/config/boardDef.js";
import { createRng } from "../sim/rng.js";
import { createAds1115Chip, ads1115Code, type Ads1115Chip } from "../sim/ads1115Model.js";
import { createIna226Chip, ina226ShuntCode, ina226BusCode } from "../sim/ina226Model.js";
import { createEsp32AdcChip, esp32AdcCode } from "../sim/esp32AdcModel.js";
import type { VirtualBoardOptions } from "./virtualBoard.js";

/** Averages of the INA226 model when the board file has no INA226 (unused then). */
const DEFAULT_INA226_AVERAGES = 1;

export type SimChipOptions = Pick<VirtualBoardOptions, "ads1115ToCode" | "ads1115DataRateFactor" | "ina226" | "esp32Code">;

/** Chip models for `board`, drawn from `seed`; `ideal` = perfect chips but with noise. */
export function simChipModels(board: BoardDef, seed: number, ideal = false): SimChipOptions {
  const drawRng = createRng(seed);
  const noiseRng = createRng(seed + 1);
  const ads = new Map<number, Ads1115Chip>();
  for (const c of board.ads1115 ?? []) ads.set(c.address, createAds1115Chip(drawRng, ideal));
  const ina = createIna226Chip(drawRng, board.ina226 ? board.ina226.averages : DEFAULT_INA226_AVERAGES, ideal);
  const esp = createEsp32AdcChip(drawRng, ideal);
  return {
    ads1115ToCode: (vInV, pgaFsrV, _pga, address, input) => {
      const chip = ads.get(address);
      if (!chip) throw new Error(`no ADS1115 model at address ${address}`);
      return ads1115Code(vInV, pgaFsrV, chip, input, noiseRng);
    },
    ads1115DataRateFactor: (address) => (ads.get(address) ?? { dataRateFactor: 1 }).dataRateFactor,
    ina226: {
      shuntCode: (v) => ina226ShuntCode(v, ina, noiseRng),
      busCode: (v) => ina226BusCode(v, ina, noiseRng),
    },
    esp32Code: (pin, attenDb, pinV) => esp32AdcCode(pinV, attenDb, esp, noiseRng, pin),
  };
}
