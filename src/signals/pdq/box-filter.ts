/**
 * The reference's 1-D box filter ("Jarosz" pass) in float32, reproduced operation for
 * operation: a running sum that adds the entering sample and then subtracts the leaving one,
 * each rounded, divided by the number of samples inside the vector (spec §3.3).
 */

/** Half window as the reference computes it: 7 → 4, 8 → 5. */
export function halfWindow(w: number): number {
  return (w + 2) >> 1;
}

/** Window size for a dimension decimated to 64 cells: ⌈n/128⌉. */
export function windowSize(n: number): number {
  return Math.floor((n + 127) / 128);
}

/**
 * Filters x[xo .. xo+len) into y[yo .. yo+len) with window w (1 ≤ w ≤ len).
 * y must be a Float32Array: its stores perform the final float32 rounding of each division.
 */
export function boxFilterRow(x: Float32Array, xo: number, y: Float32Array, yo: number, len: number, w: number): void {
  const h = halfWindow(w);
  let s = 0;
  let n = 0;
  let ri = xo;
  let li = xo;
  let oi = yo;
  for (let i = 0; i < h - 1; i++) {
    s = Math.fround(s + x[ri++]);
    n++;
  }
  for (let i = 0; i < w - h + 1; i++) {
    s = Math.fround(s + x[ri++]);
    n++;
    y[oi++] = s / n;
  }
  const steady = len - w;
  for (let i = 0; i < steady; i++) {
    s = Math.fround(s + x[ri++]);
    s = Math.fround(s - x[li++]);
    y[oi++] = s / n;
  }
  for (let i = 0; i < h - 1; i++) {
    s = Math.fround(s - x[li++]);
    n--;
    y[oi++] = s / n;
  }
}

/**
 * The same filter applied down every column of an image that arrives one row at a time.
 * All columns advance together (cache-friendly), each with its own running sum, so every
 * column sees exactly the reference's sequence of operations. Only the last w input rows are
 * kept, in a ring, for the subtractions.
 */
export class ColumnBoxFilter {
  private width = 0;
  private length = 0;
  private window = 1;
  private half = 1;
  private received = 0;
  private emitted = 0;
  private leaving = 0;
  private count = 0;
  private sums = new Float32Array(0);
  private ring = new Float32Array(0);
  /** The most recently emitted output row (valid until the next push/drain). */
  out = new Float32Array(0);

  /** Prepares for a new image of `length` rows of `width` samples, window w. */
  reset(width: number, length: number, w: number): void {
    if (this.sums.length < width) {
      this.sums = new Float32Array(width);
      this.out = new Float32Array(width);
    }
    if (this.ring.length < width * w) this.ring = new Float32Array(width * w);
    this.width = width;
    this.length = length;
    this.window = w;
    this.half = halfWindow(w);
    this.received = 0;
    this.emitted = 0;
    this.leaving = 0;
    this.count = 0;
    this.sums.fill(0, 0, width);
  }

  /** Number of output rows emitted so far; the latest is row emittedRows() − 1. */
  emittedRows(): number {
    return this.emitted;
  }

  /** Feeds the next input row; returns true when an output row was written to `out`. */
  push(row: Float32Array): boolean {
    const width = this.width;
    const w = this.window;
    const sums = this.sums;
    const ring = this.ring;
    const out = this.out;
    const ri = this.received++;
    const slot = (ri % w) * width;
    if (ri < w) {
      for (let c = 0; c < width; c++) {
        const v = row[c];
        ring[slot + c] = v;
        sums[c] = sums[c] + v;
      }
      const n = ++this.count;
      if (ri < this.half - 1) return false;
      for (let c = 0; c < width; c++) out[c] = sums[c] / n;
      this.emitted++;
      return true;
    }
    // Steady phase: the slot being overwritten holds row ri − w, the one leaving the window.
    const n = this.count;
    for (let c = 0; c < width; c++) {
      const v = row[c];
      const old = ring[slot + c];
      ring[slot + c] = v;
      const s = Math.fround(Math.fround(sums[c] + v) - old);
      sums[c] = s;
      out[c] = s / n;
    }
    this.leaving++;
    this.emitted++;
    return true;
  }

  /** After all rows were pushed: emits the trailing outputs one per call; false when done. */
  drain(): boolean {
    if (this.emitted >= this.length) return false;
    const width = this.width;
    const sums = this.sums;
    const out = this.out;
    const slot = (this.leaving % this.window) * width;
    const ring = this.ring;
    const n = --this.count;
    for (let c = 0; c < width; c++) {
      const s = sums[c] - ring[slot + c];
      sums[c] = s;
      out[c] = Math.fround(s) / n;
    }
    this.leaving++;
    this.emitted++;
    return true;
  }
}
