/**
 * The 16×64 DCT-II basis (frequencies 1..16, DC deliberately left out) and the
 * 64×64 → 16×16 transform B = D·A·Dᵀ, both in the reference's float32 arithmetic.
 */
export const DCT_ROWS = 16;
export const DCT_COLS = 64;

/** D[r][k] = f32(√(2/64) · cos((π/2/64)·(r+1)·(2k+1))), angle and product in float64 (spec §3.6). */
function buildDctMatrix(): Float32Array {
  const d = new Float32Array(DCT_ROWS * DCT_COLS);
  const scale = Math.fround(Math.sqrt(2 / 64));
  for (let r = 0; r < DCT_ROWS; r++) {
    for (let k = 0; k < DCT_COLS; k++) {
      d[r * DCT_COLS + k] = Math.cos(((Math.PI / 2 / 64) * (r + 1)) * (2 * k + 1)) * scale;
    }
  }
  return d;
}

export const DCT_MATRIX: Float32Array = buildDctMatrix();

/**
 * B = D·A·Dᵀ with A the 64×64 buffer. Each dot product runs sequentially over k with every
 * product and every partial sum rounded to float32, as the reference does; the first stage is
 * written column-vectorised (loop over c innermost), which keeps the per-element order.
 * `t` is 16×64 scratch, `out` receives 16×16 row-major (vertical frequency r+1, horizontal c+1).
 */
export function dct64To16(a: Float32Array, t: Float32Array, out: Float32Array): void {
  const d = DCT_MATRIX;
  t.fill(0);
  for (let r = 0; r < DCT_ROWS; r++) {
    const tRow = r * 64;
    for (let k = 0; k < 64; k++) {
      const dk = d[r * 64 + k];
      const aRow = k * 64;
      for (let c = 0; c < 64; c++) {
        // The Float32Array store rounds the sum; the product is rounded explicitly.
        t[tRow + c] = t[tRow + c] + Math.fround(dk * a[aRow + c]);
      }
    }
  }
  for (let r = 0; r < DCT_ROWS; r++) {
    const tRow = r * 64;
    for (let c = 0; c < DCT_ROWS; c++) {
      const dRow = c * 64;
      let s = 0;
      for (let k = 0; k < 64; k++) s = Math.fround(s + Math.fround(t[tRow + k] * d[dRow + k]));
      out[r * 16 + c] = s;
    }
  }
}
