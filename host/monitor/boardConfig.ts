/**
 * The pack config a board runs, as a raw log carries it (docs/protocol.md, "The pack config in
 * a raw log"): the monitor asks the board `zbms("config#zbms-monitor-config")` when it opens
 * the port and after every boot; the board's `reply` line (`{"config":{…}}`, numbers with 9
 * significant digits) lands in the raw log verbatim, and the monitor writes a copy beside the
 * log (`<stem>.pack.json`). `zbms analyze` replays the log with that config.
 *
 * The config hash names a config independently of key order and of digits beyond the wire's
 * 9 significant ones: the first 16 hex digits of SHA-256 over its canonical text (keys sorted,
 * numbers as the telemetry encoder prints them). A config file and the log's copy of it have
 * the same hash.
 */
import { createHash } from "node:crypto";
import type { PackConfig } from "../../shared/config/packConfig";
import { validateConfig } from "../../shared/config/validateConfig";
import { encodeSig, SIG_DIGITS } from "../../shared/telemetry/fieldText";
import { replLine } from "../serial/replCommand";

/** Command id of the monitor's config request: its reply is the config line of a raw log. */
export const CONFIG_REPLY_ID = "zbms-monitor-config";
/** Hex digits of SHA-256 kept as the config hash (as the bundle hash, host/bundle/bundleHash.ts). */
export const CONFIG_HASH_HEX_DIGITS = 16;
/** Differences listed in a mismatch message before "…". */
const MAX_LISTED_DIFFERENCES = 8;

/** The bytes the monitor sends to ask the board for its config. */
export function configRequest(): string {
  return replLine(`zbms("config#${CONFIG_REPLY_ID}")`);
}

/** A number as the wire has it (9 significant digits), back as a number. */
function wireNumber(x: number): number {
  return Number.isFinite(x) ? Number(encodeSig(x, SIG_DIGITS)) : x;
}

/** Canonical text: sorted keys, numbers through the telemetry encoder. */
export function canonicalConfigText(v: unknown): string {
  if (typeof v === "number") return Number.isFinite(v) ? encodeSig(v, SIG_DIGITS) : "null";
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return "[" + v.map(canonicalConfigText).join(",") + "]";
  const o = v as Record<string, unknown>;
  return "{" + Object.keys(o).sort().map((k) => JSON.stringify(k) + ":" + canonicalConfigText(o[k])).join(",") + "}";
}

/** The config hash (see the file comment). */
export function configHash(cfg: PackConfig): string {
  return createHash("sha256").update(canonicalConfigText(cfg), "utf8").digest("hex").slice(0, CONFIG_HASH_HEX_DIGITS);
}

/** The board's config from a `config` reply payload (validated); throws naming the problem. */
export function parseConfigReply(payload: string): PackConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch (e) {
    throw new Error(`the board's config reply is not JSON (${(e as Error).message}): ${JSON.stringify(payload.slice(0, 80))}`);
  }
  const cfg = parsed !== null && typeof parsed === "object" ? (parsed as { config?: unknown }).config : undefined;
  if (cfg === undefined) throw new Error(`the board's config reply has no "config" field: ${JSON.stringify(payload.slice(0, 80))}`);
  return validateConfig(cfg);
}

/** `<dir>/<stem>.raw.log` → `<dir>/<stem>.pack.json` (the monitor's copy of the board's config). */
export function configCopyPath(rawLogPath: string): string {
  return rawLogPath.replace(/(\.raw)?\.log$/, "") + ".pack.json";
}

function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (typeof a === "number" && typeof b === "number") {
    if (!Object.is(wireNumber(a), wireNumber(b))) out.push(`${path}: ${a} vs ${b}`);
    return;
  }
  const ao = a !== null && typeof a === "object";
  const bo = b !== null && typeof b === "object";
  if (!ao || !bo || Array.isArray(a) !== Array.isArray(b)) {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path}: ${JSON.stringify(a) ?? "missing"} vs ${JSON.stringify(b) ?? "missing"}`);
    return;
  }
  const keys = Array.from(new Set([...Object.keys(a as object), ...Object.keys(b as object)])).sort();
  for (const k of keys) diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
}

/**
 * Fields where two configs differ beyond the wire's 9 significant digits, as
 * "path: a vs b" lines (at most MAX_LISTED_DIFFERENCES, then a count); empty when they agree.
 */
export function configDifferences(a: PackConfig, b: PackConfig): string[] {
  const out: string[] = [];
  diff(a, b, "", out);
  if (out.length > MAX_LISTED_DIFFERENCES) return [...out.slice(0, MAX_LISTED_DIFFERENCES), `… and ${out.length - MAX_LISTED_DIFFERENCES} more`];
  return out;
}
