/**
 * Espruino's `require("Storage")` on the virtual board, kept in a host file so it survives
 * power loss, reboots and restarts of the host process.
 *
 * Semantics follow Espruino's Storage library (espruino.com/Reference#Storage):
 *   - `write(name, data)` replaces the file; `write(name, data, 0, size)` creates a file of
 *     `size` bytes (unwritten bytes read 0xFF) and writes `data` at 0; `write(name, data, off)`
 *     writes into the existing file at `off` — flash bits only go 1 → 0 without an erase, so
 *     the stored byte is old AND new (Espruino writes the flash directly).
 *   - names are at most 28 characters (Espruino 2v29 `JsfFileName`).
 *   - power loss while a write is in progress (`armPowerLoss`): the old file is already gone
 *     (Espruino erases the old header first), the new one has its full size but only the first
 *     `afterBytes` bytes of its data; the rest read 0xFF. That is a torn file.
 */
import { readFileSync, existsSync } from "node:fs";
import { writeFileAtomic } from "../util/atomicWrite.mjs";

/** Longest file name Espruino 2v29 accepts (characters). */
export const STORAGE_NAME_MAX = 28;
/** ESP32 Storage area: 64 pages × 4096 B (Espruino boards/ESP32.py `saved_code`). */
export const STORAGE_PAGE_B = 4096;
export const STORAGE_PAGES = 64;
export const STORAGE_TOTAL_B = STORAGE_PAGE_B * STORAGE_PAGES;
/** Per-file header in Espruino's flash layout (size + name + flags), bytes (jsflash.h JsfFileHeader). */
export const STORAGE_HEADER_B = 32;
/** Erased flash byte. */
const ERASED = 0xff;

/** A write interrupted by power loss (thrown out of `write`; the board reboots). */
export class PowerLossDuringWrite extends Error {
  constructor(readonly fileName: string, readonly writtenB: number, readonly totalB: number) {
    super(`power lost while writing "${fileName}" (${writtenB} of ${totalB} bytes written)`);
  }
}

export interface PowerLossTrigger {
  /** Which write to interrupt, counting from 0 = the next call of `write` (default 0). */
  writeIndex?: number;
  /** Bytes of that write's data that reach flash before power goes (default half). */
  afterBytes?: number;
}

/** Wear and activity counters since the storage file was created. */
export interface StorageStats {
  writes: number;
  bytesWritten: number;
  erases: number;
  /**
   * Page erases this activity costs in the long run (fractional): Espruino appends every write
   * and compacts (erases) pages once they fill, so n bytes written (+ a header for a new file)
   * wear n / 4096 pages.
   */
  pagesWorn: number;
}

interface FileImage {
  files: Record<string, string>; // name → base64
  stats: StorageStats;
}

export class FlashStorage {
  private files = new Map<string, Uint8Array>();
  private stats: StorageStats = { writes: 0, bytesWritten: 0, erases: 0, pagesWorn: 0 };
  private trigger: { countdown: number; afterBytes?: number } | undefined;
  /** Called when an armed power loss fires (the board drops power). */
  onPowerLoss: ((e: PowerLossDuringWrite) => void) | undefined;

  /** `path`: host file holding the flash contents (JSON); undefined keeps it in memory only. */
  constructor(private readonly path?: string) {
    if (path && existsSync(path)) {
      const img = JSON.parse(readFileSync(path, "utf8")) as FileImage;
      for (const [k, v] of Object.entries(img.files)) this.files.set(k, new Uint8Array(Buffer.from(v, "base64")));
      if (img.stats) this.stats = img.stats;
    }
  }

  private persist(): void {
    if (!this.path) return;
    const img: FileImage = { files: {}, stats: this.stats };
    for (const [k, v] of this.files) img.files[k] = Buffer.from(v).toString("base64");
    writeFileAtomic(this.path, JSON.stringify(img)); // a host crash mid-write never tears the image
  }

  /** Interrupt a future write with power loss (see the file comment). */
  armPowerLoss(t: PowerLossTrigger = {}): void {
    this.trigger = { countdown: t.writeIndex ?? 0, afterBytes: t.afterBytes };
  }

  disarmPowerLoss(): void {
    this.trigger = undefined;
  }

  getStats(): StorageStats {
    return { ...this.stats };
  }

  /** Raw bytes of a file (host side, tests), or undefined. */
  bytes(name: string): Uint8Array | undefined {
    const f = this.files.get(name);
    return f ? f.slice() : undefined;
  }

  names(): string[] {
    return [...this.files.keys()];
  }

  checkName(name: unknown): string {
    if (typeof name !== "string" || name.length === 0 || name.length > STORAGE_NAME_MAX) {
      throw new Error(`Storage: file name ${JSON.stringify(name)} invalid; accepted: a string of 1…${STORAGE_NAME_MAX} characters`);
    }
    return name;
  }

  used(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.length + STORAGE_HEADER_B;
    return n;
  }

  read(name: string): Uint8Array | undefined {
    return this.files.get(name);
  }

  erase(name: string): void {
    if (this.files.delete(name)) {
      this.stats.erases++;
      this.persist();
    }
  }

  eraseAll(): void {
    this.files.clear();
    this.stats.erases++;
    this.persist();
  }

  /**
   * Espruino's write. `data` already converted to bytes. Returns true; throws an Error naming
   * the problem for a bad offset/size, or PowerLossDuringWrite when an armed power loss fires.
   */
  write(name: string, data: Uint8Array, offset: number | undefined, size: number | undefined): boolean {
    this.checkName(name);
    const off = offset === undefined || offset === null ? 0 : Number(offset);
    if (!(off >= 0) || Math.floor(off) !== off) throw new Error(`Storage.write: offset ${offset} invalid; accepted: an integer ≥ 0`);
    let target: Uint8Array;
    let replacing: boolean;
    if (off === 0) {
      const total = size === undefined || size === null ? data.length : Number(size);
      if (!(total >= data.length)) throw new Error(`Storage.write: size ${size} is smaller than the data (${data.length} B)`);
      target = new Uint8Array(total).fill(ERASED);
      replacing = true;
    } else {
      const existing = this.files.get(name);
      if (!existing) throw new Error(`Storage.write: "${name}" does not exist; write at offset 0 with a size first`);
      if (off + data.length > existing.length) {
        throw new Error(`Storage.write: ${data.length} B at offset ${off} does not fit in "${name}" (${existing.length} B)`);
      }
      target = existing;
      replacing = false;
    }
    const oldB = this.files.has(name) ? this.files.get(name)!.length + STORAGE_HEADER_B : 0;
    if (replacing && this.used() - oldB + target.length + STORAGE_HEADER_B > STORAGE_TOTAL_B) {
      throw new Error(`Storage.write: not enough space for "${name}" (${target.length} B)`);
    }
    let cutAt = data.length;
    let fire = false;
    if (this.trigger) {
      if (this.trigger.countdown === 0) {
        fire = true;
        cutAt = Math.max(0, Math.min(data.length, this.trigger.afterBytes ?? Math.floor(data.length / 2)));
        this.trigger = undefined;
      } else {
        this.trigger.countdown--;
      }
    }
    if (replacing) this.files.set(name, target); // old copy is gone from here on
    for (let i = 0; i < cutAt; i++) target[off + i] = replacing ? data[i]! : target[off + i]! & data[i]!;
    this.stats.writes++;
    this.stats.bytesWritten += cutAt;
    this.stats.pagesWorn += (cutAt + (replacing ? STORAGE_HEADER_B : 0)) / STORAGE_PAGE_B;
    this.persist();
    if (fire) {
      const e = new PowerLossDuringWrite(name, cutAt, data.length);
      if (this.onPowerLoss) this.onPowerLoss(e);
      throw e;
    }
    return true;
  }
}
