/**
 * Builds the firmware bundle: esbuild bundles `firmware/main.ts` (or `firmware/replayMain.ts`)
 * with the board and pack embedded through the virtual module `zbms-build`
 * (declared in `host/bundle/zbms-build.d.ts`) into one minified plain script for Espruino 2v29,
 * stamps the bundle hash, and runs the Espruino-subset check on the result.
 *
 * esbuild options, and why:
 *   - target es2015: lowers `**` (Math.pow), `?.`, `??=`/`||=`/`&&=`, object spread (through
 *     helpers the subset check then rejects), optional catch binding;
 *   - useDefineForClassFields: false (tsconfigRaw): fields become constructor assignments and
 *     bare declarations (`x;`, which Espruino is not known to run) vanish; a subclass with
 *     fields and no constructor would get `super(...arguments)`, which the subset check
 *     rejects; `??` stays native ([208]);
 *   - supported: default/rest arguments, destructuring, array spread, generators, async,
 *     new.target marked unsupported, so esbuild stops with the TypeScript file and line
 *     ("Transforming destructuring … is not supported yet") instead of emitting them;
 *   - charset ascii (Espruino's ESP32 build has no Unicode: non-ASCII becomes \u escapes);
 *   - define require → a placeholder, so `require("Storage")` stays Espruino's own `require`
 *     call instead of esbuild's `__require` shim (which needs Proxy).
 * Things esbuild cannot fix and the subset check catches: Map/Set/Symbol, missing Math/Number/
 * Array members, labels, regex features, `for (let…)` closures, deep super chains, computed keys.
 * TypeScript notes: a subclass with field initialisers and no constructor is fine here (fields
 * stay native); `tsc --target ES5` output is not used anywhere (its `__extends` runs before the
 * constructor's declaration, which Espruino's missing hoisting breaks).
 */
import { readFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type * as esbuild from "esbuild";
import { REPO_ROOT } from "../util/repoRoot.js";
import { validateBoard } from "../../shared/config/validateBoard.js";
import type { BoardDef } from "../../shared/config/boardDef.js";
import { BUNDLE_HASH_PLACEHOLDER, stampBundleHash } from "./bundleHash.js";
import { checkEspruinoSubset, loadAcorn, loadAcornWalk, type SubsetFinding } from "./espruinoSubset.js";
import { BUNDLE_BUDGET_BYTES } from "./bundleBudget.js";
import { readReplaySamples, samplesToJs } from "./replaySamples.js";
import { configLimits } from "./configLimits.js";
import { utf8ByteString } from "../serial/replCommand.js";
import { embedModuleSource } from "./embedCompact.js";
import { inlineConstants } from "./inlineConstants.js";
import { inlineFunctions } from "./inlineFunctions.js";
import { aliasGlobals } from "./aliasGlobals.js";
import { CONFIG_RULES, validateConfig } from "../../shared/config/validateConfig.js";
import type { ConfigLimits } from "../../firmware/configCheck.js";
import { checkPackFitsBoard } from "../boardDesign/packFit.js";
import { declaredChainProblem } from "./packChain.js";
import type { PackConfig } from "../../shared/config/packConfig.js";

/** The checkout root (host/util/repoRoot.ts; re-exported here for this module's callers). */
export { REPO_ROOT };
export const DEFAULT_BOARD = "esp32-ads1115";
export const DEFAULT_PACK = "hardware/packs/znmno2-4s.json";
/**
 * Boards whose default pack is not DEFAULT_PACK, because that pack does not fit them
 * (host/boardDesign/packFit.ts) or declares a better sensor chain than they deliver
 * (host/boardDesign/declaredChain.ts): esp32-adc reads at most ±1.6 A through its 10 mΩ shunt and
 * INA240A2 into the ESP32 ADC, below the 4 A over-current alarm of the 4S 2 Ah pack; a
 * smaller shunt would make its already ±2 pp CE bound several times worse
 * (hardware/generated/esp32-adc.md), so it is sized for the 1-cell 0.5 Ah Zn-I2 pack, which
 * declares its chain. esp32-ina226 reads cell voltages on the ESP32 ADC, far coarser than the
 * 4S pack's ADS1115 chain: the 2-cell Zn-PBA pack declares its chain (INA226 current, ESP32 cells).
 */
export const BOARD_DEFAULT_PACKS: Record<string, string> = {
  "esp32-adc": "hardware/packs/zni2-1s.json",
  "esp32-ina226": "hardware/packs/znpba-2s.json",
};

/** The pack a board builds with when no --pack is given. */
export function defaultPackFor(board: string): string {
  return BOARD_DEFAULT_PACKS[board] ?? DEFAULT_PACK;
}
export const DEFAULT_OUT = "dist/firmware/zbms.js";
export const DEFAULT_REPLAY_OUT = "dist/firmware/replay.js";
/** Pseudo-board name that builds the replay bundle. */
export const REPLAY_BOARD = "replay";
/** Espruino modules the bundle may `require` (built into the ESP32 firmware). */
export const ESPRUINO_MODULES = ["Storage", "ESP32"];
const REQUIRE_PLACEHOLDER = "__zbmsEspruinoRequire";
const VIRTUAL_MODULE = "zbms-build";

export interface BuildOptions {
  /** Board id (file `hardware/boards/<id>.json`) or "replay"; default `esp32-ads1115`. */
  board?: string;
  /** Pack config JSON path (relative to the repo root or absolute); default `defaultPackFor(board)`: `hardware/packs/znmno2-4s.json`, esp32-adc `zni2-1s.json`, esp32-ina226 `znpba-2s.json`. */
  pack?: string;
  /** Output file; default `dist/firmware/zbms.js` (replay: `dist/firmware/replay.js`). Set `write: false` to skip writing. */
  out?: string;
  /** Replay builds: samples JSONL path (one `Sample` per line, null for NaN); without it the
   *  replay bundle streams: the host calls `zbmsReplay(…)` once per sample (firmware/replayMain.ts). */
  samples?: string;
  /** Write the bundle to `out` (default true). */
  write?: boolean;
  /** Entry file override (tests): default `firmware/main.ts` / `firmware/replayMain.ts`. */
  entry?: string;
  /** Minify (default true). */
  minify?: boolean;
  /** A `zbms calibrate` record of this board type: allows the pack to declare the calibrated
   *  ESP32-ADC cell-voltage terms (host/bundle/packChain.ts); without it the data-sheet chain is the floor. */
  calibration?: string;
}

export interface BuildResult {
  /** The final bundle text (hash stamped). */
  code: string;
  /** Bundle size (bytes, UTF-8 = ASCII). */
  sizeB: number;
  budgetB: number;
  /** `BUILD.hash` embedded in the bundle. */
  hash: string;
  version: string;
  board: string;
  packName: string;
  /** Absolute path written, or undefined when `write: false`. */
  outFile?: string;
  /** Espruino-subset findings on the bundle (empty = passes). */
  findings: SubsetFinding[];
  /** esbuild warnings, formatted. */
  warnings: string[];
  /** Bytes each source file contributes to the (minified) bundle, largest first. */
  contributions: Array<{ file: string; bytes: number }>;
}

/** Thrown when the inputs are bad or esbuild fails; the message says which and why. */
export class FirmwareBuildError extends Error {}

function abs(p: string): string {
  return resolve(REPO_ROOT, p);
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new FirmwareBuildError(`${what}: cannot read ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FirmwareBuildError(`${what}: ${path} is not valid JSON (${(e as Error).message})`);
  }
}

/** Load and validate a board file by id; the error lists the boards that exist. */
export async function loadBoard(id: string): Promise<BoardDef> {
  if (!/^[a-z0-9-]+$/.test(id)) {
    throw new FirmwareBuildError(`--board: got "${id}"; accepted: a file name under hardware/boards without .json, or "replay"`);
  }
  const path = join(REPO_ROOT, "hardware", "boards", id + ".json");
  let raw: unknown;
  try {
    raw = await readJson(path, "--board");
  } catch (e) {
    const { readdir } = await import("node:fs/promises");
    const names = (await readdir(join(REPO_ROOT, "hardware", "boards")).catch(() => [] as string[]))
      .filter((n) => n.endsWith(".json")).map((n) => n.slice(0, -5));
    throw new FirmwareBuildError(`--board: got "${id}"; accepted: ${names.concat([REPLAY_BOARD]).join(", ")} (${(e as Error).message})`);
  }
  try {
    return validateBoard(raw);
  } catch (e) {
    throw new FirmwareBuildError(`${path}: ${(e as Error).message}`);
  }
}

/** Load a pack config and validate it with the shared model's `validateConfig`. */
export async function loadPack(path: string): Promise<Record<string, unknown>> {
  const raw = await readJson(abs(path), "--pack");
  try {
    return validateConfig(raw) as unknown as Record<string, unknown>;
  } catch (e) {
    throw new FirmwareBuildError(`${abs(path)}: ${(e as Error).message}`);
  }
}

async function packageVersion(): Promise<string> {
  const pkg = (await readJson(join(REPO_ROOT, "package.json"), "package.json")) as { version?: string };
  return pkg.version ?? "0.0.0";
}

/**
 * JS source of the virtual module, written compactly (host/bundle/embedCompact.ts: alarm rows and
 * channel lists as tables, repeated strings once, CONFIG_LIMITS rows shared); the values the
 * firmware sees are those of the JSON. REPLAY_SAMPLES keeps NaN (JSON cannot hold it).
 */
export function virtualModuleSource(board: BoardDef, pack: unknown, build: Record<string, string>, samplesJs: string, limits: ConfigLimits): string {
  // `sources` documents the constants for people ("not used by code", shared/config/boardDef.ts): kept out of the bundle.
  // `description` likewise (the ident line names the board by id).
  const embedded: Partial<BoardDef> = { ...board };
  delete embedded.sources;
  delete embedded.description;
  return embedModuleSource([
    { name: "BOARD", value: embedded },
    // a function making the pack per call: the board holds only the live config (after a `set`
    // and a reboot the stored copy), not the embedded one beside it (≈ 530 JsVars on the ESP32)
    { name: "PACK", value: pack, lazy: true },
    { name: "BUILD", value: build },
    { name: "REPLAY_SAMPLES", value: null, source: samplesJs },
    // read-only on the board (firmware/configCheck.ts only reads it): identical rows may be one array;
    // made per check (a `set`, a stored config at boot), not held: ≈ 160 JsVars on the ESP32
    { name: "CONFIG_LIMITS", value: limits, shareRepeats: true, lazy: true },
  ]);
}

/** Chip drivers the build can leave out: the real module, its stand-in, and whether a board uses the chip. */
const CHIP_DRIVERS: Array<{ module: string; absent: string; used: (b: BoardDef) => boolean }> = [
  {
    module: "firmware/drivers/ads1115Driver.ts",
    absent: "firmware/drivers/ads1115Absent.ts",
    used: (b) => (b.ads1115 ?? []).length > 0 || [b.current, ...b.voltages, ...b.temps].some((c) => c.chip === "ads1115"),
  },
  {
    module: "firmware/drivers/ina226Driver.ts",
    absent: "firmware/drivers/ina226Absent.ts",
    used: (b) => b.ina226 !== undefined || b.current.chip === "ina226",
  },
];

/**
 * Absolute path of each chip driver the board does not use → its stand-in (same exports, a
 * driver error if ever called), so the bundle does not carry dead driver code. Replay builds
 * read no sensors: every driver is substituted.
 */
export function chipDriverSubstitutes(board: BoardDef | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of CHIP_DRIVERS) if (board === null || !d.used(board)) out[abs(d.module)] = abs(d.absent);
  return out;
}

/** Every `require(...)` left in the bundle must name an Espruino module. */
function checkRequires(code: string): string[] {
  const bad: string[] = [];
  const ast = loadAcorn().parse(code, { ecmaVersion: "latest", locations: true });
  loadAcornWalk().simple(ast, {
    CallExpression(node) {
      if (node.callee.type !== "Identifier" || node.callee.name !== "require") return;
      const a = node.arguments[0];
      const name = a && a.type === "Literal" && typeof a.value === "string" ? a.value : undefined;
      if (name === undefined || !ESPRUINO_MODULES.includes(name)) {
        bad.push(`require(${code.slice(a ? a.start : node.start, a ? a.end : node.end)}) at ${node.loc!.start.line}:${node.loc!.start.column}; accepted: ${ESPRUINO_MODULES.join(", ")}`);
      }
    },
  });
  return bad;
}

/**
 * esbuild options that keep the output inside what Espruino 2v29 parses and runs
 * (docs/espruino.md): syntax esbuild cannot lower is refused at build time with the
 * TypeScript file and line, the rest is checked by espruinoSubset.ts. Shared with the tests that
 * bundle parts of shared/ the same way.
 */
export const ESPRUINO_ESBUILD_OPTIONS = {
  format: "iife",
  platform: "neutral",
  target: "es2015",
  supported: {
    "class-field": true,
    "class-static-field": true,
    "nullish-coalescing": true,
    "default-argument": false,
    "rest-argument": false,
    destructuring: false,
    "array-spread": false,
    generator: false,
    "async-await": false,
    "async-generator": false,
    "for-await": false,
    "new-target": false,
    bigint: false,
  },
  // TypeScript's pre-ES2022 field semantics: a field declared without an initialiser
  // (`config;`) emits nothing, one with an initialiser becomes `this.x = …` in the
  // constructor. Espruino is only known to run fields WITH an initialiser ([013]); the
  // subset check rejects bare fields (rule "bare-class-field").
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
  charset: "ascii",
} satisfies esbuild.BuildOptions;

/** Subset rule whose minified message names the class by a mangled letter (espruinoSubset.ts). */
const SELF_NAMED_CLASS_RULE = "class-self-reference";

/**
 * A self-named class expression in a minified bundle is called `e` or so: take the message of the
 * same finding in the unminified build, which carries the source names (`_PackModel`, assigned to `PackModel`).
 */
async function nameSelfNamedClasses(findings: SubsetFinding[], opts: BuildOptions): Promise<void> {
  const readable = (await buildFirmware({ ...opts, minify: false, write: false })).findings.filter((f) => f.rule === SELF_NAMED_CLASS_RULE);
  const mine = findings.filter((f) => f.rule === SELF_NAMED_CLASS_RULE);
  if (readable.length !== mine.length) return;
  mine.forEach((f, i) => {
    f.message = readable[i]!.message + " (names from the unminified build, `--no-minify`)";
  });
}

/** Build one bundle. Throws FirmwareBuildError on bad input or a failed esbuild; subset findings are returned, not thrown. */
/**
 * The minified bundle rewritten for the interpreter (each rewrite checks its own safety):
 * numeric module constants as literals (≈ 100 JsVars less, inlineConstants.ts) and one-expression
 * functions inlined at their calls (inlineFunctions.ts, for the model step's speed). The subset
 * check reads this text; the globals' aliases (aliasGlobals.ts) come after it, as they would hide
 * `Math.trunc` and the like from the check.
 */
export function rewriteForEspruino(raw: string): string {
  return inlineFunctions(inlineConstants(raw).code).code;
}

export async function buildFirmware(opts: BuildOptions = {}): Promise<BuildResult> {
  const boardId = opts.board ?? DEFAULT_BOARD;
  const isReplay = boardId === REPLAY_BOARD;
  if (!isReplay && opts.samples) {
    throw new FirmwareBuildError(`--samples is only accepted with --board replay (got --board ${boardId})`);
  }
  const board = await loadBoard(isReplay ? DEFAULT_BOARD : boardId);
  const packPath = opts.pack ?? defaultPackFor(isReplay ? DEFAULT_BOARD : boardId);
  const pack = await loadPack(packPath);
  const packName = typeof pack.name === "string" ? pack.name : packPath;
  if (!isReplay) {
    const misfit = checkPackFitsBoard(board, pack as unknown as PackConfig);
    if (misfit.length > 0) {
      throw new FirmwareBuildError(`the pack does not fit the board (host/boardDesign/packFit.ts):\n  ${misfit.join("\n  ")}\n` +
        `choose another --board or --pack, or change the board file hardware/boards/${boardId}.json`);
    }
    const chain = await declaredChainProblem(board, pack as unknown as PackConfig, abs(packPath), opts.calibration);
    if (chain !== null) throw new FirmwareBuildError(chain);
  } else if (opts.calibration !== undefined) {
    throw new FirmwareBuildError(`--calibration is not accepted with --board replay`);
  }
  const nameBytes = utf8ByteString(String(pack.name)).length;
  if (nameBytes > CONFIG_RULES.name.maxLen!) {
    throw new FirmwareBuildError(`${abs(packPath)}: pack name "${String(pack.name)}" is ${nameBytes} bytes of UTF-8; the board (no Unicode: strings are bytes) accepts at most ${CONFIG_RULES.name.maxLen}`);
  }
  const limits = configLimits(CONFIG_RULES, pack);
  const version = await packageVersion();
  const samplesJs = isReplay && opts.samples ? samplesToJs(await readReplaySamples(abs(opts.samples))) : "[]";
  const build = { version, hash: BUNDLE_HASH_PLACEHOLDER, board: boardId, pack: packName };
  const entry = abs(opts.entry ?? (isReplay ? "firmware/replayMain.ts" : "firmware/main.ts"));

  const plugin: esbuild.Plugin = {
    name: "zbms-build",
    setup(b) {
      b.onResolve({ filter: /^zbms-build$/ }, () => ({ path: VIRTUAL_MODULE, namespace: "zbms-build" }));
      b.onLoad({ filter: /.*/, namespace: "zbms-build" }, () => ({
        // text the board holds and prints back as its bytes: UTF-8, read back by boardText
        contents: virtualModuleSource(board, { ...pack, name: utf8ByteString(String(pack.name)) }, { ...build, pack: utf8ByteString(packName) }, samplesJs, limits),
        loader: "js",
      }));
      // Drivers of chips this board lacks → their stand-ins (chipDriverSubstitutes).
      const substitutes = chipDriverSubstitutes(isReplay ? null : board);
      b.onResolve({ filter: /Driver$/ }, (args) => {
        const target = resolve(args.resolveDir, args.path + ".ts");
        const sub = substitutes[target];
        return sub !== undefined && !args.importer.endsWith("Absent.ts") ? { path: sub } : undefined;
      });
      const modFilter = new RegExp(`^(${ESPRUINO_MODULES.join("|")})$`);
      b.onResolve({ filter: modFilter }, (args) => ({ path: args.path, namespace: "espruino-module" }));
      b.onLoad({ filter: /.*/, namespace: "espruino-module" }, (args) => ({
        contents: `export default ${REQUIRE_PLACEHOLDER}(${JSON.stringify(args.path)});`,
        loader: "js",
      }));
    },
  };

  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
  // Loaded here, not at import: every zbms command imports this module and esbuild costs ≈ 14 ms to load.
  const bundler = await import("esbuild");
  try {
    result = await bundler.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      ...ESPRUINO_ESBUILD_OPTIONS,
      mainFields: ["module", "main"],
      legalComments: "none",
      minify: opts.minify ?? true,
      define: { require: REQUIRE_PLACEHOLDER },
      plugins: [plugin],
      metafile: true,
      logLevel: "silent",
    });
  } catch (e) {
    const failure = e as esbuild.BuildFailure;
    const msgs = failure.errors
      ? failure.errors.map((m) => `${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ""}${m.text}`)
      : [(e as Error).message];
    throw new FirmwareBuildError(`esbuild failed for ${entry}:\n  ${msgs.join("\n  ")}`);
  }
  const raw = result.outputFiles[0]!.text.split(REQUIRE_PLACEHOLDER + "(").join("require(");
  const minify = opts.minify ?? true;
  const rewritten = minify ? rewriteForEspruino(raw) : raw;
  const findings = checkEspruinoSubset(rewritten);
  const { code, hash } = stampBundleHash(minify ? aliasGlobals(rewritten).code : rewritten);
  const badRequires = checkRequires(code);
  if (badRequires.length > 0) {
    throw new FirmwareBuildError(`the bundle requires modules Espruino does not have:\n  ${badRequires.join("\n  ")}`);
  }
  if ((opts.minify ?? true) && findings.some((f) => f.rule === SELF_NAMED_CLASS_RULE)) await nameSelfNamedClasses(findings, opts);
  const warnings = result.warnings.map((w) => `${w.location ? `${w.location.file}:${w.location.line}: ` : ""}${w.text}`);
  const sizeB = Buffer.byteLength(code, "utf8");
  let outFile: string | undefined;
  if (opts.write ?? true) {
    outFile = abs(opts.out ?? (isReplay ? DEFAULT_REPLAY_OUT : DEFAULT_OUT));
    await mkdir(dirname(outFile), { recursive: true });
    await writeFile(outFile, code);
  }
  const contributions: Array<{ file: string; bytes: number }> = [];
  const outputs = result.metafile ? Object.values(result.metafile.outputs) : [];
  for (const out of outputs) {
    for (const [file, info] of Object.entries(out.inputs)) contributions.push({ file, bytes: info.bytesInOutput });
  }
  contributions.sort((a, b) => b.bytes - a.bytes);
  return { code, sizeB, budgetB: BUNDLE_BUDGET_BYTES, hash, version, board: boardId, packName, outFile, findings, warnings, contributions };
}
