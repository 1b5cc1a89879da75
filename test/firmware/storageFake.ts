/**
 * Espruino `Storage` fake for tests: files in a Record, `write` replaces a file, and a write can
 * be torn at byte `cutAt` (power cut): the file then holds the first `cutAt` bytes of the new
 * data followed by erased flash (0xFF) up to the new length, as a partly programmed NOR area.
 */
import { crc32 } from "../../shared/telemetry/crc32";
import type { StorageLike } from "../../firmware/persistence/stateStore";

export class FakeStorage implements StorageLike {
  files: Record<string, Uint8Array> = {};
  writes = 0;
  /** When ≥ 0, the next write is torn after this many bytes, then the "power" is gone (throws). */
  cutAt = -1;
  write(name: string, data: Uint8Array | string): boolean {
    const bytes = typeof data === "string" ? Uint8Array.from(data, (c) => c.charCodeAt(0)) : new Uint8Array(data);
    this.writes++;
    if (this.cutAt >= 0) {
      const torn = new Uint8Array(bytes.length).fill(0xff);
      torn.set(bytes.subarray(0, Math.min(this.cutAt, bytes.length)));
      this.files[name] = torn;
      this.cutAt = -1;
      throw new Error("power cut");
    }
    this.files[name] = bytes;
    return true;
  }
  read(name: string): string | undefined {
    const f = this.files[name];
    return f === undefined ? undefined : String.fromCharCode.apply(null, Array.from(f));
  }
  readArrayBuffer(name: string): ArrayBuffer | undefined {
    const f = this.files[name];
    return f === undefined ? undefined : f.slice().buffer;
  }
  erase(name: string): void {
    delete this.files[name];
  }
}

/** CRC-32 of bytes through the shared string CRC (what E.CRC32 computes on the board). */
export function byteCrc(bytes: Uint8Array): number {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return crc32(s);
}
