/**
 * Format detection: read the first lines, ask each importer whether they are its own.
 * An unknown format is an ImportError listing the columns found and what each format expects.
 */
import { readCsvHead } from "../bdf/csvStream";
import { batteryDataRawImporter } from "./batteryDataRaw";
import { bdfImporter } from "./bdfCsv";
import { landtRecordImporter } from "./landtRecord";
import { newareRecordImporter } from "./newareRecord";
import { newareRegularImporter } from "./newareRegular";
import { pybammImporter } from "./pybamm";
import { zbmsLogImporter } from "./zbmsLog";
import { ImportError, type FormatId, type Importer } from "./record";

/** Lines read for detection (the Neware regular export needs three header lines). */
const HEAD_LINES = 3;

/** All importers, in detection order (most specific first). */
export const IMPORTERS: readonly Importer[] = [
  zbmsLogImporter,
  newareRegularImporter,
  bdfImporter,
  newareRecordImporter,
  landtRecordImporter,
  batteryDataRawImporter,
  pybammImporter,
];

export function importerFor(format: FormatId): Importer {
  const imp = IMPORTERS.find((i) => i.format === format);
  if (!imp) {
    throw new ImportError(
      `Unknown format ${JSON.stringify(format)}. Accepted: ${formatIds()}.`,
    );
  }
  return imp;
}

/** The format ids `--format` accepts, in detection order, e.g. "zbms-log, neware-regular, …". */
export function formatIds(): string {
  return IMPORTERS.map((i) => i.format).join(", ");
}

/** Longest user text quoted back in an error message (characters). */
const QUOTE_MAX_CHARS = 40;

/** Parse a user-given format name (CLI `--format`), or throw quoting it (escaped) and listing the accepted ones. */
export function parseFormat(name: string): FormatId {
  const imp = IMPORTERS.find((i) => i.format === name);
  if (!imp) {
    const quoted = JSON.stringify(name.length > QUOTE_MAX_CHARS ? `${name.slice(0, QUOTE_MAX_CHARS)}…` : name);
    throw new ImportError(`unknown format ${quoted}; accepted: ${formatIds()} (or leave --format out to detect it)`);
  }
  return imp.format;
}

/** Detect the format of the file at `path`. */
export async function detectFormat(path: string): Promise<Importer> {
  let head: string[][];
  try {
    head = await readCsvHead(path, HEAD_LINES);
  } catch (e) {
    throw new ImportError(`${path}: cannot read: ${(e as Error).message}`);
  }
  if (head.length === 0) throw new ImportError(`${path}: the file is empty.`);
  for (const imp of IMPORTERS) if (imp.detect(head)) return imp;
  const found = head[0].map((h) => `"${h}"`).join(", ");
  const expected = IMPORTERS.map((i) => `  ${i.format} (${i.description}): ${i.expected.join(", ")}`).join("\n");
  throw new ImportError(
    `${path}: unknown input format. Columns found: ${found}.\nExpected one of:\n${expected}`,
  );
}
