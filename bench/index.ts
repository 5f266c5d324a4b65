/**
 * PDQ index benchmark: `npm run bench:index -- [N ...] [--queries Q] [--runs R] [--sample S]
 * [--radius r,...] [--data random,realistic] [--kernel wasm,js]`
 * (default N = 1,000,000 and 10,000,000; 100,000,000 is added with BENCH_INDEX_100M=1, after
 * printing what it needs). Every size is run on every data set (bench/index-data.ts):
 *  - random: uniformly random hashes (the worst case for candidate generation) with 2 % planted
 *    near-duplicates; queries 3/4 near a stored hash, 1/4 random;
 *  - realistic: distinct photos, clusters of edits, PDQ of real (ffmpeg test source) frames with
 *    crops/re-encodes, flat images that collide; queries that hit and miss each kind.
 * Each query run is timed for each kernel in turn on the same built index (interleaved, so both
 * see the same machine load); medians over runs. Reported: build time, RSS/heap, lookups per
 * CPU-second and per second, p50/p99, recall and wrong results against a brute-force pass over
 * the regenerated data on a sample of queries, incremental add/remove cost.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { hamming256 } from '../src/index/bits.js';
import { PdqIndex, type PdqKernel } from '../src/index/pdq-index.js';
import { type DataSet, RANDOM, framePool, realistic, rnd } from './index-data.js';

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
  data: string[];
  kernels: PdqKernel[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sizes: [], queries: 20000, runs: 5, sample: 0, radii: [31], data: ['random', 'realistic'], kernels: ['wasm', 'js'] };
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
    else if (v === '--data') a.data = next().split(',');
    else if (v === '--kernel') a.kernels = next().split(',') as PdqKernel[];
    else if (/^\d[\d_e]*$/.test(v)) a.sizes.push(Number(v.replace(/_/g, '')));
    else throw new Error(`unknown argument ${v}`);
  }
  if (a.sizes.length === 0) a.sizes = [1_000_000, 10_000_000];
  if (process.env.BENCH_INDEX_100M === '1' && !a.sizes.includes(100_000_000)) a.sizes.push(100_000_000);
  for (const k of a.kernels) if (k !== 'wasm' && k !== 'js') throw new Error(`unknown kernel ${k}`);
  return a;
}

/** What an index of n entries needs, from the per-entry figures in docs/INDEX.md (~110 B + fixed). */
function memoryNeed(n: number): number {
  return n * 112 + 40 * 2 ** 20 + 250 * 2 ** 20;
}

function bench(n: number, data: DataSet, args: Args): void {
  console.log(`\n=== N = ${n.toLocaleString('en')}, ${data.name} data: ${data.description} ===`);
  console.log(`expected memory: ~${mb(memoryNeed(n))} (index ~112 B/entry, plus the Node process)`);
  const h = new Uint32Array(8);
  gc();
  const rss0 = process.memoryUsage().rss;

  let t = performance.now();
  for (let i = 0; i < n; i++) data.entry(i, h);
  const genMs = performance.now() - t;

  const index = new PdqIndex();
  t = performance.now();
  const cpuBuild0 = process.cpuUsage();
  for (let i = 0; i < n; i++) index.add(i, data.entry(i, h));
  index.flush();
  const buildMs = performance.now() - t;
  const cpuBuild = process.cpuUsage(cpuBuild0);
  gc();
  const mem = process.memoryUsage();
  const own = index.memory();
  console.log(
    `build ${(buildMs / 1000).toFixed(2)} s (CPU ${((cpuBuild.user + cpuBuild.system) / 1e6).toFixed(1)} s; of which generating data ${(genMs / 1000).toFixed(2)} s)` +
      ` | RSS ${mb(mem.rss)} (+${mb(mem.rss - rss0)} over start) heapUsed ${mb(mem.heapUsed)}` +
      ` arrayBuffers ${mb(mem.arrayBuffers)} | index: store ${mb(own.storeBytes)} tables ${mb(own.tableBytes)}` +
      ` | huge pages ${hugePagesMb()?.toFixed(0) ?? 'n/a'} MB`,
  );

  const qs = new Uint32Array(args.queries * 8);
  for (let k = 0; k < args.queries; k++) qs.set(data.query(k, n, h), k * 8);
  for (const radius of args.radii) {
    for (const kernel of args.kernels) {
      index.useKernel(kernel);
      for (let k = 0; k < Math.min(2000, args.queries); k++) index.query(qs.subarray(k * 8, k * 8 + 8), radius);
    }
    const runs = new Map<PdqKernel, { rates: number[]; cpuRates: number[]; p50s: number[]; p99s: number[]; found: number }>();
    for (const kernel of args.kernels) runs.set(kernel, { rates: [], cpuRates: [], p50s: [], p99s: [], found: 0 });
    for (let run = 0; run < args.runs; run++) {
      for (const kernel of args.kernels) {
        index.useKernel(kernel);
        const m = runs.get(kernel) as NonNullable<ReturnType<typeof runs.get>>;
        const lat = new Float64Array(args.queries);
        let found = 0;
        const start = performance.now();
        const cpu0 = process.cpuUsage();
        for (let k = 0; k < args.queries; k++) {
          const t0 = performance.now();
          found += index.query(qs.subarray(k * 8, k * 8 + 8), radius).length;
          lat[k] = performance.now() - t0;
        }
        const total = performance.now() - start;
        const cpu = process.cpuUsage(cpu0);
        m.cpuRates.push(args.queries / ((cpu.user + cpu.system) / 1e6));
        lat.sort();
        m.rates.push(args.queries / (total / 1000));
        m.p50s.push(pct(lat, 0.5) * 1000);
        m.p99s.push(pct(lat, 0.99) * 1000);
        m.found = found;
      }
    }
    for (const [kernel, m] of runs) {
      console.log(
        `[load average ${loadavg()[0].toFixed(1)}] ${data.name} radius ${radius} kernel ${kernel}: ` +
          `per CPU-second ${Math.round(median(m.cpuRates)).toLocaleString('en')} (runs: ${m.cpuRates.map((x) => Math.round(x)).join(', ')})` +
          ` | ${Math.round(median(m.rates)).toLocaleString('en')} lookups/s wall` +
          ` | p50 ${median(m.p50s).toFixed(0)} µs p99 ${median(m.p99s).toFixed(0)} µs | ${(m.found / args.queries).toFixed(2)} matches/query`,
      );
    }
    index.useKernel(args.kernels[0]);
    checkRecall(index, n, data, qs, radius, args.sample > 0 ? args.sample : n > 2_000_000 ? 40 : 200);
  }
  measureUpdates(index, n, data);
}

/** Compares index answers with a brute-force pass over regenerated data for the first `sample` queries. */
function checkRecall(index: PdqIndex, n: number, data: DataSet, qs: Uint32Array, radius: number, sample: number): void {
  const t = performance.now();
  const expected: string[][] = Array.from({ length: sample }, () => []);
  const h = new Uint32Array(8);
  for (let i = 0; i < n; i++) {
    data.entry(i, h);
    for (let k = 0; k < sample; k++) {
      const d = hamming256(qs, k * 8, h, 0);
      if (d <= radius) expected[k].push(`${i}:${d}`);
    }
  }
  let want = 0;
  let hit = 0;
  let extra = 0;
  let differ = 0;
  const kernels: PdqKernel[] = ['wasm', 'js'];
  for (let k = 0; k < sample; k++) {
    const q = qs.subarray(k * 8, k * 8 + 8);
    // Both kernels, compared with each other (bit for bit) and with brute force.
    const answers = kernels.map((kernel) => {
      index.useKernel(kernel);
      return JSON.stringify(index.query(q, radius));
    });
    if (answers[0] !== answers[1]) differ++;
    const got = new Set((JSON.parse(answers[0]) as { id: number; distance: number }[]).map((m) => `${m.id}:${m.distance}`));
    want += expected[k].length;
    for (const e of expected[k]) if (got.has(e)) hit++;
    extra += got.size - expected[k].filter((e) => got.has(e)).length;
  }
  console.log(
    `recall ${want === 0 ? 'n/a' : (hit / want).toFixed(4)} (${hit}/${want} pairs over ${sample} queries), wrong results ${extra},` +
      ` wasm ≠ js answers ${differ}` +
      ` [brute force ${((performance.now() - t) / 1000).toFixed(1)} s]`,
  );
}

/** Steady-state updates on the built index: remove + re-add, a query after every 10 changes. */
function measureUpdates(index: PdqIndex, n: number, data: DataSet): void {
  const ops = 20000;
  const h = new Uint32Array(8);
  const lat = new Float64Array(ops / 10);
  const t = performance.now();
  for (let k = 0; k < ops; k++) {
    const id = rnd(k, 555) % n;
    if (index.remove(id)) index.add(id, data.entry(id, h));
    if (k % 10 === 9) {
      const t0 = performance.now();
      index.query(data.entry(id, h), 31);
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
const sets: DataSet[] = [];
for (const name of args.data) {
  if (name === 'random') sets.push(RANDOM);
  else if (name === 'realistic') sets.push(realistic(framePool()));
  else throw new Error(`unknown data set ${name}`);
}
for (const n of args.sizes) for (const data of sets) bench(n, data, args);
