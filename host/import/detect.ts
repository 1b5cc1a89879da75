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
      `Unknown format "${format}". Accepted: ${IMPORTERS.map((i) => i.format).join(", ")}.`,
    );
  }
  return imp;
}

/** Parse a user-given format name (CLI `--format`), or throw listing the accepted ones. */
export function parseFormat(name: string): FormatId {
  return importerFor(name as FormatId).format;
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
