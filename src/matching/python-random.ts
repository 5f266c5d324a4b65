/**
 * Python's `random.Random(seed)` for string seeds, bit for bit: HMA draws the lookup coinflip
 * with it, so the same `seed` gives the same decision here as in HMA.
 *
 * How Python seeds (CPython 3.9+, `random.seed(a, version=2)` then `_random.Random.seed`):
 *  1. the seed string is UTF-8 encoded to bytes B;
 *  2. n = int.from_bytes(B + SHA-512(B), 'big');
 *  3. n is cut into 32-bit words, least significant first (leading zero words dropped, at least one);
 *  4. MT19937 is initialised with init_by_array(words);
 *  5. random() = (a·2^26 + b) / 2^53 with a = next() >>> 5, b = next() >>> 6.
 */
import { createHash } from 'node:crypto';

const N = 624;
const M = 397;

export class MersenneTwister {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;

  static fromPythonSeed(seed: string): MersenneTwister {
    const bytes = Buffer.from(seed, 'utf8');
    const all = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()]);
    const words: number[] = [];
    for (let end = all.length; end > 0; end -= 4) {
      let w = 0;
      for (let i = Math.max(0, end - 4); i < end; i++) w = (w * 256 + all[i]) >>> 0;
      words.push(w);
    }
    while (words.length > 1 && words[words.length - 1] === 0) words.pop();
    const mt = new MersenneTwister();
    mt.initByArray(words);
    return mt;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) >>> 0) + key[j] + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) >>> 0) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
        mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits, as Python's random(). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}
