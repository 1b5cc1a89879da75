/**
 * Synthetic long BDF CSV for the analyze benchmark: a 1 Ah Zn‖MnO2-like cell cycled at C/5
 * (5 h charge, 30 min rest, 5 h discharge, 30 min rest), 1 s samples, CE slightly below 1,
 * a small sloping voltage curve and measurement noise. Written in 1 MiB blocks (flat memory).
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { S_PER_H } from "../shared/units";

/** Cell capacity (Ah) and test current (C/5, inside the article's C/4–C/6 window). */
const CAPACITY_AH = 1;
const RATE_C = 1 / 5;
const CURRENT_A = CAPACITY_AH * RATE_C;
/** Charge half length (s); the discharge ends at CE_TRUE of the charged capacity. */
const CHARGE_S = S_PER_H / RATE_C;
const CE_TRUE = 0.995;
const REST_S = 1800;
const SAMPLE_S = 1;
/** Voltage model: Zn‖MnO2 plateau ~1.4 V, polarisation ±0.08 V, slope over SOC 0.3 V. */
const V_MID = 1.35;
const V_POL = 0.08;
const V_SLOPE = 0.3;
const NOISE_V = 0.0005;
const NOISE_A = 0.0002;
const FLUSH_CHARS = 1 << 20;

/** A tiny deterministic generator (xorshift32) so runs are repeatable. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296 - 0.5;
  };
}

export function generateBdf(path: string, samples: number): { cycles: number } {
  const fd = openSync(path, "w");
  const rnd = rng(12345);
  let buf = "Test Time / s,Voltage / V,Current / A,Cycle Count / 1,Step Count / 1\n";
  const dischargeS = CHARGE_S * CE_TRUE;
  const cycleS = CHARGE_S + REST_S + dischargeS + REST_S;
  let cycles = 0;
  for (let n = 0; n < samples; n++) {
    const t = n * SAMPLE_S;
    const cyc = Math.floor(t / cycleS);
    const tc = t - cyc * cycleS;
    let i = 0;
    let soc = 0;
    let v = 0;
    let step = 0;
    if (tc < CHARGE_S) {
      i = CURRENT_A;
      soc = tc / CHARGE_S;
      v = V_MID + V_POL + V_SLOPE * (soc - 0.5);
      step = 1;
    } else if (tc < CHARGE_S + REST_S) {
      soc = 1;
      v = V_MID + V_SLOPE * 0.5 + 0.02 * Math.exp(-(tc - CHARGE_S) / 300);
      step = 2;
    } else if (tc < CHARGE_S + REST_S + dischargeS) {
      i = -CURRENT_A;
      soc = 1 - (tc - CHARGE_S - REST_S) / CHARGE_S;
      v = V_MID - V_POL + V_SLOPE * (soc - 0.5);
      step = 3;
    } else {
      soc = 1 - CE_TRUE;
      v = V_MID + V_SLOPE * (soc - 0.5) - 0.02 * Math.exp(-(tc - CHARGE_S - REST_S - dischargeS) / 300);
      step = 4;
    }
    if (i !== 0) i += NOISE_A * rnd();
    v += NOISE_V * rnd();
    cycles = cyc + 1;
    buf += t + "," + v.toFixed(5) + "," + i.toFixed(5) + "," + (cyc + 1) + "," + (cyc * 4 + step) + "\n";
    if (buf.length >= FLUSH_CHARS) {
      writeSync(fd, buf);
      buf = "";
    }
  }
  writeSync(fd, buf);
  // On disk before anyone times a read of it (dirty pages being written back slow the readers).
  fsyncSync(fd);
  closeSync(fd);
  return { cycles };
}
