/**
 * `npm run bench:curation`: bulk import rate (rows/s) of a PDQ file into a fresh bank,
 * and the outbox relay's publish rate (events/s) for the changes that import wrote.
 * Each run uses a fresh scratch schema and fresh topics; the figures are medians.
 *
 *   BENCH_ROWS (default 1000000), BENCH_RUNS (default 3), IMPORT_BATCH_ROWS, OUTBOX_RELAY_BATCH
 * Needs Postgres, Kafka and the registry (`hma services up`).
 */
import { createReadStream, existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createBank } from '../src/curation/banks.js';
import { importSignals } from '../src/curation/import/bulk-import.js';
import { kafkaPublisher } from '../src/curation/outbox/kafka-publisher.js';
import { OutboxRelay } from '../src/curation/outbox/relay.js';
import { scratchDb } from '../test/support/scratch-db.js';
import { scratchTopics } from '../test/curation/support/kafka.js';
import { writePdqCsv } from '../test/curation/support/pdq-file.js';
import { SIGNAL_TYPE_NAMES, signalTypeRegistry } from '../src/signals/registry.js';
import { configureProcess } from '../src/runtime/configure.js';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
configureProcess(config);

async function pdqFile(n: number): Promise<string> {
  const file = path.join(tmpdir(), `hma-bench-pdq-${n}.csv`);
  if (existsSync(file)) return file;
  await writePdqCsv(`${file}.partial`, n, 0x2545f491);
  await rename(`${file}.partial`, file);
  return file;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function oneRun(file: string): Promise<{ importRate: number; publishRate: number }> {
  const db = await scratchDb('bench');
  try {
    await createBank(db.pool, { name: 'BENCH' });
    let t = performance.now();
    const summary = await importSignals(db.pool, { signalTypes: signalTypeRegistry(SIGNAL_TYPE_NAMES), bank: 'BENCH', input: createReadStream(file), format: 'csv', batchRows: config.IMPORT_BATCH_ROWS });
    const importS = (performance.now() - t) / 1000;
    if (summary.imported !== rows) throw new Error(`imported ${summary.imported} of ${rows}`);

    const topics = await scratchTopics('bench', db.url);
    const publisher = await kafkaPublisher(topics.config);
    const events = Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox')).rows[0]!.n);
    const relay = new OutboxRelay({ db: db.pool, publisher, batchSize: config.OUTBOX_RELAY_BATCH, pollMs: 20 });
    t = performance.now();
    relay.start();
    for (;;) {
      const left = Number((await db.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM outbox WHERE seq > (SELECT coalesce(max(position), 0) FROM outbox_relay)',
      )).rows[0]!.n);
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const publishS = (performance.now() - t) / 1000;
    await relay.stop();
    await publisher.close();
    const run = { importRate: summary.imported / importS, publishRate: events / publishS };
    console.log(`  run: import ${summary.imported} rows in ${importS.toFixed(1)}s (${Math.round(run.importRate)} rows/s); relay ${events} events in ${publishS.toFixed(1)}s (${Math.round(run.publishRate)} events/s)`);
    return run;
  } finally {
    await db.drop();
  }
}

const file = await pdqFile(rows);
console.log(`curation bench: ${rows} PDQ rows, ${runs} runs, import batch ${config.IMPORT_BATCH_ROWS}, relay batch ${config.OUTBOX_RELAY_BATCH}`);
const results = [];
for (let i = 0; i < runs; i++) results.push(await oneRun(file));
console.log(`import: median ${Math.round(median(results.map((r) => r.importRate)))} rows/s`);
console.log(`relay:  median ${Math.round(median(results.map((r) => r.publishRate)))} events/s`);
process.exit(0);
