/**
 * A deterministic synthetic 4-cell Zn‖MnO2 run for firmware tests, as replay JSONL: three
 * charge / rest / discharge / rest cycles at 1 A with irregular sample times (5 s ± jitter),
 * plus events that must reach the telemetry: a cell over-voltage excursion, three samples
 * with an invalid current (sensorFault), and a 60 s hole in the data (gap).
 */
import { rngFromSeed } from "./testRng";

export interface SynthSample {
  tMs: number;
  cellV: Array<number | null>;
  currentA: number | null;
  tempC: Array<number | null>;
  openCircuit: number;
}

/** Seconds of each phase (charge, rest, discharge, rest) at 1 A on a 2 Ah pack. */
const PHASES_S: Array<[number, number]> = [
  [1, 6600],
  [0, 600],
  [-1, 6300],
  [0, 600],
];
const PERIOD_MS = 5000;
const JITTER_MS = 300;
const R_OHM = 0.08;

/**
 * `activeScale` shortens (or lengthens) the charge and discharge phases, never the 600 s rests
 * (the rest and SOC-anchor paths need them): 1/3 gives ≈ 1 100 samples per cycle instead of
 * ≈ 2 820, for runs on the real interpreter.
 */
export function synthRun(cycles: number, seed: number, activeScale = 1): SynthSample[] {
  const rng = rngFromSeed(seed);
  const out: SynthSample[] = [];
  let t = 1000;
  let chargeAh = 0.2;
  const offsets = [0, 0.01, -0.008, 0.004];
  for (let c = 0; c < cycles; c++) {
    for (let p = 0; p < PHASES_S.length; p++) {
      const [iA, durS] = PHASES_S[p];
      const end = t + (iA === 0 ? durS : Math.round(durS * activeScale)) * 1000;
      while (t < end) {
        const soc = chargeAh / 2;
        const cellV: Array<number | null> = [];
        for (let k = 0; k < 4; k++) cellV.push(1.2 + 0.45 * soc + offsets[k] + iA * R_OHM + (rng() - 0.5) * 0.001);
        let currentA: number | null = iA + (rng() - 0.5) * 0.002;
        // cycle 2, charge: a 60 s over-voltage excursion on cell 2
        if (c === 1 && p === 0 && t > end - 600000 && t < end - 540000) cellV[2] = 1.95;
        // cycle 2, discharge: three samples with a dead current channel
        if (c === 1 && p === 2 && out.length % 1000 < 3) currentA = null;
        out.push({ tMs: Math.round(t), cellV, currentA, tempC: [25 + (rng() - 0.5) * 0.2], openCircuit: 0 });
        chargeAh += ((currentA ?? iA) * (PERIOD_MS / 1000)) / 3600;
        t += PERIOD_MS + (rng() - 0.5) * 2 * JITTER_MS;
        // cycle 3, rest after charge: a 60 s hole in the data
        if (c === 2 && p === 1 && out.length % 100 === 0) t += 60000;
      }
    }
  }
  return out;
}

export function toJsonl(samples: SynthSample[]): string {
  return samples.map((s) => JSON.stringify(s)).join("\n") + "\n";
}
