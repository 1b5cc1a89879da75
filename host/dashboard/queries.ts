/**
 * What the dashboard asks the history database. Plots never get the whole table: a series is
 * at most `points` buckets over the asked window, each holding the first sample in it, found
 * by one index probe per bucket (samples_board_t), so the cost does not grow with months of
 * history; a bucket with no sample is a null point, which uPlot draws as a gap.
 */
import type { Db } from "../history/db";

/** Most points a series may ask for (a wide screen's pixels). */
export const MAX_POINTS = 2000;
/** Recent samples whose mean spacing sets the narrowest bucket. */
const SPACING_SAMPLES = 20;
/** A bucket spans at least this many sample spacings, so only a real pause leaves one empty. */
const GAP_FACTOR = 1.5;

export interface PackSummary {
  board: string;
  boot: number;
  /** Latest sample (Unix ms) and its numbers; null before the first. */
  tMs: number | null;
  currentA: number | null;
  cellV: (number | null)[];
  tempC: (number | null)[];
  socFrac: (number | null)[];
  segment: number | null;
  cycleCount: number | null;
  alarmMask: number | null;
}

type Row = Record<string, unknown>;

function msOf(t: unknown): number {
  return t instanceof Date ? t.getTime() : Date.parse(String(t));
}

function nums(x: unknown): (number | null)[] {
  if (Array.isArray(x)) return x.map((v) => (v === null ? null : Number(v)));
  if (typeof x === "string") return x.replace(/[{}]/g, "").split(",").filter(Boolean).map((v) => (v === "NULL" ? null : Number(v)));
  return [];
}

function numOrNull(x: unknown): number | null {
  return x === null || x === undefined ? null : Number(x);
}

/** Every board's latest sample, in one round trip (one index probe per board). */
export async function listPacks(db: Db): Promise<PackSummary[]> {
  const rows = await db.query<Row>(
    `SELECT b.board, s.* FROM (SELECT DISTINCT board FROM boots) b
       LEFT JOIN LATERAL (SELECT boot, t, current_a, cell_v, temp_c, soc_frac, segment, cycle_count, alarm_mask
                            FROM samples WHERE board = b.board ORDER BY t DESC LIMIT 1) s ON true
      ORDER BY b.board`,
  );
  return rows.map((r) => {
    const has = r.t !== null && r.t !== undefined;
    return {
      board: String(r.board),
      boot: has ? Number(r.boot) : 0,
      tMs: has ? msOf(r.t) : null,
      currentA: has ? numOrNull(r.current_a) : null,
      cellV: has ? nums(r.cell_v) : [],
      tempC: has ? nums(r.temp_c) : [],
      socFrac: has ? nums(r.soc_frac) : [],
      segment: has ? numOrNull(r.segment) : null,
      cycleCount: has ? numOrNull(r.cycle_count) : null,
      alarmMask: has ? numOrNull(r.alarm_mask) : null,
    };
  });
}

/** Columnar series for uPlot: t (Unix s), then current, per-cell V, per-cell SOC, temperatures. */
export interface Series {
  t: number[];
  currentA: (number | null)[];
  cellV: (number | null)[][];
  socFrac: (number | null)[][];
  tempC: (number | null)[][];
}

/** The pack's samples between fromMs and toMs, one per bucket (≤ points), gaps as nulls. */
export async function series(db: Db, board: string, fromMs: number, toMs: number, points: number): Promise<Series> {
  // buckets no narrower than 1.5 × the pack's recent sample spacing, or every other one is empty (a false gap)
  const recent = await db.query<Row>("SELECT t FROM samples WHERE board = $1 AND t <= to_timestamp($2::float8 / 1000) ORDER BY t DESC LIMIT $3", [board, toMs, SPACING_SAMPLES]);
  const spacingMs = recent.length > 1 ? (msOf(recent[0]!.t) - msOf(recent[recent.length - 1]!.t)) / (recent.length - 1) : 0;
  const maxN = spacingMs > 0 ? Math.ceil((toMs - fromMs) / (GAP_FACTOR * spacingMs)) : MAX_POINTS;
  const n = Math.max(2, Math.min(MAX_POINTS, Math.floor(points), maxN));
  const stepMs = Math.max(1, Math.ceil((toMs - fromMs) / n));
  const rows = await db.query<Row>(
    `SELECT g AS b, s.current_a, s.cell_v, s.soc_frac, s.temp_c
       FROM generate_series(0, $4::int - 1) g
       LEFT JOIN LATERAL (SELECT current_a, cell_v, soc_frac, temp_c FROM samples
                           WHERE board = $1 AND t >= to_timestamp(($2::float8 + g * $3::float8) / 1000)
                             AND t < to_timestamp(($2::float8 + (g + 1) * $3::float8) / 1000)
                           ORDER BY t LIMIT 1) s ON true
      ORDER BY g`,
    [board, fromMs, stepMs, n],
  );
  const out: Series = { t: [], currentA: [], cellV: [], socFrac: [], tempC: [] };
  const put = (cols: (number | null)[][], vals: (number | null)[], k: number): void => {
    while (cols.length < vals.length) cols.push(new Array<number | null>(k).fill(null));
    for (let c = 0; c < cols.length; c++) cols[c]!.push(c < vals.length ? vals[c]! : null);
  };
  rows.forEach((r, k) => {
    out.t.push((fromMs + Number(r.b) * stepMs) / 1000);
    out.currentA.push(numOrNull(r.current_a));
    put(out.cellV, nums(r.cell_v), k);
    put(out.socFrac, nums(r.soc_frac), k);
    put(out.tempC, nums(r.temp_c), k);
  });
  return out;
}

export interface CycleRow {
  boot: number;
  index: number;
  tMs: number;
  chargeAh: number | null;
  dischargeAh: number | null;
  ce: number | null;
  ceBound: number | null;
  ee: number | null;
  ve: number | null;
  /** Discharge capacity / the first stored cycle's (fraction): capacity retention. */
  capacityRetention: number | null;
}

export async function cycles(db: Db, board: string, limit = 500): Promise<CycleRow[]> {
  const rows = await db.query<Row>(
    `SELECT boot, idx, t, charge_ah, discharge_ah, ce, ce_bound, ee, ve,
            discharge_ah / NULLIF(first_value(discharge_ah) OVER (ORDER BY t), 0) AS retention
       FROM cycles WHERE board = $1 ORDER BY t DESC LIMIT $2`,
    [board, limit],
  );
  return rows.reverse().map((r) => ({
    boot: Number(r.boot),
    index: Number(r.idx),
    tMs: msOf(r.t),
    chargeAh: numOrNull(r.charge_ah),
    dischargeAh: numOrNull(r.discharge_ah),
    ce: numOrNull(r.ce),
    ceBound: numOrNull(r.ce_bound),
    ee: numOrNull(r.ee),
    ve: numOrNull(r.ve),
    capacityRetention: numOrNull(r.retention),
  }));
}

export interface AlarmRow {
  tMs: number;
  id: string;
  level: string;
  raised: boolean;
  value: number | null;
}

export async function alarms(db: Db, board: string, limit = 200): Promise<AlarmRow[]> {
  const rows = await db.query<Row>("SELECT t, id, level, raised, value FROM alarms WHERE board = $1 ORDER BY t DESC, seq DESC LIMIT $2", [board, limit]);
  return rows.map((r) => ({ tMs: msOf(r.t), id: String(r.id), level: String(r.level), raised: Boolean(r.raised), value: numOrNull(r.value) }));
}

export interface RestView {
  /** Since when the pack rests (Unix ms), null when it is not resting now. */
  sinceMs: number | null;
  /** Where the relaxation ends and the steady-slope fit starts (Unix ms; sinceMs + relaxationMs). */
  relaxationEndMs: number | null;
  /** The current rest's curve: t (Unix s), per-cell V. */
  curve: { t: number[]; cellV: (number | null)[][] };
  /** The latest closed rest: its split and self-discharge verdict. */
  last: null | {
    tMs: number;
    index: number;
    durationS: number;
    relaxationDropV: number | null;
    steadySlopeMVPerH: number | null;
    worstSlopeMVPerH: number | null;
    chargeLostEstAh: number | null;
    /** Bit i = cell i leaks faster than the config allows. */
    faulty: number;
    retention: number | null;
  };
}

/**
 * The rest in progress (its voltage curve, downsampled, and where its relaxation ends: the
 * model's `selfDischarge.relaxationMs`, passed in) and the latest closed rest's verdict.
 */
export async function restView(db: Db, board: string, relaxationMs: number, points = 300): Promise<RestView> {
  const last = (await db.query<Row>("SELECT * FROM rests WHERE board = $1 ORDER BY t DESC LIMIT 1", [board]))[0];
  const ret = last ? (await db.query<Row>("SELECT retention FROM retention WHERE board = $1 AND t >= $2 ORDER BY t LIMIT 1", [board, last.t]))[0] : undefined;
  const latest = (await db.query<Row>("SELECT t, segment FROM samples WHERE board = $1 ORDER BY t DESC LIMIT 1", [board]))[0];
  const view: RestView = { sinceMs: null, relaxationEndMs: null, curve: { t: [], cellV: [] }, last: null };
  if (last) {
    view.last = {
      tMs: msOf(last.t),
      index: Number(last.idx),
      durationS: Number(last.duration_s),
      relaxationDropV: numOrNull(last.relaxation_drop_v),
      steadySlopeMVPerH: numOrNull(last.steady_slope_mv_per_h),
      worstSlopeMVPerH: numOrNull(last.worst_slope_mv_per_h),
      chargeLostEstAh: numOrNull(last.charge_lost_est_ah),
      faulty: Number(last.faulty),
      retention: ret ? numOrNull(ret.retention) : null,
    };
  }
  if (latest && Number(latest.segment) === 0) {
    const start = (await db.query<Row>("SELECT t FROM samples WHERE board = $1 AND segment <> 0 AND t <= $2 ORDER BY t DESC LIMIT 1", [board, latest.t]))[0];
    const fromMs = start && start.t ? msOf(start.t) : msOf(latest.t);
    view.sinceMs = fromMs;
    view.relaxationEndMs = fromMs + relaxationMs;
    const s = await series(db, board, fromMs, msOf(latest.t) + 1, points);
    view.curve = { t: s.t, cellV: s.cellV };
  }
  return view;
}
