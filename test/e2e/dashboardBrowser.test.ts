/**
 * The dashboard in real headless Chromium (Debian's chromium driven by playwright-core): a
 * simulated pack (host/sim, measured by the shared model, lines encoded by the firmware's
 * encoder) runs accelerated and its raw log grows as a monitor writes it; `startLab` follows the
 * log into a PGlite history and serves the page. The page loads, a live cell voltage changes
 * within seconds, a cycle row appears when the pack closes a cycle, and a self-discharge alarm
 * appears when the leaking cell rests. A screenshot is saved under out/ (its path is printed).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext } from "playwright-core";
import { startLab, type RunningLab } from "../../host/dashboard/lab";
import { VirtualPackLog } from "../../host/history/virtualPackLog";
import { REPO_ROOT } from "../../host/util/repoRoot";
import { fastPackJson } from "../host/history/simLogFixture";
import { CHROMIUM, CHROMIUM_FLAGS } from "../lab/chromium";

/** Empty the pack, a full cycle (closed when the next charge begins), a full charge and a 12 h rest (the leak). */
const PROTOCOL = ["Discharge at C/2 until 0.8 V", "Charge at C/2 until 1.8 V", "Discharge at C/2 until 0.8 V", "Charge at C/2 until 1.8 V", "Rest for 12 hours", "Discharge at C/2 until 0.8 V"].join("\n");
/** Samples (20 s each) per 100 ms of wall time: 10000× real time. */
const SAMPLES_PER_TICK = 50;
const TICK_MS = 100;

let dir = "";
let lab: RunningLab | null = null;
let ctx: BrowserContext | null = null;
let timer: NodeJS.Timeout | null = null;
afterAll(async () => {
  if (timer) clearInterval(timer);
  if (ctx) await ctx.close();
  if (lab) await lab.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("zbms dashboard in headless Chromium", () => {
  it("shows live values, a closed cycle and a leaking cell's alarm", async () => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-browser-"));
    const logs = nodePath.join(dir, "logs");
    fs.mkdirSync(logs);
    const pack = new VirtualPackLog({ packJson: fastPackJson(), protocol: PROTOCOL, seed: 3, faultyCells: [1], rawLogPath: nodePath.join(logs, "ttyUSB0-20261201T100000Z.raw.log") });
    pack.step(SAMPLES_PER_TICK);
    lab = await startLab({ db: nodePath.join(dir, "db"), logDir: logs, dashboard: { host: "127.0.0.1", port: 0 } });
    ctx = await chromium.launchPersistentContext(nodePath.join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1200, height: 1600 },
    });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(lab.url);
    const v1 = page.locator("#live tbody tr").first().locator("td").nth(1);
    await expect.poll(() => v1.textContent(), { timeout: 20000 }).toMatch(/^\d\.\d{4}$/);
    const first = await v1.textContent();
    expect(await page.locator("#cycles tbody tr").count()).toBe(0);

    let running = true;
    timer = setInterval(() => {
      if (running && !pack.step(SAMPLES_PER_TICK)) running = false;
    }, TICK_MS);
    const t0 = Date.now();
    await expect.poll(() => v1.textContent(), { timeout: 10000 }).not.toBe(first);
    const changedS = (Date.now() - t0) / 1000;
    await expect.poll(() => page.locator("#cycles tbody tr").count(), { timeout: 60000 }).toBeGreaterThanOrEqual(1);
    // the full cycle's row: its CE ± bound holds the simulator's true CE (matched by charge Ah)
    const cycleRows = async (): Promise<string[][]> => {
      const trs = page.locator("#cycles tbody tr");
      const out: string[][] = [];
      for (let i = 0; i < (await trs.count()); i++) out.push(await trs.nth(i).locator("td").allTextContents());
      return out;
    };
    await expect.poll(async () => (await cycleRows()).some((r) => Number.isFinite(Number(r[4]))), { timeout: 60000 }).toBe(true);
    const rows = await cycleRows();
    const full = rows.find((r) => Number.isFinite(Number(r[4])))!;
    const [chargeAh, ceShown, boundShown] = [Number(full[2]), Number(full[4]) / 100, Number(full[5]) / 100];
    const truth = pack.sim.runner.cycles.find((c) => Math.abs(c.chargeAh - chargeAh) < 0.02 * chargeAh);
    expect(truth, `no true cycle with ${chargeAh} Ah charged: ${JSON.stringify(pack.sim.runner.cycles.map((c) => c.chargeAh))}`).toBeDefined();
    expect(Math.abs(ceShown - truth!.ce)).toBeLessThanOrEqual(boundShown + 0.0001); // + the table's rounding
    await expect.poll(() => page.locator("#alarms tbody").textContent(), { timeout: 60000 }).toContain("selfDischarge");
    const alarmRow = page.locator("#alarms tbody tr", { hasText: "selfDischarge" }).first();
    expect(await alarmRow.textContent()).toMatch(/raised/);
    // the rest is drawn while it lasts (the page refreshes it every 5 s)
    await expect.poll(() => page.locator("#rest-since").textContent(), { timeout: 30000 }).toContain("resting since");
    await expect.poll(() => page.locator("#plot-rest canvas").count(), { timeout: 10000 }).toBe(1);
    expect(await page.locator("#live-link").textContent()).toMatch(/ 0 gaps/);
    expect(await page.locator("#plots canvas").count()).toBe(4); // V, I, SOC, T
    const out = nodePath.join(REPO_ROOT, "out", "test");
    fs.mkdirSync(out, { recursive: true });
    const png = nodePath.join(out, "dashboard.png");
    await page.screenshot({ path: png, fullPage: true });
    expect(fs.statSync(png).size).toBeGreaterThan(20000);
    process.stdout.write(`dashboard screenshot: ${png} (live value changed after ${changedS.toFixed(1)} s; cycle CE shown ${full[4]} ± ${full[5]} %, true ${(truth!.ce * 100).toFixed(3)} %)\n`);
    clearInterval(timer!);
    timer = null;
    pack.close();
  }, 180000);
});
