/**
 * `zbms sim [--pack C] [--protocol FILE] [--speed X]`: the virtual board (host/virtualBoard) measuring a
 * simulated Zn pack (host/sim) that runs a protocol, on a pseudo-terminal. The first stdout line
 * is the pty path, for `zbms flash --port` and `zbms monitor --port`; the rest goes to stderr.
 * Built from the same pieces as host/virtualBoard/run.ts, plus `--truth FILE`: the simulator's ground
 * truth (per cycle and per rest), rewritten at every cycle end and on exit.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { loadBoard, loadPack, DEFAULT_BOARD, defaultPackFor } from "../bundle/buildFirmware";
import { loadNodePty, PtyBoard } from "../virtualBoard/ptyBoard";
import { simPackSource } from "../virtualBoard/simSource";
import { VirtualBoard } from "../virtualBoard/virtualBoard";
import type { ChemistryId } from "../../shared/chemistry/presets";
import type { ProtocolRunner } from "../sim/runner";
import { writeFileAtomic } from "../util/atomicWrite.mjs";
import type { BoardDef } from "../../shared/config/boardDef";
import { MS_PER_H, MS_PER_S, S_PER_H } from "../../shared/units";
import { CliError, EXIT_FAILED } from "./cliErrors";
import { parsePositiveNumber } from "./options";

/** Default acceleration: one simulated hour per real second. */
export const DEFAULT_SPEED = 3600;
/** How often the protocol's progress is checked (ms of real time). */
const DONE_POLL_MS = 200;
/** The board runs below this share of the asked speed: say so (the host's CPU, or the port's reader, is the limit). */
const SLOW_SHARE = 0.9;
/** It must stay below for this long before the notice (ms): a flash's build or a burst of load is not news. */
const SLOW_NOTICE_AFTER_MS = 3000;
/** Shortest real time between two such notices (ms). */
const SLOW_NOTICE_EVERY_MS = 30_000;

export interface SimFlags {
  board: string;
  pack?: string;
  protocol?: string;
  speed: number;
  /** Speed until the process receives SIGUSR1 (e.g. slow while flashing, then fast); default `speed`. */
  startSpeed?: number;
  seed: number;
  storage?: string;
  truth?: string;
}

function parseSeed(value: string): number {
  const x = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(x)) throw new InvalidArgumentError(`expected an integer, e.g. 1 or 42; got "${value}".`);
  return x;
}

export function registerSim(program: Command, run: (f: () => Promise<void>) => Promise<void>): void {
  program
    .command("sim")
    .description("run the virtual board on a simulated Zn pack following a protocol; prints its /dev/pts/N")
    .option("-b, --board <id>", "board file hardware/boards/<id>.json", DEFAULT_BOARD)
    .option("-c, --pack <file>", "pack config JSON (chemistry, cells, capacity) (default: the board's default pack, e.g. hardware/packs/znmno2-4s.json)")
    .option("--protocol <file>", "protocol file (steps such as \"Charge at C/5 until 1.8 V\"; see host/sim/protocol.ts); default: C/5 cycles")
    .option("-s, --speed <x>", `simulated seconds per real second, at most: a slower host (or port reader) runs it slower and says so (default ${DEFAULT_SPEED})`, parsePositiveNumber, DEFAULT_SPEED)
    .option("--start-speed <x>", "speed until this process receives SIGUSR1, then --speed (e.g. slow while flashing)", parsePositiveNumber)
    .option("--seed <n>", "seed of the cells' spread and of random rests", parseSeed, 1)
    .option("--storage <file>", "host file holding the board's flash (survives restarts of the simulator)")
    .option("--truth <file>", "write the simulator's ground truth (cycles, rests) as JSON to this file")
    .addHelpText(
      "after",
      "\nThen, in another terminal, exactly as with a board on /dev/ttyUSB0:\n" +
        "  zbms flash --port /dev/pts/N\n  zbms monitor --port /dev/pts/N\nCtrl-C stops the simulator.",
    )
    .action((flags: SimFlags) => run(() => simCommand(flags)));
}

/** The truth file's content. */
export interface TruthFile {
  speed: number;
  seed: number;
  done: boolean;
  /** Simulated time reached (s), on the simulator's clock (the board's world clock). */
  simTimeS: number;
  /**
   * Every boot of the virtual board, at simulated time `simTimeS`. The firmware's times (`tMs`
   * in telemetry) count from its latest boot (getTime() restarts at 0, as on the ESP32), so
   * simulated time = tMs / 1000 + the simTimeS of that boot.
   */
  boots: { reason: string; simTimeS: number }[];
  cycles: ProtocolRunner["cycles"];
  rests: ProtocolRunner["rests"];
}

/** What the sim needs of a pack file. */
type SimPack = { chemistry: ChemistryId; cellCount: number; capacityAh: number; name: string };

function writeTruth(path: string, flags: SimFlags, runner: ProtocolRunner, simTimeS: number, boots: TruthFile["boots"]): void {
  const t: TruthFile = { speed: flags.speed, seed: flags.seed, done: runner.done, simTimeS, boots, cycles: runner.cycles, rests: runner.rests };
  writeFileAtomic(path, JSON.stringify(t, null, 1)); // readers never see a half-written file
}

/** The protocol text, board, pack and simulated pack `flags` name; errors say which flag is wrong. */
async function loadSimInputs(flags: SimFlags): Promise<{ boardDef: BoardDef; pack: SimPack; sim: ReturnType<typeof simPackSource> }> {
  let protocol: string | undefined;
  if (flags.protocol !== undefined) {
    try {
      protocol = fs.readFileSync(flags.protocol, "utf8");
    } catch (e) {
      throw new CliError(`--protocol: cannot read "${flags.protocol}" (${(e as Error).message})`, EXIT_FAILED);
    }
  }
  let boardDef: BoardDef;
  let pack: SimPack;
  try {
    boardDef = await loadBoard(flags.board);
    pack = (await loadPack(flags.pack ?? defaultPackFor(flags.board))) as SimPack;
  } catch (e) {
    throw new CliError((e as Error).message, EXIT_FAILED);
  }
  try {
    const sim = simPackSource({
      spec: { chemistry: pack.chemistry, cellCount: pack.cellCount, capacityAh: pack.capacityAh, seed: flags.seed },
      protocol,
      seed: flags.seed,
      tempCount: boardDef.temps.length,
    });
    return { boardDef, pack, sim };
  } catch (e) {
    throw new CliError(`--protocol: ${(e as Error).message}`, EXIT_FAILED);
  }
}

/**
 * Until SIGINT or SIGTERM: say when the board runs slower than asked, and keep the truth file
 * current as cycles close and when the protocol finishes.
 */
function watchUntilStopped(board: VirtualBoard, sim: ReturnType<typeof simPackSource>, flags: SimFlags, speedNow: () => number, boots: TruthFile["boots"]): Promise<void> {
  const simTimeS = (): number => board.clock.now() / MS_PER_S;
  let cyclesSeen = 0;
  let announcedDone = false;
  return new Promise<void>((resolve) => {
    let lastSlowNotice = -Infinity;
    let slowSince = NaN;
    const poll = setInterval(() => {
      const paced = board.pacedSpeed();
      const asked = speedNow();
      const now = performance.now();
      if (!(paced > 0 && paced < SLOW_SHARE * asked)) slowSince = NaN;
      else if (Number.isNaN(slowSince)) slowSince = now;
      if (now - slowSince >= SLOW_NOTICE_AFTER_MS && now - lastSlowNotice > SLOW_NOTICE_EVERY_MS) {
        lastSlowNotice = now;
        process.stderr.write(`sim: running at ×${paced.toFixed(0)}, not ×${asked}: this host's CPU or the port's reader is the limit\n`);
      }
      if (sim.runner.cycles.length !== cyclesSeen) {
        cyclesSeen = sim.runner.cycles.length;
        if (flags.truth) writeTruth(flags.truth, flags, sim.runner, simTimeS(), boots);
      }
      if (sim.runner.done && !announcedDone) {
        announcedDone = true;
        if (flags.truth) writeTruth(flags.truth, flags, sim.runner, simTimeS(), boots);
        process.stderr.write(`sim: protocol finished at simulated ${(simTimeS() / S_PER_H).toFixed(1)} h (${sim.runner.cycles.length} cycles, ${sim.runner.rests.length} rests)\n`);
      }
    }, DONE_POLL_MS);
    const stop = (): void => {
      clearInterval(poll);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export async function simCommand(flags: SimFlags): Promise<void> {
  loadNodePty(); // first: without node-pty there is no port to offer, and the error says why
  const { boardDef, pack, sim } = await loadSimInputs(flags);
  const board = new VirtualBoard({ board: boardDef, pack: sim.source, storagePath: flags.storage ? nodePath.resolve(flags.storage) : undefined, startOff: true });
  const boots: TruthFile["boots"] = [];
  board.onBoot((reason) => boots.push({ reason, simTimeS: board.clock.now() / MS_PER_S }));
  board.powerOn();
  const pty = await PtyBoard.start(board, { onPath: (p) => process.stderr.write(`sim: console on ${p}\n`) });
  process.stdout.write(pty.path + "\n");
  process.stderr.write(
    `sim: board ${boardDef.id}, pack "${pack.name}", ${flags.protocol ? `protocol ${flags.protocol}` : "default C/5 protocol"}, ` +
      `speed ×${flags.speed}, seed ${flags.seed}. Flash it with: zbms flash --port ${pty.path}\n`,
  );
  let speedNow = (): number => flags.speed;
  if (flags.startSpeed !== undefined && flags.startSpeed !== flags.speed) {
    board.runRealTime(flags.startSpeed);
    speedNow = () => flags.startSpeed!;
    process.once("SIGUSR1", () => {
      speedNow = () => flags.speed;
      board.runRealTime(flags.speed);
      process.stderr.write(`sim: speed ×${flags.speed} from simulated ${(board.clock.now() / MS_PER_H).toFixed(2)} h\n`);
    });
  } else board.runRealTime(flags.speed);
  await watchUntilStopped(board, sim, flags, () => speedNow(), boots);
  board.stopRealTime(); // no more output, then the cable
  pty.close();
  const simTimeS = board.clock.now() / MS_PER_S;
  if (flags.truth) writeTruth(flags.truth, flags, sim.runner, simTimeS, boots);
  process.stderr.write(`sim: stopped at simulated ${(simTimeS / S_PER_H).toFixed(1)} h` + (flags.truth ? `; truth in ${flags.truth}` : "") + "\n");
}
