/**
 * The reference's 1-D box filter ("Jarosz" pass) in float32, reproduced operation for
 * operation: a running sum that adds the entering sample and then subtracts the leaving one,
 * each rounded, divided by the number of samples inside the vector (docs/reference/pdq.md §3.3):
 *
 *   phase 1: add x[0..h−2]                      (no output)
 *   phase 2: add the next w−h+1 samples         (output s/n after each, n growing)
 *   phase 3: add x[i], subtract x[i−w]          (output s/w), L−w times
 *   phase 4: subtract the next h−1 samples      (output s/n, n shrinking)
 *
 * A running sum is a serial chain of rounded float ops, so one filter at a time runs at the
 * latency of that chain. Both directions here therefore advance many independent filters
 * together: the image flows through in strips of STRIP_LANES rows stored transposed
 * (element (x, lane) at x·STRIP_LANES + lane), rows are filtered lane-parallel, and columns
 * column-parallel. The order of operations inside each filter is unchanged.
 *
 * Divisions are done as s·(1/n) in float64 and then rounded to float32. That equals the
 * float32 quotient f32(s/n) for every float32 s and integer n ≤ 2^17: the float64 product is
 * within 2^−52 (relative) of s/n, while s/n is either a float32 rounding boundary never
 * (the odd part of n·B would need 25 bits to equal the 24-bit s) or at least 2^−26/n away
 * from one, since s − n·B is a non-zero multiple of the boundary grid. So both round alike.
 */

export const STRIP_LANES = 8;

/** Half window as the reference computes it: 7 → 4, 8 → 5. */
export function halfWindow(w: number): number {
  return (w + 2) >> 1;
}

/** Window size for a dimension decimated to 64 cells: ⌈n/128⌉. */
export function windowSize(n: number): number {
  return Math.floor((n + 127) / 128);
}

/**
 * Filters `lanes` rows of a transposed strip along x: x[xo + i·K + k] → y[yo + o·K + k]
 * (K = STRIP_LANES, len samples, window w ≤ len). When `want` is given, outputs are written
 * only where want[o] is non-zero (the running sums still visit every sample). `sums` is
 * scratch of at least K floats. y must be a Float32Array: its stores round each division.
 */
export function boxFilterStrip(
  x: Float32Array,
  xo: number,
  y: Float32Array,
  yo: number,
  len: number,
  w: number,
  lanes: number,
  sums: Float32Array,
  want: Uint8Array | null,
): void {
  const K = STRIP_LANES;
  const h = halfWindow(w);
  sums.fill(0, 0, K);
  let i = 0;
  for (; i < h - 1; i++) {
    const p = xo + i * K;
    for (let k = 0; k < lanes; k++) sums[k] = sums[k] + x[p + k];
  }
  for (; i < w; i++) {
    const p = xo + i * K;
    const n = i + 1;
    const o = i - (h - 1);
    const q = yo + o * K;
    const inv = 1 / n;
    for (let k = 0; k < lanes; k++) sums[k] = sums[k] + x[p + k];
    if (want === null || want[o] !== 0) for (let k = 0; k < lanes; k++) y[q + k] = sums[k] * inv;
  }
  const invW = 1 / w;
  if (lanes === K) {
    i = steadyFullStrip(x, xo, y, yo, i, len, w, h, sums, want, invW);
  } else {
    for (; i < len; i++) {
      const p = xo + i * K;
      const l = p - w * K;
      const o = i - (h - 1);
      if (want === null || want[o] !== 0) {
        const q = yo + o * K;
        for (let k = 0; k < lanes; k++) {
          const s = Math.fround(Math.fround(sums[k] + x[p + k]) - x[l + k]);
          sums[k] = s;
          y[q + k] = s * invW;
        }
      } else {
        for (let k = 0; k < lanes; k++) sums[k] = Math.fround(sums[k] + x[p + k]) - x[l + k];
      }
    }
  }
  for (let j = 0; j < h - 1; j++) {
    const l = xo + (len - w + j) * K;
    const n = w - 1 - j;
    const o = len - (h - 1) + j;
    const q = yo + o * K;
    const inv = 1 / n;
    for (let k = 0; k < lanes; k++) sums[k] = sums[k] - x[l + k];
    if (want === null || want[o] !== 0) for (let k = 0; k < lanes; k++) y[q + k] = sums[k] * inv;
  }
}

/**
 * The steady phase of boxFilterStrip for a full strip: the eight running sums live in locals
 * (registers) instead of memory, about a third faster. Returns the next sample index.
 */
function steadyFullStrip(
  x: Float32Array,
  xo: number,
  y: Float32Array,
  yo: number,
  from: number,
  len: number,
  w: number,
  h: number,
  sums: Float32Array,
  want: Uint8Array | null,
  invW: number,
): number {
  const f = Math.fround;
  let s0 = sums[0], s1 = sums[1], s2 = sums[2], s3 = sums[3], s4 = sums[4], s5 = sums[5], s6 = sums[6], s7 = sums[7];
  for (let i = from; i < len; i++) {
    const p = xo + i * 8;
    const l = p - w * 8;
    s0 = f(f(s0 + x[p]) - x[l]);
    s1 = f(f(s1 + x[p + 1]) - x[l + 1]);
    s2 = f(f(s2 + x[p + 2]) - x[l + 2]);
    s3 = f(f(s3 + x[p + 3]) - x[l + 3]);
    s4 = f(f(s4 + x[p + 4]) - x[l + 4]);
    s5 = f(f(s5 + x[p + 5]) - x[l + 5]);
    s6 = f(f(s6 + x[p + 6]) - x[l + 6]);
    s7 = f(f(s7 + x[p + 7]) - x[l + 7]);
    const o = i - (h - 1);
    if (want === null || want[o] !== 0) {
      const q = yo + o * 8;
      y[q] = s0 * invW;
      y[q + 1] = s1 * invW;
      y[q + 2] = s2 * invW;
      y[q + 3] = s3 * invW;
      y[q + 4] = s4 * invW;
      y[q + 5] = s5 * invW;
      y[q + 6] = s6 * invW;
      y[q + 7] = s7 * invW;
    }
  }
  sums[0] = s0;
  sums[1] = s1;
  sums[2] = s2;
  sums[3] = s3;
  sums[4] = s4;
  sums[5] = s5;
  sums[6] = s6;
  sums[7] = s7;
  return len;
}

/**
 * A ring of transposed strips holding the most recent rows of an image that is produced one
 * strip at a time; row r lives in strip ⌊r/K⌋ mod slots, lane r mod K.
 */
export class StripRing {
  private slots = 0;
  width = 0;
  buf = new Float32Array(0);

  /** Enough slots that rows still needed by a column window of w never get overwritten. */
  reset(width: number, w: number): void {
    this.width = width;
    this.slots = Math.floor((w - 1) / STRIP_LANES) + 2;
    const size = this.slots * width * STRIP_LANES;
    if (this.buf.length < size) this.buf = new Float32Array(size);
  }

  /** Offset of the strip that holds row r (its lane 0, column 0). */
  stripBase(r: number): number {
    return (Math.floor(r / STRIP_LANES) % this.slots) * this.width * STRIP_LANES;
  }

  /** Offset of element 0 of row r; element c is at rowBase(r) + c·K. */
  rowBase(r: number): number {
    return this.stripBase(r) + (r % STRIP_LANES);
  }
}

/**
 * The same filter down every column, fed a strip of rows at a time from a StripRing (which
 * still holds the leaving rows, so nothing is copied) and writing each output row it completes
 * into another StripRing. Columns are walked in groups of eight whose running sums sit in
 * locals while the strip's rows go by; every column still sees the reference's sequence.
 */
export class ColumnBoxFilter {
  private width = 0;
  private length = 0;
  private window = 1;
  private half = 1;
  private received = 0;
  private emitted = 0;
  private count = 0;
  private sums = new Float32Array(0);
  // Per-row plan of the current strip: where the entering and leaving rows and the output
  // row start (−1: none) and the divisor's reciprocal.
  private readonly enter = new Int32Array(STRIP_LANES);
  private readonly leave = new Int32Array(STRIP_LANES);
  private readonly outAt = new Int32Array(STRIP_LANES);
  private readonly inv = new Float64Array(STRIP_LANES);

  reset(width: number, length: number, w: number): void {
    if (this.sums.length < width) this.sums = new Float32Array(width);
    this.width = width;
    this.length = length;
    this.window = w;
    this.half = halfWindow(w);
    this.received = 0;
    this.emitted = 0;
    this.count = 0;
    this.sums.fill(0, 0, width);
  }

  /** Output rows written so far; the next one written is row emittedRows(). */
  emittedRows(): number {
    return this.emitted;
  }

  /**
   * Consumes the next `rows` (≤ K) input rows from `src` and writes the output rows they
   * complete into `dst`. Returns how many output rows were written.
   */
  pushStrip(src: StripRing, rows: number, dst: StripRing): number {
    const w = this.window;
    const first = this.emitted;
    for (let k = 0; k < rows; k++) {
      const ri = this.received + k;
      this.enter[k] = src.rowBase(ri);
      if (ri < w) {
        this.leave[k] = -1;
        this.count++;
        this.inv[k] = 1 / this.count;
        this.outAt[k] = ri < this.half - 1 ? -1 : dst.rowBase(this.emitted++);
      } else {
        this.leave[k] = src.rowBase(ri - w);
        this.inv[k] = 1 / w;
        this.outAt[k] = dst.rowBase(this.emitted++);
      }
    }
    this.received += rows;
    this.run(src.buf, dst.buf, rows);
    return this.emitted - first;
  }

  /**
   * After the last input row: writes trailing output rows, at most up to the end of the
   * destination strip the next one falls in (so the caller can consume full strips between
   * calls). Returns how many were written; 0 when all are out.
   */
  drain(src: StripRing, dst: StripRing): number {
    const first = this.emitted;
    const end = Math.min(this.length, (Math.floor(first / STRIP_LANES) + 1) * STRIP_LANES);
    const rows = end - first;
    for (let k = 0; k < rows; k++) {
      const o = first + k;
      this.enter[k] = -1;
      this.leave[k] = src.rowBase(this.length - this.window + (o - (this.length - this.half + 1)));
      this.inv[k] = 1 / --this.count;
      this.outAt[k] = dst.rowBase(o);
    }
    this.emitted = end;
    this.run(src.buf, dst.buf, rows);
    return rows;
  }

  private run(x: Float32Array, y: Float32Array, rows: number): void {
    const width = this.width;
    const full = width - (width % 8);
    for (let c0 = 0; c0 < full; c0 += 8) this.group8(x, y, rows, c0);
    for (let c = full; c < width; c++) this.single(x, y, rows, c);
  }

  /** Eight adjacent columns, sums in locals. Element (row, c) is at rowBase(row) + c·K. */
  private group8(x: Float32Array, y: Float32Array, rows: number, c0: number): void {
    const f = Math.fround;
    const K = STRIP_LANES;
    const sums = this.sums;
    const off = c0 * K;
    let s0 = sums[c0], s1 = sums[c0 + 1], s2 = sums[c0 + 2], s3 = sums[c0 + 3];
    let s4 = sums[c0 + 4], s5 = sums[c0 + 5], s6 = sums[c0 + 6], s7 = sums[c0 + 7];
    for (let k = 0; k < rows; k++) {
      const a = this.enter[k] + off;
      const b = this.leave[k] + off;
      if (this.enter[k] < 0) {
        s0 = f(s0 - x[b]);
        s1 = f(s1 - x[b + K]);
        s2 = f(s2 - x[b + 2 * K]);
        s3 = f(s3 - x[b + 3 * K]);
        s4 = f(s4 - x[b + 4 * K]);
        s5 = f(s5 - x[b + 5 * K]);
        s6 = f(s6 - x[b + 6 * K]);
        s7 = f(s7 - x[b + 7 * K]);
      } else if (this.leave[k] < 0) {
        s0 = f(s0 + x[a]);
        s1 = f(s1 + x[a + K]);
        s2 = f(s2 + x[a + 2 * K]);
        s3 = f(s3 + x[a + 3 * K]);
        s4 = f(s4 + x[a + 4 * K]);
        s5 = f(s5 + x[a + 5 * K]);
        s6 = f(s6 + x[a + 6 * K]);
        s7 = f(s7 + x[a + 7 * K]);
      } else {
        s0 = f(f(s0 + x[a]) - x[b]);
        s1 = f(f(s1 + x[a + K]) - x[b + K]);
        s2 = f(f(s2 + x[a + 2 * K]) - x[b + 2 * K]);
        s3 = f(f(s3 + x[a + 3 * K]) - x[b + 3 * K]);
        s4 = f(f(s4 + x[a + 4 * K]) - x[b + 4 * K]);
        s5 = f(f(s5 + x[a + 5 * K]) - x[b + 5 * K]);
        s6 = f(f(s6 + x[a + 6 * K]) - x[b + 6 * K]);
        s7 = f(f(s7 + x[a + 7 * K]) - x[b + 7 * K]);
      }
      if (this.outAt[k] >= 0) {
        const q = this.outAt[k] + off;
        const inv = this.inv[k];
        y[q] = s0 * inv;
        y[q + K] = s1 * inv;
        y[q + 2 * K] = s2 * inv;
        y[q + 3 * K] = s3 * inv;
        y[q + 4 * K] = s4 * inv;
        y[q + 5 * K] = s5 * inv;
        y[q + 6 * K] = s6 * inv;
        y[q + 7 * K] = s7 * inv;
      }
    }
    sums[c0] = s0;
    sums[c0 + 1] = s1;
    sums[c0 + 2] = s2;
    sums[c0 + 3] = s3;
    sums[c0 + 4] = s4;
    sums[c0 + 5] = s5;
    sums[c0 + 6] = s6;
    sums[c0 + 7] = s7;
  }

  /** A leftover column (width not a multiple of 8). */
  private single(x: Float32Array, y: Float32Array, rows: number, c: number): void {
    const off = c * STRIP_LANES;
    let s = this.sums[c];
    for (let k = 0; k < rows; k++) {
      if (this.enter[k] >= 0) s = Math.fround(s + x[this.enter[k] + off]);
      if (this.leave[k] >= 0) s = Math.fround(s - x[this.leave[k] + off]);
      if (this.outAt[k] >= 0) y[this.outAt[k] + off] = s * this.inv[k];
    }
    this.sums[c] = s;
  }
}
