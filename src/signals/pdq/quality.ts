/**
 * PDQ quality (0..100) of the 64×64 buffer: the sum of quantised gradients between
 * adjacent cells, each d = trunc(f32(f32(f32(u − v)·100) / 255)), divided by 90 and capped
 * at 100 (docs/reference/pdq.md §3.5). The quantisation deliberately ignores many tiny gradients.
 */
export function pdqQuality(a: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      const u = a[i * 64 + j];
      const v = a[(i + 1) * 64 + j];
      sum += Math.abs(Math.trunc(Math.fround(Math.fround(Math.fround(u - v) * 100) / 255)));
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      const u = a[i * 64 + j];
      const v = a[i * 64 + j + 1];
      sum += Math.abs(Math.trunc(Math.fround(Math.fround(Math.fround(u - v) * 100) / 255)));
    }
  }
  const q = Math.floor(sum / 90);
  return q > 100 ? 100 : q;
}
