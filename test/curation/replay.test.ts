/**
 * Replaying both compacted topics from the beginning reproduces exactly the matchable
 * state in Postgres, after a seeded random sequence of a few thousand /c operations
 * (with the relay publishing while they run).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaPublisher } from '../../src/curation/outbox/kafka-publisher.js';
import { OutboxRelay } from '../../src/curation/outbox/relay.js';
import type { ChangePublisher } from '../../src/curation/outbox/publisher.js';
import { curatorApp } from './support/app.js';
import { scratchDb, type ScratchDb } from '../support/scratch-db.js';
import { readAll, scratchTopics, type ScratchTopics } from './support/kafka.js';

const OPERATIONS = 3000;

let db: ScratchDb;
let topics: ScratchTopics;
let app: FastifyInstance;
let publisher: ChangePublisher;
let relay: OutboxRelay;

beforeAll(async () => {
  db = await scratchDb('replay');
  topics = await scratchTopics('replay', db.url);
  app = await curatorApp(db);
  publisher = await kafkaPublisher(topics.config);
  relay = new OutboxRelay({ db: db.pool, publisher, batchSize: 300, pollMs: 50 });
  relay.start();
});
afterAll(async () => {
  await relay?.stop();
  await publisher?.close();
  await app?.close();
  await db?.drop();
});

/** Small seeded PRNG (mulberry32): the sequence is the same every run. */
function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    hex: (chars: number) => Array.from({ length: chars }, () => Math.floor(next() * 16).toString(16)).join(''),
  };
}

const BANKS = ['ALPHA', 'BETA', 'GAMMA', 'DELTA', 'EPSILON', 'ZETA'];

async function randomOperations(n: number): Promise<Record<string, number>> {
  const r = rng(20240611);
  const content: { id: number; bank: string }[] = [];
  const counts: Record<string, number> = {};
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const res = await app.inject({ method, url, ...(payload ? { payload } : {}) });
    expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
    return res;
  };
  for (let i = 0; i < n; i++) {
    const roll = r.next();
    const bank = r.pick(BANKS);
    let op: string;
    if (roll < 0.05) {
      op = 'create bank';
      await call('POST', '/c/banks', { name: bank, enabled_ratio: r.pick([0, 0.5, 1]) });
    } else if (roll < 0.08) {
      op = 'update bank';
      await call('PUT', `/c/bank/${bank}`, { enabled_ratio: r.next(), labels: r.next() < 0.5 ? ['x'] : [] });
    } else if (roll < 0.09) {
      op = 'rename bank';
      await call('PUT', `/c/bank/${bank}`, { name: r.pick(BANKS) });
    } else if (roll < 0.1) {
      op = 'delete bank';
      await call('DELETE', `/c/bank/${bank}`);
    } else if (roll < 0.11) {
      op = r.next() < 0.5 ? 'create exchange' : 'delete exchange';
      if (op === 'create exchange') await call('POST', '/c/exchanges', { bank: `FEED_${r.int(3)}`, api: 'sample' });
      else await call('DELETE', `/c/exchange/FEED_${r.int(3)}${r.next() < 0.5 ? '?keep_bank=true' : ''}`);
    } else if (roll < 0.5) {
      op = 'add signals';
      const body: Record<string, string> = {};
      if (r.next() < 0.7) body.pdq = r.hex(64);
      if (r.next() < 0.5 || !body.pdq) body.video_md5 = r.hex(32);
      const target = r.next() < 0.2 ? `FEED_${r.int(3)}` : bank;
      const res = await call('POST', `/c/bank/${target}/signal`, body);
      if (res.statusCode === 200) content.push({ id: res.json().id, bank: target });
    } else if (roll < 0.75 && content.length > 0) {
      op = 'enable/disable';
      const c = r.pick(content);
      await call('PUT', `/c/bank/${c.bank}/content/${c.id}`, { disable_until_ts: r.pick([0, 1, 1_700_000_000, Math.floor(Date.now() / 1000) + 3600]) });
    } else if (roll < 0.9 && content.length > 0) {
      op = 'delete content';
      const c = r.pick(content);
      await call('DELETE', `/c/bank/${c.bank}/content/${c.id}`);
    } else if (content.length > 0) {
      op = 'copy content';
      const c = r.pick(content);
      const res = await call('POST', `/c/bank/${bank}/content?from_content_id=${c.id}`);
      if (res.statusCode === 200) content.push({ id: res.json().id, bank });
    } else continue;
    counts[op] = (counts[op] ?? 0) + 1;
  }
  return counts;
}

/** Folds a topic the way a compacted replay does: the last message per key wins, a tombstone removes. */
function fold(messages: readonly { key: string; value: Record<string, unknown> | null }[]): Map<string, Record<string, unknown>> {
  const state = new Map<string, Record<string, unknown>>();
  for (const m of messages) {
    if (m.value === null) state.delete(m.key);
    else state.set(m.key, m.value);
  }
  return state;
}

describe('replay of the signals and banks topics', () => {
  it('equals the matchable state in Postgres after thousands of random operations', async () => {
    const counts = await randomOperations(OPERATIONS);
    expect(Object.keys(counts).length).toBeGreaterThanOrEqual(8);
    const end = Date.now() + 120_000;
    for (;;) {
      const { rows } = await db.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox WHERE seq > (SELECT coalesce(max(position), 0) FROM outbox_relay)',
      );
      if (rows[0]!.n === 0) break;
      if (Date.now() > end) throw new Error('relay did not catch up');
      await new Promise((r) => setTimeout(r, 50));
    }

    const signals = fold(await readAll(topics, 'signals'));
    const { rows: sigRows } = await db.pool.query<{ key: string; bank_id: string; value: string; disable_until_ts: string }>(
      `SELECT s.signal_type || ':' || s.content_id AS key, c.bank_id, s.signal_val AS value, c.disable_until_ts
       FROM content_signal s JOIN bank_content c ON c.id = s.content_id`,
    );
    expect(sigRows.length).toBeGreaterThan(100);
    expect(signals.size).toBe(sigRows.length);
    for (const row of sigRows) {
      const got = signals.get(row.key);
      expect(got, row.key).toBeDefined();
      expect({ bank_id: got!.bank_id, value: got!.value, disable_until_ts: got!.disable_until_ts }, row.key).toEqual({
        bank_id: Number(row.bank_id),
        value: row.value,
        disable_until_ts: Number(row.disable_until_ts),
      });
    }

    const banks = fold(await readAll(topics, 'banks'));
    const { rows: bankRows } = await db.pool.query<{ id: string; name: string; ratio: number; labels: string[] }>(
      'SELECT id, name, matching_enabled_ratio AS ratio, labels FROM bank',
    );
    expect(banks.size).toBe(bankRows.length);
    for (const b of bankRows) {
      expect(banks.get(b.id), `bank ${b.name}`).toMatchObject({ bank_id: Number(b.id), name: b.name, matching_enabled_ratio: b.ratio, labels: b.labels });
    }
  }, 600_000);
});
