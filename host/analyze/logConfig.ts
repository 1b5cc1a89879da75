/**
 * Which pack config `zbms analyze` replays a raw log with: the one the log carries
 * (host/monitor/boardConfig.ts: the board's reply to the monitor's `config` request), else the
 * monitor's copy beside the log, else `--config`, else one fitted to the data. A `--config`
 * that differs from the log's config is refused, naming the fields.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { basename } from "node:path";
import type { PackConfig } from "../../shared/config/packConfig";
import { validateConfig } from "../../shared/config/validateConfig";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import { configCopyPath, configDifferences, configHash, CONFIG_REPLY_ID, parseConfigReply } from "../monitor/boardConfig";

/** Bytes read per step while scanning a log for config lines. */
const SCAN_CHUNK_B = 4 * 1024 * 1024;
const NL = 0x0a;

export interface LogConfig {
  config: PackConfig;
  hash: string;
  /** Where it came from, for the report: "the log" or "file <name>". */
  source: string;
  /** Hashes of every distinct config in the log, in order (more than one: it changed). */
  hashes: string[];
}

/** Valid config replies in a raw log, in order (lines that fail their CRC or validation are skipped). */
export function scanLogConfigs(path: string): PackConfig[] {
  const marker = Buffer.from(`,Y,${CONFIG_REPLY_ID},`, "latin1");
  const out: PackConfig[] = [];
  const fd = openSync(path, "r");
  try {
    let carry = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(SCAN_CHUNK_B);
    for (;;) {
      const n = readSync(fd, chunk, 0, SCAN_CHUNK_B, null);
      const buf = n > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : carry;
      const end = n > 0 ? buf.lastIndexOf(NL) + 1 : buf.length;
      let at = buf.indexOf(marker);
      while (at >= 0 && at < end) {
        const start = buf.lastIndexOf(NL, at) + 1;
        const stop = buf.indexOf(NL, at);
        const line = buf.toString("latin1", start, stop < 0 ? buf.length : stop).replace(/\r$/, "");
        const d = decodeLine(line);
        if (d.ok && d.record.type === "reply" && d.record.id === CONFIG_REPLY_ID) {
          try {
            out.push(parseConfigReply(d.record.payload));
          } catch {
            // a reply that does not validate: the monitor noted it (configRejected)
          }
        }
        at = buf.indexOf(marker, stop < 0 ? buf.length : stop);
      }
      if (n <= 0) break;
      carry = Buffer.from(buf.subarray(end));
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** The config a raw log was recorded with (see the file comment), or null when it carries none. */
export function logConfig(path: string): LogConfig | null {
  const found = scanLogConfigs(path);
  if (found.length > 0) {
    const hashes: string[] = [];
    for (const c of found) {
      const h = configHash(c);
      if (hashes.indexOf(h) < 0) hashes.push(h);
    }
    return { config: found[0], hash: hashes[0], source: "the log", hashes };
  }
  const copy = configCopyPath(path);
  if (!existsSync(copy)) return null;
  const config = validateConfig(JSON.parse(readFileSync(copy, "utf8")));
  const hash = configHash(config);
  return { config, hash, source: `file ${basename(copy)}`, hashes: [hash] };
}

/** Thrown when `--config` contradicts the config a log carries. */
export class ConfigMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigMismatchError";
  }
}

export interface ChosenConfig {
  /** The config to replay with (before command-line overrides); null = fit one to the data. */
  base: PackConfig | null;
  /** One line for the report and the terminal: where the config came from and its hash. */
  sourceLine: string;
  notes: string[];
}

/**
 * Pick the replay's base config from `--config` (`given`) and the log's (`fromLog`); throws
 * ConfigMismatchError when both exist and differ beyond the wire's 9 significant digits.
 */
export function chooseConfig(given: PackConfig | undefined, fromLog: LogConfig | null, logName: string): ChosenConfig {
  const notes: string[] = [];
  if (fromLog && fromLog.hashes.length > 1) {
    notes.push(`the log holds ${fromLog.hashes.length} different pack configs (hashes ${fromLog.hashes.join(", ")}): the board's config changed during the run; replayed with the first`);
  }
  if (given && fromLog) {
    const d = configDifferences(fromLog.config, given);
    if (d.length > 0) {
      throw new ConfigMismatchError(
        `--config "${given.name}" (hash ${configHash(given)}) contradicts the pack config ${logName} was recorded with ` +
          `("${fromLog.config.name}", hash ${fromLog.hash}, from ${fromLog.source}); log vs --config: ${d.join("; ")}. ` +
          `Leave out --config to replay with the log's config.`,
      );
    }
    return { base: given, sourceLine: `config: --config "${given.name}", hash ${configHash(given)}, the same as the log's (from ${fromLog.source})`, notes };
  }
  if (fromLog) return { base: fromLog.config, sourceLine: `config: from ${fromLog.source} ("${fromLog.config.name}"), hash ${fromLog.hash}`, notes };
  if (given) return { base: given, sourceLine: `config: --config "${given.name}", hash ${configHash(given)}`, notes };
  return { base: null, sourceLine: "config: fitted to the data", notes };
}
