/**
 * The construct that broke every bundle on real Espruino (issue 16): a class whose source names
 * itself inside its body becomes a self-named class expression in esbuild's output, which
 * Espruino cannot run. The build refuses it and names the class as the source does.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildFirmware } from "../../host/bundle/buildFirmware";

const tmp = mkdtempSync(join(tmpdir(), "zbms-selfclass-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("a class naming itself in its body", () => {
  it("is refused by the build with the class's source name", async () => {
    const entry = join(tmp, "selfNamed.ts");
    writeFileSync(entry, "export class PackModelLike {\n  x: number;\n  constructor() { this.x = PackModelLike.make(); }\n  static make(): number { return 1; }\n}\nconsole.log(new PackModelLike().x);\n");
    const r = await buildFirmware({ entry, write: false });
    const f = r.findings.filter((x) => x.rule === "class-self-reference");
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/class expression `_?PackModelLike`/);
    expect(f[0]!.message).toContain("PackModelLike.make");
  });

  it("is not reported once the body calls a module-level function instead", async () => {
    const entry = join(tmp, "fixed.ts");
    writeFileSync(entry, "function make(): number { return 1; }\nexport class PackModelLike {\n  x: number;\n  constructor() { this.x = make(); }\n}\nconsole.log(new PackModelLike().x);\n");
    const r = await buildFirmware({ entry, write: false });
    expect(r.findings).toEqual([]);
  });
});
