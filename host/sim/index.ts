/**
 * The simulator's public API in one import (host side only; the firmware never sees the truth).
 *
 *   const sim = new Simulation({ pack, protocol, board: "esp32-ina226", seed: 1 });
 *   for (let x = sim.next(); x; x = sim.next()) model.step(x.sample);   // x.truth = what was true
 *   sim.runner.cycles / sim.runner.rests                               // per-cycle / per-rest truth
 *
 * Lower level, for the virtual board's chip emulators: a `SimPack` advanced by a
 * `ProtocolRunner` (`advanceTo(tS)`), read through a `SensorChain` (`voltPinV`, `currentPinV`,
 * `shuntV`, `tempPinV`, chips) and the chip models (`ads1115Code`, `ina226ShuntCode`,
 * `ina226BusCode`, `esp32AdcFraction`).
 */
export { createRng, forkRng, gaussian, normal, uniform, type Rng } from "./rng";
export { defaultCellParams, losslessCellParams, type CellParams, type SelfDischargeMode } from "./cellParams";
export { createCellState, stepCell, cellSoc, type CellState, type CellTotals } from "./cell";
export { SimPack, DEFAULT_SPREAD, type PackSpec, type CellSpread } from "./pack";
export {
  parseProtocol,
  parseProtocolText,
  parseProtocolJson,
  parseStep,
  ProtocolError,
  type ProtocolNode,
  type ProtocolStep,
  type ProtocolJsonItem,
} from "./protocol";
export { ProtocolRunner, type RunOptions } from "./runner";
export type { CycleTruth, RestTruth } from "./truth";
export { ads1115Code, createAds1115Chip, ads1115ConversionTimeS, type Ads1115Chip } from "./ads1115Model";
export { ina226ShuntCode, ina226BusCode, createIna226Chip, type Ina226Chip } from "./ina226Model";
export { esp32AdcFraction, esp32AdcCode, createEsp32AdcChip, type Esp32AdcChip } from "./esp32AdcModel";
export { createNtcPart, ntcTapV, type NtcPart } from "./ntcModel";
export { SensorChain, type RawReadings, type SensorChainOptions, type CalibrationMode } from "./sensorChain";
export { Simulation, simulateSamples, loadBoard, type SimulateOptions, type SimSample, type SampleTruth } from "./simulate";
