/**
 * Test helper: replay one input in-thread and with the worker read (same profile, same fitted
 * config), and check that everything the report draws from comes out the same (the worker's
 * batch path has its own per-sample loop in replay.ts).
 */
import { expect } from "vitest";
import { fitConfig } from "../../../host/analyze/fitConfig";
import { profileInput } from "../../../host/analyze/profile";
import { replay, type ReplayResult } from "../../../host/analyze/replay";
import type { Importer } from "../../../host/import/record";

/** `inThread` read row by row on this thread, `worker` parsed on the read worker. */
export async function replayBothWays(imp: Importer, path: string): Promise<{ inThread: ReplayResult; worker: ReplayResult }> {
  const profile = await profileInput(imp, path);
  const config = fitConfig(profile);
  const inThread = await replay(imp, path, { config, profile, parallel: false, zeroCurrentIsOpenCircuit: true });
  const worker = await replay(imp, path, { config, profile, parallel: true, zeroCurrentIsOpenCircuit: true });
  return { inThread, worker };
}

/** Cycles, samples, rests, plot series, rest curves, dQ/dV, impedance rows, truncation, gaps and alarms are equal. */
export function expectSameReplay(x: ReplayResult, y: ReplayResult): void {
  expect(y.cycles).toEqual(x.cycles);
  expect(y.samples).toBe(x.samples);
  expect(y.rests).toEqual(x.rests);
  expect(y.series).toEqual(x.series);
  expect(y.restCurves).toEqual(x.restCurves);
  expect(y.dqdv).toEqual(x.dqdv);
  expect([y.impedanceRows, y.truncatedCycle, y.gaps, y.alarms]).toEqual([x.impedanceRows, x.truncatedCycle, x.gaps, x.alarms]);
}
