;; Pass 1 of the analysis replay (host/analyze/rowColumns.ts, `RowColumnizer.columnize`) in
;; WebAssembly, for the read worker (host/analyze/readWorker.ts), where it is the larger half of
;; the worker's work in JS (≈ 20 ns per row) and the worker is the replay's critical path.
;;
;; Assembled by `npm run build:wasm` (host/import/wasm/build.ts) into rowColumnsWasm.ts, which
;; is committed; test/host/analyze/rowColumnsWasm.test.ts fails when that file is stale. The glue
;; is rowColumnsWasmColumnizer.ts.
;;
;; What it does: records (the batch layout of host/analyze/batchLayout.ts) become the model's
;; columns — times nudged apart, voltage NaN on impedance rows, open circuit — plus each row's
;; dQ and dQ/dV voltage bin, and the V/I plot's open bucket is widened; when a row opens a new
;; plot bucket (≈ 3000 times per input, and at clock-backs) the imported `open` (JS: the
;; Decimator) records it and writes the bucket's safe range back into the state block. Every
;; floating-point expression is the JS loop's, in its order (f64 arithmetic is IEEE 754 as in
;; JS; Math.floor = f64.floor, Math.abs = f64.abs; `x !== x` = f64.ne x x), so the columns and
;; the series are bit-for-bit RowColumnizer's (test/host/analyze/rowColumnsWasm.test.ts compares
;; them on random batches).
;;
;; Memory is imported: the glue creates it once at its final size (maximum = initial) and never
;; grows it (growing detaches its ArrayBuffer, which slows every typed-array access in V8's
;; optimised code for the rest of the process; see host/import/wasm/numericRows.ts).

(module
  (import "env" "mem" (memory 1))
  ;; open(bucket, tS, v, iA): a row opens plot bucket `bucket` (an f64, as Math.floor gives it)
  ;; at time tS (s) with voltage v and current iA. Before the call the open bucket's extremes
  ;; are in the state block (DEC_*); the callee writes the new bucket's safe range (DEC_LO_MS,
  ;; DEC_HI_MS) there.
  (import "env" "open" (func $open (param f64 f64 f64 f64)))

  ;; ---- Memory layout, shared with rowColumnsWasmColumnizer.ts (which checks these exports
  ;; against batchLayout.ts and rowColumns.ts when it first instantiates the module). ----

  ;; The state block at address 0: f64 slots (byte offsets below, the `offset=` immediates used
  ;; in `columnize`). Parameters, written by JS once:
  (global (export "PLOT_START_S_AT") i32 (i32.const 0))  ;; plot buckets: first time (s)
  (global (export "PLOT_WIDTH_S_AT") i32 (i32.const 8))  ;; plot buckets: width (s)
  (global (export "V_LO_AT") i32 (i32.const 16))         ;; dQ/dV bins: lowest voltage (V)
  (global (export "BIN_W_AT") i32 (i32.const 24))        ;; dQ/dV bins: width (V)
  (global (export "ZERO_IS_OPEN_AT") i32 (i32.const 32)) ;; 1: an exact 0 A is open circuit
  (global (export "TEMPS_AT") i32 (i32.const 40))        ;; 1: write the temperature column
  ;; Carried from call to call (RowColumnizer's K_* slots, its qBin and dec.bucket); JS sets
  ;; their first values, `columnize` loads them on entry and stores them on return:
  (global (export "PREV_T_MS_AT") i32 (i32.const 48))     ;; the previous row's (nudged) time
  (global (export "PREV_RAW_T_MS_AT") i32 (i32.const 56)) ;; the previous row's raw time
  (global (export "PREV_I_AT") i32 (i32.const 64))        ;; the previous row's current
  (global (export "HAVE_PREV_AT") i32 (i32.const 72))     ;; 1 once a row has been seen
  (global (export "DEC_V_MIN_AT") i32 (i32.const 80))     ;; the open plot bucket's extremes
  (global (export "DEC_V_MAX_AT") i32 (i32.const 88))
  (global (export "DEC_I_MIN_AT") i32 (i32.const 96))
  (global (export "DEC_I_MAX_AT") i32 (i32.const 104))
  (global (export "DEC_LO_MS_AT") i32 (i32.const 112))    ;; the open bucket's safe range (ms), written by `open`
  (global (export "DEC_HI_MS_AT") i32 (i32.const 120))
  (global (export "Q_LO_V_AT") i32 (i32.const 128))       ;; the last dQ/dV bin's safe range (V)
  (global (export "Q_HI_V_AT") i32 (i32.const 136))
  (global (export "Q_BIN_AT") i32 (i32.const 144))        ;; dQ/dV bin of the last row with a dQ
  (global (export "BUCKET_AT") i32 (i32.const 152))       ;; the open plot bucket's index (f64)
  ;; Result of the last call, read by JS:
  (global (export "IMPEDANCE_AT") i32 (i32.const 160))    ;; impedance rows (STEP_OTHER) in it
  (global (export "STATE_BYTES") i32 (i32.const 168))

  ;; Record layout (batchLayout.ts: FIELDS_PER_RECORD = 8 f64; byte offsets of the fields read).
  (global (export "RECORD_BYTES") i32 (i32.const 64))
  (global (export "T_AT") i32 (i32.const 8))
  (global (export "V_AT") i32 (i32.const 16))
  (global (export "I_AT") i32 (i32.const 24))
  (global (export "TEMP_AT") i32 (i32.const 32))
  (global (export "STEP_KIND_AT") i32 (i32.const 40))
  (global (export "RESTORED_AT") i32 (i32.const 48))

  ;; Column layout (rowColumns.ts C_*): column c of row r at cols + c * COLUMN_ROWS * 8 + r * 8,
  ;; COLUMN_ROWS = BATCH_RECORDS = 65 536 rows, so column c starts c × 524 288 bytes in.
  (global (export "COLUMN_ROWS") i32 (i32.const 65536))
  (global (export "COL_T_MS_AT") i32 (i32.const 0))
  (global (export "COL_CURRENT_A_AT") i32 (i32.const 524288))
  (global (export "COL_V_AT") i32 (i32.const 1048576))
  (global (export "COL_TEMP_C_AT") i32 (i32.const 1572864))
  (global (export "COL_OPEN_CIRCUIT_AT") i32 (i32.const 2097152))
  (global (export "COL_RESTORED_AT") i32 (i32.const 2621440))
  (global (export "COL_DQ_AH_AT") i32 (i32.const 3145728))
  (global (export "COL_DQ_BIN_AT") i32 (i32.const 3670016))

  ;; Constants of rowColumns.ts and host/import/record.ts used in the code below (checked by JS).
  (global (export "MS_PER_S") f64 (f64.const 1000))
  (global (export "MS_PER_H") f64 (f64.const 3600000))
  (global (export "DUPLICATE_TOLERANCE_MS") f64 (f64.const 1))
  (global (export "NUDGE_MS") f64 (f64.const 1))
  (global (export "DQDV_BINS") f64 (f64.const 160))
  ;; 1e-9, written exactly (the nearest double to 1e-9).
  (global (export "QUICK_BIN_MARGIN_FRAC") f64 (f64.const 0x1.12e0be826d695p-30))
  (global (export "STEP_OTHER") f64 (f64.const 4))
  (global (export "STEP_REST") f64 (f64.const 1))

  ;; Records rec[0 .. count) into the columns at `cols` (layout above); returns the number of
  ;; restored rows (RESTORED = 1). The restored column is written only when there is one, the
  ;; temperature column only when TEMPS = 1 (as RowColumnizer.columnize).
  ;;
  ;; Written for V8's code generator: the JS loop's `a && b` conditions are chains of br_if (a
  ;; comparison feeding a branch compiles to compare-and-jump, while a comparison's i32 value
  ;; costs a set-on-condition and, for == and !=, a branch on the NaN case), and the parameters
  ;; are loaded from the state block where the rare paths use them rather than held in locals
  ;; (fewer values competing for the 16 xmm registers in the loop).
  (func (export "columnize") (param $rec i32) (param $cols i32) (param $count i32) (result i32)
    (local $o i32)        ;; address of the current record
    (local $q i32)        ;; address of the current row in column 0
    (local $end i32)      ;; $rec + count * RECORD_BYTES
    (local $raw f64)      ;; the row's raw time (ms)
    (local $t f64)        ;; the row's time (ms), nudged
    (local $cur f64)      ;; current (A)
    (local $kind f64)     ;; stepKind
    (local $v f64)        ;; voltage (V), NaN on impedance rows
    (local $oc f64)       ;; open circuit (1 or 0)
    (local $bucket f64)   ;; the row's plot bucket (when computed)
    (local $dq f64)
    (local $dqAh f64)
    (local $bin f64)
    (local $margin f64)
    (local $impedance i32)
    (local $restored i32)
    (local $zeroIsOpen i32)
    (local $temps i32)
    ;; Carried state (loaded here, stored on return).
    (local $pT f64)
    (local $pRaw f64)
    (local $pI f64)
    (local $havePrev i32)
    (local $vMin f64)
    (local $vMax f64)
    (local $iMin f64)
    (local $iMax f64)
    (local $lo f64)
    (local $hi f64)
    (local $qLo f64)
    (local $qHi f64)
    (local $qBin f64)
    (local $dBucket f64)
    (local.set $zeroIsOpen (f64.eq (f64.load offset=32 (i32.const 0)) (f64.const 1)))
    (local.set $temps (f64.eq (f64.load offset=40 (i32.const 0)) (f64.const 1)))
    (local.set $pT (f64.load offset=48 (i32.const 0)))
    (local.set $pRaw (f64.load offset=56 (i32.const 0)))
    (local.set $pI (f64.load offset=64 (i32.const 0)))
    (local.set $havePrev (f64.eq (f64.load offset=72 (i32.const 0)) (f64.const 1)))
    (local.set $vMin (f64.load offset=80 (i32.const 0)))
    (local.set $vMax (f64.load offset=88 (i32.const 0)))
    (local.set $iMin (f64.load offset=96 (i32.const 0)))
    (local.set $iMax (f64.load offset=104 (i32.const 0)))
    (local.set $lo (f64.load offset=112 (i32.const 0)))
    (local.set $hi (f64.load offset=120 (i32.const 0)))
    (local.set $qLo (f64.load offset=128 (i32.const 0)))
    (local.set $qHi (f64.load offset=136 (i32.const 0)))
    (local.set $qBin (f64.load offset=144 (i32.const 0)))
    (local.set $dBucket (f64.load offset=152 (i32.const 0)))

    (local.set $o (local.get $rec))
    (local.set $q (local.get $cols))
    (local.set $end (i32.add (local.get $rec) (i32.shl (local.get $count) (i32.const 6)))) ;; × RECORD_BYTES
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $raw (f64.mul (f64.load offset=8 (local.get $o)) (f64.const 1000))) ;; T_AT × MS_PER_S
        (local.set $cur (f64.load offset=24 (local.get $o)))                            ;; I_AT
        (local.set $kind (f64.load offset=40 (local.get $o)))                           ;; STEP_KIND_AT
        ;; Repeated timestamps are nudged forward (NUDGE_MS); a real clock-back (earlier than the
        ;; previous raw time less DUPLICATE_TOLERANCE_MS) reaches the model as it is.
        (local.set $t (local.get $raw))
        (if (f64.le (local.get $raw) (local.get $pT))
          (then
            (if (f64.ge (local.get $raw) (f64.sub (local.get $pRaw) (f64.const 1)))
              (then (local.set $t (f64.add (local.get $pT) (f64.const 1)))))))
        ;; Impedance rows (STEP_OTHER): counted, voltage NaN.
        (local.set $v (f64.load offset=16 (local.get $o))) ;; V_AT
        (if (f64.eq (local.get $kind) (f64.const 4)) ;; STEP_OTHER
          (then
            (local.set $impedance (i32.add (local.get $impedance) (i32.const 1)))
            (local.set $v (f64.const nan))))
        (f64.store offset=0 (local.get $q) (local.get $t))           ;; COL_T_MS_AT
        (f64.store offset=524288 (local.get $q) (local.get $cur))    ;; COL_CURRENT_A_AT
        (f64.store offset=1048576 (local.get $q) (local.get $v))     ;; COL_V_AT
        (if (local.get $temps)
          (then (f64.store offset=1572864 (local.get $q) (f64.load offset=32 (local.get $o))))) ;; COL_TEMP_C_AT ← TEMP_AT
        ;; Open circuit: a rest row (STEP_REST), or an exact 0 A when zeroIsOpen.
        (local.set $oc (f64.const 0))
        (if (f64.eq (local.get $kind) (f64.const 1)) ;; STEP_REST
          (then (local.set $oc (f64.const 1)))
          (else
            (if (local.get $zeroIsOpen)
              (then
                (if (f64.eq (local.get $cur) (f64.const 0))
                  (then (local.set $oc (f64.const 1))))))))
        (f64.store offset=2097152 (local.get $q) (local.get $oc)) ;; COL_OPEN_CIRCUIT_AT
        (if (f64.eq (f64.load offset=48 (local.get $o)) (f64.const 1)) ;; RESTORED_AT
          (then (local.set $restored (i32.add (local.get $restored) (i32.const 1)))))

        ;; The plot: same bucket as the previous row when well inside its safe range, else the
        ;; bucket floor((tS − start) / width) decides; a new bucket opens with this row (JS
        ;; records it), else the row widens the open bucket's extremes.
        (block $plotted
          (block $widen
            (if (f64.ge (local.get $t) (local.get $lo))
              (then (br_if $widen (f64.lt (local.get $t) (local.get $hi)))))
            (local.set $bucket
              (f64.floor
                (f64.div
                  (f64.sub (f64.div (local.get $t) (f64.const 1000)) (f64.load offset=0 (i32.const 0))) ;; PLOT_START_S
                  (f64.load offset=8 (i32.const 0)))))                                                 ;; PLOT_WIDTH_S
            (br_if $widen (f64.eq (local.get $bucket) (local.get $dBucket)))
            (f64.store offset=80 (i32.const 0) (local.get $vMin))
            (f64.store offset=88 (i32.const 0) (local.get $vMax))
            (f64.store offset=96 (i32.const 0) (local.get $iMin))
            (f64.store offset=104 (i32.const 0) (local.get $iMax))
            (call $open
              (local.get $bucket)
              (f64.div (local.get $t) (f64.const 1000))
              (local.get $v)
              (local.get $cur))
            (local.set $dBucket (local.get $bucket))
            (local.set $lo (f64.load offset=112 (i32.const 0)))
            (local.set $hi (f64.load offset=120 (i32.const 0)))
            (local.set $vMin (local.get $v))
            (local.set $vMax (local.get $v))
            (local.set $iMin (local.get $cur))
            (local.set $iMax (local.get $cur))
            (br $plotted))
          ;; JS: `if (v < vMin || vMin !== vMin) vMin = v` and `if (v > vMax || vMax !== vMax)
          ;; vMax = v`. Without branches: while the voltage climbs or falls (a half, a rest's
          ;; relaxation) a new extreme comes in ≈ 1 row of 9 at random, a branch V8 mispredicts
          ;; (8.3 → 6.8 ns per row). V8 compiles an f64 select to a branch and an i64 select to
          ;; a conditional move, so the values pass as their bits (exact: reinterpret is a bit copy).
          (local.set $vMin (f64.reinterpret_i64 (select (i64.reinterpret_f64 (local.get $v)) (i64.reinterpret_f64 (local.get $vMin))
              (i32.or (f64.lt (local.get $v) (local.get $vMin)) (f64.ne (local.get $vMin) (local.get $vMin))))))
          (local.set $vMax (f64.reinterpret_i64 (select (i64.reinterpret_f64 (local.get $v)) (i64.reinterpret_f64 (local.get $vMax))
              (i32.or (f64.gt (local.get $v) (local.get $vMax)) (f64.ne (local.get $vMax) (local.get $vMax))))))
          ;; `if (i < iMin) iMin = i`, `if (i > iMax) iMax = i` (a NaN extreme stays).
          (if (f64.lt (local.get $cur) (local.get $iMin)) (then (local.set $iMin (local.get $cur))))
          (if (f64.gt (local.get $cur) (local.get $iMax)) (then (local.set $iMax (local.get $cur)))))

        ;; dQ of the interval since the previous row (JS: `pTOk && tMs > pTMs && currentA ===
        ;; currentA && pI === pI && v === v`, pTOk = a previous row with a time that is not NaN)
        ;; and its voltage bin.
        (local.set $dqAh (f64.const 0))
        (block $noDq
          (br_if $noDq (i32.eqz (local.get $havePrev)))
          (br_if $noDq (f64.ne (local.get $pT) (local.get $pT)))
          (br_if $noDq (i32.eqz (f64.gt (local.get $t) (local.get $pT))))
          (br_if $noDq (f64.ne (local.get $cur) (local.get $cur)))
          (br_if $noDq (f64.ne (local.get $pI) (local.get $pI)))
          (br_if $noDq (f64.ne (local.get $v) (local.get $v)))
          ;; |i| × ((t − tPrev) / MS_PER_H)
          (local.set $dq
            (f64.mul (f64.abs (local.get $cur))
              (f64.div (f64.sub (local.get $t) (local.get $pT)) (f64.const 3600000))))
          (block $binned
            (if (f64.ge (local.get $v) (local.get $qLo))
              (then (br_if $binned (f64.lt (local.get $v) (local.get $qHi)))))
            ;; Outside the last bin's safe range: the bin, clamped to 0 … DQDV_BINS − 1, and its
            ;; safe range, pulled in by QUICK_BIN_MARGIN_FRAC of the values involved.
            (local.set $bin
              (f64.floor
                (f64.div
                  (f64.sub (local.get $v) (f64.load offset=16 (i32.const 0))) ;; V_LO
                  (f64.load offset=24 (i32.const 0)))))                       ;; BIN_W
            (local.set $qBin
              (select (f64.const 0)
                (select (f64.const 159) (local.get $bin) (f64.ge (local.get $bin) (f64.const 160)))
                (f64.lt (local.get $bin) (f64.const 0))))
            (local.set $margin
              (f64.mul (f64.const 0x1.12e0be826d695p-30)
                (f64.add (f64.abs (f64.load offset=16 (i32.const 0)))
                  (f64.mul (f64.add (f64.abs (local.get $bin)) (f64.const 1)) (f64.load offset=24 (i32.const 0))))))
            (local.set $qLo
              (f64.add
                (f64.add (f64.load offset=16 (i32.const 0)) (f64.mul (local.get $bin) (f64.load offset=24 (i32.const 0))))
                (local.get $margin)))
            (local.set $qHi
              (f64.sub
                (f64.add (f64.load offset=16 (i32.const 0))
                  (f64.mul (f64.add (local.get $bin) (f64.const 1)) (f64.load offset=24 (i32.const 0))))
                (local.get $margin))))
          ;; + charge, − discharge, 0 for an exact 0 A.
          (if (f64.gt (local.get $cur) (f64.const 0))
            (then (local.set $dqAh (local.get $dq)))
            (else
              (if (f64.lt (local.get $cur) (f64.const 0))
                (then (local.set $dqAh (f64.neg (local.get $dq))))))))
        (f64.store offset=3145728 (local.get $q) (local.get $dqAh)) ;; COL_DQ_AH_AT
        (f64.store offset=3670016 (local.get $q) (local.get $qBin)) ;; COL_DQ_BIN_AT

        ;; This row is the next one's previous.
        (local.set $pT (local.get $t))
        (local.set $pRaw (local.get $raw))
        (local.set $pI (local.get $cur))
        (local.set $havePrev (i32.const 1))
        (local.set $o (i32.add (local.get $o) (i32.const 64)))
        (local.set $q (i32.add (local.get $q) (i32.const 8)))
        (br $row)))

    ;; The restored column, only in a call with a restored row.
    (if (local.get $restored)
      (then
        (local.set $o (local.get $rec))
        (local.set $q (local.get $cols))
        (block $restoredDone
          (loop $restoredRow
            (br_if $restoredDone (i32.ge_u (local.get $o) (local.get $end)))
            (f64.store offset=2621440 (local.get $q) ;; COL_RESTORED_AT
              (f64.convert_i32_u (f64.eq (f64.load offset=48 (local.get $o)) (f64.const 1))))
            (local.set $o (i32.add (local.get $o) (i32.const 64)))
            (local.set $q (i32.add (local.get $q) (i32.const 8)))
            (br $restoredRow)))))

    (f64.store offset=48 (i32.const 0) (local.get $pT))
    (f64.store offset=56 (i32.const 0) (local.get $pRaw))
    (f64.store offset=64 (i32.const 0) (local.get $pI))
    (f64.store offset=72 (i32.const 0) (f64.convert_i32_u (local.get $havePrev)))
    (f64.store offset=80 (i32.const 0) (local.get $vMin))
    (f64.store offset=88 (i32.const 0) (local.get $vMax))
    (f64.store offset=96 (i32.const 0) (local.get $iMin))
    (f64.store offset=104 (i32.const 0) (local.get $iMax))
    (f64.store offset=112 (i32.const 0) (local.get $lo))
    (f64.store offset=120 (i32.const 0) (local.get $hi))
    (f64.store offset=128 (i32.const 0) (local.get $qLo))
    (f64.store offset=136 (i32.const 0) (local.get $qHi))
    (f64.store offset=144 (i32.const 0) (local.get $qBin))
    (f64.store offset=152 (i32.const 0) (local.get $dBucket))
    (f64.store offset=160 (i32.const 0) (f64.convert_i32_u (local.get $impedance)))
    (local.get $restored)))
