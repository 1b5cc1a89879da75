/**
 * Tokens executed: an interpreter-oriented cost measure for Espruino, which parses and runs the
 * source text as it goes, so its time is roughly proportional to the tokens it executes (docs/espruino.md,
 * "Speed": cost is per token executed). V8's JIT makes time ratios on
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
    // A distinct source: V8's compilation cache would otherwise hand back a script compiled
    // earlier without block counters (under its first file name).
    this.code = code + "\n// token count " + Date.now();
    this.url = url;
  }

  /**
   * Start coverage for `code`; the caller then compiles `counter.source` (in any realm of this
   * process, e.g. a virtual board's vm context) under the file name `url`; only code compiled
   * after the start is covered block by block.
   */
  static async start(code: string, url: string): Promise<TokenCounter> {
    // The caller must compile `counter.source`, not `code`.
    const c = new TokenCounter(code, url);
    c.session.connect();
    await c.session.post("Profiler.enable");
    await c.session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
    c.index();
    return c;
  }

  /** Start coverage, then compile and run `code` in this realm. */
  static async load(code: string, url: string): Promise<TokenCounter> {
    const c = await TokenCounter.start(code, url);
    vm.runInThisContext(c.source, { filename: url });
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

  /** The text to compile: `code` plus a comment that makes it distinct. */
  get source(): string {
    return this.code;
  }

  /** V8's id of the compiled script, found at the first reset. */
  private scriptId: string | undefined;

  /**
   * Reset the counters (coverage taken and dropped). Call once after compiling `source` and
   * before any `take`: it finds the script — the one of this file name whose top-level range
   * spans exactly this code (other evaluations may share the name, e.g. every REPL input of a
   * virtual board); later takes omit functions that did not run, the top level included.
   */
  async reset(): Promise<void> {
    const res = (await this.session.post("Profiler.takePreciseCoverage")) as unknown as { result: (ScriptCoverage & { scriptId: string })[] };
    if (this.scriptId !== undefined) return;
    const script = res.result.find(
      (s) => (s.url === this.url || s.url.endsWith(this.url)) && s.functions.some((f) => f.ranges[0].startOffset === 0 && f.ranges[0].endOffset === this.code.length),
    );
    if (!script) throw new Error(`coverage has no script ${this.url} of ${this.code.length} characters: compile counter.source after start()`);
    this.scriptId = script.scriptId;
  }

  /** Tokens executed in this script since the last reset (or take). */
  async take(): Promise<number> {
    if (this.scriptId === undefined) throw new Error("TokenCounter.take before reset");
    const res = (await this.session.post("Profiler.takePreciseCoverage")) as unknown as { result: (ScriptCoverage & { scriptId: string })[] };
    const script = res.result.find((s) => s.scriptId === this.scriptId);
    if (!script) return 0; // nothing of it ran
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
