/**
 * Luma of one output row, in the reference's float32 arithmetic (spec §3.1):
 * Y = f32(f32(f32(cR·R) + f32(cG·G)) + f32(cB·B)) for colour, Y = grey for grey images.
 */
const CR = Math.fround(0.299);
const CG = Math.fround(0.587);
const CB = Math.fround(0.114);

/** f32(c·v) for every byte value: the products are exact per-byte, so tables change nothing. */
function productTable(c: number): Float64Array {
  const t = new Float64Array(256);
  for (let v = 0; v < 256; v++) t[v] = Math.fround(c * v);
  return t;
}
const LR = productTable(CR);
const LG = productTable(CG);
const LB = productTable(CB);

/**
 * Writes the luma of `count` pixels into out[0..count). Pixel x is read at
 * data[rowStart + colOffsets[x]] (colour: three consecutive samples R, G, B).
 */
export function lumaRowRgb(
  data: Uint8Array,
  rowStart: number,
  colOffsets: Int32Array,
  count: number,
  out: Float32Array,
): void {
  for (let x = 0; x < count; x++) {
    const p = rowStart + colOffsets[x];
    out[x] = Math.fround(LR[data[p]] + LG[data[p + 1]]) + LB[data[p + 2]];
  }
}

/** Grey images: luma is the grey sample itself. */
export function lumaRowGrey(
  data: Uint8Array,
  rowStart: number,
  colOffsets: Int32Array,
  count: number,
  out: Float32Array,
): void {
  for (let x = 0; x < count; x++) out[x] = data[rowStart + colOffsets[x]];
}
