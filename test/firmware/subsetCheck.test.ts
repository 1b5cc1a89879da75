import { describe, expect, it } from "vitest";
import { checkEspruinoSubset } from "../../host/bundle/espruinoSubset.js";

/** [snippet, rule expected] — one per construct docs/espruino.md lists as missing or wrong. */
const FORBIDDEN: Array<[string, string]> = [
  ["function f(a, b = 2) { return a + b; }", "default-param"],
  ["var f = (a, b = 3) => a + b;", "default-param"],
  ["function f(a, ...r) { return r.length; }", "rest"],
  ["g(...[1, 2, 3]);", "spread"],
  ["var a = [0, ...b];", "spread"],
  ["var o = { ...p, b: 2 };", "spread"],
  ["var [x, y] = [1, 2];", "destructuring"],
  ["var { a, b } = o;", "destructuring"],
  ["function f({ a }) { return a; }", "destructuring"],
  ["[a, b] = [b, a];", "destructuring"],
  ["var m = new Map();", "missing-global"],
  ["var s = new Set([1]);", "missing-global"],
  ["var w = new WeakMap();", "missing-global"],
  ["var s = Symbol('x');", "missing-global"],
  ["var r = Reflect.ownKeys(o);", "missing-global"],
  ["var p = new Proxy({}, {});", "missing-global"],
  ["var b = BigInt(1);", "missing-global"],
  ["var b = 10n;", "bigint"],
  ["setImmediate(f);", "missing-global"],
  ["queueMicrotask(f);", "missing-global"],
  ["throw new RangeError('x');", "missing-global"],
  ["async function f() { return 1; }", "async"],
  ["var f = async () => 1;", "async"],
  ["function* g() { yield 1; }", "generator"],
  ["outer: for (var i = 0; i < 3; i++) { continue outer; }", "label"],
  ["var x = 2 ** 10;", "exponent"],
  ["x **= 2;", "exponent"],
  ["var v = o?.a;", "optional-chaining"],
  ["var v = o.f?.();", "optional-chaining"],
  ["a ??= 5;", "logical-assignment"],
  ["b ||= 7;", "logical-assignment"],
  ["c &&= 1;", "logical-assignment"],
  ["var o = { [k]: 2 };", "computed-key"],
  ["class A { [k]() {} }", "computed-key"],
  ["class A { #p = 1; get p() { return this.#p; } }", "private-field"],
  ["var s = tag`x${1}y`;", "tagged-template"],
  ["var s = String.raw`a`;", "tagged-template"],
  ["function F() { this.t = new.target; }", "meta-property"],
  ["Number.isFinite(x);", "missing-builtin"],
  ["Number.isInteger(x);", "missing-builtin"],
  ["Number.isNaN(x);", "missing-builtin"],
  ["var e = Number.EPSILON;", "missing-builtin"],
  ["var m = Number.MAX_SAFE_INTEGER;", "missing-builtin"],
  ["Number.parseFloat('1.5');", "missing-builtin"],
  ...["trunc", "sign", "hypot", "cbrt", "log2", "log10", "log1p", "expm1", "fround", "tanh", "clz32", "imul"].map(
    (m): [string, string] => [`var y = Math.${m}(x);`, "missing-builtin"],
  ),
  ["Array.from(x);", "missing-builtin"],
  ["Array.of(1, 2);", "missing-builtin"],
  ["a.flat();", "missing-method"],
  ["a.flatMap(f);", "missing-method"],
  ["a.at(-1);", "missing-method"],
  ["a.findLast(f);", "missing-method"],
  ["a.reduceRight(f);", "missing-method"],
  ["a.entries();", "missing-method"],
  ["a.keys();", "missing-method"],
  ["a.values();", "missing-method"],
  ["var s = Array.prototype.slice.call(arguments);", "prototype-reference"],
  ["var h = Object.prototype.hasOwnProperty;", "prototype-reference"],
  ["s.trimStart();", "missing-method"],
  ["s.trimEnd();", "missing-method"],
  ["s.codePointAt(0);", "missing-method"],
  ["a.localeCompare(b);", "missing-method"],
  ["Object.freeze(o);", "missing-builtin"],
  ["Object.is(a, b);", "missing-builtin"],
  ["Date.UTC(2020, 0, 1);", "missing-builtin"],
  ["Promise.race([p]);", "missing-builtin"],
  ["Promise.allSettled([p]);", "missing-builtin"],
  ["Promise.any([p]);", "missing-builtin"],
  ["p.finally(f);", "missing-method"],
  ["/a(?=b)/.test(s);", "regex-lookaround"],
  ["/a(?!b)/.test(s);", "regex-lookaround"],
  ["/(?<=a)b/.test(s);", "regex-lookaround"],
  ["/(?:ab)+/.exec(s);", "regex-noncapturing"],
  ["/^a{2,3}$/.test(s);", "regex-counted"],
  ["/(?<y>\\d)/.exec(s);", "regex-named-group"],
  ["new RegExp('(?:a)');", "regex-noncapturing"],
  ["var fs = []; for (let i = 0; i < 3; i++) fs.push(function () { return i; });", "for-let-closure"],
  ["for (const v of a) fs.push(() => v);", "for-let-closure"],
  ["class B extends A { constructor() { super(...arguments); } }", "super-spread-arguments"],
  ["class E2 extends Error {}", "extends-builtin"],
  ["class L extends Array {}", "extends-builtin"],
  [
    "class A { m() { return 'A'; } } class B extends A { m() { return 'B' + super.m(); } } class C extends B { m() { return 'C' + super.m(); } }",
    "deep-super-chain",
  ],
  ["class A { static f() {} } class B extends A {} B.f();", "inherited-static"],
  ["class A { static set s(v) {} }", "static-setter"],
  ["class e { config; st; constructor(c) { this.config = c; } }", "bare-class-field"],
  ["class S { static t; }", "bare-class-field"],
  ["console.log(h()); function h() { return 1; }", "call-before-declaration"],
  ["(function () { var x = h(); function h() { return 1; } })();", "call-before-declaration"],
  ["try { f(); } catch (e) { log(e.name); }", "error-name"],
  ["try { f(); } catch (e) { if (e instanceof TypeError) g(); }", "error-instanceof"],
  ["var x = ;", "parse-error"],
  ["var A = class B { constructor() { this.x = B.f(); } static f() { return 1; } };", "class-self-reference"],
  ["var ce = class e { constructor(t) { this.st = e.createState(t); } static createState(t) { return t; } };", "class-self-reference"],
];

describe("espruino subset check: every forbidden construct is caught", () => {
  for (const [code, rule] of FORBIDDEN) {
    it(`${rule}: ${code.slice(0, 70)}`, () => {
      const findings = checkEspruinoSubset(code);
      expect(findings.map((f) => f.rule)).toContain(rule);
      const f = findings.find((x) => x.rule === rule)!;
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.snippet.length).toBeGreaterThan(0);
    });
  }
});

describe("espruino subset check: what Espruino runs correctly passes", () => {
  const ALLOWED = [
    "class A { constructor(x) { this.x = x; } get y() { return this.x; } static s() { return 1; } }",
    "class B extends A { constructor() { super(1); this.z = 2; } m() { return super.m(); } }",
    "class F { x = 5; static s = 9; y = null; }",
    "var f = (a) => a + 1; let t = `v=${f(1)}`; const c = 3;",
    "for (var i = 0; i < 3; i++) fs.push(function () { return i; });",
    "for (let i = 0; i < 3; i++) s += i;",
    "for (const v of a) s += v;",
    "var o = { a, b, m() { return 1; }, get g() { return 2; } };",
    "Object.keys(o); Object.values(o); Object.entries(o); Object.assign({}, o);",
    "a.find(f); a.findIndex(f); a.includes(1); a.fill(0); s.padStart(3, '0'); s.startsWith('x'); 'x'.repeat(3);",
    "Math.log(x); Math.exp(x); Math.sqrt(x); Math.pow(x, 2); Math.floor(x); isFinite(x); isNaN(x);",
    "var v = a ?? b; try { f(); } catch (e) { } finally { g(); }",
    "var x = new Float64Array(4); var d = new DataView(new ArrayBuffer(8)); JSON.stringify({ a: 1 });",
    "E.CRC32('x'); var S = require('Storage'); getTime(); process.memory();",
    "/^a+b*[0-9]\\d$/.test(s); /[{]/.test(s); /a\\{2\\}/.test(s);",
    "function h() { return 1; } console.log(h());",
    "function outer() { return inner(); } function inner() { return 1; } outer();",
    "var p = new Promise(function (r) { r(1); }); p.then(f).catch(g); Promise.all([p]);",
    "setInterval(f, 100); setTimeout(g, 0); clearInterval(1);",
    "try { f(); } catch (e) { log(e.message, String(e)); } class C { constructor() { this.name = 'x'; } }",
    // a class declaration may name itself; an anonymous class expression and a named function expression work too
    "class D { constructor() { this.x = D.f(); } static f() { return 1; } }",
    "var G = class { constructor() { this.x = G.f(); } static f() { return 1; } };",
    "var h = function k(n) { return n ? k(n - 1) : 0; };",
    "var P = class Q { m() { return this.Q; } };",
    // minified bundles reuse the class's letter for parameters and locals: those are other bindings
    "var R = class e { m(e) { return e.x; } n(t) { var e = t; return e; } o() { try { f(); } catch (e) { return e; } } };",
  ];
  for (const code of ALLOWED) {
    it(code.slice(0, 80), () => {
      expect(checkEspruinoSubset(code)).toEqual([]);
    });
  }
});

describe("espruino subset check: findings", () => {
  it("names the class, the variable it is assigned to and the self-reference", () => {
    const f = checkEspruinoSubset("var ce = class e {\n  constructor(t) { this.st = e.createState(t); }\n  static createState(t) { return t; }\n};");
    expect(f.map((x) => x.rule)).toEqual(["class-self-reference"]);
    expect(f[0]!.message).toContain("class expression `e` (assigned to `ce`)");
    expect(f[0]!.message).toContain("`e.createState`");
    expect(f[0]!.line).toBe(1);
  });

  it("reports line:col and the snippet of each finding, in source order", () => {
    const code = "var a = 1;\nvar b = Math.trunc(a);\nvar c = o?.x;\n";
    const f = checkEspruinoSubset(code);
    expect(f.map((x) => [x.rule, x.line, x.column])).toEqual([
      ["missing-builtin", 2, 8],
      ["optional-chaining", 3, 8],
    ]);
    expect(f[0]!.snippet).toBe("Math.trunc");
  });
});
