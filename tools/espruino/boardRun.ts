/**
 * The default board bundle on a real Espruino interpreter without its chips: the stand-in chips
 * of tools/espruino/standInChips.js (the one register-level stand-in, standIns.ts) and a peak
 * probe go into Storage as `.boot0`, which Espruino runs before `.bootcde`, and `runBoard` boots a
 * flash image, lets it sample and sends it every command, recording memory.
 * Used by bench/firmware.ts and test/firmware/bundleBudget.test.ts.
 *
 * - The chips read a charging pack: four cells at 1.4 V, 0.4 A, 25 °C (STAND_IN_PACK).
 * - The peak probe: `console.log` (the firmware prints every line through it), the console
 *   device's `write` (a long reply goes out through it in parts) and Storage's `write` (the
 *   module object is shared, so the firmware's writes go through it) first record the
 *   largest `process.memory(false).usage` seen (no garbage collection: Espruino frees by reference
 *   counting, so this is what is in use while the line is printed or the file written) in global
 *   `zbmsPeak`.
 * The stand-in's own JsVars are in the measured figures: the bench reports them (boot with
 * only `.boot0`).
 */
import { realEspruino } from "./interpreters.js";
import { EspruinoProcess } from "./process.js";
import { restingPack, standInPrelude } from "./standIns.js";
import { decodeLine } from "../../shared/telemetry/lineFormat.js";
import { DEFAULT_BOARD, defaultPackFor, loadBoard, loadPack } from "../../host/bundle/buildFirmware.js";

/** What the stand-in chips read: every cell at 1.4 V, charging at 0.4 A, at 25 °C. */
const STAND_IN_CELL_V = 1.4;
const STAND_IN_CURRENT_A = 0.4;

/** The peak probe (see above), run after the chips; it also looks at every Storage write (a save's record buffer, a settings file's text). */
const PEAK_PROBE_JS =
  "var zbmsPeak=0;var zbmsLog=console.log;" +
  "console.log=function(l){var u=process.memory(false).usage;if(u>zbmsPeak)zbmsPeak=u;zbmsLog(l);};" +
  "var zbmsD=globalThis[E.getConsole()],zbmsDW=zbmsD.write;" +
  "zbmsD.write=function(){var u=process.memory(false).usage;if(u>zbmsPeak)zbmsPeak=u;return zbmsDW.apply(zbmsD,arguments);};" +
  "var zbmsS=require('Storage'),zbmsW=zbmsS.write;" +
  "zbmsS.write=function(){var u=process.memory(false).usage;if(u>zbmsPeak)zbmsPeak=u;return zbmsW.apply(zbmsS,arguments);};";

/** `.boot0` for the default board (DEFAULT_BOARD, its default pack): stand-in chips, then the peak probe. */
export async function boardStandInJs(): Promise<string> {
  const board = await loadBoard(DEFAULT_BOARD);
  const pack = (await loadPack(defaultPackFor(DEFAULT_BOARD))) as unknown as { cellCount: number };
  const state = restingPack(pack.cellCount, board.temps.length, STAND_IN_CELL_V);
  state.currentA = STAND_IN_CURRENT_A;
  return standInPrelude(board, state) + "\n" + PEAK_PROBE_JS;
}

/** Every command of firmware/commands.ts COMMANDS, with arguments that succeed on the default board and pack. */
export const COMMAND_SCRIPT: Array<[id: string, call: string]> = [
  ["ident", 'zbms("ident")'],
  ["status", 'zbms("status")'],
  ["get", 'zbms("get","alarms.0.limit")'],
  ["config", 'zbms("config")'],
  ["set", 'zbms("set","alarms.0.limit",1.86)'],
  ["cal", 'zbms("cal","v0",1.2,9600,1.6,12800)'],
  ["raw", 'zbms("raw")'],
  ["zero", 'zbms("zero")'],
  ["rest", 'zbms("rest",1)'],
  ["openRest", 'zbms("openRest",0)'],
  ["resetCounters", 'zbms("resetCounters")'],
  ["cycles", 'zbms("cycles")'],
  ["save", 'zbms("save")'],
  ["help", 'zbms("help")'],
];
/** Waits under qemu (ms): boot, then a sample or a command. */
const BOOT_WAIT_MS = 90_000;
const STEP_WAIT_MS = 60_000;

const OOM = /OUT OF MEMORY|LOW_MEMORY|MEMORY_BUSY/;

export interface BoardRun {
  ok: boolean;
  why: string;
  bootJsVars: number;
  peaks: Array<[string, number]>;
}

/** The `print` of a probe line: `TAG value value` anywhere in a line (the REPL may prefix a prompt). */
export function probe(p: EspruinoProcess, expr: string, tag: string, from: number): Promise<string> {
  p.send(`\x10print("${tag}",${expr})`);
  return p.waitFor((l) => l.includes(tag + " "), STEP_WAIT_MS, from).then((l) => l.slice(l.indexOf(tag + " ") + tag.length + 1));
}

/** Boot the flash image in `dir` on `pool`, sample twice, run every command; what it used. */
export async function runBoard(espruinoDir: string, pool: number): Promise<BoardRun> {
  const found = realEspruino();
  if (!found.ok) throw new Error(found.reason);
  const p = new EspruinoProcess(found.espruino, { variant: "esp32", poolJsVars: pool, cwd: espruinoDir });
  const fail = (why: string): BoardRun => ({ ok: false, why, bootJsVars: NaN, peaks: [] });
  try {
    const status = (l: string) => /#Z1,\d+,S,/.test(l);
    await p.waitFor(status, BOOT_WAIT_MS);
    await p.waitFor(status, STEP_WAIT_MS, p.lines.findIndex(status) + 1);
    const bootJsVars = Number(await probe(p, "process.memory().usage", "MEM", p.lines.length));
    const peaks: Array<[string, number]> = [["sampling", Number(await probe(p, "zbmsPeak", "PEAK", p.lines.length))]];
    for (const [id, call] of COMMAND_SCRIPT) {
      const from = p.lines.length;
      p.send(`\x10zbmsPeak=0;${call};print("PEAK",zbmsPeak)`);
      const line = await p.waitFor((l) => l.includes("PEAK "), STEP_WAIT_MS, from);
      const out = p.lines.slice(from);
      // any line but a status line answers (`cycles` with no cycle yet answers with its done line alone)
      const answer = out.map((l) => decodeLine(l)).find((d) => d.ok && d.record.type !== "status");
      const err = out.find((l) => OOM.test(l) || /#Z1,\d+,E,/.test(l));
      if (err !== undefined) return fail(`${id}: ${err}`);
      if (answer === undefined) return fail(`${id}: no answer`);
      peaks.push([id, Number(line.slice(line.indexOf("PEAK ") + 5))]);
    }
    const bad = p.lines.find((l) => OOM.test(l) || /#Z1,\d+,E,(boot|sampler|telemetry)/.test(l));
    if (bad !== undefined) return fail(bad);
    return { ok: true, why: "", bootJsVars, peaks };
  } catch (e) {
    const oom = p.lines.find((l) => OOM.test(l));
    return fail(oom ?? (e as Error).message.split("\n")[0]!);
  } finally {
    await p.kill();
  }
}

