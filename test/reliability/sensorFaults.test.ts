import { describe, expect, it } from "vitest";
import { BROKEN_TAP_CASE, FAULT_CASES, runSensorFault } from "./scenarios/sensorFaults";

/** Warm-up and fault length (board ms): the fault spans a cycle end of the 20-min charge/discharge square wave. */
const WARM_MS = 900_000;
const FAULT_MS = 1_600_000;

describe("sensor faults on the firmware: alarm raised, no figure from the bad channel", () => {
  for (const c of FAULT_CASES) {
    it(c.name, async () => {
      const r = await runSensorFault(c, WARM_MS, FAULT_MS);
      expect(r).toMatchObject({ notNaN: 0, alarmRaised: true, maskSet: true, cyclesUnflagged: 0, restRecordsDuringFault: 0, samplerKeptRunning: true });
      expect(r.socDeviation).toBeLessThanOrEqual(1e-4);
      expect(r.ok).toBe(true);
    }, 30_000);
  }

  // A tap input at 0 V makes the cells on either side read about −2.8 V and +5.6 V: outside
  // what any aqueous Zn cell can show (shared/chemistry/presets.ts), so both are invalid.
  it(BROKEN_TAP_CASE.name + ": impossible cell voltages become invalid channels", async () => {
    const r = await runSensorFault(BROKEN_TAP_CASE, WARM_MS, FAULT_MS);
    expect(r.ok).toBe(true);
  }, 30_000);
});
