import { describe, expect, it } from "vitest";
import { main } from "../../../host/cli/main";

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["node", "zbms", ...args], { writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
  return { code, out, err };
}

describe("zbms command line", () => {
  it("--help lists every command", async () => {
    const r = await cli("--help");
    for (const c of ["build", "flash", "monitor", "sim", "send"]) expect(r.out).toMatch(new RegExp(`^\\s+${c}\\b`, "m"));
  });

  it.each(["build", "flash", "monitor", "sim", "send"])("zbms %s --help describes its options", async (c) => {
    const r = await cli(c, "--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: zbms ${c}`);
    expect(r.out).toMatch(/--help/);
  });

  it("a bad number names the flag and quotes the value", async () => {
    const r = await cli("monitor", "--port", "/dev/null", "--duration", "soon");
    expect(r.code).toBe(1);
    expect(r.err).toContain("--duration");
    expect(r.err).toContain("'soon'");
  });

  it("a missing required --port is named", async () => {
    const r = await cli("monitor");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/required option '-p, --port <path>' not specified/);
  });

  it("--view accepts only its choices and lists them", async () => {
    const r = await cli("monitor", "--port", "/dev/null", "--view", "fancy");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--view.*'fancy'.*auto, tty, lines, none/s);
  });

  it("an unknown flag or command is refused by name", async () => {
    expect((await cli("monitor", "--port", "/dev/null", "--prot", "x")).err).toMatch(/unknown option '--prot'/);
    expect((await cli("moniter")).err).toMatch(/unknown command 'moniter'/);
  });

  it("a wrong port gets its own message and exit status 2, and leaves no files", async () => {
    const r = await cli("monitor", "--port", "/dev/zbms-no-such-port", "--view", "none", "--out", "/tmp/zbms-cli-test-never-created");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/wrong port: "\/dev\/zbms-no-such-port" does not exist/);
    const fs = await import("node:fs");
    expect(fs.existsSync("/tmp/zbms-cli-test-never-created")).toBe(false);
  });

  it("build: an unknown board is named with the boards that exist", async () => {
    const r = await cli("build", "--board", "esp32-nope", "--out", "/tmp/zbms-cli-never.js");
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/esp32-nope/);
    expect(r.err).toMatch(/esp32-ads1115/);
  });
});
