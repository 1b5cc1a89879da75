/**
 * The real firmware bundle (default board esp32-ads1115, pack znmno2-4s) on the virtual board:
 * publishing waits for valid sensors; faults and bad commands give fault/error lines while the
 * sampler keeps running; a bad `set` leaves the config unchanged; power loss at random
 * instants (and during a state write) loses at most the charge counted since the last save,
 * and the restored board says so.
 */
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { buildFirmware, defaultPackFor, loadPack } from "../../host/bundle/buildFirmware";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard";
import type { PackState } from "../../host/virtualBoard/frontEnd";
import { validateBoard } from "../../shared/config/validateBoard";
import { SETTINGS_WRITE_MIN_S } from "../../firmware/app";
import { RECORD_CHUNK_B } from "../../firmware/persistence/stateStore";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import type { TelemetryRecord } from "../../shared/telemetry/records";

const board = validateBoard(JSON.parse(readFileSync(new URL("../../hardware/boards/esp32-ads1115.json", import.meta.url), "utf8")));
const pack = JSON.parse(readFileSync(new URL("../../hardware/packs/znmno2-4s.json", import.meta.url), "utf8"));
let bundle = "";

beforeAll(async () => {
  const b = await buildFirmware({ write: false });
  expect(b.findings).toEqual([]);
  bundle = b.code;
}, 60000);

/** Charging at 0.4 A, cells at 1.40…1.43 V, 25 °C. */
const CHARGE_A = 0.4;
function charging(): PackState {
  return { cellV: [1.4, 1.41, 1.42, 1.43], currentA: CHARGE_A, tempC: [25, 25] };
}

function newBoard(): VirtualBoard {
  const vb = new VirtualBoard({ board, pack: charging });
  vb.evaluate(bundle);
  return vb;
}

function records(vb: VirtualBoard): TelemetryRecord[] {
  const out: TelemetryRecord[] = [];
  for (const l of vb.output.split(/\r?\n/)) {
    const d = decodeLine(l);
    if (d.ok) out.push(d.record);
    else expect(d.reason, l).toBe("notTelemetry");
  }
  return out;
}

function last<T extends TelemetryRecord["type"]>(vb: VirtualBoard, type: T): Extract<TelemetryRecord, { type: T }> {
  const rs = records(vb).filter((r) => r.type === type);
  expect(rs.length, "a " + type + " line").toBeGreaterThan(0);
  return rs[rs.length - 1] as Extract<TelemetryRecord, { type: T }>;
}

/** Run a command and return the reply's JSON payload (fails on an error line). */
function reply(vb: VirtualBoard, cmd: string): Record<string, any> {
  vb.evaluate(cmd);
  const r = records(vb);
  const l = r[r.length - 1];
  expect(l.type, cmd + " → " + JSON.stringify(l)).toBe("reply");
  return JSON.parse((l as { payload: string }).payload);
}

function lastError(vb: VirtualBoard): { id: string; text: string } {
  return last(vb, "error");
}

function statusCount(vb: VirtualBoard): number {
  return records(vb).filter((r) => r.type === "status").length;
}

describe("firmware on the virtual board", () => {
  it("identifies itself, waits for valid sensors before publishing, then prints one status line per sample", () => {
    const vb = new VirtualBoard({ board, pack: charging });
    vb.bus.dead.add(72); // the tap ADC does not answer at boot
    vb.evaluate(bundle);
    vb.advance(5000);
    const rs = records(vb);
    expect(rs[0].type).toBe("ident");
    expect(rs[1]).toMatchObject({ type: "boot", restored: false });
    expect(statusCount(vb)).toBe(0);
    expect(lastError(vb).text).toMatch(/ads1115@72 AIN\d: i2c write/);
    vb.bus.dead.delete(72);
    vb.advance(5000);
    const n = statusCount(vb);
    expect(n).toBeGreaterThanOrEqual(4);
    expect(n).toBeLessThanOrEqual(5);
    const s = last(vb, "status");
    expect(s.cellV[3]).toBeCloseTo(1.43, 2);
    expect(s.currentA).toBeCloseTo(CHARGE_A, 3);
    const st = reply(vb, 'zbms("status")');
    expect(st.waitedForValid).toBeGreaterThanOrEqual(4);
    expect(st.started).toBe(true);
    expect(st.crashes).toBe(0);
    expect(st.stepMs.mean).toBeGreaterThan(0); // four rounds of ADS1115 conversions at 128 SPS
    expect(st.mem.total).toBeGreaterThan(0);
    expect(last(vb, "ident")).toMatchObject({ board: "esp32-ads1115", pack: pack.name });
  });

  it("a dead sensor, an I2C error and an invalid command each give a fault or error line, and sampling goes on", () => {
    const vb = newBoard();
    vb.advance(3000);
    // I2C error: the shunt ADC stops answering
    vb.bus.dead.add(73);
    vb.advance(3000);
    expect(lastError(vb)).toMatchObject({ id: "sensor" });
    expect(lastError(vb).text).toMatch(/ads1115@73 AIN0-AIN1: i2c write/);
    const fault = records(vb).filter((r) => r.type === "alarm" && r.id === "sensorFault");
    expect(fault[fault.length - 1]).toMatchObject({ raised: true });
    expect(last(vb, "status").currentA).toBeNaN();
    expect(last(vb, "status").flags & 2).toBe(2);
    vb.bus.dead.delete(73);
    // dead sensor: open NTC
    vb.frontEnd!.faults.openNtc.add(0);
    vb.advance(3000);
    expect(last(vb, "status").tempC[0]).toBeNaN();
    expect(records(vb).filter((r) => r.type === "alarm" && r.id === "sensorFault").length).toBeGreaterThanOrEqual(1);
    vb.frontEnd!.faults.openNtc.delete(0);
    // invalid commands
    const before = statusCount(vb);
    for (const c of ['zbms(42)', 'zbms("bogus")', 'zbms("rest", 7)', 'zbms("cal","v9",1,2,3,4)', 'zbms("cal","v0","a")', 'zbms("get","nope.x")', 'zbms()', 'zbms("set")']) {
      vb.evaluate(c);
      const l = records(vb).pop()!;
      expect(l.type, c).toBe("error");
    }
    vb.advance(3000);
    expect(statusCount(vb)).toBeGreaterThan(before);
    expect(reply(vb, 'zbms("status")').crashes).toBe(0);
  });

  it("a bad set is rejected with an error line naming the field, and the config is unchanged", () => {
    const vb = newBoard();
    vb.advance(2000);
    const before = reply(vb, 'zbms("get","alarms.1.limit")').value;
    vb.evaluate('zbms("set","alarms.1.limit",-5)');
    expect(lastError(vb).text).toMatch(/alarms\[1\]|limit/);
    vb.evaluate('zbms("set","alarms.1.limit","high")');
    expect(lastError(vb).text).toMatch(/takes a number, got string high/);
    vb.evaluate('zbms("set","cellCount",3)');
    expect(lastError(vb).id).toBe("set");
    expect(reply(vb, 'zbms("get","alarms.1.limit")').value).toBe(before);
    expect(reply(vb, 'zbms("get","cellCount")').value).toBe(4);
    const ok = reply(vb, 'zbms("set#9","alarms.1.limit",1.92)');
    expect(ok).toMatchObject({ path: "alarms.1.limit", value: 1.92, persisted: "saved" });
    expect(reply(vb, 'zbms("get","alarms.1.limit")').value).toBe(1.92);
    vb.advance(2000);
    expect(reply(vb, 'zbms("status")').crashes).toBe(0);
  });

  it("cal sets a two-point calibration from raw codes, persisted; raw shows the codes", () => {
    const vb = newBoard();
    vb.advance(2000);
    const raw = reply(vb, 'zbms("raw")');
    expect(raw.v0).toBe(Math.round(1.4 / (4.096 / 32768))); // 1.40 V at AIN0, ±4.096 V PGA
    // the DMM says 1.41 V where the raw code was raw.v0, and 0 V at code 0
    const r = reply(vb, `zbms("cal","v0",0,0,1.41,${raw.v0})`);
    expect(r).toMatchObject({ channel: "v0", persisted: "saved" });
    vb.advance(2000);
    expect(last(vb, "status").cellV[0]).toBeCloseTo(1.41, 3);
  });

  it("power loss at random instants loses at most the charge counted since the last save, and the restored board says so", () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 1400 }), (runS) => {
        const vb = newBoard();
        vb.evaluate("save()");
        vb.advance(runS * 1000);
        const before = reply(vb, 'zbms("status")');
        vb.powerLoss();
        vb.powerOn();
        vb.advance(3000);
        const boot = last(vb, "boot");
        const after = reply(vb, 'zbms("status")');
        const savedBefore = before.saves > 0;
        expect(boot.restored).toBe(savedBefore);
        const lostAh = before.model.chargeAh - (after.model.chargeAh - (after.samples * CHARGE_A * 1) / 3600);
        // lost: at most the time since the last save (+ one sample) of charging; never negative
        const sinceSaveS = savedBefore ? before.lastSaveAgeS : runS;
        expect(lostAh).toBeGreaterThan(-1e-6);
        expect(lostAh).toBeLessThanOrEqual((CHARGE_A * (sinceSaveS + 2)) / 3600 + 1e-6);
        if (savedBefore) {
          // the board clock restarts with power (as on an ESP32): the copy's age cannot be known
          expect(boot.storedAgeS).toBeNaN();
          expect(boot.reason).toMatch(/restored seq \d+ from slot [01]; age unknown: the board clock restarted/);
          expect(last(vb, "status").flags & 1).toBe(1);
        } else expect(boot.reason).toMatch(/nothing restored/);
      }),
      { numRuns: 8 },
    );
  }, 120000);

  it("power lost in the middle of a state write: the board restores the previous copy", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (cutFrac) => {
        const vb = newBoard();
        vb.evaluate("save()");
        vb.advance((pack.saveIntervalS + 10) * 1000); // first save done
        const first = reply(vb, 'zbms("status")');
        expect(first.saves).toBe(1);
        const cutB = Math.floor(cutFrac * first.stateBytes); // any byte of the record, never all of it
        // the record is written in chunks of RECORD_CHUNK_B (one Storage write each)
        vb.storage.armPowerLoss({ writeIndex: Math.floor(cutB / RECORD_CHUNK_B), afterBytes: cutB % RECORD_CHUNK_B });
        vb.advance(pack.saveIntervalS * 1000); // the second save is torn; the board reboots
        vb.advance(3000);
        const boot = last(vb, "boot");
        expect(boot.restored).toBe(true);
        expect(boot.reason).toMatch(/restored seq 1 from slot 1/);
        const after = reply(vb, 'zbms("status")');
        const lostAh = first.model.chargeAh + (CHARGE_A * (pack.saveIntervalS - first.lastSaveAgeS)) / 3600 - (after.model.chargeAh - (after.samples * CHARGE_A) / 3600);
        expect(lostAh).toBeLessThanOrEqual((CHARGE_A * (pack.saveIntervalS + 2)) / 3600 + 1e-6);
      }),
      { numRuns: 5 },
    );
  }, 120000);
});

describe("what the drivers applied", () => {
  it("status reports the ESP32 attenuations set on the NTC pins", () => {
    const vb = newBoard();
    vb.advance(2000);
    const st = reply(vb, 'zbms("status")');
    expect(st.applied.adc).toEqual([{ pin: "D36", attenCode: 3, attenDb: 11, ok: true }]);
    expect(st.applied.ina226).toBeNull();
  });
});

describe("the other two boards", () => {
  for (const id of ["esp32-ina226", "esp32-adc"]) {
    it(id + ": measures the pack and reports what its drivers applied", async () => {
      const def = validateBoard(JSON.parse(readFileSync(new URL("../../hardware/boards/" + id + ".json", import.meta.url), "utf8")));
      const b = await buildFirmware({ board: id, write: false });
      expect(b.findings).toEqual([]);
      const vb = new VirtualBoard({ board: def, pack: charging });
      vb.evaluate(b.code);
      vb.advance(4000);
      const s = last(vb, "status");
      // each builds its default pack (defaultPackFor: esp32-ina226 the 2-cell Zn-PBA, esp32-adc the 1-cell Zn-I2): it reads those cells only
      const cells = ((await loadPack(defaultPackFor(id))) as { cellCount: number }).cellCount;
      expect(s.cellV.length).toBe(cells);
      for (let k = 0; k < cells; k++) expect(Math.abs(s.cellV[k] - charging().cellV[k])).toBeLessThan(0.01);
      expect(Math.abs(s.currentA - CHARGE_A)).toBeLessThan(id === "esp32-adc" ? 0.02 : 0.001);
      expect(Math.abs(s.tempC[0] - 25)).toBeLessThan(1);
      const st = reply(vb, 'zbms("status")');
      expect(st.driverErrors).toBe(0);
      if (id === "esp32-ina226") expect(st.applied.ina226).toMatchObject({ ok: true, address: 64, calWord: 2048, calReadBack: 2048, manufacturerId: 0x5449 });
      else expect(st.applied.adc.length).toBe(cells + 2); // taps, the sense amplifier, the NTC
    }, 60000);
  }
});

describe("sample period change", () => {
  it("a longer sample period also lengthens the watchdog, so the board is not reset between samples", () => {
    const vb = newBoard();
    vb.advance(3000);
    vb.evaluate('zbms("set","samplePeriodMs",30000)');
    expect(lastError(vb).text).toMatch(/counting\.maxGapMs.*not above samplePeriodMs = 30000.*config unchanged/);
    expect(reply(vb, 'zbms("set","counting.maxGapMs",300000)')).toMatchObject({ value: 300000 });
    expect(reply(vb, 'zbms("set","samplePeriodMs",30000)')).toMatchObject({ value: 30000 });
    const boots = vb.bootCount;
    const before = statusCount(vb);
    for (let i = 0; i < 95; i++) vb.advance(1000); // the virtual board checks its watchdog after each advance()
    expect(vb.bootCount).toBe(boots);
    const n = statusCount(vb) - before;
    expect(n).toBeGreaterThanOrEqual(3);
    expect(n).toBeLessThanOrEqual(4);
  });
});

describe("a crash inside a step", () => {
  it("is caught and reported as an error line, and sampling goes on", () => {
    const vb = newBoard();
    vb.advance(2000);
    // the next line printed throws (inside the step, after the model stepped)
    vb.evaluate('console.log = (function (k) { var n = 0; return function (t) { if (n++ === 0) throw new Error("injected fault"); k(t); }; })(console.log)');
    const before = statusCount(vb);
    vb.advance(4000);
    expect(lastError(vb)).toMatchObject({ id: "sampler" });
    expect(lastError(vb).text).toMatch(/^step \d+: injected fault$/);
    expect(statusCount(vb) - before).toBeGreaterThanOrEqual(2);
    expect(reply(vb, 'zbms("status")').crashes).toBe(1);
  });
});

describe("persisted settings", () => {
  it("a config change and a calibration survive a power cycle; the boot line says where the config came from", () => {
    const vb = newBoard();
    vb.evaluate("save()");
    vb.advance(2000);
    reply(vb, 'zbms("set","alarms.1.limit",1.93)');
    const raw = reply(vb, 'zbms("raw")');
    reply(vb, `zbms("cal","v0",0,0,1.41,${raw.v0})`);
    // settings writes are coalesced (firmware/app.ts): the cal is written within SETTINGS_WRITE_MIN_S
    vb.advance(SETTINGS_WRITE_MIN_S * 1000 + 2000);
    vb.powerCycle();
    vb.advance(3000);
    const boot = last(vb, "boot");
    expect(boot.reason).toMatch(/config: stored; calibrations: v0/);
    expect(reply(vb, 'zbms("get","alarms.1.limit")').value).toBe(1.93);
    expect(last(vb, "status").cellV[0]).toBeCloseTo(1.41, 3);
  });

  it("a stored config the on-board check refuses is not used: the boot line quotes why and the embedded pack runs", () => {
    const vb = newBoard();
    vb.evaluate("save()");
    vb.advance(2000);
    reply(vb, 'zbms("set","saveIntervalS",600)');
    const stored = JSON.parse(Buffer.from(vb.storage.read("zbms.cfg")!).toString("utf8"));
    expect(stored.saveIntervalS).toBe(600);
    stored.cellCount = 40; // out of range; a file damaged or written by another firmware
    vb.storage.write("zbms.cfg", new Uint8Array(Buffer.from(JSON.stringify(stored))), undefined, undefined);
    vb.powerCycle();
    vb.advance(3000);
    expect(last(vb, "boot").reason).toMatch(/config: stored copy rejected \("cellCount" = 40 is out of range; accepted: integer 1\.\.16\), embedded used/);
    expect(reply(vb, 'zbms("get","saveIntervalS")').value).toBe(pack.saveIntervalS);
  });
});

describe("zero", () => {
  it("learns the shunt ADC's offset while the pack is idle and subtracts it afterwards", async () => {
    const { ads1115VoltsToCode } = await import("../../shared/sensors/ads1115");
    const offsetV = 100e-6; // 2 mA at 50 mΩ
    const vb = new VirtualBoard({
      board,
      pack: () => ({ cellV: [1.3, 1.3, 1.3, 1.3], currentA: 0, tempC: [25, 25] }),
      ads1115ToCode: (v, _fsr, pga, address) => ads1115VoltsToCode(address === 73 ? v + offsetV : v, pga),
    });
    vb.evaluate(bundle);
    vb.advance(3000);
    expect(last(vb, "status").currentA).toBeCloseTo(0.002, 4);
    expect(reply(vb, 'zbms("zero")').zeroSamples).toBe(pack.counting.offsetMinSamples);
    vb.advance((pack.counting.offsetMinSamples + 3) * 1000);
    expect(Math.abs(last(vb, "status").currentA)).toBeLessThan(0.0002);
    expect(reply(vb, 'zbms("status")').model.offsetA).toBeCloseTo(0.002, 4);
  });
});

describe("a build without a watchdog", () => {
  it("boots, says the watchdog is not enabled, and samples", () => {
    const vb = new VirtualBoard({ board, pack: charging });
    vb.evaluate('E.enableWatchdog = function () { throw new Error("not supported"); }; E.kickWatchdog = E.enableWatchdog;');
    vb.evaluate(bundle);
    vb.advance(3000);
    expect(records(vb).some((r) => r.type === "error" && r.id === "boot" && /watchdog not enabled: not supported/.test(r.text))).toBe(true);
    expect(statusCount(vb)).toBeGreaterThanOrEqual(2);
    expect(reply(vb, 'zbms("status")').crashes).toBe(0);
  });
});

describe("a cycle that spans a power cut", () => {
  it("is completed after the restore and flagged restored (CYCLE_FLAG_RESTORED)", () => {
    const drive = { currentA: 2 };
    const vb = new VirtualBoard({
      board,
      pack: () => ({ cellV: [1.4, 1.4, 1.4, 1.4].map((v) => v + 0.05 * drive.currentA), currentA: drive.currentA, tempC: [25, 25] }),
    });
    vb.evaluate(bundle);
    vb.evaluate("save()");
    vb.advance((pack.saveIntervalS + 20) * 1000); // charging, one periodic save done
    expect(reply(vb, 'zbms("status")').saves).toBeGreaterThanOrEqual(1);
    vb.powerCycle();
    vb.advance(60000); // still charging after the restore
    drive.currentA = -2;
    vb.advance(300000);
    drive.currentA = 0;
    vb.advance(120000);
    drive.currentA = 2; // the next charge closes the cycle
    vb.advance(120000);
    const cycles = records(vb).filter((r) => r.type === "cycle") as Array<Extract<TelemetryRecord, { type: "cycle" }>>;
    expect(cycles.length).toBe(1);
    expect(cycles[0].cycle.index).toBe(1);
    expect(cycles[0].cycle.flags & 4).toBe(4);
    expect(last(vb, "boot").restored).toBe(true);
  });
});
