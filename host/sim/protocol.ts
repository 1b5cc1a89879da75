/**
 * Test protocols as readable steps, in the manner of PyBaMM's `Experiment`: parsed once, at
 * the edge, into typed steps in SI units (A, V, s).
 *
 * Step forms (case-insensitive; a current is "0.1 A", "100 mA", "C/5" or "0.2C"; a voltage
 * "1.8 V" or "1800 mV"; a duration "24 hours", "30 min", "90 s", "2 days", read by
 * host/util/duration.ts):
 *   Charge at C/5 until 1.8 V                Discharge at 0.1 A until 0.8 V
 *   Charge at C/5 for 2 hours                Discharge at C/5 for 5 hours or until 0.8 V
 *   Hold at 1.8 V until C/50                 Hold at 1.8 V until 10 mA or 2 hours
 *   Rest for 24 hours
 *   Random rest for 24 to 48 hours with probability 0.1
 * Voltages are CELL voltages: a charge ends when the highest cell reaches the limit, a
 * discharge when the lowest cell does; a hold keeps the highest cell at the voltage.
 * "Random rest" is the article's random rest test during cycling (§4.3): each time the step
 * is reached it happens with the given probability, for a duration drawn uniformly in the
 * range, both from the run's seed.
 *
 * Repeats. Text: a line "Repeat 10 times:" followed by the lines indented deeper than it.
 * JSON: an array whose items are step strings or `{ "repeat": 10, "steps": [ … ] }`.
 *
 *   Repeat 100 times:
 *     Charge at C/5 until 1.8 V
 *     Hold at 1.8 V until C/50
 *     Random rest for 24 to 48 hours with probability 0.1
 *     Discharge at C/5 until 0.8 V
 *     Rest for 30 minutes
 */
import { DurationError, parseDurationS } from "../util/duration";

export type StepKind = "charge" | "discharge" | "hold" | "rest";

/** One parsed step in SI units. Absent limits are NaN. */
export interface ProtocolStep {
  kind: StepKind;
  /** The text it came from (for messages and reports). */
  text: string;
  /** Magnitude of the current (A, > 0) for charge/discharge; NaN otherwise. */
  currentA: number;
  /** Cell-voltage limit (V) ending a charge/discharge, or the hold voltage; NaN if none. */
  cellV: number;
  /** Current magnitude (A) under which a hold ends; NaN if none. */
  untilCurrentA: number;
  /** Duration limit (s) (the rest's duration); NaN if none. */
  durationS: number;
  /** Random rest: probability (0…1] and max duration (s); probability NaN for a plain step. */
  probability: number;
  maxDurationS: number;
}

export interface RepeatBlock {
  kind: "repeat";
  times: number;
  body: ProtocolNode[];
}

export type ProtocolNode = ProtocolStep | RepeatBlock;

/** A JSON protocol item: a step string or a repeat block. */
export type ProtocolJsonItem = string | { repeat: number; steps: ProtocolJsonItem[] };

export interface ParseOptions {
  /** Nominal capacity (Ah) for C-rates ("C/5" = capacityAh / 5 A). */
  capacityAh: number;
}

export const ACCEPTED_FORMS = [
  '"Charge at C/5 until 1.8 V"',
  '"Discharge at 0.1 A until 0.8 V"',
  '"Charge at 0.2C for 2 hours or until 1.8 V"',
  '"Hold at 1.8 V until C/50"',
  '"Rest for 24 hours"',
  '"Random rest for 24 to 48 hours with probability 0.1"',
  '"Repeat 10 times:" followed by indented steps (or JSON {"repeat": 10, "steps": [...]})',
];

/** A protocol that cannot be parsed: names the step, quotes it, lists the accepted forms. */
export class ProtocolError extends Error {
  constructor(where: string, text: string, problem: string) {
    super(
      `protocol ${where} ${JSON.stringify(text)}: ${problem}. Accepted forms: ${ACCEPTED_FORMS.join(", ")}; ` +
        `e.g. "Charge at C/5 until 1.8 V".`,
    );
    this.name = "ProtocolError";
  }
}

const NUM = "([0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)";

function parseDuration(s: string, where: string, text: string): number {
  let v: number;
  try {
    v = parseDurationS(s.trim());
  } catch (e) {
    if (e instanceof DurationError) throw new ProtocolError(where, text, e.message);
    throw e;
  }
  if (!(v > 0)) throw new ProtocolError(where, text, `duration ${JSON.stringify(s.trim())} must be > 0`);
  return v;
}

function parseVoltage(s: string, where: string, text: string): number {
  const m = new RegExp(`^${NUM}\\s*(v|mv)$`).exec(s.trim().toLowerCase());
  if (!m) throw new ProtocolError(where, text, `cannot read the voltage ${JSON.stringify(s.trim())} (use e.g. "1.8 V" or "1800 mV")`);
  const v = parseFloat(m[1]) * (m[2] === "mv" ? 1e-3 : 1);
  if (!(v > 0 && v < 10)) throw new ProtocolError(where, text, `cell voltage ${JSON.stringify(s.trim())} is outside 0…10 V`);
  return v;
}

function parseCurrent(s: string, where: string, text: string, capacityAh: number): number {
  const t = s.trim().toLowerCase().replace(/\s+/g, "");
  let m = new RegExp(`^c/${NUM}$`).exec(t);
  let a = NaN;
  if (m) a = capacityAh / parseFloat(m[1]);
  else if ((m = new RegExp(`^${NUM}c$`).exec(t))) a = capacityAh * parseFloat(m[1]);
  else if ((m = new RegExp(`^${NUM}(a|ma)$`).exec(t))) a = parseFloat(m[1]) * (m[2] === "ma" ? 1e-3 : 1);
  else {
    throw new ProtocolError(where, text, `cannot read the current ${JSON.stringify(s.trim())} (use e.g. "C/5", "0.2C", "0.1 A" or "100 mA")`);
  }
  if (!(a > 0 && isFinite(a))) throw new ProtocolError(where, text, `current ${JSON.stringify(s.trim())} must be > 0`);
  return a;
}

function blankStep(kind: StepKind, text: string): ProtocolStep {
  return { kind, text, currentA: NaN, cellV: NaN, untilCurrentA: NaN, durationS: NaN, probability: NaN, maxDurationS: NaN };
}

/** Parse one step's text. `where` names it in errors, e.g. "step 3". */
export function parseStep(text: string, where: string, opts: ParseOptions): ProtocolStep {
  if (typeof text !== "string") throw new ProtocolError(where, String(text), "a step must be a string");
  const t = text.trim().replace(/\s+/g, " ");
  const low = t.toLowerCase();
  let m: RegExpExecArray | null;

  if ((m = /^(charge|discharge) at (.+?)(?: (for|until) (.+))?$/.exec(low))) {
    const st = blankStep(m[1] as StepKind, t);
    st.currentA = parseCurrent(m[2], where, t, opts.capacityAh);
    if (!m[3]) throw new ProtocolError(where, t, `a ${m[1]} step needs an end: "until <voltage>" and/or "for <duration>"`);
    const clauses = (m[3] + " " + m[4]).split(/ or /);
    for (const c of clauses) {
      const cm = /^(?:(for|until) )?(.+)$/.exec(c.trim());
      const body = cm ? cm[2] : c;
      if (/(v|mv)$/.test(body.replace(/\s+/g, ""))) st.cellV = parseVoltage(body, where, t);
      else st.durationS = parseDuration(body, where, t);
    }
    return st;
  }
  if ((m = /^hold at (.+?) (?:until|for) (.+)$/.exec(low))) {
    const st = blankStep("hold", t);
    st.cellV = parseVoltage(m[1], where, t);
    for (const c of m[2].split(/ or /)) {
      const body = c.replace(/^(for|until) /, "").trim();
      if (/^(c\/[0-9.]+|[0-9.]+\s*(c|a|ma))$/.test(body)) st.untilCurrentA = parseCurrent(body, where, t, opts.capacityAh);
      else st.durationS = parseDuration(body, where, t);
    }
    return st;
  }
  if ((m = /^rest for (.+)$/.exec(low))) {
    const st = blankStep("rest", t);
    st.durationS = parseDuration(m[1], where, t);
    return st;
  }
  if ((m = /^random rest for (.+?)(?: to (.+?))? with probability (.+)$/.exec(low))) {
    const st = blankStep("rest", t);
    let hiText = m[2];
    let loText = m[1];
    if (hiText) {
      // "24 to 48 hours": the unit is written once, after the upper bound.
      const unit = /[a-z]+$/.exec(hiText.trim());
      if (/^[0-9.eE+-]+$/.test(loText.trim()) && unit) loText = loText.trim() + " " + unit[0];
    } else hiText = loText;
    st.durationS = parseDuration(loText, where, t);
    st.maxDurationS = parseDuration(hiText, where, t);
    if (st.maxDurationS < st.durationS) throw new ProtocolError(where, t, "the random rest's upper duration is below its lower one");
    const p = Number(m[3].trim());
    if (!(p > 0 && p <= 1)) throw new ProtocolError(where, t, `probability ${JSON.stringify(m[3].trim())} must be a number in (0, 1]`);
    st.probability = p;
    return st;
  }
  const first = low.split(" ")[0];
  const known = ["charge", "discharge", "hold", "rest", "random", "repeat"];
  const problem =
    known.indexOf(first) < 0
      ? `unknown step kind ${JSON.stringify(first)}; a step starts with Charge, Discharge, Hold, Rest, Random rest or Repeat`
      : `cannot read this ${first} step`;
  throw new ProtocolError(where, t, problem);
}

function checkCapacity(opts: ParseOptions): void {
  if (!opts || !(opts.capacityAh > 0) || !isFinite(opts.capacityAh)) {
    throw new Error(`parseProtocol needs options.capacityAh > 0 (for C-rates), got ${String(opts && opts.capacityAh)}`);
  }
}

/** Parse a JSON protocol: an array of step strings and `{repeat, steps}` blocks. */
export function parseProtocolJson(items: ProtocolJsonItem[], opts: ParseOptions): ProtocolNode[] {
  checkCapacity(opts);
  let n = 0;
  function walk(list: ProtocolJsonItem[], path: string): ProtocolNode[] {
    if (!Array.isArray(list)) throw new ProtocolError(path || "top level", String(list), "expected an array of steps");
    const out: ProtocolNode[] = [];
    for (const item of list) {
      n++;
      const where = `step ${n}`;
      if (typeof item === "string") out.push(parseStep(item, where, opts));
      else if (item && typeof item === "object" && "repeat" in item) {
        const times = item.repeat;
        if (!(Number.isInteger(times) && times >= 1)) {
          throw new ProtocolError(where, JSON.stringify(item).slice(0, 80), `repeat must be an integer ≥ 1, got ${String(times)}`);
        }
        out.push({ kind: "repeat", times, body: walk(item.steps, where) });
      } else throw new ProtocolError(where, JSON.stringify(item), 'an item must be a step string or {"repeat": n, "steps": [...]}');
    }
    return out;
  }
  return walk(items, "");
}

/** Parse a text protocol: one step per line, `#` comments, "Repeat N times:" + indented block. */
export function parseProtocolText(text: string, opts: ParseOptions): ProtocolNode[] {
  checkCapacity(opts);
  const lines: { indent: number; text: string; lineNo: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const noComment = raw.replace(/#.*$/, "");
    if (noComment.trim() === "") return;
    const indent = /^[ \t]*/.exec(noComment)![0].replace(/\t/g, "    ").length;
    lines.push({ indent, text: noComment.trim(), lineNo: i + 1 });
  });
  let pos = 0;
  function block(minIndent: number): ProtocolNode[] {
    const out: ProtocolNode[] = [];
    const indent = pos < lines.length ? lines[pos].indent : 0;
    while (pos < lines.length && lines[pos].indent >= minIndent) {
      const l = lines[pos];
      const where = `step on line ${l.lineNo}`;
      if (l.indent !== indent) throw new ProtocolError(where, l.text, `indentation ${l.indent} does not match its block's ${indent}`);
      const rm = /^repeat\s+(\S+)\s+times?\s*:?$/i.exec(l.text);
      pos++;
      if (rm) {
        const times = Number(rm[1]);
        if (!(Number.isInteger(times) && times >= 1)) throw new ProtocolError(where, l.text, `repeat count ${JSON.stringify(rm[1])} must be an integer ≥ 1`);
        if (pos >= lines.length || lines[pos].indent <= l.indent) throw new ProtocolError(where, l.text, "a repeat needs its steps on the following lines, indented deeper");
        out.push({ kind: "repeat", times, body: block(lines[pos].indent) });
      } else if (/^repeat\b/i.test(l.text)) {
        throw new ProtocolError(where, l.text, 'write a repeat as "Repeat 10 times:" followed by indented steps');
      } else out.push(parseStep(l.text, where, opts));
    }
    return out;
  }
  const nodes = block(0);
  if (pos < lines.length) throw new ProtocolError(`step on line ${lines[pos].lineNo}`, lines[pos].text, "indentation is shallower than the protocol's first line");
  if (nodes.length === 0) throw new ProtocolError("top level", text.slice(0, 40), "the protocol has no steps");
  return nodes;
}

/** Parse either form. */
export function parseProtocol(input: string | ProtocolJsonItem[], opts: ParseOptions): ProtocolNode[] {
  return typeof input === "string" ? parseProtocolText(input, opts) : parseProtocolJson(input, opts);
}

/** Number of plain steps a protocol expands to, random rests counted as if always taken. */
export function countSteps(nodes: ProtocolNode[]): number {
  let n = 0;
  for (const x of nodes) n += x.kind === "repeat" ? x.times * countSteps(x.body) : 1;
  return n;
}
