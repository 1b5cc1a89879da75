/**
 * Scope helpers for the build's rewrites of the minified IIFE bundle (inlineConstants.ts,
 * inlineFunctions.ts, aliasGlobals.ts): which names a function declares, and the bundle's scope
 * function. A rewrite replaces a name only where no enclosing function declares the same name.
 */
import type * as acorn from "acorn";
import type { loadAcornWalk } from "./espruinoSubset.js";

export type AnyNode = acorn.AnyNode;

/** A text replacement in the bundle. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Names bound by a pattern (parameter or declarator target). */
export function patternNames(p: AnyNode | null | undefined, out: string[]): void {
  if (!p) return;
  if (p.type === "Identifier") out.push(p.name);
  else if (p.type === "ObjectPattern") for (const q of p.properties) patternNames(q.type === "RestElement" ? q.argument : q.value, out);
  else if (p.type === "ArrayPattern") for (const q of p.elements) patternNames(q, out);
  else if (p.type === "RestElement") patternNames(p.argument, out);
  else if (p.type === "AssignmentPattern") patternNames(p.left, out);
}

/** Every name a function declares for its own body (params, own name, var/let/const/class/function, catch), nested functions not entered. */
export function declaredIn(fn: acorn.Function): string[] {
  const names: string[] = [];
  if (fn.id && fn.type === "FunctionExpression") names.push(fn.id.name);
  for (const p of fn.params) patternNames(p, names);
  const visit = (n: AnyNode): void => {
    if (n.type === "FunctionDeclaration") {
      if (n.id) names.push(n.id.name);
      return;
    }
    if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") return;
    if (n.type === "VariableDeclarator") patternNames(n.id, names);
    if (n.type === "ClassDeclaration" && n.id) names.push(n.id.name);
    if (n.type === "CatchClause") patternNames(n.param, names);
    for (const key of Object.keys(n)) {
      const v = (n as unknown as Record<string, unknown>)[key];
      if (Array.isArray(v)) for (const c of v) if (c && typeof c === "object" && typeof (c as AnyNode).type === "string") visit(c as AnyNode);
      if (v && typeof v === "object" && !Array.isArray(v) && typeof (v as AnyNode).type === "string") visit(v as AnyNode);
    }
  };
  visit(fn.body as AnyNode);
  return names;
}

/** The bundle's scope function: the body of `(() => { … })()` or `(function () { … })()`. */
export function iifeOf(ast: acorn.Program): acorn.Function | null {
  const st = ast.body.length === 1 ? ast.body[0] : undefined;
  if (!st || st.type !== "ExpressionStatement" || st.expression.type !== "CallExpression") return null;
  const f = st.expression.callee;
  return (f.type === "ArrowFunctionExpression" || f.type === "FunctionExpression") && f.body.type === "BlockStatement" ? f : null;
}

/** `code` with `edits` applied (they must not overlap). */
export function applyEdits(code: string, edits: Edit[], who: string): string {
  const sorted = edits.slice().sort((a, b) => b.start - a.start);
  let out = code;
  let last = Infinity;
  for (const e of sorted) {
    if (e.end > last) throw new Error(`${who}: overlapping edits at ${e.start}`);
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    last = e.start;
  }
  return out;
}

type Walk = (n: AnyNode, s: Set<string>, c: unknown) => void;

/**
 * An acorn-walk `recursive` visitor for functions: the walk's state is the set of names declared
 * by the functions around the node (the bundle's scope function `top` not counted), so a
 * reference whose name is in it is a local, not the bundle's name or a global.
 */
export function shadowingFunction(top: acorn.Function, walk: ReturnType<typeof loadAcornWalk>): (node: acorn.Function, shadow: Set<string>, c: unknown) => void {
  return (node, shadow, c) => {
    const inner = node === top ? shadow : new Set([...shadow, ...declaredIn(node)]);
    (walk.base.Function as Walk)(node as AnyNode, inner, c);
  };
}
