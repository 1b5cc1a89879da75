/**
 * Adams reservoir CE of a labelled span of a replayed run (article §2.1; B. D. Adams et al.,
 * Adv. Energy Mater. 2018, 8, 1702097; Ma et al. for Zn): plate a reservoir Q_T, cycle Q_C
 * n times, strip everything left (Q_S): CE_avg = (n·Q_C + Q_S)/(n·Q_C + Q_T).
 *
 * Cycler exports carry no "Adams" label, so the user labels the span (`--adams`, parsed by
 * `parseAdamsSpan`) and, if it is not the fitted first half, the plating direction
 * (`--plating`). The replay collects the model's half-cycles with `HalfCollector`: a half is
 * a maximal run of one current direction, rests inside it included (two plating steps with
 * only a rest between them are one half), its charge and error bound taken as differences of
 * the counter's marks at the model's segment boundaries. `adamsOfHalves` feeds the halves of
 * the span, in order, to the shared API (shared/cycles/adams.ts): first plating half =
 * reservoir, each following (strip, plate) pair = one cycle, last strip = final strip.
 *
 * A span that does not look like the protocol (begins with a strip, ends with a plating, n = 0,
 * a cycle not clearly smaller than the reservoir, a last strip not clearly larger than the
 * cycled capacity, CE above 100 % beyond its bound) gets a note and no CE, never a number.
 *
 * Consequence of the merging: a protocol whose cycles plate first (reservoir, then plate Q_C,
 * strip Q_C) with no strip between the reservoir and the first cycle's plating shows the first
 * cycle's plating merged into the reservoir and the last cycle's strip into the final strip:
 * the CE (total stripped / total plated) is the same, n is one less, Q_T and Q_S each hold
 * one Q_C more.
 */
import type { SensorChainConfig } from "../../shared/config/packConfig";
import type { CounterMark } from "../../shared/counting/coulombCounter";
import { SEG_CHARGE, SEG_DISCHARGE, type CycleRecord } from "../../shared/model/events";
import { adamsCycle, adamsFinalStrip, adamsReservoir, adamsRest, adamsResult, createAdamsState, type AdamsState } from "../../shared/cycles/adams";
import { DurationError, DURATION_UNITS, parseDurationS } from "../util/duration";
import { MS_PER_S, S_PER_H } from "../../shared/units";

const PERCENT = 100;

/** One half-cycle of the run: counter differences between its two boundaries. */
export interface HalfRecord {
  /** SEG_CHARGE or SEG_DISCHARGE. */
  dir: number;
  startTMs: number;
  endTMs: number;
  /** Charge and discharge throughput over the half, rests inside it included (Ah, ≥ 0). */
  chargeAh: number;
  dischargeAh: number;
  /** Counter's error bound over the half: offset/resolution + gap bound differences (Ah). */
  errAh: number;
  /** Rest ledger net over the half (Ah, + = into the cell): counted at open circuit, in neither capacity. */
  restAh: number;
  /** Gaps inside the half where time went missing. */
  lostTimeCount: number;
}

/** Counter values the collector reads at a boundary (a CounterMark, or the counting state). */
export type CounterValues = Pick<CounterMark, "chargeAh" | "dischargeAh" | "errAh" | "gapErrAh" | "lostTimeCount" | "restNetAh">;

/**
 * Builds HalfRecords from the model's segment switches: call `boundary(mark, to)` on each
 * `segment` event with the counting state's `mark` (counters at the switch) and `finish` once
 * at the end of the input with the counters then (later boundaries are ignored).
 */
export class HalfCollector {
  readonly halves: HalfRecord[] = [];
  private dir = 0;
  private startTMs = NaN;
  private start: CounterValues = { chargeAh: 0, dischargeAh: 0, errAh: 0, gapErrAh: 0, lostTimeCount: 0, restNetAh: 0 };
  private finished = false;

  /** A segment switch to `to` (SEG_*), the counters at the switch `m` at time `tMs`. */
  boundary(m: CounterValues, tMs: number, to: number): void {
    if (this.finished || (to !== SEG_CHARGE && to !== SEG_DISCHARGE) || to === this.dir) return;
    if (this.dir !== 0) this.close(m, tMs);
    this.dir = to;
    this.startTMs = tMs;
    this.start = { chargeAh: m.chargeAh, dischargeAh: m.dischargeAh, errAh: m.errAh, gapErrAh: m.gapErrAh, lostTimeCount: m.lostTimeCount, restNetAh: m.restNetAh };
  }

  /** End of the input: close the open half with the counters `m` at the last sample `tMs`. */
  finish(m: CounterValues, tMs: number): void {
    if (this.finished) return;
    if (this.dir !== 0) this.close(m, tMs);
    this.dir = 0;
    this.finished = true;
  }

  private close(m: CounterValues, tMs: number): void {
    const s = this.start;
    this.halves.push({
      dir: this.dir,
      startTMs: this.startTMs,
      endTMs: tMs,
      chargeAh: m.chargeAh - s.chargeAh,
      dischargeAh: m.dischargeAh - s.dischargeAh,
      errAh: m.errAh - s.errAh + (m.gapErrAh - s.gapErrAh),
      restAh: m.restNetAh - s.restNetAh,
      lostTimeCount: m.lostTimeCount - s.lostTimeCount,
    });
  }
}

/** Which part of the run the user labelled as the Adams protocol. */
export type AdamsSpan =
  | { kind: "all"; text: string }
  /** Cycle numbers of the per-cycle table, inclusive. */
  | { kind: "cycles"; fromCycle: number; toCycle: number; text: string }
  /** Test time (s): halves that begin in [fromS, toS]. */
  | { kind: "time"; fromS: number; toS: number; text: string };

export class AdamsOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdamsOptionError";
  }
}

const SPAN_FORMS =
  'accepted: "all" (the whole run), "FROM-TO" cycle numbers of the per-cycle table (e.g. 3-14: cycle 3\'s first half is the reservoir, ' +
  `cycle 14's last half the final strip), or "FROM-TO" test times with a unit on both ends, ${DURATION_UNITS} (e.g. 2.5h-80h, 90min-3h)`;

/** Seconds of one end of a time span, or null if it is not a time (e.g. a cycle number). */
function timeS(text: string, whole: string): number | null {
  try {
    return parseDurationS(text);
  } catch (e) {
    if (!(e instanceof DurationError)) throw e;
    if (e.kind === "notation") return null;
    throw new AdamsOptionError(`--adams "${whole}": ${e.message}; ${SPAN_FORMS}`);
  }
}

/** Parse `--adams` text; throws AdamsOptionError quoting it and listing the accepted forms. */
export function parseAdamsSpan(text: string): AdamsSpan {
  const t = text.trim();
  if (t === "all") return { kind: "all", text: t };
  const parts = t.split("-");
  if (parts.length !== 2 || parts[0] === "" || parts[1] === "") throw new AdamsOptionError(`--adams "${text}": ${SPAN_FORMS}`);
  const [a, b] = parts;
  const ta = timeS(a, text);
  const tb = timeS(b, text);
  if (ta !== null && tb !== null) {
    if (!(tb > ta)) throw new AdamsOptionError(`--adams "${text}": the end time must be after the start; ${SPAN_FORMS}`);
    return { kind: "time", fromS: ta, toS: tb, text: t };
  }
  if (ta !== null || tb !== null) throw new AdamsOptionError(`--adams "${text}": give a unit on both ends (times) or on neither (cycle numbers); ${SPAN_FORMS}`);
  const ca = /^[0-9]+$/.test(a) ? Number(a) : NaN;
  const cb = /^[0-9]+$/.test(b) ? Number(b) : NaN;
  if (!(ca >= 1) || !(cb >= 1)) throw new AdamsOptionError(`--adams "${text}": cycle numbers must be whole numbers ≥ 1; ${SPAN_FORMS}`);
  if (!(cb >= ca)) throw new AdamsOptionError(`--adams "${text}": the last cycle must not come before the first; ${SPAN_FORMS}`);
  return { kind: "cycles", fromCycle: ca, toCycle: cb, text: t };
}

/** Parse `--plating`. */
export function parsePlating(text: string): "charge" | "discharge" {
  if (text === "charge" || text === "discharge") return text;
  throw new AdamsOptionError(
    `--plating "${text}": accepted values are "charge" (Zn plates on the electrode under test while the cycler charges, + current) ` +
      `or "discharge" (Zn||Cu cells as usually wired: plating onto Cu is the cycler's discharge)`,
  );
}

/** The Adams figures of a labelled span (capacities in Ah, CE as fractions). */
export interface AdamsReport {
  /** The label as given (e.g. "3-14", "2.5h-80h", "all"). */
  span: string;
  plating: "charge" | "discharge";
  /** First and last half of the protocol (s, test time). */
  startS: number;
  endS: number;
  ce: number;
  ceBound: number;
  /** Cycles between reservoir and final strip. */
  n: number;
  /** Q_T, mean Q_C (mean of each cycle's plated and stripped), Q_S. */
  reservoirAh: number;
  cycleAhMean: number;
  finalStripAh: number;
  /** Σ plated (reservoir + cycles) and Σ stripped (cycles + final strip). */
  totalPlatedAh: number;
  totalStrippedAh: number;
}

export interface AdamsOutcome {
  /** null when the span does not look like the protocol (then `notes` say why). */
  report: AdamsReport | null;
  notes: string[];
}

/**
 * Relative margin for comparing sums of counted charge: 1e-9 ≫ the rounding of summing 10⁶
 * trapezoids in binary64 (10⁶ × 2⁻⁵³ ≈ 1e-10), so equal capacities never compare as larger.
 */
const ROUNDING_FRAC = 1e-9;

/** True when capacity a (± aErrAh) is larger than b (± bErrAh) beyond both bounds. */
function clearlyLarger(aAh: number, aErrAh: number, bAh: number, bErrAh: number): boolean {
  return aAh - aErrAh > (bAh + bErrAh) * (1 + ROUNDING_FRAC);
}

function ahText(ah: number): string {
  return `${ah.toPrecision(4)} Ah`;
}

/** The halves of the run that the span labels (those that begin inside it), or a note. */
function selectHalves(halves: HalfRecord[], span: AdamsSpan, cycles: CycleRecord[]): HalfRecord[] | string {
  if (span.kind === "all") return halves;
  let fromMs: number;
  let toMs: number;
  if (span.kind === "cycles") {
    if (span.toCycle > cycles.length) {
      return `--adams ${span.text}: the run has ${cycles.length} cycles in the per-cycle table, so cycle ${span.toCycle} does not exist`;
    }
    fromMs = cycles[span.fromCycle - 1].startTMs;
    toMs = cycles[span.toCycle - 1].endTMs;
    return halves.filter((h) => h.startTMs >= fromMs && h.startTMs < toMs);
  }
  fromMs = span.fromS * MS_PER_S;
  toMs = span.toS * MS_PER_S;
  return halves.filter((h) => h.startTMs >= fromMs && h.startTMs <= toMs);
}

/** Plated and stripped charge of a half, for the span's plating direction. */
interface HalfSides {
  plated: (h: HalfRecord) => number;
  stripped: (h: HalfRecord) => number;
}

/** Why the selected halves are not reservoir plating, n ≥ 1 cycles, final strip; null when they are. */
function spanShapeProblem(sel: HalfRecord[], pDir: number, strip: string, sides: HalfSides): string | null {
  if (sel.length === 0) return "the labelled span holds no charge or discharge half";
  if (sel[0].dir !== pDir) {
    return `the labelled span begins with a stripping half (${strip}, ${ahText(sides.stripped(sel[0]))}), not the plating of a reservoir: check --plating or the range`;
  }
  const last = sel[sel.length - 1];
  if (last.dir === pDir) return `the labelled span ends with a plating half (${ahText(sides.plated(last))}): the final strip is missing`;
  if (sel.length / 2 - 1 < 1) return `no cycles between the reservoir (${ahText(sides.plated(sel[0]))}) and the final strip (n = 0)`;
  return null;
}

/**
 * Feeds cycles 1…n (halves 1…2n) into the Adams state; returns the sums of their mean charge
 * and of their error bounds, or why a cycle shows the span is no reservoir protocol.
 */
function feedCycles(st: AdamsState, sel: HalfRecord[], n: number, sides: HalfSides): { cycleSum: number; cycleErrSum: number } | string {
  const reservoirAh = sides.plated(sel[0]);
  const last = sel[sel.length - 1];
  let cycleSum = 0;
  let cycleErrSum = 0;
  for (let k = 1; k <= n; k++) {
    const s = sel[2 * k - 1];
    const p = sel[2 * k];
    let inAh = sides.plated(s) + sides.plated(p);
    let outAh = sides.stripped(s) + sides.stripped(p);
    if (k === 1) outAh += sides.stripped(sel[0]);
    if (k === n) inAh += sides.plated(last);
    const cycErrAh = s.errAh + p.errAh;
    if (!clearlyLarger(reservoirAh, sel[0].errAh, inAh, cycErrAh) || !clearlyLarger(reservoirAh, sel[0].errAh, outAh, cycErrAh)) {
      return (
        `cycle ${k} of the span plates ${ahText(inAh)} and strips ${ahText(outAh)}, not clearly less than the reservoir ${ahText(reservoirAh)}: ` +
        "no reservoir larger than the cycled capacity (does the span start at the reservoir?)"
      );
    }
    adamsCycle(st, inAh, outAh, p.errAh, s.errAh);
    cycleSum += (inAh + outAh) / 2;
    cycleErrSum += cycErrAh;
  }
  return { cycleSum, cycleErrSum };
}

/**
 * Adams CE of the labelled span. `plating` is the current direction that plates Zn on the
 * electrode under test; `chain` the sensor chain of the replayed config (for the CE bound).
 * Each half's counter error bound is charged to its own direction (plating halves to the
 * plated sum, stripping halves to the stripped sum); the small throughput of the other
 * direction inside a half (noise around zero) is kept in the sums, so the totals are the
 * counter's over the span. Rests' net (the rest ledger, in neither total) widens the bound as it
 * does a cycle's (shared/cycles/ceBound.ts ceBoundWithRest).
 */
export function adamsOfHalves(
  halves: HalfRecord[],
  span: AdamsSpan,
  plating: "charge" | "discharge",
  cycles: CycleRecord[],
  chain: SensorChainConfig,
): AdamsOutcome {
  const notes: string[] = [];
  const no = (why: string): AdamsOutcome => ({ report: null, notes: [`Adams reservoir CE (--adams ${span.text}, plating = ${plating}): not computed, ${why}`] });
  const sel = selectHalves(halves, span, cycles);
  if (typeof sel === "string") return no(sel);
  const pDir = plating === "charge" ? SEG_CHARGE : SEG_DISCHARGE;
  const sides: HalfSides = {
    plated: (h) => (pDir === SEG_CHARGE ? h.chargeAh : h.dischargeAh),
    stripped: (h) => (pDir === SEG_CHARGE ? h.dischargeAh : h.chargeAh),
  };
  const shape = spanShapeProblem(sel, pDir, plating === "charge" ? "discharge" : "charge", sides);
  if (shape !== null) return no(shape);
  const last = sel[sel.length - 1];
  const n = sel.length / 2 - 1;
  const st = createAdamsState();
  let cycleSum = 0;
  try {
    adamsReservoir(st, sides.plated(sel[0]), sel[0].errAh);
    const fed = feedCycles(st, sel, n, sides);
    if (typeof fed === "string") return no(fed);
    cycleSum = fed.cycleSum;
    const qcAh = cycleSum / n;
    if (!clearlyLarger(sides.stripped(last), last.errAh, qcAh, fed.cycleErrSum / n)) {
      return no(
        `the last strip (${ahText(sides.stripped(last))}) is not larger than the cycled capacity (${ahText(qcAh)} mean): ` +
          "it is not the final strip of everything left (does the span end at the final strip?)",
      );
    }
    adamsFinalStrip(st, sides.stripped(last), last.errAh);
  } catch (e) {
    return no((e as Error).message);
  }
  let lostTime = 0;
  for (const h of sel) {
    lostTime += h.lostTimeCount;
    adamsRest(st, h.restAh);
  }
  if (lostTime > 0) notes.push(`Adams span: ${lostTime} time gaps inside it; the charge they may hide is in the CE bound`);
  const r = adamsResult(st, chain);
  if (r.ce - r.ceBound > 1) {
    return no(
      `it strips more than it plates (CE ${(r.ce * PERCENT).toFixed(3)} ± ${(r.ceBound * PERCENT).toFixed(3)} %): ` +
        "the reservoir is not the span's first half (does the span start at the reservoir? is --plating right?)",
    );
  }
  return {
    report: {
      span: span.text,
      plating,
      startS: sel[0].startTMs / MS_PER_S,
      endS: last.endTMs / MS_PER_S,
      ce: r.ce,
      ceBound: r.ceBound,
      n,
      reservoirAh: st.reservoirAh,
      cycleAhMean: cycleSum / n,
      finalStripAh: st.finalStripAh,
      totalPlatedAh: st.reservoirAh + st.platedAh,
      totalStrippedAh: st.strippedAh + st.finalStripAh,
    },
    notes,
  };
}

/** One line for the terminal and the report. */
export function adamsLine(r: AdamsReport): string {
  const pct = (x: number): string => (Number.isFinite(x) ? (x * PERCENT).toFixed(3) : x > 0 ? "∞" : "–");
  return (
    `Adams reservoir CE ${pct(r.ce)} ± ${pct(r.ceBound)} % (span ${r.span}, plating = ${r.plating}, ` +
    `${(r.startS / S_PER_H).toFixed(2)}–${(r.endS / S_PER_H).toFixed(2)} h): n = ${r.n}, Q_T = ${r.reservoirAh.toPrecision(5)} Ah, ` +
    `Q_C = ${r.cycleAhMean.toPrecision(5)} Ah (mean), Q_S = ${r.finalStripAh.toPrecision(5)} Ah`
  );
}
