import { describe, expect, it } from "vitest";
import { NO_TELEMETRY_HINT_MS, noTelemetryHint, renderPackView, renderScreen } from "../../../host/monitor/liveView";
import { emptyPackView } from "../../../host/monitor/packView";

function filledView() {
  const v = emptyPackView("/dev/ttyUSB0");
  v.connected = true;
  v.identity = "esp32-ads1115 / znmno2-4s / v0.1.0 #0123456789abcdef";
  v.boardTMs = 90061000; // 1 d 01:01:01
  v.cellV = [1.401, 1.402, 1.399, 1.4];
  v.socFrac = [0.5, 0.52, 0.48, 0.5];
  v.currentA = -0.2;
  v.tempC = [24.56];
  v.state = "discharge";
  v.cycleIndex = 7;
  v.lastCycle = { index: 6, ce: 0.98512, ceBound: 0.00123, ee: 0.8034, chargeAh: 1.0, dischargeAh: 0.98512 };
  return v;
}

describe("live view", () => {
  it("shows cell voltages, current, temperatures, SOC, state, last CE ± bound and EE", () => {
    const text = renderPackView(filledView(), 0, false).join("\n");
    expect(text).toContain("/dev/ttyUSB0");
    expect(text).toContain("1d 01:01:01");
    expect(text).toContain("#1 1.401 V (50 %)");
    expect(text).toContain("#3 1.399 V (48 %)");
    expect(text).toContain("current -0.2000 A");
    expect(text).toContain("24.6 °C");
    expect(text).toContain("SOC 48.0 % (lowest cell)");
    expect(text).toContain("state discharge");
    expect(text).toContain("cycle 7");
    expect(text).toContain("CE 98.512 % ± 0.123 %");
    expect(text).toContain("EE 80.34 %");
    expect(text).toContain("alarms   none");
  });

  it("alarms are highlighted: red for alarm, yellow for warning", () => {
    const v = filledView();
    v.alarms = [
      { id: "cellOverVoltage", level: "alarm", value: 1.95 },
      { id: "tempHigh", level: "warning", value: 46 },
    ];
    const text = renderPackView(v, 0, true).join("\n");
    expect(text).toContain("\x1b[31;1mcellOverVoltage (alarm 1.95 V)\x1b[0m");
    expect(text).toContain("\x1b[33;1mtempHigh (warning 46)\x1b[0m");
    v.alarms = [{ id: "ceDrop", level: "warning", value: 0.978298115 }];
    v.lastCycle = { index: 1, ce: NaN, ceBound: NaN, ee: NaN, chargeAh: 0.8, dischargeAh: 1.9, partial: true };
    expect(renderPackView(v, 0, false).join("\n")).toMatch(/last cycle #1 \(partial\)  CE — ± —/);
    expect(renderPackView(v, 0, false).join("\n")).toContain("ceDrop (warning 97.83 %)");
  });

  it("link health: lines/s, rejected, gaps; a lost port says so", () => {
    const v = filledView();
    v.connected = false;
    for (let i = 0; i < 10; i++) v.health.noteLine("telemetry", 1000 + i * 100);
    v.health.noteLine("rejected", 2000);
    v.health.noteGap(3);
    const text = renderPackView(v, 2000, false).join("\n");
    expect(text).toContain("DISCONNECTED");
    expect(text).toContain("2.2 lines/s"); // 11 lines in the 5 s window
    expect(text).toContain("rejected 1");
    expect(text).toContain("gaps 1 (3 lines lost)");
  });

  it("before any data every number shows as a dash, never as a made-up value", () => {
    const text = renderPackView(emptyPackView("COM3"), 0, false).join("\n");
    expect(text).not.toMatch(/NaN|undefined/);
    expect(text).toContain("current —");
  });

  it("the TTY screen clears and draws every pack", () => {
    const s = renderScreen([filledView(), emptyPackView("/dev/ttyUSB1")], 0, false, "footer");
    expect(s.startsWith("\x1b[H\x1b[2J")).toBe(true);
    expect(s).toContain("/dev/ttyUSB1");
    expect(s.trimEnd().endsWith("footer")).toBe(true);
  });

  it("a board that sends no zbms telemetry gets a hint how to flash it, after NO_TELEMETRY_HINT_MS", () => {
    const v = emptyPackView("/dev/pts/4");
    v.connected = true;
    v.openedAtMs = 1000;
    expect(renderPackView(v, 1000 + NO_TELEMETRY_HINT_MS - 1, false).join("\n")).not.toContain("hint");
    const silent = renderPackView(v, 1000 + NO_TELEMETRY_HINT_MS, false).join("\n");
    expect(silent).toContain("hint     no zbms telemetry (the port is silent). Is the zbms firmware on this board? Flash it with: zbms flash --port /dev/pts/4");
    v.health.noteLine("noise", 2000);
    expect(noTelemetryHint(v, 1000 + NO_TELEMETRY_HINT_MS)).toContain("(1 other line(s))");
    // a board whose telemetry arrives (even damaged) needs no flashing hint
    v.health.noteLine("rejected", 3000);
    expect(noTelemetryHint(v, 1e9, true)).toBe("");
    const ok = emptyPackView("/dev/pts/5");
    ok.openedAtMs = 0;
    ok.health.noteLine("telemetry", 10);
    expect(noTelemetryHint(ok, 1e9, true)).toBe("");
  });
});
