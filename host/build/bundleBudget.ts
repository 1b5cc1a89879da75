/**
 * The firmware bundle's size budget, derived from the ESP32's JsVar pool.
 *
 * Espruino's ESP32 build sizes its variable pool at boot from the free heap
 * (`../shared/espruino/README.md`, "Memory and speed"): (free heap − 40 000 B) / 14 B per JsVar,
 * at most 16 383 JsVars. A plain ESP32-WROOM-32 (no PSRAM) running Espruino has roughly
 * 200 kB of heap free at that point (assumption: typical `process.memory().total` on such
 * boards is 11–12 k), giving ≈ 11 400 JsVars.
 *
 * Where code lives decides what it costs (≈ 12 characters of text per 14-byte JsVar):
 *   - uploaded to RAM through the REPL (`uploadBundle` mode "ram"): the one-line IIFE is held
 *     as the input line, copied as the IIFE's body, and every inner function keeps its own body:
 *     peak ≈ 3 × size / 12 JsVars, steady ≈ size / 12. At 40 000 B: peak ≈ 10 000 of 11 400 —
 *     the very edge; above it the upload itself runs out of memory.
 *   - written to Storage (`.bootcde`, mode "flash", the default): the upload holds one 1 kB
 *     chunk at a time; at boot the functions are built from the stored text: steady ≈ size / 12
 *     JsVars (≈ 29 % of the pool at 40 000 B), leaving ≥ 8 000 JsVars for state and telemetry.
 * 40 000 B is therefore the budget: the size at which even a RAM upload still fits and the code
 * takes under a third of the pool. The CI check prints the size against it.
 */

/** Free heap at Espruino's pool sizing on an ESP32-WROOM-32 without PSRAM (B); assumption, see above. */
export const ESP32_FREE_HEAP_AT_BOOT_B = 200_000;
/** Heap Espruino keeps back from the pool on the ESP32 (B); Espruino notes, "Memory and speed". */
export const ESP32_HEAP_RESERVE_B = 40_000;
/** Bytes per JsVar on the ESP32 build (B); Espruino notes, "Memory and speed". */
export const JSVAR_SIZE_B = 14;
/** Maximum JsVar count of the pool (12-bit-ish references); Espruino notes, "Memory and speed". */
export const JSVAR_POOL_MAX = 16_383;
/** Characters of string data held per 14-byte JsVar (string extension), approximate. */
export const CHARS_PER_JSVAR = 12;

/** Estimated JsVar pool of the target board. */
export const ESP32_JSVAR_POOL = Math.min(
  JSVAR_POOL_MAX,
  Math.floor((ESP32_FREE_HEAP_AT_BOOT_B - ESP32_HEAP_RESERVE_B) / JSVAR_SIZE_B),
);

/** Size budget of the firmware bundle (bytes): see the derivation above. */
export const BUNDLE_BUDGET_BYTES = 40_000;

/** Peak JsVars of a REPL ("ram") upload per JsVar of code (input line + IIFE body + function bodies). */
export const RAM_UPLOAD_PEAK_FACTOR = 3;

/** JsVars a bundle of `sizeB` bytes occupies once loaded (function bodies kept as text). */
export function codeJsVars(sizeB: number): number {
  return Math.ceil(sizeB / CHARS_PER_JSVAR);
}

/** One line: size vs budget and the share of the estimated JsVar pool the code takes. */
export function describeBundleSize(sizeB: number): string {
  const vars = codeJsVars(sizeB);
  const pct = (100 * vars) / ESP32_JSVAR_POOL;
  return `bundle ${sizeB} B of ${BUNDLE_BUDGET_BYTES} B budget (${((100 * sizeB) / BUNDLE_BUDGET_BYTES).toFixed(1)} %); ` +
    `≈ ${vars} JsVars once loaded, ${pct.toFixed(1)} % of an estimated ${ESP32_JSVAR_POOL}-JsVar ESP32 pool; ` +
    `peak during a RAM (REPL) upload ≈ ${RAM_UPLOAD_PEAK_FACTOR * vars} JsVars` +
    (sizeB > BUNDLE_BUDGET_BYTES ? ` — OVER BUDGET by ${sizeB - BUNDLE_BUDGET_BYTES} B` : "");
}
