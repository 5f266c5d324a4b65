/**
 * `infinite_random`: HMA's load-test feed (docs/reference/exchanges.md §2.8). Each iteration creates
 * new records (ids counting up, types rotating through the installed random-capable
 * types), rewrites some even ids and deletes some odd ids; the counters are the
 * checkpoint, so a resumed fetch continues the same sequence.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { unsupported } from '../errors.js';
import { field, parseAs } from '../fields.js';
import type { ExchangeType, RecordUpdate } from '../types.js';

/** Signal types with a random generator: uniform hex of the type's length. */
const RANDOM_HEX_BYTES: Readonly<Record<string, number>> = { pdq: 32, video_md5: 16, video_sha256: 32 };

const configSchema = z.object({
  new_items_per_fetch_iter: z.number().int().min(0).default(500),
  new_items_per_fetch: z.number().int().min(-1).default(-1),
  total_item_limit: z.number().int().min(0).default(1_000_000),
  updates_per_fetch_iter: z.number().int().min(0).default(0),
  deletes_per_fetch_iter: z.number().int().min(0).default(0),
  sleep_per_iter: z.number().min(0).default(0),
  only_signal_types: z.array(z.string()).default([]),
});
type Config = z.infer<typeof configSchema>;

const checkpointSchema = z.object({
  next_id: z.number().int().min(0),
  update_count: z.number().int().min(0),
  delete_count: z.number().int().min(0),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

const nullToUndefined = (raw: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null));

export const infiniteRandomExchange: ExchangeType<Config, null, Checkpoint> = {
  name: 'infinite_random',
  configFields: [
    field('new_items_per_fetch_iter', 'number', false, 'records created per batch', { default: 500 }),
    field('new_items_per_fetch', 'number', false, 'records created per fetch run (-1 = no limit)', { default: -1 }),
    field('total_item_limit', 'number', false, 'stop creating records after this many', { default: 1_000_000 }),
    field('updates_per_fetch_iter', 'number', false, 'even-numbered records rewritten per batch', { default: 0 }),
    field('deletes_per_fetch_iter', 'number', false, 'odd-numbered records deleted per batch', { default: 0 }),
    field('sleep_per_iter', 'number', false, 'seconds to pause between batches', { default: 0 }),
    field('only_signal_types', 'set_of_string', false, 'generate only these signal types (empty = all)', { default: [] }),
  ],
  credentialFields: null,
  fetchOnce: false,
  feedbackKinds: [],
  parseConfig: (raw) => parseAs(configSchema, nullToUndefined(raw), 'infinite_random config'),
  parseCredentials: () => null,
  parseCheckpoint: (json) => parseAs(checkpointSchema, json, 'infinite_random checkpoint'),
  checkpointJson: (cp) => ({ ...cp }),
  progress: () => null,
  isStale: () => false,

  async *fetch(config, _creds, checkpoint, ctx) {
    const types = Object.keys(RANDOM_HEX_BYTES).filter(
      (t) => ctx.signalTypes.has(t) && (config.only_signal_types.length === 0 || config.only_signal_types.includes(t)),
    );
    if (types.length === 0) throw unsupported('infinite_random: no installed signal type can be generated');
    let cp: Checkpoint = checkpoint ?? { next_id: 0, update_count: 0, delete_count: 0 };
    const signalFor = (id: number) => {
      const type = types[id % types.length]!;
      return { [type]: randomBytes(RANDOM_HEX_BYTES[type]!).toString('hex') };
    };
    let createdThisFetch = 0;
    for (;;) {
      const fetchRoom = config.new_items_per_fetch < 0 ? Infinity : config.new_items_per_fetch - createdThisFetch;
      const create = Math.min(config.new_items_per_fetch_iter, fetchRoom, config.total_item_limit - cp.next_id);
      if (create <= 0) return;
      const updates: RecordUpdate[] = [];
      for (let id = cp.next_id; id < cp.next_id + create; id++) {
        updates.push({ op: 'upsert', key: String(id), signals: signalFor(id), metadata: {} });
      }
      let { update_count, delete_count } = cp;
      const nextId = cp.next_id + create;
      for (let i = 0; i < config.updates_per_fetch_iter; i++) {
        const id = (2 * update_count++) % (nextId + (nextId % 2)); // even ids below nextId, cycling
        if (id < nextId) updates.push({ op: 'upsert', key: String(id), signals: signalFor(id), metadata: { rewrite: update_count } });
      }
      for (let i = 0; i < config.deletes_per_fetch_iter && 2 * delete_count + 1 < nextId; i++) {
        updates.push({ op: 'delete', key: String(2 * delete_count++ + 1) });
      }
      cp = { next_id: nextId, update_count, delete_count };
      createdThisFetch += create;
      yield { updates, checkpoint: cp };
      if (config.sleep_per_iter > 0) await sleep(config.sleep_per_iter * 1000, undefined, { signal: ctx.signal });
    }
  },
  sendFeedback: async () => {
    throw unsupported('the infinite_random exchange takes no feedback');
  },
};
