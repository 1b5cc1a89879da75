/**
 * Command fuzzing: bad commands typed at the firmware's REPL while it samples. Two channels:
 * word lists formatted by the host's own `formatCommandCall` (what `zbms send` types), and raw
 * JavaScript argument lists (NaN, undefined, objects, huge strings) a user could type by hand.
 * Every input is bad by construction (unknown or near-miss command names, missing or malformed
 * paths, values of the wrong type or not finite, values of the right type out of range or
 * breaking the alarm table's ordering, bad channels). Checked: each one is answered
 * by an error line carrying its id and by no reply line; the sampler keeps stepping (status
 * lines keep coming between batches, no crash counted); the config and stored files are unchanged.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeRng, type Rng } from "../rng";
import { boardStatus, sendWords, startFirmwareBoard, TelemetryTap, type SeqRecord } from "../firmwareBoard";
import { REPO_ROOT } from "../../../host/bundle/buildFirmware";
import { COMMANDS, CONFIG_FILE, CAL_FILE } from "../../../firmware/commands";

export interface FuzzOptions {
  commands: number;
  seed: number;
  /** Commands between two checks that sampling goes on (one sample period of board time each). */
  batch: number;
}

export interface FuzzFigures {
  fuzzedCommands: number;
  /** Inputs answered with no error line carrying their id. */
  unanswered: number;
  /** Inputs that got a reply (accepted) although bad. */
  acceptedBad: number;
  /** Batches after which no new status line came (the sampler stopped). */
  samplerStops: number;
  /** Sampler crashes the firmware counted. */
  samplerCrashes: number;
  configChanged: boolean;
  storedFilesChanged: boolean;
  /** A few examples of failures, for the report. */
  examples: string[];
}

const PACK_FILE = join(REPO_ROOT, "hardware", "packs", "znmno2-4s.json");

/** Leaf paths of the pack config with their JSON types ("alarms.3.limit" → "number"). */
export function leaves(x: unknown, prefix: string, out: { path: string; type: string }[]): void {
  if (x !== null && typeof x === "object") {
    for (const k of Object.keys(x as object)) leaves((x as Record<string, unknown>)[k], prefix ? prefix + "." + k : k, out);
  } else out.push({ path: prefix, type: typeof x });
}

const PRINTABLE = " !\"$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

function randomText(rng: Rng, maxLen: number): string {
  const n = rng.int(0, maxLen);
  let s = "";
  for (let i = 0; i < n; i++) s += rng.next() < 0.05 ? String.fromCharCode(rng.int(0, 255)) : PRINTABLE[rng.int(0, PRINTABLE.length - 1)];
  return s.replace(/#/g, "");
}

function nearMiss(rng: Rng, name: string): string {
  const ops = [
    () => name.toUpperCase(),
    () => name + rng.pick(["s", " ", "x", "_", "0"]),
    () => name.slice(0, Math.max(0, name.length - 1)),
    () => " " + name,
    () => name.slice(0, 1) + rng.pick(["-", ".", ""]) + name.slice(2),
  ];
  for (;;) {
    const s = rng.pick(ops)();
    if (!COMMANDS.includes(s)) return s.replace(/#/g, "");
  }
}

/** Words typed for a numeric leaf that the firmware must refuse: not finite or not a number. */
const BAD_NUMBER_WORDS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "abc", "", "true", "false", "[1]", "{}", "null", "1,5", "0x10", "1e", "--1", "1.2.3"];
/** Raw JS values (literal text) that a hand-typed call could pass. */
const RAW_VALUES = ["NaN", "undefined", "null", "Infinity", "-Infinity", "[]", "[1,2]", "{}", '{"a":1}', "true", "-0", '"' + "x".repeat(2000) + '"', "function(){}", "new Float64Array(3)"];

/**
 * Values of the right type that the config check must refuse (ranges from
 * shared/config/validateConfig.ts; alarm rows must keep reset on the safe side of limit and the
 * alarm tier beyond the warning tier, docs/STYLE habit 5), for the default 4-cell ZnMnO2 pack.
 */
const MALFORMED_VALUES: ((rng: Rng) => [string, string])[] = [
  (r) => ["capacityAh", String(-r.int(0, 1000))],
  (r) => ["capacityAh", String(1001 + r.int(0, 1e6))],
  (r) => ["cellCount", r.pick(["0", "-4", "2.5", "17", "1000"])],
  (r) => ["tempCount", r.pick(["-1", "17", "0.5"])],
  (r) => ["samplePeriodMs", r.pick(["0", "-1000", "2.5", "49", "60001", "1e12"])],
  (r) => ["saveIntervalS", r.pick(["0", "-300", "9", "86401", "12.5"])],
  (r) => ["counting.maxGapMs", r.pick(["-1", "0", "1e15"])],
  (r) => ["counting.offsetRestMaxA", "-" + (r.int(1, 1000) / 1000)],
  (r) => ["soc.initialSigmaFrac", r.pick(["-1", "0", "1.5"])],
  () => ["alarms.0.reset", "1.9"], // over-alarm reset above its limit
  () => ["alarms.0.limit", "1.8"], // limit below its reset
  () => ["alarms.1.limit", "1.8"], // alarm tier below the warning tier
  () => ["alarms.2.reset", "0.7"], // under-alarm reset below its limit
  (r) => ["alarms." + r.int(0, 19) + ".delayMs", "-" + r.int(1, 1e6)],
  () => ["alarms.14.limit", "0"],
  () => ["alarms.17.reset", "0.9"],
  (r) => ["alarms." + r.int(0, 19) + ".level", r.pick(["fatal", "Warning", "", "alarm "])],
  (r) => ["alarms." + r.int(0, 19) + ".id", r.pick(["nope", "CELLOVERVOLTAGE", ""])],
  (r) => ["chemistry", r.pick(["ZnFoo", "znmno2", "", "ZnMnO2 "])],
  (r) => ["name", r.pick(["", "x".repeat(65), "x".repeat(1000)])],
];

export interface Input {
  /** Text typed at the REPL. */
  code: string;
  /** The error line's id that must answer it. */
  id: string;
  words?: string[];
}

export function makeInput(rng: Rng, n: number, leafs: { path: string; type: string }[]): Input {
  const id = "f" + n;
  const tag = (name: string): string => name + "#" + id;
  const kind = rng.int(0, 9);
  let words: string[];
  switch (kind) {
    case 0: // unknown name with random arguments
      for (;;) {
        const name = randomText(rng, 24);
        if (!COMMANDS.includes(name)) {
          words = [tag(name), ...Array.from({ length: rng.int(0, 4) }, () => randomText(rng, 12))];
          break;
        }
      }
      break;
    case 1: // near-miss of a real command name
      words = [tag(nearMiss(rng, rng.pick(COMMANDS))), ...Array.from({ length: rng.int(0, 3) }, () => randomText(rng, 8))];
      break;
    case 2: // set/get of a path that does not exist
      words = [tag(rng.pick(["set", "get"])), rng.pick(["", ".", "alarms.99.limit", "nope", "soc.nope", "alarms.-1", "alarms.0.limit.x", randomText(rng, 16) + "Z"]), rng.pick(["1", "x", "NaN"])];
      if (words[0]!.startsWith("get")) words = words.slice(0, 2);
      break;
    case 3: { // set a real leaf to a value of the wrong kind
      const leaf = rng.pick(leafs);
      const value = leaf.type === "number" ? rng.pick(BAD_NUMBER_WORDS) : leaf.type === "boolean" ? rng.pick(["1", "0", "yes", "NaN", "1e999", ""]) : rng.pick(["1", "0", "1e999", "-1e999", "true", "false", "2.5"]);
      if (leaf.type === "number" && /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) && Number.isFinite(Number(value))) return makeInput(rng, n, leafs);
      words = [tag("set"), leaf.path, value];
      break;
    }
    case 4: // a group set as a leaf
      words = [tag("set"), rng.pick(["soc", "counting", "alarms", "alarms.0", "segmentation", "sensorChain"]), rng.pick(["1", "x", "true"])];
      break;
    case 5: // rest with a bad argument
      words = [tag("rest"), rng.pick(["2", "-1", "yes", "", "NaN", "0.5", "1e999", "[1]"])];
      if (rng.next() < 0.2) words = [tag("rest")];
      break;
    case 6: // cal with a bad channel or bad numbers
      words = rng.next() < 0.5
        ? [tag("cal"), rng.pick(["v9", "v-1", "x", "", "V0", "v01", "t0", "ii"]), "1.2", "9600", "1.6", "12800"]
        : [tag("cal"), rng.pick(["v0", "i"]), ...Array.from({ length: 4 }, () => rng.pick(["NaN", "x", "", "1e999", "1.2"])).map((w, i, a) => (i === 3 && a.every((v) => v === "1.2") ? "x" : w))];
      break;
    case 7: { // hand-typed call with raw JS values for a real leaf
      const leaf = rng.pick(leafs);
      const v = leaf.type === "number" ? rng.pick(RAW_VALUES.filter((x) => x !== "-0")) : rng.pick(RAW_VALUES.filter((x) => !x.startsWith('"')));
      return { code: `zbms(${JSON.stringify(tag("set"))},${JSON.stringify(leaf.path)},${v})`, id };
    }
    case 9: { // right type, malformed value: out of range, not an integer, inconsistent alarm rows
      const [path, value] = rng.pick(MALFORMED_VALUES)(rng);
      words = [tag("set"), path, value];
      break;
    }
    default: // the command itself not a string
      return { code: `zbms(${rng.pick(RAW_VALUES.filter((x) => !x.startsWith('"')))}${rng.next() < 0.5 ? ',"status"' : ""})`, id: "" };
  }
  return { code: "", id, words };
}

/** The config as the firmware reports it, one `get` per top-level key. */
function configText(board: Parameters<typeof sendWords>[0], tap: TelemetryTap, keys: string[]): string {
  return keys.map((k) => sendWords(board, tap, ["get#cfg", k]).map((r) => r.line.replace(/^#Z1,\d+,/, "").replace(/\*[0-9a-f]{8}$/, "")).join("|")).join("\n");
}

export async function runCommandFuzz(o: FuzzOptions): Promise<FuzzFigures> {
  const rng = makeRng(o.seed);
  const packJson = JSON.parse(readFileSync(PACK_FILE, "utf8")) as Record<string, unknown>;
  const leafs: { path: string; type: string }[] = [];
  leaves(packJson, "", leafs);
  const board = await startFirmwareBoard({});
  const tap = new TelemetryTap(board);
  try {
    board.advance(3000);
    const keys = Object.keys(packJson);
    const cfgBefore = configText(board, tap, keys);
    const filesBefore = [CONFIG_FILE, CAL_FILE].map((f) => String(board.storageFile(f)));
    const f: FuzzFigures = { fuzzedCommands: 0, unanswered: 0, acceptedBad: 0, samplerStops: 0, samplerCrashes: 0, configChanged: false, storedFilesChanged: false, examples: [] };
    for (let n = 0; n < o.commands; n++) {
      const input = makeInput(rng, n, leafs);
      let got: SeqRecord[];
      if (input.words) got = sendWords(board, tap, input.words);
      else {
        const from = tap.records.length;
        board.evaluate(input.code);
        got = tap.records.slice(from);
      }
      f.fuzzedCommands++;
      const answered = got.some((r) => r.record.type === "error" && r.record.id === input.id);
      const replied = got.some((r) => r.record.type === "reply" || r.record.type === "ident" || r.record.type === "done");
      if (!answered) f.unanswered++;
      if (replied) f.acceptedBad++;
      if ((!answered || replied) && f.examples.length < 8) f.examples.push(`${input.words ? JSON.stringify(input.words) : input.code.slice(0, 120)} → ${got.map((r) => r.line.slice(0, 140)).join(" | ") || "(nothing)"}`);
      if ((n + 1) % o.batch === 0) {
        const before = tap.records.length;
        board.advance(1000);
        if (!tap.records.slice(before).some((r) => r.record.type === "status")) f.samplerStops++;
      }
    }
    board.advance(3000);
    const st = boardStatus(board, tap);
    f.samplerCrashes = Number(st.crashes);
    f.configChanged = configText(board, tap, keys) !== cfgBefore;
    f.storedFilesChanged = [CONFIG_FILE, CAL_FILE].map((x) => String(board.storageFile(x))).join() !== filesBefore.join();
    return f;
  } finally {
    tap.dispose();
  }
}
