/**
 * Vitest reporter: after the run, names every test that passed only on a retry (CI gives the
 * system suites one more try, see vitest.config.ts), so a flaky test is seen, not hidden.
 */
import type { Reporter, TestCase } from "vitest/node";

export default class RetriedReporter implements Reporter {
  private readonly retried: string[] = [];

  onTestCaseResult(testCase: TestCase): void {
    const d = testCase.diagnostic();
    const r = testCase.result();
    if (d && d.retryCount > 0 && r.state === "passed") {
      // the failed try's error, where vitest kept it: what to fix
      const why = (r.errors ?? []).map((e) => "\n      " + String(e.message).split("\n")[0]).join("");
      this.retried.push(`${testCase.module.moduleId.replace(process.cwd() + "/", "")} > ${testCase.fullName} (passed after ${d.retryCount} retry)${why}`);
    }
  }

  onTestRunEnd(): void {
    if (this.retried.length === 0) return;
    process.stdout.write(`\nFLAKY: ${this.retried.length} test(s) passed only on a retry:\n${this.retried.map((r) => "  " + r).join("\n")}\n`);
  }
}
