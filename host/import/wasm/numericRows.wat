;; The common-row loop of host/import/numericFast.ts (`readTabularNumeric`) in WebAssembly.
;;
;; Assembled by `npm run build:wasm` (host/import/wasm/build.ts) into numericRowsWasm.ts, which
;; is committed; test/host/import/numericRowsWasm.test.ts fails when that file is stale.
;;
;; What it does: parse the data rows of buffer[p..limit] (buffer[limit] is an LF) into records
;; of the analyze batch layout (host/analyze/batchLayout.ts), reading only the bound columns
;; (time, voltage, current, temperature) and only when every one of them is spelled
;; `[-]digits[.digits]` with 1 to MAX_DIGITS (15) digits in all, directly followed by the
;; delimiter (or, for the last bound column, by the delimiter, LF or CR LF). Such a value is
;; f64(mantissa) / 10^frac, both exact (mantissa < 10^15 < 2^53, frac <= 15 <= 22), so the one
;; division rounds exactly as numericFast.ts's `fastRows` (and csvStream's parseNumberBytes) do:
;; the records are bit-for-bit theirs.
;;
;; Anything else — a space, '+', an exponent, a quote or a line end in a skipped column, a
;; missing or empty field, 16 digits or more, a lone CR, a time or current that is not finite
;; after scaling — stops the loop at that row's first byte (status ODD). numericFast.ts then
;; reads that one row with `fastRows` (which hands it on to the generic row logic when it must)
;; and calls `rows` again after it. The loop also stops when the record region is full (status
;; FULL) so that JS hands the batch on, and at `limit` (status DONE).
;;
;; Memory is imported: the reader sizes it once per read and never grows it (growing detaches
;; its ArrayBuffer, which slows every typed-array access in V8's optimised code for the rest of
;; the process; see numericFast.ts).

(module
  (import "env" "mem" (memory 1))

  ;; ---- Memory layout, shared with numericFast.ts (which reads these exports and checks the
  ;; record layout against batchLayout.ts when it instantiates the module). ----

  ;; 10^0 .. 10^15 as f64 (8 bytes each), written by JS from csvStream's EXACT_POW10.
  (global (export "POW10_AT") i32 (i32.const 0))
  (global (export "POW10_COUNT") i32 (i32.const 16))
  ;; The plan: one 16-byte entry per bound column, in ascending column order:
  ;;   +0 i32  unbound columns to skip before this one (since the previous bound column)
  ;;   +4 i32  byte offset of the record field it feeds (F_T, F_V, F_I or F_TEMP times 8)
  ;;   +8 f64  the column's scale (unit factor), multiplied into the value
  (global (export "PLAN_AT") i32 (i32.const 128))
  (global (export "PLAN_MAX") i32 (i32.const 4))
  (global (export "PLAN_ENTRY_BYTES") i32 (i32.const 16))
  ;; Results of the last `rows` call, read by JS from memory after it returns (a typed-array
  ;; load; reading an exported global from JS is an API call, ~30 ns, and a file whose rows
  ;; all go back to JS makes one call per row):
  ;;   +0  i32  pos: where to go on (see the statuses below)
  ;;   +4  i32  count: records in the region now
  ;;   +8  i32  end: for ODD, the address of that row's LF
  ;;   +16 f64  line: lines counted so far (the 1-based number of the last one)
  (global (export "RESULTS_AT") i32 (i32.const 192))
  ;; Bytes used by the tables above; the reader puts the records region and the input buffer
  ;; after them.
  (global (export "TABLES_BYTES") i32 (i32.const 216))
  ;; Longest mantissa taken here: 15 digits keep it below 10^15 < 2^53 (exact in an f64) and
  ;; the fraction's power of ten within the table.
  (global (export "MAX_DIGITS") i32 (i32.const 15))

  ;; Record layout (batchLayout.ts: FIELDS_PER_RECORD = 8 f64; byte offsets of the fields).
  ;; These are the `offset=` immediates used in `rows` below.
  (global (export "RECORD_BYTES") i32 (i32.const 64))
  (global (export "LINE_AT") i32 (i32.const 0))
  (global (export "T_AT") i32 (i32.const 8))
  (global (export "V_AT") i32 (i32.const 16))
  (global (export "I_AT") i32 (i32.const 24))
  (global (export "TEMP_AT") i32 (i32.const 32))
  (global (export "STEP_KIND_AT") i32 (i32.const 40))
  (global (export "RESTORED_AT") i32 (i32.const 48))

  ;; Statuses `rows` returns.
  (global (export "DONE") i32 (i32.const 0)) ;; every row up to limit read; pos = limit + 1
  (global (export "FULL") i32 (i32.const 1)) ;; the records region is full; pos = next row
  (global (export "ODD") i32 (i32.const 2))  ;; pos = first byte of a row for JS to read, end = its LF; its line is not counted

  ;; ---- Settings of one read, from `setup`. ----
  (global $planEnd (mut i32) (i32.const 128)) ;; address after the last plan entry
  (global $delim (mut i32) (i32.const 44))    ;; field delimiter byte
  (global $out (mut i32) (i32.const 192))     ;; address of record 0
  (global $capacity (mut i32) (i32.const 1))  ;; records the region holds
  (global $sign (mut f64) (f64.const 1))      ;; the format's currentSign (+1 or -1)
  (global $stepUnknown (mut f64) (f64.const 0)) ;; STEP_UNKNOWN (host/import/record.ts)

  (func (export "setup")
    (param $planLen i32) (param $delim i32) (param $out i32) (param $capacity i32)
    (param $sign f64) (param $stepUnknown f64)
    (global.set $planEnd (i32.add (i32.const 128) (i32.shl (local.get $planLen) (i32.const 4))))
    (global.set $delim (local.get $delim))
    (global.set $out (local.get $out))
    (global.set $capacity (local.get $capacity))
    (global.set $sign (local.get $sign))
    (global.set $stepUnknown (local.get $stepUnknown)))

  ;; Rows of memory[p..limit] (memory[limit] = LF). $n: records already in the region
  ;; (< capacity); $line: lines counted before p. Returns DONE, FULL or ODD, with the results
  ;; (RESULTS_AT) set.
  (func (export "rows") (param $p i32) (param $limit i32) (param $n i32) (param $line f64) (result i32)
    (local $c i32)         ;; the byte at $p
    (local $rowStart i32)  ;; first byte of the current row
    (local $o i32)         ;; address of the current record
    (local $e i32)         ;; address of the current plan entry
    (local $skip i32)      ;; unbound columns still to skip before the entry's column
    (local $neg i32)       ;; the field began with '-'
    (local $mant i64)      ;; digits read so far, as an integer (exact: at most 15 digits kept)
    (local $digits i32)    ;; digits read (integer and fraction part)
    (local $frac i32)      ;; digits after the '.'
    (local $d i32)         ;; $c - '0' (a digit when <= 9 unsigned)
    (local $val f64)
    (local $t f64)
    (local $cur f64)
    (local $delim i32)
    (local $planEnd i32)
    (local $out i32)
    (local $capacity i32)
    (local.set $delim (global.get $delim))
    (local.set $planEnd (global.get $planEnd))
    (local.set $out (global.get $out))
    (local.set $capacity (global.get $capacity))
    (block $odd
      (block $full
        (block $done
          (loop $row
            (br_if $done (i32.gt_u (local.get $p) (local.get $limit)))
            (local.set $line (f64.add (local.get $line) (f64.const 1)))
            (local.set $c (i32.load8_u (local.get $p)))
            ;; An empty line: counted, no record (as fastRows).
            (if (i32.eq (local.get $c) (i32.const 10)) ;; LF
              (then
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $row)))
            (local.set $rowStart (local.get $p))
            (local.set $o (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 6)))) ;; n * RECORD_BYTES
            ;; Voltage and temperature are NaN unless bound (then the plan overwrites them).
            (f64.store offset=16 (local.get $o) (f64.const nan)) ;; V_AT
            (f64.store offset=32 (local.get $o) (f64.const nan)) ;; TEMP_AT
            (local.set $e (i32.const 128)) ;; PLAN_AT
            (loop $field
              ;; Skip the unbound columns before this one: up to their delimiter. A quote could
              ;; hide a delimiter and a line end means a missing field: JS decides those rows.
              (local.set $skip (i32.load (local.get $e)))
              (block $skipped
                (loop $nextColumn
                  (br_if $skipped (i32.eqz (local.get $skip)))
                  (block $atDelim
                    (loop $scan
                      (br_if $atDelim (i32.eq (local.get $c) (local.get $delim)))
                      (br_if $odd (i32.eq (local.get $c) (i32.const 10))) ;; LF
                      (br_if $odd (i32.eq (local.get $c) (i32.const 34))) ;; '"'
                      (local.set $p (i32.add (local.get $p) (i32.const 1)))
                      (local.set $c (i32.load8_u (local.get $p)))
                      (br $scan)))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (local.set $c (i32.load8_u (local.get $p)))
                  (local.set $skip (i32.sub (local.get $skip) (i32.const 1)))
                  (br $nextColumn)))
              ;; The bound field: [-]digits[.digits].
              (local.set $neg (i32.eq (local.get $c) (i32.const 45))) ;; '-'
              (if (local.get $neg)
                (then
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (local.set $c (i32.load8_u (local.get $p)))))
              (local.set $mant (i64.const 0))
              (local.set $digits (i32.const 0))
              (local.set $frac (i32.const 0))
              (local.set $d (i32.sub (local.get $c) (i32.const 48))) ;; '0'
              (block $intEnd
                (loop $int
                  (br_if $intEnd (i32.gt_u (local.get $d) (i32.const 9)))
                  (local.set $mant (i64.add (i64.mul (local.get $mant) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
                  (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (local.set $c (i32.load8_u (local.get $p)))
                  (local.set $d (i32.sub (local.get $c) (i32.const 48)))
                  (br $int)))
              (if (i32.eq (local.get $c) (i32.const 46)) ;; '.'
                (then
                  (local.set $frac (local.get $digits)) ;; integer digits, for now
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (local.set $c (i32.load8_u (local.get $p)))
                  (local.set $d (i32.sub (local.get $c) (i32.const 48)))
                  (block $fracEnd
                    (loop $fracDigit
                      (br_if $fracEnd (i32.gt_u (local.get $d) (i32.const 9)))
                      (local.set $mant (i64.add (i64.mul (local.get $mant) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
                      (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
                      (local.set $p (i32.add (local.get $p) (i32.const 1)))
                      (local.set $c (i32.load8_u (local.get $p)))
                      (local.set $d (i32.sub (local.get $c) (i32.const 48)))
                      (br $fracDigit)))
                  (local.set $frac (i32.sub (local.get $digits) (local.get $frac)))))
              ;; 1 to MAX_DIGITS (15) digits, else JS (no digit: not a number here; more: the
              ;; mantissa may not be exact, and the i64 may even have wrapped).
              (br_if $odd (i32.gt_u (i32.sub (local.get $digits) (i32.const 1)) (i32.const 14)))
              ;; mantissa < 10^15: exact as an f64, signed conversion is the same and cheaper.
              (local.set $val (f64.convert_i64_s (local.get $mant)))
              (if (local.get $frac)
                (then
                  (local.set $val (f64.div (local.get $val)
                    (f64.load (i32.shl (local.get $frac) (i32.const 3))))))) ;; POW10_AT + frac * 8
              (if (local.get $neg)
                (then (local.set $val (f64.neg (local.get $val)))))
              ;; value * scale, into the record field the column feeds.
              (f64.store
                (i32.add (local.get $o) (i32.load offset=4 (local.get $e)))
                (f64.mul (local.get $val) (f64.load offset=8 (local.get $e))))
              (local.set $e (i32.add (local.get $e) (i32.const 16))) ;; PLAN_ENTRY_BYTES
              (if (i32.lt_u (local.get $e) (local.get $planEnd))
                (then
                  ;; More bound columns: this field must end at a delimiter.
                  (br_if $odd (i32.ne (local.get $c) (local.get $delim)))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (local.set $c (i32.load8_u (local.get $p)))
                  (br $field))))
            ;; After the last bound field: a delimiter (then skip to the LF: quotes and CRs there
            ;; change no value read, as in fastRows), an LF, or CR LF.
            (if (i32.eq (local.get $c) (local.get $delim))
              (then
                (loop $toLf
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (br_if $toLf (i32.ne (i32.load8_u (local.get $p)) (i32.const 10)))))
              (else
                (if (i32.eq (local.get $c) (i32.const 13)) ;; CR
                  (then
                    (br_if $odd (i32.ne (i32.load8_u offset=1 (local.get $p)) (i32.const 10)))
                    (local.set $p (i32.add (local.get $p) (i32.const 1))))
                  (else
                    (br_if $odd (i32.ne (local.get $c) (i32.const 10)))))))
            ;; memory[p] is this row's LF. A time or current that is not finite: JS (its skip
            ;; message is the generic importer's).
            (local.set $t (f64.load offset=8 (local.get $o)))   ;; T_AT
            (local.set $cur (f64.load offset=24 (local.get $o))) ;; I_AT
            (br_if $odd (i32.eqz (f64.lt (f64.abs (local.get $t)) (f64.const inf))))
            (br_if $odd (i32.eqz (f64.lt (f64.abs (local.get $cur)) (f64.const inf))))
            ;; The format's current sign, then no -0 (fastRows: `cur *= sign; if (cur === 0) cur = 0`).
            (local.set $cur (f64.mul (local.get $cur) (global.get $sign)))
            (if (f64.eq (local.get $cur) (f64.const 0))
              (then (local.set $cur (f64.const 0))))
            (f64.store offset=24 (local.get $o) (local.get $cur))           ;; I_AT
            (f64.store offset=0 (local.get $o) (local.get $line))           ;; LINE_AT
            (f64.store offset=40 (local.get $o) (global.get $stepUnknown))  ;; STEP_KIND_AT
            (f64.store offset=48 (local.get $o) (f64.const 0))              ;; RESTORED_AT
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $full (i32.eq (local.get $n) (local.get $capacity)))
            (br $row)))
        ;; DONE
        (i32.store offset=192 (i32.const 0) (local.get $p))     ;; pos
        (i32.store offset=196 (i32.const 0) (local.get $n))     ;; count
        (f64.store offset=208 (i32.const 0) (local.get $line))  ;; line
        (return (i32.const 0)))
      ;; FULL
      (i32.store offset=192 (i32.const 0) (local.get $p))
      (i32.store offset=196 (i32.const 0) (local.get $n))
      (f64.store offset=208 (i32.const 0) (local.get $line))
      (return (i32.const 1)))
    ;; ODD: the row at rowStart is JS's, line count included. $p has not passed the row's LF
    ;; (every check above stops at or before it): find it for JS.
    (block $atLf
      (loop $toRowEnd
        (br_if $atLf (i32.eq (i32.load8_u (local.get $p)) (i32.const 10)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $toRowEnd)))
    (i32.store offset=192 (i32.const 0) (local.get $rowStart))
    (i32.store offset=196 (i32.const 0) (local.get $n))
    (i32.store offset=200 (i32.const 0) (local.get $p))                          ;; end
    (f64.store offset=208 (i32.const 0) (f64.sub (local.get $line) (f64.const 1)))
    (i32.const 2)))
