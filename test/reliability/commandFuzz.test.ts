import { describe, expect, it } from "vitest";
import { runCommandFuzz } from "./scenarios/commandFuzz";
import { sendWords, startFirmwareBoard, TelemetryTap } from "./firmwareBoard";

describe("fuzzed commands at the firmware's REPL", () => {
  it("every bad input gets an error line with its id, sampling never stops, config unchanged", async () => {
    const f = await runCommandFuzz({ commands: 1500, seed: 5, batch: 25 });
    expect(f.examples).toEqual([]);
    expect(f.fuzzedCommands).toBe(1500);
    expect(f.unanswered).toBe(0);
    expect(f.acceptedBad).toBe(0);
    expect(f.samplerStops).toBe(0);
    expect(f.samplerCrashes).toBe(0);
    expect(f.configChanged).toBe(false);
    expect(f.storedFilesChanged).toBe(false);
  }, 60_000);

  it("the checks can fail: a good `set` is a reply, not an error, and changes the config", async () => {
    const b = await startFirmwareBoard({});
    const tap = new TelemetryTap(b);
    b.advance(2000);
    const got = sendWords(b, tap, ["set#ok", "saveIntervalS", "600"]);
    expect(got.some((r) => r.record.type === "reply")).toBe(true);
    expect(got.some((r) => r.record.type === "error")).toBe(false);
    expect(b.storageFile("zbms.cfg")).toBeDefined();
  });
});
