/**
 * JIT warm-up of the column replay: a short synthetic cycling run (two cycles of constant-current
 * charge, open-circuit rest, constant-current discharge, rest), read as column batches in-thread,
 * that replay.ts replays through a throwaway model just before it consumes the worker's first
 * batch. The real replay's results do not depend on it in any way (its model, events and
 * outputs are the throwaway replay's own); it only changes how soon V8 has good machine code.
 *
 * Why: V8 compiles a function with the branches it has seen taken. A real input takes its first
 * rest, first discharge and first cycle end thousands of rows in, each one after fastForward,
 * fastRest and the replay's loop were compiled without it: each throws its machine code away
 * ("insufficient type feedback") and runs interpreted until recompiled. Likewise the model's
 * counters start as small-integer fields (`chargeAh: 0`) and become double fields at their first
 * fraction, which deprecates their hidden class and aborts the compilations in flight
 * (fastForward's four times in a row). On the 10⁷-row benchmark the replay's second batch
 * (61 440 rows) took 60–85 ms instead of about 2 ms, and the replay's compilations took several
 * hundred ms of the second core (--trace-opt). Taking every branch once on 900 rows first (the
 * throwaway model's objects share their hidden classes with the real one's) costs 5–12 ms,
 * spent while the main thread would otherwise wait for the worker's first batch (its pass 1 runs
 * once the profile pass hands it the parameters). Measured on the 2-core machine, 2026-11-25
 * (`zbms analyze` of the benchmark's file, 9 alternating runs, medians): 667 → 603 ms wall,
 * replay 501 → 442 ms, CPU 1.11 → 1.05 s.
 *
 * The synthetic run is scaled to the replay's config (current from its capacity and active
 * threshold, voltages inside its empty–full window, time step within its gap limit), so that its
 * rows take the same paths as a real input's: fast-forwarded halves, fast rests, segment and
 * cycle events.
 */
import type { PackConfig } from "../../shared/config/packConfig";
import { STEP_REST, STEP_UNKNOWN, type ImportedRecord, type ImportStats, type ProgressFn } from "../import/record";
import type { InputProfile } from "./profile";
import { BATCH_RECORDS, FIELDS_PER_RECORD, F_I, F_LINE, F_RESTORED, F_STEP_KIND, F_T, F_TEMP, F_V } from "./batchLayout";
import { COLUMN_BATCH_ROWS, MS_PER_H, MS_PER_S, RowColumnizer, type ColumnParams } from "./rowColumns";
import type { BatchFn, BatchRead, ColumnResult } from "./parallelRead";

/** Cycles of the synthetic run: the second one starts after a cycle end, as most rows do. */
const WARM_CYCLES = 2;
/** Rows per half and per rest (900 rows in all: 5–12 ms, mostly interpreted). */
const WARM_HALF_ROWS = 200;
const WARM_REST_ROWS = 25;
/** A half lasts at least this many of the config's dwell times, so the segmenter confirms it. */
const WARM_HALF_DWELLS = 3;
/**
 * At most this many rows per half: a config whose dwell would need more (a long dwell, a short
 * gap limit) gets a shorter warm-up, which only takes fewer branches, never changes a result.
 */
export const WARM_MAX_HALF_ROWS = 2000;
/** Rows per synthetic batch: several calls of the batch callback, as on a real input. */
const WARM_BATCH_ROWS = 256;
/** Sample interval (s), unless the config's gap limit is shorter. */
const WARM_STEP_S = 10;
/** Test current as a C-rate (C/5, the article's practical window C/4–C/6). */
const WARM_RATE_C = 1 / 5;
/** At least this many times the config's active-current threshold, so every half row is active. */
const WARM_MIN_ACTIVE_MULTIPLE = 4;
/** Voltages stay this share of the empty–full window inside it (no cut-off anchor). */
const WARM_V_MARGIN_FRAC = 0.25;
/** Temperature of the synthetic rows when the pack has sensors (°C). */
const WARM_TEMP_C = 25;
/** Relative current noise, so that consecutive rows differ as measured ones do. */
const WARM_NOISE_FRAC = 1e-3;

/** What the replay needs of a synthetic run: the read and the profile it would have. */
export interface WarmUpRun {
  read: SyntheticColumnRead;
  profile: InputProfile;
}

/** The synthetic run for `cfg`, read as `format` with the replay's zero-current rule. */
export function warmUpRun(cfg: PackConfig, format: string, zeroIsOpen: boolean): WarmUpRun {
  const seg = cfg.segmentation;
  const stepS = Math.min(WARM_STEP_S, cfg.counting.maxGapMs / MS_PER_S / 2);
  const currentA = Math.max(cfg.capacityAh * WARM_RATE_C, WARM_MIN_ACTIVE_MULTIPLE * seg.activeCurrentA);
  const window = cfg.soc.fullCellV - cfg.soc.emptyCellV;
  const lowV = (cfg.soc.emptyCellV + WARM_V_MARGIN_FRAC * window) * cfg.cellCount;
  const highV = (cfg.soc.fullCellV - WARM_V_MARGIN_FRAC * window) * cfg.cellCount;
  const halfRows = Math.min(WARM_MAX_HALF_ROWS, Math.max(WARM_HALF_ROWS, Math.ceil((WARM_HALF_DWELLS * seg.dwellMs) / MS_PER_S / stepS)));
  const rows = WARM_CYCLES * 2 * (halfRows + WARM_REST_ROWS);
  const rec = new Float64Array(rows * FIELDS_PER_RECORD);
  const firstSign = seg.firstHalf === "charge" ? 1 : -1;
  let r = 0;
  for (let c = 0; c < WARM_CYCLES; c++) {
    for (const sign of [firstSign, -firstSign]) {
      for (let k = 0; k < halfRows + WARM_REST_ROWS; k++) {
        const rest = k >= halfRows;
        // Charging raises the voltage across the window, discharging lowers it; a rest holds it.
        const progress = rest ? 1 : k / halfRows;
        const frac = sign > 0 ? progress : 1 - progress;
        const o = r * FIELDS_PER_RECORD;
        rec[o + F_LINE] = r + 2;
        rec[o + F_T] = r * stepS;
        rec[o + F_V] = lowV + frac * (highV - lowV);
        rec[o + F_I] = rest ? 0 : sign * currentA * (1 + WARM_NOISE_FRAC * Math.sin(r));
        rec[o + F_TEMP] = cfg.tempCount > 0 ? WARM_TEMP_C : NaN;
        rec[o + F_STEP_KIND] = rest && !zeroIsOpen ? STEP_REST : STEP_UNKNOWN;
        rec[o + F_RESTORED] = 0;
        r++;
      }
    }
  }
  const endS = (rows - 1) * stepS;
  const profile: InputProfile = {
    records: rows,
    startS: 0,
    endS,
    minV: lowV,
    maxV: highV,
    maxAbsCurrentA: currentA * (1 + WARM_NOISE_FRAC),
    lowActiveCurrentA: currentA * (1 - WARM_NOISE_FRAC),
    maxHalfAh: (currentA * halfRows * stepS * MS_PER_S) / MS_PER_H,
    firstHalfSign: firstSign,
    cyclerFirstHalfSign: 0,
    firstStepSign: firstSign,
    cyclerCycles: [],
    timeBackCount: 0,
    timeBackFirst: "",
    maxActiveDtS: stepS,
    medianDtS: stepS,
    hasTemp: cfg.tempCount > 0,
    cellCount: cfg.cellCount,
    tempCount: cfg.tempCount,
  };
  return { read: new SyntheticColumnRead(format, zeroIsOpen, rec, rows), profile };
}

/**
 * A read of synthetic records that runs pass 1 (rowColumns.ts) in-thread and hands the replay
 * column batches, as the read worker does.
 */
export class SyntheticColumnRead implements BatchRead {
  readonly path = "(JIT warm-up: synthetic cycles)";
  readonly cyclerColumns = false;
  private params: ColumnParams | null = null;
  private result: ColumnResult | null = null;

  constructor(
    readonly format: string,
    readonly columnsZeroIsOpen: boolean,
    private readonly records: Float64Array,
    private readonly rows: number,
  ) {}

  setColumnParams(p: Omit<ColumnParams, "zeroIsOpen">): void {
    this.params = { ...p, zeroIsOpen: this.columnsZeroIsOpen };
  }

  consume(_onRecord: (r: ImportedRecord) => void, _onProgress?: ProgressFn, onBatch?: BatchFn): Promise<ImportStats> {
    if (this.params === null || onBatch === undefined) {
      return Promise.reject(new Error("the warm-up read sends column batches: set its column parameters and consume it with a batch callback"));
    }
    const pass1 = new RowColumnizer(this.params);
    const out = new Float64Array(BATCH_RECORDS * FIELDS_PER_RECORD);
    for (let from = 0; from < this.rows; from += WARM_BATCH_ROWS) {
      const n = Math.min(WARM_BATCH_ROWS, this.rows - from);
      const restored = pass1.columnize(this.records.subarray(from * FIELDS_PER_RECORD), n, out, COLUMN_BATCH_ROWS);
      onBatch(out, n, restored);
    }
    this.result = { series: pass1.series(), impedanceRows: pass1.impedanceRows };
    return Promise.resolve({ records: this.rows, skipped: 0, skippedExamples: [] });
  }

  columnResult(): ColumnResult {
    if (this.result === null) throw new Error("the warm-up read has no column result before it is consumed");
    return this.result;
  }

  cancel(): void {}
}
