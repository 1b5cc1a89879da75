/**
 * Build-time generation of the firmware's compact config limits (`CONFIG_LIMITS` of the virtual
 * module `zbms-build`) from the shared validator's own rule table, `CONFIG_RULES`
 * (shared/config/validateConfig.ts), so that the board checks a `set` against the same ranges
 * without carrying the validator (firmware/configCheck.ts).
 *
 * `configLimits(rules): ConfigLimits` — one row per leaf field, keyed by its dotted path:
 * num/int/curve → [kind, min, max, openFlags, unit]; str → [LIMIT_STR, minLen, maxLen, 0, ""];
 * enum → [LIMIT_ENUM, 0, 0, 0, values]. The alarm table has no row (the board runs the shared
 * `checkAlarmTable`). Units are written in ASCII (the ESP32 build has no Unicode).
 */
import {
  LIMIT_CURVE, LIMIT_ENUM, LIMIT_INT, LIMIT_MAX_OPEN, LIMIT_MIN_OPEN, LIMIT_NUM, LIMIT_STR,
  type ConfigLimits,
} from "../../firmware/configCheck.js";

/** The part of shared/config/validateConfig.ts `ConfigRule` this generator reads. */
export interface RuleLike {
  kind: string;
  min?: number;
  max?: number;
  minOpen?: boolean;
  maxOpen?: boolean;
  unit?: string;
  minLen?: number;
  maxLen?: number;
  values?: string[];
  fields?: Record<string, RuleLike>;
}

/** Non-ASCII unit text → ASCII (the ESP32 build counts bytes, and esbuild would escape them). */
function asciiUnit(u: string | undefined): string {
  return (u ?? "").replace(/²/g, "2").replace(/µ/g, "u").replace(/[^\x20-\x7e]/g, "?");
}

/** Compact limits of every leaf of `rules`; throws on a rule kind it does not know. */
export function configLimits(rules: Record<string, RuleLike>, prefix = "", out: ConfigLimits = {}): ConfigLimits {
  for (const name of Object.keys(rules)) {
    const r = rules[name]!;
    const path = prefix + name;
    const flags = (r.minOpen ? LIMIT_MIN_OPEN : 0) | (r.maxOpen ? LIMIT_MAX_OPEN : 0);
    if (r.kind === "num" || r.kind === "int" || r.kind === "curve") {
      const kind = r.kind === "num" ? LIMIT_NUM : r.kind === "int" ? LIMIT_INT : LIMIT_CURVE;
      out[path] = [kind, r.min!, r.max!, flags, asciiUnit(r.unit)];
    } else if (r.kind === "str") out[path] = [LIMIT_STR, r.minLen!, r.maxLen!, 0, ""];
    else if (r.kind === "enum") out[path] = [LIMIT_ENUM, 0, 0, 0, r.values!.slice()];
    else if (r.kind === "obj") configLimits(r.fields!, path + ".", out);
    else if (r.kind !== "alarms") throw new Error(`configLimits: rule "${path}" has kind "${r.kind}"; accepted: num, int, curve, str, enum, obj, alarms`);
  }
  return out;
}
