/** The virtual board (host/virtualBoard, H5a) with no program yet, on a real pseudo-terminal, for e2e tests. */
import { loadBoard } from "../../host/bundle/buildFirmware";
import { PtyBoard } from "../../host/virtualBoard/ptyBoard";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard";

export interface RunningVirtualBoard {
  board: VirtualBoard;
  pty: PtyBoard;
  path: string;
  stop(): void;
}

/** A powered virtual ESP32 running Espruino's REPL on /dev/pts/N, its clock paced `speed`× real time. */
export async function startVirtualBoard(boardId = "esp32-ads1115", speed = 1, storagePath?: string): Promise<RunningVirtualBoard> {
  const board = new VirtualBoard({ board: await loadBoard(boardId), storagePath });
  const pty = await PtyBoard.start(board);
  board.runRealTime(speed);
  return {
    board,
    pty,
    path: pty.path!,
    stop() {
      board.stopRealTime();
      pty.close();
    },
  };
}
