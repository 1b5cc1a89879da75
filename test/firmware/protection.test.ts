/**
 * The protection output on the virtual board (esp32-ads1115: PhotoMOS relay on D25, low = pack
 * open): an alarm-level row opens it, its reset level (hysteresis) closes it, a warning does
 * not; `openRest` opens it for its time, the model sees the rest as open circuit (it learns the
 * shunt offset from those samples), and a reboot resumes the rest.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { buildFirmware } from "../../host/bundle/buildFirmware";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard";
import { validateBoard } from "../../shared/config/validateBoard";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import type { TelemetryRecord } from "../../shared/telemetry/records";
import { ads1115VoltsToCode } from "../../shared/sensors/ads1115";

const board = validateBoard(JSON.parse(readFileSync(new URL("../../hardware/boards/esp32-ads1115.json", import.meta.url), "utf8")));
const pack = JSON.parse(readFileSync(new URL("../../hardware/packs/znmno2-4s.json", import.meta.url), "utf8"));
const PIN = board.protection!.pin;
/** Pin level that opens the pack on this board. */
const OPEN = board.protection!.activeHigh ? 1 : 0;
const CLOSED = 1 - OPEN;
const alarmRow = (id: string, level: string) => pack.alarms.find((r: { id: string; level: string }) => r.id === id && r.level === level);
const OV_ALARM = alarmRow("cellOverVoltage", "alarm");
const OV_WARN = alarmRow("cellOverVoltage", "warning");
const FLAG_REST_MARKED = 4;
let bundle = "";

beforeAll(async () => {
  const b = await buildFirmware({ write: false });
  expect(b.findings).toEqual([]);
  bundle = b.code;
}, 60000);

function records(vb: VirtualBoard): TelemetryRecord[] {
  const out: TelemetryRecord[] = [];
  for (const l of vb.output.split(/\r?\n/)) {
    const d = decodeLine(l);
    if (d.ok) out.push(d.record);
  }
  return out;
}

function reply(vb: VirtualBoard, cmd: string): Record<string, any> {
  vb.evaluate(cmd);
  const r = records(vb);
  const l = r[r.length - 1];
  expect(l.type, cmd + " → " + JSON.stringify(l)).toBe("reply");
  return JSON.parse((l as { payload: string }).payload);
}

function lastStatus(vb: VirtualBoard): Extract<TelemetryRecord, { type: "status" }> {
  const s = records(vb).filter((r) => r.type === "status");
  expect(s.length).toBeGreaterThan(0);
  return s[s.length - 1] as Extract<TelemetryRecord, { type: "status" }>;
}

/** A pack whose top cell the test sets, charging at 0.4 A while the switch is closed (0 A when open). */
function newBoard(opts: { shuntOffsetV?: number } = {}) {
  const drive = { topCellV: 1.5, currentA: 0.4 };
  let vb: VirtualBoard | undefined;
  const offsetV = opts.shuntOffsetV ?? 0;
  vb = new VirtualBoard({
    board,
    pack: () => ({
      cellV: [1.5, 1.5, 1.5, drive.topCellV],
      currentA: vb !== undefined && vb.pinLevels.get(PIN) === OPEN ? 0 : drive.currentA,
      tempC: [25, 25],
    }),
    ads1115ToCode: (v, _fsr, pga, address) => ads1115VoltsToCode(address === 73 ? v + offsetV : v, pga),
  });
  vb.evaluate(bundle);
  return { vb, drive };
}

describe("protection output", () => {
  it("closes at boot, opens on an over-voltage alarm (not on the warning), and closes again only below the reset level", () => {
    const { vb, drive } = newBoard();
    vb.advance(3000);
    expect(vb.pinLevels.get(PIN)).toBe(CLOSED);
    drive.topCellV = (OV_WARN.limit + OV_ALARM.limit) / 2; // warning only
    vb.advance(OV_WARN.delayMs + 3000);
    expect(lastStatus(vb).alarmMask).not.toBe(0);
    expect(vb.pinLevels.get(PIN)).toBe(CLOSED);
    drive.topCellV = OV_ALARM.limit + 0.05;
    vb.advance(OV_ALARM.delayMs + 3000);
    expect(vb.pinLevels.get(PIN)).toBe(OPEN);
    expect(reply(vb, 'zbms("status")').switchOpen).toBe(1);
    drive.topCellV = (OV_ALARM.limit + OV_ALARM.reset) / 2; // below the limit, above the reset level
    vb.advance(OV_ALARM.delayMs + 3000);
    expect(vb.pinLevels.get(PIN)).toBe(OPEN);
    drive.topCellV = 1.5;
    vb.advance(OV_ALARM.delayMs + 3000);
    expect(vb.pinLevels.get(PIN)).toBe(CLOSED);
    expect(reply(vb, 'zbms("status")').switchOpen).toBe(0);
  });

  it("an alarm active at a reboot is restored with the state: the switch is open again at boot, before any sample", () => {
    const { vb, drive } = newBoard();
    vb.advance(3000);
    expect(vb.pinModes.get(PIN)).toBe("output");
    drive.topCellV = OV_ALARM.limit + 0.05;
    vb.advance(OV_ALARM.delayMs + 3000);
    expect(vb.pinLevels.get(PIN)).toBe(OPEN);
    reply(vb, 'zbms("save")');
    vb.powerCycle();
    expect(vb.pinLevels.has(PIN)).toBe(false); // GPIOs reset to inputs: the relay's LED is off, the pack open
    vb.evaluate(bundle);
    vb.advance(1); // boot ran, no sample yet
    expect(records(vb).filter((r) => r.type === "status")).toHaveLength(0);
    expect(vb.pinLevels.get(PIN)).toBe(OPEN);
    drive.topCellV = 1.5;
    vb.advance(OV_ALARM.delayMs + 3000);
    expect(vb.pinLevels.get(PIN)).toBe(CLOSED);
  });

  it("openRest opens the switch for its time; the model sees open circuit (learns the shunt offset) and it closes by itself", () => {
    const offsetV = 100e-6; // 2 mA at 50 mΩ
    const { vb } = newBoard({ shuntOffsetV: offsetV });
    vb.advance(3000);
    expect(vb.pinLevels.get(PIN)).toBe(CLOSED);
    expect(reply(vb, 'zbms("status")').model.offsetA).toBe(0);
    const hours = 0.25;
    const r = reply(vb, `zbms("openRest", ${hours})`);
    expect(r.openRestS).toBe(hours * 3600);
    expect(r.persisted).toBe(true);
    expect(vb.pinLevels.get(PIN)).toBe(OPEN);
    vb.advance(hours * 3600 * 1000 - 5000);
    expect(vb.pinLevels.get(PIN)).toBe(OPEN);
    expect(lastStatus(vb).flags & FLAG_REST_MARKED).toBe(FLAG_REST_MARKED);
    expect(reply(vb, 'zbms("status")').model.offsetA).toBeCloseTo(offsetV / board.current.shuntOhm, 4);
    vb.advance(10000);
    expect(vb.pinLevels.get(PIN)).toBe(CLOSED);
    expect(lastStatus(vb).flags & FLAG_REST_MARKED).toBe(0);
    expect(lastStatus(vb).currentA).toBeCloseTo(0.4, 3);
    expect(vb.storage.read("zbms.rest")).toBeUndefined();
  });

  it("a reboot during an open rest resumes it with the time left at the last save", () => {
    const { vb } = newBoard();
    vb.advance(3000);
    reply(vb, 'zbms("openRest", 1)');
    vb.advance((pack.saveIntervalS + 10) * 1000); // one periodic save stored the time left
    vb.powerCycle();
    vb.evaluate(bundle);
    vb.advance(2000);
    const boot = records(vb).find((x) => x.type === "boot") as { reason: string } | undefined;
    expect(boot?.reason).toMatch(/open rest resumed, \d+ s left/);
    const left = Number(/open rest resumed, (\d+) s left/.exec(boot!.reason)![1]);
    // started at 3 s; the periodic save at saveIntervalS after boot stored 3600 − (saveIntervalS − 3)
    expect(left).toBeGreaterThanOrEqual(3600 - pack.saveIntervalS);
    expect(left).toBeLessThanOrEqual(3600 - pack.saveIntervalS + 3);
    expect(vb.pinLevels.get(PIN)).toBe(OPEN);
    vb.advance((left + 5) * 1000);
    expect(vb.pinLevels.get(PIN)).toBe(CLOSED);
  });

  it("rest 0 and openRest 0 end an open rest at once; bad hours give an error naming the value", () => {
    const { vb } = newBoard();
    vb.advance(2000);
    reply(vb, 'zbms("openRest", 2)');
    expect(vb.pinLevels.get(PIN)).toBe(OPEN);
    expect(reply(vb, 'zbms("rest", 0)').rest).toBe(0);
    expect(vb.pinLevels.get(PIN)).toBe(CLOSED);
    reply(vb, 'zbms("openRest", 2)');
    expect(reply(vb, 'zbms("openRest", 0)').openRestS).toBe(0);
    expect(vb.pinLevels.get(PIN)).toBe(CLOSED);
    for (const bad of ["-1", "1000", '"x"']) {
      vb.evaluate(`zbms("openRest", ${bad})`);
      const l = records(vb).pop() as { type: string; text: string };
      expect(l.type).toBe("error");
      expect(l.text).toContain("got " + bad.replace(/"/g, ""));
    }
  });
});

describe("a board without a protection switch", () => {
  it("refuses openRest and says to use rest 1", async () => {
    const b = await buildFirmware({ write: false, board: "esp32-ina226" });
    const ina = validateBoard(JSON.parse(readFileSync(new URL("../../hardware/boards/esp32-ina226.json", import.meta.url), "utf8")));
    const vb = new VirtualBoard({ board: ina });
    vb.evaluate(b.code);
    vb.advance(2000);
    vb.evaluate('zbms("openRest", 1)');
    const l = records(vb).pop() as { type: string; text: string };
    expect(l.type).toBe("error");
    expect(l.text).toMatch(/no protection switch.*rest 1/);
    expect(vb.pinLevels.size).toBe(0);
  }, 60000);
});
