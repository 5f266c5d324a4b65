import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExchangeError } from '../../src/exchanges/errors.js';
import { ncmecExchange } from '../../src/exchanges/ncmec/ncmec.js';
import { parseEntries, parseReasons } from '../../src/exchanges/ncmec/wire.js';
import type { AnyExchangeType } from '../../src/exchanges/types.js';
import { startFakeNcmec, type FakeEntry, type FakeNcmec } from './fakes/ncmec.js';
import {
  ENTRIES_LARGE_FINGERPRINTS,
  ENTRIES_PAGE_1,
  ENTRIES_PAGE_2,
  ENTRIES_PAGE_3,
  ENTRIES_PAGE_4,
  FEEDBACK_REASONS,
  NEXT_PATHS,
} from './fakes/ncmec-fixtures.js';
import { startFakeServer, xml } from './fakes/server.js';
import { context, memoryStore, runOnce, signalsByKey } from './support/memory.js';

const type = ncmecExchange as AnyExchangeType;
const NOW = 1_700_000_000_000;
const now = () => NOW;
const config = { environment: 'https://exttest.cybertip.org/hashsharing', only_esp_ids: [] };
const creds = { user: 'user', password: 'secret' };
const md5 = (n: number) => n.toString(16).padStart(32, '0');

const video = (id: string, timestamp: number, hash: string, extra: Partial<FakeEntry> = {}): FakeEntry => ({
  memberId: 7, memberName: 'ESP', id, type: 'video', deleted: false, timestamp, fingerprints: { md5: hash }, ...extra,
});

describe('ncmec wire format (recorded responses)', () => {
  it('parses entries, deletions, feedback, paging and link-only fingerprints', () => {
    const page = parseEntries(ENTRIES_PAGE_1);
    expect(page.entries.map((e) => [e.type, e.deleted, e.memberId, e.id])).toEqual([
      ['image', false, 42, 'image1'],
      ['image', true, 43, 'image4'],
      ['video', false, 42, 'video1'],
      ['video', true, 42, 'video4'],
    ]);
    expect(page.next).toBe(NEXT_PATHS[0]);
    expect(page.maxTimestamp).toBe(Date.parse('2017-10-24T15:20:00Z') / 1000);
    expect(page.entries[0]!.classification).toBe('A1');
    expect(page.entries[0]!.feedback).toEqual({
      affirmative: [{ type: 'Md5', members: [42] }],
      negative: [{ type: 'Sha1', reasons: [{ guid: '01234567-abcd-0123-4567-012345678900', name: 'Example Reason 1', type: 'Sha1' }], members: [42] }],
    });
    expect(parseEntries(ENTRIES_LARGE_FINGERPRINTS).entries[0]!.fingerprints).toEqual({ md5: 'facefacefacefacefacefacefaceface' });
    expect(parseEntries(ENTRIES_PAGE_4).next).toBeNull();
  });

  it('reads the feedback reasons document from its root element', () => {
    expect(parseReasons(FEEDBACK_REASONS)).toEqual([{ guid: '01234567-abcd-0123-4567-012345678900', name: 'Example Reason 1', type: 'Sha1' }]);
  });

  it('rejects a body that is not the entries document', () => {
    expect(() => parseEntries('<queryResult><images>')).toThrow(ExchangeError);
    expect(() => parseEntries('<status/>')).toThrow(/expected <queryResult>/);
  });
});

describe('ncmec fetch of the recorded four-page stream', () => {
  it('applies updates and deletes in page order and checkpoints each page', async () => {
    const server = await startFakeServer((req) => {
      const start = req.url.searchParams.get('start');
      const pages: Record<string, string> = { '2001': ENTRIES_PAGE_2, '3001': ENTRIES_PAGE_3, '4001': ENTRIES_PAGE_4 };
      return xml(start === null ? ENTRIES_PAGE_1 : pages[start]!);
    });
    try {
      const store = memoryStore();
      const r = await runOnce(type, store, config, creds, { baseUrl: server.url, now, drive: { maxCommitUpdates: 1 } });
      expect(r.upToDate).toBe(true);
      // Only video MD5 and image PDQ are installed: image MD5/SHA1/PDNA are not matchable.
      expect(signalsByKey(store)).toEqual({
        '101-willupdate': { video_md5: 'facefacefacefacefacefacefaceface' },
        '42-video1': { video_md5: 'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1' },
      });
      expect(store.records.get('101-willupdate')!.metadata.classification).toBe('A2');
      const end = NOW / 1000 - 5;
      expect(store.commits.map((c) => c.checkpoint)).toEqual([
        ...NEXT_PATHS.map((p) => ({ get_entries_max_ts: 0, paging_info: { paging_url: p, paging_end_ts: end, paging_url_ts: NOW / 1000 } })),
        { get_entries_max_ts: end, paging_info: null },
      ]);
      expect(server.requests[0]!.url.searchParams.get('from')).toBe('1970-01-01T00:00:00Z');
      expect(server.requests[0]!.url.searchParams.get('to')).toBe('2023-11-14T22:13:15Z');
    } finally {
      await server.close();
    }
  });
});

describe('ncmec against a fake service', () => {
  let fake: FakeNcmec;
  const T0 = NOW / 1000 - 100_000;
  beforeEach(async () => {
    fake = await startFakeNcmec();
    fake.entries = Array.from({ length: 10 }, (_, i) => video(`v${i}`, T0 + i * 1000, md5(i)));
  });
  afterEach(() => fake.close());
  const run = (store = memoryStore(), extra: Parameters<typeof runOnce>[4] = {}) =>
    runOnce(type, store, config, creds, { baseUrl: fake.url, now, ...extra });

  it('fetches everything across pages, then only what is new from the checkpoint', async () => {
    const store = memoryStore();
    await run(store);
    expect(store.records.size).toBe(10);
    expect(store.checkpoint).toEqual({ get_entries_max_ts: NOW / 1000 - 5, paging_info: null });

    fake.entries.push(video('v10', NOW / 1000 - 2, md5(10)));
    fake.entries.push({ ...video('v3', NOW / 1000 - 1, ''), deleted: true, fingerprints: {} });
    fake.entries = fake.entries.filter((e) => !(e.id === 'v3' && !e.deleted));
    const later = NOW + 60_000;
    const before = fake.requests.length;
    await run(store, { now: () => later });
    expect(store.records.has('7-v10')).toBe(true);
    expect(store.records.has('7-v3')).toBe(false);
    expect(store.records.size).toBe(10);
    // The incremental run asked only for the time since the checkpoint.
    expect(fake.requests[before]!.url.searchParams.get('from')).toBe(new Date(NOW - 5000).toISOString().replace('.000Z', 'Z'));
  });

  it('shrinks a dense window before paging through it', async () => {
    const store = memoryStore();
    store.checkpoint = { get_entries_max_ts: T0 - 10, paging_info: null };
    await run(store);
    expect(store.records.size).toBe(10);
    // The first window's first page showed a dense range: it was dropped and the window narrowed.
    const windows = fake.requests.filter((r) => !r.url.searchParams.has('start')).map((r) => r.url.searchParams.get('to'));
    expect(windows.length).toBeGreaterThan(1);
    expect(windows[1]! < windows[0]!).toBe(true);
  });

  it('reports refused credentials as an auth error', async () => {
    await expect(runOnce(type, memoryStore(), config, { user: 'user', password: 'wrong' }, { baseUrl: fake.url, now })).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('credentials refused'),
    });
    expect(() => type.parseCredentials(undefined)).toThrow(/no credentials set/);
    expect(() => type.parseCredentials({ user: 'x' })).toThrow(/lack 'password'/);
  });

  it('waits out a 429 with Retry-After and carries on', async () => {
    fake.fault({ match: (r) => r.url.searchParams.has('start'), reply: { status: 429, headers: { 'retry-after': '1' } } });
    const store = memoryStore();
    await run(store);
    expect(store.records.size).toBe(10);
    const i = fake.requests.findIndex((r) => r.url.searchParams.has('start'));
    expect(fake.requests[i + 1]!.at - fake.requests[i]!.at).toBeGreaterThanOrEqual(900);
  });

  it('keeps the pages before a lasting 500 and resumes from the paging checkpoint', async () => {
    fake.fault({ match: (r) => r.url.searchParams.get('start') === '7', reply: { status: 500 }, times: 3 }); // the first attempt and both in-line retries
    const store = memoryStore();
    await expect(run(store, { drive: { maxCommitUpdates: 1 } })).rejects.toMatchObject({ kind: 'transient' });
    expect(store.records.size).toBe(6);
    const cp = store.checkpoint as { paging_info: { paging_url: string } };
    expect(cp.paging_info.paging_url).toContain('start=7');

    const before = fake.requests.length;
    await run(store);
    expect(store.records.size).toBe(10);
    expect(fake.requests[before]!.url.searchParams.get('start')).toBe('7');
  });

  it('fails on a malformed page, keeping the earlier pages', async () => {
    fake.fault({ match: (r) => r.url.searchParams.get('start') === '4', reply: { status: 200, body: '<queryResult><images count="1">' } });
    const store = memoryStore();
    await expect(run(store, { drive: { maxCommitUpdates: 1 } })).rejects.toMatchObject({ kind: 'malformed' });
    expect(store.records.size).toBe(3);
  });

  it('sends affirmative and negative feedback per fingerprint, and refuses "seen"', async () => {
    const store = memoryStore();
    await run(store);
    const rec = store.records.get('7-v1')!;
    const ctx = context(store, { baseUrl: fake.url, now });
    const cfg = type.parseConfig(config);
    const cr = type.parseCredentials(creds);
    await type.sendFeedback(cfg, cr, rec, { kind: 'true_positive', labels: [] }, ctx);
    await type.sendFeedback(cfg, cr, rec, { kind: 'false_positive', labels: [] }, ctx);
    expect(fake.feedback.map((f) => f.path)).toEqual(['/v2/entries/7/v1/MD5/feedback', '/v2/entries/7/v1/MD5/feedback']);
    expect(fake.feedback[0]!.body).toContain('<affirmative/>');
    expect(fake.feedback[1]!.body).toContain('<guid>01234567-abcd-0123-4567-012345678900</guid>');
    await expect(type.sendFeedback(cfg, cr, rec, { kind: 'seen', labels: [] }, ctx)).rejects.toMatchObject({ kind: 'unsupported' });
    fake.reasons.push({ guid: 'g2', name: 'Other', type: 'Md5' });
    await expect(type.sendFeedback(cfg, cr, rec, { kind: 'false_positive', labels: [] }, ctx)).rejects.toThrow(/Not CSAM, Other/);
    await type.sendFeedback(cfg, cr, rec, { kind: 'false_positive', labels: ['other'] }, ctx);
    expect(fake.feedback.at(-1)!.body).toContain('<guid>g2</guid>');
  });

  it('keeps only the configured ESPs', async () => {
    fake.entries.push({ ...video('x', T0, md5(99)), memberId: 8 });
    const store = memoryStore();
    await runOnce(type, store, { ...config, only_esp_ids: [8] }, creds, { baseUrl: fake.url, now });
    expect([...store.records.keys()]).toEqual(['8-x']);
  });
});
