/**
 * The outbox relay, run as child processes (what `hma relay` runs) and killed with SIGKILL in the
 * middle of publishing, loses nothing and reorders nothing: per key, the topic holds
 * every outbox row in seq order (a batch re-sent after a crash may repeat a suffix).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSignals, updateContent } from '../../src/curation/contents.js';
import { createBank, updateBank } from '../../src/curation/banks.js';
import { auditRows, installOutboxAudit, seqsByKey } from './support/audit.js';
import { scratchDb, type ScratchDb } from '../support/scratch-db.js';
import { readAll, scratchTopics, type ScratchTopics } from './support/kafka.js';
import { SIGNAL_TYPE_NAMES, signalTypeRegistry } from '../../src/signals/registry.js';

const root = path.resolve(import.meta.dirname, '../..');
let db: ScratchDb;
let topics: ScratchTopics;

beforeAll(async () => {
  db = await scratchDb('relaycrash');
  await installOutboxAudit(db.pool);
  topics = await scratchTopics('relaycrash', db.url);
});
afterAll(async () => {
  await db?.drop();
});

function startRelay(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/curation/support/relay-main.ts')], {
    cwd: root,
    env: { ...topics.env, OUTBOX_RELAY_BATCH: '500', OUTBOX_RELAY_POLL_MS: '50', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const position = async () =>
  Number((await db.pool.query<{ p: string }>("SELECT coalesce(max(position), 0) AS p FROM outbox_relay")).rows[0]!.p);
const lastSeq = async () => Number((await db.pool.query<{ m: string }>('SELECT coalesce(max(seq), 0) AS m FROM outbox_audit')).rows[0]!.m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A burst of changes: bulk inserts (many rows per statement) and per-key churn through the domain. */
async function writeBurst(round: number): Promise<void> {
  const bank = await createBank(db.pool, { name: `CRASH_${round}` });
  await db.pool.query(
    `WITH c AS (INSERT INTO bank_content (bank_id) SELECT $1 FROM generate_series(1, 3000) RETURNING id)
     INSERT INTO content_signal (content_id, signal_type, signal_val)
     SELECT id, 'pdq', lpad(to_hex(id), 64, '0') FROM c`,
    [bank.id],
  );
  for (let i = 0; i < 30; i++) {
    const { id } = await addSignals(db.pool, signalTypeRegistry(SIGNAL_TYPE_NAMES), bank.name, { video_md5: (i + round * 100).toString(16).padStart(32, 'a') });
    await updateContent(db.pool, bank.name, id, { disable_until_ts: 0 }, 0);
    await updateContent(db.pool, bank.name, id, { disable_until_ts: 1 }, 0);
    await updateBank(db.pool, bank.name, { enabled_ratio: (i % 10) / 10 });
  }
  await db.pool.query('UPDATE bank_content SET disable_until_ts = 0 WHERE bank_id = $1 AND id % 3 = 0', [bank.id]);
  await db.pool.query('DELETE FROM bank_content WHERE bank_id = $1 AND id % 5 = 0', [bank.id]);
}

describe('outbox relay under kill -9', () => {
  it('publishes every change once or more, in order per key, across crashes', async () => {
    let relay = startRelay();
    let kills = 0;
    for (let round = 0; round < 4; round++) {
      await writeBurst(round);
      // Kill mid-stream: after it has published something of this burst, before it has all.
      const target = await lastSeq();
      const from = await position();
      await waitFor(async () => (await position()) > from, 'the relay to make progress');
      if ((await position()) < target) {
        relay.kill('SIGKILL');
        await new Promise((r) => relay.once('exit', r));
        kills++;
        relay = startRelay();
      }
    }
    const target = await lastSeq();
    await waitFor(async () => (await position()) >= target, 'the relay to catch up', 120_000);
    relay.kill('SIGTERM');
    await new Promise((r) => relay.once('exit', r));
    expect(kills).toBeGreaterThan(0);

    const audit = await auditRows(db.pool);
    for (const topic of ['signals', 'banks'] as const) {
      const published = await readAll(topics, topic);
      const expected = seqsByKey(audit, topic);
      const seen = seqsByKey(published, topic);
      expect([...seen.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [key, seqs] of expected) {
        // Drop re-sent duplicates (first occurrence wins); what is left must be exactly the outbox order.
        const firsts = [...new Set(seen.get(key))];
        expect(firsts, `key ${key}`).toEqual(seqs);
        // And the last message per key (what compaction keeps) is the last change.
        expect(seen.get(key)!.at(-1), `last of ${key}`).toBe(seqs.at(-1));
      }
      // Values survive the trip (spot check every non-tombstone against its outbox row).
      const bySeq = new Map(audit.map((a) => [a.seq, a]));
      for (const m of published) {
        const row = bySeq.get(m.seq)!;
        if (row.value === null) expect(m.value).toBeNull();
        else expect(m.value).toMatchObject({ ...row.value, change_seq: m.seq });
      }
    }
  }, 600_000);
});
