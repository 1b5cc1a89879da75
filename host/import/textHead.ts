/**
 * The first bytes of an input, for format detection: known binary cycler files are named by
 * their signature, other binary files refused as "binary file" (never echoed), text split into
 * lines and cells (each line by its own delimiter: cycler exports put metadata lines with
 * other delimiters, or none, above the header). Text is decoded as UTF-8 with Latin-1 bytes
 * (µ, ° from Windows exports) replaced, so header matching sees "Current(�A)" (normHeader).
 */
import { closeSync, openSync, readSync } from "node:fs";
import { guessDelimiter } from "./csvStream";
import { ImportError } from "./record";

/** Bytes read for detection: BioLogic .mpt headers run to ~100 lines of ≤ 100 B. */
export const HEAD_BYTES = 64 * 1024;
/** Lines handed to the importers' detect(). */
export const HEAD_LINES = 200;
/** Control bytes (other than tab, CR, LF, FF) in this share of the head (≥ 1 KiB): a binary file. */
const BINARY_CONTROL_FRAC = 0.01;
const BINARY_MIN_BYTES = 1024;
/** Longest text quoted from a file in an error message. */
export const MAX_QUOTE_CHARS = 200;

/** Binary cycler files recognised by their first bytes. */
export type BinaryKind = "biologic-mpr" | "neware-nda" | "zip";

interface BinarySignature {
  magic: string;
  kind: BinaryKind;
}

/** Signatures: .mpr (BioLogic), .nda (Neware), zip (Neware .ndax, .xlsx). */
const BINARY_SIGNATURES: BinarySignature[] = [
  { magic: "BIO-LOGIC MODULAR FILE", kind: "biologic-mpr" },
  { magic: "NEWARE", kind: "neware-nda" },
  { magic: "PK\u0003\u0004", kind: "zip" },
];

/** The binary cycler format whose signature the file starts with, or null. */
export function binaryKind(path: string): BinaryKind | null {
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(32);
    const n = readSync(fd, b, 0, b.length, 0);
    const head = b.subarray(0, n).toString("latin1");
    for (const s of BINARY_SIGNATURES) if (head.startsWith(s.magic)) return s.kind;
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Remove control characters (ESC, BEL, …) and cap the length of text echoed from a file. */
export function sanitizeForMessage(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "?");
  return clean.length > MAX_QUOTE_CHARS ? clean.slice(0, MAX_QUOTE_CHARS) + "…" : clean;
}

/** Header cell as matched against the formats' spellings: trimmed, lower case, µ/μ/� → u. */
export function normHeader(h: string): string {
  return h.trim().toLowerCase().replace(/[µμ\ufffd]/g, "u");
}

export interface TextHead {
  /** The first non-empty lines (at most HEAD_LINES), split into trimmed cells. */
  cells: string[][];
  /** The same lines as text (line ends removed). */
  lines: string[];
  bytes: number;
}

/** Read the head of `path`: throws an ImportError naming a binary file, else the cells. */
export function readTextHead(path: string): TextHead {
  const fd = openSync(path, "r");
  let buf: Uint8Array;
  try {
    const b = new Uint8Array(HEAD_BYTES);
    const n = readSync(fd, b, 0, HEAD_BYTES, 0);
    buf = b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
  let control = 0;
  let nul = 0;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0) nul++;
    if (c === 0 || (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12)) control++;
  }
  if (nul > 0 || control > BINARY_CONTROL_FRAC * Math.max(buf.length, BINARY_MIN_BYTES)) {
    throw new ImportError(`${path}: binary file (not text): ${control} control bytes in its first ${buf.length}; zbms reads cycler text exports (docs/formats.md).`);
  }
  let text = new TextDecoder("utf-8").decode(buf);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split("\n");
  // The last piece may be a line cut by the byte limit: drop it unless the file ended there.
  if (buf.length === HEAD_BYTES && lines.length > 1) lines.pop();
  const cells: string[][] = [];
  const kept: string[] = [];
  for (const raw of lines.slice(0, HEAD_LINES)) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    const d = String.fromCharCode(guessDelimiter(line));
    cells.push(line.split(d).map((c) => unquote(c.trim())));
    kept.push(line);
  }
  return { cells, lines: kept, bytes: buf.length };
}

function unquote(c: string): string {
  return c.length >= 2 && c[0] === '"' && c[c.length - 1] === '"' ? c.slice(1, -1).replace(/""/g, '"') : c;
}
