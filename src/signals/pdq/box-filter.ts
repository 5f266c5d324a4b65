/**
 * The reference's 1-D box filter ("Jarosz" pass) in float32, reproduced operation for
 * operation: a running sum that adds the entering sample and then subtracts the leaving one,
 * each rounded, divided by the number of samples inside the vector (spec §3.3):
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
 * The same filter down every column, fed row by row from a StripRing (which keeps the
 * leaving rows, so nothing is copied). Columns advance together, each with its own sum.
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

  /** Index of the output row that the next successful push/drain writes. */
  nextOutputRow(): number {
    return this.emitted;
  }

  /**
   * Consumes the next input row (which the ring must hold, with the row w above it).
   * Returns true when an output row was written to dst[dstOff + c·dstStride]; with
   * `write` false the sums advance but the (unneeded) output is not computed.
   */
  push(ring: StripRing, dst: Float32Array, dstOff: number, dstStride: number, write = true): boolean {
    const width = this.width;
    const w = this.window;
    const sums = this.sums;
    const src = ring.buf;
    const K = STRIP_LANES;
    const ri = this.received++;
    const a = ring.rowBase(ri);
    if (ri < w) {
      for (let c = 0; c < width; c++) sums[c] = sums[c] + src[a + c * K];
      const n = ++this.count;
      if (ri < this.half - 1) return false;
      const inv = 1 / n;
      if (write) for (let c = 0; c < width; c++) dst[dstOff + c * dstStride] = sums[c] * inv;
      this.emitted++;
      return true;
    }
    const b = ring.rowBase(ri - w);
    const invW = 1 / w;
    if (write) {
      for (let c = 0; c < width; c++) {
        const s = Math.fround(Math.fround(sums[c] + src[a + c * K]) - src[b + c * K]);
        sums[c] = s;
        dst[dstOff + c * dstStride] = s * invW;
      }
    } else {
      for (let c = 0; c < width; c++) sums[c] = Math.fround(sums[c] + src[a + c * K]) - src[b + c * K];
    }
    this.emitted++;
    return true;
  }

  /** After the last push: emits the next trailing output row; false when all were emitted. */
  drain(ring: StripRing, dst: Float32Array, dstOff: number, dstStride: number, write = true): boolean {
    if (this.emitted >= this.length) return false;
    const width = this.width;
    const sums = this.sums;
    const src = ring.buf;
    const K = STRIP_LANES;
    const leaving = this.length - this.window + (this.emitted - (this.length - this.half + 1));
    const b = ring.rowBase(leaving);
    const inv = 1 / --this.count;
    for (let c = 0; c < width; c++) sums[c] = sums[c] - src[b + c * K];
    if (write) for (let c = 0; c < width; c++) dst[dstOff + c * dstStride] = sums[c] * inv;
    this.emitted++;
    return true;
  }
}
