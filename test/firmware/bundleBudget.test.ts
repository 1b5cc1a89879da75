/**
 * CI check of the firmware's memory budget (host/build/bundleBudget.ts): FAILS when the default
 * bundle is larger than BUNDLE_BUDGET_BYTES, or when the long-lived state of the booted firmware
 * (app, model after several cycles, embedded board and pack, state slot buffer, sensors,
 * config limits), counted with bench/jsVarEstimate.ts, exceeds STATE_BUDGET_JSVARS.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { buildFirmware } from "../../host/build/buildFirmware";
import {
  BUNDLE_BUDGET_BYTES, CHARS_PER_JSVAR, CODE_POOL_SHARE, ESP32_JSVAR_POOL, RAM_UPLOAD_MAX_BYTES, STATE_BUDGET_JSVARS, TRANSIENT_POOL_SHARE,
  codeJsVars, describeBundleSize,
} from "../../host/build/bundleBudget";
import { configLimits } from "../../host/build/configLimits";
import { estimateTreeJsVars } from "../../bench/jsVarEstimate";
import { bootApp, createApp, stepModel, type AppIo } from "../../firmware/app";
import { validateBoard } from "../../firmware/boardValidate";
import { CONFIG_RULES, validateConfig } from "../../shared/config/validateConfig";
import { makeSample } from "../../shared/sample";
import { FakeStorage, byteCrc } from "./storageFake";
import { FakeBus, fakeAds1115, fakeHw } from "./registerFakes";

const boardDef = validateBoard(JSON.parse(readFileSync(new URL("../../hardware/boards/esp32-ads1115.json", import.meta.url), "utf8")));
const pack = validateConfig(JSON.parse(readFileSync(new URL("../../hardware/packs/znmno2-4s.json", import.meta.url), "utf8")));
/** Model steps of the state measurement: 1 s samples over ~5.5 h, two full C/5-ish cycles with rests. */
const STEPS = 20_000;
const HALF_CYCLE_STEPS = 4_000;
const ACTIVE_STEPS = 3_600;
const TEST_CURRENT_A = 0.4;

describe("firmware memory budget (CI check)", () => {
  it("the budget is derived from the pool: half of it for code kept as text", () => {
    expect(BUNDLE_BUDGET_BYTES).toBe(Math.floor(CODE_POOL_SHARE * ESP32_JSVAR_POOL) * CHARS_PER_JSVAR);
    expect(codeJsVars(BUNDLE_BUDGET_BYTES)).toBeLessThanOrEqual(ESP32_JSVAR_POOL * CODE_POOL_SHARE);
  });

  it("the default bundle (esp32-ads1115, znmno2-4s) is within BUNDLE_BUDGET_BYTES", async () => {
    const r = await buildFirmware({ write: false });
    console.log("[budget] " + describeBundleSize(r.sizeB));
    console.log(`[budget] a RAM (REPL) upload holds at most ${RAM_UPLOAD_MAX_BYTES} B: ${r.sizeB > RAM_UPLOAD_MAX_BYTES ? "this bundle needs the flash mode" : "fits"}`);
    expect(r.sizeB, describeBundleSize(r.sizeB)).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
  }, 60000);

  it("the long-lived state after several cycles is within STATE_BUDGET_JSVARS, and code + state leave >= TRANSIENT_POOL_SHARE of the pool", async () => {
    const bus = new FakeBus();
    bus.chips[72] = fakeAds1115([1.4, 2.81, 4.23, 5.66].map((v, k) => v / (k + 1)), 0);
    bus.chips[73] = fakeAds1115([0.02, 0, 0, 0], 0);
    const hw = fakeHw(bus, { D36: () => 0.5, D39: () => 0.5 });
    let tS = 0;
    const io: AppIo = { hw, storage: new FakeStorage(), byteCrc, strCrc: undefined, print: () => {}, nowS: () => tS, memory: () => null };
    const app = createApp({ version: "t", hash: "h", board: "b", pack: "p" }, boardDef, pack, io);
    bootApp(app, "budget test");
    for (let i = 0; i < STEPS; i++) {
      tS = i;
      const phase = Math.floor(i / HALF_CYCLE_STEPS) % 2 === 0 ? 1 : -1;
      const currentA = i % HALF_CYCLE_STEPS < ACTIVE_STEPS ? phase * TEST_CURRENT_A : 0;
      const v = 1.4 + 0.1 * phase * ((i % HALF_CYCLE_STEPS) / HALF_CYCLE_STEPS);
      stepModel(app, makeSample(i * 1000, [v, v, v, v], currentA, [25, 25], currentA === 0 ? 1 : 0));
    }
    expect(app.model.status().cycleCount).toBeGreaterThanOrEqual(2);
    const seen = new Set<object>();
    // io is Espruino's own (Storage lives in flash, the I2C/pin objects are native): not state; here
    // it holds the host fakes (Storage contents, the bus log), so it is left out of the count.
    const external: object[] = [io, io.storage!, hw, bus];
    for (const o of external) seen.add(o);
    // The state store's u32 and f64 are views of the same buffer as its u8 (counted once, with u8);
    // estimateTreeJsVars would count each view's bytes again.
    const store = app.store!;
    const views = estimateTreeJsVars(store.u32).total + estimateTreeJsVars(store.f64).total;
    seen.add(store.u32);
    seen.add(store.f64);
    console.log("[budget] by field (shared objects counted in each): " +
      Object.keys(app).map((k) => k + " " + estimateTreeJsVars((app as any)[k] ?? {}, new Set(seen)).total).filter((t) => !/ 1$/.test(t)).join(", ") +
      `; store views not counted twice: ${views}`);
    const appVars = estimateTreeJsVars(app as unknown as object, seen).total;
    const limitVars = estimateTreeJsVars(configLimits(CONFIG_RULES as never, pack) as unknown as object, seen).total;
    const stateVars = appVars + limitVars;
    const code = codeJsVars((await buildFirmware({ write: false })).sizeB);
    const freeFrac = 1 - (code + stateVars) / ESP32_JSVAR_POOL;
    console.log(`[budget] state ≈ ${stateVars} JsVars (app ${appVars}, config limits ${limitVars}) of ${STATE_BUDGET_JSVARS} budget; ` +
      `code ${code} + state = ${code + stateVars} of ${ESP32_JSVAR_POOL}: ${(100 * freeFrac).toFixed(0)} % free for telemetry and commands`);
    expect(stateVars).toBeLessThanOrEqual(STATE_BUDGET_JSVARS);
    expect(freeFrac).toBeGreaterThanOrEqual(TRANSIENT_POOL_SHARE);
  }, 60000);
});
