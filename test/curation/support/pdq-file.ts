/** Writes a CSV of n pseudo-random PDQ rows (`pdq,<64 hex>`), streaming, for import tests and the benchmark. */
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

export async function writePdqCsv(file: string, n: number, seed = 0x9e3779b9): Promise<void> {
  const out = createWriteStream(file);
  let x = seed | 0;
  for (let i = 0; i < n; i++) {
    // xorshift32: distinct-enough 256-bit values without holding them in memory
    let line = 'pdq,';
    for (let w = 0; w < 8; w++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      line += (x >>> 0).toString(16).padStart(8, '0');
    }
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}
