/**
 * Standard CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as Espruino's `E.CRC32` ([README]:
 * E.CRC32("hello") = 907060870): Node's own zlib.crc32 (Node ≥ 20.15).
 */
import { crc32 as zlibCrc32 } from "node:zlib";

export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes);
}
