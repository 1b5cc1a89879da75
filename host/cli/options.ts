/**
 * Parsers for command-line values. Each one checks its value where it enters and throws
 * commander's InvalidArgumentError, which commander prints as
 * `error: option '--speed <x>' argument 'abc' is invalid. <our message>` — naming the flag and
 * quoting the value — and exits with status 1.
 */
import { InvalidArgumentError } from "commander";

/** A finite number > 0 (e.g. `--speed 3600`, `--duration 90`). */
export function parsePositiveNumber(value: string): number {
  const x = Number(value);
  if (value.trim() === "" || !Number.isFinite(x) || x <= 0) {
    throw new InvalidArgumentError(`expected a number greater than 0, e.g. 60 or 2.5; got "${value}".`);
  }
  return x;
}

/** A whole number ≥ 1 (e.g. a baud rate). */
export function parsePositiveInt(value: string): number {
  const x = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(x) || x < 1) {
    throw new InvalidArgumentError(`expected a whole number ≥ 1, e.g. 115200; got "${value}".`);
  }
  return x;
}

/** A serial port path: non-empty, no whitespace-only. Existence is checked at open time. */
export function parsePortPath(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError(`expected a serial port such as /dev/ttyUSB0, /dev/pts/3 or COM3; got "${value}".`);
  return value;
}

/** Repeatable `--port P [--port P2 …]`: collects into an array. */
export function collectPorts(value: string, previous: string[] | undefined): string[] {
  return (previous ?? []).concat([parsePortPath(value)]);
}
