/**
 * End to end: the replay bundle (built by host/bundle from these samples) runs in the virtual
 * board and prints the same cycle records and alarms as PackModel run directly in Node on the
 * same samples — events exactly (count, order, ids, levels, flags, times), numbers by tolerance.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware } from "../../host/bundle/buildFirmware";
import { parseReplaySamples } from "../../host/bundle/replaySamples";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard";
import { PackModel } from "../../shared/model/packModel";
import { validateConfig } from "../../shared/config/validateConfig";
import { decodeLine, encodeLine } from "../../shared/telemetry/lineFormat";
import { recordFromEvent, type TelemetryRecord } from "../../shared/telemetry/records";
import { synthRun, toJsonl } from "./replaySamples";

function eventLines(lines: TelemetryRecord[]): TelemetryRecord[] {
  return lines.filter((r) => r.type === "cycle" || r.type === "alarm");
}

function closeEnough(a: unknown, b: unknown, path: string): void {
  if (typeof a === "number" && typeof b === "number") {
    if (isNaN(a) || isNaN(b) || !isFinite(a) || !isFinite(b)) return expect(Object.is(a, b) || a === b, path).toBe(true);
    return expect(Math.abs(a - b), path + ": " + a + " vs " + b).toBeLessThanOrEqual(1e-6 + 1e-6 * Math.abs(b));
  }
  if (a !== null && typeof a === "object") {
    for (const k of Object.keys(b as object)) closeEnough((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path + "." + k);
    return;
  }
  expect(a, path).toEqual(b);
}

describe("replay bundle in the virtual board", () => {
  it("prints the cycle records and alarms PackModel gives in Node on the same samples, then # done", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zbms-replay-"));
    const file = join(dir, "samples.jsonl");
    const jsonl = toJsonl(synthRun(3, 7));
    writeFileSync(file, jsonl);
    const built = await buildFirmware({ board: "replay", samples: file, write: false });
    expect(built.findings).toEqual([]);

    // reference: the shared model in Node
    const pack = validateConfig(JSON.parse(readFileSync(new URL("../../hardware/packs/znmno2-4s.json", import.meta.url), "utf8")));
    const ref: TelemetryRecord[] = [];
    const model = new PackModel(pack, (ev) => {
      const r = recordFromEvent(ev);
      if (r) ref.push(r);
    });
    for (const s of parseReplaySamples(jsonl)) model.step(s);
    // what the wire keeps of each reference record (same resolution as the firmware's lines)
    const refWire = eventLines(ref).map((r) => {
      const d = decodeLine(encodeLine(r, 0));
      if (!d.ok) throw new Error(d.detail);
      return d.record;
    });

    // the bundle on the virtual board
    const vb = new VirtualBoard({});
    vb.evaluate(built.code);
    const done = vb.advanceUntil(() => vb.output.includes("# done"), 600000, 50);
    expect(done).toBe(true);
    const lines = vb.output.split(/\r?\n/);
    const decoded: TelemetryRecord[] = [];
    let bad = 0;
    let seq = -1;
    for (const l of lines) {
      const d = decodeLine(l);
      if (!d.ok) {
        if (d.reason !== "notTelemetry") bad++;
        continue;
      }
      expect(d.seq).toBe(seq + 1);
      seq = d.seq;
      decoded.push(d.record);
    }
    expect(bad).toBe(0);
    expect(lines.filter((l) => l.trim() === "# done").length).toBe(1);
    expect(decoded[0].type).toBe("ident");
    expect(decoded[1].type).toBe("boot");
    const fw = eventLines(decoded);

    // the run has what it was built to have
    const cycles = refWire.filter((r) => r.type === "cycle");
    const alarms = refWire.filter((r) => r.type === "alarm");
    expect(cycles.length).toBeGreaterThanOrEqual(2);
    expect(alarms.map((a) => (a as { id: string }).id)).toEqual(expect.arrayContaining(["cellOverVoltage", "sensorFault"]));

    console.log("replay:", cycles.length, "cycles,", alarms.length, "alarm lines:", alarms.map((a) => (a as { id: string; raised: boolean }).id + (a as { raised: boolean }).raised).join(" "), "; bundle", built.sizeB, "B")
    // events exactly, numbers by tolerance
    expect(fw.map((r) => r.type)).toEqual(refWire.map((r) => r.type));
    for (let i = 0; i < fw.length; i++) {
      const a = fw[i] as unknown as Record<string, unknown>;
      const b = refWire[i] as unknown as Record<string, unknown>;
      if (b.type === "alarm") {
        expect([a.id, a.level, a.raised, a.tMs]).toEqual([b.id, b.level, b.raised, b.tMs]);
        closeEnough(a.value, b.value, "alarm " + i + " value");
      } else {
        const ca = a.cycle as Record<string, number>;
        const cb = b.cycle as Record<string, number>;
        expect([ca.index, ca.flags, ca.startTMs, ca.endTMs]).toEqual([cb.index, cb.flags, cb.startTMs, cb.endTMs]);
        closeEnough(ca, cb, "cycle " + cb.index);
      }
    }
    // one status line per sample
    expect(decoded.filter((r) => r.type === "status").length).toBe(parseReplaySamples(jsonl).length);
  }, 120000);
});
