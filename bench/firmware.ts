/**
 * Firmware cost benchmark (issue 8): `npm run bench:firmware`. Not a test: it reports figures.
 *
 *  1. Bundle: the real firmware bundle (default board esp32-ads1115, pack znmno2-4s) built by
 *     host/build/buildFirmware.ts; its size in bytes.
 *  2. JsVar estimate (bench/jsVarEstimate.ts documents the rules): code kept as text, one JsVar
 *     per ~12 characters (the conservative case), and the flash-resident lower bound (a few
 *     JsVars per function); state: the model's state tree (the tree shared/state/snapshot.ts
 *     stores, every numeric leaf), its derived tables and alarm inputs, and the config, all
 *     counted object by object and name by name. Pool: docs/espruino.md's "(free heap −
 *     40 000 B) / 14 B per JsVar, at most 16 383" (host/build/bundleBudget.ts ESP32_JSVAR_POOL).
 *     The real bundle is also booted on the virtual board and its `zbms("status")` reply printed.
 *  3. Step time: the shared model, built by the same builder (same esbuild options, same
 *     Espruino-subset check; entry bench/firmwareStepEntry.ts), stepped on a synthetic cycling
 *     stream for 1, 4 and 8 cells. The figure runs that bundle in the host realm
 *     (vm.runInThisContext): inside a node:vm context every global lookup (isNaN, Math, NaN)
 *     goes through the context's interceptors, several times slower than the model itself and
 *     nothing like Espruino's scope lookup; the virtual board's sandbox figure is printed too.
 *     Over one whole 10 h cycle of the profile, in blocks of 1000 samples, each block is run
 *     9 times from the same snapshot (restore is exact) and its fastest run kept, minus the
 *     fastest time of copying the same samples without stepping: robust to a busy machine.
 *     A fixed reference loop (`s += i`, one "simple loop iteration" of docs/espruino.md, "Speed") is
 *     timed in the same realm between blocks (fastest run). stepCostRatio = step time ÷
 *     reference iteration time: it carries across machines of the same Node/V8 version.
 *  4. Heap growth (bench/heapCensus.ts): V8 heap snapshots before and after (a) 100 000
 *     PackModel.step calls of a 4-cell model in the virtual board's sandbox, after 40 000
 *     warm-up steps (a whole 10 h cycle), and (b) 100 000 samples of the whole firmware (real
 *     bundle, sensors over the emulated I2C chips, model, telemetry lines, state saves) on a
 *     virtual board measuring a cycling pack, after 20 000 warm-up samples (> 2 cycles). Each
 *     snapshot's nodes are split into program data (reachable from the program's roots through
 *     objects, arrays and their stores, strings, numbers, closures, contexts, typed-array bytes)
 *     and V8 internals (code, bytecode, feedback, maps, caches); both growths are printed with
 *     their largest groups and, for grown program groups, the new nodes and what holds them.
 *     The sandbox shares the process's V8 heap, and the host's board emulation is included.
 *     heapGrowthBytes = bytes of program-data groups that grew, the larger of (a) and (b).
 * The last line printed is one JSON object:
 *   {"bundleBytes":…, "stateBytes":…, "stepCostRatio4Cells":…, "heapGrowthBytes":…}
 * stateBytes = estimated JsVars of the model's run-time data (state tree + derived tables +
 * alarm inputs, config excluded) × 14 B.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import vm from "node:vm";
import * as acorn from "acorn";
import * as walk from "acorn-walk";
import { buildFirmware, DEFAULT_PACK, REPO_ROOT } from "../host/build/buildFirmware";
import { ESP32_JSVAR_POOL, JSVAR_SIZE_B, codeJsVars } from "../host/build/bundleBudget";
import { VirtualBoard } from "../host/board/virtualBoard";
import { validateBoard } from "../firmware/boardValidate";
import { validateConfig } from "../shared/config/validateConfig";
import type { PackConfig } from "../shared/config/packConfig";
import { decodeLine } from "../shared/telemetry/lineFormat";
import { FLASH_FUNCTION_JSVARS, estimateTreeJsVars, type JsVarCount } from "./jsVarEstimate";
import { TokenCounter } from "./tokenCount";
import { growthLines, measureHeapGrowth, type HeapGrowth } from "./heapCensus";
import type { PackSource } from "../host/board/frontEnd";

/** Cell counts timed (issue 8). */
const CELL_COUNTS = [1, 4, 8];
/** Warm-up steps before timing and before the heap baseline (JIT settles, first cycle opens). */
const WARMUP_STEPS = 10_000;
/** Timed blocks (36 × 1000 samples at 1 s = one 10 h cycle of the profile) and repeats per block. */
const TIMED_BLOCKS = 36;
const BLOCK_STEPS = 1000;
const BLOCK_REPEATS = 9;
/** Reference-loop iterations per timing (about a millisecond on a PC). */
const REFERENCE_ITERATIONS = 1_000_000;
/** Warm-up before the heap baseline: one whole 10 h cycle and more, so every code path (a cycle
 *  record, a rest) has run and been compiled before the baseline. */
const HEAP_WARMUP_STEPS = 40_000;
/** Steps (and firmware samples) of the heap-growth runs (issue 8). */
const HEAP_STEPS = 100_000;
/** Warm-up samples of the whole firmware before its heap baseline: ≥ 2 cycles of cyclingPack. */
const FIRMWARE_HEAP_WARMUP_SAMPLES = 20_000;
/** Changed node groups printed per class. */
const HEAP_GROUPS_SHOWN = 8;
/** Smallest V8 object a per-step leak could keep (B): header + one field. */
const V8_MIN_OBJECT_B = 16;
/** cyclingPack: current as a C-rate, half-cycle and rest (s): a 2 h 30 min cycle, 42 % of capacity per half. */
const CYCLE_CURRENT_C = 0.5;
const CYCLE_HALF_S = 3000;
/** Rest ≥ the pack's relaxedMinMs + relaxedWindowMs (600 s + 600 s), so the OCV anchor path runs. */
const CYCLE_REST_S = 1500;
/** Charge fraction at the bottom of the cycle. */
const CYCLE_LOW_FRAC = 0.2;
/** Cell resistance (Ω), per-cell voltage offset (V), ripple (V) and temperature (°C) of cyclingPack (synthetic). */
const CYCLE_R_OHM = 0.1;
const CYCLE_CELL_SPREAD_V = 0.002;
const CYCLE_RIPPLE_V = 0.001;
const CYCLE_TEMP_C = 25;
/** Espruino, x86 build with the ESP32's variable format: one simple loop iteration (µs); docs/espruino.md, "Speed". */
const ESPRUINO_X86_LOOP_ITER_US = 5;
/** The ESP32 is "several times slower again" (docs/espruino.md, "Speed"): range used for the estimate. */
const ESP32_SLOWDOWN_LOW = 3;
const ESP32_SLOWDOWN_HIGH = 10;
/** Steps counted for tokens executed: one whole 10 h cycle of the profile at 1 s. */
const TOKEN_STEPS = 36_000;
/** Reference-loop iterations counted for tokens. */
const TOKEN_REF_ITERATIONS = 100_000;
/** Samples of the whole firmware counted for tokens. */
const FIRMWARE_TOKEN_SAMPLES = 300;
/** Virtual seconds the real bundle runs before `zbms("status")` is asked. */
const BOARD_RUN_S = 30;

interface SandboxBench {
  make: (configJson: string, sampleCount: number) => {
    cellCount: number;
    run: (from: number, count: number, doStep: number) => number;
    stateDoubles: () => number;
    model: { state(): object };
  };
  referenceLoop: (n: number) => number;
}

function timeMs(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** The default pack with `cellCount` cells (everything else as in the pack file), validated. */
function packWithCells(cells: number): PackConfig {
  const raw = JSON.parse(readFileSync(new URL("../" + DEFAULT_PACK, import.meta.url), "utf8")) as Record<string, unknown>;
  raw.cellCount = cells;
  return validateConfig(raw);
}

/** Functions and parameters in the bundle (for the flash-resident code estimate). */
function countFunctions(code: string): { functions: number; params: number } {
  const ast = acorn.parse(code, { ecmaVersion: "latest" });
  let functions = 0;
  let params = 0;
  const onFn = (node: acorn.Function) => {
    functions++;
    params += node.params.length;
  };
  walk.simple(ast, { FunctionDeclaration: onFn, FunctionExpression: onFn, ArrowFunctionExpression: onFn });
  return { functions, params };
}

function fmtCount(c: JsVarCount): string {
  return `${c.total} JsVars (${c.objects} objects, ${c.names} names, ${c.values} values, ${c.typedArrays} in typed arrays of ${c.typedArrayBytes} B; ${c.numberLeaves} numeric leaves)`;
}

/** ESP32 step time (ms) estimated from a ratio: ratio × Espruino's loop iteration × the ESP32's slowdown. */
function esp32Range(ratio: number): string {
  const lo = (ratio * ESPRUINO_X86_LOOP_ITER_US * ESP32_SLOWDOWN_LOW) / 1000;
  const hi = (ratio * ESPRUINO_X86_LOOP_ITER_US * ESP32_SLOWDOWN_HIGH) / 1000;
  return `${lo.toFixed(1)}–${hi.toFixed(1)} ms`;
}

/**
 * Mean step time over one whole cycle of the profile, robust to a busy machine: each block of
 * BLOCK_STEPS is run BLOCK_REPEATS times from the same snapshot (restore is exact) and its
 * fastest run kept; the copy-only time of the block (fastest of the repeats) is subtracted.
 * The reference loop's fastest run over all blocks gives the reference iteration time.
 */
function timeSteps(sb: SandboxBench, cfg: PackConfig): { stepNs: number; refNs: number } {
  const b = sb.make(JSON.stringify(cfg), WARMUP_STEPS + TIMED_BLOCKS * BLOCK_STEPS);
  const m = b.model as unknown as { snapshot(): Float64Array; restore(s: ArrayLike<number>): void };
  b.run(0, WARMUP_STEPS, 1);
  b.run(0, WARMUP_STEPS, 0);
  sb.referenceLoop(REFERENCE_ITERATIONS);
  let stepMs = 0;
  let refMs = Infinity;
  for (let k = 0; k < TIMED_BLOCKS; k++) {
    const from = WARMUP_STEPS + k * BLOCK_STEPS;
    const snap = m.snapshot();
    let withStep = Infinity;
    let copyOnly = Infinity;
    for (let r = 0; r < BLOCK_REPEATS; r++) {
      if (r > 0) m.restore(snap);
      withStep = Math.min(withStep, timeMs(() => b.run(from, BLOCK_STEPS, 1)));
      copyOnly = Math.min(copyOnly, timeMs(() => b.run(from, BLOCK_STEPS, 0)));
    }
    refMs = Math.min(refMs, timeMs(() => sb.referenceLoop(REFERENCE_ITERATIONS)));
    stepMs += withStep - copyOnly;
  }
  return { stepNs: (stepMs * 1e6) / (TIMED_BLOCKS * BLOCK_STEPS), refNs: (refMs * 1e6) / REFERENCE_ITERATIONS };
}

/** Tokens the real bundle executes per sample on a virtual board (its REPL input file name is "REPL"). */
async function firmwareTokensPerSample(code: string): Promise<number> {
  const vb = newFirmwareBoard();
  const tc = await TokenCounter.start(code, "REPL");
  vb.evaluate(tc.source);
  vb.advance(BOARD_RUN_S * 1000);
  const status0 = statusReply(vb);
  await tc.reset();
  vb.advance(FIRMWARE_TOKEN_SAMPLES * packWithCells(4).samplePeriodMs);
  const tokens = await tc.take();
  const status1 = statusReply(vb);
  await tc.close();
  const samples = (status1.samples as number) - (status0.samples as number);
  if (!(samples > 0)) throw new Error(`the firmware took no samples on the virtual board (status: ${JSON.stringify(status1)})`);
  return tokens / samples;
}

function newFirmwareBoard(pack?: PackSource): VirtualBoard {
  const board = validateBoard(JSON.parse(readFileSync(new URL("../hardware/boards/esp32-ads1115.json", import.meta.url), "utf8")));
  return new VirtualBoard({ board, pack: pack ?? (() => ({ cellV: [1.4, 1.41, 1.42, 1.43], currentA: 0.4, tempC: [25, 25] })) });
}

/** Print a heap growth: program data, then V8 internals, each with its largest groups. */
function printGrowth(what: string, g: HeapGrowth): void {
  console.log(`heap snapshots, ${what}:`);
  console.log(
    ` program data (objects, arrays and their stores, strings, numbers, closures, contexts, typed-array bytes reachable from the program): ` +
      `net ${g.program.count} nodes, ${g.program.bytes} B; in groups that grew ${g.programGrown.count} nodes, ${g.programGrown.bytes} B`,
  );
  for (const l of growthLines(g, "program", HEAP_GROUPS_SHOWN)) console.log(" " + l);
  for (const l of g.newProgramNodes) console.log(`   new: ${l}`);
  console.log(` V8 internals (code, bytecode, feedback, maps, metadata): ${g.internal.count} nodes, ${g.internal.bytes} B`);
  for (const l of growthLines(g, "internal", HEAP_GROUPS_SHOWN)) console.log(" " + l);
}

/**
 * A pack that cycles (so the firmware's cycle, rest and SOC-anchor paths run): charge at
 * CYCLE_CURRENT_C × capacity for CYCLE_HALF_S, rest CYCLE_REST_S, discharge, rest; cell voltage
 * linear in charge plus I·R, per-cell offsets, a deterministic ±1 mV ripple.
 */
function cyclingPack(cfg: PackConfig): PackSource {
  const cycleS = 2 * (CYCLE_HALF_S + CYCLE_REST_S);
  const ampsA = CYCLE_CURRENT_C * cfg.capacityAh;
  const span = cfg.soc.fullCellV - cfg.soc.emptyCellV;
  return (tMs: number) => {
    const ph = (tMs / 1000) % cycleS;
    let a = 0;
    let chargeFrac = CYCLE_LOW_FRAC;
    const swing = (ampsA * CYCLE_HALF_S) / 3600 / cfg.capacityAh;
    if (ph < CYCLE_HALF_S) {
      a = ampsA;
      chargeFrac += (swing * ph) / CYCLE_HALF_S;
    } else if (ph < CYCLE_HALF_S + CYCLE_REST_S) chargeFrac += swing;
    else if (ph < 2 * CYCLE_HALF_S + CYCLE_REST_S) {
      a = -ampsA;
      chargeFrac += swing * (1 - (ph - CYCLE_HALF_S - CYCLE_REST_S) / CYCLE_HALF_S);
    }
    const ripple = CYCLE_RIPPLE_V * Math.sin(tMs / 7919);
    const cellV: number[] = [];
    for (let c = 0; c < cfg.cellCount; c++) cellV.push(cfg.soc.emptyCellV + span * chargeFrac + a * CYCLE_R_OHM + c * CYCLE_CELL_SPREAD_V + ripple);
    const tempC: number[] = [];
    for (let j = 0; j < cfg.tempCount; j++) tempC.push(CYCLE_TEMP_C);
    return { cellV, currentA: a, tempC };
  };
}

/** Ask `zbms("status")` and return the reply's JSON payload. */
function statusReply(vb: VirtualBoard): Record<string, unknown> {
  const before = vb.output.length;
  vb.evaluate('zbms("status")');
  const lines = vb.output.slice(before).split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const d = decodeLine(lines[i]);
    if (d.ok && d.record.type === "reply") return JSON.parse((d.record as { payload: string }).payload) as Record<string, unknown>;
    if (d.ok && d.record.type === "error") throw new Error(`zbms("status") answered an error: ${JSON.stringify(d.record)}`);
  }
  throw new Error(`zbms("status") gave no reply line; board output ends: ${vb.output.slice(-400)}`);
}

/** Boot the real bundle on a virtual board and return its `zbms("status")` reply payload. */
function statusFromRealBundle(code: string): Record<string, unknown> {
  const vb = newFirmwareBoard();
  vb.evaluate(code);
  vb.advance(BOARD_RUN_S * 1000);
  return statusReply(vb);
}

async function main(): Promise<void> {
  // 1. The real bundle.
  const fw = await buildFirmware({ write: false });
  if (fw.findings.length > 0) throw new Error(`the firmware bundle fails the Espruino-subset check (${fw.findings.length} findings)`);
  const bundleBytes = fw.sizeB;
  const fns = countFunctions(fw.code);
  const codeTextVars = codeJsVars(bundleBytes);
  const codeFlashVars = fns.functions * FLASH_FUNCTION_JSVARS + fns.params;
  console.log(`bundle: ${bundleBytes} B (board ${fw.board}, pack "${fw.packName}", hash ${fw.hash}), ${fns.functions} functions, ${fns.params} parameters`);
  console.log(`code JsVars: ≈ ${codeTextVars} kept as text (${bundleBytes} B / 12 chars per JsVar); ≈ ${codeFlashVars} if function bodies stay in flash (${FLASH_FUNCTION_JSVARS} per function + 1 per parameter)`);

  // 2. The model's state, estimated on a model built from the same pack (step bundle below).
  const stepBuild = await buildFirmware({ write: false, entry: "bench/firmwareStepEntry.ts" });
  if (stepBuild.findings.length > 0) {
    throw new Error(`the step bundle fails the Espruino-subset check: ${stepBuild.findings.map((f) => JSON.stringify(f)).join("; ")}`);
  }
  const vb = new VirtualBoard({});
  const loaded = vb.evaluate(stepBuild.code);
  if (!loaded.ok) throw new Error(`the step bundle did not load in the virtual board: ${loaded.text}`);
  const sb = vb.global("zbmsStepBench") as SandboxBench;

  const cfg4 = packWithCells(4);
  const probe = sb.make(JSON.stringify(cfg4), 10);
  probe.run(0, 10, 1);
  const model = probe.model as unknown as { state(): object; inp: object; config: object };
  // Config first: the alarm plan refers to the config's rows, which must not be counted twice.
  const seen = new Set<object>();
  const config = estimateTreeJsVars(model.config, seen);
  const stateTree = estimateTreeJsVars(model.state(), seen);
  const inputs = estimateTreeJsVars(model.inp, seen);
  const runtimeVars = stateTree.total + inputs.total;
  const stateBytes = runtimeVars * JSVAR_SIZE_B;
  const stateDoubles = probe.stateDoubles();
  console.log(`state tree (4 cells): ${fmtCount(stateTree)}; snapshot ${stateDoubles} doubles = ${stateDoubles * 8} B`);
  console.log(`alarm inputs: ${inputs.total} JsVars; config: ${fmtCount(config)}`);
  const modelVars = runtimeVars + config.total;
  const perCells: string[] = [];
  for (const cells of CELL_COUNTS) {
    const m = sb.make(JSON.stringify(packWithCells(cells)), 10);
    m.run(0, 10, 1);
    const mm = m.model as unknown as { state(): object; inp: object; config: object };
    const seenC = new Set<object>();
    const cfgVars = estimateTreeJsVars(mm.config, seenC).total;
    perCells.push(`${cells} cells: model data ${estimateTreeJsVars(mm.state(), seenC).total + estimateTreeJsVars(mm.inp, seenC).total}, config ${cfgVars}, snapshot ${m.stateDoubles()} doubles`);
  }
  console.log(`model JsVars by cell count: ${perCells.join("; ")}`);
  const pct = (n: number) => ((100 * n) / ESP32_JSVAR_POOL).toFixed(1) + " %";
  console.log(
    `JsVar budget of an estimated ${ESP32_JSVAR_POOL}-JsVar ESP32 pool ((200 000 B free − 40 000 B) / 14 B): ` +
      `code ${codeTextVars} (${pct(codeTextVars)}), model data ${runtimeVars} (${pct(runtimeVars)}), config ${config.total} (${pct(config.total)}); ` +
      `left for everything else ${ESP32_JSVAR_POOL - codeTextVars - modelVars} (${pct(ESP32_JSVAR_POOL - codeTextVars - modelVars)})`,
  );
  const st = statusFromRealBundle(fw.code);
  console.log(`zbms("status") reply keys: ${Object.keys(st).join(", ")}`);
  console.log(`real bundle on the virtual board, zbms("status") after ${BOARD_RUN_S} s: mem ${JSON.stringify(st.mem)}, modelStepMs ${JSON.stringify(st.modelStepMs)}, stepMs ${JSON.stringify(st.stepMs)}, stateBytes ${JSON.stringify(st.stateBytes)} (virtual clock: step times here are not CPU times)`);

  // 3. Step time vs the reference loop: the same step bundle, host realm (see the header).
  vm.runInThisContext(stepBuild.code, { filename: "firmwareStepEntry.bundle.js" });
  const host = (globalThis as unknown as { zbmsStepBench: SandboxBench }).zbmsStepBench;
  const ratios: Record<number, number> = {};
  for (const cells of CELL_COUNTS) {
    const t = timeSteps(host, packWithCells(cells));
    ratios[cells] = t.stepNs / t.refNs;
    console.log(
      `step ${cells} cell${cells > 1 ? "s" : ""} (host realm): ${t.stepNs.toFixed(0)} ns per step over one 10 h cycle, reference iteration ${t.refNs.toFixed(3)} ns → ` +
        `ratio ${ratios[cells].toFixed(0)}; ESP32 estimate ${esp32Range(ratios[cells])} per step`,
    );
  }
  const inBoard = timeSteps(sb, cfg4);
  console.log(
    `step 4 cells in the virtual board's vm sandbox: ${inBoard.stepNs.toFixed(0)} ns per step, reference ${inBoard.refNs.toFixed(3)} ns → ratio ${(inBoard.stepNs / inBoard.refNs).toFixed(0)} ` +
      `(inflated: a node:vm context resolves every global — isNaN, Math, NaN — through its interceptors; not used for the figure)`,
  );

  // 4. Heap growth: V8 heap snapshots before and after 100 000 model steps in the sandbox, and
  //    100 000 samples of the whole firmware on a virtual board (bench/heapCensus.ts).
  const hb = sb.make(JSON.stringify(cfg4), HEAP_WARMUP_STEPS + HEAP_STEPS);
  hb.run(0, HEAP_WARMUP_STEPS, 1);
  const doublesBefore = hb.stateDoubles();
  const hbConfig = (hb.model as unknown as { config: object }).config;
  const stateVars = () => {
    const seen = new Set<object>();
    estimateTreeJsVars(hbConfig, seen);
    return estimateTreeJsVars(hb.model.state(), seen).total;
  };
  const varsBefore = stateVars();
  const modelGrowth = measureHeapGrowth(() => {
    hb.run(HEAP_WARMUP_STEPS, HEAP_STEPS, 1);
  }, [hb, sb, vb]);
  const doublesAfter = hb.stateDoubles();
  const varsAfter = stateVars();
  printGrowth(`model: ${HEAP_STEPS} PackModel.step calls (4 cells, virtual board's sandbox, after ${HEAP_WARMUP_STEPS} warm-up steps)`, modelGrowth);
  console.log(`  model state ${doublesBefore} → ${doublesAfter} doubles; JsVar estimate ${varsBefore} → ${varsAfter} (integers that became fractions need a value JsVar)`);

  const fwBoard = newFirmwareBoard(cyclingPack(cfg4));
  fwBoard.evaluate(fw.code);
  const tFw0 = performance.now();
  fwBoard.advance(FIRMWARE_HEAP_WARMUP_SAMPLES * cfg4.samplePeriodMs);
  const fwStatus0 = statusReply(fwBoard);
  const samples0 = Number(fwStatus0.samples);
  fwBoard.output = "";
  const firmwareGrowth = measureHeapGrowth(() => {
    fwBoard.advance(HEAP_STEPS * cfg4.samplePeriodMs);
    fwBoard.output = "";
  }, [fwBoard]);
  const fwS = (performance.now() - tFw0) / 1000;
  const fwStatus = statusReply(fwBoard);
  const fwSamples = Number(fwStatus.samples) - samples0;
  printGrowth(
    `whole firmware: ${HEAP_STEPS} samples on a virtual board (default board, 4 cells, cycling pack; sensors, model, telemetry lines, saves; ` +
      `host board emulation included; after ${FIRMWARE_HEAP_WARMUP_SAMPLES} warm-up samples)`,
    firmwareGrowth,
  );
  const cycles = (st: Record<string, unknown>) => JSON.stringify((st.model as { cycleCount?: unknown } | undefined)?.cycleCount);
  console.log(`  firmware samples in the measured window ${fwSamples} in ${fwS.toFixed(0)} s; cycles counted ${cycles(fwStatus0)} → ${cycles(fwStatus)}; status after: crashes ${JSON.stringify(fwStatus.crashes)}, overruns ${JSON.stringify(fwStatus.overruns)}, mem ${JSON.stringify(fwStatus.mem)}`);
  if (!(fwSamples >= HEAP_STEPS)) throw new Error(`the firmware ran ${fwSamples} samples on the virtual board, expected ≥ ${FIRMWARE_HEAP_WARMUP_SAMPLES + HEAP_STEPS}`);
  // Growing program-data groups only (shrinking groups do not offset them), larger of the two runs.
  const heapGrowthBytes = Math.max(modelGrowth.programGrown.bytes, firmwareGrowth.programGrown.bytes);
  const heapGrowthObjects = Math.max(modelGrowth.programGrown.count, firmwareGrowth.programGrown.count);
  const grew = heapGrowthObjects > 0 || heapGrowthBytes > 0 || doublesBefore !== doublesAfter;
  console.log(
    `heap growth (program data in groups that grew, larger of the two runs): ${heapGrowthObjects} nodes, ${heapGrowthBytes} B; one object kept per step would be ≥ ${HEAP_STEPS} nodes, ` +
      `≥ ${V8_MIN_OBJECT_B * HEAP_STEPS} B → ${grew ? "GROWTH" : "no growth"}`,
  );

  // 5. Tokens executed per step (interpreter cost), same bundle under V8 block coverage.
  const tc = await TokenCounter.load(stepBuild.code, "zbms-step-bench-coverage.js");
  const cov = (globalThis as unknown as { zbmsStepBench: SandboxBench }).zbmsStepBench;
  await tc.reset();
  cov.referenceLoop(TOKEN_REF_ITERATIONS);
  const tokensPerRef = (await tc.take()) / TOKEN_REF_ITERATIONS;
  const tokenRatios: Record<number, number> = {};
  for (const cells of CELL_COUNTS) {
    const b = cov.make(JSON.stringify(packWithCells(cells)), WARMUP_STEPS + TOKEN_STEPS);
    b.run(0, WARMUP_STEPS, 1);
    await tc.reset();
    b.run(WARMUP_STEPS, TOKEN_STEPS, 1);
    const withStep = await tc.take();
    b.run(WARMUP_STEPS, TOKEN_STEPS, 0);
    const copyOnly = await tc.take();
    const perStep = (withStep - copyOnly) / TOKEN_STEPS;
    tokenRatios[cells] = perStep / tokensPerRef;
    console.log(
      `tokens ${cells} cell${cells > 1 ? "s" : ""}: ${perStep.toFixed(0)} per step (mean over one 10 h cycle), reference iteration ${tokensPerRef.toFixed(1)} → ` +
        `token ratio ${tokenRatios[cells].toFixed(0)}; ESP32 estimate ${esp32Range(tokenRatios[cells])} per step`,
    );
  }
  await tc.close();

  // 6. Tokens per sample of the whole firmware (sensors, model, status line, sampler) on the virtual board.
  const fwTokens = await firmwareTokensPerSample(fw.code);
  const DEFAULT_PERIOD_MS = cfg4.samplePeriodMs;
  console.log(
    `tokens per sample, whole firmware on the virtual board (default board, 4 cells, ${FIRMWARE_TOKEN_SAMPLES} samples): ${fwTokens.toFixed(0)} ` +
      `→ token ratio ${(fwTokens / tokensPerRef).toFixed(0)}; ESP32 estimate ${esp32Range(fwTokens / tokensPerRef)} of interpreter time per sample, ` +
      `${((100 * (fwTokens / tokensPerRef) * ESPRUINO_X86_LOOP_ITER_US * ESP32_SLOWDOWN_LOW) / 1000 / DEFAULT_PERIOD_MS).toFixed(0)}–` +
      `${((100 * (fwTokens / tokensPerRef) * ESPRUINO_X86_LOOP_ITER_US * ESP32_SLOWDOWN_HIGH) / 1000 / DEFAULT_PERIOD_MS).toFixed(0)} % of the default ${DEFAULT_PERIOD_MS} ms period`,
  );

  console.log(
    JSON.stringify({
      bundleBytes: bundleBytes,
      stateBytes: stateBytes,
      stepCostRatio4Cells: Math.round(ratios[4]),
      heapGrowthBytes: heapGrowthBytes,
    }),
  );
  void REPO_ROOT;
}

main().catch((e) => {
  console.error(`bench:firmware: ${(e as Error).message}`);
  process.exitCode = 1;
});
