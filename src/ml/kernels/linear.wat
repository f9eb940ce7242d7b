;; The two products of every linear fit, X·w and Xᵀr, over a float32 matrix with float64 accumulation, in
;; WebAssembly SIMD (f64x2). Built into linearWasm.ts by `npm run kernels` (scripts/buildKernels.ts).
;;
;; Every output is summed in exactly the order of the plain loops in matrixOps.ts (gemv: intercept, then j
;; ascending; gemvT: i ascending), one IEEE float64 multiply and one add per term and no fused multiply-add, so the
;; results are identical to the last bit: the SIMD lanes are different outputs, never parts of one sum.
;;
;; Layout (byte offsets into the exported memory, chosen by the caller):
;;   gemv:  xp = X in panels of 16 rows (panels × cols × 16 f32, any values in the rows after the last), w (cols f64),
;;          out (panels × 16 f64)
;;   gemvT: xp = the same panels, r (rows f64), out (cols f64)
(module
  (memory (export "memory") 1)

  ;; out[i] = b + Σ_j x[i, j] · w[j] (j ascending), sixteen rows at a time (eight f64x2 accumulators) over X packed
  ;; in panels: panel k holds rows 16k..16k+15 column after column (16 f32 = 64 bytes per column), so that a panel
  ;; is one contiguous run of memory (column-major X made every pass of sixteen rows touch a cache line in each of
  ;; `cols` columns a whole column apart). The rows past the last (padding of the last panel) are computed too:
  ;; the caller keeps `out` room for them and ignores them.
  (func (export "gemv") (param $xp i32) (param $panels i32) (param $cols i32) (param $w i32) (param $b f64) (param $out i32)
    (local $k i32) (local $j i32) (local $p i32) (local $o i32)
    (local $wj v128) (local $v v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $p (local.get $xp))
    (local.set $o (local.get $out))
    (block $panels_done
      (loop $panels_loop
        (br_if $panels_done (i32.ge_u (local.get $k) (local.get $panels)))
        (local.set $a0 (f64x2.splat (local.get $b)))
        (local.set $a1 (local.get $a0))
        (local.set $a2 (local.get $a0))
        (local.set $a3 (local.get $a0))
        (local.set $a4 (local.get $a0))
        (local.set $a5 (local.get $a0))
        (local.set $a6 (local.get $a0))
        (local.set $a7 (local.get $a0))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols_loop
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $cols)))
            (local.set $wj (f64x2.splat (f64.load (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3))))))
            (local.set $v (v128.load (local.get $p)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $wj))))
            (local.set $a1 (f64x2.add (local.get $a1)
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $wj))))
            (local.set $v (v128.load offset=16 (local.get $p)))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $wj))))
            (local.set $a3 (f64x2.add (local.get $a3)
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $wj))))
            (local.set $v (v128.load offset=32 (local.get $p)))
            (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $wj))))
            (local.set $a5 (f64x2.add (local.get $a5)
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $wj))))
            (local.set $v (v128.load offset=48 (local.get $p)))
            (local.set $a6 (f64x2.add (local.get $a6) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $wj))))
            (local.set $a7 (f64x2.add (local.get $a7)
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $wj))))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $cols_loop)))
        (v128.store (local.get $o) (local.get $a0))
        (v128.store offset=16 (local.get $o) (local.get $a1))
        (v128.store offset=32 (local.get $o) (local.get $a2))
        (v128.store offset=48 (local.get $o) (local.get $a3))
        (v128.store offset=64 (local.get $o) (local.get $a4))
        (v128.store offset=80 (local.get $o) (local.get $a5))
        (v128.store offset=96 (local.get $o) (local.get $a6))
        (v128.store offset=112 (local.get $o) (local.get $a7))
        (local.set $o (i32.add (local.get $o) (i32.const 128)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $panels_loop))))

  ;; out[j] = Σ_i x[i, j] · r[i] (i ascending), over the same panels as gemv: each panel's sixteen rows in two
  ;; passes of eight, two columns per f64x2 (column j's eight values and column j+1's, 64 bytes apart, interleaved
  ;; by shuffles), so out[j] = ((out[j] + x[i,j]·r[i]) + x[i+1,j]·r[i+1]) + …, as matrixOps.ts's gemvTBlocked; the
  ;; rows of a last, partial panel one at a time (its padding rows are never read).
  (func (export "gemvT") (param $xp i32) (param $rows i32) (param $cols i32) (param $r i32) (param $out i32)
    (local $k i32) (local $full i32) (local $h i32) (local $i i32) (local $j i32) (local $p i32) (local $o i32)
    (local $panel i32) (local $pstride i32) (local $pairs i32) (local $q i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $r4 v128) (local $r5 v128) (local $r6 v128) (local $r7 v128)
    (local $va v128) (local $vb v128) (local $lo v128) (local $hi v128)
    (local $acc v128) (local $s f64) (local $ri f64)
    (local.set $pstride (i32.shl (local.get $cols) (i32.const 6)))
    (local.set $pairs (i32.and (local.get $cols) (i32.const -2)))
    (local.set $full (i32.shr_u (local.get $rows) (i32.const 4)))
    ;; out = 0
    (local.set $j (i32.const 0))
    (block $zero_done
      (loop $zero
        (br_if $zero_done (i32.ge_u (local.get $j) (local.get $cols)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (f64.const 0))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $zero)))
    (local.set $panel (local.get $xp))
    (block $panels_done
      (loop $panels_loop
        (br_if $panels_done (i32.ge_u (local.get $k) (local.get $full)))
        ;; rows 16k + h .. 16k + h + 7, h = 0 then 8
        (local.set $h (i32.const 0))
        (block $halves_done
          (loop $halves
            (br_if $halves_done (i32.ge_u (local.get $h) (i32.const 16)))
            (local.set $q (i32.add (local.get $r) (i32.shl (i32.add (i32.shl (local.get $k) (i32.const 4)) (local.get $h)) (i32.const 3))))
            (local.set $r0 (v128.load64_splat (local.get $q)))
            (local.set $r1 (v128.load64_splat offset=8 (local.get $q)))
            (local.set $r2 (v128.load64_splat offset=16 (local.get $q)))
            (local.set $r3 (v128.load64_splat offset=24 (local.get $q)))
            (local.set $r4 (v128.load64_splat offset=32 (local.get $q)))
            (local.set $r5 (v128.load64_splat offset=40 (local.get $q)))
            (local.set $r6 (v128.load64_splat offset=48 (local.get $q)))
            (local.set $r7 (v128.load64_splat offset=56 (local.get $q)))
            (local.set $j (i32.const 0))
            (block $pairs_done
              (loop $pairs_loop
                (br_if $pairs_done (i32.ge_u (local.get $j) (local.get $pairs)))
                (local.set $o (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
                (local.set $p (i32.add (i32.add (local.get $panel) (i32.shl (local.get $j) (i32.const 6))) (i32.shl (local.get $h) (i32.const 2))))
                (local.set $acc (v128.load (local.get $o)))
            (local.set $va (v128.load offset=0 (local.get $p)))
            (local.set $vb (v128.load offset=64 (local.get $p)))
            (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $va) (local.get $vb)))
            (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $va) (local.get $vb)))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $lo)) (local.get $r0))))
            (local.set $acc (f64x2.add (local.get $acc)
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))) (local.get $r1))))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $hi)) (local.get $r2))))
            (local.set $acc (f64x2.add (local.get $acc)
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hi) (local.get $hi))) (local.get $r3))))
            (local.set $va (v128.load offset=16 (local.get $p)))
            (local.set $vb (v128.load offset=80 (local.get $p)))
            (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $va) (local.get $vb)))
            (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $va) (local.get $vb)))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $lo)) (local.get $r4))))
            (local.set $acc (f64x2.add (local.get $acc)
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))) (local.get $r5))))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $hi)) (local.get $r6))))
            (local.set $acc (f64x2.add (local.get $acc)
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hi) (local.get $hi))) (local.get $r7))))
                (v128.store (local.get $o) (local.get $acc))
                (local.set $j (i32.add (local.get $j) (i32.const 2)))
                (br $pairs_loop)))
            ;; an odd last column: the same eight terms, scalar
            (if (i32.lt_u (local.get $j) (local.get $cols))
              (then
                (local.set $o (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
                (local.set $p (i32.add (i32.add (local.get $panel) (i32.shl (local.get $j) (i32.const 6))) (i32.shl (local.get $h) (i32.const 2))))
                (local.set $s (f64.load (local.get $o)))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64.promote_f32 (f32.load offset=0 (local.get $p))) (f64x2.extract_lane 0 (local.get $r0)))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64.promote_f32 (f32.load offset=4 (local.get $p))) (f64x2.extract_lane 0 (local.get $r1)))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64.promote_f32 (f32.load offset=8 (local.get $p))) (f64x2.extract_lane 0 (local.get $r2)))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64.promote_f32 (f32.load offset=12 (local.get $p))) (f64x2.extract_lane 0 (local.get $r3)))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64.promote_f32 (f32.load offset=16 (local.get $p))) (f64x2.extract_lane 0 (local.get $r4)))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64.promote_f32 (f32.load offset=20 (local.get $p))) (f64x2.extract_lane 0 (local.get $r5)))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64.promote_f32 (f32.load offset=24 (local.get $p))) (f64x2.extract_lane 0 (local.get $r6)))))
            (local.set $s (f64.add (local.get $s) (f64.mul (f64.promote_f32 (f32.load offset=28 (local.get $p))) (f64x2.extract_lane 0 (local.get $r7)))))
                (f64.store (local.get $o) (local.get $s))))
            (local.set $h (i32.add (local.get $h) (i32.const 8)))
            (br $halves)))
        (local.set $panel (i32.add (local.get $panel) (local.get $pstride)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $panels_loop)))
    ;; the rows of the last, partial panel one at a time: out[j] += x[i,j]·r[i]
    (local.set $i (i32.shl (local.get $full) (i32.const 4)))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $ri (f64.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $p (i32.add (local.get $panel) (i32.shl (i32.and (local.get $i) (i32.const 15)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $j) (local.get $cols)))
            (local.set $o (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
            (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (f64.mul (f64.promote_f32 (f32.load (local.get $p))) (local.get $ri))))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $tail)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows_loop))))
)
