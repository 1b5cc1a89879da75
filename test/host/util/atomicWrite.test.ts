import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../../host/util/atomicWrite.mjs";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "zbms-atomic-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("creates a file with the given text and leaves no temp file", () => {
    const f = join(dir, "truth.json");
    writeFileAtomic(f, '{"done":true}');
    expect(readFileSync(f, "utf8")).toBe('{"done":true}');
    expect(readdirSync(dir)).toEqual(["truth.json"]);
  });

  it("replaces an existing file's content, bytes as given", () => {
    const f = join(dir, "flash.bin");
    writeFileSync(f, "old content that is longer than the new one");
    writeFileAtomic(f, new Uint8Array([0, 255, 10, 13]));
    expect([...readFileSync(f)]).toEqual([0, 255, 10, 13]);
    expect(readdirSync(dir)).toEqual(["flash.bin"]);
  });

  it("with fsync writes the same content and leaves no temp file", () => {
    const f = join(dir, "durable.txt");
    writeFileAtomic(f, "first", { fsync: true });
    writeFileAtomic(f, "second", { fsync: true });
    expect(readFileSync(f, "utf8")).toBe("second");
    expect(readdirSync(dir)).toEqual(["durable.txt"]);
  });

  it("into a missing folder throws an error quoting the path, creating nothing", () => {
    const f = join(dir, "no-such-folder", "x.json");
    expect(() => writeFileAtomic(f, "x")).toThrow(`cannot write "${f}"`);
    expect(() => writeFileAtomic(f, "x")).toThrow(/no such file or directory/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("onto a folder fails quoting the path, removes its temp file and leaves the folder intact", () => {
    const target = join(dir, "taken");
    mkdirSync(target);
    writeFileSync(join(target, "inside.txt"), "kept");
    expect(() => writeFileAtomic(target, "x")).toThrow(`cannot write "${target}"`);
    expect(readdirSync(dir)).toEqual(["taken"]); // the temp file, created before the rename failed, is gone
    expect(readFileSync(join(target, "inside.txt"), "utf8")).toBe("kept");
  });

  it("failing in the middle (data it cannot write) quotes the path, keeps the old file, removes its temp file", () => {
    const f = join(dir, "config.json");
    writeFileSync(f, "old");
    const notData = { length: 3 } as unknown as Uint8Array;
    expect(() => writeFileAtomic(f, notData)).toThrow(`cannot write "${f}"`);
    expect(readFileSync(f, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["config.json"]);
  });
});
