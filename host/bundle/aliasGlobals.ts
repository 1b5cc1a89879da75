/**
 * Give the language's built-in globals a name at the front of the bundle's scope. Espruino finds
 * a name by walking each scope's names in order, innermost first: a global such as `isFinite`,
 * `NaN` or `Math` is found only after every one of the bundle's ≈ 200 names has been compared,
 * then the root's. The model step reads such globals ≈ 25 times per sample; an alias declared
 * first in the bundle's scope is found at once (docs/performance.md, "Step and sample speed,
 * 2026-12-08": the step −4.7 % in instructions).
 *
 * Only globals of the language itself, which both Espruino 2v29 and V8 have and nothing assigns
 * (their identity never changes, so an alias taken at start reads the same thing); never the
 * board's objects (`E`, `getTime`, `I2C1`, `console`), which the virtual board may replace. A
 * reference is rewritten only where no enclosing function declares the same name; a global the
 * bundle assigns or declares itself is left alone. The output is parsed again before it is returned.
 */
import type * as acorn from "acorn";
import { loadAcorn, loadAcornWalk } from "./espruinoSubset.js";
import { applyEdits, declaredIn, iifeOf, shadowingFunction, type AnyNode, type Edit } from "./bundleScope.js";

/** Globals that may be aliased: the language's own values and functions, never reassigned. */
export const ALIASABLE_GLOBALS = [
  "NaN",
  "Infinity",
  "isFinite",
  "isNaN",
  "Math",
  "JSON",
  "String",
  "Number",
  "Object",
  "Array",
  "parseInt",
  "parseFloat",
  "Float64Array",
  "Float32Array",
  "Uint8Array",
  "Uint16Array",
  "Uint32Array",
  "Int8Array",
  "Int16Array",
  "Int32Array",
];

/** Short names used nowhere in the bundle, for the aliases: `$a`, `$b`, … `$aa`, … */
function freshNames(used: Set<string>, count: number): string[] {
  const out: string[] = [];
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (let i = 0; out.length < count; i++) {
    let k = i;
    let name = "";
    do {
      name += letters[k % letters.length];
      k = Math.floor(k / letters.length) - 1;
    } while (k >= 0);
    if (!used.has("$" + name)) out.push("$" + name);
  }
  return out;
}

/** `code` (an esbuild IIFE bundle) with its references to ALIASABLE_GLOBALS read through aliases declared first in its scope. */
export function aliasGlobals(code: string): { code: string; aliased: string[] } {
  const parser = loadAcorn();
  const walk = loadAcornWalk();
  const ast = parser.parse(code, { ecmaVersion: 2020, sourceType: "script" }) as acorn.Program;
  const top = iifeOf(ast);
  if (top === null) return { code, aliased: [] };
  const used = new Set<string>();
  const globals = new Set(ALIASABLE_GLOBALS);
  for (const n of declaredIn(top)) globals.delete(n);
  walk.full(ast, (n) => {
    if (n.type === "Identifier") used.add(n.name);
    if (n.type === "AssignmentExpression" && n.left.type === "Identifier") globals.delete(n.left.name);
    if (n.type === "UpdateExpression" && n.argument.type === "Identifier") globals.delete(n.argument.name);
  });
  // references, resolved through the enclosing functions' declarations
  const refs: Array<{ node: acorn.Identifier; shorthand: boolean }> = [];
  type Walk = (n: AnyNode, s: Set<string>, c: unknown) => void;
  const visitors = {
    Function: shadowingFunction(top, walk),
    Property(node: acorn.Property, shadow: Set<string>, c: unknown) {
      if (node.shorthand && node.value.type === "Identifier") {
        if (globals.has(node.value.name) && !shadow.has(node.value.name)) refs.push({ node: node.value, shorthand: true });
        return;
      }
      (walk.base.Property as Walk)(node, shadow, c);
    },
    Identifier(node: acorn.Identifier, shadow: Set<string>) {
      if (globals.has(node.name) && !shadow.has(node.name)) refs.push({ node, shorthand: false });
    },
  };
  walk.recursive(ast as AnyNode, new Set<string>(), visitors as unknown as Parameters<typeof walk.recursive>[2]);
  const counts = new Map<string, number>();
  for (const r of refs) counts.set(r.node.name, (counts.get(r.node.name) ?? 0) + 1);
  // most referenced first: found soonest
  const aliased = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
  if (aliased.length === 0) return { code, aliased };
  const names = freshNames(used, aliased.length);
  const alias = new Map(aliased.map((g, i) => [g, names[i]!]));
  const edits: Edit[] = refs.map((r) => ({
    start: r.node.start,
    end: r.node.end,
    text: r.shorthand ? r.node.name + ":" + alias.get(r.node.name)! : alias.get(r.node.name)!,
  }));
  const decl = "var " + aliased.map((g) => alias.get(g)! + "=" + g).join(",") + ";";
  const at = (top.body as acorn.BlockStatement).start + 1;
  edits.push({ start: at, end: at, text: decl });
  const out = applyEdits(code, edits, "aliasGlobals");
  parser.parse(out, { ecmaVersion: 2020, sourceType: "script" });
  return { code: out, aliased };
}
