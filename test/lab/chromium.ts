/** Debian's Chromium for the browser tests and the lab benchmark (driven by playwright-core). */
export const CHROMIUM = process.env.ZBMS_CHROMIUM ?? "/usr/bin/chromium";
/** Headless, no sandbox (CI runs as root), nothing phoning home; a fresh profile is given per launch. */
export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
