/**
 * A small zip reader (Neware .ndax, Excel .xlsx): the central directory at the end of the file
 * (APPNOTE.TXT 4.3.12/4.3.16), each entry's local header, stored or deflated data (Node's
 * zlib.inflateRawSync); zip64 sizes of single entries (the Neware .ndax writes them); a
 * zip64 central directory and encrypted entries are refused by name.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { ImportError } from "./record";

const EOCD_SIG = 0x06054b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const EOCD_BYTES = 22;
/** The end record may be followed by a comment of up to 65 535 bytes. */
const EOCD_SEARCH_BYTES = EOCD_BYTES + 0xffff;
const CENTRAL_BYTES = 46;
const LOCAL_BYTES = 30;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const FLAG_ENCRYPTED = 1;
const ZIP64_MARK = 0xffffffff;

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedBytes: number;
  bytes: number;
  localOffset: number;
}

function readAt(fd: number, pos: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  const got = readSync(fd, b, 0, n, pos);
  return b.subarray(0, got);
}

/** The entries of the zip at `path`, by name. */
export function zipEntries(path: string): Map<string, ZipEntry> {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const tailAt = Math.max(0, size - EOCD_SEARCH_BYTES);
    const tail = readAt(fd, tailAt, size - tailAt);
    let e = -1;
    for (let k = tail.length - EOCD_BYTES; k >= 0; k--) {
      if (tail.readUInt32LE(k) === EOCD_SIG) {
        e = k;
        break;
      }
    }
    if (e < 0) throw new ImportError(`${path}: a zip file without its central directory (cut short?).`);
    const count = tail.readUInt16LE(e + 10);
    const dirBytes = tail.readUInt32LE(e + 12);
    const dirAt = tail.readUInt32LE(e + 16);
    if (dirAt === ZIP64_MARK || dirBytes === ZIP64_MARK) throw new ImportError(`${path}: a zip64 file: not read (entries over 4 GiB).`);
    const dir = readAt(fd, dirAt, dirBytes);
    const out = new Map<string, ZipEntry>();
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (p + CENTRAL_BYTES > dir.length || dir.readUInt32LE(p) !== CENTRAL_SIG) throw new ImportError(`${path}: zip central directory damaged at entry ${k}.`);
      const nameLen = dir.readUInt16LE(p + 28);
      const extraLen = dir.readUInt16LE(p + 30);
      const commentLen = dir.readUInt16LE(p + 32);
      const entry: ZipEntry = {
        name: dir.toString("utf8", p + CENTRAL_BYTES, p + CENTRAL_BYTES + nameLen),
        flags: dir.readUInt16LE(p + 8),
        method: dir.readUInt16LE(p + 10),
        compressedBytes: dir.readUInt32LE(p + 20),
        bytes: dir.readUInt32LE(p + 24),
        localOffset: dir.readUInt32LE(p + 42),
      };
      zip64Sizes(entry, dir.subarray(p + CENTRAL_BYTES + nameLen, p + CENTRAL_BYTES + nameLen + extraLen));
      out.set(entry.name, entry);
      p += CENTRAL_BYTES + nameLen + extraLen + commentLen;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Zip64 extended information extra field (APPNOTE 4.5.3): the 8-byte values of the fields marked 0xFFFFFFFF, in order. */
const ZIP64_EXTRA_ID = 0x0001;

function zip64Sizes(e: ZipEntry, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(q);
    const len = extra.readUInt16LE(q + 2);
    if (id === ZIP64_EXTRA_ID) {
      let r = q + 4;
      const next = (): number => {
        const x = Number(extra.readBigUInt64LE(r));
        r += 8;
        return x;
      };
      if (e.bytes === ZIP64_MARK && r + 8 <= q + 4 + len) e.bytes = next();
      if (e.compressedBytes === ZIP64_MARK && r + 8 <= q + 4 + len) e.compressedBytes = next();
      if (e.localOffset === ZIP64_MARK && r + 8 <= q + 4 + len) e.localOffset = next();
      return;
    }
    q += 4 + len;
  }
}

/** The bytes of one entry (inflated). */
export function zipRead(path: string, entry: ZipEntry): Buffer {
  if ((entry.flags & FLAG_ENCRYPTED) !== 0) throw new ImportError(`${path}: zip entry "${entry.name}" is encrypted.`);
  if (entry.compressedBytes === ZIP64_MARK || entry.bytes === ZIP64_MARK) throw new ImportError(`${path}: zip entry "${entry.name}" is zip64: not read.`);
  const fd = openSync(path, "r");
  try {
    const local = readAt(fd, entry.localOffset, LOCAL_BYTES);
    if (local.length < LOCAL_BYTES || local.readUInt32LE(0) !== LOCAL_SIG) throw new ImportError(`${path}: zip entry "${entry.name}": no local header.`);
    const dataAt = entry.localOffset + LOCAL_BYTES + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = readAt(fd, dataAt, entry.compressedBytes);
    if (entry.method === METHOD_STORED) return raw;
    if (entry.method === METHOD_DEFLATE) return inflateRawSync(raw);
    throw new ImportError(`${path}: zip entry "${entry.name}" uses compression method ${entry.method} (known: 0 stored, 8 deflate).`);
  } finally {
    closeSync(fd);
  }
}
