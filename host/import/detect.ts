/**
 * Format detection: read the first lines, ask each importer whether they are its own.
 * An unknown format is an ImportError listing the columns found and what each format expects.
 */
import { arbinImporter, isArbinMetadata } from "./arbin";
import { batteryDataRawImporter } from "./batteryDataRaw";
import { bdfImporter } from "./bdfCsv";
import { biologicMptImporter } from "./biologicMpt";
import { landtRawImporter, landtRecordImporter } from "./landtRecord";
import { maccorImporter } from "./maccor";
import { pecImporter } from "./pec";
import { biologicMprImporter } from "./biologicMpr";
import { isNewareWorkbook, isXlsx, newareXlsxImporter, openWorkbook } from "./xlsx";
import { zipEntries } from "./zip";
import { newareNdaxImporter } from "./newareNdax";
import { newareNdaImporter } from "./newareNda";
import { binaryKind, readTextHead, sanitizeForMessage, type BinaryKind } from "./textHead";
import { newareRecordImporter } from "./newareRecord";
import { newareRegularImporter } from "./newareRegular";
import { pybammImporter } from "./pybamm";
import { zbmsLogImporter } from "./zbmsLog";
import { ImportError, type FormatId, type Importer } from "./record";

/** All importers, in detection order (most specific first). */
export const IMPORTERS: readonly Importer[] = [
  zbmsLogImporter,
  newareRegularImporter,
  bdfImporter,
  newareRecordImporter,
  landtRecordImporter,
  arbinImporter,
  batteryDataRawImporter,
  pybammImporter,
  pecImporter,
  landtRawImporter,
  biologicMptImporter,
  maccorImporter,
  biologicMprImporter,
  newareXlsxImporter,
  newareNdaxImporter,
  newareNdaImporter,
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

/** The importer of a binary cycler file, or an ImportError saying what it is and what to export instead. */
function binaryImporter(path: string, kind: BinaryKind): Importer {
  if (kind === "biologic-mpr") return biologicMprImporter;
  if (kind === "neware-nda") return newareNdaImporter;
  const entries = zipEntries(path);
  if (isXlsx(entries)) {
    const wb = openWorkbook(path, entries);
    if (isNewareWorkbook(wb)) return newareXlsxImporter;
    throw new ImportError(`${path}: an Excel workbook without a cycler record sheet (sheets: ${sanitizeForMessage([...wb.sheets.keys()].join(", "))}); zbms reads Neware BTSDA workbooks (a "record" sheet), or export the sheet as CSV.`);
  }
  if (entries.has("data.ndc")) return newareNdaxImporter;
  throw new ImportError(`${path}: a zip file holding no known cycler export (entries: ${sanitizeForMessage([...entries.keys()].slice(0, 8).join(", "))}).`);
}

/** Detect the format of the file at `path`. */
export async function detectFormat(path: string): Promise<Importer> {
  let head: string[][];
  try {
    const bin = binaryKind(path);
    if (bin !== null) return binaryImporter(path, bin);
    head = readTextHead(path).cells;
  } catch (e) {
    if (e instanceof ImportError) throw e;
    throw new ImportError(`${path}: cannot read: ${(e as Error).message}`);
  }
  if (head.length === 0) throw new ImportError(`${path}: the file is empty.`);
  for (const imp of IMPORTERS) if (imp.detect(head)) return imp;
  if (isArbinMetadata(head[0])) {
    throw new ImportError(
      `${path}: an Arbin test metadata file (test id, schedule, start time): it holds no records; analyse the data file next to it (the same name without "_Metadata").`,
    );
  }
  const found = sanitizeForMessage(head[0].map((h) => `"${h}"`).join(", "));
  const expected = IMPORTERS.map((i) => `  ${i.format} (${i.description}): ${i.expected.join(", ")}`).join("\n");
  throw new ImportError(
    `${path}: unknown input format. Columns found: ${found}.\nExpected one of:\n${expected}`,
  );
}
