/**
 * `npx tsx tools/functionLengths.ts [folder…] [--top N] [--max L]`: every function, method and
 * arrow function in the folders' .ts/.mts files, longest first, in source lines from its first
 * token to its closing brace (doc comment excluded). Exits 1 when --max is given and a function
 * is longer (the guide's limit: ~80 lines in shared/ and host/analyze/).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

interface FunctionLength {
  lines: number;
  where: string;
  name: string;
}

function nameOf(n: ts.FunctionLikeDeclaration): string {
  if (n.name) return n.name.getText();
  if (ts.isConstructorDeclaration(n)) return "constructor";
  const p = n.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText();
  return "(anonymous)";
}

function scanFile(file: string, out: FunctionLength[]): void {
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && "body" in n && n.body) {
      const f = n as ts.FunctionLikeDeclaration;
      const first = src.getLineAndCharacterOfPosition(f.getStart()).line;
      const last = src.getLineAndCharacterOfPosition(f.end).line;
      out.push({ lines: last - first + 1, where: `${relative(process.cwd(), file)}:${first + 1}`, name: nameOf(f) });
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
}

function scanFolder(dir: string, out: FunctionLength[]): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) scanFolder(p, out);
    else if (/\.m?ts$/.test(e) && !/\.d\.m?ts$/.test(e)) scanFile(p, out);
  }
}

const args = process.argv.slice(2);
const flag = (name: string): number | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : undefined;
};
const top = flag("--top") ?? 10;
const max = flag("--max");
const found: FunctionLength[] = [];
for (const d of args.length > 0 ? args : ["shared", "host/analyze"]) scanFolder(d, found);
found.sort((a, b) => b.lines - a.lines);
for (const f of found.slice(0, top)) console.log(`${String(f.lines).padStart(4)}  ${f.where}  ${f.name}`);
if (max !== undefined) {
  const over = found.filter((f) => f.lines > max);
  console.log(`${over.length} function(s) over ${max} lines`);
  if (over.length > 0) process.exitCode = 1;
}
