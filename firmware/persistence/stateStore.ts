/**
 * Persistent state in Espruino's Storage, written so a power cut at any instant leaves a
 * readable good copy: two files ("slots") written alternately, each one complete record
 *
 *   u32 magic "ZBS1" | u32 layout version | u32 sequence | u32 payload doubles
 *   u32 config CRC   | u32 0 (pad)        | f64 savedAtS (board clock, s)
 *   f64 × n payload (PackModel.snapshot() followed by the firmware's counters)
 *   u32 CRC-32 of every byte before it | u32 0 (pad)
 *
 * A torn write damages only the slot being written; `load` takes the valid slot with the
 * highest sequence number, so it returns either the new copy or the previous one, never a
 * mixture. `configCrc` ties a copy to the configuration it was made with (a snapshot of a
 * 4-cell model cannot be restored into a 2-cell one; the boot line then says why).
 *
 * Flash-wear budget (see `flashWear`): each save appends one file of `recordBytes(n)` +
 * STORAGE_FILE_HEADER_B bytes to Storage's log-structured area, which erases a page only when
 * it compacts a full area. Erase cycles per page per day = bytes written per day / area size.
 * The ESP32 modules' SPI NOR flash (e.g. Winbond W25Q32JV in ESP32-WROOM-32: "minimum
 * 100K program-erase cycles per sector", data sheet §1 Features) then lasts
 * FLASH_ERASE_CYCLES / (erases per day) days. With ~3.7 kB records (znmno2-4s, firmware/README.md)
 * every 300 s plus a few cycle ends a day this is a few erases/page/day: decades (the test prints
 * the figure).
 */
import { S_PER_DAY } from "../../shared/units";

/** "ZBS1" as a little-endian u32: marks a zbms state record. */
export const STATE_MAGIC = 0x3153425a;
/** Record layout version; bump when the header changes. */
export const STATE_LAYOUT_VERSION = 1;
/** Header bytes before the payload (6 × u32 + 1 × f64). */
export const STATE_HEADER_B = 32;
/** Trailer bytes (u32 CRC + u32 pad, keeps the record a multiple of 8 bytes). */
export const STATE_TRAILER_B = 8;
/** Bytes per payload double. */
const F64_B = 8;
/** Bytes per u32. */
const U32_B = 4;
/** Storage file names of the two slots. */
export const SLOT_NAMES = ["zbms.st0", "zbms.st1"];
/** Espruino Storage's per-file header (bytes): size, flags, name (Espruino src/jsflash.h JsfFileHeader, 2v2x). */
export const STORAGE_FILE_HEADER_B = 32;
/** Storage area of Espruino's ESP32 build (bytes): 64 pages × 4 kB ("saved_code" in boards/ESP32.py); `require("Storage").getFree()` shows the real figure. */
export const ESP32_STORAGE_AREA_B = 262144;
/** Program/erase endurance of the module's SPI NOR flash per sector (Winbond W25Q32JV data sheet §1: min 100 000). */
export const FLASH_ERASE_CYCLES = 100000;

/** Espruino's Storage module, the calls used here (espruino.com/Reference#Storage). */
export interface StorageLike {
  /** Whole file, or with `offset` > 0 into an existing file; `size` at offset 0 makes a file that long (the rest reads 0xFF). */
  write(name: string, data: Uint8Array | string, offset?: number, size?: number): boolean;
  /** A file as a string (Espruino: undefined when absent). */
  read(name: string): string | undefined;
  readArrayBuffer(name: string): ArrayBuffer | undefined;
  erase(name: string): void;
}

/** CRC-32 of bytes (Espruino: `E.CRC32(u8)`; standard CRC-32, same as shared/telemetry/crc32). */
export type ByteCrc = (bytes: Uint8Array) => number;

export interface StateStore {
  storage: StorageLike;
  crc: ByteCrc;
  /** Payload length (doubles) this firmware writes and accepts. */
  payloadDoubles: number;
  /** CRC of the configuration the payload belongs to. */
  configCrc: number;
  /** Sequence number of the last record written or loaded (0 = none yet). */
  seq: number;
  /** Saves since boot, failed saves since boot. */
  saves: number;
  failedSaves: number;
}

/** One valid copy found by `load`. */
export interface LoadedState {
  seq: number;
  savedAtS: number;
  /** Which slot it came from (0 or 1). */
  slot: number;
  payload: Float64Array;
}

/** Result of `load`: the newest valid copy, or null and why. */
export interface LoadResult {
  state: LoadedState | null;
  /** "ok", or why nothing usable was found, per slot, e.g. "slot0: bad crc; slot1: none". */
  reason: string;
}

/** Index (in f64 words) of `savedAtS`, the header's last field; the payload follows it. */
const SAVED_AT_F64 = STATE_HEADER_B / F64_B - 1;

/** Total bytes of one record with `payloadDoubles` doubles. */
export function recordBytes(payloadDoubles: number): number {
  return STATE_HEADER_B + payloadDoubles * F64_B + STATE_TRAILER_B;
}

export function createStateStore(storage: StorageLike, crc: ByteCrc, payloadDoubles: number, configCrc: number): StateStore {
  return {
    storage: storage,
    crc: crc,
    payloadDoubles: payloadDoubles,
    configCrc: configCrc >>> 0,
    seq: 0,
    saves: 0,
    failedSaves: 0,
  };
}

/**
 * Doubles per chunk of a record written to Storage: a save holds one chunk (≈ 10 JsVars on the
 * ESP32) instead of the whole ≈ 3.7 kB record (≈ 310 JsVars), and writes it in ≈ 30 parts with
 * `Storage.write(name, part, offset, size)` (docs/performance.md, "Peak memory", 2026-12-07 night
 * and 2026-12-08: 32 → 16 doubles cut a save's peak by ≈ 19 JsVars).
 */
export const CHUNK_DOUBLES = 16;
/** Bytes per chunk (tests cut power at a given byte of a record: chunk = byte / RECORD_CHUNK_B). */
export const RECORD_CHUNK_B = CHUNK_DOUBLES * F64_B;
/** Byte offset of the chunk in the writer's buffer; bytes 4–7 before it carry the CRC (`crcCarry`). */
const CHUNK_AT_B = 8;

/**
 * One save in progress (`beginRecord` … `putDouble` / writeState with `writeChunk` … `endRecord`): the
 * record is written chunk by chunk into the slot file; its CRC is carried from chunk to chunk.
 * A failed or torn part leaves the file without its trailer (0xFF), which `load` refuses.
 */
export interface RecordWriter {
  st: StateStore;
  seq: number;
  /** CHUNK_AT_B + RECORD_CHUNK_B bytes. */
  buf: ArrayBuffer;
  u32: Uint32Array;
  /** The chunk: doubles from CHUNK_AT_B of `buf`. */
  f64: Float64Array;
  /** Doubles in `f64` not written yet. */
  n: number;
  /** Bytes of the record written so far. */
  at: number;
  /** CRC-32 of those bytes. */
  crc: number;
  ok: boolean;
}

/** CRC-32 polynomial, reflected (the standard CRC-32 that E.CRC32 computes). */
const CRC_POLY = 0xedb88320;

/**
 * The 4 bytes (a little-endian u32) that, CRC'd first, leave the CRC register where `crcSoFar`
 * left it, so `crc(those 4 bytes ++ next bytes)` = the CRC of everything so far and the next bytes:
 * E.CRC32 has no start value. 4 bytes XORed into the register then 32 shifts (linear over GF(2));
 * a shift is undone from the top bit, which is 1 exactly when the polynomial was XORed in.
 */
export function crcCarry(crcSoFar: number): number {
  let r = ~crcSoFar;
  for (let i = 0; i < 32; i++) r = r & 0x80000000 ? ((r ^ CRC_POLY) << 1) | 1 : r << 1;
  return (r ^ 0xffffffff) >>> 0;
}

/**
 * Write the chunk's first `n` doubles (and the trailer when `last`) at the record's next byte;
 * returns 0, where the next double goes (so it serves as writeState's `full`). Callers pass it to
 * writeState wrapped in a function expression made at the call, not kept in the writer or a
 * local: a closure held by the scope it closes over is a reference cycle, which Espruino frees
 * only at its next garbage collection (≈ 100 JsVars kept after every save, measured).
 */
export function writeChunk(w: RecordWriter, n: number, last: boolean): number {
  const st = w.st;
  let bytes = n * F64_B;
  if (!w.ok || w.at + bytes > recordBytes(st.payloadDoubles) - STATE_TRAILER_B) {
    w.ok = false;
    return 0;
  }
  w.u32[1] = crcCarry(w.crc);
  w.crc = st.crc(new Uint8Array(w.buf, CHUNK_AT_B - U32_B, U32_B + bytes)) >>> 0;
  if (last) {
    w.u32[2 + 2 * n] = w.crc;
    w.u32[3 + 2 * n] = 0;
    bytes += STATE_TRAILER_B;
  }
  try {
    const name = SLOT_NAMES[w.seq % 2];
    const part = new Uint8Array(w.buf, CHUNK_AT_B, bytes);
    // offset 0 with the record's size makes a new file (the old copy in this slot goes)
    w.ok = (w.at === 0 ? st.storage.write(name, part, 0, recordBytes(st.payloadDoubles)) : st.storage.write(name, part, w.at)) !== false;
  } catch (e) {
    w.ok = false;
  }
  w.at += n * F64_B;
  return 0;
}

/** Start a record in the slot not holding the newest copy: its header is the first chunk's start. */
export function beginRecord(st: StateStore, savedAtS: number): RecordWriter {
  const buf = new ArrayBuffer(CHUNK_AT_B + RECORD_CHUNK_B);
  const w: RecordWriter = {
    st: st,
    seq: st.seq + 1,
    buf: buf,
    u32: new Uint32Array(buf),
    f64: new Float64Array(buf, CHUNK_AT_B, CHUNK_DOUBLES),
    n: SAVED_AT_F64 + 1,
    at: 0,
    crc: 0,
    ok: true,
  };
  const u32 = w.u32;
  u32[2] = STATE_MAGIC;
  u32[3] = STATE_LAYOUT_VERSION;
  u32[4] = w.seq;
  u32[5] = st.payloadDoubles;
  u32[6] = st.configCrc;
  u32[7] = 0;
  w.f64[SAVED_AT_F64] = savedAtS;
  return w;
}

/** Append one payload double. */
export function putDouble(w: RecordWriter, v: number): void {
  w.f64[w.n++] = v;
  if (w.n === CHUNK_DOUBLES) w.n = writeChunk(w, w.n, false);
}

/**
 * Write the last chunk and the trailer. True when every part reached Storage and the payload had
 * exactly `payloadDoubles` doubles; never throws.
 */
export function endRecord(w: RecordWriter): boolean {
  const st = w.st;
  if (w.at + w.n * F64_B !== recordBytes(st.payloadDoubles) - STATE_TRAILER_B) w.ok = false;
  writeChunk(w, w.n, true);
  if (w.ok) {
    st.seq = w.seq;
    st.saves++;
  } else st.failedSaves++;
  return w.ok;
}

/**
 * Write `payload` (length `payloadDoubles`) to the slot not holding the newest copy.
 * Returns true when Storage reported success; never throws.
 */
export function saveState(st: StateStore, payload: ArrayLike<number>, savedAtS: number): boolean {
  if (payload.length !== st.payloadDoubles) {
    st.failedSaves++;
    return false;
  }
  const w = beginRecord(st, savedAtS);
  for (let i = 0; i < payload.length; i++) putDouble(w, payload[i]);
  return endRecord(w);
}

/** Check one slot; the copy or the reason it is unusable. */
function readSlot(st: StateStore, slot: number): LoadedState | string {
  let ab: ArrayBuffer | undefined;
  try {
    ab = st.storage.readArrayBuffer(SLOT_NAMES[slot]);
  } catch (e) {
    return "unreadable";
  }
  if (ab === undefined || ab === null) return "none";
  const n = recordBytes(st.payloadDoubles);
  if (ab.byteLength < STATE_HEADER_B) return "short (" + ab.byteLength + " B)";
  // views over the file, no copy (on the board it is in flash: a 4 kB record copied twice cost
  // ≈ 550 JsVars at a restoring boot); Espruino reads typed-array elements byte by byte, so a
  // flash address that is not 8-byte aligned does not matter
  const u32 = new Uint32Array(ab, 0, STATE_HEADER_B / U32_B);
  if (u32[0] !== STATE_MAGIC) return "not a state record";
  if (u32[1] !== STATE_LAYOUT_VERSION) return "layout " + u32[1] + ", expected " + STATE_LAYOUT_VERSION;
  if (u32[3] !== st.payloadDoubles) return "holds " + u32[3] + " values, this config needs " + st.payloadDoubles;
  if (ab.byteLength < n) return "short (" + ab.byteLength + " of " + n + " B)";
  // index (in u32 words) of the record's CRC: every byte before it is covered
  const crcAt = (STATE_HEADER_B + st.payloadDoubles * F64_B) / U32_B;
  const tail = new Uint32Array(ab, crcAt * U32_B, 2);
  if ((st.crc(new Uint8Array(ab, 0, crcAt * U32_B)) >>> 0) !== tail[0] || tail[1] !== 0) return "bad crc";
  if (u32[4] !== st.configCrc) return "made with another config";
  const savedAtS = new Float64Array(ab, SAVED_AT_F64 * F64_B, 1)[0];
  return { seq: u32[2], savedAtS: savedAtS, slot: slot, payload: new Float64Array(ab, STATE_HEADER_B, st.payloadDoubles) };
}

/** Newest valid copy; also sets `st.seq` so the next save goes to the other slot. Never throws. */
export function loadState(st: StateStore): LoadResult {
  const a = readSlot(st, 0);
  const b = readSlot(st, 1);
  let best: LoadedState | null = null;
  if (typeof a !== "string") best = a;
  if (typeof b !== "string" && (best === null || b.seq > best.seq)) best = b;
  if (best !== null) st.seq = best.seq;
  const why = "slot0: " + (typeof a === "string" ? a : "ok seq " + a.seq) + "; slot1: " + (typeof b === "string" ? b : "ok seq " + b.seq);
  return { state: best, reason: best === null ? why : "ok (" + why + ")" };
}

/** Remove both slots (after `resetCounters` the next save starts a fresh pair). */
export function eraseState(st: StateStore): void {
  for (let i = 0; i < SLOT_NAMES.length; i++) {
    try {
      st.storage.erase(SLOT_NAMES[i]);
    } catch (e) {
      // an erase failure leaves an old copy that a later save supersedes by sequence number
    }
  }
  st.seq = 0;
}

/** Flash-wear figures for a save schedule. */
export interface FlashWear {
  /** Storage writes per day. */
  writesPerDay: number;
  /** Bytes appended to Storage per day. */
  bytesPerDay: number;
  /** Erase cycles each flash page sees per day. */
  erasesPerPagePerDay: number;
  /** Years until FLASH_ERASE_CYCLES is reached. */
  lifetimeYears: number;
}

/** Writes/day and flash lifetime for `payloadDoubles` saved every `saveIntervalS` plus `cycleEndsPerDay` extra saves. */
export function flashWear(payloadDoubles: number, saveIntervalS: number, cycleEndsPerDay: number): FlashWear {
  const writes = S_PER_DAY / saveIntervalS + cycleEndsPerDay;
  const bytes = writes * (recordBytes(payloadDoubles) + STORAGE_FILE_HEADER_B);
  const erases = bytes / ESP32_STORAGE_AREA_B;
  return {
    writesPerDay: writes,
    bytesPerDay: bytes,
    erasesPerPagePerDay: erases,
    lifetimeYears: FLASH_ERASE_CYCLES / erases / 365.25,
  };
}
