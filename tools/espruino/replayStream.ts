/**
 * Streams samples into the streaming replay bundle (firmware/replayMain.ts built without
 * `--samples`) running on a real Espruino interpreter, without embedding them in the bundle.
 *
 * Why a file: Linux Espruino reads its console at ≈ 8 kB/s (its input thread takes at most half
 * its 1 kB event buffer per 50 ms sleep), ≈ 55 samples/s as `zbmsReplay(…)` lines. So the samples
 * go into a file in the interpreter's folder, one fixed-length JSON record per sample
 * (`[tMs,currentA,[cellV…],[tempC…],openCircuit]`, null for NaN, space-padded), and one console
 * line installs a small reader that reads a record with `E.openFile(…).read(len)`, parses it and
 * calls the bundle's `zbmsReplay`, in slices from timers so the console drains. Fixed-length
 * records leave the reader holding nothing between samples, so `process.memory().usage`, printed
 * as `MEM <usage>` every `memEvery` samples, sees only the firmware's own JsVars.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Sample } from "../../shared/sample.js";
import type { EspruinoProcess } from "./process.js";

/** File name of the sample records in the interpreter's folder. */
export const SAMPLES_FILE = "samples.rec";
/** Samples the reader steps per timer slice. */
const READER_SLICE = 20;
/** Line the reader prints after the last sample. */
export const REPLAY_DONE = "# done";
/** Prefix of the reader's memory lines: `MEM <samples done> <process.memory().usage>`. */
export const MEM_PREFIX = "MEM ";

function j(x: number): string {
  return x === x ? String(x) : "null";
}

/** One sample record (without padding): a JSON array, null for an invalid channel. */
export function sampleRecord(s: Sample): string {
  return `[${j(s.tMs)},${j(s.currentA)},[${Array.prototype.map.call(s.cellV, j).join(",")}],[${Array.prototype.map.call(s.tempC, j).join(",")}],${s.openCircuit}]`;
}

/** Write the records into `dir`; returns the record length (bytes, newline included). */
export function writeSampleFile(dir: string, samples: readonly Sample[]): number {
  const recs = samples.map(sampleRecord);
  let width = 0;
  for (const r of recs) if (r.length > width) width = r.length;
  writeFileSync(join(dir, SAMPLES_FILE), recs.map((r) => r.padEnd(width) + "\n").join(""), "latin1");
  return width + 1;
}

/**
 * The console line that replays `count` records of `recordLen` bytes: `\x10` (no echo), then
 * a reader in Espruino's subset. Prints `MEM <k> <usage>` before sample 0 and after every
 * `memEvery` samples, then REPLAY_DONE.
 */
export function readerLine(count: number, recordLen: number, memEvery: number, timing?: ReaderTiming): string {
  // timing: per sample, the time of the zbmsReplay call (whole sample) and the model step the app
  // measured; every `every` samples a line `TIME k wholeS stepS refS` with the reference loop timed
  const tm = timing
    ? "var w0=getTime();zbmsReplay(a[0],a[1],a[2],a[3],a[4]);tw+=getTime()-w0;ts+=zbmsReplay.app.modelStepMs/1000;k++;" +
      "if(k%" + timing.every + "==0){var r0=getTime(),s=0;for(var j=0;j<" + timing.refIterations + ";j++)s+=j;" +
      "print('" + TIME_PREFIX + "'+k+' '+tw+' '+ts+' '+(getTime()-r0));tw=0;ts=0;}"
    : "zbmsReplay(a[0],a[1],a[2],a[3],a[4]);k++;";
  return (
    "\x10(function(){var f=E.openFile(" + JSON.stringify(SAMPLES_FILE) + ',"r"),k=0,tw=0,ts=0;' +
    "function mem(){print(" + JSON.stringify(MEM_PREFIX) + "+k+' '+process.memory().usage);}" +
    "function go(){for(var n=0;n<" + READER_SLICE + "&&k<" + count + ";n++){" +
    "var a=JSON.parse(f.read(" + recordLen + "));" + tm +
    "if(k%" + memEvery + "==0)mem();}" +
    "if(k<" + count + ")setTimeout(go,0);else{f.close();print(" + JSON.stringify(REPLAY_DONE) + ");}}" +
    "mem();setTimeout(go,0);})()"
  );
}

/** Prefix of the reader's timing lines (readerLine with `timing`). */
export const TIME_PREFIX = "TIME ";

export interface ReaderTiming {
  /** Samples per timing line. */
  every: number;
  /** Iterations of the reference loop `for (…) s += j` timed after each block. */
  refIterations: number;
}

/** One timing line: per sample of its block, whole sample and model step, and one reference iteration (s). */
export interface TimingBlock {
  samples: number;
  wholeS: number;
  stepS: number;
  refIterS: number;
}

/** Timing lines of a replay, per sample and per reference iteration. */
export function timingLines(lines: readonly string[], timing: ReaderTiming): TimingBlock[] {
  const out: TimingBlock[] = [];
  for (const l of lines) {
    const i = l.indexOf(TIME_PREFIX);
    if (i < 0) continue;
    const [k, w, s, r] = l.slice(i + TIME_PREFIX.length).trim().split(" ").map(Number);
    out.push({ samples: k!, wholeS: w! / timing.every, stepS: s! / timing.every, refIterS: r! / timing.refIterations });
  }
  return out;
}

/** Memory lines of a replay: [samples done, JsVars in use]. */
export function memLines(lines: readonly string[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const l of lines) {
    const i = l.indexOf(MEM_PREFIX);
    if (i < 0) continue;
    const parts = l.slice(i + MEM_PREFIX.length).trim().split(" ");
    out.push([Number(parts[0]), Number(parts[1])]);
  }
  return out;
}

/**
 * Replay `samples` on `p` (a streaming replay bundle already booted, with an open REPL): writes
 * the file into its folder, starts the reader, waits for REPLAY_DONE. Returns the output lines
 * from the start of the replay on.
 */
export async function streamReplay(
  p: EspruinoProcess, samples: readonly Sample[], memEvery: number, timeoutMs: number, timing?: ReaderTiming,
): Promise<string[]> {
  const recordLen = writeSampleFile(p.cwd, samples);
  const from = p.lines.length;
  p.send(readerLine(samples.length, recordLen, memEvery, timing));
  await p.waitFor((l) => l.endsWith(REPLAY_DONE), timeoutMs, from);
  return p.lines.slice(from);
}
