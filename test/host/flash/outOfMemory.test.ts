import { describe, expect, it } from "vitest";
import { outOfMemoryLine } from "../../../host/flash/espruinoTools";

// Lines as the real Espruino 2v29 printed them (test/realEspruino: a 67 kB bundle on small pools).
describe("outOfMemoryLine: what espruino-tools' 'Upload Complete' hides", () => {
  it("finds Espruino's out-of-memory messages", () => {
    expect(outOfMemoryLine("Upload Complete\r\nOUT OF MEMORY    at [raw] (:106:67757)\r\n>")).toBe("OUT OF MEMORY    at [raw] (:106:67757)");
    expect(outOfMemoryLine(">\x1b[JNew interpreter error: LOW_MEMORY,MEMORY\r\n")).toBe("New interpreter error: LOW_MEMORY,MEMORY");
  });
  it("a forced garbage collection alone (LOW_MEMORY) and normal output are not out of memory", () => {
    expect(outOfMemoryLine("New interpreter error: LOW_MEMORY\r\n")).toBeNull();
    expect(outOfMemoryLine('#Z1,3,Y,status,{"mem":{"free":9012%2c"usage":7372}}*8dfd0a15\r\n')).toBeNull();
  });
});
