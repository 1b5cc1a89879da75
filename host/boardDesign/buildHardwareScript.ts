/**
 * `npm run build:hardware`: check every netlist against its board file, then write the
 * schematic SVGs and the generated board pages. Exits non-zero, naming each disagreement, if a
 * netlist and its board file disagree.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { checkNetlistAgainstBoard } from "./boardCheck";
import { boardPage, DOCUMENTED_BOARDS, loadDocumentedBoard } from "./generate";
import { renderSchematicSvg } from "./schematic";
import { REPO_ROOT as repoRoot } from "../util/repoRoot";

async function main(): Promise<void> {
  let failed = false;
  for (const id of DOCUMENTED_BOARDS) {
    const { netlist, board } = loadDocumentedBoard(repoRoot, id);
    const problems = checkNetlistAgainstBoard(netlist, board);
    if (problems.length > 0) {
      failed = true;
      for (const p of problems) console.error("netlist/board disagree: " + p);
      continue;
    }
    const svgFile = path.join(repoRoot, "hardware", "schematics", id + ".svg");
    const mdFile = path.join(repoRoot, "hardware", "generated", id + ".md");
    mkdirSync(path.dirname(svgFile), { recursive: true });
    mkdirSync(path.dirname(mdFile), { recursive: true });
    writeFileSync(svgFile, await renderSchematicSvg(netlist));
    writeFileSync(mdFile, boardPage(netlist, board));
    console.log(id + ": " + path.relative(repoRoot, svgFile) + ", " + path.relative(repoRoot, mdFile));
  }
  if (failed) process.exit(1);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
