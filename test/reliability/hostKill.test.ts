import { describe, expect, it } from "vitest";
import { runHostKills } from "./scenarios/hostKill";

describe("zbms monitor killed with SIGKILL at random instants, then restarted", () => {
  it("loses no received line, leaves no torn line, and the next start drops torn BDF rows", async () => {
    const f = await runHostKills({ kills: 3, seed: 21, speed: 100 });
    expect(f.examples).toEqual([]);
    expect(f.kills).toBe(3);
    expect(f.linesLogged).toBeGreaterThan(50);
    expect(f.linesLostOnKill).toBe(0);
    expect(f.tornRawLogs).toBe(0);
    expect(f.bdfFilesChecked).toBeGreaterThan(0);
    expect(f.unreadableBdfFiles).toBe(0);
    expect(f.tornRowsNotDropped).toBe(0);
  }, 90_000);
});
