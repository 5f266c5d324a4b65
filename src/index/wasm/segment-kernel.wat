;; The lookup hot path of one PDQ bucket table (src/index/bucket-table.ts) in WebAssembly SIMD:
;; gather the probed buckets' segments, touch them, filter them 16 entries per step, and turn
;; hits into entry ids (L tables) or 32-bit word values to resolve (R tables). The TypeScript
;; path in src/index/pdq-index.ts is the reference; test/index/ compares the two bit for bit.
;;
;; Every table has its own memory (so each stays under wasm32's 4 GB at 100M entries) and its
;; own instance of this module. Layout of that memory, in bytes (exported so TypeScript reads it):
;;   MASKS   2,048 u16 probe masks ordered by popcount (probe-masks.ts), copied in at creation
;;   SEGS    segments of one scan: [start, length, limit, key] as 4 × u32, SEG_CAP of them
;;   IN      u32 words to resolve (hi | lo << 16), IN_CAP of them
;;   OUT     u32 results (ids, or words), OUT_CAP of them; a scan suspends when it is full
;;   STAMPS  65,536 u32 generation stamps: an R bucket resolves each word value once
;;   META    65,536 × [start, length] u32: the bucket headers
;;   POOLS   the `others` pool (u16 × pool size), then the ids pool (u32 × pool size, L tables),
;;           then 32 bytes of padding for the last 16-entry load of a segment.
;; Rebuild the .wasm with `npm run build:wasm` (scripts/build-index-wasm.ts).
(module
  (import "env" "memory" (memory 1))

  (global $MASKS (export "MASKS") i32 (i32.const 0))
  (global $SEGS (export "SEGS") i32 (i32.const 4096))
  (global $IN (export "IN") i32 (i32.const 135168))
  (global $OUT (export "OUT") i32 (i32.const 167936))
  (global $STAMPS (export "STAMPS") i32 (i32.const 200704))
  (global $META (export "META") i32 (i32.const 462848))
  (global $POOLS (export "POOLS") i32 (i32.const 987136))
  (global $SEG_CAP (export "SEG_CAP") i32 (i32.const 8192))
  (global $IO_CAP (export "IO_CAP") i32 (i32.const 8192))

  ;; Byte addresses of the pools, set by `setPools` whenever the table is laid out.
  (global $others (mut i32) (i32.const 0))
  (global $ids (mut i32) (i32.const 0))
  ;; Where a suspended scan resumes: segment index and entry position (-1: segment start).
  (global $seg (mut i32) (i32.const 0))
  (global $pos (mut i32) (i32.const -1))
  (global $more (mut i32) (i32.const 0))
  (global $gen (mut i32) (i32.const 0))
  ;; Sum of the touch loads, kept so no engine may treat them as dead.
  (global $sink (mut i32) (i32.const 0))

  (func (export "setPools") (param $others i32) (param $ids i32)
    (global.set $others (local.get $others))
    (global.set $ids (local.get $ids)))

  ;; 1 when the last scan stopped because OUT was full (call scan again with resume = 1).
  (func (export "more") (result i32) (global.get $more))

  (func (export "sink") (result i32) (global.get $sink))

  ;; Loads one byte of every cache line of every gathered segment, so that the misses of all
  ;; segments overlap before the scan needs them (a dependent miss costs ~1 µs on this VM).
  (func $touch (export "touch") (param $n i32)
    (local $p i32) (local $a i32) (local $e i32) (local $s i32)
    (local.set $p (global.get $SEGS))
    (local.set $e (i32.add (global.get $SEGS) (i32.shl (local.get $n) (i32.const 4))))
    (block $done
      (loop $segs
        (br_if $done (i32.ge_u (local.get $p) (local.get $e)))
        (local.set $a (i32.add (global.get $others) (i32.shl (i32.load (local.get $p)) (i32.const 1))))
        (local.set $s (i32.add (local.get $a) (i32.shl (i32.load offset=4 (local.get $p)) (i32.const 1))))
        (loop $lines
          (global.set $sink (i32.add (global.get $sink) (i32.load8_u (local.get $a))))
          (local.set $a (i32.add (i32.and (local.get $a) (i32.const -64)) (i32.const 64)))
          (br_if $lines (i32.lt_u (local.get $a) (local.get $s))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $segs))))

  ;; Phase 1: the non-empty buckets among key ^ MASKS[0 .. probes) into SEGS, each with its
  ;; limit t − popcount(mask) (the whole word must be within t). Returns the count. Phase 2 is
  ;; `touch`, called apart so that the header misses of all 16 tables overlap first.
  (func (export "gather") (param $key i32) (param $probes i32) (param $t i32) (result i32)
    (local $m i32) (local $mask i32) (local $b i32) (local $len i32) (local $n i32) (local $p i32)
    (block $done
      (loop $probe
        (br_if $done (i32.ge_u (local.get $m) (local.get $probes)))
        (local.set $mask (i32.load16_u (i32.add (global.get $MASKS) (i32.shl (local.get $m) (i32.const 1)))))
        (local.set $b (i32.add (global.get $META)
          (i32.shl (i32.xor (local.get $key) (local.get $mask)) (i32.const 3))))
        (local.set $len (i32.load offset=4 (local.get $b)))
        (if (local.get $len)
          (then
            (local.set $p (i32.add (global.get $SEGS) (i32.shl (local.get $n) (i32.const 4))))
            (i32.store (local.get $p) (i32.load (local.get $b)))
            (i32.store offset=4 (local.get $p) (local.get $len))
            (i32.store offset=8 (local.get $p) (i32.sub (local.get $t) (i32.popcnt (local.get $mask))))
            (i32.store offset=12 (local.get $p) (i32.xor (local.get $key) (local.get $mask)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $probe)))
    (local.get $n))

  ;; Phase 4 (L tables): the words IN[0 .. count) (hi | lo << 16) → segments of bucket hi whose
  ;; entries must equal lo exactly (limit 0, compared with the segment key). Returns the count.
  (func (export "gatherWords") (param $count i32) (result i32)
    (local $i i32) (local $word i32) (local $b i32) (local $len i32) (local $n i32) (local $p i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $word (i32.load (i32.add (global.get $IN) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $b (i32.add (global.get $META)
          (i32.shl (i32.and (local.get $word) (i32.const 0xffff)) (i32.const 3))))
        (local.set $len (i32.load offset=4 (local.get $b)))
        (if (local.get $len)
          (then
            (local.set $p (i32.add (global.get $SEGS) (i32.shl (local.get $n) (i32.const 4))))
            (i32.store (local.get $p) (i32.load (local.get $b)))
            (i32.store offset=4 (local.get $p) (local.get $len))
            (i32.store offset=8 (local.get $p) (i32.const 0))
            (i32.store offset=12 (local.get $p) (i32.shr_u (local.get $word) (i32.const 16)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $touch (local.get $n))
    (local.get $n))

  ;; OUT[0 .. n): pool positions → entry ids, in place. Apart from the scan so that these
  ;; random reads of the ids pool are independent loads that overlap, not stalls inside it.
  (func (export "ids") (param $n i32)
    (local $p i32) (local $e i32)
    (local.set $p (global.get $OUT))
    (local.set $e (i32.add (global.get $OUT) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $e)))
        (i32.store (local.get $p)
          (i32.load (i32.add (global.get $ids) (i32.shl (i32.load (local.get $p)) (i32.const 2)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $next))))

  ;; Phase 3: filters the segments SEGS[0 .. n): an entry passes when popcount(other ^ c) ≤ the
  ;; segment's limit, c being $q, or the segment key when $q < 0 (word resolution: limit 0 is
  ;; equality). Passing entries go to OUT as
  ;;   $words = 0: their pool positions (L tables; `ids` turns them into entry ids);
  ;;   $words = 1: the word (other | key << 16) if popcount(other ^ $q) > $tl (else the L side
  ;;               found it), each value once per segment (R tables).
  ;; 16 entries per step: xor, per-byte popcount, pairwise add to 16-bit counts, compare, one
  ;; bitmask; the rare hits are then taken bit by bit. Returns the number of results; when OUT
  ;; fills, it stops (more() = 1) and a call with $resume = 1 continues where it stopped.
  (func (export "scan") (param $n i32) (param $q i32) (param $tl i32) (param $words i32) (param $resume i32) (result i32)
    (local $si i32) (local $p i32) (local $j i32) (local $e i32) (local $key i32)
    (local $qv v128) (local $lim v128) (local $mask i32) (local $k i32) (local $other i32) (local $out i32)
    (local $stamp i32) (local $a i32)
    (if (local.get $resume)
      (then (local.set $si (global.get $seg)))
      (else (global.set $pos (i32.const -1))))
    (global.set $more (i32.const 0))
    (block $done
      (loop $segs
        (br_if $done (i32.ge_u (local.get $si) (local.get $n)))
        (local.set $p (i32.add (global.get $SEGS) (i32.shl (local.get $si) (i32.const 4))))
        (local.set $key (i32.load offset=12 (local.get $p)))
        (local.set $e (i32.add (i32.load (local.get $p)) (i32.load offset=4 (local.get $p))))
        (local.set $lim (i16x8.splat (i32.load offset=8 (local.get $p))))
        (local.set $qv (i16x8.splat (select (local.get $key) (local.get $q) (i32.lt_s (local.get $q) (i32.const 0)))))
        (if (i32.ge_s (global.get $pos) (i32.const 0))
          (then (local.set $j (global.get $pos)) (global.set $pos (i32.const -1)))
          (else
            (local.set $j (i32.load (local.get $p)))
            (if (local.get $words)
              (then
                ;; A new generation of stamps per R segment; on wrap-around, clear them.
                (global.set $gen (i32.add (global.get $gen) (i32.const 1)))
                (if (i32.eqz (global.get $gen))
                  (then
                    (memory.fill (global.get $STAMPS) (i32.const 0) (i32.const 262144))
                    (global.set $gen (i32.const 1))))))))
        (block $segDone
          (loop $chunk
            (br_if $segDone (i32.ge_u (local.get $j) (local.get $e)))
            (local.set $a (i32.add (global.get $others) (i32.shl (local.get $j) (i32.const 1))))
            (local.set $mask
              (i8x16.bitmask
                (i8x16.narrow_i16x8_s
                  (i16x8.le_u
                    (i16x8.extadd_pairwise_i8x16_u (i8x16.popcnt (v128.xor (v128.load (local.get $a)) (local.get $qv))))
                    (local.get $lim))
                  (i16x8.le_u
                    (i16x8.extadd_pairwise_i8x16_u (i8x16.popcnt (v128.xor (v128.load offset=16 (local.get $a)) (local.get $qv))))
                    (local.get $lim)))))
            (if (local.get $mask)
              (then
                ;; Lanes past the segment's end belong to the next bucket (or padding).
                (if (i32.lt_u (i32.sub (local.get $e) (local.get $j)) (i32.const 16))
                  (then
                    (local.set $mask (i32.and (local.get $mask)
                      (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $e) (local.get $j))) (i32.const 1))))))
                (if (i32.and (i32.ne (local.get $mask) (i32.const 0))
                             (i32.gt_u (i32.add (local.get $out) (i32.const 16)) (global.get $IO_CAP)))
                  (then
                    (global.set $seg (local.get $si))
                    (global.set $pos (local.get $j))
                    (global.set $more (i32.const 1))
                    (return (local.get $out))))
                (block $bitsDone
                  (loop $bits
                    (br_if $bitsDone (i32.eqz (local.get $mask)))
                    (local.set $k (i32.add (local.get $j) (i32.ctz (local.get $mask))))
                    (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
                    (if (local.get $words)
                      (then
                        (local.set $other (i32.load16_u (i32.add (global.get $others) (i32.shl (local.get $k) (i32.const 1)))))
                        (if (i32.gt_u (i32.popcnt (i32.xor (local.get $other) (local.get $q))) (local.get $tl))
                          (then
                            (local.set $stamp (i32.add (global.get $STAMPS) (i32.shl (local.get $other) (i32.const 2))))
                            (if (i32.ne (i32.load (local.get $stamp)) (global.get $gen))
                              (then
                                (i32.store (local.get $stamp) (global.get $gen))
                                (i32.store (i32.add (global.get $OUT) (i32.shl (local.get $out) (i32.const 2)))
                                  (i32.or (local.get $other) (i32.shl (local.get $key) (i32.const 16))))
                                (local.set $out (i32.add (local.get $out) (i32.const 1))))))))
                      (else
                        (i32.store (i32.add (global.get $OUT) (i32.shl (local.get $out) (i32.const 2))) (local.get $k))
                        (local.set $out (i32.add (local.get $out) (i32.const 1)))))
                    (br $bits)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $chunk)))
        (local.set $si (i32.add (local.get $si) (i32.const 1)))
        (br $segs)))
    (local.get $out))
)
