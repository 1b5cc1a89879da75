import { describe, expect, it } from "vitest";
import { runUnplugs } from "./scenarios/unplug";

describe("USB unplug/replug during monitoring", () => {
  it("reconnects within a second and reports exactly the lines lost while unplugged as a gap", async () => {
    const f = await runUnplugs({ unplugs: 3, seed: 8, speed: 50 });
    expect(f.examples).toEqual([]);
    expect(f.unplugs).toBe(3);
    expect(f.unreportedLosses).toBe(0);
    expect(f.linesLostReported).toBe(f.linesLostTruth);
    expect(f.linesLostTruth).toBeGreaterThan(0);
    // BoardLink polls every RECONNECT_POLL_MS = 250 ms; a second is the promise
    expect(f.maxReconnectMs).toBeLessThan(1500); // margin for a loaded 2-core CI runner
    expect(f.disconnectNotes).toBe(3);
    expect(f.reconnectNotes).toBe(3);
    expect(f.wrongRecordsAccepted).toBe(0);
  }, 60_000);
});
