import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { threatExchangeExchange } from '../../src/exchanges/threatexchange/threatexchange.js';
import { opinionsOf, parseThreatUpdates } from '../../src/exchanges/threatexchange/wire.js';
import type { AnyExchangeType } from '../../src/exchanges/types.js';
import { APP_ID, GROUP, TOKEN, startFakeThreatExchange, type FakeThreatExchange, type FakeUpdate } from './fakes/threatexchange.js';
import { context, memoryStore, runOnce, signalsByKey } from './support/memory.js';

const type = threatExchangeExchange as AnyExchangeType;
const NOW = 1_700_000_000_000;
const now = () => NOW;
const config = { privacy_group: GROUP };
const creds = { api_token: TOKEN };
const pdq = (n: number) => n.toString(16).padStart(64, '0');

const update = (n: number, ts: number, extra: Partial<FakeUpdate> = {}): FakeUpdate => ({
  id: String(9000 + n),
  indicator: pdq(n),
  type: 'HASH_PDQ',
  last_updated: ts,
  should_delete: false,
  descriptors: { data: [{ id: String(500 + n), owner: { id: '42' }, status: 'MALICIOUS', tags: ['csam'] }] },
  ...extra,
});

describe('fb_threatexchange opinions', () => {
  it('takes one opinion per owner, tags in both shapes, and reactions of apps without a descriptor', () => {
    const [u] = parseThreatUpdates({
      data: [
        update(1, 10, {
          descriptors: {
            data: [
              { id: '1', owner: { id: '42' }, status: 'UNKNOWN', tags: ['old'] },
              { id: '2', owner: { id: '42' }, status: 'NON_MALICIOUS', tags: { data: [{ id: 't', text: 'new' }] } },
              { id: '3', owner: { id: APP_ID }, status: 'MALICIOUS', tags: [], reactions: [{ key: 'HELPFUL', value: '77,42' }, { key: 'DISAGREE_WITH_TAGS', value: '77,88' }] },
              { id: '4', status: 'MALICIOUS' },
            ],
          },
        }),
      ],
    }).updates;
    expect(opinionsOf(u!, APP_ID)).toEqual([
      { owner_app_id: '42', descriptor_id: '2', is_mine: false, category: 'NEGATIVE_CLASS', tags: ['new'] },
      { owner_app_id: APP_ID, descriptor_id: '3', is_mine: true, category: 'POSITIVE_CLASS', tags: [] },
      { owner_app_id: '77', descriptor_id: null, is_mine: false, category: 'POSITIVE_CLASS', tags: [] },
      { owner_app_id: '88', descriptor_id: null, is_mine: false, category: 'NEGATIVE_CLASS', tags: [] },
    ]);
  });

  it('accepts a %7C-separated token and finds the app id in it', () => {
    expect(type.parseCredentials({ api_token: `${APP_ID}%7Cabcdefghijklmnopqrstuvwxyz012345` })).toEqual({ token: TOKEN, appId: APP_ID });
    expect(() => type.parseCredentials({ api_token: 'not-a-token' })).toThrow(/<app_id>\|<secret>/);
  });
});

describe('fb_threatexchange against a fake Graph API', () => {
  let fake: FakeThreatExchange;
  beforeEach(async () => {
    fake = await startFakeThreatExchange();
    fake.updates = Array.from({ length: 7 }, (_, i) => update(i, 100 + i));
  });
  afterEach(() => fake.close());
  const run = (store = memoryStore(), extra: Parameters<typeof runOnce>[4] = {}, c: Record<string, unknown> = creds) =>
    runOnce(type, store, config, c, { baseUrl: fake.url, now, ...extra });

  it('follows paging.next, then fetches from update_time', async () => {
    const store = memoryStore();
    await run(store, { drive: { maxCommitUpdates: 1 } });
    expect(store.records.size).toBe(7);
    expect(store.commits.map((c) => c.progress)).toEqual([102, 105, 106]);
    expect(store.checkpoint).toEqual({ update_time: 106, last_fetch_time: NOW / 1000 });
    const first = fake.requests[0]!.url.searchParams;
    expect(first.get('start_time')).toBeNull();
    expect(first.get('limit')).toBe('100');
    expect(first.get('fields')).toContain('descriptors{reactions,my_reactions,owner{id},tags,status,added_on}');

    fake.updates.push(update(1, 200, { should_delete: true }), update(2, 201, { descriptors: undefined }), update(50, 202));
    fake.updates.push({ ...update(60, 203), type: 'HASH_MD5', indicator: 'A'.repeat(32), descriptors: { data: [{ id: '9', owner: { id: '42' }, tags: ['media_type_video'] }] } });
    fake.updates.push({ ...update(61, 204), type: 'HASH_MD5', indicator: 'b'.repeat(32), descriptors: { data: [{ id: '9', owner: { id: '42' }, tags: ['media_type_video_not'] }] } });
    const before = fake.requests.length;
    await run(store);
    expect(fake.requests[before]!.url.searchParams.get('start_time')).toBe('106');
    const signals = signalsByKey(store);
    expect(signals[`HASH_PDQ:${pdq(1)}`]).toBeUndefined();
    expect(signals[`HASH_PDQ:${pdq(2)}`]).toBeUndefined();
    expect(signals[`HASH_PDQ:${pdq(50)}`]).toEqual({ pdq: pdq(50) });
    // Stored normalized (lower case); the tag must be equal, not a substring.
    expect(signals[`HASH_MD5:${'A'.repeat(32)}`]).toEqual({ video_md5: 'a'.repeat(32) });
    expect(signals[`HASH_MD5:${'b'.repeat(32)}`]).toBeUndefined();
  });

  it('is up to date on an empty page', async () => {
    fake.updates = [];
    const store = memoryStore();
    const r = await run(store);
    expect(r.upToDate).toBe(true);
    expect(store.checkpoint).toEqual({ update_time: 0, last_fetch_time: NOW / 1000 });
  });

  it('reports an OAuthException as an auth error', async () => {
    await expect(run(memoryStore(), {}, { api_token: `${APP_ID}|zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz` })).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('access token refused'),
    });
  });

  it('never echoes the token in an error', async () => {
    fake.fault({ reply: { status: 500 }, times: 3 });
    const err = await run(memoryStore()).catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain('abcdefghij');
  });

  it('waits out a 429 with Retry-After', async () => {
    fake.fault({ match: (r) => r.url.searchParams.has('after'), reply: { status: 429, headers: { 'retry-after': '1' } } });
    const store = memoryStore();
    await run(store);
    expect(store.records.size).toBe(7);
  });

  it('keeps the pages before a lasting 500 and resumes from update_time', async () => {
    fake.fault({ match: (r) => r.url.searchParams.get('after') === '6', reply: { status: 500 }, times: 3 });
    const store = memoryStore();
    await expect(run(store, { drive: { maxCommitUpdates: 1 } })).rejects.toMatchObject({ kind: 'transient' });
    expect(store.records.size).toBe(6);
    await run(store);
    expect(store.records.size).toBe(7);
  });

  it('fails on a malformed body and on a next link to another origin', async () => {
    fake.fault({ match: (r) => r.url.searchParams.has('after'), reply: { status: 200, body: '{"data": [{"id": 1}]}' } });
    await expect(run(memoryStore())).rejects.toMatchObject({ kind: 'malformed' });
    fake.fault({ reply: { status: 200, body: JSON.stringify({ data: [], paging: { next: 'https://evil.example/steal' } }) } });
    await expect(run(memoryStore())).rejects.toThrow(/another origin/);
  });

  it('goes stale after 85 days', () => {
    const cp = type.parseCheckpoint({ update_time: 5, last_fetch_time: 0 });
    expect(type.isStale(cp, 85 * 86400)).toBe(false);
    expect(type.isStale(cp, 85 * 86400 + 1)).toBe(true);
  });

  it('reacts on the other apps’ descriptors: seen, helpful, disagree', async () => {
    const store = memoryStore();
    await run(store);
    const rec = store.records.get(`HASH_PDQ:${pdq(3)}`)!;
    const ctx = context(store, { baseUrl: fake.url });
    const cr = type.parseCredentials(creds);
    for (const kind of ['seen', 'true_positive', 'false_positive'] as const) await type.sendFeedback(type.parseConfig(config), cr, rec, { kind, labels: [] }, ctx);
    expect(fake.reactions).toEqual([
      { descriptor: '503', reaction: 'SAW_THIS_TOO' },
      { descriptor: '503', reaction: 'HELPFUL' },
      { descriptor: '503', reaction: 'DISAGREE_WITH_TAGS' },
    ]);
  });
});
