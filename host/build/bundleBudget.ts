/**
 * The firmware bundle's size budget, derived from the ESP32's JsVar pool.
 *
 * Espruino's ESP32 build sizes its variable pool at boot from the free heap
 * (`../shared/espruino/README.md`, "Memory and speed"): (free heap − 40 000 B) / 14 B per JsVar,
 * at most 16 383 JsVars. A plain ESP32-WROOM-32 (no PSRAM) running Espruino has roughly
 * 200 kB of heap free at that point (assumption: typical `process.memory()` on such boards
 * reports 11–12 k JsVars total), giving ≈ 11 400 JsVars.
 *
 * Code uploaded over the REPL lives in RAM: while the single top-level statement of a minified
 * IIFE bundle is being parsed, the whole text is held as a string (≈ 12 characters per 14-byte
 * JsVar), and every function then keeps its own copy of its body text. Peak cost ≈ 2 × size / 12
 * JsVars. With 40 000 B that is ≈ 6 700 JsVars at upload time and ≈ 3 300 afterwards (≈ 29 % of
 * the pool), leaving the model's state, telemetry strings and Storage buffers ≥ 8 000 JsVars.
 * Code saved to Storage (`.bootcde`) and run from flash costs less, so the budget holds for both.
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

/**
 * JsVars the firmware needs beyond its code at run time (model state, telemetry strings,
 * Storage buffers, Espruino's own): assumption, checked against `process.memory()` on the
 * virtual board (≈ 1 300 JsVars of non-code use measured there for the 4S pack).
 */
export const RUNTIME_RESERVE_JSVARS = 2_000;

/**
 * Hard ceiling (bytes): above it, the code's peak during a REPL upload (≈ 2 × size / 12 JsVars)
 * plus the run-time reserve no longer fits the estimated pool at all. The CI check fails above
 * it; between the budget and the ceiling it passes and says the bundle is over budget.
 */
export const BUNDLE_HARD_CEILING_BYTES = Math.floor(((ESP32_JSVAR_POOL - RUNTIME_RESERVE_JSVARS) * CHARS_PER_JSVAR) / 2);

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
    `peak during upload ≈ ${2 * vars}`;
}
