/**
 * The part of the WebAssembly JS API that the host's hand-written modules use (numericRows.ts for
 * the BDF parse, host/analyze/wasm/rowColumnsWasmColumnizer.ts for the replay's pass 1): the
 * project's TypeScript libs declare none of it, so it is declared here once.
 */

/** An exported global, read through `.value`. */
export interface WasmGlobal {
  value: number;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}

/** Bytes per WebAssembly memory page (the WebAssembly spec's fixed page size). */
export const WASM_PAGE_BYTES = 65536;

/** The runtime's WebAssembly API, or undefined where there is none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}
