/**
 * Espruino `Storage` fake for tests: files in a Record. `write(name, data)` replaces a file;
 * `write(name, data, 0, size)` makes a file of `size` bytes (the rest erased, 0xFF) holding `data`;
 * `write(name, data, offset)` programs bytes of an existing file (NOR flash: old AND new). A power
 * cut (`cutAt`) lets that many more bytes reach flash, over one write or several, then throws:
 * the file holds what was written, the rest erased, as a partly programmed NOR area.
 */
import { crc32 } from "../../shared/telemetry/crc32";
import type { StorageLike } from "../../firmware/persistence/stateStore";

export class FakeStorage implements StorageLike {
  files: Record<string, Uint8Array> = {};
  writes = 0;
  /** When ≥ 0, the writes from now on reach flash for this many bytes in all, then the "power" is gone (throws). */
  cutAt = -1;
  write(name: string, data: Uint8Array | string, offset?: number, size?: number): boolean {
    const bytes = typeof data === "string" ? Uint8Array.from(data, (c) => c.charCodeAt(0)) : new Uint8Array(data);
    const off = offset === undefined ? 0 : offset;
    this.writes++;
    let file = this.files[name];
    if (off === 0) {
      file = new Uint8Array(size === undefined ? bytes.length : size).fill(0xff);
      this.files[name] = file;
    }
    if (file === undefined || off + bytes.length > file.length) throw new Error("write of " + bytes.length + " B at " + off + " does not fit " + name);
    const n = this.cutAt >= 0 ? Math.min(this.cutAt, bytes.length) : bytes.length;
    for (let i = 0; i < n; i++) file[off + i] &= bytes[i];
    if (this.cutAt >= 0) {
      this.cutAt -= n;
      if (this.cutAt === 0 || n < bytes.length) {
        this.cutAt = -1;
        throw new Error("power cut");
      }
    }
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
