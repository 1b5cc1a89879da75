/**
 * The firmware bundle's size budget, derived from the ESP32's JsVar pool for the upload mode
 * zbms uses by default ("flash": the code is written to Storage, then run from there).
 *
 * Pool. Espruino's ESP32 build sizes its variable pool at boot from the free heap
 * (`docs/espruino.md`, "Memory"): (free heap − 40 000 B) / 14 B per
 * JsVar, at most 16 383 JsVars. A plain ESP32-WROOM-32 (no PSRAM) running Espruino has roughly
 * 200 kB of heap free at that point (assumption: typical `process.memory().total` on such
 * boards is 11–12 k), giving ≈ 11 428 JsVars.
 *
 * What the code costs (≈ 12 characters of text per 14-byte JsVar):
 *   - "flash" (default; `uploadBundle` mode "flash"): the upload holds one 1 kB chunk at a time;
 *     once loaded the functions' text costs at most size / 12 JsVars (an upper bound: when
 *     Espruino runs the text straight from memory-mapped flash, function bodies stay in flash
 *     and cost only a few JsVars each). This is the figure the budget uses.
 *   - "ram" (REPL upload, then `save()`): the one-line IIFE is held as the input line, copied
 *     as the IIFE's body, and every inner function keeps its own body: peak ≈ 3 × size / 12.
 *     Only a bundle under RAM_UPLOAD_MAX_BYTES (≈ 45.7 kB, the whole pool at the peak) can be
 *     uploaded that way at all.
 *
 * Budget. The code may take at most half of the pool (CODE_POOL_SHARE), so that at least 50 %
 * stays for the model's state, the embedded board/pack objects, telemetry strings, command
 * replies (a `set` copies the whole config) and garbage-collection slack:
 *   BUNDLE_BUDGET_BYTES = floor(0.5 × 11 428) JsVars × 12 chars = 68 568 B.
 * Of that other half, the long-lived state may take STATE_POOL_SHARE (30 %, 3 428 JsVars) and
 * TRANSIENT_POOL_SHARE (20 %) must stay free. test/firmware/bundleBudget.test.ts measures the
 * state of the booted firmware (app, model after two cycles, embedded board and pack, sensors,
 * state-slot buffer, config limits) with bench/jsVarEstimate.ts: ≈ 3 070 JsVars (27 % of the
 * pool) for esp32-ads1115 + znmno2-4s; with the code at ≈ 5 630 JsVars (67.5 kB) ≈ 24 % of the
 * pool stays free.
 * The first budget (40 000 B, from the RAM-upload peak) is out of reach: the shared model alone
 * bundles to ≈ 35.6 kB, the firmware around it (drivers, commands, persistence, config check) to
 * ≈ 27.6 kB and the embedded board, pack and limits to ≈ 4.3 kB (≈ 3.3 kB since they are embedded
 * compactly, host/build/embedCompact.ts) (`npm run build:firmware -- --analyze`, Nov 2026), so the RAM upload mode cannot hold this firmware on a real ESP32 and
 * "flash" is required.
 * The CI check (test/firmware/bundleBudget.test.ts) FAILS when the default bundle exceeds
 * BUNDLE_BUDGET_BYTES or the measured state exceeds STATE_BUDGET_JSVARS.
 */

/** Free heap at Espruino's pool sizing on an ESP32-WROOM-32 without PSRAM (B); assumption, see above. */
export const ESP32_FREE_HEAP_AT_BOOT_B = 200_000;
/** Heap Espruino keeps back from the pool on the ESP32 (B); docs/espruino.md, "Memory". */
export const ESP32_HEAP_RESERVE_B = 40_000;
/** Bytes per JsVar on the ESP32 build (B); docs/espruino.md, "Memory". */
export const JSVAR_SIZE_B = 14;
/** Maximum JsVar count of the pool (12-bit-ish references); docs/espruino.md, "Memory". */
export const JSVAR_POOL_MAX = 16_383;
/** Characters of string data held per 14-byte JsVar (string extension), approximate. */
export const CHARS_PER_JSVAR = 12;

/** Estimated JsVar pool of the target board. */
export const ESP32_JSVAR_POOL = Math.min(
  JSVAR_POOL_MAX,
  Math.floor((ESP32_FREE_HEAP_AT_BOOT_B - ESP32_HEAP_RESERVE_B) / JSVAR_SIZE_B),
);

/** Largest share of the pool the loaded code may take; the rest is for state and transients. */
export const CODE_POOL_SHARE = 0.5;
/** Largest share of the pool the model's and app's long-lived state may take. */
export const STATE_POOL_SHARE = 0.3;
/**
 * Share of the pool that must stay free with code and state loaded, for transients: a `set`
 * copies the config and its JSON text (≈ 800 JsVars, 7 %), a status reply ≈ 200, plus the
 * telemetry line being built and garbage awaiting collection.
 */
export const TRANSIENT_POOL_SHARE = 0.2;

/** Size budget of the firmware bundle (bytes), "flash" upload mode: see the derivation above. */
export const BUNDLE_BUDGET_BYTES = Math.floor(CODE_POOL_SHARE * ESP32_JSVAR_POOL) * CHARS_PER_JSVAR;
/** JsVar budget of the long-lived state (app, model, embedded board and pack), measured by the CI test. */
export const STATE_BUDGET_JSVARS = Math.floor(STATE_POOL_SHARE * ESP32_JSVAR_POOL);

/** Peak JsVars of a REPL ("ram") upload per JsVar of code (input line + IIFE body + function bodies). */
export const RAM_UPLOAD_PEAK_FACTOR = 3;
/** Largest bundle a "ram" upload can hold at its peak (bytes): the whole pool, nothing else. */
export const RAM_UPLOAD_MAX_BYTES = Math.floor(ESP32_JSVAR_POOL / RAM_UPLOAD_PEAK_FACTOR) * CHARS_PER_JSVAR;

/** JsVars a bundle of `sizeB` bytes occupies once loaded (function bodies kept as text). */
export function codeJsVars(sizeB: number): number {
  return Math.ceil(sizeB / CHARS_PER_JSVAR);
}

/** One line: size vs budget and the share of the estimated JsVar pool the code takes. */
export function describeBundleSize(sizeB: number): string {
  const vars = codeJsVars(sizeB);
  const pct = (100 * vars) / ESP32_JSVAR_POOL;
  return `bundle ${sizeB} B of ${BUNDLE_BUDGET_BYTES} B budget (${((100 * sizeB) / BUNDLE_BUDGET_BYTES).toFixed(1)} %, "flash" upload); ` +
    `≈ ${vars} JsVars once loaded, ${pct.toFixed(1)} % of an estimated ${ESP32_JSVAR_POOL}-JsVar ESP32 pool; ` +
    `a RAM (REPL) upload would peak at ≈ ${RAM_UPLOAD_PEAK_FACTOR * vars} JsVars` +
    (sizeB > RAM_UPLOAD_MAX_BYTES ? " (does not fit: use the flash mode)" : "") +
    (sizeB > BUNDLE_BUDGET_BYTES ? ` — OVER BUDGET by ${sizeB - BUNDLE_BUDGET_BYTES} B` : "");
}
