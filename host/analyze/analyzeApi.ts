/**
 * `zbms analyze` and `zbms export --bdf`: the functions the zbms CLI wires up (its flags are in
 * host/cli/analyzeCommand.ts), and the parsers of their option values.
 *
 * analyze: detect (or take) the input format → profile pass → fitted config → replay through
 * the shared PackModel → per-cycle and rest tables (text, CSV, JSON), summary JSON, protocol
 * check and a self-contained HTML report, written to `--out` (default `./zbms-analysis`).
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import type { ChemistryId } from "../../shared/chemistry/presets";
import { CHEMISTRY_IDS } from "../../shared/chemistry/presets";
import type { PackConfig, PracticalConditions } from "../../shared/config/packConfig";
import { validateConfig } from "../../shared/config/validateConfig";
import { BdfWriter } from "../bdf/writer";
import { alarmUnit, alarmValueText } from "../util/alarmValue";
import { requirePackage } from "../util/lazyPackage";
import { detectFormat, importerFor } from "../import/detect";
import { ImportError, type FormatId, type Importer, type ProgressFn } from "../import/record";
import { adamsLine, adamsOfHalves, type AdamsReport, type AdamsSpan } from "./adams";
import { fitValidConfig, userConfig } from "./fitConfig";
import { chooseConfig, ConfigMismatchError, logConfig, type ChosenConfig } from "./logConfig";
import { checkProtocol, type ProtocolCheck } from "./practical";
import { profileInput, type InputProfile } from "./profile";
import { renderReport, type ReportSummary } from "./report";
import { CYCLE_FLAG_TRUNCATED, replay, type ReplayResult } from "./replay";
import { CYCLE_COLUMNS, CYCLER_CYCLE_COLUMNS, flagWords, REST_COLUMNS, restRows, toCsv, toObjects, toText, type Column } from "./tables";
import { cyclerCycleOfRows, cyclerCycleRows, type CyclerCycleRow } from "./cyclerCycles";
import { CYCLE_FLAG_PARTIAL } from "../../shared/model/events";
import type { CycleRecord } from "../../shared/model/events";
import { S_PER_H } from "../../shared/units";

/** Inputs above this size (bytes) get a progress bar on a terminal. */
export const PROGRESS_MIN_BYTES = 20 * 1024 * 1024;
/** Steps back in time listed by size in the notes (the rest are counted). */
const MAX_LISTED_BACK_STEPS = 5;
const PERCENT = 100;

export type TableFormat = "text" | "csv" | "json";
export const TABLE_FORMATS: readonly TableFormat[] = ["text", "csv", "json"];

export interface AnalyzeOptions {
  /** Output folder (created). Default "zbms-analysis". */
  outDir?: string;
  /** Input format; default: detected. */
  format?: FormatId;
  /** Nominal capacity (Ah); default: the largest one-direction charge in the data. */
  capacityAh?: number;
  /** Which half opens a cycle; default: the direction of the first substantial half. */
  firstHalf?: "charge" | "discharge";
  /** Chemistry preset for zinc data (OCV-based figures); default placeholder for non-zinc data. */
  chemistry?: ChemistryId;
  /** Practical-cell conditions to check (loading, N/P, E/C, Zn foil, areal capacity, DOD). */
  practical?: PracticalConditions;
  /**
   * The pack's own config (validated, e.g. by `loadPackConfig`): used instead of a config
   * fitted to the data; its `practical` field declares the conditions to check.
   */
  config?: PackConfig;
  /** Cycles whose dQ/dV is plotted; default first unflagged and last. */
  dqdvCycles?: number[];
  /** Show a progress bar: true / false / "auto" (large input on a TTY). Default "auto". */
  progress?: boolean | "auto";
  /** Table printed to `print` (default text); null = print nothing. */
  printTable?: TableFormat | null;
  print?: (s: string) => void;
  /**
   * Span of the run that is an Adams reservoir protocol (parseAdamsSpan: "all", cycle numbers
   * "3-14" or test times "2.5h-80h"); its reservoir CE goes to the summary, terminal and report.
   */
  adams?: AdamsSpan;
  /** Current direction that plates Zn in the Adams span; default: the replay's first half. */
  plating?: "charge" | "discharge";
}

export interface AnalysisFiles {
  html: string;
  cyclesCsv: string;
  cyclesJson: string;
  cyclesTxt: string;
  restsCsv: string;
  summaryJson: string;
  /** The cycler's cycles (written when the input has a cycle index). */
  cyclerCyclesCsv?: string;
}

/** Wall time of each phase of one analysis (ms). */
export interface PhaseTimesMs {
  /** Format detection. */
  start: number;
  /** Profile pass. */
  profile: number;
  /** Fitted (or user) config. */
  config: number;
  /** Replay through the shared model. */
  replay: number;
  /** Tables, JSON, HTML report, printing. */
  outputs: number;
}

export interface AnalyzeResult {
  format: FormatId;
  profile: InputProfile;
  replay: ReplayResult;
  protocol: ProtocolCheck[];
  summary: ReportSummary;
  files: AnalysisFiles;
  phaseMs: PhaseTimesMs;
  /** The cycler's cycle number of each row of replay.cycles (NaN each when the input has no cycle index). */
  cyclerCycles: number[];
  /** The cycles as the cycler counted them (rows with one cycler number merged); empty without a cycle index. */
  cyclerCycleTable: CyclerCycleRow[];
}

/** Columns of `<stem>.cycler-cycles.csv`. */
export const CYCLER_TABLE_COLUMNS: Column<CyclerCycleRow>[] = [
  { name: "cycler_cycle", get: (c) => c.cyclerCycle, digits: 0 },
  { name: "rows", get: (c) => c.rows, digits: 0 },
  { name: "start_s", get: (c) => c.startS, digits: 0 },
  { name: "charge_Ah", get: (c) => c.chargeAh, digits: 6 },
  { name: "discharge_Ah", get: (c) => c.dischargeAh, digits: 6 },
  { name: "charge_Wh", get: (c) => c.chargeWh, digits: 6 },
  { name: "discharge_Wh", get: (c) => c.dischargeWh, digits: 6 },
  { name: "CE_pct", get: (c) => c.ce * PERCENT, digits: 3 },
  { name: "EE_pct", get: (c) => c.ee * PERCENT, digits: 2 },
  { name: "flags", get: (c) => flagWords(c.flags), digits: 0 },
];

interface Bar {
  start(total: number, v: number, payload?: object): void;
  update(v: number, payload?: object): void;
  stop(): void;
}

function makeProgress(path: string, want: boolean | "auto" | undefined): { pass: (name: string) => ProgressFn | undefined; done: () => void } {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    size = 0;
  }
  const on = want === true || ((want === undefined || want === "auto") && size >= PROGRESS_MIN_BYTES && process.stderr.isTTY === true);
  if (!on) return { pass: () => undefined, done: () => undefined };
  const cp = requirePackage<{ SingleBar: new (o: object, preset: object) => Bar; Presets: { shades_classic: object } }>("cli-progress", "draw the analysis progress bar");
  const bar = new cp.SingleBar({ format: "{pass} [{bar}] {percentage}% | ETA {eta}s", stream: process.stderr, hideCursor: true }, cp.Presets.shades_classic);
  let started = false;
  return {
    pass: (name: string) => (frac: number) => {
      if (!started) {
        bar.start(PERCENT, 0, { pass: name });
        started = true;
      }
      bar.update(Math.round(frac * PERCENT), { pass: name });
    },
    done: () => {
      if (started) bar.stop();
    },
  };
}

async function pickImporter(path: string, format?: FormatId): Promise<Importer> {
  return format ? importerFor(format) : detectFormat(path);
}

/** Run the whole analysis of one input file and write its outputs. */
export async function analyzeFile(input: string, opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const t0 = performance.now();
  if (opts.plating !== undefined && opts.adams === undefined) {
    throw new AnalyzeOptionError(`--plating ${opts.plating} labels the plating direction of an Adams span: give the span too, e.g. --adams all or --adams 3-14`);
  }
  const path = resolve(input);
  const imp = await pickImporter(path, opts.format);
  const prog = makeProgress(path, opts.progress);
  const zeroCurrentIsOpenCircuit = imp.format !== "zbms-log";
  const tStarted = performance.now();
  try {
    const profile = await profileInput(imp, path, prog.pass("profile"));
    const tProfiled = performance.now();
    if (profile.records === 0) throw new ImportError(`${path}: no data rows (only a header).`);
    const fit = {
      capacityAh: opts.capacityAh,
      firstHalf: opts.firstHalf,
      chemistry: opts.chemistry,
      practical: opts.practical,
      keepBoardDefaults: imp.format === "zbms-log",
    };
    const chosen = pickConfig(imp, path, opts.config);
    const config = chosen.base ? userConfig(chosen.base, profile, fit) : fitValidConfig(profile, fit);
    const tConfigured = performance.now();
    const rep = await replay(imp, path, {
      config,
      profile,
      dqdvCycles: opts.dqdvCycles,
      onProgress: prog.pass("replay "),
      zeroCurrentIsOpenCircuit,
    });
    const tReplayed = performance.now();
    prog.done();
    const protocol = checkProtocol(rep.cycles, config.capacityAh, config.practical);
    // Summary figures from the last cycle that the input covers completely.
    const complete = rep.cycles.filter((c) => (c.flags & CYCLE_FLAG_TRUNCATED) === 0);
    const last = complete.length > 0 ? complete[complete.length - 1] : null;
    const adams = opts.adams
      ? adamsOfHalves(rep.halves, opts.adams, opts.plating ?? config.segmentation.firstHalf, rep.cycles, config.sensorChain)
      : { report: null, notes: [] };
    const notes = analysisNotes(rep, profile, opts, imp.format, chosen, config);
    for (const n of adams.notes) notes.push(n);
    const summary: ReportSummary = {
      input: basename(path),
      format: imp.description,
      samples: rep.samples,
      configSource: chosen.sourceLine,
      capacityAh: config.capacityAh,
      firstHalf: config.segmentation.firstHalf,
      cumulativeCePct: last ? last.cumulativeCe * PERCENT : NaN,
      cyclesTo80: last ? last.cyclesTo80 : NaN,
      cyclesTo80Low: last ? last.cyclesTo80Low : NaN,
      cyclesTo80High: last ? last.cyclesTo80High : NaN,
      adams: adams.report,
      notes,
    };
    const cycler = cyclerTables(rep, profile, config);
    const files = writeAnalysis(path, resolve(opts.outDir ?? "zbms-analysis"), rep, cycler, summary, protocol, config);
    printAnalysis(opts, rep, cycler, protocol, notes, adams.report, files, chosen.sourceLine);
    const phaseMs: PhaseTimesMs = {
      start: tStarted - t0,
      profile: tProfiled - tStarted,
      config: tConfigured - tProfiled,
      replay: tReplayed - tConfigured,
      outputs: performance.now() - tReplayed,
    };
    return { format: imp.format, profile, replay: rep, protocol, summary, files, phaseMs, cyclerCycles: cycler.cyclerCycles, cyclerCycleTable: cycler.table };
  } finally {
    prog.done();
  }
}

/** The notes of an analysis: what was truncated, skipped, replayed oddly or assumed. */
function analysisNotes(rep: ReplayResult, profile: InputProfile, opts: AnalyzeOptions, format: FormatId, chosen: ChosenConfig, config: PackConfig): string[] {
  const notes: string[] = [...chosen.notes];
  if (rep.truncatedCycle >= 0) notes.push(`cycle ${rep.truncatedCycle} was still in its second half when the input ended (truncated)`);
  if (rep.importStats.skipped > 0) notes.push(`${rep.importStats.skipped} rows skipped: ${rep.importStats.skippedExamples.join("; ")}`);
  if (rep.impedanceRows > 0) notes.push(`${rep.impedanceRows} impedance rows replayed with an invalid voltage (their voltage is not a DC terminal voltage)`);
  const back = rep.gaps.backS;
  const forward = rep.gaps.count - back.length;
  if (forward > 0) notes.push(`${forward} time gaps (longest ${rep.gaps.longestS.toFixed(0)} s) not integrated; cycles holding one are flagged`);
  if (back.length > 0) {
    const sizes = back.slice(0, MAX_LISTED_BACK_STEPS).map((x) => `${x.toFixed(x < 10 ? 1 : 0)} s`).join(", ") + (back.length > MAX_LISTED_BACK_STEPS ? ", …" : "");
    notes.push(`${back.length} steps back in time (by ${sizes}): the time they cover again is not counted twice (its worst case is in the CE bound); cycles holding one are flagged`);
  }
  if (opts.capacityAh === undefined && !chosen.base) notes.push(`capacity taken from the data: the largest one-direction charge, ${profile.maxHalfAh.toPrecision(5)} Ah`);
  const pairing = pairingNote(profile, config.segmentation.firstHalf, opts.firstHalf !== undefined || chosen.base !== null);
  if (pairing !== null) notes.push(pairing);
  if (opts.chemistry === undefined && !chosen.base && format !== "zbms-log") notes.push("no chemistry given: SOC and OCV-based charge-lost figures use a placeholder curve and are not meaningful");
  return notes;
}

/** The cycle table's rows and columns (with the cycler's cycle number when the input has a cycle index) and the cycler-cycle table. */
interface CyclerTables {
  /** The cycler's cycle number of each row of rep.cycles (NaN each without a cycle index). */
  cyclerCycles: number[];
  rows: CycleRecord[];
  columns: Column<CycleRecord>[];
  /** The cycles as the cycler counted them; empty without a cycle index. */
  table: CyclerCycleRow[];
}

function cyclerTables(rep: ReplayResult, profile: InputProfile, config: PackConfig): CyclerTables {
  const cyclerCycles = cyclerCycleOfRows(rep.cycles, profile.cyclerCycles);
  const indexed = profile.cyclerCycles.length > 0;
  return {
    cyclerCycles,
    rows: rep.cycles.map((c, k) => ({ ...c, cyclerCycle: cyclerCycles[k] })),
    columns: (indexed ? CYCLER_CYCLE_COLUMNS : CYCLE_COLUMNS) as Column<CycleRecord>[],
    table: indexed ? cyclerCycleRows(rep.cycles, cyclerCycles, config.segmentation.firstHalf === "charge", CYCLE_FLAG_PARTIAL | CYCLE_FLAG_TRUNCATED) : [],
  };
}

/** Write the tables, the summary JSON and the HTML report of an analysis into `outDir`. */
function writeAnalysis(path: string, outDir: string, rep: ReplayResult, cycler: CyclerTables, summary: ReportSummary, protocol: ProtocolCheck[], config: PackConfig): AnalysisFiles {
  mkdirSync(outDir, { recursive: true });
  const stem = basename(path).replace(/\.[^.]*$/, "");
  const files: AnalysisFiles = {
    html: join(outDir, stem + ".report.html"),
    cyclesCsv: join(outDir, stem + ".cycles.csv"),
    cyclesJson: join(outDir, stem + ".cycles.json"),
    cyclesTxt: join(outDir, stem + ".cycles.txt"),
    restsCsv: join(outDir, stem + ".rests.csv"),
    summaryJson: join(outDir, stem + ".summary.json"),
  };
  const rests = restRows(rep.rests, rep.retentions);
  if (cycler.table.length > 0) {
    files.cyclerCyclesCsv = join(outDir, stem + ".cycler-cycles.csv");
    writeFileSync(files.cyclerCyclesCsv, toCsv(cycler.table, CYCLER_TABLE_COLUMNS));
  }
  writeFileSync(files.cyclesTxt, toText(cycler.rows, cycler.columns));
  writeFileSync(files.cyclesCsv, toCsv(cycler.rows, cycler.columns));
  writeFileSync(files.cyclesJson, JSON.stringify(toObjects(cycler.rows, cycler.columns), null, 1));
  writeFileSync(files.restsCsv, toCsv(rests, REST_COLUMNS));
  writeFileSync(
    files.summaryJson,
    JSON.stringify(
      {
        ...summary,
        truncatedCycle: rep.truncatedCycle,
        gaps: rep.gaps,
        alarms: rep.alarms.map((a) => ({ ...a, unit: alarmUnit(a.id), worstValueText: alarmValueText(a.id, a.worstValue) })),
        adamsModelEvents: rep.adams,
        protocol,
        config,
        rests: toObjects(rests, REST_COLUMNS),
      },
      (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? (v !== v ? null : v > 0 ? "inf" : "-inf") : v),
      1,
    ),
  );
  writeFileSync(files.html, renderReport(rep, summary, protocol, config));
  return files;
}

/** Print the table chosen by `opts.printTable` (text: with the rests, the Adams line, the protocol check and the notes). */
function printAnalysis(opts: AnalyzeOptions, rep: ReplayResult, cycler: CyclerTables, protocol: ProtocolCheck[], notes: string[], adams: AdamsReport | null, files: AnalysisFiles, sourceLine: string): void {
  const print = opts.print ?? ((s: string) => process.stdout.write(s));
  const pt = opts.printTable === undefined ? "text" : opts.printTable;
  if (pt === "text") {
    print(`${sourceLine}\n`);
    print(toText(cycler.rows, cycler.columns));
    print(`\nrests\n${toText(restRows(rep.rests, rep.retentions), REST_COLUMNS)}`);
    if (adams) print(`\n${adamsLine(adams)}\n`);
    if (rep.alarms.length > 0) {
      print(`\nalarms\n${rep.alarms.map((a) => `  ${a.id} (${a.level}): raised ${a.raised}×, first at ${(a.firstTS / S_PER_H).toFixed(2)} h, worst ${alarmValueText(a.id, a.worstValue)}`).join("\n")}\n`);
    }
    print(`\nprotocol\n${protocol.map((p) => `  ${p.holds === true ? "holds   " : p.holds === false ? "FAILS   " : "unknown "} ${p.condition}: ${p.value}`).join("\n")}\n`);
    for (const n of notes) print(`note: ${n}\n`);
    print(`report: ${files.html}\n`);
  } else if (pt === "csv") {
    print(toCsv(cycler.rows, cycler.columns));
  } else if (pt === "json") {
    print(JSON.stringify(toObjects(cycler.rows, cycler.columns)) + "\n");
  }
}

/**
 * A test time that goes back is a clock fault of the file (e.g. the BDF repository's Time_Bug
 * example: 0.000 s on 19 rows at step starts). `analyze` replays such a file through the model's
 * step-back rule (each step's size in the notes, its cycle flagged, nothing counted twice);
 * a BDF export is refused, quoting the first, since the format's test time must only grow.
 */
function refuseTimeGoingBack(path: string, p: InputProfile): void {
  if (p.timeBackCount === 0) return;
  throw new ImportError(
    `${path}: the test time goes back ${p.timeBackCount} time(s) (first at ${p.timeBackFirst}): the file's time column is faulty; zbms does not guess the times. Fix or drop those rows and analyse again.`,
  );
}

/**
 * How the halves were paired into cycles, when it matters: by the cycler's cycle index, or
 * automatically against a first current step of the other direction (a warning).
 */
export function pairingNote(p: InputProfile, firstHalf: "charge" | "discharge", given: boolean): string | null {
  const word = (sign: number): string => (sign > 0 ? "charge" : "discharge");
  if (given) return null;
  if (p.cyclerFirstHalfSign !== 0) return `halves paired into cycles as the cycler's cycle index pairs them: each cycle opens with its ${firstHalf} half`;
  if (p.firstStepSign !== 0 && word(p.firstStepSign) !== firstHalf) {
    return `the input has no cycle index and its first current step is a ${word(p.firstStepSign)}, but cycles are taken to open with the ${firstHalf} half (the first half holding ≥ 10 % of the largest); the first ${word(p.firstStepSign)} is a partial cycle of its own. Give --first-half ${word(p.firstStepSign)} if the cycles open with it`;
  }
  return null;
}

export interface ExportOptions {
  format?: FormatId;
  /** The pack's own config (validated); default: fitted to the data. */
  config?: PackConfig;
  capacityAh?: number;
  firstHalf?: "charge" | "discharge";
  progress?: boolean | "auto";
}

/** Write a BDF CSV of any supported input (cycle and step counts from the shared model). */
export async function exportBdf(input: string, outFile: string, opts: ExportOptions = {}): Promise<{ rows: number; format: FormatId }> {
  const path = resolve(input);
  const imp = await pickImporter(path, opts.format);
  const prog = makeProgress(path, opts.progress);
  const profile = await profileInput(imp, path, prog.pass("profile"));
  refuseTimeGoingBack(path, profile);
  const fit = { capacityAh: opts.capacityAh, firstHalf: opts.firstHalf, keepBoardDefaults: imp.format === "zbms-log" };
  const base = pickConfig(imp, path, opts.config).base;
  const config = base ? userConfig(base, profile, fit) : fitValidConfig(profile, fit);
  const w = new BdfWriter(resolve(outFile));
  try {
    // The cycler's cycle and step numbers (read-ahead records carry them too).
    await replay(imp, path, { config, profile, bdf: w, onProgress: prog.pass("export "), zeroCurrentIsOpenCircuit: imp.format !== "zbms-log", cyclerCounts: true });
  } finally {
    w.close();
    prog.done();
  }
  return { rows: w.rows, format: imp.format };
}

/**
 * The replay's base config: a zbms raw log's own (logConfig.ts; a contradicting `--config` is
 * refused), else `--config`, else null (fitted). A zbms log without one gets a note saying so.
 */
function pickConfig(imp: Importer, path: string, given: PackConfig | undefined): ChosenConfig {
  if (imp.format !== "zbms-log") return chooseConfig(given, null, basename(path));
  let fromLog;
  try {
    fromLog = logConfig(path);
  } catch (e) {
    throw new AnalyzeOptionError(`${basename(path)}: its pack config copy could not be read: ${(e as Error).message}`);
  }
  let chosen: ChosenConfig;
  try {
    chosen = chooseConfig(given, fromLog, basename(path));
  } catch (e) {
    throw e instanceof ConfigMismatchError ? new AnalyzeOptionError(e.message) : e;
  }
  if (!fromLog) {
    chosen.notes.push(
      "the log carries no pack config (an older monitor or firmware, or the board did not answer the monitor's config request): " +
        (given ? "replayed with --config as given, unchecked" : "fitted one to the data; give --config with the pack file the board ran for its exact thresholds and gap limit"),
    );
  }
  return chosen;
}

// ------------------------------------------------------------------ option values (host/cli/analyzeCommand.ts)

/**
 * A bad analysis option (value of a flag of `zbms analyze` / `zbms export`, host/cli/analyzeCommand.ts):
 * the message names the flag and quotes the value.
 */
export class AnalyzeOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AnalyzeOptionError";
  }
}

/** Read and validate a pack config JSON file (`--config`). */
export function loadPackConfig(file: string): PackConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(resolve(file), "utf8"));
  } catch (e) {
    throw new AnalyzeOptionError(`--config "${file}": cannot read it as JSON (${(e as Error).message}); give a pack config file such as hardware/packs/znmno2-4s.json`);
  }
  try {
    return validateConfig(raw);
  } catch (e) {
    throw new AnalyzeOptionError(`--config "${file}": ${(e as Error).message}`);
  }
}

export function parseCapacityAh(text: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v)) throw new AnalyzeOptionError(`--capacity-ah "${text}" is not a positive number of Ah (e.g. --capacity-ah 0.25)`);
  return v;
}

export function parseFirstHalf(text: string): "charge" | "discharge" {
  if (text === "charge" || text === "discharge") return text;
  throw new AnalyzeOptionError(`--first-half "${text}": accepted values are "charge" (full cells) or "discharge" (Zn||Cu, half-cells)`);
}

export function parseChemistry(text: string): ChemistryId {
  if ((CHEMISTRY_IDS as string[]).indexOf(text) >= 0) return text as ChemistryId;
  throw new AnalyzeOptionError(`--chemistry "${text}": accepted values are ${CHEMISTRY_IDS.join(", ")}`);
}

export function parseCycleList(text: string): number[] {
  const out = text.split(",").map((s) => Number(s.trim()));
  for (const n of out) if (!Number.isInteger(n) || n < 1) throw new AnalyzeOptionError(`--dqdv "${text}": give cycle numbers ≥ 1 separated by commas, e.g. --dqdv 1,10,50`);
  return out;
}

