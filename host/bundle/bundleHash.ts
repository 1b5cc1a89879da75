/**
 * The bundle hash a firmware reports in its identity, and how the host checks it.
 *
 * A bundle cannot contain the hash of itself, so the hash is taken over the bundle text in
 * which the hash string is replaced by a fixed placeholder of the same length:
 *   1. the build embeds `BUNDLE_HASH_PLACEHOLDER` as `BUILD.hash` and minifies;
 *   2. hash = first 16 hex digits of SHA-256(text with placeholder);
 *   3. every occurrence of the placeholder is replaced by the hash; the result is the bundle.
 * To verify a file against a hash a board reports: replace every occurrence of the reported hash
 * in the file by the placeholder, SHA-256 it, compare the first 16 hex digits.
 */
import { createHash } from "node:crypto";

/** Placeholder embedded while the hash is computed; 16 characters like the hash itself. */
export const BUNDLE_HASH_PLACEHOLDER = "0zbms0hash0here0";
/** Hex digits of SHA-256 kept as the hash (64 bits: collisions between builds are negligible). */
export const BUNDLE_HASH_HEX_DIGITS = 16;

function sha256Prefix(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, BUNDLE_HASH_HEX_DIGITS);
}

/** Steps 2–3 above: returns the final bundle text and its hash. */
export function stampBundleHash(textWithPlaceholder: string): { code: string; hash: string } {
  const hash = sha256Prefix(textWithPlaceholder);
  return { code: textWithPlaceholder.split(BUNDLE_HASH_PLACEHOLDER).join(hash), hash };
}

/** True when `code` is the bundle whose `BUILD.hash` is `reportedHash`. */
export function verifyBundleHash(code: string, reportedHash: string): boolean {
  if (!/^[0-9a-f]{16}$/.test(reportedHash) || !code.includes(reportedHash)) return false;
  return sha256Prefix(code.split(reportedHash).join(BUNDLE_HASH_PLACEHOLDER)) === reportedHash;
}

/** The hash embedded in a minified bundle (`hash:"…"`), or undefined if none is found. */
export function readEmbeddedHash(code: string): string | undefined {
  const m = /hash:"([0-9a-f]{16})"/.exec(code);
  return m ? m[1] : undefined;
}
