import { describe, expect, it } from "vitest";
import { assembleNumericRows } from "../../../host/import/wasm/build";
import { NUMERIC_ROWS_WASM_BASE64 } from "../../../host/import/wasm/numericRowsWasm";

describe("host/import/wasm/numericRowsWasm.ts (generated)", () => {
  it("holds the bytes numericRows.wat assembles to", async () => {
    const want = Buffer.from(await assembleNumericRows());
    const committed = Buffer.from(NUMERIC_ROWS_WASM_BASE64, "base64");
    expect(
      committed.equals(want),
      "host/import/wasm/numericRowsWasm.ts is stale (numericRows.wat changed since it was generated): run `npm run build:wasm` and commit the result",
    ).toBe(true);
  });
});
