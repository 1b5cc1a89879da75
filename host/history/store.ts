/**
 * The history schema and its writer. Every table of telemetry is keyed on (board, boot, seq)
 * and written with ON CONFLICT DO NOTHING, so a replayed raw log or a restarted monitor never
 * duplicates a row; the rows of a chunk of log and the file's read position are committed in
 * one transaction, so a crash between them loses nothing and repeats nothing.
 *
 * Tables: boards' boots, samples (pack level + per-cell arrays), cycles, rests, alarms,
 * retention (after a rest that followed a charge), log_files (read position per raw log).
 * Per-cell values are arrays (cell 1 first) with NULL for an invalid channel (NaN on the wire).
 */
import type { Db } from "./db";
import { stateFromJson, type EventRow, type FollowState, type RowBatch, type SampleRow } from "./logRows";

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS boots (
  board text NOT NULL, boot integer NOT NULL, boot_key text NOT NULL, epoch_ms double precision,
  first_seq bigint NOT NULL, last_seq bigint NOT NULL,
  PRIMARY KEY (board, boot), UNIQUE (board, boot_key));
CREATE TABLE IF NOT EXISTS samples (
  board text NOT NULL, boot integer NOT NULL, seq bigint NOT NULL, t timestamptz NOT NULL, board_t_ms bigint,
  current_a double precision, cell_v double precision[], temp_c double precision[], soc_frac double precision[],
  segment integer, cycle_count integer, alarm_mask integer, flags integer,
  PRIMARY KEY (board, boot, seq));
CREATE INDEX IF NOT EXISTS samples_board_t ON samples (board, t);
CREATE TABLE IF NOT EXISTS cycles (
  board text NOT NULL, boot integer NOT NULL, seq bigint NOT NULL, t timestamptz NOT NULL,
  idx integer, charge_ah double precision, discharge_ah double precision, charge_wh double precision,
  discharge_wh double precision, ce double precision, ce_bound double precision, ee double precision,
  ve double precision, flags integer, record jsonb,
  PRIMARY KEY (board, boot, seq));
CREATE TABLE IF NOT EXISTS rests (
  board text NOT NULL, boot integer NOT NULL, seq bigint NOT NULL, t timestamptz NOT NULL,
  idx integer, start_t_ms bigint, end_t_ms bigint, duration_s double precision, after integer,
  relaxation_drop_v double precision, steady_slope_mv_per_h double precision, worst_slope_mv_per_h double precision,
  charge_lost_est_ah double precision, faulty integer,
  PRIMARY KEY (board, boot, seq));
CREATE TABLE IF NOT EXISTS retention (
  board text NOT NULL, boot integer NOT NULL, seq bigint NOT NULL, t timestamptz NOT NULL,
  rest_index integer, retention double precision, rcld double precision, charge_lost_ah double precision,
  PRIMARY KEY (board, boot, seq));
CREATE TABLE IF NOT EXISTS alarms (
  board text NOT NULL, boot integer NOT NULL, seq bigint NOT NULL, t timestamptz NOT NULL,
  id text NOT NULL, level text NOT NULL, raised boolean NOT NULL, value double precision,
  PRIMARY KEY (board, boot, seq));
CREATE TABLE IF NOT EXISTS log_files (
  file_key text PRIMARY KEY, board text NOT NULL, state jsonb NOT NULL);
`;

/** Rows per INSERT statement (keeps statements well under PostgreSQL's 65535 parameters). */
const ROWS_PER_INSERT = 400;

export async function createSchema(db: Db): Promise<void> {
  for (const stmt of SCHEMA_SQL.split(";").map((s) => s.trim()).filter(Boolean)) await db.query(stmt);
}

/** NaN / ±Infinity → NULL (SQL has no "invalid channel" number that survives every client). */
function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** A float array as a PostgreSQL array literal; NaN → NULL. */
function arr(xs: number[]): string {
  return "{" + xs.map((x) => (Number.isFinite(x) ? String(x) : "NULL")).join(",") + "}";
}

function iso(tMs: number): string {
  return new Date(Number.isFinite(tMs) ? tMs : 0).toISOString();
}

type Q = Db["query"];

async function insertMany(q: Q, table: string, cols: string[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const part = rows.slice(i, i + ROWS_PER_INSERT);
    const params: unknown[] = [];
    const values = part.map((r) => "(" + r.map((v) => (params.push(v), "$" + params.length)).join(",") + ")");
    await q(`INSERT INTO ${table} (${cols.join(",")}) VALUES ${values.join(",")} ON CONFLICT DO NOTHING`, params);
  }
}

function sampleValues(board: string, s: SampleRow & { boot: number }): unknown[] {
  return [board, s.boot, s.seq, iso(s.tMs), num(s.boardTMs), num(s.currentA), arr(s.cellV), arr(s.tempC), arr(s.socFrac), num(s.segment), num(s.cycleCount), num(s.alarmMask), num(s.flags)];
}

async function insertEvents(q: Q, board: string, events: (EventRow & { boot: number })[]): Promise<void> {
  const cyc: unknown[][] = [];
  const rest: unknown[][] = [];
  const ret: unknown[][] = [];
  const alm: unknown[][] = [];
  for (const e of events) {
    const k = [board, e.boot, e.seq, iso(e.tMs)];
    const r = e.record;
    if (r.type === "cycle") {
      const c = r.cycle;
      cyc.push([...k, c.index, num(c.chargeAh), num(c.dischargeAh), num(c.chargeWh), num(c.dischargeWh), num(c.ce), num(c.ceBound), num(c.ee), num(c.ve), c.flags, JSON.stringify(c)]);
    } else if (r.type === "rest") {
      const x = r.rest;
      rest.push([...k, x.index, num(x.startTMs), num(x.endTMs), num(x.durationS), x.after, num(x.relaxationDropV), num(x.steadySlopeMVPerH), num(x.worstSlopeMVPerH), num(x.chargeLostEstAh), x.faulty]);
    } else if (r.type === "retention") {
      ret.push([...k, r.restIndex, num(r.retention), num(r.rcld), num(r.chargeLostAh)]);
    } else if (r.type === "alarm") {
      alm.push([...k, r.id, r.level, r.raised, num(r.value)]);
    }
  }
  const key = ["board", "boot", "seq", "t"];
  await insertMany(q, "cycles", [...key, "idx", "charge_ah", "discharge_ah", "charge_wh", "discharge_wh", "ce", "ce_bound", "ee", "ve", "flags", "record"], cyc);
  await insertMany(q, "rests", [...key, "idx", "start_t_ms", "end_t_ms", "duration_s", "after", "relaxation_drop_v", "steady_slope_mv_per_h", "worst_slope_mv_per_h", "charge_lost_est_ah", "faulty"], rest);
  await insertMany(q, "retention", [...key, "rest_index", "retention", "rcld", "charge_lost_ah"], ret);
  await insertMany(q, "alarms", [...key, "id", "level", "raised", "value"], alm);
}

/** Stored read position of a raw log (null = never read). */
export async function loadFileState(db: Db, fileKey: string): Promise<FollowState | null> {
  const rows = await db.query<{ state: FollowState | string }>("SELECT state FROM log_files WHERE file_key = $1", [fileKey]);
  if (rows.length === 0) return null;
  const s = rows[0]!.state;
  return stateFromJson(typeof s === "string" ? JSON.parse(s) : s);
}

/** Most parameters folded into one statement (PostgreSQL allows 65535). */
const ONE_STATEMENT_MAX_PARAMS = 30000;

interface Stmt {
  sql: string;
  params: unknown[];
}

/** The chunk's writes as statements (rows, the boot's last sequence number, the file's read position). */
async function chunkStatements(board: string, fileKey: string, batch: RowBatch, st: FollowState, real: (boot: number) => number): Promise<Stmt[]> {
  const out: Stmt[] = [];
  const collect = async <T>(sql: string, params?: unknown[]): Promise<T[]> => {
    out.push({ sql, params: params ?? [] });
    return [];
  };
  const samples = batch.samples.map((x) => sampleValues(board, { ...x, boot: real(x.boot) }));
  await insertMany(collect, "samples", ["board", "boot", "seq", "t", "board_t_ms", "current_a", "cell_v", "temp_c", "soc_frac", "segment", "cycle_count", "alarm_mask", "flags"], samples);
  await insertEvents(collect, board, batch.events.map((e) => ({ ...e, boot: real(e.boot) })));
  // every boot the chunk touched (a chunk may close one boot and start the next)
  const lastSeq = new Map<number, number>();
  for (const r of [...batch.samples, ...batch.events]) lastSeq.set(real(r.boot), Math.max(lastSeq.get(real(r.boot)) ?? -1, r.seq));
  if (st.boot > 0 && st.lastSeq >= 0) lastSeq.set(st.boot, Math.max(lastSeq.get(st.boot) ?? -1, st.lastSeq));
  for (const [boot, seq] of lastSeq) {
    if (boot > 0) out.push({ sql: "UPDATE boots SET last_seq = GREATEST(last_seq, $3) WHERE board = $1 AND boot = $2", params: [board, boot, seq] });
  }
  out.push({
    sql: "INSERT INTO log_files (file_key, board, state) VALUES ($1,$2,$3) ON CONFLICT (file_key) DO UPDATE SET state = EXCLUDED.state",
    params: [fileKey, board, JSON.stringify(st)],
  });
  return out;
}

/**
 * Fold statements into one (data-modifying WITH clauses run exactly once, all or nothing): one
 * round trip per chunk instead of one per table, which is what keeps a lab's ingest lag low.
 */
function oneStatement(stmts: Stmt[]): Stmt {
  const params: unknown[] = [];
  const renumber = (x: Stmt): string => {
    const base = params.length;
    params.push(...x.params);
    return x.sql.replace(/\$(\d+)/g, (_m, n: string) => "$" + (Number(n) + base));
  };
  const withs = stmts.slice(0, -1).map((x, i) => `w${i} AS (${renumber(x)})`);
  const last = renumber(stmts[stmts.length - 1]!);
  return { sql: (withs.length ? "WITH " + withs.join(", ") + " " : "") + last, params };
}

/** Map the chunk's provisional boot numbers onto the store's (new boots, or the board's boot it continues). */
async function assignBoots(q: Q, board: string, batch: RowBatch): Promise<Map<number, number>> {
  const map = new Map<number, number>();
  for (const b of batch.boots) {
    const known = await q<{ boot: number }>("SELECT boot FROM boots WHERE board = $1 AND boot_key = $2", [board, b.key]);
    if (known.length > 0) {
      map.set(b.boot, known[0]!.boot);
      continue;
    }
    const latest = await q<{ boot: number; last_seq: string | number }>("SELECT boot, last_seq FROM boots WHERE board = $1 ORDER BY boot DESC LIMIT 1", [board]);
    if (b.mayContinue && latest.length > 0 && Number(latest[0]!.last_seq) < b.firstSeq) {
      map.set(b.boot, latest[0]!.boot);
      continue;
    }
    const next = latest.length > 0 ? latest[0]!.boot + 1 : 1;
    await q("INSERT INTO boots (board, boot, boot_key, epoch_ms, first_seq, last_seq) VALUES ($1,$2,$3,$4,$5,$5)", [board, next, b.key, num(b.epochMs), b.firstSeq]);
    map.set(b.boot, next);
  }
  return map;
}

/**
 * Commit one chunk of a raw log: its new boots (numbered here), its rows and the file's new
 * read position, atomically. Returns the state with store boot numbers.
 */
export async function commitBatch(db: Db, board: string, fileKey: string, batch: RowBatch, state: FollowState): Promise<FollowState> {
  if (batch.boots.length === 0 && state.boot > 0) {
    const stmts = await chunkStatements(board, fileKey, batch, state, (b) => b);
    if (stmts.reduce((n, x) => n + x.params.length, 0) <= ONE_STATEMENT_MAX_PARAMS) {
      const one = oneStatement(stmts);
      await db.query(one.sql, one.params);
      return state;
    }
  }
  return db.tx(async (q) => {
    const map = await assignBoots(q, board, batch);
    const real = (boot: number): number => map.get(boot) ?? boot;
    const st: FollowState = { ...state, boot: real(state.boot) };
    for (const x of await chunkStatements(board, fileKey, batch, st, real)) await q(x.sql, x.params);
    return st;
  });
}
