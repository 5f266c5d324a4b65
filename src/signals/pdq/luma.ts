/**
 * Luma of one working row, in the reference's float32 arithmetic (docs/reference/pdq.md §3.1):
 * Y = f32(f32(f32(cR·R) + f32(cG·G)) + f32(cB·B)) for colour, Y = grey for grey images.
 */
const CR = Math.fround(0.299);
const CG = Math.fround(0.587);
const CB = Math.fround(0.114);

/** f32(c·v) for every byte value: the products are exact per byte, so a table changes nothing. */
function productTable(c: number): Float64Array {
  const t = new Float64Array(256);
  for (let v = 0; v < 256; v++) t[v] = Math.fround(c * v);
  return t;
}
const LR = productTable(CR);
const LG = productTable(CG);
const LB = productTable(CB);

/**
 * Writes the luma of `count` pixels to out[outOff + x·stride]. Pixel x is read at
 * data[rowStart + colOffsets[x]] (colour: R, G, B consecutive).
 */
export function lumaRowRgb(
  data: Uint8Array,
  rowStart: number,
  colOffsets: Int32Array,
  count: number,
  out: Float32Array,
  outOff: number,
  stride: number,
): void {
  for (let x = 0; x < count; x++) {
    const p = rowStart + colOffsets[x];
    out[outOff + x * stride] = Math.fround(LR[data[p]] + LG[data[p + 1]]) + LB[data[p + 2]];
  }
}

/** lumaRowRgb for consecutive pixels of `channels` samples (no resampling). */
export function lumaRowRgbDense(
  data: Uint8Array,
  rowStart: number,
  channels: number,
  count: number,
  out: Float32Array,
  outOff: number,
  stride: number,
): void {
  let p = rowStart;
  let o = outOff;
  for (let x = 0; x < count; x++) {
    out[o] = Math.fround(LR[data[p]] + LG[data[p + 1]]) + LB[data[p + 2]];
    p += channels;
    o += stride;
  }
}

/** Grey images: luma is the grey sample itself. */
export function lumaRowGrey(
  data: Uint8Array,
  rowStart: number,
  colOffsets: Int32Array,
  count: number,
  out: Float32Array,
  outOff: number,
  stride: number,
): void {
  for (let x = 0; x < count; x++) out[outOff + x * stride] = data[rowStart + colOffsets[x]];
}
