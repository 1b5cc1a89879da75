/**
 * Type declaration of the virtual module `zbms-build`, which the firmware build
 * (`host/bundle/buildFirmware.ts`, esbuild plugin) creates for every bundle.
 *
 * To firmware authors (H5b): `import { BOARD, PACK, BUILD, REPLAY_SAMPLES } from "zbms-build";`
 * in `firmware/main.ts` and `firmware/replayMain.ts`. The values are embedded at build time:
 *   - BOARD: the board file `hardware/boards/<name>.json`, checked with `validateBoard`
 *     (for `--board replay`, the default board `esp32-ads1115`; the replay entry ignores it).
 *   - PACK(): the pack file, checked with `validateConfig` (shared/config/validateConfig.ts).
 *   - BUILD: identity of this bundle, see `BuildInfo`.
 *   - REPLAY_SAMPLES: only non-empty in a replay build (`--board replay --samples F.jsonl`).
 * Espruino modules: write `require("Storage")` (Espruino's global `require`; declare it in
 * firmware/) or `import Storage from "Storage"`; both become `require("Storage")` in the bundle.
 * Only `Storage` and `ESP32` may be required.
 */
declare module "zbms-build" {
  /** Identity of one bundle; the firmware reports it in its identity telemetry line. */
  export interface BuildInfo {
    /** zbms version (package.json `version`). */
    version: string;
    /**
     * First 16 hex digits of SHA-256 over the bundle text in which this very string is
     * replaced by the placeholder `BUNDLE_HASH_PLACEHOLDER` ("0zbms0hash0here0"). The host checks a
     * board against a file with `verifyBundleHash(fileText, reportedHash)` (host/bundle/bundleHash.ts).
     */
    hash: string;
    /** Board id the bundle was built for ("replay" for a replay build). */
    board: string;
    /** Pack config name (`PACK.name`). */
    pack: string;
  }
  export const BOARD: import("../../shared/config/boardDef").BoardDef;
  /**
   * The pack config, a new object per call: the firmware calls it once for the live config (or,
   * with a stored config, once at boot as the shape template of the check), so the board never
   * holds the embedded pack beside a stored one.
   */
  export function PACK(): import("../../shared/config/packConfig").PackConfig;
  export const BUILD: BuildInfo;
  /** Replay builds: the samples, NaN where the JSONL had null; empty array otherwise. */
  export const REPLAY_SAMPLES: import("../../shared/sample").Sample[];
  /**
   * Compact accepted ranges of every config field, generated from validateConfig's
   * `CONFIG_RULES` (host/bundle/configLimits.ts); firmware/configCheck.ts checks with them.
   * A function making them per call: the board does not hold them between checks.
   */
  export function CONFIG_LIMITS(): import("../../firmware/configCheck").ConfigLimits;
}
