import { describe, expect, it } from "vitest";
import { EspruinoRepl, isComplete } from "../../host/virtualBoard/repl.js";
import { VirtualBoard } from "../../host/virtualBoard/virtualBoard.js";

function repl() {
  const board = new VirtualBoard({});
  const r = new EspruinoRepl(board);
  let out = "";
  r.onOutput((t) => {
    out += t;
  });
  return { board, r, out: () => out, clear: () => (out = "") };
}

describe("Espruino-like REPL", () => {
  it("an empty line answers \\r\\n=undefined\\r\\n> (what espruino-tools waits for)", () => {
    const { r, out } = repl();
    r.input("\n");
    expect(out()).toBe("\r\n=undefined\r\n>");
  });

  it("echoes input, prints =value and a prompt; \\r\\n counts as one Enter", () => {
    const { r, out } = repl();
    r.input("1+2\r\n");
    expect(out()).toBe("1+2\r\n=3\r\n>");
  });

  it("\\x10 at line start: no echo and no =value, but printed output and errors still appear", () => {
    const { r, out } = repl();
    r.input('\x10print("hi")\n\x10nope()\n');
    expect(out()).toContain("hi\r\n");
    expect(out()).toContain("Uncaught ReferenceError: nope is not defined");
    expect(out()).not.toContain('print("hi")');
    expect(out()).not.toContain("=undefined");
  });

  it("open brackets continue the statement on the next line (\":\" prompt) and run it when closed", () => {
    const { r, out, board } = repl();
    r.input("function f(a) {\n  return a * 2;\n}\n");
    expect(out()).toContain("\r\n:");
    expect(board.evaluate("f(21)").value).toBe(42);
  });

  it("ESC + newline (espruino-tools' Alt-Enter) inserts a newline without evaluating", () => {
    const { r, board } = repl();
    r.input("\x10var x = 1\x1b\n+ 2\n");
    expect(board.evaluate("x").value).toBe(3);
  });

  it("\\x03 clears the input line; backspace deletes a character", () => {
    const { r, board } = repl();
    r.input("var y = 5\x03\x10var z = 7\x08 8\n");
    expect(board.evaluate("typeof y").value).toBe("undefined");
    expect(board.evaluate("z").value).toBe(8);
  });

  it("program output while a prompt is shown erases the prompt and input line, prints, then restores them", () => {
    const { r, out, board, clear } = repl();
    r.input("\n");
    r.input("ab");
    clear();
    board.evaluate('setTimeout(function(){ print("#Z line"); }, 10)');
    board.advance(20);
    expect(out()).toBe("\r   \r#Z line\r\n>ab");
  });

  it("echo(0) turns echo off until echo(1)", () => {
    const { r, out, clear } = repl();
    r.input("echo(0)\n");
    clear();
    r.input("1+1\n");
    expect(out()).toBe("");
    r.input("echo(1)\n");
    clear();
    r.input("2+2\n");
    expect(out()).toBe("2+2\r\n=4\r\n>");
  });

  it("isComplete: brackets, strings, comments, regex literals and templates", () => {
    expect(isComplete("f(1)")).toBe(true);
    expect(isComplete("f(")).toBe(false);
    expect(isComplete('"(("')).toBe(true);
    expect(isComplete("/* ( */ 1")).toBe(true);
    expect(isComplete("/* (")).toBe(false);
    expect(isComplete("x = /\\(/.test(s)")).toBe(true);
    expect(isComplete("var t = `a${b}(`")).toBe(true);
    expect(isComplete("var t = `a")).toBe(false);
    expect(isComplete("a / b / c")).toBe(true);
  });
});
