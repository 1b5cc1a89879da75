/**
 * SOC with the ESP32's own ADC after `zbms calibrate`'s two-point calibration (issue 20): the
 * simulator's "twoPoint" calibration (two known voltages per tap, one line each) and the model
 * given the calibrated per-cell chain (boardSensorChain, as zbms calibrate declares it) keep a 4S
 * Zn‖MnO2 pack's SOC within 5 % RMS; the declared chain bounds the calibrated cell-voltage errors.
 */
import { describe, expect, it, vi } from "vitest";
import { Simulation, loadBoard } from "../../../host/sim/simulate";
import { PackModel } from "../../../shared/model/packModel";
import { defaultPackConfig } from "../../../shared/config/defaults";
import { boardSensorChain } from "../../../host/boardDesign/accuracy";
import { packMaxCellV } from "../../../host/boardDesign/packFit";
import { validateConfig } from "../../../shared/config/validateConfig";
import type { PackConfig } from "../../../shared/config/packConfig";

vi.setConfig({ testTimeout: 60000 });

const CELLS = 4;
const CYCLES = 15;
const PERIOD_MS = 2000;

function config(calibrated: boolean): PackConfig {
  const board = loadBoard("esp32-adc");
  const cur = board.current;
  if (!cur.senseAmp) throw new Error("esp32-adc has a sense amplifier");
  const c = defaultPackConfig("ZnMnO2", CELLS, 1);
  c.tempCount = Math.min(board.temps.length, CELLS);
  c.samplePeriodMs = PERIOD_MS;
  c.counting.maxGapMs = 10 * PERIOD_MS;
  c.sensorChain = boardSensorChain(board, CELLS, packMaxCellV(c), calibrated);
  c.counting.offsetRestMs = 0; // zero on the relay's flagged rests (bench:accuracy B)
  return validateConfig(c);
}

function run(calibrated: boolean): { socRms: number; maxCellErrV: number } {
  const cfg = config(calibrated);
  const m = new PackModel(cfg);
  const protocol = ["Discharge at C/5 until 0.8 V", "Rest for 1 hour", `Repeat ${CYCLES} times:`, "  Charge at C/5 until 1.8 V", "  Hold at 1.8 V until C/50", "  Discharge at C/5 until 0.8 V", "  Rest for 30 minutes"].join("\n");
  const sim = new Simulation({ pack: { chemistry: "ZnMnO2", cellCount: CELLS, capacityAh: 1, seed: 101, initialSocFrac: 0.5 }, protocol, board: "esp32-adc", seed: 1002, samplePeriodMs: PERIOD_MS, calibration: "twoPoint" });
  let next = 0;
  let se = 0;
  let n = 0;
  let maxErr = 0;
  for (;;) {
    const x = sim.next();
    if (!x) break;
    m.step(x.sample);
    if (x.sample.tMs < next) continue;
    next += 60000;
    const est = m.status().socFrac;
    for (let i = 0; i < CELLS; i++) {
      const e = est[i] - x.truth.socFrac[i];
      if (Number.isFinite(e)) {
        se += e * e;
        n++;
      }
      const ve = Math.abs(x.sample.cellV[i] - x.truth.cellV[i]);
      if (ve > maxErr) maxErr = ve;
    }
  }
  return { socRms: Math.sqrt(se / n), maxCellErrV: maxErr };
}

describe("ESP32 ADC after two-point calibration", () => {
  it("SOC within 5 % RMS with the calibrated chain declared; better than with the uncalibrated declaration", () => {
    const cal = run(true);
    const uncal = run(false);
    expect(cal.socRms).toBeLessThanOrEqual(0.05);
    expect(cal.socRms).toBeLessThan(uncal.socRms);
    // The declared chain is per cell (boardSensorChain: cell k = tap k − tap k−1, both taps' INL
    // added, lower cells up to the 1.9 V alarm limit), so it bounds every cell's error itself.
    const ch = config(true).sensorChain;
    expect(cal.maxCellErrV).toBeLessThanOrEqual(ch.voltageOffsetV + ch.voltageGainErrFrac * 1.9 + ch.voltageLsbV);
  });
});
