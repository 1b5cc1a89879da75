import { defineConfig } from "vitest/config";

/** Suites that run real processes, pseudo-terminals, servers or the real interpreter: their
 *  timing is the operating system's. On CI (a loaded 2-core machine) a failure there gets one
 *  more try, and the reporter names every test that needed it; a real bug fails both tries. */
const SYSTEM_SUITES = ["test/e2e/**/*.test.ts", "test/lab/**/*.test.ts", "test/reliability/**/*.test.ts", "test/realEspruino/**/*.test.ts"];
const SYSTEM_RETRIES_ON_CI = 1;

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on CI: end-to-end suites start real pseudo-terminals and child processes.
    maxWorkers: 2,
    reporters: ["default", "./test/retriedReporter.ts"],
    projects: [
      { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: SYSTEM_SUITES } },
      { extends: true, test: { name: "system", include: SYSTEM_SUITES, retry: process.env.CI ? SYSTEM_RETRIES_ON_CI : 0 } },
    ],
  },
});
