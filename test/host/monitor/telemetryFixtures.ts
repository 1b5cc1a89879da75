/** Telemetry lines for monitor tests, encoded with the shared line format (the firmware's encoder). */
import { encodeLine } from "../../../shared/telemetry/lineFormat";
import type { CycleRecord } from "../../../shared/model/events";
import type { StatusLine } from "../../../shared/telemetry/records";

export function statusLine(seq: number, tMs: number, over: Partial<StatusLine> = {}): string {
  const rec: StatusLine = {
    type: "status",
    tMs,
    cellV: [1.4012, 1.4023, 1.3998, 1.4005],
    currentA: 0.2,
    tempC: [24.5],
    socFrac: [0.5, 0.51, 0.49, 0.5],
    segment: 1,
    cycleCount: 0,
    alarmMask: 0,
    lastCe: NaN,
    lastCeBound: NaN,
    lastEe: NaN,
    flags: 0,
    ...over,
  };
  return encodeLine(rec, seq);
}

export function cycleLine(seq: number, tMs: number, index: number, ce: number): string {
  const cycle: CycleRecord = {
    index,
    startTMs: 0,
    endTMs: tMs,
    chargeAh: 1,
    dischargeAh: ce,
    chargeWh: 1.6,
    dischargeWh: 1.3 * ce,
    ce,
    ceBound: 0.002,
    ee: 0.8,
    ve: 0.8 / ce,
    meanChargeV: 1.6,
    meanDischargeV: 1.3,
    voltageGapV: 0.3,
    chargeDurationS: 18000,
    dischargeDurationS: 17900,
    tempMinC: 24,
    tempMaxC: 26,
    flags: 0,
    cumulativeCe: ce,
    rollingCe: ce,
    cyclesTo80: 100,
    cyclesTo80Low: 90,
    cyclesTo80High: 110,
    restAh: 0,
  };
  return encodeLine({ type: "cycle", tMs, cycle }, seq);
}

export function bootLine(seq: number, restored: boolean, ageS: number): string {
  return encodeLine({ type: "boot", tMs: 5, restored, storedAgeS: ageS, reason: "power on" }, seq);
}

/** Change one character of the body so the CRC no longer matches. */
export function corrupt(line: string): string {
  const i = 8;
  const c = line.charAt(i) === "1" ? "2" : "1";
  return line.slice(0, i) + c + line.slice(i + 1);
}

export function identLine(seq: number): string {
  return encodeLine({ type: "ident", fwVersion: "0.1.0", bundleHash: "00112233aabbccdd", board: "esp32-ads1115", pack: "znmno2-4s" }, seq);
}
