import { afterEach, describe, expect, it } from "vitest";
import * as fc from "fast-check";
import { boardText, byteStringLiteral, formatCommandCall, replLine, ReplyTimeoutError, sendAndAwait, utf8ByteString, wordToLiteral } from "../../../host/serial/replCommand";
import { openLineChannel, type OpenLineChannel } from "../../../host/serial/lineChannel";
import { FakeBoardPty } from "./fakeBoardPty";
import { encodeLine } from "../../../shared/telemetry/lineFormat";

let board: FakeBoardPty | null = null;
let ch: OpenLineChannel | null = null;
afterEach(async () => {
  if (ch) await ch.close();
  ch = null;
  if (board) board.dispose();
  board = null;
});

describe("command formatting", () => {
  it("numbers and booleans stay typed, other words become strings", () => {
    expect(wordToLiteral("1000")).toBe("1000");
    expect(wordToLiteral("-2.5e-3")).toBe("-0.0025");
    expect(wordToLiteral("true")).toBe("true");
    expect(wordToLiteral("sampleMs")).toBe('"sampleMs"');
    expect(wordToLiteral('a"b\\c')).toBe('"a\\x22b\\x5cc"');
    expect(formatCommandCall(["set", "samplePeriodMs", "1000"])).toBe('zbms("set","samplePeriodMs",1000)');
  });

  it("a command line starts with DLE (echo off) and ends with one newline", () => {
    expect(replLine('zbms("status")')).toBe('\x10zbms("status")\n');
    expect(() => replLine("a\nb")).toThrow(/one line/);
    expect(() => replLine('zbms("\x7f")')).toThrow(/printable ASCII/);
    expect(() => replLine('zbms("\u0122")')).toThrow(/printable ASCII/);
    expect(() => formatCommandCall([])).toThrow(/no command given/);
  });
});

describe("user text on the REPL line (issue 21: injection through zbms send)", () => {
  const PAYLOADS = ['\u0122);setTimeout(function(){print("INJ-B")},4000);//', "\u0122);clearInterval();//", "\x7f", "\u0103", "\u010a", "Zn\u2016MnO2 4S"];

  it("the line is printable ASCII only, and the literal evaluates to the text's UTF-8 bytes", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.constantFrom(...PAYLOADS)), (text) => {
        const line = replLine(formatCommandCall(["set", "name", text]));
        expect(line.slice(1, -1)).toMatch(/^[\x20-\x7e]*$/);
        // `\xHH` means the byte HH in Espruino (src/jslex.c) and the char U+00HH in Node
        const lit = byteStringLiteral(text);
        expect(new Function("return " + lit)()).toBe(utf8ByteString(text));
      }),
      { numRuns: 500 },
    );
  });

  it("board text reads back as the text typed (valid UTF-8 only; other bytes unchanged)", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (text) => {
      expect(boardText(utf8ByteString(text))).toBe(text);
    }), { numRuns: 300 });
    expect(boardText(utf8ByteString("Zn\u2016MnO2 4S"))).toBe("Zn\u2016MnO2 4S");
    expect(boardText("\xff\xfe")).toBe("\xff\xfe");
    expect(boardText("plain")).toBe("plain");
  });
});

describe("sendAndAwait over a real pseudo-terminal", () => {
  it("skips telemetry that is not the answer and resolves with the answer", async () => {
    board = await FakeBoardPty.create();
    ch = await openLineChannel(board.path);
    const p = sendAndAwait(ch, 'zbms("ident")', (l) => (l.startsWith("ANSWER ") ? l.slice(7) : undefined), 3000);
    await board.waitForReceived((r) => r.endsWith('zbms("ident")\n'));
    expect(board.received).toBe('\x10zbms("ident")\n');
    board.write("telemetry 1\r\n>\r\nANSW");
    board.write("ER 42\r\n");
    await expect(p).resolves.toBe("42");
  });

  it("times out with a message that quotes the last line seen", async () => {
    board = await FakeBoardPty.create();
    ch = await openLineChannel(board.path);
    const p = sendAndAwait(ch, 'zbms("status")', () => undefined, 400);
    board.write("Uncaught ReferenceError: \"zbms\" is not defined\r\n");
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplyTimeoutError);
    expect((err as Error).message).toMatch(/timeout: no answer to zbms\("status"\) within 400 ms/);
    expect((err as Error).message).toContain("is not defined");
  });

  it("a board streaming zbms telemetry that does not answer is not asked whether zbms is on it", async () => {
    board = await FakeBoardPty.create();
    ch = await openLineChannel(board.path);
    const p = sendAndAwait(ch, 'zbms("status")', () => undefined, 400);
    const line = encodeLine({ type: "reply", id: "other", payload: "{}" }, 7);
    board.write(">\r \r" + line + "\r\n" + line + "\r\n");
    const err = (await p.catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/runs zbms \(2 telemetry line\(s\) arrived meanwhile\) but did not answer/);
    expect(err.message).not.toMatch(/Is zbms firmware on it/);
  });

  it("a silent port times out saying it is silent", async () => {
    board = await FakeBoardPty.create();
    ch = await openLineChannel(board.path);
    const err = await sendAndAwait(ch, 'zbms("status")', () => undefined, 300).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/silent/);
  });
});

describe("probeEspruino", () => {
  it("an evaluating REPL passes", async () => {
    const { probeEspruino } = await import("../../../host/serial/espruinoProbe");
    board = await FakeBoardPty.create();
    const p = probeEspruino(board.path, 2000);
    await board.waitForReceived((r) => r.includes("PROBE"));
    board.write("ZBMSPROBE\r\n>");
    await expect(p).resolves.toBeUndefined();
  });

  it("a device that only echoes is a non-Espruino device", async () => {
    const { probeEspruino, NotEspruinoError } = await import("../../../host/serial/espruinoProbe");
    board = await FakeBoardPty.create();
    const p = probeEspruino(board.path, 500);
    await board.waitForReceived((r) => r.includes("PROBE"));
    board.write(board.received.replace("\x10", "") + "\r\nOK\r\n");
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotEspruinoError);
    expect((err as Error).message).toMatch(/non-Espruino device/);
  });

  it("a silent device is a timeout", async () => {
    const { probeEspruino } = await import("../../../host/serial/espruinoProbe");
    board = await FakeBoardPty.create();
    const err = await probeEspruino(board.path, 300).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplyTimeoutError);
    expect((err as Error).message).toMatch(/silent/);
  });
});
