/**
 * What the live terminal view shows for one pack: the latest numbers decoded from its
 * telemetry, plus link health. Filled by the monitor session; rendered by liveView.ts.
 */
import { LinkHealth } from "./linkHealth";

export type PackState = "charge" | "discharge" | "rest" | "unknown";

export interface ActiveAlarm {
  id: string;
  /** "warn" | "alarm" | "fault" or whatever level name the board sends. */
  level: string;
  value: number;
}

export interface LastCycleView {
  index: number;
  /** Coulombic efficiency (fraction) and its half-width bound (fraction). */
  ce: number;
  ceBound: number;
  /** Energy efficiency (fraction). */
  ee: number;
  chargeAh: number;
  dischargeAh: number;
  /** True for a partial cycle (CYCLE_FLAG_PARTIAL: it started before the board did, or a half was too small). */
  partial?: boolean;
}

export interface PackView {
  /** Port path the pack is on. */
  port: string;
  /** Firmware identity, once known ("board / pack / version"). */
  identity: string;
  connected: boolean;
  /** When the port was first opened (ms since the epoch); NaN before. */
  openedAtMs: number;
  /** Board time of the latest sample (ms); NaN before the first. */
  boardTMs: number;
  cellV: number[];
  currentA: number;
  tempC: number[];
  /** Per-cell SOC (fraction). */
  socFrac: number[];
  state: PackState;
  /** Active-alarm bitmask from the latest status line. */
  alarmMask: number;
  /** Cycle number in progress (1-based); NaN when unknown. */
  cycleIndex: number;
  lastCycle: LastCycleView | null;
  alarms: ActiveAlarm[];
  health: LinkHealth;
  /** Latest notable event in words ("board reset at …", "reconnected after 2.1 s"). */
  lastEvent: string;
}

export function emptyPackView(port: string): PackView {
  return {
    port,
    identity: "",
    connected: false,
    openedAtMs: NaN,
    boardTMs: NaN,
    cellV: [],
    currentA: NaN,
    tempC: [],
    socFrac: [],
    state: "unknown",
    alarmMask: 0,
    cycleIndex: NaN,
    lastCycle: null,
    alarms: [],
    health: new LinkHealth(),
    lastEvent: "",
  };
}
