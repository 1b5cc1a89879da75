/**
 * Replay samples for `--board replay --samples FILE.jsonl`: one `Sample` (shared/sample.ts) per
 * line as JSON, `null` where a channel is invalid (JSON has no NaN). Blank lines and lines
 * starting with `#` are skipped. Each bad line is rejected with its number and the bad field.
 */
import { readFile } from "node:fs/promises";
import type { Sample } from "../../shared/sample.js";

function num(v: unknown, field: string, lineNo: number, allowNull: boolean): number {
  if (typeof v === "number" && isFinite(v)) return v;
  if (allowNull && v === null) return NaN;
  throw new Error(`samples line ${lineNo}: ${field}: got ${JSON.stringify(v)}; accepted: a finite number${allowNull ? " or null (invalid channel)" : ""}`);
}

function numArray(v: unknown, field: string, lineNo: number): number[] {
  if (!Array.isArray(v)) throw new Error(`samples line ${lineNo}: ${field}: got ${JSON.stringify(v)}; accepted: an array of numbers/null`);
  return v.map((x, i) => num(x, `${field}[${i}]`, lineNo, true));
}

/** Parse JSONL text into samples; throws naming the first bad line. */
export function parseReplaySamples(text: string): Sample[] {
  const out: Sample[] = [];
  text.split("\n").forEach((line, i) => {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) return;
    const lineNo = i + 1;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(t) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`samples line ${lineNo}: not JSON (${(e as Error).message}): ${t.slice(0, 60)}`);
    }
    const oc = o.openCircuit === undefined ? 0 : o.openCircuit;
    if (oc !== 0 && oc !== 1) throw new Error(`samples line ${lineNo}: openCircuit: got ${JSON.stringify(oc)}; accepted: 0 or 1`);
    out.push({
      tMs: num(o.tMs, "tMs", lineNo, false),
      cellV: numArray(o.cellV, "cellV", lineNo),
      currentA: num(o.currentA, "currentA", lineNo, true),
      tempC: numArray(o.tempC, "tempC", lineNo),
      openCircuit: oc,
    });
  });
  if (out.length === 0) throw new Error("samples: the file holds no samples");
  return out;
}

export async function readReplaySamples(path: string): Promise<Sample[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new Error(`--samples: cannot read ${path}`);
  }
  return parseReplaySamples(text);
}

function n(x: number): string {
  return isNaN(x) ? "NaN" : String(x);
}

/** JS array literal of the samples (NaN kept as NaN). */
export function samplesToJs(samples: Sample[]): string {
  const items = samples.map((s) =>
    `{tMs:${n(s.tMs)},cellV:[${Array.prototype.map.call(s.cellV, n).join(",")}],currentA:${n(s.currentA)},tempC:[${Array.prototype.map.call(s.tempC, n).join(",")}],openCircuit:${s.openCircuit}}`,
  );
  return `[${items.join(",\n")}]`;
}

/**
 * One console line that streams `s` into a streaming replay bundle (firmware/replayMain.ts):
 * `zbmsReplay(tMs,currentA,[cellV…],[tempC…],openCircuit)`, NaN for an invalid channel. Numbers
 * are written with JavaScript's shortest round-trip text (String(x)).
 */
export function replayCallLine(s: Sample): string {
  return `zbmsReplay(${n(s.tMs)},${n(s.currentA)},[${Array.prototype.map.call(s.cellV, n).join(",")}],[${Array.prototype.map.call(s.tempC, n).join(",")}],${s.openCircuit})`;
}
