;; The fused filter + score pass of kernel.ts (fusedChunk) as WebAssembly, over node-table rows
;; and scan buffers that live in one shared memory (arena.ts). Same arithmetic, same order, same
;; results, bit for bit: every operation is an IEEE double operation JavaScript performs too
;; (+, -, *, /, trunc, abs, comparisons; two-lane f64x2 ones where cpu and memory take the same
;; steps), so the results cannot differ. It runs 1.3–2.5x faster than the JavaScript loop
;; (same process, scheduler benchmark), with nothing bounds- or type-checked per element.
;;
;; Build: `npm run build:wasm` compiles this file into fused-wasm.ts (a test checks they agree).
;; Offsets below must equal layout.ts (rows: num 16 doubles = 128 bytes, ints 8 ints = 32 bytes;
;; N_ALLOC_CPU 0, N_ALLOC_MEM 8, N_NZ_CPU 16, N_NZ_MEM 24, N_REQ_CPU 32, N_REQ_MEM 40,
;; N_ALLOC_PODS 48, N_POD_COUNT 56, N_ALLOC_EPH 64, N_REQ_EPH 72;
;; I_UNSCHED 4, I_TAINTSET 8) and the selection summary (SEL_FEASIBLE 0, SEL_MAX_TAINT 8,
;; SEL_NLEVELS 16, SEL_OVERFLOW 24, SEL_BEST 32, SEL_COUNT 40, SEL_LEVELS 64, SEL_FINAL 4160,
;; SEL_MAX_LEVELS 256, SEL_MAX_FINAL 1024); wasm-kernel.test.ts checks them.
;; The parameter block `prm` holds kernel.ts's FUSED_PARAMS (FP_* index × 8).
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; fitCpuMem of kernel.ts: Least (0) or MostAllocated (1) over cpu and memory, Go's integer
  ;; division done as trunc of the double quotient, as JavaScript does it.
  (func $fitCpuMem (param $ac f64) (param $am f64) (param $qc f64) (param $qm f64)
    (param $strategy f64) (param $w0 f64) (param $w1 f64) (result f64)
    (local $score f64) (local $ws f64)
    (if (f64.ne (local.get $ac) (f64.const 0))
      (then
        (local.set $score (f64.mul
          (if (result f64) (f64.eq (local.get $strategy) (f64.const 0))
            (then (if (result f64) (f64.gt (local.get $qc) (local.get $ac))
              (then (f64.const 0))
              (else (f64.trunc (f64.div (f64.mul (f64.sub (local.get $ac) (local.get $qc)) (f64.const 100)) (local.get $ac))))))
            (else (f64.trunc (f64.div
              (f64.mul (select (local.get $ac) (local.get $qc) (f64.gt (local.get $qc) (local.get $ac))) (f64.const 100))
              (local.get $ac)))))
          (local.get $w0)))
        (local.set $ws (local.get $w0))))
    (if (f64.ne (local.get $am) (f64.const 0))
      (then
        (local.set $score (f64.add (local.get $score) (f64.mul
          (if (result f64) (f64.eq (local.get $strategy) (f64.const 0))
            (then (if (result f64) (f64.gt (local.get $qm) (local.get $am))
              (then (f64.const 0))
              (else (f64.trunc (f64.div (f64.mul (f64.sub (local.get $am) (local.get $qm)) (f64.const 100)) (local.get $am))))))
            (else (f64.trunc (f64.div
              (f64.mul (select (local.get $am) (local.get $qm) (f64.gt (local.get $qm) (local.get $am))) (f64.const 100))
              (local.get $am)))))
          (local.get $w1))))
        (local.set $ws (f64.add (local.get $ws) (local.get $w1)))))
    (if (result f64) (f64.eq (local.get $ws) (f64.const 0))
      (then (f64.const 0))
      (else (f64.trunc (f64.div (local.get $score) (local.get $ws))))))

  ;; fusedChunk over positions [from, to): byte offsets of the table's num/ints/order rows, the
  ;; outputs (out, feas, totals, taintRaw: indexed like kernel.ts), the selection summary
  ;; region, the pod's taint tables (filter result and raw score per taint set, copied from the
  ;; program) and the parameter block. Returns the end position.
  (func (export "scan")
    (param $num i32) (param $ints i32) (param $order i32)
    (param $out i32) (param $feas i32) (param $totals i32) (param $taintRaw i32) (param $sel i32)
    (param $taintF i32) (param $taintS i32) (param $prm i32)
    (param $start i32) (param $len i32) (param $from i32) (param $to i32)
    (param $need i32) (param $feasAt i32) (param $positional i32)
    (result i32)
    (local $doUnsched i32) (local $doName i32) (local $target i32) (local $taintLen i32)
    (local $podLim f64) (local $cpuLim f64) (local $memLim f64) (local $doEph i32) (local $ephLim f64)
    (local $wFit f64) (local $wBal f64) (local $wTaint f64) (local $wImg f64)
    (local $strategy f64) (local $fw0 f64) (local $fCpu f64) (local $fw1 f64) (local $fMem f64)
    (local $fwsInv f64) (local $bCpu f64) (local $bMem f64) (local $sLen i32) (local $imgConst f64)
    (local $best f64) (local $count i32) (local $nLev i32) (local $over i32) (local $maxTaint f64)
    (local $feasible i32) (local $end i32)
    (local $pos i32) (local $i i32) (local $slot i32) (local $ib i32) (local $nb i32) (local $set i32)
    (local $j i32) (local $ac f64) (local $am f64) (local $rc f64) (local $rm f64)
    (local $qc f64) (local $qm f64) (local $sc f64) (local $sm f64) (local $total f64) (local $raw f64)
    (local $fc f64) (local $fm f64)
    (local $A v128) (local $R v128) (local $Q v128) (local $S v128) (local $F v128) (local $Bq v128)
    (local.set $doUnsched (f64.ne (f64.load offset=0 (local.get $prm)) (f64.const 0)))
    (local.set $doName (f64.ne (f64.load offset=8 (local.get $prm)) (f64.const 0)))
    (local.set $target (i32.trunc_sat_f64_s (f64.load offset=16 (local.get $prm))))
    (local.set $taintLen (i32.trunc_sat_f64_s (f64.load offset=32 (local.get $prm))))
    (local.set $podLim (f64.load offset=40 (local.get $prm)))
    (local.set $cpuLim (f64.load offset=48 (local.get $prm)))
    (local.set $memLim (f64.load offset=56 (local.get $prm)))
    (local.set $doEph (f64.ne (f64.load offset=64 (local.get $prm)) (f64.const 0)))
    (local.set $ephLim (f64.load offset=72 (local.get $prm)))
    (local.set $wFit (f64.load offset=80 (local.get $prm)))
    (local.set $wBal (f64.load offset=88 (local.get $prm)))
    (local.set $wTaint (f64.load offset=96 (local.get $prm)))
    (local.set $wImg (f64.load offset=104 (local.get $prm)))
    (local.set $strategy (f64.load offset=112 (local.get $prm)))
    (local.set $fw0 (f64.load offset=120 (local.get $prm)))
    (local.set $fCpu (f64.load offset=128 (local.get $prm)))
    (local.set $fw1 (f64.load offset=136 (local.get $prm)))
    (local.set $fMem (f64.load offset=144 (local.get $prm)))
    (local.set $fwsInv (f64.load offset=152 (local.get $prm)))
    (local.set $bCpu (f64.load offset=160 (local.get $prm)))
    (local.set $bMem (f64.load offset=168 (local.get $prm)))
    (local.set $sLen (i32.trunc_sat_f64_s (f64.load offset=184 (local.get $prm))))
    (local.set $imgConst (f64.load offset=200 (local.get $prm)))
    (local.set $F (f64x2.replace_lane 1 (f64x2.splat (local.get $fCpu)) (local.get $fMem)))
    (local.set $Bq (f64x2.replace_lane 1 (f64x2.splat (local.get $bCpu)) (local.get $bMem)))
    (local.set $maxTaint (f64.load offset=8 (local.get $sel)))
    (local.set $nLev (i32.trunc_sat_f64_s (f64.load offset=16 (local.get $sel))))
    (local.set $over (i32.trunc_sat_f64_s (f64.load offset=24 (local.get $sel))))
    (local.set $best (f64.load offset=32 (local.get $sel)))
    (local.set $count (i32.trunc_sat_f64_s (f64.load offset=40 (local.get $sel))))
    (local.set $end (local.get $to))
    (local.set $pos (local.get $from))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $pos) (local.get $to)))
        (local.set $i (i32.add (local.get $start) (local.get $pos)))
        (if (i32.ge_s (local.get $i) (local.get $len))
          (then (local.set $i (i32.sub (local.get $i) (local.get $len)))))
        (local.set $slot (i32.load (i32.add (local.get $order) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $ib (i32.add (local.get $ints) (i32.shl (local.get $slot) (i32.const 5))))
        (local.set $nb (i32.add (local.get $num) (i32.shl (local.get $slot) (i32.const 7))))
        (local.set $set (i32.load offset=8 (local.get $ib)))
        ;; cpu and memory side by side: allocatable, requested (and below non-zero requested)
        ;; are adjacent columns, so one 128-bit load and one f64x2 operation serve both.
        (local.set $A (v128.load offset=0 (local.get $nb)))
        (local.set $R (v128.load offset=32 (local.get $nb)))
        (local.set $ac (f64x2.extract_lane 0 (local.get $A)))
        (local.set $am (f64x2.extract_lane 1 (local.get $A)))
        (local.set $rc (f64x2.extract_lane 0 (local.get $R)))
        (local.set $rm (f64x2.extract_lane 1 (local.get $R)))
        (block $feasibleNode
          (block $infeasible
            (br_if $infeasible (i32.and (local.get $doUnsched)
              (i32.ne (i32.load offset=4 (local.get $ib)) (i32.const 0))))
            (br_if $infeasible (i32.and (local.get $doName) (i32.ne (local.get $slot) (local.get $target))))
            (if (i32.lt_s (local.get $set) (local.get $taintLen))
              (then (br_if $infeasible (i32.ne
                (i32.load (i32.add (local.get $taintF) (i32.shl (local.get $set) (i32.const 2))))
                (i32.const 0)))))
            (br_if $infeasible (f64.gt
              (f64.add (f64.load offset=56 (local.get $nb)) (local.get $podLim))
              (f64.load offset=48 (local.get $nb))))
            (br_if $infeasible (f64.gt (local.get $cpuLim) (f64.sub (local.get $ac) (local.get $rc))))
            (br_if $infeasible (f64.gt (local.get $memLim) (f64.sub (local.get $am) (local.get $rm))))
            (if (local.get $doEph)
              (then (br_if $infeasible (f64.gt (local.get $ephLim)
                (f64.sub (f64.load offset=64 (local.get $nb)) (f64.load offset=72 (local.get $nb)))))))
            (br $feasibleNode))
          ;; Infeasible: FAIL_PENDING (layout.ts); the failure is computed if it is ever needed.
          (i32.store (i32.add (local.get $out) (i32.shl (local.get $pos) (i32.const 2))) (i32.const 0x7fffffff))
          (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
          (br $next))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $pos) (i32.const 2))) (i32.const 0))
        (local.set $j (select (local.get $pos) (i32.add (local.get $feasAt) (local.get $feasible)) (local.get $positional)))
        (i32.store (i32.add (local.get $feas) (i32.shl (local.get $j) (i32.const 2))) (local.get $slot))
        (local.set $total (f64.const 0))
        (if (f64.gt (local.get $wFit) (f64.const 0))
          (then
            (local.set $Q (f64x2.add (v128.load offset=16 (local.get $nb)) (local.get $F)))
            (local.set $qc (f64x2.extract_lane 0 (local.get $Q)))
            (local.set $qm (f64x2.extract_lane 1 (local.get $Q)))
            (if (i32.and (f64.gt (local.get $fwsInv) (f64.const 0))
                  (i32.and (f64.ne (local.get $ac) (f64.const 0)) (f64.ne (local.get $am) (f64.const 0))))
              (then
                ;; Go's int64 division of LeastAllocated, (alloc − req)·100 / alloc, as trunc of the
                ;; double quotient: exact for these integers (kernel.ts exactDiv explains why),
                ;; and a hardware division here is cheaper than loading the reciprocal columns.
                (local.set $S (v128.bitselect (v128.const f64x2 0 0)
                  (f64x2.trunc (f64x2.div
                    (f64x2.mul (f64x2.sub (local.get $A) (local.get $Q)) (v128.const f64x2 100 100))
                    (local.get $A)))
                  (f64x2.gt (local.get $Q) (local.get $A))))
                (local.set $sc (f64x2.extract_lane 0 (local.get $S)))
                (local.set $sm (f64x2.extract_lane 1 (local.get $S)))
                (local.set $total (f64.mul
                  (f64.trunc (f64.mul
                    (f64.add (f64.mul (local.get $sc) (local.get $fw0)) (f64.mul (local.get $sm) (local.get $fw1)))
                    (local.get $fwsInv)))
                  (local.get $wFit))))
              (else
                (local.set $total (f64.mul
                  (call $fitCpuMem (local.get $ac) (local.get $am) (local.get $qc) (local.get $qm)
                    (local.get $strategy) (local.get $fw0) (local.get $fw1))
                  (local.get $wFit)))))))
        (if (f64.gt (local.get $wBal) (f64.const 0))
          (then
            ;; balancedCpuMem of kernel.ts, inlined: 100 when an allocatable is 0, else
            ;; trunc((1 − |min(qc/ac, 1) − min(qm/am, 1)| / 2) · 100).
            (local.set $total (f64.add (local.get $total) (f64.mul
              (if (result f64) (i32.or (f64.eq (local.get $ac) (f64.const 0)) (f64.eq (local.get $am) (f64.const 0)))
                (then (f64.const 100))
                (else
                  ;; pmin(x, 1) = 1 < x ? 1 : x, the `if (f > 1) f = 1` of kernel.ts.
                  (local.set $S (f64x2.pmin
                    (f64x2.div (f64x2.add (local.get $R) (local.get $Bq)) (local.get $A))
                    (v128.const f64x2 1 1)))
                  (local.set $fc (f64x2.extract_lane 0 (local.get $S)))
                  (local.set $fm (f64x2.extract_lane 1 (local.get $S)))
                  (f64.trunc (f64.mul
                    (f64.sub (f64.const 1) (f64.abs (f64.div (f64.sub (local.get $fc) (local.get $fm)) (f64.const 2))))
                    (f64.const 100)))))
              (local.get $wBal))))))
        (if (f64.gt (local.get $wImg) (f64.const 0))
          (then (local.set $total (f64.add (local.get $total) (f64.mul (local.get $imgConst) (local.get $wImg))))))
        (f64.store (i32.add (local.get $totals) (i32.shl (local.get $j) (i32.const 3))) (local.get $total))
        (if (f64.gt (local.get $wTaint) (f64.const 0))
          (then
            (local.set $raw (if (result f64) (i32.lt_s (local.get $set) (local.get $sLen))
              (then (f64.convert_i32_s
                (i32.load (i32.add (local.get $taintS) (i32.shl (local.get $set) (i32.const 2))))))
              (else (f64.const 0))))
            (f64.store (i32.add (local.get $taintRaw) (i32.shl (local.get $j) (i32.const 3))) (local.get $raw))
            (if (f64.gt (local.get $raw) (local.get $maxTaint)) (then (local.set $maxTaint (local.get $raw))))))
        ;; Running-maximum levels and the ties of the current best (kernel.ts fusedChunk).
        (if (f64.ge (local.get $total) (local.get $best))
          (then
            (if (f64.gt (local.get $total) (local.get $best))
              (then
                (if (i32.gt_s (local.get $count) (i32.const 0))
                  (then
                    (if (i32.lt_s (local.get $nLev) (i32.const 256))
                      (then
                        (f64.store offset=64
                          (i32.add (local.get $sel) (i32.shl (local.get $nLev) (i32.const 4)))
                          (local.get $best))
                        (f64.store offset=72
                          (i32.add (local.get $sel) (i32.shl (local.get $nLev) (i32.const 4)))
                          (f64.convert_i32_s (local.get $count)))
                        (local.set $nLev (i32.add (local.get $nLev) (i32.const 1))))
                      (else (local.set $over (i32.const 1))))))
                (local.set $best (local.get $total))
                (local.set $count (i32.const 0))))
            (if (i32.lt_s (local.get $count) (i32.const 1024))
              (then (f64.store offset=4160
                (i32.add (local.get $sel) (i32.shl (local.get $count) (i32.const 3)))
                (f64.convert_i32_s (local.get $j)))))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $feasible (i32.add (local.get $feasible) (i32.const 1)))
        (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
        (if (i32.and (i32.eq (local.get $feasible) (local.get $need)) (i32.eqz (local.get $positional)))
          (then
            (local.set $end (local.get $pos))
            (br $done)))
        (br $next)))
    (f64.store offset=0 (local.get $sel)
      (f64.add (f64.load offset=0 (local.get $sel)) (f64.convert_i32_s (local.get $feasible))))
    (f64.store offset=8 (local.get $sel) (local.get $maxTaint))
    (f64.store offset=16 (local.get $sel) (f64.convert_i32_s (local.get $nLev)))
    (f64.store offset=24 (local.get $sel) (f64.convert_i32_s (local.get $over)))
    (f64.store offset=32 (local.get $sel) (local.get $best))
    (f64.store offset=40 (local.get $sel) (f64.convert_i32_s (local.get $count)))
    (local.get $end))
)
