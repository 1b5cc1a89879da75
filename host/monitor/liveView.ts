/**
 * Render the live terminal view: one block of text per pack. Pure: view in, lines out; the
 * caller decides where they go (a redrawn TTY screen, or plain periodic lines when stdout is
 * not a terminal).
 */
import { alarmValueText } from "../util/alarmValue";
import type { PackView } from "./packView";

const ESC = "\x1b[";
const RED = ESC + "31;1m";
const YELLOW = ESC + "33;1m";
const GREEN = ESC + "32m";
const DIM = ESC + "2m";
const BOLD = ESC + "1m";
const RESET = ESC + "0m";

/** No zbms telemetry this long after the port opened: the view says how to flash the board (ms); zbms boards send a line every few seconds at most. */
export const NO_TELEMETRY_HINT_MS = 5000;

/**
 * The hint for a board that sent no zbms telemetry (a bare Espruino, other firmware, a silent
 * port), once NO_TELEMETRY_HINT_MS have passed since the port opened (`always`: at once); "" otherwise.
 */
export function noTelemetryHint(view: PackView, nowMs: number, always = false): string {
  const h = view.health;
  if (h.telemetry > 0 || h.rejected > 0) return "";
  if (!always && !(nowMs - view.openedAtMs >= NO_TELEMETRY_HINT_MS)) return "";
  const what = h.lines === 0 ? "the port is silent" : `${h.lines} other line(s)`;
  return `no zbms telemetry (${what}). Is the zbms firmware on this board? Flash it with: zbms flash --port ${view.port}`;
}

function fixed(x: number, digits: number, unit: string): string {
  return Number.isFinite(x) ? x.toFixed(digits) + unit : "—";
}

function pct(x: number, digits: number): string {
  return Number.isFinite(x) ? (x * 100).toFixed(digits) + " %" : "—";
}

function formatBoardTime(tMs: number): string {
  if (!Number.isFinite(tMs)) return "—";
  const totalS = Math.floor(tMs / 1000);
  const d = Math.floor(totalS / 86400);
  const h = Math.floor((totalS % 86400) / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  return (d > 0 ? d + "d " : "") + String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
}

/** Lines for one pack. `color` adds ANSI colours (alarms red/yellow). */
export function renderPackView(view: PackView, nowMs: number, color: boolean): string[] {
  const c = (code: string, text: string): string => (color ? code + text + RESET : text);
  const out: string[] = [];
  const link = view.connected ? c(GREEN, "connected") : c(RED, "DISCONNECTED");
  out.push(c(BOLD, view.port) + (view.identity ? "  " + view.identity : "") + "  " + link + "  board time " + formatBoardTime(view.boardTMs));
  const cells = view.cellV
    .map((v, i) => `#${i + 1} ${fixed(v, 3, " V")}` + (i < view.socFrac.length ? ` (${pct(view.socFrac[i]!, 0)})` : ""))
    .join("  ");
  out.push("  cells    " + (cells || "—"));
  const sumV = view.cellV.reduce((a, b) => a + b, 0);
  out.push(
    "  pack     " + fixed(view.cellV.length ? sumV : NaN, 3, " V") +
      "   current " + fixed(view.currentA, 4, " A") +
      "   SOC " + pct(view.socFrac.length ? Math.min(...view.socFrac) : NaN, 1) + " (lowest cell)" +
      "   state " + c(BOLD, view.state) +
      "   cycle " + (Number.isFinite(view.cycleIndex) ? String(view.cycleIndex) : "—"),
  );
  out.push("  temps    " + (view.tempC.length ? view.tempC.map((t) => fixed(t, 1, " °C")).join("  ") : "—"));
  const lc = view.lastCycle;
  out.push(
    "  last cycle " +
      (lc
        ? `#${lc.index}${lc.partial ? " (partial)" : ""}  CE ${pct(lc.ce, 3)} ± ${pct(lc.ceBound, 3)}  EE ${pct(lc.ee, 2)}  Q ${fixed(lc.chargeAh, 4, " Ah")} in / ${fixed(lc.dischargeAh, 4, " Ah")} out`
        : "—"),
  );
  if (view.alarms.length === 0 && view.alarmMask !== 0) out.push("  alarms   " + c(RED, `active (mask 0x${view.alarmMask.toString(16)}; details arrive with the next alarm line)`));
  else if (view.alarms.length === 0) out.push("  alarms   " + c(DIM, "none"));
  else {
    out.push(
      "  alarms   " +
        view.alarms
          .map((a) => c(a.level === "warning" ? YELLOW : RED, `${a.id} (${a.level}${Number.isFinite(a.value) ? " " + alarmValueText(a.id, a.value) : ""})`))
          .join("  "),
    );
  }
  const h = view.health;
  const rejected = h.rejected > 0 ? c(RED, `rejected ${h.rejected}`) : `rejected 0`;
  const gaps = h.gaps > 0 ? c(YELLOW, `gaps ${h.gaps} (${h.missingLines} lines lost)`) : "gaps 0";
  out.push(
    `  link     ${h.linesPerS(nowMs).toFixed(1)} lines/s  telemetry ${h.telemetry}  ${rejected}  ${gaps}  noise ${h.noise}  resets ${h.boots}  unplugs ${h.disconnects}`,
  );
  if (view.lastEvent) out.push("  event    " + view.lastEvent);
  const hint = noTelemetryHint(view, nowMs);
  if (hint) out.push("  hint     " + c(YELLOW, hint));
  return out;
}

/** Whole screen for a TTY: clear, home, every pack. */
export function renderScreen(views: PackView[], nowMs: number, color: boolean, footer: string): string {
  const blocks = views.map((v) => renderPackView(v, nowMs, color).join("\n"));
  return ESC + "H" + ESC + "2J" + blocks.join("\n\n") + "\n\n" + footer + "\n";
}
