/**
 * Durations written by people ("30 min", "2h", "45 s", "2.5 hours", "2 days") read into seconds.
 * One notation for every place that takes a duration as text: protocol steps (host/sim/protocol.ts)
 * and Adams span times (host/analyze/adams.ts). Callers add their own limits (e.g. > 0) and
 * context (line, option) to the messages.
 *
 * Accepted: a decimal number ≥ 0 ("2", "2.", "2.5", ".5", "1e3"), optional white space, and a
 * unit below; case-insensitive; surrounding white space is ignored.
 */
import { S_PER_DAY, S_PER_H, S_PER_MIN } from "../../shared/units";

/** Seconds per unit word. */
const SECONDS_PER_UNIT: Readonly<Record<string, number>> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  min: S_PER_MIN, mins: S_PER_MIN, minute: S_PER_MIN, minutes: S_PER_MIN,
  h: S_PER_H, hr: S_PER_H, hrs: S_PER_H, hour: S_PER_H, hours: S_PER_H,
  d: S_PER_DAY, day: S_PER_DAY, days: S_PER_DAY,
};

/** The accepted units, for messages. */
export const DURATION_UNITS = "s (sec, second, seconds), min (minute, minutes), h (hr, hour, hours) or d (day, days)";

const DURATION_RE = /^([0-9]+\.?[0-9]*|\.[0-9]+)(e[-+]?[0-9]+)?\s*([a-z]+)$/;

/** A duration text that is not in the notation (`notation`) or whose value is not finite (`range`). */
export class DurationError extends Error {
  constructor(
    /** The text as given. */
    readonly text: string,
    readonly kind: "notation" | "range",
  ) {
    super(
      kind === "notation"
        ? `cannot read the duration ${JSON.stringify(text)}: accepted is a number ≥ 0 and a unit ${DURATION_UNITS}, e.g. "90 s", "30 min", "2.5h", "2 days"`
        : `the duration ${JSON.stringify(text)} is too large to be a finite number of seconds`,
    );
    this.name = "DurationError";
  }
}

/** Seconds (finite, ≥ 0) of a duration such as "30 min"; throws DurationError quoting `text`. */
export function parseDurationS(text: string): number {
  const m = DURATION_RE.exec(text.trim().toLowerCase());
  if (!m || !Object.hasOwn(SECONDS_PER_UNIT, m[3])) throw new DurationError(text, "notation"); // not "constructor"
  const s = Number(m[1] + (m[2] ?? "")) * SECONDS_PER_UNIT[m[3]];
  if (!Number.isFinite(s)) throw new DurationError(text, "range");
  return s;
}
