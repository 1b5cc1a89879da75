/**
 * The firmware's memory budget, in JsVars measured on the real interpreter (issue 16), and the
 * ESP32 pool it is set against.
 *
 * Pool. Espruino's ESP32 build sizes its variable pool at boot from the free heap
 * (`docs/espruino.md`, "Memory"): (free heap − 40 000 B) / 14 B per
 * JsVar, at most 16 383. A plain ESP32-WROOM-32 (no PSRAM) has roughly 200 kB free at that point
 * (assumption: typical `process.memory().total` on such boards is 11–12 k): ≈ 11 428 JsVars.
 * With WiFi up (its usual ≈ 55 kB of heap, an estimate) about (200 000 − 55 000 − 40 000) / 14 ≈
 * 7 500 are left: BOARD_POOL_BUDGET_JSVARS.
 *
 * Budget. The default bundle, uploaded in flash mode (`.bootcde` in Storage, as `zbms flash`
 * leaves it; its code stays in flash), must boot, sample and answer every command on a pool of
 * BOARD_POOL_BUDGET_JSVARS. test/firmware/bundleBudget.test.ts checks exactly that on the real
 * Espruino 2v29 interpreter with the ESP32's variable format (tools/espruino); `npm run
 * bench:firmware` bisects the smallest such pool and the peak on 11 428 (docs/performance.md).
 * A RAM (REPL) upload would hold the whole text in JsVars (10 characters per JsVar, measured)
 * while it is parsed: this firmware needs the flash mode.
 *
 * BUNDLE_BUDGET_BYTES is a size line only (reported by the build): the bundle's size when the
 * budget was measured, plus a margin; a bundle past it needs a new measurement, not a refusal.
 */

/** Free heap at Espruino's pool sizing on an ESP32-WROOM-32 without PSRAM (B); assumption, see above. */
export const ESP32_FREE_HEAP_AT_BOOT_B = 200_000;
/** Heap Espruino keeps back from the pool on the ESP32 (B); docs/espruino.md, "Memory". */
export const ESP32_HEAP_RESERVE_B = 40_000;
/** Bytes per JsVar on the ESP32 build (B); docs/espruino.md, "Memory". */
export const JSVAR_SIZE_B = 14;
/** Maximum JsVar count of the pool (14-bit references); docs/espruino.md, "Memory". */
export const JSVAR_POOL_MAX = 16_383;
/** Characters of string data per extension JsVar in the ESP32 format (measured: 9.9 for a 1 200-character string). */
export const CHARS_PER_JSVAR = 10;

/** Estimated JsVar pool of the target board. */
export const ESP32_JSVAR_POOL = Math.min(
  JSVAR_POOL_MAX,
  Math.floor((ESP32_FREE_HEAP_AT_BOOT_B - ESP32_HEAP_RESERVE_B) / JSVAR_SIZE_B),
);

/** Pool (JsVars) on which the default board, in flash mode, must boot, sample and answer every command (see above). */
export const BOARD_POOL_BUDGET_JSVARS = 7_500;

/** Size line of the bundle (bytes): 73.0 kB measured on 7 Dec 2026, night (smallest pool 5 634) plus ≈ 1 %; see above. */
export const BUNDLE_BUDGET_BYTES = 73_750;

/** One line: the bundle's size against the size line, and what a RAM upload would hold. */
export function describeBundleSize(sizeB: number): string {
  return `bundle ${sizeB} B (${((100 * sizeB) / BUNDLE_BUDGET_BYTES).toFixed(1)} % of the ${BUNDLE_BUDGET_BYTES} B size line); ` +
    `flash mode: the code stays in Storage; a RAM (REPL) upload would hold ≥ ${Math.ceil(sizeB / CHARS_PER_JSVAR)} JsVars of text ` +
    `(${((100 * Math.ceil(sizeB / CHARS_PER_JSVAR)) / ESP32_JSVAR_POOL).toFixed(0)} % of an ${ESP32_JSVAR_POOL}-JsVar pool) while it is parsed` +
    (sizeB > BUNDLE_BUDGET_BYTES ? ` — past the size line by ${sizeB - BUNDLE_BUDGET_BYTES} B: measure again (npm run bench:firmware)` : "");
}
