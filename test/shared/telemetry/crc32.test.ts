import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { crc32, crc32Hex, crcToHex } from "../../../shared/telemetry/crc32";

describe("crc32", () => {
  it("standard check values: '123456789' → CBF43926, 'hello' → 907060870 (Espruino E.CRC32)", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
    expect(crc32("hello")).toBe(907060870);
    expect(crc32("")).toBe(0);
    expect(crc32Hex("123456789")).toBe("cbf43926");
  });
  it("hex is 8 lowercase digits, also for a signed input from E.CRC32", () => {
    expect(crcToHex(0x1)).toBe("00000001");
    expect(crcToHex(-1)).toBe("ffffffff");
    expect(crcToHex(0xcbf43926 - 4294967296)).toBe("cbf43926");
  });
  it("agrees with zlib's crc32 on arbitrary byte strings", async () => {
    const zlib = await import("node:zlib");
    if (typeof (zlib as { crc32?: unknown }).crc32 !== "function") return; // Node < 20.15 has no zlib.crc32
    const z = (zlib as unknown as { crc32: (b: Buffer) => number }).crc32;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const s = String.fromCharCode(...bytes);
        expect(crc32(s)).toBe(z(Buffer.from(bytes)));
      }),
    );
  });
});
