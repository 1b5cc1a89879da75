/**
 * Tokens executed: an interpreter-oriented cost measure for Espruino, which parses and runs the
 * source text as it goes, so its time is roughly proportional to the tokens it executes (the
 * Espruino notes: "interpretation cost is per token executed"). V8's JIT makes time ratios on
 * Node a poor proxy for that; token counts are the same on any machine.
 *
 * Method: V8's precise block coverage (inspector `Profiler.startPreciseCoverage`, callCount +
 * detailed) counts how often each function and each block (branch, loop body, `?:` and `&&`
 * operand, code after a return) ran. Each token of the script (acorn's tokenizer) is charged the
 * count of the innermost range holding it. Block coverage does not count a `for` loop's test and
 * update, nor a `while` test, per iteration: tokens there are charged the loop body's count.
 * Not counted (Espruino costs beyond this): skipping the text of a function defined inside an
 * executed one, and the lookup of names by walking scopes.
 */
import { Session } from "node:inspector/promises";
import vm from "node:vm";
import * as acorn from "acorn";
import * as walk from "acorn-walk";

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}

interface ScriptCoverage {
  url: string;
  functions: { ranges: CoverageRange[] }[];
}

/** A script loaded under coverage, and the counter of the tokens it executed. */
export class TokenCounter {
  private readonly session = new Session();
  private readonly code: string;
  private readonly url: string;
  private tokenStarts: number[] = [];
  /** Per token: the position whose count it takes (its own start, or a loop body's for loop tests/updates). */
  private countAt: number[] = [];

  private constructor(code: string, url: string) {
    this.code = code;
    this.url = url;
  }

  /** Start coverage, then compile and run `code` in this realm (functions compiled later are covered in detail). */
  static async load(code: string, url: string): Promise<TokenCounter> {
    const c = new TokenCounter(code, url);
    c.session.connect();
    await c.session.post("Profiler.enable");
    await c.session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
    vm.runInThisContext(code, { filename: url });
    c.index();
    return c;
  }

  private index(): void {
    const loopRedirect: { from: number; to: number; at: number }[] = [];
    const ast = acorn.parse(this.code, { ecmaVersion: "latest" });
    walk.simple(ast, {
      ForStatement(n) {
        if (n.test) loopRedirect.push({ from: n.test.start, to: n.test.end, at: n.body.start });
        if (n.update) loopRedirect.push({ from: n.update.start, to: n.update.end, at: n.body.start });
      },
      WhileStatement(n) {
        loopRedirect.push({ from: n.test.start, to: n.test.end, at: n.body.start });
      },
      DoWhileStatement(n) {
        loopRedirect.push({ from: n.test.start, to: n.test.end, at: n.body.start });
      },
    });
    for (const t of acorn.tokenizer(this.code, { ecmaVersion: "latest" })) {
      this.tokenStarts.push(t.start);
      let at = t.start;
      for (const r of loopRedirect) if (t.start >= r.from && t.start < r.to) at = r.at;
      this.countAt.push(at);
    }
  }

  /** Reset the counters (coverage taken and dropped). */
  async reset(): Promise<void> {
    await this.session.post("Profiler.takePreciseCoverage");
  }

  /** Tokens executed in this script since the last reset (or take). */
  async take(): Promise<number> {
    const res = (await this.session.post("Profiler.takePreciseCoverage")) as unknown as { result: ScriptCoverage[] };
    const script = res.result.find((s) => s.url === this.url || s.url.endsWith(this.url));
    if (!script) throw new Error(`coverage has no script ${this.url}`);
    const ranges: CoverageRange[] = [];
    for (const f of script.functions) for (const r of f.ranges) ranges.push(r);
    // Innermost range = the smallest holding the position (V8's ranges nest).
    ranges.sort((a, b) => b.endOffset - b.startOffset - (a.endOffset - a.startOffset));
    const counts = new Float64Array(this.code.length + 1);
    for (const r of ranges) counts.fill(r.count, r.startOffset, Math.min(r.endOffset, this.code.length));
    let total = 0;
    for (let k = 0; k < this.countAt.length; k++) total += counts[this.countAt[k]];
    return total;
  }

  async close(): Promise<void> {
    await this.session.post("Profiler.stopPreciseCoverage");
    this.session.disconnect();
  }
}
