/**
 * The HTML report opens in headless Chromium with no network, every plot draws, and a
 * screenshot is saved under out/. Needs Debian's `chromium` (installed by .ci/run).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../host/analyze/analyzeApi";

const REPO = resolve(__dirname, "..", "..");
const REAL = resolve(REPO, "test", "fixtures", "realdata");
const OUT = join(REPO, "out");
/** Plots the report draws: V(t), I(t), capacity, CE/EE, rest voltage, dQ/dV. */
const PLOTS = 6;
/** Virtual time Chromium gives the page's scripts before dumping (ms). */
const VIRTUAL_TIME_BUDGET_MS = 5000;
const CHROMIUM_TIMEOUT_MS = 60000;

function chromium(args: string[]): string {
  const bin = ["chromium", "chromium-browser"].find((b) => {
    try {
      execFileSync("which", [b], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  });
  if (!bin) throw new Error("headless Chromium not found: install Debian's `chromium` (apt-get install -y chromium)");
  const profile = mkdtempSync(join(tmpdir(), "zbms-chromium-"));
  try {
    return execFileSync(
      bin,
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", `--user-data-dir=${profile}`,
        `--virtual-time-budget=${VIRTUAL_TIME_BUDGET_MS}`, ...args,
      ],
      { encoding: "utf8", timeout: CHROMIUM_TIMEOUT_MS, stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 1024 * 1024 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

describe.each([
  ["landt_Si_halfcell_14cyc__RecordTab.csv", "report-landt"],
  ["xcel_p492-13_NMC532-Gr_raw.csv", "report-xcel"],
])("report of %s", (file, shot) => {
  it("is self-contained, every plot renders, screenshot saved", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "zbms-report-"));
    const r = await analyzeFile(join(REAL, file), { outDir, printTable: null, progress: false });
    const html = readFileSync(r.files.html, "utf8");
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain("uPlot");
    const url = pathToFileURL(r.files.html).href;
    const dom = chromium(["--dump-dom", url]);
    expect(dom).toContain(`data-plots-made="${PLOTS}"`);
    expect(dom).toContain(`data-plots-ready="${PLOTS}"`);
    expect((dom.match(/<canvas/g) ?? []).length).toBe(PLOTS);
    mkdirSync(OUT, { recursive: true });
    const png = join(OUT, shot + ".png");
    if (existsSync(png)) rmSync(png);
    chromium(["--window-size=1200,3000", `--screenshot=${png}`, url]);
    expect(statSync(png).size).toBeGreaterThan(10000);
  }, 120000);
});
