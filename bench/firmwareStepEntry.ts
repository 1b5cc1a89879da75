/**
 * Entry of the step-time bundle used by `bench/firmware.ts` (not firmware): the shared model
 * built with the firmware's own esbuild options and Espruino-subset check (host/build), run in
 * the virtual board's sandbox. It installs one global, `zbmsStepBench`, and does nothing else.
 *
 * The synthetic sample stream is generated up front into one Float64Array, so the timed loop
 * only copies numbers into one reused Sample (as firmware/sensors.ts does) and steps the model.
 * Profile (one cycle = 10 h at the config's sample period): charge at C/5 for 4.5 h, rest
 * 0.5 h, discharge at C/5 for 4.5 h, rest 0.5 h; cell voltage linear in charge between the
 * config's emptyCellV and fullCellV plus I·R, per-cell offsets, ±1 mV pseudo-random noise.
 * Written in the Espruino subset (the build checks it).
 */
import { PackModel } from "../shared/model/packModel";
import { stateLength } from "../shared/state/snapshot";
import type { PackConfig } from "../shared/config/packConfig";
import type { ModelEvent } from "../shared/model/events";
import type { Sample } from "../shared/sample";

/** Charge (and discharge) current as a C-rate: the article's practical cells run at C/4–C/6. */
const PROFILE_C_RATE = 0.2;
/** Half-cycle duration (ms) at PROFILE_C_RATE: 90 % of the capacity, so the cell never clips. */
const PROFILE_HALF_MS = 4.5 * 3600 * 1000;
/** Rest after each half (ms). */
const PROFILE_REST_MS = 0.5 * 3600 * 1000;
/** Cell internal resistance of the synthetic cells (Ω); a 2 Ah pouch cell is of this order. */
const PROFILE_R_OHM = 0.1;
/** Spread of cell voltages (V per cell index), so max/min/imbalance differ. */
const PROFILE_CELL_SPREAD_V = 0.002;
/** Peak noise on voltages (V) and temperatures (°C). */
const PROFILE_NOISE_V = 0.001;
const PROFILE_NOISE_C = 0.1;
/** Ambient temperature (°C). */
const PROFILE_TEMP_C = 25;
/** Linear congruential generator (Numerical Recipes, 32-bit): deterministic noise. */
const LCG_A = 1664525;
const LCG_C = 1013904223;
const LCG_M = 4294967296;

export interface StepBench {
  /** Cells of the config. */
  cellCount: number;
  /** Samples in the buffer (the stream wraps in time, never repeats a tMs). */
  sampleCount: number;
  /** Fill the reused Sample from stream index k, k+1, …; step the model when doStep is 1. */
  run: (from: number, count: number, doStep: number) => number;
  /** Snapshot length of the model (doubles). */
  stateDoubles: () => number;
  /** The model (the host reads its state tree for the JsVar estimate). */
  model: PackModel;
}

/** The fixed reference loop: one "simple loop iteration" of docs/espruino.md ("Speed") per pass. */
function referenceLoop(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += i;
  return s;
}

function makeStepBench(configJson: string, sampleCount: number): StepBench {
  const cfg = JSON.parse(configJson) as PackConfig;
  const nCells = cfg.cellCount;
  const nTemps = cfg.tempCount;
  const rowLen = 2 + nCells + nTemps;
  const buf = new Float64Array(sampleCount * rowLen);
  const periodMs = cfg.samplePeriodMs;
  const capAh = cfg.capacityAh;
  const span = cfg.soc.fullCellV - cfg.soc.emptyCellV;
  const cycleMs = 2 * (PROFILE_HALF_MS + PROFILE_REST_MS);
  let seed = 12345;
  let chargeFrac = 0.05;
  for (let k = 0; k < sampleCount; k++) {
    const tMs = k * periodMs;
    const ph = tMs % cycleMs;
    let a = 0;
    if (ph < PROFILE_HALF_MS) a = PROFILE_C_RATE * capAh;
    else if (ph >= PROFILE_HALF_MS + PROFILE_REST_MS && ph < 2 * PROFILE_HALF_MS + PROFILE_REST_MS) a = -PROFILE_C_RATE * capAh;
    chargeFrac += (a * periodMs) / 3600000 / capAh;
    const o = k * rowLen;
    buf[o] = tMs;
    buf[o + 1] = a;
    for (let c = 0; c < nCells; c++) {
      seed = (LCG_A * seed + LCG_C) % LCG_M;
      const noise = (2 * (seed / LCG_M) - 1) * PROFILE_NOISE_V;
      buf[o + 2 + c] = cfg.soc.emptyCellV + span * chargeFrac + a * PROFILE_R_OHM + c * PROFILE_CELL_SPREAD_V + noise;
    }
    for (let j = 0; j < nTemps; j++) {
      seed = (LCG_A * seed + LCG_C) % LCG_M;
      buf[o + 2 + nCells + j] = PROFILE_TEMP_C + (2 * (seed / LCG_M) - 1) * PROFILE_NOISE_C;
    }
  }
  const model = new PackModel(cfg, function (ev: ModelEvent) {
    void ev;
  });
  const cellV = new Float64Array(nCells);
  const tempC = new Float64Array(nTemps);
  const s: Sample = { tMs: 0, cellV: cellV, currentA: 0, tempC: tempC, openCircuit: 0 };
  // Past the buffer, time goes on (one buffer length later per wrap), so tMs never repeats.
  const wrapMs = sampleCount * periodMs;
  function run(from: number, count: number, doStep: number): number {
    let sum = 0;
    for (let k = from; k < from + count; k++) {
      const o = (k % sampleCount) * rowLen;
      s.tMs = buf[o] + Math.floor(k / sampleCount) * wrapMs;
      s.currentA = buf[o + 1];
      for (let c = 0; c < nCells; c++) cellV[c] = buf[o + 2 + c];
      for (let j = 0; j < nTemps; j++) tempC[j] = buf[o + 2 + nCells + j];
      if (doStep === 1) model.step(s);
      sum += s.tMs;
    }
    return sum;
  }
  return {
    cellCount: nCells,
    sampleCount: sampleCount,
    run: run,
    stateDoubles: function () {
      return stateLength(model.state());
    },
    model: model,
  };
}

(globalThis as unknown as { zbmsStepBench: unknown }).zbmsStepBench = { make: makeStepBench, referenceLoop: referenceLoop };
