import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as acorn from "acorn";
import * as walk from "acorn-walk";
import { buildFirmware, chipDriverSubstitutes, defaultPackFor, FirmwareBuildError, loadBoard, loadPack, REPO_ROOT as REPO } from "../../host/bundle/buildFirmware.js";
import { checkPackFitsBoard } from "../../host/boardDesign/packFit.js";
import { chainShortfalls } from "../../host/boardDesign/declaredChain.js";
import type { PackConfig } from "../../shared/config/packConfig.js";
import { describeBundleSize, BUNDLE_BUDGET_BYTES } from "../../host/bundle/bundleBudget.js";
import { formatFinding } from "../../host/bundle/espruinoSubset.js";
import { BUNDLE_HASH_PLACEHOLDER, readEmbeddedHash, verifyBundleHash } from "../../host/bundle/bundleHash.js";
import { parseReplaySamples } from "../../host/bundle/replaySamples.js";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard.js";

const tmp = mkdtempSync(join(tmpdir(), "zbms-build-"));

describe("firmware build (CI check: the real bundle passes the Espruino-subset check; size vs budget printed)", () => {
  for (const board of ["esp32-ads1115", "esp32-ina226", "esp32-adc"]) {
    it(`${board}: builds, passes the subset check, requires only Espruino modules, hash verifies`, async () => {
      const r = await buildFirmware({ board, out: join(tmp, `${board}.js`) });
      console.log(`[${board}] ${describeBundleSize(r.sizeB)}`);
      if (r.sizeB > BUNDLE_BUDGET_BYTES) console.warn(`[${board}] bundle past the ${BUNDLE_BUDGET_BYTES} B size line: measure again (npm run bench:firmware)`);
      expect(r.findings.map(formatFinding)).toEqual([]);
      expect(r.sizeB).toBeGreaterThan(0);
      // the only require() calls left are Espruino modules
      const ast = acorn.parse(r.code, { ecmaVersion: "latest" });
      const required: string[] = [];
      walk.simple(ast, {
        CallExpression(n) {
          if (n.callee.type === "Identifier" && n.callee.name === "require") {
            const a = n.arguments[0];
            required.push(a && a.type === "Literal" ? String(a.value) : "<dynamic>");
          }
        },
      });
      for (const m of required) expect(["Storage", "ESP32"]).toContain(m);
      // hash: embedded, verifiable, and any change of the text breaks it
      expect(r.code).not.toContain(BUNDLE_HASH_PLACEHOLDER);
      expect(readEmbeddedHash(r.code)).toBe(r.hash);
      expect(verifyBundleHash(r.code, r.hash)).toBe(true);
      expect(verifyBundleHash(r.code.replace("esp32", "esp33"), r.hash)).toBe(false);
      expect(r.board).toBe(board);
    });
  }

  it("carries only the chip drivers the board uses (the others are replaced by their stand-ins)", async () => {
    const ads = (await buildFirmware({ write: false })).code;
    const ina = (await buildFirmware({ write: false, board: "esp32-ina226" })).code;
    const adc = (await buildFirmware({ write: false, board: "esp32-adc" })).code;
    // the INA226 driver's setup error names the chip as "ina226@<address>: setup"; the ADS1115 driver's labels "ads1115@<address>"
    expect(ads).toContain("ads1115@");
    expect(ads).not.toContain("ina226@");
    expect(ina).toContain("ina226@");
    expect(ina).not.toContain("ads1115@");
    for (const code of [ads, ina, adc]) expect(code).toContain("not on this board");
    expect(adc).not.toMatch(/ina226@|ads1115@/);
    expect(Object.keys(chipDriverSubstitutes(await loadBoard("esp32-ads1115"))).map((p) => p.replace(/.*\//, ""))).toEqual(["ina226Driver.ts"]);
    expect(Object.keys(chipDriverSubstitutes(null)).length).toBe(2);
  });

  it("is reproducible: the same inputs give the same hash", async () => {
    const a = await buildFirmware({ write: false });
    const b = await buildFirmware({ write: false });
    expect(a.hash).toBe(b.hash);
    const c = await buildFirmware({ write: false, board: "esp32-ina226" });
    expect(c.hash).not.toBe(a.hash);
  });

  it("rejects an unknown board listing the ones that exist, and --samples without replay", async () => {
    await expect(buildFirmware({ board: "esp8266", write: false })).rejects.toThrow(/esp8266.*esp32-ads1115/s);
    await expect(buildFirmware({ board: "esp32-adc", samples: "x.jsonl", write: false })).rejects.toThrow(FirmwareBuildError);
    await expect(buildFirmware({ pack: "hardware/packs/nope.json", write: false })).rejects.toThrow(/nope\.json/);
  });

  it("refuses a pack that does not fit the board, quoting packFit's reasons", async () => {
    const pack = JSON.parse(readFileSync(join(REPO, "hardware/packs/znmno2-4s.json"), "utf8"));
    pack.cellCount = 6; // the board measures 4 cells
    delete pack.sensorChain.cellVoltageOffsetV; // (its 4 per-cell offsets would be refused first)
    const path = join(tmp, "six-cells.json");
    writeFileSync(path, JSON.stringify(pack));
    const err = await buildFirmware({ board: "esp32-ina226", pack: path, write: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FirmwareBuildError);
    expect((err as Error).message).toMatch(/does not fit the board[\s\S]*6 cells but the board has 4 voltage channels/);
  });

  it("every example pack that fits a board and declares no better chain than it delivers builds for it; each board builds its default pack", async () => {
    for (const board of ["esp32-ads1115", "esp32-ina226", "esp32-adc"]) {
      const def = await loadBoard(board);
      for (const p of ["znmno2-4s", "znpba-2s", "zni2-1s"]) {
        const pack = `hardware/packs/${p}.json`;
        const cfg = (await loadPack(pack)) as unknown as PackConfig;
        const misfit = checkPackFitsBoard(def, cfg);
        const short = chainShortfalls(cfg.sensorChain, def, cfg, false);
        const r = buildFirmware({ board, pack, write: false });
        if (misfit.length > 0) await expect(r, `${board} + ${p}`).rejects.toThrow(misfit[0]!);
        else if (short.length > 0) await expect(r, `${board} + ${p}`).rejects.toThrow("sensorChain." + short[0]!.field + " = ");
        else expect((await r).findings, `${board} + ${p}`).toEqual([]);
      }
      const cfg = (await loadPack(defaultPackFor(board))) as unknown as PackConfig;
      expect(checkPackFitsBoard(def, cfg), board).toEqual([]);
      expect(chainShortfalls(cfg.sensorChain, def, cfg, false), board).toEqual([]);
    }
  }, 60000);

  it("stops at esbuild with the TypeScript file and line for syntax esbuild cannot lower (destructuring)", async () => {
    const entry = join(tmp, "bad.ts");
    writeFileSync(entry, "const o = { a: 1 };\nconst { a } = o;\nconsole.log(a);\n");
    await expect(buildFirmware({ entry, write: false })).rejects.toThrow(/bad\.ts:2:\d+: .*destructuring/);
  });

  it("the subset check runs on the output: a forbidden built-in in the source is reported with line:col", async () => {
    const entry = join(tmp, "map.ts");
    writeFileSync(entry, "const m = new Map<string, number>();\nm.set('a', Math.trunc(1.5));\nconsole.log(m.get('a'));\n");
    const r = await buildFirmware({ entry, write: false });
    expect(r.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(["missing-global", "missing-builtin"]));
  });
});

describe("replay build", () => {
  it("embeds the samples (null → NaN) and runs in the virtual board to `# done`", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 120; i++) {
      const currentA = i < 60 ? 0.5 : -0.5;
      lines.push(JSON.stringify({ tMs: i * 1000, cellV: [1.5 + i * 0.001, 1.5, 1.5, i === 5 ? null : 1.5], currentA, tempC: [25, 25], openCircuit: 0 }));
    }
    const samplesFile = join(tmp, "samples.jsonl");
    writeFileSync(samplesFile, lines.join("\n") + "\n");
    const r = await buildFirmware({ board: "replay", samples: samplesFile, out: join(tmp, "replay.js") });
    expect(r.findings.map(formatFinding)).toEqual([]);
    expect(r.code).toContain("NaN");
    // it must run on any Espruino build (Linux included): no Storage, no ESP32, no I2C
    expect(r.code).not.toMatch(/require\(|\bESP32\.[a-zA-Z]|\bI2C1\.[a-z]|analogRead\(/);
    const board = new VirtualBoard({});
    board.evaluate(r.code);
    expect(board.advanceUntil(() => board.output.includes("# done"), 600_000, 100)).toBe(true);
    const tel = board.output.split("\r\n").filter((l) => l.startsWith("#Z"));
    expect(tel.length).toBeGreaterThan(100);
  });

  it("without --samples builds the streaming replay: one zbmsReplay(...) call per sample steps the model", async () => {
    const r = await buildFirmware({ board: "replay", write: false });
    expect(r.findings.map(formatFinding)).toEqual([]);
    const board = new VirtualBoard({});
    board.evaluate(r.code);
    board.advance(10);
    const before = board.output.split("\r\n").filter((l) => l.startsWith("#Z")).length;
    board.evaluate("zbmsReplay(1000,0.5,[1.5,1.5,1.5,NaN],[25],0)");
    board.evaluate("zbmsReplay(2000,0.5,[1.5,1.5,1.5,1.5],[25],0)");
    const tel = board.output.split("\r\n").filter((l) => l.startsWith("#Z"));
    expect(tel.length - before).toBeGreaterThanOrEqual(2);
    expect(tel[tel.length - 1]).toMatch(/^#Z1,\d+,S,2000,15000;15000;15000;15000,500000,/);
  });

  it("rejects a bad samples line naming its number and field", () => {
    expect(() => parseReplaySamples('{"tMs":0,"cellV":[1],"currentA":0,"tempC":[]}\n{"tMs":"x","cellV":[1],"currentA":0,"tempC":[]}')).toThrow(/line 2: tMs/);
    expect(() => parseReplaySamples("")).toThrow(/no samples/);
  });
});
