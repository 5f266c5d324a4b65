/**
 * The 16×64 DCT-II basis (frequencies 1..16, DC deliberately left out) and the
 * 64×64 → 16×16 transform B = D·A·Dᵀ, both in the reference's float32 arithmetic.
 */
export const DCT_ROWS = 16;
export const DCT_COLS = 64;

/** D[r][k] = f32(√(2/64) · cos((π/2/64)·(r+1)·(2k+1))), angle and product in float64 (docs/reference/pdq.md §3.6). */
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
 * B = D·A·Dᵀ with A the 64×64 buffer. Every dot product runs over k in increasing order with
 * each product and each partial sum rounded to float32, as the reference does. The loops are
 * ordered so that k is outermost and many independent sums advance together (no serial chain
 * of rounded operations), which keeps each sum's order of operations intact.
 * `t` is 16×64 scratch, `out` receives 16×16 row-major (vertical frequency r+1, horizontal c+1).
 */
export function dct64To16(a: Float32Array, t: Float32Array, out: Float32Array): void {
  const d = DCT_MATRIX;
  // T[r][c] = Σk D[r][k]·A[k][c], four frequency rows per sweep so each A value is loaded once.
  for (let r = 0; r < DCT_ROWS; r += 4) {
    const t0 = r * 64;
    const t1 = t0 + 64;
    const t2 = t1 + 64;
    const t3 = t2 + 64;
    t.fill(0, t0, t0 + 256);
    for (let k = 0; k < 64; k++) {
      const d0 = d[t0 + k];
      const d1 = d[t1 + k];
      const d2 = d[t2 + k];
      const d3 = d[t3 + k];
      const aRow = k * 64;
      for (let c = 0; c < 64; c++) {
        const av = a[aRow + c];
        // Float32Array stores round the sums; products are rounded explicitly.
        t[t0 + c] = t[t0 + c] + Math.fround(d0 * av);
        t[t1 + c] = t[t1 + c] + Math.fround(d1 * av);
        t[t2 + c] = t[t2 + c] + Math.fround(d2 * av);
        t[t3 + c] = t[t3 + c] + Math.fround(d3 * av);
      }
    }
  }
  // B[r][c] = Σk T[r][k]·D[c][k].
  out.fill(0, 0, 256);
  for (let r = 0; r < DCT_ROWS; r++) {
    const tRow = r * 64;
    const o = r * 16;
    for (let k = 0; k < 64; k++) {
      const tv = t[tRow + k];
      for (let c = 0; c < DCT_ROWS; c++) out[o + c] = out[o + c] + Math.fround(tv * d[c * 64 + k]);
    }
  }
}
