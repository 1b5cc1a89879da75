/**
 * Build-time generation of the firmware's compact config limits (`CONFIG_LIMITS` of the virtual
 * module `zbms-build`) from the shared validator's own rule table, `CONFIG_RULES`
 * (shared/config/validateConfig.ts), so that the board checks a `set` against the same ranges
 * without carrying the validator (firmware/configCheck.ts).
 *
 * `configLimits(rules, template): ConfigLimits` — one row per leaf field of the template, in walk order:
 * num/int/curve/cells → [kind, min, max, openFlags, unit]; str → [LIMIT_STR, minLen, maxLen, 0, ""];
 * enum → [LIMIT_ENUM, 0, 0, 0, values]. The alarm table has no row (the board runs the shared
 * `checkAlarmTable`). Units are written in ASCII (the ESP32 build has no Unicode).
 */
import {
  LIMIT_CELLS, LIMIT_CURVE, LIMIT_ENUM, LIMIT_INT, LIMIT_MAX_OPEN, LIMIT_MIN_OPEN, LIMIT_NUM, LIMIT_STR,
  type ConfigLimits, type LimitRow,
} from "../../firmware/configCheck.js";
import type { ConfigRule } from "../../shared/config/validateConfig.js";

/** Non-ASCII unit text → ASCII (the ESP32 build counts bytes, and esbuild would escape them). */
function asciiUnit(u: string | undefined): string {
  return (u ?? "").replace(/²/g, "2").replace(/µ/g, "u").replace(/[^\x20-\x7e]/g, "?");
}

/** The row of one rule (num/int/curve/str/enum); throws on a kind that has none. */
function limitRow(path: string, r: ConfigRule): LimitRow {
  const flags = (r.minOpen ? LIMIT_MIN_OPEN : 0) | (r.maxOpen ? LIMIT_MAX_OPEN : 0);
  if (r.kind === "num" || r.kind === "int" || r.kind === "curve" || r.kind === "cells") {
    const kind = r.kind === "num" ? LIMIT_NUM : r.kind === "int" ? LIMIT_INT : r.kind === "curve" ? LIMIT_CURVE : LIMIT_CELLS;
    return [kind, r.min!, r.max!, flags, asciiUnit(r.unit)];
  }
  if (r.kind === "str") return [LIMIT_STR, r.minLen!, r.maxLen!, 0, ""];
  if (r.kind === "enum") return [LIMIT_ENUM, 0, 0, 0, r.values!.slice()];
  throw new Error(`configLimits: field "${path}" has rule kind "${r.kind}"; accepted for a leaf: num, int, curve, str, enum`);
}

/**
 * The rows of every leaf of `template` (the validated pack the bundle embeds), in the order
 * firmware/configCheck.ts walks it: Object.keys order, a curve (array) is one leaf, the alarm
 * table none. Throws when a leaf has no rule in `rules`.
 */
export function configLimits(rules: Record<string, ConfigRule>, template: unknown, prefix = "", out: ConfigLimits = []): ConfigLimits {
  const t = template as Record<string, unknown>;
  for (const name of Object.keys(t)) {
    const path = prefix + name;
    const r = rules[name];
    if (r === undefined) throw new Error(`configLimits: field "${path}" has no rule in CONFIG_RULES`);
    if (r.kind === "alarms") continue;
    const v = t[name];
    if (r.kind === "obj") configLimits(r.fields!, v, path + ".", out);
    else out.push(limitRow(path, r));
  }
  return out;
}
