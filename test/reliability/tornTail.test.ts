import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dropTornTail, dropTornTails } from "../../host/monitor/tornTail";

const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-torn-"));

describe("torn last lines of earlier log files are dropped at the next start", () => {
  it("a file cut anywhere keeps exactly its complete lines (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[ -~]{0,300}$/), { minLength: 0, maxLength: 20 }), fc.nat(), (lines, cut) => {
        const p = nodePath.join(dir, "x.bdf.csv");
        const whole = lines.map((l) => l + "\n").join("");
        const at = whole.length === 0 ? 0 : cut % (whole.length + 1);
        fs.writeFileSync(p, whole.slice(0, at), "latin1");
        const r = dropTornTail(p);
        const kept = fs.readFileSync(p, "latin1");
        const expected = at === 0 ? "" : whole.slice(0, whole.lastIndexOf("\n", at - 1) + 1);
        expect(kept).toBe(expected);
        expect(r === null ? 0 : r.droppedBytes).toBe(at - expected.length);
      }),
      { numRuns: 300 },
    );
  });

  it("a torn tail longer than one read block (64 kB) is found", () => {
    const p = nodePath.join(dir, "big.raw.log");
    fs.writeFileSync(p, "a,b\n" + "x".repeat(200_000));
    expect(dropTornTail(p)!.droppedBytes).toBe(200_000);
    expect(fs.readFileSync(p, "latin1")).toBe("a,b\n");
  });

  it("repairs only this port's log files", () => {
    const d = fs.mkdtempSync(nodePath.join(dir, "port-"));
    fs.writeFileSync(nodePath.join(d, "ttyUSB0-20261124T210000Z-cell1.bdf.csv"), "h\n1,2");
    fs.writeFileSync(nodePath.join(d, "ttyUSB1-20261124T210000Z-cell1.bdf.csv"), "h\n1,2");
    fs.writeFileSync(nodePath.join(d, "ttyUSB0-notes.txt"), "x");
    const r = dropTornTails(d, "ttyUSB0-");
    expect(r.map((t) => nodePath.basename(t.path))).toEqual(["ttyUSB0-20261124T210000Z-cell1.bdf.csv"]);
    expect(fs.readFileSync(nodePath.join(d, "ttyUSB1-20261124T210000Z-cell1.bdf.csv"), "latin1")).toBe("h\n1,2");
  });
});
