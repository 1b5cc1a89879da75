import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on CI: end-to-end suites start real pseudo-terminals and child processes.
    maxWorkers: 2,
  },
});
