/**
 * An Espruino-like console REPL in front of a VirtualBoard: bytes in (`input`), bytes out
 * (`onOutput`). Behaviour follows Espruino's jsinteractive.c as the Espruino IDE and
 * espruino-tools rely on it:
 *   - each received character is echoed; Enter evaluates the input when its brackets and
 *     strings are closed, otherwise the line continues (":" prompt);
 *   - after evaluation prints `=<value>` then the `>` prompt — `"\r\n=undefined\r\n>"` for an
 *     empty line, which espruino-tools waits for;
 *   - `\x10` (DLE) at the start of a line: no echo, no `=value` for that line;
 *   - `\x03` (Ctrl-C) clears the input line; `\x1b\n` / `\x1b\r` (Alt-Enter, what
 *     espruino-tools sends inside a statement) inserts a newline without evaluating;
 *   - backspace (0x08/0x7f) deletes a character; other escape sequences (arrows) are ignored;
 *   - `echo(0)` / `echo(1)` turn echo off/on for everything;
 *   - output printed by the program while a prompt is shown first erases the prompt and input
 *     line, then prints, then shows the prompt and input line again.
 */
import type { VirtualBoard } from "./virtualBoard.js";

const DLE = "\x10";
const CTRL_C = "\x03";
const ESC = "\x1b";

export class EspruinoRepl {
  private line = "";
  private echoOffForLine = false;
  private echoOn = true;
  private promptShown = false;
  private escState: "none" | "esc" | "csi" = "none";
  private readonly listeners: Array<(text: string) => void> = [];
  private busy = false;

  constructor(readonly board: VirtualBoard) {
    board.onOutput((text) => this.programOutput(text));
    board.echoCallback = (on) => {
      this.echoOn = on;
    };
    board.onBoot(() => {
      this.line = "";
      this.echoOffForLine = false;
      this.promptShown = false;
      if (!this.busy) queueMicrotask(() => this.showPrompt());
    });
    this.showPrompt();
  }

  onOutput(fn: (text: string) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private emit(text: string): void {
    if (text.length === 0) return;
    for (const l of this.listeners) l(text);
  }

  private echoing(): boolean {
    return this.echoOn && !this.echoOffForLine;
  }

  private showPrompt(): void {
    if (this.promptShown || !this.board.isPowered()) return;
    this.promptShown = true;
    if (this.echoing()) this.emit((this.line.includes("\n") ? ":" : ">") + this.line.replace(/\n/g, "\r\n:"));
  }

  /** Output of the running program: erase prompt + input line, print, restore them. */
  private programOutput(text: string): void {
    if (this.busy || !this.promptShown) {
      this.emit(text);
      return;
    }
    if (this.echoing()) {
      const width = 1 + (this.line.split("\n").pop() ?? "").length;
      this.emit("\r" + " ".repeat(width) + "\r");
    }
    this.promptShown = false;
    this.emit(text);
    this.showPrompt();
  }

  /** Bytes from the host (the serial port). */
  input(data: string): void {
    for (const ch of data) this.char(ch);
  }

  private char(ch: string): void {
    if (this.escState === "esc") {
      if (ch === "\n" || ch === "\r") {
        this.escState = "none";
        this.line += "\n";
        if (this.echoing()) this.emit("\r\n:");
        return;
      }
      this.escState = ch === "[" || ch === "O" ? "csi" : "none";
      return;
    }
    if (this.escState === "csi") {
      if (/[A-Za-z~]/.test(ch)) this.escState = "none";
      return;
    }
    if (!this.board.isPowered()) return;
    switch (ch) {
      case ESC:
        this.escState = "esc";
        return;
      case CTRL_C:
        if (this.echoing() && this.line.length > 0) this.emit("\r" + " ".repeat(1 + this.line.length) + "\r>");
        this.line = "";
        this.echoOffForLine = false;
        this.promptShown = true;
        return;
      case DLE:
        if (this.line.length === 0) {
          this.echoOffForLine = true;
          this.promptShown = true; // the prompt stays where it is; nothing is echoed
        }
        return;
      case "\x08":
      case "\x7f":
        if (this.line.length > 0) {
          this.line = this.line.slice(0, -1);
          if (this.echoing()) this.emit("\x08 \x08");
        }
        return;
      case "\r":
      case "\n":
        this.enter(ch);
        return;
      default:
        if (ch < " " && ch !== "\t") return;
        this.line += ch;
        if (this.echoing()) this.emit(ch);
    }
  }

  private lastWasCr = false;

  private enter(ch: string): void {
    // "\r\n" counts as one Enter.
    if (ch === "\n" && this.lastWasCr && this.line === "" ) {
      this.lastWasCr = false;
      return;
    }
    this.lastWasCr = ch === "\r";
    if (!isComplete(this.line)) {
      this.line += "\n";
      if (this.echoing()) this.emit("\r\n:");
      return;
    }
    const code = this.line;
    const echo = this.echoing();
    this.line = "";
    if (echo) this.emit("\r\n");
    this.promptShown = false;
    this.busy = true;
    let text = "undefined";
    let ok = true;
    try {
      const r = this.board.evaluate(code);
      ok = r.ok;
      text = r.text;
    } finally {
      this.busy = false;
    }
    if (echo && ok && this.board.isPowered()) this.emit("=" + text + "\r\n");
    this.echoOffForLine = false;
    this.showPrompt();
  }
}

/**
 * True when `code` has no open bracket, string, template or block comment — Espruino's test
 * for "execute now" (jsiCountBrackets in jsinteractive.c, plus strings/comments).
 */
export function isComplete(code: string): boolean {
  let depth = 0;
  let i = 0;
  const n = code.length;
  while (i < n) {
    const c = code[i]!;
    if (c === "/" && code[i + 1] === "/") {
      while (i < n && code[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && code[i + 1] === "*") {
      const end = code.indexOf("*/", i + 2);
      if (end < 0) return false;
      i = end + 2;
      continue;
    }
    if (c === "/" && regexCanStart(code, i)) {
      i++;
      let inClass = false;
      while (i < n && (code[i] !== "/" || inClass)) {
        if (code[i] === "\\") i++;
        else if (code[i] === "[") inClass = true;
        else if (code[i] === "]") inClass = false;
        else if (code[i] === "\n") return true;
        i++;
      }
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      i++;
      while (i < n && code[i] !== c) {
        if (code[i] === "\\") i++;
        else if (c !== "`" && code[i] === "\n") return true; // unterminated string: let the parser report it
        i++;
      }
      if (i >= n) return c !== "`";
      i++;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    i++;
  }
  return depth <= 0;
}

/** A "/" at `i` starts a regex literal (not a division) when the previous token is an operator or opener. */
function regexCanStart(code: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && (code[j] === " " || code[j] === "\t" || code[j] === "\n")) j--;
  if (j < 0) return true;
  if ("(,=:[!&|?{};+-*%<>~^".includes(code[j]!)) return true;
  return /(^|[^\w$])(return|typeof|case|do|else|in|of|new|delete|void|throw)$/.test(code.slice(Math.max(0, j - 10), j + 1));
}
