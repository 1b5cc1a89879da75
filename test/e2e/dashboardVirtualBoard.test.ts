/**
 * The whole path in headless Chromium, with the real firmware: a virtual ESP32 (host/virtualBoard)
 * measuring a simulated pack (host/sim) whose cell 2 leaks, on a pseudo-terminal; `zbms flash`
 * uploads the firmware; `zbms monitor --dashboard` logs it and serves the page. Accelerated, the
 * page shows a live value changing, the first cycle's row when the board closes it, and the
 * board's self-discharge alarm during the rest after a full charge. Screenshot under out/test/.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext } from "playwright-core";
import { loadBoard } from "../../host/bundle/buildFirmware";
import { PtyBoard } from "../../host/virtualBoard/ptyBoard";
import { simPackSource } from "../../host/virtualBoard/simSource";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard";
import { writeDemoPack } from "../../host/demo/demoPack";
import { REPO_ROOT } from "../../host/util/repoRoot";
import type { ChemistryId } from "../../shared/chemistry/presets";
import { CHROMIUM, CHROMIUM_FLAGS } from "../lab/chromium";
import { runZbms, startZbms, type CliProcess } from "./monitorCli";

/** Charge, discharge (cycle 1 closes at the next charge), full charge, a 12 h rest (the leak shows), discharge. */
const PROTOCOL = ["Charge at C/2 until 1.8 V", "Discharge at C/2 until 0.8 V", "Charge at C/2 until 1.8 V", "Rest for 12 hours", "Discharge at C/2 until 0.8 V", "Rest for 100 hours"].join("\n");
/** Simulated s per real s while flashing, then while the page watches (20 s samples → 200 lines/s). */
const FLASH_SPEED = 60;
const RUN_SPEED = 4000;

let dir = "";
let board: VirtualBoard | null = null;
let pty: PtyBoard | null = null;
let monitor: CliProcess | null = null;
let ctx: BrowserContext | null = null;
/** Stage timings on stdout, so a timeout on a loaded machine says which stage was slow. */
const tStart = Date.now();
const stage = (what: string): void => void process.stdout.write(`[dashboard e2e] ${((Date.now() - tStart) / 1000).toFixed(1)} s: ${what}\n`);
afterAll(async () => {
  if (ctx) await ctx.close();
  if (monitor && monitor.child.exitCode === null) monitor.child.kill("SIGKILL");
  if (board) board.stopRealTime();
  if (pty) pty.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("zbms monitor --dashboard on the flashed virtual board, in headless Chromium", () => {
  it("shows live values, the first cycle and the leaking cell's alarm", async () => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-vbdash-"));
    const packPath = writeDemoPack(nodePath.join(REPO_ROOT, "hardware", "packs", "znmno2-4s.json"), nodePath.join(dir, "pack.json"));
    const pack = JSON.parse(fs.readFileSync(packPath, "utf8")) as { chemistry: ChemistryId; cellCount: number; capacityAh: number };
    const boardDef = await loadBoard("esp32-ads1115");
    const sim = simPackSource({
      spec: { chemistry: pack.chemistry, cellCount: pack.cellCount, capacityAh: pack.capacityAh, seed: 3, faultyCells: [1] },
      protocol: PROTOCOL,
      seed: 3,
      tempCount: boardDef.temps.length,
    });
    board = new VirtualBoard({ board: boardDef, pack: sim.source, startOff: true });
    board.powerOn();
    pty = await PtyBoard.start(board);
    board.runRealTime(FLASH_SPEED);
    // a stable name, as udev's /dev/serial/by-id links give a real adapter: the board is "ttyUSB0"
    const port = nodePath.join(dir, "ttyUSB0");
    fs.symlinkSync(pty.path!, port);
    stage("flashing");
    const flash = await runZbms(["flash", "--port", port, "--pack", packPath]);
    expect(flash.code, flash.stderr).toBe(0);

    stage("flashed; starting the monitor");
    monitor = startZbms(["monitor", "--port", port, "--out", nodePath.join(dir, "logs"), "--view", "none", "--dashboard", "127.0.0.1:0"]);
    const t0 = Date.now();
    while (!/dashboard: (http\S+)/.test(monitor.stdout()) && monitor.child.exitCode === null && Date.now() - t0 < 60000) await new Promise((r) => setTimeout(r, 100));
    const m = /dashboard: (http\S+)/.exec(monitor.stdout());
    expect(m, monitor.stderr()).not.toBeNull();

    stage("monitor serves the page; starting Chromium");
    ctx = await chromium.launchPersistentContext(nodePath.join(dir, "profile"), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1200, height: 1600 } });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    // the board prints a status line per sample: wait until the page lists it, then watch a value move
    const v1 = page.locator("#live tbody tr").first().locator("td").nth(1);
    await expect
      .poll(
        async () => {
          if ((await page.locator("#live tbody tr").count()) === 0) await page.goto(m![1]!);
          return v1.textContent();
        },
        { timeout: 60000, interval: 2000 },
      )
      .toMatch(/^\d\.\d{4}$/);
    stage("the page lists the board");
    const first = await v1.textContent();
    board.runRealTime(RUN_SPEED);
    await expect.poll(() => v1.textContent(), { timeout: 15000 }).not.toBe(first);
    stage("live values move");
    await expect.poll(() => page.locator("#cycles tbody tr").count(), { timeout: 120000 }).toBeGreaterThanOrEqual(1);
    expect(Number((await page.locator("#cycles tbody tr").first().locator("td").allTextContents())[3])).toBeGreaterThan(0.1);
    stage("first cycle shown");
    await expect.poll(() => page.locator("#alarms tbody").textContent(), { timeout: 120000 }).toContain("selfDischarge");
    stage("alarm shown");
    const png = nodePath.join(REPO_ROOT, "out", "test", "dashboard-virtual-board.png");
    fs.mkdirSync(nodePath.dirname(png), { recursive: true });
    await page.screenshot({ path: png, fullPage: true });
    process.stdout.write(`dashboard screenshot (real firmware on the virtual board): ${png}\n`);
    board.stopRealTime();
    monitor.child.kill("SIGINT");
    expect((await monitor.exited).code, monitor.stderr()).toBe(0);
  }, 300000);
});
