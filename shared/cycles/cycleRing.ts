/**
 * The last few cycle records kept as numbers (so they live in the snapshot): a ring of
 * `CYCLE_RING_SIZE` slots of `CYCLE_RECORD_FIELDS.length` doubles each. The field list below is
 * the one layout; records are built from it, never from a parallel list. It is made per use
 * (`cycleRecordFields()`, at model creation and at a cycle's end): the firmware holds no copy
 * between cycles (≈ 60 JsVars on the ESP32; `CYCLE_RECORD_FIELDS` is for host code and tests).
 */
import type { CycleRecord } from "../model/events";

/** Number of recent cycle records kept. */
export const CYCLE_RING_SIZE = 8;

/** Field order of one record in the ring (every numeric field of CycleRecord); a new list per call. */
export function cycleRecordFields(): (keyof CycleRecord)[] {
  return [
    "index",
    "startTMs",
    "endTMs",
    "chargeAh",
    "dischargeAh",
    "chargeWh",
    "dischargeWh",
    "ce",
    "ceBound",
    "ee",
    "ve",
    "meanChargeV",
    "meanDischargeV",
    "voltageGapV",
    "chargeDurationS",
    "dischargeDurationS",
    "tempMinC",
    "tempMaxC",
    "flags",
    "cumulativeCe",
    "rollingCe",
    "cyclesTo80",
    "cyclesTo80Low",
    "cyclesTo80High",
    "restAh",
  ];
}

/** `cycleRecordFields()` once, for host code and tests (the firmware bundle leaves it out). */
export const CYCLE_RECORD_FIELDS: (keyof CycleRecord)[] = /* @__PURE__ */ cycleRecordFields();

export interface CycleRingState {
  /** CYCLE_RING_SIZE × fields doubles, oldest overwritten first. */
  values: Float64Array;
  /** Records ever written, and the next slot. */
  count: number;
  next: number;
}

export function createCycleRing(): CycleRingState {
  return { values: new Float64Array(CYCLE_RING_SIZE * cycleRecordFields().length), count: 0, next: 0 };
}

export function pushCycle(ring: CycleRingState, rec: CycleRecord): void {
  const fields = cycleRecordFields();
  const nf = fields.length;
  const base = ring.next * nf;
  const r = rec as unknown as Record<string, number>;
  for (let f = 0; f < nf; f++) ring.values[base + f] = r[fields[f]];
  ring.next = (ring.next + 1) % CYCLE_RING_SIZE;
  ring.count++;
}

/** Records in the ring, oldest first (allocates). */
export function ringCycles(ring: CycleRingState): CycleRecord[] {
  const fields = cycleRecordFields();
  const nf = fields.length;
  const n = ring.count < CYCLE_RING_SIZE ? ring.count : CYCLE_RING_SIZE;
  const out: CycleRecord[] = [];
  for (let k = 0; k < n; k++) {
    const slot = (ring.next - n + k + CYCLE_RING_SIZE) % CYCLE_RING_SIZE;
    const r: Record<string, number> = {};
    for (let f = 0; f < nf; f++) r[fields[f]] = ring.values[slot * nf + f];
    out.push(r as unknown as CycleRecord);
  }
  return out;
}
