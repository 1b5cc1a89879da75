/**
 * Issue 21, case 1: no user text sent through `zbms send` runs on the board. Known payloads and
 * arbitrary Unicode (fast-check) go through the host's command path to the firmware on the
 * virtual board over a pseudo-terminal (test/reliability/scenarios/injection.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fc from "fast-check";
import { KNOWN_PAYLOADS, probeText, runInjection, startLinkedBoard } from "./scenarios/injection";
import type { OpenLineChannel } from "../../host/serial/lineChannel";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../host/bundle/buildFirmware";

const PACK_KEYS = Object.keys(JSON.parse(readFileSync(join(REPO_ROOT, "hardware/packs/znmno2-4s.json"), "utf8")) as object);

/** Board speed (board s per real s): the payloads' 4 s timers fire within the settle wait. */
const SPEED = 20;

let link: { ch: OpenLineChannel; stop: () => Promise<void> } | null = null;
beforeAll(async () => {
  link = await startLinkedBoard(SPEED);
}, 30_000);
afterAll(async () => {
  if (link) await link.stop();
});

describe("zbms send: user text is data, never code", () => {
  it("the reported payloads arrive unchanged, none runs, telemetry continues", async () => {
    const f = await runInjection(link!.ch, KNOWN_PAYLOADS);
    expect(f.examples).toEqual([]);
    expect(f).toMatchObject({ corrupted: 0, getNotRefused: 0, injectedRuns: 0, telemetryContinues: true });
  }, 60_000);

  it("arbitrary Unicode names round-trip through set name / get name (fast-check fullUnicodeString)", async () => {
    await fc.assert(
      // a text that names a config field ("name") is a valid `get`: the property is about the others
      fc.asyncProperty(fc.string({ unit: "binary", minLength: 1, maxLength: 16 }).filter((t) => !PACK_KEYS.includes(t.split(".")[0]!)), async (text) => {
        const p = await probeText(link!.ch, text);
        expect(p.getRefused).toBe(true);
        expect(p.arrived).toBe(text);
      }),
      { numRuns: 60 },
    );
    const f = await runInjection(link!.ch, []);
    expect(f).toMatchObject({ injectedRuns: 0, telemetryContinues: true });
  }, 120_000);
});

describe("zbms flash: the pack name in the bundle", () => {
  it("a non-ASCII pack name is embedded as its UTF-8 bytes and the ident line reads back as typed", async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const { buildFirmware, REPO_ROOT } = await import("../../host/bundle/buildFirmware");
    const { VirtualBoard, BOOTCODE_FILE } = await import("../../host/virtualBoard/virtualBoard");
    const { boardDef } = await import("./firmwareBoard");
    const { classifyLine } = await import("../../host/monitor/classifyLine");
    const name = 'Zn\u2016MnO2 "4S" \u0122);print("INJ")//';
    const pack = JSON.parse(readFileSync(join(REPO_ROOT, "hardware/packs/znmno2-4s.json"), "utf8")) as Record<string, unknown>;
    pack.name = name;
    const dir = mkdtempSync(join(tmpdir(), "zbms-inj-"));
    writeFileSync(join(dir, "pack.json"), JSON.stringify(pack));
    const r = await buildFirmware({ write: false, pack: join(dir, "pack.json") });
    // Espruino on the ESP32 keeps only the low byte of a \uXXXX escape (src/jslex.c, no Unicode):
    // no text in the bundle may need one
    expect(r.code.match(/\\u(?!00)[0-9a-fA-F]{4}/g) ?? []).toEqual([]);
    const board = new VirtualBoard({ board: boardDef("esp32-ads1115") });
    let out = "";
    board.onOutput((t) => (out += t));
    board.storage.write(BOOTCODE_FILE, new Uint8Array(Buffer.from(r.code, "latin1")), undefined, undefined);
    board.powerCycle();
    board.evaluate('zbms("ident")');
    const ident = out.split("\n").map((l) => classifyLine(l.replace(/\r$/, ""))).find((c) => c.kind === "telemetry" && c.record.kind === "ident");
    expect(ident && ident.kind === "telemetry" && ident.record.kind === "ident" ? ident.record.pack : null).toBe(name);
    expect(out.split("\n").filter((l) => l.includes("INJ") && !l.includes("#Z"))).toEqual([]);
  }, 60_000);
});
