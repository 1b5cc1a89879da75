/**
 * Inline the bundle's one-expression functions at their calls. On Espruino a call costs about
 * one reference-loop iteration (a scope object, the scope chain copied, the arguments parsed:
 * docs/performance.md, "Step and sample speed, 2026-12-08") — more than the arithmetic of a
 * small function such as `trapezoidWh` or `segmentCode`, which the model step calls every
 * sample. The source keeps each rule in one function; the bundle gets its expression in place.
 *
 * Safe by construction on the minified IIFE bundle:
 * - a candidate is a function declared once in the bundle's scope, never assigned, whose body is
 *   `return <expr>` where <expr> has no call, `new`, assignment, update, `this`, `arguments`,
 *   function, object, array, template or sequence: it reads its parameters and names, nothing else;
 * - a call is inlined only when it names the candidate (no local of that name at the call), passes
 *   exactly one argument per parameter, each argument side-effect free (a name, a literal, a
 *   member read of such, a unary `-`/`+`/`!` of such), and no enclosing function at the call
 *   declares a name the expression reads from outside (it would resolve differently there);
 * - each parameter is replaced by its argument in parentheses (a plain name as it is); with no
 *   side effects, the order and number of evaluations cannot change the result;
 * - a candidate whose every reference was inlined loses its declaration (a JsVar less on the board).
 * The output is parsed again before it is returned.
 */
import type * as acorn from "acorn";
import { loadAcorn, loadAcornWalk } from "./espruinoSubset.js";
import { applyEdits, declaredIn, iifeOf, shadowingFunction, type AnyNode, type Edit } from "./bundleScope.js";
interface Candidate {
  decl: acorn.FunctionDeclaration;
  params: string[];
  /** `let`/`const` names before the return, in order, and their initial values. */
  locals: Array<{ name: string; init: AnyNode }>;
  expr: AnyNode;
  /** Names the expressions read that are not its parameters or locals. */
  free: Set<string>;
}

/** Most reads of one local before it is not written out at each read (its value is computed at each). */
const MAX_LOCAL_READS = 3;

/** Longest expression text inlined (characters): each call site grows the bundle by about this. */
const MAX_INLINE_CHARS = 120;

const PURE_EXPR = new Set(["Identifier", "Literal", "MemberExpression", "BinaryExpression", "LogicalExpression", "UnaryExpression", "ConditionalExpression"]);

/** The names `n` reads, if it is a pure expression (see the header), else null. */
function pureReads(n: AnyNode, out: Set<string>): boolean {
  if (!PURE_EXPR.has(n.type)) return false;
  switch (n.type) {
    case "Identifier":
      if (n.name === "arguments") return false;
      out.add(n.name);
      return true;
    case "Literal":
      return !(n as acorn.Literal & { regex?: unknown }).regex;
    case "MemberExpression":
      if (n.object.type === "Super" || n.property.type === "PrivateIdentifier") return false;
      return pureReads(n.object, out) && (!n.computed || pureReads(n.property as AnyNode, out));
    case "BinaryExpression":
      return n.left.type !== "PrivateIdentifier" && pureReads(n.left, out) && pureReads(n.right, out);
    case "LogicalExpression":
      return pureReads(n.left, out) && pureReads(n.right, out);
    case "UnaryExpression":
      return n.operator !== "delete" && pureReads(n.argument, out);
    case "ConditionalExpression":
      return pureReads(n.test, out) && pureReads(n.consequent, out) && pureReads(n.alternate, out);
    default:
      return false;
  }
}

/** An argument that can be evaluated any number of times, in any order: a name, a literal, a member read or a unary of such. */
function simpleArg(n: AnyNode): boolean {
  if (n.type === "Identifier") return n.name !== "arguments";
  if (n.type === "Literal") return !(n as acorn.Literal & { regex?: unknown }).regex;
  if (n.type === "UnaryExpression") return (n.operator === "-" || n.operator === "+" || n.operator === "!") && simpleArg(n.argument);
  if (n.type === "MemberExpression") return n.object.type !== "Super" && n.property.type !== "PrivateIdentifier" && simpleArg(n.object) && (!n.computed || simpleArg(n.property as AnyNode));
  return false;
}

/** `let a = <pure>, …; return <pure>` (or only the return): its locals and expression, or null. */
function bodyShape(body: acorn.Statement[]): { locals: Candidate["locals"]; expr: AnyNode; reads: Set<string> } | null {
  const ret = body[body.length - 1];
  if (!ret || ret.type !== "ReturnStatement" || !ret.argument || body.length > 2) return null;
  const reads = new Set<string>();
  const locals: Candidate["locals"] = [];
  const decl = body.length === 2 ? body[0]! : null;
  if (decl !== null) {
    if (decl.type !== "VariableDeclaration" || decl.kind === "var") return null;
    for (const d of decl.declarations) {
      if (d.id.type !== "Identifier" || !d.init || !pureReads(d.init, reads)) return null;
      locals.push({ name: d.id.name, init: d.init });
    }
  }
  if (!pureReads(ret.argument, reads)) return null;
  const first = decl ?? ret;
  if (ret.end - first.start > MAX_INLINE_CHARS) return null;
  return { locals, expr: ret.argument, reads };
}

/** How many times `name` is read in `nodes`. */
function readsOf(name: string, nodes: AnyNode[], walk: ReturnType<typeof loadAcornWalk>): number {
  let n = 0;
  for (const node of nodes) walk.full(node, (x) => void (x.type === "Identifier" && x.name === name && n++));
  return n;
}

/** The bundle's one-expression functions (see the header), by name. */
function candidatesOf(top: acorn.Function, walk: ReturnType<typeof loadAcornWalk>): Map<string, Candidate> {
  const counts = new Map<string, number>();
  for (const n of declaredIn(top)) counts.set(n, (counts.get(n) ?? 0) + 1);
  const out = new Map<string, Candidate>();
  for (const st of (top.body as acorn.BlockStatement).body) {
    if (st.type !== "FunctionDeclaration" || st.async || st.generator || counts.get(st.id.name) !== 1) continue;
    if (!st.params.every((p) => p.type === "Identifier")) continue;
    const shape = bodyShape(st.body.body);
    if (shape === null) continue;
    const params = st.params.map((p) => (p as acorn.Identifier).name);
    const names = params.concat(shape.locals.map((l) => l.name));
    if (new Set(names).size !== names.length) continue;
    const later = (k: number): AnyNode[] => shape.locals.slice(k + 1).map((l) => l.init as AnyNode).concat([shape.expr]);
    // a local read only after it is set, and not too often
    if (shape.locals.some((l, k) => readsOf(l.name, shape.locals.slice(0, k + 1).map((x) => x.init as AnyNode), walk) > 0 || readsOf(l.name, later(k), walk) > MAX_LOCAL_READS)) continue;
    const free = new Set([...shape.reads].filter((r) => !names.includes(r)));
    out.set(st.id.name, { decl: st, params, locals: shape.locals, expr: shape.expr, free });
  }
  return out;
}

/** `node`'s text with each read of a name in `texts` replaced by that text. */
function replaced(code: string, node: AnyNode, texts: Map<string, string>, walk: ReturnType<typeof loadAcornWalk>): string {
  const reps: Edit[] = [];
  walk.full(node, (n) => {
    const t = n.type === "Identifier" ? texts.get(n.name) : undefined;
    if (t !== undefined) reps.push({ start: n.start, end: n.end, text: t });
  });
  reps.sort((a, b) => b.start - a.start);
  let s = code.slice(node.start, node.end);
  for (const r of reps) s = s.slice(0, r.start - node.start) + r.text + s.slice(r.end - node.start);
  return s;
}

/** The candidate's expression with its parameters replaced by the arguments and its locals by their values. */
function substituted(code: string, c: Candidate, args: AnyNode[], walk: ReturnType<typeof loadAcornWalk>): string {
  const texts = new Map<string, string>();
  c.params.forEach((p, k) => {
    const a = args[k]!;
    const text = code.slice(a.start, a.end);
    texts.set(p, a.type === "Identifier" ? text : "(" + text + ")");
  });
  for (const l of c.locals) texts.set(l.name, "(" + replaced(code, l.init, texts, walk) + ")");
  return "(" + replaced(code, c.expr, texts, walk) + ")";
}

/**
 * `code` (an esbuild IIFE bundle) with its one-expression functions inlined at their calls, again
 * until none is left (a call whose argument was an inlined call may qualify next); how many went.
 */
export function inlineFunctions(code: string): { code: string; inlinedCalls: number; removedFunctions: number } {
  let out = { code: code, inlinedCalls: 0, removedFunctions: 0 };
  for (;;) {
    const r = inlineOnce(out.code);
    if (r.inlinedCalls === 0) return out;
    out = { code: r.code, inlinedCalls: out.inlinedCalls + r.inlinedCalls, removedFunctions: out.removedFunctions + r.removedFunctions };
  }
}

function inlineOnce(code: string): { code: string; inlinedCalls: number; removedFunctions: number } {
  const parser = loadAcorn();
  const walk = loadAcornWalk();
  const ast = parser.parse(code, { ecmaVersion: 2020, sourceType: "script" }) as acorn.Program;
  const top = iifeOf(ast);
  if (top === null) return { code, inlinedCalls: 0, removedFunctions: 0 };
  const cands = candidatesOf(top, walk);
  walk.full(ast, (n) => {
    if (n.type === "AssignmentExpression" && n.left.type === "Identifier") cands.delete(n.left.name);
    if (n.type === "UpdateExpression" && n.argument.type === "Identifier") cands.delete(n.argument.name);
  });
  const edits: Edit[] = [];
  const refs = new Map<string, number>();
  const inlined = new Map<string, number>();
  type Walk = (n: AnyNode, s: Set<string>, c: unknown) => void;
  const visitors = {
    Function: shadowingFunction(top, walk),
    CallExpression(node: acorn.CallExpression, shadow: Set<string>, c: unknown) {
      const callee = node.callee;
      const cand = callee.type === "Identifier" && !shadow.has(callee.name) ? cands.get(callee.name) : undefined;
      const ok =
        cand !== undefined &&
        node.arguments.length === cand.params.length &&
        node.arguments.every((a) => a.type !== "SpreadElement" && simpleArg(a as AnyNode)) &&
        ![...cand.free].some((f) => shadow.has(f));
      if (ok && callee.type === "Identifier") {
        edits.push({ start: node.start, end: node.end, text: substituted(code, cand!, node.arguments as AnyNode[], walk) });
        inlined.set(callee.name, (inlined.get(callee.name) ?? 0) + 1);
        return; // simple arguments hold no calls
      }
      (walk.base.CallExpression as Walk)(node as AnyNode, shadow, c);
    },
    // (acorn-walk visits no property name of `a.b` or `{b: …}`: every Identifier here is a reference)
    Identifier(node: acorn.Identifier, shadow: Set<string>) {
      if (cands.has(node.name) && !shadow.has(node.name)) refs.set(node.name, (refs.get(node.name) ?? 0) + 1);
    },
  };
  walk.recursive(ast as AnyNode, new Set<string>(), visitors as unknown as Parameters<typeof walk.recursive>[2]);
  // a declaration goes when every reference to its name was an inlined call (its own id is not walked as a reference)
  let removed = 0;
  for (const [name, cand] of cands) {
    const n = inlined.get(name) ?? 0;
    if (n > 0 && (refs.get(name) ?? 0) === 0) {
      edits.push({ start: cand.decl.start, end: cand.decl.end, text: "" });
      removed++;
    }
  }
  const out = applyEdits(code, edits, "inlineFunctions");
  parser.parse(out, { ecmaVersion: 2020, sourceType: "script" });
  let calls = 0;
  for (const n of inlined.values()) calls += n;
  return { code: out, inlinedCalls: calls, removedFunctions: removed };
}
