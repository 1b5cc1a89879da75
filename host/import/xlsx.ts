/**
 * Excel .xlsx workbooks (Office Open XML, ECMA-376): a zip of XML parts. Reads the shared
 * strings and one sheet's rows (cell references place each value in its column, so empty
 * cells may be left out), enough for cycler exports; styles, formulas and dates as numbers
 * are not interpreted (a cell's cached value is read as written).
 *
 * Neware BTSDA .xlsx export: sheets unit, test, cycle, step, record, log, …; the "record"
 * sheet has the record-level CSV export's columns (newareRecord.ts), read by the same rules.
 */
import { NEWARE_RECORD_FORMAT } from "./newareRecord";
import { ImportError, type ImportedRecord, type Importer, type ImportStats, type ProgressFn, type ReadOptions } from "./record";
import { tabularRows, type TableRow } from "./tabular";
import { zipEntries, zipRead, type ZipEntry } from "./zip";

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e[0] === "#") return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return XML_ENTITIES[e];
  });
}

/** Column index of a cell reference ("C12" → 2). */
function columnOf(ref: string): number {
  let c = 0;
  for (let k = 0; k < ref.length; k++) {
    const ch = ref.charCodeAt(k);
    if (ch < 65 || ch > 90) break;
    c = c * 26 + (ch - 64);
  }
  return c - 1;
}

export interface Workbook {
  path: string;
  entries: Map<string, ZipEntry>;
  /** Sheet name → part name (xl/worksheets/sheetN.xml). */
  sheets: Map<string, string>;
  strings: string[];
}

export function isXlsx(entries: Map<string, ZipEntry>): boolean {
  return entries.has("xl/workbook.xml");
}

export function openWorkbook(path: string, entries = zipEntries(path)): Workbook {
  const text = (name: string): string => {
    const e = entries.get(name);
    if (e === undefined) throw new ImportError(`${path}: .xlsx without its part "${name}".`);
    return zipRead(path, e).toString("utf8");
  };
  const rels = new Map<string, string>();
  for (const m of text("xl/_rels/workbook.xml.rels").matchAll(/<Relationship\b[^>]*>/g)) {
    const id = /\bId="([^"]*)"/.exec(m[0]);
    const target = /\bTarget="([^"]*)"/.exec(m[0]);
    if (id && target) rels.set(id[1], target[1].startsWith("/") ? target[1].slice(1) : "xl/" + target[1]);
  }
  const sheets = new Map<string, string>();
  for (const m of text("xl/workbook.xml").matchAll(/<sheet\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(m[0]);
    const rid = /\br:id="([^"]*)"/.exec(m[0]);
    if (name && rid && rels.has(rid[1])) sheets.set(unescapeXml(name[1]), rels.get(rid[1])!);
  }
  const strings: string[] = [];
  if (entries.has("xl/sharedStrings.xml")) {
    for (const m of text("xl/sharedStrings.xml").matchAll(/<si>([\s\S]*?)<\/si>/g)) {
      let t = "";
      for (const r of m[1].matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)) t += r[1];
      strings.push(unescapeXml(t));
    }
  }
  return { path, entries, sheets, strings };
}

/** A spreadsheet row as a TableRow. */
class CellRow implements TableRow {
  lineNo = 0;
  cells: string[] = [];
  num(i: number): number {
    const s = i >= 0 && i < this.cells.length ? this.cells[i].trim() : "";
    return s === "" ? NaN : Number(s);
  }
  str(i: number): string {
    return i >= 0 && i < this.cells.length ? this.cells[i].trim() : "";
  }
  strings(): string[] {
    return this.cells.map((c) => c.trim());
  }
}

/** Hand each row of sheet `name` to `onRow` (cells as text; shared strings resolved). */
export function readSheet(wb: Workbook, name: string, onRow: (row: TableRow) => void): number {
  const part = wb.sheets.get(name);
  const e = part === undefined ? undefined : wb.entries.get(part);
  if (e === undefined) throw new ImportError(`${wb.path}: no sheet "${name}" (sheets: ${[...wb.sheets.keys()].join(", ")}).`);
  const xml = zipRead(wb.path, e).toString("utf8");
  const row = new CellRow();
  let rows = 0;
  for (const r of xml.matchAll(/<row\b([^>]*)>([\s\S]*?)<\/row>/g)) {
    const rn = /\br="(\d+)"/.exec(r[1]);
    row.lineNo = rn ? Number(rn[1]) : rows + 1;
    row.cells = [];
    for (const c of r[2].matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const ref = /\br="([A-Z]+)\d*"/.exec(c[1]);
      const col = ref ? columnOf(ref[1]) : row.cells.length;
      const type = /\bt="(\w+)"/.exec(c[1]);
      const body = c[2] ?? "";
      let v = "";
      if (type && type[1] === "inlineStr") {
        for (const t of body.matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)) v += unescapeXml(t[1]);
      } else {
        const vm = /<v>([\s\S]*?)<\/v>/.exec(body);
        v = vm ? unescapeXml(vm[1]) : "";
        if (type && type[1] === "s" && v !== "") v = wb.strings[Number(v)] ?? "";
      }
      while (row.cells.length < col) row.cells.push("");
      row.cells[col] = v;
    }
    rows++;
    onRow(row);
  }
  return rows;
}

/** Neware's record sheet. */
const NEWARE_RECORD_SHEET = "record";

export const newareXlsxImporter: Importer = {
  format: "neware-xlsx",
  description: "Neware BTSDA Excel export (.xlsx, record sheet)",
  expected: ['an .xlsx workbook with a "record" sheet (Neware BTSDA export)'],
  // Binary: chosen by its zip parts in detect.ts, never from text lines.
  detect: () => false,
  read: readNewareXlsx,
};

/** True when the workbook is a Neware export (a record sheet). */
export function isNewareWorkbook(wb: Workbook): boolean {
  return wb.sheets.has(NEWARE_RECORD_SHEET);
}

async function readNewareXlsx(path: string, onRecord: (r: ImportedRecord) => void, onProgress?: ProgressFn, _c?: unknown, opts?: ReadOptions): Promise<ImportStats> {
  const wb = openWorkbook(path);
  const h = tabularRows(NEWARE_RECORD_FORMAT, path, onRecord, opts);
  readSheet(wb, NEWARE_RECORD_SHEET, h.onRow);
  if (onProgress) onProgress(1);
  return h.finish();
}
