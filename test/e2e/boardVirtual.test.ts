import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard.js";
import { buildFirmware } from "../../host/bundle/buildFirmware.js";
import { decodeLine } from "../../shared/telemetry/lineFormat.js";
import type { BoardDef } from "../../shared/config/boardDef.js";

const tmp = mkdtempSync(join(tmpdir(), "zbms-board-"));
const boardDef = (id: string): BoardDef => JSON.parse(readFileSync(`hardware/boards/${id}.json`, "utf8")) as BoardDef;
const PACK = () => ({ cellV: [1.4, 1.5, 1.45, 1.42], currentA: 0.3, tempC: [22, 23] });

function telemetry(output: string) {
  return output
    .split("\r\n")
    .map((l) => decodeLine(l))
    .filter((d): d is Extract<ReturnType<typeof decodeLine>, { ok: true }> => d.ok);
}

describe("virtual board globals are Espruino's, not Node's", () => {
  it("lacks Map, Set, WeakMap, Symbol, Reflect, Proxy, BigInt, Number.isFinite/isNaN, Array.from/of, flat, at", () => {
    const b = new VirtualBoard({});
    for (const expr of ["Map", "Set", "WeakMap", "Symbol", "Reflect", "Proxy", "BigInt", "Number.isFinite", "Number.isNaN", "Array.from", "Array.of", "[].flat", "[].at", "Math.trunc", "Object.freeze", "setImmediate", "queueMicrotask", "require", "process.exit"]) {
      const r = b.evaluate(`typeof ${expr}`);
      expect([expr, r.value]).toEqual([expr, expr === "require" ? "function" : "undefined"]);
    }
    expect(b.evaluate("new Map()").ok).toBe(false);
    expect(b.output).toContain("Uncaught ReferenceError: Map is not defined");
  });

  it("provides Espruino's: E.CRC32, getTime, Storage, print, process.memory, typed arrays, Promise", () => {
    const b = new VirtualBoard({});
    expect(b.evaluate('E.CRC32("hello")').value).toBe(907060870); // docs/espruino.md: E.CRC32("hello") = 907060870
    expect(b.evaluate("typeof getTime()").value).toBe("number");
    expect(b.evaluate('require("Storage").write("f","abc")').value).toBe(true);
    expect(b.evaluate('require("Storage").read("f")').value).toBe("abc");
    const m = b.evaluate("process.memory()").value as { total: number; free: number; usage: number };
    expect(m.total).toBeGreaterThan(10000);
    expect(m.usage + m.free).toBe(m.total);
    b.evaluate('print("hi", 1, [1,2])');
    expect(b.output).toContain("hi 1 [ 1, 2 ]\r\n");
    expect(b.evaluate("new Float64Array(2).length").value).toBe(2);
  });
});

describe("virtual clock", () => {
  it("runs an hour of 1 s intervals far faster than real time, with getTime in step", () => {
    const b = new VirtualBoard({});
    b.evaluate("var n = 0; var last = 0; setInterval(function () { n++; last = getTime(); }, 1000);");
    const t0 = Date.now();
    b.advance(3600_000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(b.evaluate("n").value).toBe(3600);
    expect(b.evaluate("last").value).toBeCloseTo(3600, 6);
  });

  it("clearInterval(undefined) throws instead of clearing everything; clearInterval() clears all", () => {
    const b = new VirtualBoard({});
    b.evaluate("var a = 0; setInterval(function () { a++; }, 100);");
    expect(b.evaluate("clearInterval(undefined)").ok).toBe(false);
    b.advance(1000);
    expect(b.evaluate("a").value).toBe(10);
    b.evaluate("clearInterval()");
    b.advance(1000);
    expect(b.evaluate("a").value).toBe(10);
  });

  it("getTime restarts at 0 on every boot while the pack's world time goes on", () => {
    const seen: number[] = [];
    const b = new VirtualBoard({ pack: (t) => (seen.push(t), { cellV: [1.5], currentA: 0, tempC: [25] }) });
    b.advance(5000);
    b.powerCycle();
    expect(b.evaluate("getTime()").value).toBe(0);
    expect(b.worldMs()).toBe(5000);
    b.powerLoss();
    b.advance(2000); // the board is off, time goes on
    b.powerOn();
    expect(b.worldMs()).toBe(7000);
    expect(b.nowMs()).toBe(0);
  });

  it("a callback slower than its period does not pile up timers", () => {
    const b = new VirtualBoard({ board: boardDef("esp32-ads1115"), pack: PACK });
    // each run spends 400 analogReads × 0.05 ms = 20 ms of board time against a 10 ms period
    b.evaluate("var runs = 0; setInterval(function () { runs++; for (var i = 0; i < 400; i++) analogRead('D36'); }, 10);");
    b.advance(1000);
    const runs = b.evaluate("runs").value as number;
    // back to back: first run at 10 ms, then one every 20 ms → ≤ 51 in 1 s, not 100
    expect(runs).toBeLessThanOrEqual(51);
    expect(runs).toBeGreaterThan(40);
  });
});

describe("Storage on a host file, and power loss", () => {
  it("keeps files across power loss and across board instances; RAM is gone", () => {
    const path = join(tmp, "flash1.json");
    const b = new VirtualBoard({ storagePath: path });
    b.evaluate('var ram = 42; require("Storage").write("keep", "data")');
    b.powerCycle();
    expect(b.evaluate("typeof ram").value).toBe("undefined");
    expect(b.evaluate('require("Storage").read("keep")').value).toBe("data");
    const b2 = new VirtualBoard({ storagePath: path });
    expect(b2.evaluate('require("Storage").read("keep")').value).toBe("data");
  });

  it("write with offset/size: unwritten bytes read 0xFF, rewrites without erase AND the bits, overflow is an error", () => {
    const b = new VirtualBoard({});
    b.evaluate('var S = require("Storage"); S.write("f", "ab", 0, 6); S.write("f", "cd", 2);');
    expect(Array.from(b.storageFile("f")!)).toEqual([0x61, 0x62, 0x63, 0x64, 0xff, 0xff]);
    b.evaluate('S.write("f", "\\x0f", 1)');
    expect(b.storageFile("f")![1]).toBe(0x62 & 0x0f);
    expect(b.evaluate('S.write("f", "xyz", 5)').ok).toBe(false);
    expect(b.output).toMatch(/does not fit/);
    expect(b.evaluate('S.write("nofile", "x", 3)').ok).toBe(false);
    expect(b.evaluate('S.write("' + "n".repeat(29) + '", "x")').ok).toBe(false);
  });

  it("Storage is 256 kB: a write that does not fit fails naming the file; wear counters add up", () => {
    const b = new VirtualBoard({});
    expect(b.evaluate('require("Storage").write("big", "x", 0, 200000)').value).toBe(true);
    expect(b.evaluate('require("Storage").write("big2", "x", 0, 100000)').ok).toBe(false);
    expect(b.output).toMatch(/not enough space for "big2"/);
    expect(b.evaluate('require("Storage").getFree()').value).toBe(262144 - 200000 - 32);
    const st = b.storage.getStats();
    expect(st.writes).toBe(1);
    expect(st.bytesWritten).toBe(1);
  });

  it("power loss in the middle of a Storage write leaves a torn file: the old copy gone, the new one partly written", () => {
    const b = new VirtualBoard({ storagePath: join(tmp, "flash2.json") });
    b.evaluate('require("Storage").write("state", "OLD-OLD-OLD-OLD")');
    b.storage.armPowerLoss({ writeIndex: 0, afterBytes: 4 });
    b.evaluate('var after = 0; require("Storage").write("state", "NEW-NEW-NEW-NEW"); after = 1;');
    expect(b.bootReason).toBe("powerLoss");
    expect(b.evaluate("typeof after").value).toBe("undefined"); // the code after the write never ran
    const torn = b.storageFile("state")!;
    expect(torn.length).toBe(15);
    expect(Buffer.from(torn.subarray(0, 4)).toString("latin1")).toBe("NEW-");
    expect(Array.from(torn.subarray(4))).toEqual(new Array(11).fill(0xff));
  });

  it("boot runs .varimg (save()) on power-on and .bootcde; a soft reset() runs neither", () => {
    const b = new VirtualBoard({});
    b.evaluate("var fromSave = 7;");
    b.evaluate("save()");
    b.evaluate('require("Storage").write(".bootcde", "var fromBoot = 9;")');
    b.powerCycle();
    expect(b.evaluate("fromSave + fromBoot").value).toBe(16);
    b.evaluate("reset()");
    expect(b.bootReason).toBe("reset");
    expect(b.evaluate("typeof fromSave + typeof fromBoot").value).toBe("undefinedundefined");
    b.evaluate("load()");
    expect(b.evaluate("fromSave + fromBoot").value).toBe(16);
  });
});

describe("watchdog", () => {
  it("E.enableWatchdog(s, false) without kicks reboots the board; kicking keeps it running", () => {
    const b = new VirtualBoard({});
    b.evaluate("E.enableWatchdog(2, false); setInterval(function () {}, 100);");
    b.advance(3000);
    expect(b.bootReason).toBe("watchdog");
    const k = new VirtualBoard({});
    k.evaluate("E.enableWatchdog(2, false); setInterval(function () { E.kickWatchdog(); }, 500);");
    k.advance(10_000);
    expect(k.bootCount).toBe(1);
  });

  it("a stuck loop is interrupted and the board resets", () => {
    const b = new VirtualBoard({ callTimeoutMs: 200 });
    b.evaluate("setTimeout(function () { for (;;) {} }, 10);");
    b.advance(100);
    expect(b.bootReason).toBe("watchdog");
  });
});

describe("the real firmware bundle on the virtual board", () => {
  let code = "";
  beforeAll(async () => {
    code = (await buildFirmware({ write: false })).code;
  });

  it("runs, identifies itself with the bundle hash, and prints status telemetry with the pack's values", async () => {
    const b = new VirtualBoard({ board: boardDef("esp32-ads1115"), pack: PACK });
    expect(b.evaluate(code).ok).toBe(true);
    b.advance(10_000);
    const recs = telemetry(b.output).map((d) => d.record);
    const ident = recs.find((r) => r.type === "ident");
    expect(ident && ident.type === "ident" && ident.bundleHash).toMatch(/^[0-9a-f]{16}$/);
    const status = recs.filter((r) => r.type === "status");
    expect(status.length).toBeGreaterThanOrEqual(8);
    const last = status[status.length - 1]!;
    if (last.type !== "status") throw new Error("not status");
    expect(last.cellV[0]).toBeCloseTo(1.4, 2);
    expect(last.cellV[3]).toBeCloseTo(1.42, 2);
    expect(last.currentA).toBeCloseTo(0.3, 2);
    expect(last.tempC[0]).toBeCloseTo(22, 0);
  });

  it("process.memory() counts the loaded code: usage grows by about size/10 JsVars (CHARS_PER_JSVAR)", () => {
    const b = new VirtualBoard({ board: boardDef("esp32-ads1115"), pack: PACK });
    const before = (b.evaluate("process.memory()").value as { usage: number }).usage;
    b.evaluate(code);
    const after = (b.evaluate("process.memory()").value as { usage: number; total: number }).usage;
    expect(after - before).toBeGreaterThan(code.length / 10);
    expect(after - before).toBeLessThan(code.length / 10 + 3000);
  });

  it("an I2C chip that stops answering gives an error line and the sampler keeps running", async () => {
    const b = new VirtualBoard({ board: boardDef("esp32-ads1115"), pack: PACK });
    b.evaluate(code);
    b.advance(3000);
    b.faults.i2cDead(73); // the shunt ADS1115
    const before = telemetry(b.output).length;
    b.advance(5000);
    const recs = telemetry(b.output).slice(before).map((d) => d.record);
    expect(recs.some((r) => r.type === "error")).toBe(true);
    const status = recs.filter((r) => r.type === "status");
    expect(status.length).toBeGreaterThanOrEqual(4);
    const last = status[status.length - 1]!;
    if (last.type === "status") expect(last.currentA).toBeNaN();
  });

  it("an open NTC and an ADC pin at the rail read as invalid (NaN), sampling goes on", async () => {
    const b = new VirtualBoard({ board: boardDef("esp32-ads1115"), pack: PACK });
    b.evaluate(code);
    b.advance(2000);
    b.faults.openNtc(0);
    b.faults.adcRail("D39", "high");
    const before = telemetry(b.output).length;
    b.advance(4000);
    const status = telemetry(b.output).slice(before).map((d) => d.record).filter((r) => r.type === "status");
    expect(status.length).toBeGreaterThanOrEqual(3);
    const last = status[status.length - 1]!;
    if (last.type === "status") {
      expect(last.tempC[0]).toBeNaN();
      expect(last.cellV[0]).toBeCloseTo(1.4, 2);
    }
  });

  it("power loss at random instants never stops the board from coming back and publishing (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 20_000 }), async (cutMs) => {
        const b = new VirtualBoard({ board: boardDef("esp32-ads1115"), pack: PACK, storagePath: join(tmp, `pl-${cutMs}-${Math.random()}.json`) });
        b.storage.write(".bootcde", new Uint8Array(Buffer.from(code, "latin1")), undefined, undefined);
        b.powerCycle();
        b.advance(cutMs);
        b.powerCycle();
        b.advance(5000);
        const recs = telemetry(b.output).map((d) => d.record);
        expect(recs.some((r) => r.type === "boot")).toBe(true);
        expect(recs.filter((r) => r.type === "status").length).toBeGreaterThanOrEqual(3);
      }),
      { numRuns: 8 },
    );
  });
});
