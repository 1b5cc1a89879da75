/**
 * The zbms checkout's root folder, for code that reads files of the repository at run time
 * (hardware/boards, firmware sources, the read worker's entry). Found by walking up from this
 * module to the package.json named "zbms", so it is the same whether this module runs from
 * its source (host/util/repoRoot.ts) or from the CLI bundle cached in node_modules/.cache/zbms
 * (host/cli/bin.mjs), where paths relative to `import.meta.url` would point into the cache.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The `name` field of the repository's package.json. */
const PACKAGE_NAME = "zbms";

/** The nearest folder at or above `startDir` whose package.json is named "zbms"; throws if there is none. */
export function findRepoRoot(startDir: string): string {
  let dir = startDir;
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown };
      if (pkg.name === PACKAGE_NAME) return dir;
    } catch {
      // No (readable) package.json here: keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json named "${PACKAGE_NAME}" in '${startDir}' or any folder above it`);
    dir = parent;
  }
}

/** Absolute path of the checkout's root. */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
