/**
 * `tsx host/virtualBoard/run.ts --board B --pack P [--protocol FILE|TEXT] [--speed X] [--seed N]
 *  [--storage FILE] [--firmware FILE|build]`
 * Starts a simulated pack and a virtual board on a pseudo-terminal. The FIRST line on stdout
 * is the pty path (`/dev/pts/N`); everything else goes to stderr. Ctrl-C (SIGINT/SIGTERM)
 * stops it. `--firmware` puts a bundle in Storage `.bootcde` before power-on (as
 * `zbms flash` would); without it the board runs bare Espruino, ready for an upload.
 */
import { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { VirtualBoard } from "./virtualBoard.js";
import { PtyBoard } from "./ptyBoard.js";
import { simPackSource } from "./simSource.js";
import { simChipModels } from "./simChips.js";
import { loadBoard, loadPack, buildFirmware, defaultPackFor, REPO_ROOT } from "../bundle/buildFirmware.js";
import type { ChemistryId } from "../../shared/chemistry/presets.js";

const program = new Command()
  .name("board")
  .description("Run a virtual zbms board with a simulated pack on a pseudo-terminal")
  .option("--board <id>", "board file hardware/boards/<id>.json", "esp32-ads1115")
  .option("--pack <path>", "pack config JSON (default: the board's default pack, e.g. hardware/packs/znmno2-4s.json)")
  .option("--protocol <fileOrText>", "test protocol (file, or text such as \"Rest for 1 hours\"); default C/5 cycles")
  .option("--speed <x>", "virtual time per real time (1 = real time)", "1")
  .option("--seed <n>", "seed of the pack's spread and the protocol", "1")
  .option("--storage <file>", "host file holding the board's flash (Storage); default in memory")
  .option("--ideal-chips", "perfect ADCs (no offset/gain/INL/noise); default: host/sim's chip models")
  .option("--firmware <fileOrBuild>", 'bundle to put in .bootcde before power-on, or "build" to build the default one');
program.parse();
const o = program.opts<{ board: string; pack?: string; protocol?: string; speed: string; seed: string; storage?: string; firmware?: string; idealChips?: boolean }>();

function fail(msg: string): never {
  process.stderr.write(`board: ${msg}\n`);
  process.exit(2);
}

const speed = Number(o.speed);
if (!(speed > 0 && isFinite(speed))) fail(`--speed: got "${o.speed}"; accepted: a number > 0 (1 = real time)`);
const seed = Number(o.seed);
if (!Number.isInteger(seed)) fail(`--seed: got "${o.seed}"; accepted: an integer`);

try {
  const boardDef = await loadBoard(o.board);
  const packPath = o.pack ?? defaultPackFor(o.board);
  const pack = (await loadPack(packPath)) as { chemistry: ChemistryId; cellCount: number; capacityAh: number; tempCount: number; name: string };
  const protocol = o.protocol === undefined ? undefined : existsSync(o.protocol) ? readFileSync(o.protocol, "utf8") : o.protocol;
  const { source } = simPackSource({
    spec: { chemistry: pack.chemistry, cellCount: pack.cellCount, capacityAh: pack.capacityAh, seed },
    protocol,
    seed,
    tempCount: boardDef.temps.length,
  });
  const chips = o.idealChips ? {} : simChipModels(boardDef, seed);
  const board = new VirtualBoard({ ...chips, board: boardDef, pack: source, storagePath: o.storage ? resolve(o.storage) : undefined, startOff: true });
  if (o.firmware) {
    const code = o.firmware === "build" ? (await buildFirmware({ board: o.board, pack: packPath, write: false })).code : readFileSync(resolve(REPO_ROOT, o.firmware), "latin1");
    board.storage.write(".bootcde", new Uint8Array(Buffer.from(code, "latin1")), undefined, undefined);
  }
  board.powerOn();
  const pb = await PtyBoard.start(board, { onPath: (p) => process.stderr.write(`board: console on ${p}\n`) });
  process.stdout.write(pb.path + "\n");
  process.stderr.write(`board: ${boardDef.id}, pack "${pack.name}", speed ×${speed}, seed ${seed}; Ctrl-C stops\n`);
  board.runRealTime(speed);
  const stop = (): void => {
    pb.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (e) {
  fail((e as Error).message);
}
