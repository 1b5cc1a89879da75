/**
 * The demo's per-cycle summary: the cycle records the monitor logged (what the board
 * measured) side by side with the simulator's ground truth, matched by end time.
 */
import type { CycleTruth, RestTruth } from "../sim/truth";
import type { CycleSummary } from "../monitor/monitorRecord";
import { CYCLE_FLAG_PARTIAL } from "../../shared/model/events";

/** A logged cycle record (a line of `<port>-<time>.cycles.jsonl`): board end time + summary. */
export type LoggedCycle = CycleSummary & { tMs: number };

/** Measured and true cycle ends further apart than this (s) are not the same cycle: a tenth of a C/5 half (5 h). */
export const MATCH_TOLERANCE_S = 1800;

export interface CycleComparison {
  logged: LoggedCycle;
  truth: CycleTruth | null;
  /** Longest open-circuit rest inside the true cycle (h); 0 when none. */
  restH: number;
  /** |CE measured − CE true| (fraction); NaN when unmatched. */
  ceErr: number;
  /** The CE interval [ce − bound, ce + bound] contains the true CE; null when the board gave no CE (a partial cycle). */
  covered: boolean | null;
}

/**
 * Pair each logged cycle with the true cycle whose end is nearest. `bootSimTimeS`: simulated
 * time of the board's boot the logged times count from (its getTime() restarts at every boot).
 */
export function matchCycles(logged: LoggedCycle[], truth: CycleTruth[], bootSimTimeS: number, rests: RestTruth[] = []): CycleComparison[] {
  return logged.map((c) => {
    const endS = bootSimTimeS + c.tMs / 1000;
    let best: CycleTruth | null = null;
    for (const t of truth) if (Math.abs(t.endS - endS) <= MATCH_TOLERANCE_S && (!best || Math.abs(t.endS - endS) < Math.abs(best.endS - endS))) best = t;
    const ceErr = best ? Math.abs(c.ce - best.ce) : NaN;
    let restS = 0;
    if (best) for (const r of rests) if (r.startS >= best.startS && r.endS <= best.endS + 1) restS = Math.max(restS, r.durationS);
    const covered = best === null || !Number.isFinite(c.ce) ? null : ceErr <= c.ceBound;
    return { logged: c, truth: best, ceErr, covered, restH: restS / 3600 };
  });
}

function pct(x: number, digits: number): string {
  return Number.isFinite(x) ? (x * 100).toFixed(digits) : "—";
}

/** Flag bits of a cycle record in words (shared/model/events.ts CYCLE_FLAG_*). */
export function flagText(flags: number): string {
  const words: string[] = [];
  if (flags & CYCLE_FLAG_PARTIAL) words.push("partial");
  if (flags & 2) words.push("gap");
  if (flags & 4) words.push("restored");
  if (flags & 8) words.push("sensor");
  return words.join(",");
}

/**
 * A truth column's cell: "partial" when the board's cycle is partial (it started mid-cycle, so
 * its numbers and the simulator's whole-cycle ones are not comparable), "—" when unmatched.
 */
function truthCell(r: CycleComparison, text: string): string {
  if (r.logged.flags & CYCLE_FLAG_PARTIAL) return "partial";
  return r.truth ? text : "—";
}

/** A fixed-width text table, one row per logged cycle. */
export function summaryTable(rows: CycleComparison[]): string {
  const head = ["cycle", "Q in Ah", "Q out Ah", "CE %", "± %", "true CE %", "in bound", "EE %", "true EE %", "rest h", "flags"];
  const body = rows.map((r) => [
    String(r.logged.index),
    r.logged.chargeAh.toFixed(4),
    r.logged.dischargeAh.toFixed(4),
    pct(r.logged.ce, 3),
    pct(r.logged.ceBound, 3),
    truthCell(r, pct(r.truth ? r.truth.ce : NaN, 3)),
    r.covered === null ? "—" : r.covered ? "yes" : "NO",
    pct(r.logged.ee, 2),
    truthCell(r, pct(r.truth ? r.truth.ee : NaN, 2)),
    r.restH >= 1 ? r.restH.toFixed(1) : "",
    flagText(r.logged.flags),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  return [fmt(head), ...body.map(fmt)].join("\n");
}
