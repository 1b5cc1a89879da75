/**
 * Inline the bundle's numeric module constants. esbuild keeps `const X = 128` of a module that
 * imports anything as a variable of the bundle's scope (it inlines constants only at the very top
 * of a file), and on Espruino every such variable is a JsVar for as long as the firmware runs
 * (a float one two): ≈ 90 constants, ≈ 100 JsVars on the ESP32 format (docs/performance.md,
 * "Peak memory, 2026-12-07 night"). Written as literals, the numbers stay in the code text (in
 * flash on a board) and the variables go.
 *
 * Safe by construction on the minified IIFE bundle: only a top-level `var/let/const X = <number>`
 * declared once in the bundle's scope and never assigned; a reference is replaced only where no
 * enclosing function declares the same name (a parameter, a local, a nested function, a catch
 * parameter); a constant keeps its declaration when any reference was left. Shorthand properties
 * `{X}` become `{X:128}`, a member access `X.toFixed` becomes `(128).toFixed`, a negative value
 * is written in parentheses. The output is parsed again before it is returned.
 */
import type * as acorn from "acorn";
import { loadAcorn, loadAcornWalk } from "./espruinoSubset.js";
import { applyEdits, declaredIn, iifeOf, shadowingFunction, type AnyNode, type Edit } from "./bundleScope.js";

/** Value of `n` when it is a number literal or + − × ÷ of such (IEEE doubles: the same on Espruino), else NaN. */
function constValue(n: AnyNode): number {
  if (n.type === "Literal") return typeof n.value === "number" ? n.value : NaN;
  if (n.type === "UnaryExpression" && n.operator === "-") return -constValue(n.argument);
  if (n.type === "BinaryExpression" && n.left.type !== "PrivateIdentifier") {
    const a = constValue(n.left);
    const b = constValue(n.right);
    if (n.operator === "+") return a + b;
    if (n.operator === "-") return a - b;
    if (n.operator === "*") return a * b;
    if (n.operator === "/") return a / b;
  }
  return NaN;
}

/** The literal text of `init`'s value (`128`, `.05`, `(-100000)`, `600*1e3` → `600000`), or null. */
function numberText(code: string, init: AnyNode | null | undefined): string | null {
  if (!init) return null;
  if (init.type === "Literal" && typeof init.value === "number") return code.slice(init.start, init.end);
  const v = constValue(init);
  if (!isFinite(v)) return null;
  return v < 0 || Object.is(v, -0) ? "(" + (Object.is(v, -0) ? "-0" : String(v)) + ")" : String(v);
}

/**
 * `code` (an esbuild IIFE bundle) with its numeric module constants inlined (again until none is
 * left: `ps=32*8` is a literal expression only after `Qe=32` went); how many went.
 */
export function inlineConstants(code: string): { code: string; inlined: number } {
  let out = { code: code, inlined: 0 };
  for (;;) {
    const r = inlineOnce(out.code);
    if (r.inlined === 0) return out;
    out = { code: r.code, inlined: out.inlined + r.inlined };
  }
}

function inlineOnce(code: string): { code: string; inlined: number } {
  const parser = loadAcorn();
  const walk = loadAcornWalk();
  const ast = parser.parse(code, { ecmaVersion: 2020, sourceType: "script" }) as acorn.Program;
  const top = iifeOf(ast);
  if (top === null) return { code, inlined: 0 };
  const body = (top.body as acorn.BlockStatement).body;
  // candidates: declared once in the bundle's scope, a number, never assigned
  const values = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const n of declaredIn(top)) counts.set(n, (counts.get(n) ?? 0) + 1);
  for (const st of body) {
    if (st.type !== "VariableDeclaration") continue;
    for (const d of st.declarations) {
      const text = d.id.type === "Identifier" ? numberText(code, d.init) : null;
      if (text !== null && d.id.type === "Identifier" && counts.get(d.id.name) === 1) values.set(d.id.name, text);
    }
  }
  walk.full(ast, (n) => {
    if (n.type === "AssignmentExpression" && n.left.type === "Identifier") values.delete(n.left.name);
    if (n.type === "UpdateExpression" && n.argument.type === "Identifier") values.delete(n.argument.name);
    if ((n.type === "ForInStatement" || n.type === "ForOfStatement") && n.left.type === "Identifier") values.delete(n.left.name);
  });
  // references, resolved through the enclosing functions' declarations: every reference to a
  // candidate that no local shadows is replaced, so its declaration can go
  const edits: Edit[] = [];
  const memberObjects = new WeakSet<AnyNode>();
  type Walk = (n: AnyNode, s: Set<string>, c: unknown) => void;
  const visitors = {
    Function: shadowingFunction(top, walk),
    MemberExpression(node: acorn.MemberExpression, shadow: Set<string>, c: unknown) {
      memberObjects.add(node.object);
      (walk.base.MemberExpression as Walk)(node, shadow, c);
    },
    Property(node: acorn.Property, shadow: Set<string>, c: unknown) {
      const v = node.shorthand && node.value.type === "Identifier" ? values.get(node.value.name) : undefined;
      if (v !== undefined && node.value.type === "Identifier") {
        if (!shadow.has(node.value.name)) edits.push({ start: node.start, end: node.end, text: node.value.name + ":" + v });
        return;
      }
      (walk.base.Property as Walk)(node, shadow, c);
    },
    Identifier(node: acorn.Identifier, shadow: Set<string>) {
      const v = values.get(node.name);
      if (v === undefined || shadow.has(node.name)) return; // not a constant, or a local of the same name
      edits.push({ start: node.start, end: node.end, text: memberObjects.has(node) && v[0] !== "(" ? "(" + v + ")" : v });
    },
  };
  walk.recursive(ast as AnyNode, new Set<string>(), visitors as unknown as Parameters<typeof walk.recursive>[2]);
  // drop the inlined constants' declarators (a declaration with none left goes whole)
  for (const st of body) {
    if (st.type !== "VariableDeclaration") continue;
    const ds = st.declarations;
    const gone = ds.map((d) => d.id.type === "Identifier" && values.has(d.id.name) && numberText(code, d.init) !== null);
    let lastKept = -1;
    gone.forEach((g, i) => {
      if (!g) lastKept = i;
    });
    if (lastKept < 0) edits.push({ start: st.start, end: st.end, text: "" });
    else {
      for (let i = 0; i < lastKept; i++) if (gone[i]) edits.push({ start: ds[i]!.start, end: ds[i + 1]!.start, text: "" });
      if (lastKept < ds.length - 1) edits.push({ start: ds[lastKept]!.end, end: ds[ds.length - 1]!.end, text: "" });
    }
  }
  const out = applyEdits(code, edits, "inlineConstants");
  parser.parse(out, { ecmaVersion: 2020, sourceType: "script" });
  return { code: out, inlined: values.size };
}
