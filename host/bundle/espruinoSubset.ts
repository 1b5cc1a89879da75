/**
 * The Espruino-subset check: parses a JavaScript bundle and reports every syntax form and
 * built-in that real Espruino 2v29 lacks or gets silently wrong.
 *
 * Source of every rule: `docs/espruino.md` and its snippet index (real Espruino 2v29 against
 * Node 20, snippet numbers quoted as [NNN] in each rule's text).
 * The check is syntactic: it cannot know the type of a receiver, so method names that only
 * arrays/strings lack (`.at`, `.flat`, `.values`…) are flagged on any receiver — rename a
 * firmware method that happens to share such a name.
 */
import type * as acorn from "acorn";
import { requirePackage } from "../util/lazyPackage";

/** One construct in the bundle that real Espruino 2v29 cannot run correctly. */
export interface SubsetFinding {
  /** Short stable rule id, e.g. `default-param`, `missing-builtin`. */
  rule: string;
  /** What is wrong and what to write instead. */
  message: string;
  /** 1-based line in the checked text. */
  line: number;
  /** 0-based column in the checked text. */
  column: number;
  /** Up to 60 characters of the offending source. */
  snippet: string;
}

/** Global names Espruino 2v29 does not define ([067]–[070], [188], [238], [239], [273]). */
const MISSING_GLOBALS: Record<string, string> = {
  Map: "no Map [067]: use an object keyed by string, or parallel arrays",
  Set: "no Set [068]: use an object or an array with indexOf",
  WeakMap: "no WeakMap [069]",
  WeakSet: "no WeakSet (no Weak* collections [069])",
  WeakRef: "no WeakRef (no Weak* collections [069])",
  FinalizationRegistry: "no FinalizationRegistry",
  Symbol: "no Symbol [070]",
  Reflect: "no Reflect [238]",
  Proxy: "no Proxy [238]",
  BigInt: "no BigInt [239]",
  setImmediate: "no setImmediate [273]: use setTimeout(f, 0)",
  queueMicrotask: "no queueMicrotask [273]: use setTimeout(f, 0) or Promise.resolve().then",
  RangeError: "no RangeError [188]: throw new Error(...)",
  EvalError: "no EvalError [188]",
  URIError: "no URIError [188]",
  AggregateError: "no AggregateError",
  Intl: "no Intl",
  structuredClone: "no structuredClone",
};

/** Static members missing on built-in constructors, by object name ([092]–[158], [266], [077]–[079]). */
const MISSING_STATICS: Record<string, Record<string, string>> = {
  Number: {
    isFinite: "Number.isFinite missing [134]: use the global isFinite (after a typeof check)",
    isInteger: "Number.isInteger missing [137]: use Math.floor(x) === x",
    isNaN: "Number.isNaN missing [138]: use the global isNaN or x !== x",
    isSafeInteger: "Number.isSafeInteger missing",
    EPSILON: "Number.EPSILON is undefined [136]: name your own constant 2.220446049250313e-16",
    MAX_SAFE_INTEGER: "Number.MAX_SAFE_INTEGER is undefined [139]",
    MIN_SAFE_INTEGER: "Number.MIN_SAFE_INTEGER is undefined",
    MIN_VALUE: "Number.MIN_VALUE is wrong [140] (2.2e-308, not 5e-324)",
    parseFloat: "Number.parseFloat missing [141]: use the global parseFloat",
    parseInt: "Number.parseInt missing [141]: use the global parseInt",
  },
  Math: {
    trunc: "Math.trunc missing [153]: use x < 0 ? Math.ceil(x) : Math.floor(x)",
    sign: "Math.sign missing/partial [153]: use a comparison",
    hypot: "Math.hypot missing [154]: use Math.sqrt(a*a+b*b)",
    cbrt: "Math.cbrt missing [154]: use Math.pow(x, 1/3) with sign handling",
    log2: "Math.log2 missing [155]: use Math.log(x) / Math.LN2",
    log10: "Math.log10 missing [155]: use Math.log(x) / Math.LN10",
    log1p: "Math.log1p missing [155]",
    expm1: "Math.expm1 missing [155]",
    fround: "Math.fround missing [152]: use a Float32Array element",
    tanh: "Math.tanh missing [156]",
    sinh: "Math.sinh missing [156]",
    cosh: "Math.cosh missing [156]",
    asinh: "Math.asinh missing",
    acosh: "Math.acosh missing",
    atanh: "Math.atanh missing",
    clz32: "Math.clz32 missing [158]",
    imul: "Math.imul missing [158]",
  },
  Array: {
    from: "Array.from missing [106]–[109]: use a loop",
    of: "Array.of missing [110]: use an array literal",
  },
  Object: {
    freeze: "Object.freeze missing [092]",
    isFrozen: "Object.isFrozen missing",
    seal: "Object.seal missing",
    is: "Object.is missing [097]",
    getOwnPropertySymbols: "no Symbol, so no Object.getOwnPropertySymbols [070]",
  },
  Date: { UTC: "Date.UTC missing [266]" },
  Promise: {
    race: "Promise.race missing [077]",
    allSettled: "Promise.allSettled missing [078]",
    any: "Promise.any missing [079]",
  },
  String: { raw: "String.raw missing [042]" },
  JSON: {},
};

/** Method names that arrays/strings/promises lack in Espruino, flagged on any receiver. */
const MISSING_METHODS: Record<string, string> = {
  flat: ".flat missing [112]",
  flatMap: ".flatMap missing [113]",
  at: ".at missing on arrays and strings [120], [130]: use x[x.length - 1]",
  findLast: ".findLast missing [114]",
  findLastIndex: ".findLastIndex missing (as findLast [114])",
  reduceRight: ".reduceRight missing [118]",
  copyWithin: ".copyWithin missing [119]",
  trimStart: ".trimStart missing [126]",
  trimEnd: ".trimEnd missing [126]",
  trimLeft: ".trimLeft missing (as trimStart [126])",
  trimRight: ".trimRight missing (as trimEnd [126])",
  codePointAt: ".codePointAt missing [129]: use charCodeAt",
  localeCompare: ".localeCompare missing [131]: compare with < and >",
  finally: "Promise.prototype.finally missing [080]",
  toPrecision: ".toPrecision missing [144]: use toFixed",
  __defineGetter__: "__defineGetter__ missing [232]: use Object.defineProperty",
};

/** Array iterator methods missing in Espruino [115]; fine as Object.keys/values/entries. */
const ARRAY_ITERATOR_METHODS = new Set(["entries", "keys", "values"]);

/** Built-in constructors whose `X.prototype.method` references are undefined in Espruino [049]. */
const BUILTIN_CONSTRUCTORS = new Set([
  "Array", "String", "Object", "Function", "Number", "Boolean", "Date", "RegExp", "Error",
  "Promise", "ArrayBuffer", "DataView", "Uint8Array", "Int8Array", "Uint16Array", "Int16Array",
  "Uint32Array", "Int32Array", "Float32Array", "Float64Array", "Uint8ClampedArray",
]);

/** Built-ins that cannot be subclassed in Espruino ([018], [019], [191]). */
const UNEXTENDABLE = new Set([
  "Error", "TypeError", "ReferenceError", "SyntaxError", "Array", "Promise", "Map", "Set",
  "RegExp", "Date", "String", "Number", "Boolean", "Function", "Object", "Uint8Array",
  "Float32Array", "Float64Array", "ArrayBuffer",
]);

/** Size budget of a firmware bundle (bytes); justification in `bundleBudget.ts`. */
export { BUNDLE_BUDGET_BYTES } from "./bundleBudget.js";

type AnyNode = acorn.AnyNode;

/** What acorn and acorn-walk are needed for, in their load errors. */
const PARSE_PURPOSE = "parse the firmware bundle";

/** acorn, loaded on first use: only `zbms build` and the tests parse JavaScript (host/util/lazyPackage.ts). */
export function loadAcorn(): typeof acorn {
  return requirePackage<typeof acorn>("acorn", PARSE_PURPOSE);
}

/** acorn-walk, loaded on first use like acorn. */
export function loadAcornWalk(): typeof import("acorn-walk") {
  return requirePackage<typeof import("acorn-walk")>("acorn-walk", PARSE_PURPOSE);
}

/** Check `code` against the Espruino 2v29 subset; returns every finding, in source order. */
export function checkEspruinoSubset(code: string): SubsetFinding[] {
  const parser = loadAcorn();
  const walk = loadAcornWalk();
  const findings: SubsetFinding[] = [];
  const lines = code.split("\n");
  const add = (rule: string, message: string, node: { start: number; end: number }): void => {
    const pos = parser.getLineInfo(code, node.start);
    const text = code.slice(node.start, Math.min(node.end, node.start + 60)).replace(/\s+/g, " ");
    findings.push({ rule, message, line: pos.line, column: pos.column, snippet: text });
  };
  let ast: acorn.Program;
  try {
    ast = parser.parse(code, { ecmaVersion: "latest", sourceType: "script", locations: true, allowHashBang: true });
  } catch (err) {
    const e = err as { message: string; loc?: { line: number; column: number } };
    const line = e.loc ? e.loc.line : 1;
    findings.push({
      rule: "parse-error",
      message: `not valid JavaScript: ${e.message}`,
      line,
      column: e.loc ? e.loc.column : 0,
      snippet: (lines[line - 1] ?? "").slice(0, 60),
    });
    return findings;
  }

  walk.fullAncestor(ast, (node: AnyNode, _state: unknown, ancestors: AnyNode[]) => {
    const parent = ancestors.length >= 2 ? ancestors[ancestors.length - 2] : undefined;
    checkNode(node, parent, add);
  });
  checkForLetClosures(ast, add);
  checkCaughtErrors(ast, add);
  checkClassChains(ast, add);
  checkSelfNamedClassExpressions(ast, code, add);
  checkCallsBeforeDeclaration(ast, add);

  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return dedupe(findings);
}

type Add = (rule: string, message: string, node: { start: number; end: number }) => void;

/** One node against the subset's per-node rules (syntax forms, class members, references). */
function checkNode(node: AnyNode, parent: AnyNode | undefined, add: Add): void {
  checkSyntaxForm(node, parent, add);
  checkClassPart(node, add);
  checkReference(node, parent, add);
}

/** Syntax Espruino lacks: patterns, rest/spread, async/generators, labels, newer operators, templates, modules. */
function checkSyntaxForm(node: AnyNode, parent: AnyNode | undefined, add: Add): void {
  switch (node.type) {
    case "AssignmentPattern":
      add("default-param", "default parameters/values are a syntax error in Espruino [043], [027]: test for undefined in the body", node);
      break;
    case "RestElement":
      add("rest", "rest parameters/elements are a syntax error in Espruino [044], [048]: use `arguments`", node);
      break;
    case "SpreadElement":
      if (parent && parent.type === "CallExpression" && parent.callee.type === "Super") {
        add("super-spread-arguments", "`super(...arguments)` cannot be parsed by Espruino (TypeScript/esbuild emit it for a subclass with fields and no constructor): write an explicit constructor", parent);
      } else {
        add("spread", "spread is a syntax error in Espruino [045]–[047]: use apply/concat/Object.assign", node);
      }
      break;
    case "ObjectPattern":
    case "ArrayPattern":
      add("destructuring", "destructuring (all forms) is missing in Espruino [050]–[057]", node);
      break;
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      if (node.async) add("async", "async functions are missing in Espruino [083]–[085]: use Promises", node);
      if (node.generator) add("generator", "generators are missing in Espruino [086]", node);
      break;
    case "AwaitExpression":
      add("async", "await is missing in Espruino [084]", node);
      break;
    case "YieldExpression":
      add("generator", "yield is missing in Espruino [086]", node);
      break;
    case "LabeledStatement":
      add("label", "labelled statements do not work in Espruino [199]–[201]: use a flag or a function return", node);
      break;
    case "BinaryExpression":
      if (node.operator === "**") add("exponent", "`**` is a syntax error in Espruino [204]: use Math.pow", node);
      break;
    case "AssignmentExpression":
      if (node.operator === "**=") add("exponent", "`**=` is a syntax error in Espruino [205]: use Math.pow", node);
      if (node.operator === "??=" || node.operator === "||=" || node.operator === "&&=") {
        add("logical-assignment", `\`${node.operator}\` is a syntax error in Espruino [209], [210]: write the if out`, node);
      }
      break;
    case "ChainExpression":
      add("optional-chaining", "`?.` is a syntax error in Espruino [206], [207]: test for null first", node);
      break;
    case "TaggedTemplateExpression":
      add("tagged-template", "tagged templates are a syntax error in Espruino [041], [042]", node);
      break;
    case "MetaProperty":
      add("meta-property", `\`${node.meta.name}.${node.property.name}\` is a syntax error in Espruino [228]`, node);
      break;
    case "ImportExpression":
    case "ImportDeclaration":
    case "ExportNamedDeclaration":
    case "ExportDefaultDeclaration":
    case "ExportAllDeclaration":
      add("module-syntax", "ES module syntax: the bundle must be one plain script", node);
      break;
    case "ForOfStatement":
      if (node.await) add("async", "for await is missing in Espruino", node);
      break;
  }
}

/** Class and object members: computed keys, #private, bare fields, static setters and blocks, built-in bases. */
function checkClassPart(node: AnyNode, add: Add): void {
  switch (node.type) {
    case "Property":
      if (node.computed) add("computed-key", "computed property names are a syntax error in Espruino [214]: assign o[k] = v after creating o", node);
      break;
    case "MethodDefinition":
    case "PropertyDefinition":
      if (node.computed) add("computed-key", "computed class member names are a syntax error in Espruino [214]", node);
      if (node.key.type === "PrivateIdentifier") add("private-field", "#private members are a syntax error in Espruino [015]", node);
      if (node.type === "PropertyDefinition" && node.value === null) {
        add("bare-class-field", "class field without an initialiser (`x;`): the Espruino matrix only shows fields WITH one working ([013], [014]); give it a value (`x = null;`) or assign it in the constructor (the build sets useDefineForClassFields: false, which drops TypeScript's bare declarations)", node);
      }
      if (node.type === "MethodDefinition" && node.static && node.kind === "set") {
        add("static-setter", "static setters silently do nothing in Espruino [004]: use a static method", node);
      }
      break;
    case "PrivateIdentifier":
      add("private-field", "#private members are a syntax error in Espruino [015]", node);
      break;
    case "StaticBlock":
      add("static-block", "class static blocks are not supported by Espruino", node);
      break;
    case "ClassDeclaration":
    case "ClassExpression":
      if (node.superClass && node.superClass.type === "Identifier" && UNEXTENDABLE.has(node.superClass.name)) {
        add("extends-builtin", `\`extends ${node.superClass.name}\` is broken in Espruino [018], [019], [191]: use composition or an ES5-style constructor`, node);
      }
      break;
  }
}

/** References: missing globals, members and calls Espruino lacks or gets wrong, regexes, BigInt. */
function checkReference(node: AnyNode, parent: AnyNode | undefined, add: Add): void {
  switch (node.type) {
    case "Identifier":
      if (Object.prototype.hasOwnProperty.call(MISSING_GLOBALS, node.name) && isReference(node, parent)) {
        add("missing-global", MISSING_GLOBALS[node.name]!, node);
      }
      break;
    case "MemberExpression":
      if (node.property.type === "PrivateIdentifier") add("private-field", "#private members are a syntax error in Espruino [015]", node);
      checkMember(node, parent, add);
      break;
    case "CallExpression":
      checkCall(node, add);
      break;
    case "NewExpression":
      if (node.callee.type === "Identifier" && node.callee.name === "RegExp") checkRegexArgs(node, add);
      break;
    case "Literal":
      if ("regex" in node && node.regex) checkRegex(node.regex.pattern, node.regex.flags, node, add);
      if (typeof node.bigint === "string") add("bigint", "BigInt literals are missing in Espruino [239]", node);
      break;
  }
}

/** True when `id` is a read of a variable, not a declaration, label or member name. */
function isReference(id: acorn.Identifier, parent: AnyNode | undefined): boolean {
  if (!parent) return true;
  if (parent.type === "MemberExpression" && parent.property === id && !parent.computed) return false;
  if ((parent.type === "Property" || parent.type === "MethodDefinition" || parent.type === "PropertyDefinition") && parent.key === id && !parent.computed) return false;
  if ((parent.type === "LabeledStatement" || parent.type === "BreakStatement" || parent.type === "ContinueStatement")) return false;
  return true;
}

function memberName(node: acorn.MemberExpression): string | undefined {
  if (!node.computed && node.property.type === "Identifier") return node.property.name;
  if (node.computed && node.property.type === "Literal" && typeof node.property.value === "string") return node.property.value;
  return undefined;
}

function checkMember(node: acorn.MemberExpression, parent: AnyNode | undefined, add: Add): void {
  const name = memberName(node);
  if (name === undefined) return;
  const obj = node.object;
  if (obj.type === "Identifier") {
    const table = MISSING_STATICS[obj.name];
    if (table && Object.prototype.hasOwnProperty.call(table, name)) {
      add("missing-builtin", table[name]!, node);
      return;
    }
  }
  if (obj.type === "MemberExpression" && memberName(obj) === "prototype" && obj.object.type === "Identifier" && BUILTIN_CONSTRUCTORS.has(obj.object.name)) {
    add("prototype-reference", `\`${obj.object.name}.prototype.${name}\` is undefined in Espruino [049]: call the method on an instance, e.g. [].slice.call(x)`, node);
    return;
  }
  const isCallee = parent !== undefined && parent.type === "CallExpression" && parent.callee === node;
  if (isCallee && Object.prototype.hasOwnProperty.call(MISSING_METHODS, name)) {
    add("missing-method", `${MISSING_METHODS[name]!} (flagged on any receiver; rename a firmware method with this name)`, node);
  }
}

function checkCall(node: acorn.CallExpression, add: Add): void {
  const callee = node.callee;
  if (callee.type === "MemberExpression") {
    const name = memberName(callee);
    if (name !== undefined && ARRAY_ITERATOR_METHODS.has(name) && node.arguments.length === 0) {
      const isObjectStatic = callee.object.type === "Identifier" && callee.object.name === "Object";
      if (!isObjectStatic) {
        add("missing-method", `array .${name}() is missing in Espruino [115]: use an index loop or Object.${name}`, node);
      }
    }
  }
  if (callee.type === "Identifier" && callee.name === "RegExp") checkRegexArgs(node, add);
}

function checkRegexArgs(node: acorn.CallExpression | acorn.NewExpression, add: Add): void {
  const a = node.arguments[0];
  if (a && a.type === "Literal" && typeof a.value === "string") {
    const f = node.arguments[1];
    const flags = f && f.type === "Literal" && typeof f.value === "string" ? f.value : "";
    checkRegex(a.value, flags, node, add);
  }
}

/** Regex features that silently fail to match in Espruino ([252]–[256]). */
function checkRegex(pattern: string, flags: string, node: { start: number; end: number }, add: Add): void {
  // Strip escaped characters and character classes so `\(` or `[{]` do not count.
  const bare = pattern.replace(/\\./g, "_").replace(/\[[^\]]*\]/g, "_");
  if (/\(\?[=!]/.test(bare)) add("regex-lookaround", "regex lookahead silently fails to match in Espruino [252]", node);
  if (/\(\?<[=!]/.test(bare)) add("regex-lookaround", "regex lookbehind is not supported by Espruino", node);
  if (/\(\?:/.test(bare)) add("regex-noncapturing", "regex `(?:…)` silently fails to match in Espruino [254]: use a capturing group", node);
  if (/\(\?<[A-Za-z_$]/.test(bare)) add("regex-named-group", "regex named groups fail in Espruino [253]", node);
  if (/\{\d*,?\d*\}/.test(bare)) add("regex-counted", "regex counted quantifiers `{n,m}` silently fail in Espruino [256]: repeat the atom or use *, +, ?", node);
  for (const flag of ["u", "y", "s", "d", "v"]) {
    if (flags.includes(flag)) add("regex-flag", `regex flag '${flag}' is not supported by Espruino (no Unicode; only g, i, m)`, node);
  }
}

/**
 * Reading `.name` of a caught error, or testing it with `instanceof` a built-in error type:
 * Espruino's built-in errors have no `.name` ([185], [186]) and a TypeError is not
 * `instanceof Error` ([189], [194]).
 */
function checkCaughtErrors(ast: acorn.Program, add: Add): void {
  const walk = loadAcornWalk();
  const BUILTIN_ERRORS = new Set(["Error", "TypeError", "ReferenceError", "SyntaxError"]);
  walk.simple(ast, {
    CatchClause(node) {
      if (!node.param || node.param.type !== "Identifier") return;
      const name = node.param.name;
      walk.full(node.body, (n) => {
        if (n.type === "MemberExpression" && n.object.type === "Identifier" && n.object.name === name && memberName(n) === "name") {
          add("error-name", `\`${name}.name\` of a caught error is undefined for Espruino's built-in errors [185], [186]: use the message or your own field`, n);
        }
        if (n.type === "BinaryExpression" && n.operator === "instanceof" && n.left.type === "Identifier" && n.left.name === name &&
          n.right.type === "Identifier" && BUILTIN_ERRORS.has(n.right.name)) {
          add("error-instanceof", `\`${name} instanceof ${n.right.name}\` is unreliable in Espruino: its TypeError is not an Error and has no type name [186], [189], [194]`, n);
        }
      });
    },
  });
}

/** `for (let/const …)` whose body creates a function that reads the loop variable ([033], [059]). */
function checkForLetClosures(ast: acorn.Program, add: Add): void {
  const walk = loadAcornWalk();
  walk.simple(ast, {
    ForStatement(node) { check(node, node.init); },
    ForInStatement(node) { check(node, node.left); },
    ForOfStatement(node) { check(node, node.left); },
  });
  function check(loop: acorn.ForStatement | acorn.ForInStatement | acorn.ForOfStatement, decl: AnyNode | null | undefined): void {
    if (!decl || decl.type !== "VariableDeclaration" || decl.kind === "var") return;
    const names = new Set<string>();
    for (const d of decl.declarations) collectBindingNames(d.id, names);
    let found: AnyNode | undefined;
    walk.full(loop.body, (inner) => {
      if (found) return;
      if (inner.type === "FunctionExpression" || inner.type === "ArrowFunctionExpression" || inner.type === "FunctionDeclaration") {
        walk.full(inner, (ref) => {
          if (!found && ref.type === "Identifier" && names.has(ref.name)) found = inner;
        });
      }
    });
    if (found) {
      add("for-let-closure", `a closure inside \`for (${decl.kind} ${[...names].join(", ")} …)\` sees only the last value in Espruino [033], [059]: copy the value into a function parameter`, loop);
    }
  }
}

function collectBindingNames(p: AnyNode, out: Set<string>): void {
  if (p.type === "Identifier") out.add(p.name);
  else if (p.type === "ObjectPattern") for (const prop of p.properties) collectBindingNames(prop.type === "RestElement" ? prop : prop.value, out);
  else if (p.type === "ArrayPattern") for (const el of p.elements) { if (el) collectBindingNames(el, out); }
  else if (p.type === "RestElement") collectBindingNames(p.argument, out);
  else if (p.type === "AssignmentPattern") collectBindingNames(p.left, out);
}

/** Class chains three deep where `super.m()` is used ([012]), and inherited static calls ([010]). */
function checkClassChains(ast: acorn.Program, add: Add): void {
  const walk = loadAcornWalk();
  interface ClassInfo { node: acorn.Class; parent?: string; usesSuperMember: boolean; statics: Set<string> }
  const classes = new Map<string, ClassInfo>();
  const record = (name: string, node: acorn.Class): void => {
    let usesSuperMember = false;
    walk.full(node.body, (n) => {
      if (n.type === "MemberExpression" && n.object.type === "Super") usesSuperMember = true;
    });
    const statics = new Set<string>();
    for (const m of node.body.body) {
      if ((m.type === "MethodDefinition" || m.type === "PropertyDefinition") && m.static && m.key.type === "Identifier") statics.add(m.key.name);
    }
    const info: ClassInfo = { node, usesSuperMember, statics };
    if (node.superClass && node.superClass.type === "Identifier") info.parent = node.superClass.name;
    classes.set(name, info);
  };
  walk.simple(ast, {
    ClassDeclaration(node) { if (node.id) record(node.id.name, node); },
    VariableDeclarator(node) {
      if (node.id.type === "Identifier" && node.init && node.init.type === "ClassExpression") record(node.id.name, node.init);
    },
    AssignmentExpression(node) {
      if (node.left.type === "Identifier" && node.right.type === "ClassExpression") record(node.left.name, node.right);
    },
  });
  for (const [name, info] of classes) {
    const chain: ClassInfo[] = [info];
    let cur = info;
    const seen = new Set<string>([name]);
    while (cur.parent && classes.has(cur.parent) && !seen.has(cur.parent)) {
      seen.add(cur.parent);
      cur = classes.get(cur.parent)!;
      chain.push(cur);
    }
    if (chain.length >= 3 && chain.filter((c) => c.usesSuperMember).length >= 1) {
      add("deep-super-chain", `class ${name} is ${chain.length} levels deep and uses super.member: Espruino recurses until the stack overflows [012]; keep inheritance to one level`, info.node);
    }
  }
  // Static method called through a subclass ([010]).
  walk.simple(ast, {
    CallExpression(node) {
      const c = node.callee;
      if (c.type !== "MemberExpression" || c.object.type !== "Identifier") return;
      const name = memberName(c);
      const info = classes.get(c.object.name);
      if (!info || name === undefined || info.statics.has(name)) return;
      let p = info.parent;
      const seen = new Set<string>();
      while (p && classes.has(p) && !seen.has(p)) {
        seen.add(p);
        if (classes.get(p)!.statics.has(name)) {
          add("inherited-static", `static ${p}.${name} called through subclass ${c.object.name}: static methods are not inherited in Espruino [010]`, node);
          return;
        }
        p = classes.get(p)!.parent;
      }
    },
  });
}

/**
 * A class expression with a name that its own body uses (`var A = class B { m() { return B.f(); } }`):
 * Espruino 2v29 does not bind that inner name, so the use throws `"B" is not defined` (seen on the
 * real interpreter, test/realEspruino/interpreter.test.ts). esbuild emits this form for a class
 * whose source names itself inside its body (`this.st = PackModel.createState(config)`).
 * A class declaration and a named function expression are fine.
 */
function checkSelfNamedClassExpressions(ast: acorn.Program, code: string, add: Add): void {
  const walk = loadAcornWalk();
  walk.simple(ast, {
    ClassExpression(node) {
      if (!node.id) return;
      const name = node.id.name;
      let use: AnyNode | undefined;
      walk.fullAncestor(node.body, (n: AnyNode, _s: unknown, ancestors: AnyNode[]) => {
        const parent = ancestors.length >= 2 ? ancestors[ancestors.length - 2] : undefined;
        if (!use && n.type === "Identifier" && n.name === name && isReference(n, parent) && !shadowed(ancestors, name)) use = parent ?? n;
      });
      if (!use) return;
      const bound = boundName(ast, node);
      add(
        "class-self-reference",
        `class expression \`${name}\`${bound ? ` (assigned to \`${bound}\`)` : ""} uses its own name inside its body ` +
          `(\`${snippetOf(use)}\`): Espruino does not bind a class expression's name, so this throws "${name} is not defined". ` +
          `In the TypeScript source, do not name the class inside its own body: call a module-level function instead of a static (\`createX(config)\`, not \`X.createX(config)\`)`,
        node,
      );
    },
  });
  function snippetOf(n: AnyNode): string {
    return code.slice(n.start, Math.min(n.end, n.start + 40)).replace(/\s+/g, " ");
  }
}

/** True when a function or catch clause among `ancestors` declares `name` (a parameter or a local), hiding an outer binding. */
function shadowed(ancestors: AnyNode[], name: string): boolean {
  const walk = loadAcornWalk();
  for (const a of ancestors) {
    if (a.type === "CatchClause" && a.param) {
      const names = new Set<string>();
      collectBindingNames(a.param, names);
      if (names.has(name)) return true;
    }
    if (a.type !== "FunctionExpression" && a.type !== "ArrowFunctionExpression" && a.type !== "FunctionDeclaration") continue;
    const names = new Set<string>();
    for (const p of a.params) collectBindingNames(p, names);
    walk.full(a.body, (d) => {
      if (d.type === "VariableDeclarator") collectBindingNames(d.id, names);
      else if ((d.type === "FunctionDeclaration" || d.type === "ClassDeclaration") && d.id) names.add(d.id.name);
    });
    if (names.has(name)) return true;
  }
  return false;
}

/** The variable a class expression is assigned to (`var ce = class e {…}` → "ce"), if any. */
function boundName(ast: acorn.Program, cls: acorn.ClassExpression): string | undefined {
  let found: string | undefined;
  loadAcornWalk().simple(ast, {
    VariableDeclarator(d) {
      if (d.init === cls && d.id.type === "Identifier") found = d.id.name;
    },
    AssignmentExpression(a) {
      if (a.right === cls && a.left.type === "Identifier") found = a.left.name;
    },
  });
  return found;
}

/**
 * A function declaration called before its declaration statement in the same statement list,
 * outside any nested function (which may run later): "not defined" in Espruino ([231]).
 */
function checkCallsBeforeDeclaration(ast: acorn.Program, add: Add): void {
  const walk = loadAcornWalk();
  const lists: AnyNode[][] = [ast.body as AnyNode[]];
  walk.full(ast, (n) => {
    if (n.type === "BlockStatement" || n.type === "StaticBlock") lists.push(n.body as AnyNode[]);
    else if (n.type === "SwitchCase") lists.push(n.consequent as AnyNode[]);
  });
  for (const list of lists) {
    const declaredAt = new Map<string, number>();
    list.forEach((stmt, i) => {
      if (stmt.type === "FunctionDeclaration" && stmt.id) declaredAt.set(stmt.id.name, i);
    });
    if (declaredAt.size === 0) continue;
    list.forEach((stmt, i) => {
      if (stmt.type === "FunctionDeclaration") return;
      walkOutsideFunctions(stmt, (n) => {
        if ((n.type === "CallExpression" || n.type === "NewExpression") && n.callee.type === "Identifier") {
          const at = declaredAt.get(n.callee.name);
          if (at !== undefined && at > i) {
            add("call-before-declaration", `\`${n.callee.name}\` is called before its declaration: Espruino does not hoist functions [231]; move the declaration up`, n);
          }
        }
      });
    });
  }
}

/** Visit every node of `root` except the insides of nested functions and classes' methods. */
function walkOutsideFunctions(root: AnyNode, visit: (n: AnyNode) => void): void {
  const stop = new Set(["FunctionExpression", "ArrowFunctionExpression", "FunctionDeclaration"]);
  const rec = (n: AnyNode): void => {
    visit(n);
    if (stop.has(n.type) && n !== root) return;
    for (const key of Object.keys(n)) {
      const v = (n as unknown as Record<string, unknown>)[key];
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof c === "object" && typeof (c as AnyNode).type === "string") rec(c as AnyNode);
      } else if (v && typeof v === "object" && typeof (v as AnyNode).type === "string" && key !== "loc") {
        rec(v as AnyNode);
      }
    }
  };
  rec(root);
}

function dedupe(findings: SubsetFinding[]): SubsetFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}@${f.line}:${f.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One finding as `line:col rule: message — snippet`. */
export function formatFinding(f: SubsetFinding): string {
  return `${f.line}:${f.column} ${f.rule}: ${f.message} — \`${f.snippet}\``;
}
