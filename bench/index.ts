/**
 * PDQ index benchmark: `npm run bench:index -- [N ...] [--queries Q] [--runs R] [--sample S] [--radius r,...]`
 * (default N = 1,000,000 and 10,000,000, run one after the other).
 *
 * Data: uniformly random 256-bit hashes (the worst case for candidate generation), of which
 * PLANT_PERCENT % are near-duplicates of an earlier hash at distance 0..31. Hashes come from a
 * counter-based generator, so the brute-force check regenerates them instead of keeping a
 * second copy (which would distort the memory figures).
 * Queries: 3 in 4 are a stored hash with 0..31 bits flipped (every distance in turn), 1 in 4 random.
 * Reported: build time, RSS/heap, lookups/s on this one thread, p50/p99 latency (medians over
 * runs), recall and precision against brute force on a sample, incremental add/remove cost.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fmix32, hamming256 } from '../src/index/bits.js';
import { PdqIndex } from '../src/index/pdq-index.js';

const SEED = 0x5eed1234;
const PLANT_PERCENT = 2;

/** Deterministic 32-bit value for (a, b). */
function rnd(a: number, b: number): number {
  return fmix32((fmix32((a + SEED) >>> 0) ^ Math.imul(b + 1, 0x9e3779b9)) >>> 0);
}

/** Flips `d` distinct pseudo-random bits of `h`, drawn from stream `key`. */
function flipBits(h: Uint32Array, d: number, key: number): void {
  const flipped = new Uint32Array(8);
  for (let k = 0, n = 0; n < d; k++) {
    const bit = rnd(key, 1000 + k) & 255;
    const m = 1 << (bit & 31);
    if (flipped[bit >>> 5] & m) continue;
    flipped[bit >>> 5] |= m;
    h[bit >>> 5] ^= m;
    n++;
  }
}

/** Hash of entry i: random, or (PLANT_PERCENT %) an earlier entry with i mod 32 bits flipped. */
function hashOf(i: number, out: Uint32Array): Uint32Array {
  if (i > 0 && rnd(i, 77) % 100 < PLANT_PERCENT) {
    hashOf(rnd(i, 78) % i, out);
    flipBits(out, i % 32, i);
    return out;
  }
  for (let w = 0; w < 8; w++) out[w] = rnd(i, w);
  return out;
}

function makeQueries(n: number, count: number): Uint32Array {
  const qs = new Uint32Array(count * 8);
  const h = new Uint32Array(8);
  for (let k = 0; k < count; k++) {
    if (k % 4 === 3) {
      for (let w = 0; w < 8; w++) h[w] = rnd(0x40000000 + k, w);
    } else {
      hashOf(rnd(k, 99) % n, h);
      flipBits(h, k % 32, 0x20000000 + k);
    }
    qs.set(h, k * 8);
  }
  return qs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

/** Transparent huge pages backing this process (Linux), in MB; undefined elsewhere. */
function hugePagesMb(): number | undefined {
  try {
    const m = /AnonHugePages:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
}

interface Args {
  sizes: number[];
  queries: number;
  runs: number;
  sample: number;
  radii: number[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sizes: [], queries: 20000, runs: 5, sample: 0, radii: [31] };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    const next = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${v} needs a value`);
      return x;
    };
    if (v === '--queries') a.queries = Number(next());
    else if (v === '--runs') a.runs = Number(next());
    else if (v === '--sample') a.sample = Number(next());
    else if (v === '--radius') a.radii = next().split(',').map(Number);
    else if (/^\d[\d_e]*$/.test(v)) a.sizes.push(Number(v.replace(/_/g, '')));
    else throw new Error(`unknown argument ${v}`);
  }
  if (a.sizes.length === 0) a.sizes = [1_000_000, 10_000_000];
  return a;
}

function bench(n: number, args: Args): void {
  console.log(`\n=== N = ${n.toLocaleString('en')} ===`);
  const h = new Uint32Array(8);
  gc();
  const rss0 = process.memoryUsage().rss;

  let t = performance.now();
  for (let i = 0; i < n; i++) hashOf(i, h);
  const genMs = performance.now() - t;

  const index = new PdqIndex();
  t = performance.now();
  for (let i = 0; i < n; i++) index.add(i, hashOf(i, h));
  index.flush();
  const buildMs = performance.now() - t;
  gc();
  const mem = process.memoryUsage();
  const own = index.memory();
  console.log(
    `build ${(buildMs / 1000).toFixed(2)} s (of which generating data ${(genMs / 1000).toFixed(2)} s)` +
      ` | RSS ${mb(mem.rss)} (+${mb(mem.rss - rss0)} over start) heapUsed ${mb(mem.heapUsed)}` +
      ` arrayBuffers ${mb(mem.arrayBuffers)} | index: store ${mb(own.storeBytes)} tables ${mb(own.tableBytes)}` +
      ` | huge pages ${hugePagesMb()?.toFixed(0) ?? 'n/a'} MB`,
  );

  const qs = makeQueries(n, args.queries);
  for (const radius of args.radii) {
    for (let k = 0; k < Math.min(2000, args.queries); k++) index.query(qs.subarray(k * 8, k * 8 + 8), radius);
    const rates: number[] = [];
    const cpuRates: number[] = [];
    const p50s: number[] = [];
    const p99s: number[] = [];
    let found = 0;
    for (let run = 0; run < args.runs; run++) {
      const lat = new Float64Array(args.queries);
      found = 0;
      const start = performance.now();
      const cpu0 = process.cpuUsage();
      for (let k = 0; k < args.queries; k++) {
        const t0 = performance.now();
        found += index.query(qs.subarray(k * 8, k * 8 + 8), radius).length;
        lat[k] = performance.now() - t0;
      }
      const total = performance.now() - start;
      const cpu = process.cpuUsage(cpu0);
      cpuRates.push(args.queries / ((cpu.user + cpu.system) / 1e6));
      lat.sort();
      rates.push(args.queries / (total / 1000));
      p50s.push(pct(lat, 0.5) * 1000);
      p99s.push(pct(lat, 0.99) * 1000);
    }
    console.log(
      `[load average ${loadavg()[0].toFixed(1)}] ` +
      `radius ${radius}: ${Math.round(median(rates)).toLocaleString('en')} lookups/s (runs: ${rates.map((x) => Math.round(x)).join(', ')})` +
        ` | per CPU-second ${Math.round(median(cpuRates)).toLocaleString('en')}` +
        ` | p50 ${median(p50s).toFixed(0)} µs p99 ${median(p99s).toFixed(0)} µs | ${(found / args.queries).toFixed(2)} matches/query`,
    );
    checkRecall(index, n, qs, radius, args.sample > 0 ? args.sample : n > 2_000_000 ? 40 : 200);
  }
  measureUpdates(index, n);
}

/** Compares index answers with a brute-force pass over regenerated data for the first `sample` queries. */
function checkRecall(index: PdqIndex, n: number, qs: Uint32Array, radius: number, sample: number): void {
  const t = performance.now();
  const expected: string[][] = Array.from({ length: sample }, () => []);
  const h = new Uint32Array(8);
  for (let i = 0; i < n; i++) {
    hashOf(i, h);
    for (let k = 0; k < sample; k++) {
      const d = hamming256(qs, k * 8, h, 0);
      if (d <= radius) expected[k].push(`${i}:${d}`);
    }
  }
  let want = 0;
  let hit = 0;
  let extra = 0;
  for (let k = 0; k < sample; k++) {
    const got = new Set(index.query(qs.subarray(k * 8, k * 8 + 8), radius).map((m) => `${m.id}:${m.distance}`));
    want += expected[k].length;
    for (const e of expected[k]) if (got.has(e)) hit++;
    extra += got.size - expected[k].filter((e) => got.has(e)).length;
  }
  console.log(
    `recall ${want === 0 ? 'n/a' : (hit / want).toFixed(4)} (${hit}/${want} pairs over ${sample} queries), wrong results ${extra}` +
      ` [brute force ${((performance.now() - t) / 1000).toFixed(1)} s]`,
  );
}

/** Steady-state updates on the built index: remove + re-add, a query after every 10 changes. */
function measureUpdates(index: PdqIndex, n: number): void {
  const ops = 20000;
  const h = new Uint32Array(8);
  const lat = new Float64Array(ops / 10);
  const t = performance.now();
  for (let k = 0; k < ops; k++) {
    const id = rnd(k, 555) % n;
    if (index.remove(id)) index.add(id, hashOf(id, h));
    if (k % 10 === 9) {
      const t0 = performance.now();
      index.query(hashOf(id, h), 31);
      lat[(k - 9) / 10] = performance.now() - t0;
    }
  }
  const total = performance.now() - t;
  lat.sort();
  console.log(
    `updates: ${ops} remove+re-add pairs with a query every 10 → ${Math.round((ops / total) * 1000).toLocaleString('en')} pairs/s;` +
      ` query after changes p50 ${(pct(lat, 0.5) * 1000).toFixed(0)} µs p99 ${(pct(lat, 0.99) * 1000).toFixed(0)} µs`,
  );
}

const args = parseArgs(process.argv.slice(2));
console.log(`GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES ?? '(unset: no transparent huge pages for typed arrays)'}; node ${process.version}`);
for (const n of args.sizes) bench(n, args);
