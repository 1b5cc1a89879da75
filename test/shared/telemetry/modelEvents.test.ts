/**
 * The line format carries every field the model emits: a synthetic cycle through PackModel
 * produces cycle and rest records whose keys must be exactly the `cycle.*` / `rest.*` fields of
 * FIELDS, and every event must survive encode → decode. Catches a field added to
 * shared/model/events.ts without a telemetry field (and the reverse).
 */
import { describe, expect, it } from "vitest";
import { defaultPackConfig } from "../../../shared/config/defaults";
import { PackModel } from "../../../shared/model/packModel";
import type { ModelEvent } from "../../../shared/model/events";
import { makeSample } from "../../../shared/sample";
import { FIELDS, decodeLine, encodeLine } from "../../../shared/telemetry/lineFormat";
import { recordFromEvent } from "../../../shared/telemetry/records";

function subFields(type: "cycle" | "rest"): string[] {
  return FIELDS[type]
    .map((s) => s.substring(0, s.indexOf(":")))
    .filter((p) => p.startsWith(type + "."))
    .map((p) => p.substring(type.length + 1))
    .sort();
}

describe("model events → telemetry lines", () => {
  it("a synthetic charge/rest/discharge/rest/charge run: every event round-trips; record keys = wire fields", () => {
    const capacityAh = 1;
    const cfg = defaultPackConfig("ZnMnO2", 2, capacityAh);
    const events: ModelEvent[] = [];
    const m = new PackModel(cfg, (ev) => events.push(ev));
    const dtMs = cfg.samplePeriodMs;
    const currentA = 0.2 * capacityAh;
    let tMs = 0;
    let socFrac = 0.1;
    const phases: [number, number][] = [
      [currentA, 3 * 3600e3], // charge 0.6 Ah
      [0, 3600e3],
      [-currentA * 0.98, 3 * 3600e3], // discharge slightly less
      [0, 3600e3],
      [currentA, 3600e3], // next cycle starts: closes the first
    ];
    for (const [a, durMs] of phases) {
      for (let t = 0; t < durMs; t += dtMs) {
        socFrac += (a * dtMs) / 3600e3 / capacityAh;
        const v = 1.2 + 0.3 * socFrac + 0.05 * Math.sign(a);
        m.step(makeSample(tMs, [v, v + 0.001], a, [25, 25.5], 0));
        tMs += dtMs;
      }
    }
    const cycles = events.filter((e) => e.kind === "cycle");
    expect(cycles.length).toBeGreaterThanOrEqual(1);
    for (const ev of cycles) if (ev.kind === "cycle") expect(Object.keys(ev.cycle).sort()).toEqual(subFields("cycle"));
    for (const ev of events) if (ev.kind === "rest") expect(Object.keys(ev.rest).sort()).toEqual(subFields("rest"));
    let seq = 0;
    for (const ev of events) {
      const rec = recordFromEvent(ev);
      expect(rec, ev.kind).not.toBeNull();
      if (rec === null) continue;
      const d = decodeLine(encodeLine(rec, seq++));
      expect(d.ok, ev.kind).toBe(true);
      if (d.ok) expect(d.record.type).toBe(rec.type);
    }
    // a status line from the model's own status()
    const s = m.status();
    const line = encodeLine(
      { type: "status", tMs: s.tMs, cellV: s.cellV, currentA: s.currentA, tempC: s.tempC, socFrac: s.socFrac, segment: s.segment,
        cycleCount: s.cycleCount, alarmMask: s.alarmMask, lastCe: s.lastCe, lastCeBound: s.lastCeBound, lastEe: s.lastEe, flags: 0 },
      seq,
    );
    expect(line.length).toBeLessThan(150);
    expect(decodeLine(line).ok).toBe(true);
  });
});
