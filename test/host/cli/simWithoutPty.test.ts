/**
 * node-pty is an optional dependency (npm skips it where it cannot be compiled): `zbms sim`
 * must then say what is missing and how to get it, and exit non-zero before it starts anything.
 * Here node-pty's loader is replaced (host/virtualBoard/ptyBoard.ts setPtyLoader) by one that fails the
 * way a present but unusable binary does; test/host/cli/lazyPackages.test.ts runs the real CLI
 * on a checkout whose node_modules has no node-pty at all. Also `zbms --version`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../../host/cli/main";
import { loadNodePty, setPtyLoader } from "../../../host/virtualBoard/ptyBoard";
import { PackageLoadError } from "../../../host/util/lazyPackage";
import { EXIT_FAILED } from "../../../host/cli/cliErrors";

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["node", "zbms", ...args], { writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
  return { code, out, err };
}

/** What Node says when a native addon was built for another Node (a stale or foreign binary). */
const ABI_MISMATCH =
  "The module '/x/node_modules/node-pty/build/Release/pty.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 108.";

afterEach(() => setPtyLoader(undefined));

describe("zbms sim without a usable node-pty", () => {
  it("exits with EXIT_FAILED, quotes the loader's first line, says how to install node-pty and what still works", async () => {
    let calls = 0;
    setPtyLoader(() => {
      calls++;
      throw new Error(ABI_MISMATCH);
    });
    const r = await cli("sim", "--speed", "1");
    expect(calls).toBe(1);
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.out).toBe("");
    const lines = r.err.split("\n");
    expect(lines[0]).toBe('zbms: the virtual board needs a pseudo-terminal, which zbms makes with the optional npm package "node-pty", and it cannot be loaded:');
    expect(lines[1]).toBe("  The module '/x/node_modules/node-pty/build/Release/pty.node'"); // first line only
    expect(r.err).toContain("sudo apt-get install make g++ python3), then `npm install node-pty`");
    expect(r.err).toContain("analyze or export logs");
  });

  it("loadNodePty: a PackageLoadError naming node-pty, marked not installed only when it is absent", () => {
    setPtyLoader(() => {
      throw new PackageLoadError("node-pty", "the npm package \"node-pty\" … is not installed", true);
    });
    let e: unknown;
    try {
      loadNodePty();
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(PackageLoadError);
    expect((e as PackageLoadError).packageName).toBe("node-pty");
    expect((e as PackageLoadError).notInstalled).toBe(true);
    expect((e as Error).message).toContain("  it is not installed (no node_modules/node-pty)\n");
    setPtyLoader(() => {
      throw new Error(ABI_MISMATCH);
    });
    expect(() => loadNodePty()).toThrow(expect.objectContaining({ notInstalled: false }));
  });

  it("with node-pty installed, the default loader returns it (spawn is there)", () => {
    expect(typeof loadNodePty().spawn).toBe("function");
  });
});

describe("zbms --version", () => {
  it("prints package.json's version and exits 0", async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const r = await cli(flag);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`${pkg.version}\n`);
      expect(r.err).toBe("");
    }
  });
});
