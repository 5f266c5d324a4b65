/**
 * `npm run bench:exchanges`:
 *  1. fetch throughput: records (one signal each) per second that the fetcher commits
 *     to Postgres from `infinite_random`, with the production commit settings, each
 *     run in a fresh scratch schema;
 *  2. fetch-to-matchable latency: a new hash appended to a `local_file` list is fetched,
 *     committed, relayed through the outbox and the signal topics, and looked up on an
 *     API process's /m/raw_lookup until it matches.
 *
 *   BENCH_RECORDS (default 1000000), BENCH_RUNS (default 1), BENCH_LATENCY_SAMPLES (default 20),
 *   FETCHER_COMMIT_MAX_UPDATES, FETCHER_COMMIT_MAX_DELAY_MS
 * Needs Postgres, Kafka and the registry (`hma services up`).
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createExchange, getExchange } from '../src/curation/exchanges.js';
import { fetchExchange } from '../src/exchanges/fetcher/fetch-exchange.js';
import { fetchDeps } from '../src/exchanges/fetcher/fetcher.js';
import { exchangeTypeRegistry } from '../src/exchanges/registry.js';
import { buildApi } from '../src/processes/api.js';
import { Runtime } from '../src/runtime/runtime.js';
import { scratchDb } from '../test/support/scratch-db.js';
import { scratchStack } from '../test/support/stack.js';
import { configureProcess } from '../src/runtime/configure.js';

const records = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 1);
const samples = Number(process.env.BENCH_LATENCY_SAMPLES ?? 20);
const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
configureProcess(config);
const never = new AbortController().signal;
const exchangeApis = exchangeTypeRegistry({ PRODUCTION: false });

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

async function throughputRun(): Promise<number> {
  const db = await scratchDb('benchex');
  try {
    await createExchange(db.pool, exchangeApis, { bank: 'RANDOM', api: 'infinite_random', api_json: { total_item_limit: records } });
    const deps = fetchDeps(config, db.pool);
    const t = performance.now();
    let committed = 0;
    for (;;) {
      const outcome = await fetchExchange(deps, await getExchange(db.pool, 'RANDOM'), never);
      if (outcome.kind !== 'done') throw new Error(`fetch ended ${JSON.stringify(outcome)}`);
      committed += outcome.items;
      if (outcome.upToDate) break;
    }
    const s = (performance.now() - t) / 1000;
    const signals = Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM content_signal')).rows[0]!.n);
    const outbox = Number((await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM outbox WHERE topic = 'signals'")).rows[0]!.n);
    if (signals !== records || outbox !== records) throw new Error(`stored ${signals} signals, ${outbox} outbox rows, expected ${records}`);
    const rate = records / s;
    console.log(`  run: ${committed} records committed in ${s.toFixed(1)} s → ${Math.round(rate)} signals/s (outbox rows: ${outbox})`);
    return rate;
  } finally {
    await db.drop();
  }
}

async function latency(): Promise<void> {
  const stack = await scratchStack('benchlat');
  const runtime = new Runtime(stack.config, 'bench-exchanges');
  const dir = await mkdtemp(path.join(tmpdir(), 'hma-bench-exchanges-'));
  try {
    const { app } = await buildApi(runtime);
    await app.ready();
    for (let i = 0; i < 600 && (await app.inject({ url: '/status' })).statusCode !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    const file = path.join(dir, 'list.txt');
    await writeFile(file, '');
    await createExchange(runtime.db, exchangeApis, { bank: 'LATENCY', api: 'local_file', api_json: { filename: file, signal_type: 'pdq' } });
    const deps = fetchDeps(stack.configWith({ LOCAL_FILE_EXCHANGE_DIRS: dir }), runtime.db);
    const fetchMs: number[] = [];
    const visibleMs: number[] = [];
    // One unmeasured sample first: the relay takes its leader lock and the replica its topics.
    for (let i = -1; i < samples; i++) {
      const hash = randomBytes(32).toString('hex');
      await appendFile(file, `${hash}\n`);
      const t0 = performance.now();
      const outcome = await fetchExchange(deps, await getExchange(runtime.db, 'LATENCY'), never);
      if (outcome.kind !== 'done') throw new Error(`fetch ended ${JSON.stringify(outcome)}`);
      const t1 = performance.now();
      for (;;) {
        const res = await app.inject({ url: `/m/raw_lookup?signal_type=pdq&signal=${hash}&include_distance=true` });
        if ((res.json().matches as { distance: string }[]).some((m) => m.distance === '0')) break;
        if (performance.now() - t1 > 60_000) throw new Error('not matchable after 60 s');
        await new Promise((r) => setTimeout(r, 2));
      }
      if (i < 0) continue;
      fetchMs.push(t1 - t0);
      visibleMs.push(performance.now() - t1);
    }
    const total = fetchMs.map((f, i) => f + visibleMs[i]!);
    console.log(`fetch-to-matchable latency over ${samples} hashes (local_file, relay + signals topic + replica):`);
    console.log(`  fetch run (read, diff, commit): median ${median(fetchMs).toFixed(0)} ms, p95 ${p95(fetchMs).toFixed(0)} ms`);
    console.log(`  commit → matchable on /m/raw_lookup: median ${median(visibleMs).toFixed(0)} ms, p95 ${p95(visibleMs).toFixed(0)} ms`);
    console.log(`  total: median ${median(total).toFixed(0)} ms, p95 ${p95(total).toFixed(0)} ms`);
  } finally {
    await runtime.stop();
    await stack.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`exchanges bench: ${records} infinite_random records, ${runs} run(s), commit ≤ ${config.FETCHER_COMMIT_MAX_UPDATES} updates / ${config.FETCHER_COMMIT_MAX_DELAY_MS} ms`);
const rates: number[] = [];
for (let i = 0; i < runs; i++) rates.push(await throughputRun());
console.log(`fetch throughput: median ${Math.round(median(rates))} signals/s`);
await latency();
process.exit(0);
