import { describe, expect, it } from "vitest";
import { runSerialCorruption } from "./scenarios/serialCorruption";

describe("serial corruption between the board and the monitor (corrupting relay onto a pty)", () => {
  for (const rate of [0.001, 0.01]) {
    it(`at ${rate * 100} % of bytes: no wrong sample accepted, every lost line reported as a gap`, async () => {
      const f = await runSerialCorruption({ rate, seed: rate === 0.001 ? 11 : 12, realMs: 2500, speed: 100 });
      expect(f.bytesDamaged).toBeGreaterThan(0);
      expect(f.linesSent).toBeGreaterThan(100);
      expect(f.wrongSamplesAccepted).toBe(0);
      expect(f.wrongRecordsAccepted).toBe(0);
      expect(f.rejected).toBeGreaterThan(0);
      expect(f.accepted).toBeGreaterThan(0);
      // the monitor's gap count is exactly the lines it did not accept between first and last
      expect(f.missingReported).toBe(f.missingTruth);
      expect(f.gapNotes).toBe(f.gapsReported);
    }, 30_000);
  }
});
