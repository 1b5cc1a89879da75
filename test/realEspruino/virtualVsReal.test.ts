/**
 * The virtual board (host/virtualBoard, V8) against the real interpreter (native 2v29 with the stand-in
 * chips) on the same board bundle and the same pack state: the measured cell voltages, current
 * and temperatures in the status lines are identical (the stand-ins read the virtual board's own
 * front end, with ideal chips on both sides; both print at wire resolution), as is the `raw`
 * command's answer (codes per channel). A difference here is a difference of the interpreters
 * (number formatting, integer maths, typed arrays) on the whole sample path.
 */
import { afterAll, describe, expect, it } from "vitest";
import { defaultPackFor, loadPack } from "../../host/bundle/buildFirmware";
import type { PackState } from "../../host/virtualBoard/frontEnd";
import { EspruinoProcess } from "../../tools/espruino/process";
import { sendWords, startFirmwareBoard, TelemetryTap } from "../reliability/firmwareBoard";
import { BOARD_IDS, boardBundle, found, preludeFor, RealBoard, removeFolder, skipReason, tempFolder, type SeqRecord } from "./realBoard";

/** Status lines compared per board (after the first, which may precede the first full round). */
const LINES = 2;
/** How close the measurement must be to the pack state: a few ESP32 ADC codes (≈ 0.8 mV each) × divider 4, plus the sense-amplifier path for the current. */
const CELL_TOL_V = 0.02;
const CURRENT_TOL_A = 0.05;
const TEMP_TOL_C = 0.5;

function packState(cells: number): PackState {
  const cellV = [1.213, 1.327, 1.281, 1.352].slice(0, cells);
  return { cellV, currentA: -0.8125, tempC: [21.5, 27.25] };
}

function measured(r: SeqRecord["record"]): unknown {
  if (r.type !== "status") throw new Error("not a status record");
  return { cellV: r.cellV, currentA: r.currentA, tempC: r.tempC };
}

const folders: string[] = [];
afterAll(() => {
  for (const d of folders) removeFolder(d);
});

describe.skipIf(!found.ok)(`virtual board and real interpreter measure alike${skipReason}`, () => {
  for (const boardId of BOARD_IDS) {
    it(`${boardId}: status measurements and raw codes are identical`, async () => {
      const pack = (await loadPack(defaultPackFor(boardId))) as unknown as { cellCount: number };
      const state = packState(pack.cellCount);

      const dir = tempFolder();
      folders.push(dir);
      const script = EspruinoProcess.writeScript(dir, "app.js", (await preludeFor(boardId, state)) + "\n" + (await boardBundle(boardId)));
      const real = new RealBoard({ variant: "native", cwd: dir, scriptPath: script });
      let realStatus: unknown[] = [];
      let realRaw = "";
      try {
        const first = await real.waitRecord((r) => r.record.type === "status", 15_000);
        await real.waitRecord((r) => r.record.type === "status" && r.seq >= first.seq + LINES, 15_000);
        realStatus = real.records.filter((r) => r.record.type === "status" && r.seq > first.seq).slice(0, LINES).map((r) => measured(r.record));
        const raw = await real.command(["raw#x"], 5_000);
        realRaw = raw.record.type === "reply" ? raw.record.payload : raw.line;
      } finally {
        await real.kill();
      }

      const vb = await startFirmwareBoard({ boardId, pack: () => state });
      const tap = new TelemetryTap(vb);
      try {
        vb.advance(1000 * (LINES + 2));
        const statuses = tap.records.filter((r) => r.record.type === "status");
        const virtualStatus = statuses.slice(1, 1 + LINES).map((r) => measured(r.record));
        const rawRec = sendWords(vb, tap, ["raw#x"]).find((r) => r.record.type === "reply");
        expect(realStatus).toEqual(virtualStatus);
        // and both measure the pack they were given (ESP32 ADC taps: a few mV per code through the dividers)
        const m = realStatus[0] as { cellV: number[]; currentA: number; tempC: number[] };
        m.cellV.forEach((v, k) => expect(Math.abs(v - state.cellV[k]!)).toBeLessThan(CELL_TOL_V));
        expect(Math.abs(m.currentA - state.currentA)).toBeLessThan(CURRENT_TOL_A);
        expect(m.tempC.length).toBeGreaterThan(0);
        m.tempC.forEach((t, k) => expect(Math.abs(t - state.tempC[k]!)).toBeLessThan(TEMP_TOL_C));
        expect(realRaw).toBe(rawRec && rawRec.record.type === "reply" ? rawRec.record.payload : "(no reply)");
      } finally {
        tap.dispose();
      }
    }, 60_000);
  }
});
