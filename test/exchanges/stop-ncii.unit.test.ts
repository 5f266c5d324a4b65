import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stopNciiExchange } from '../../src/exchanges/stop-ncii/stop-ncii.js';
import { parseFetchHashes } from '../../src/exchanges/stop-ncii/wire.js';
import type { AnyExchangeType } from '../../src/exchanges/types.js';
import { startFakeServer, json } from './fakes/server.js';
import { FETCH_PAGE_1, FETCH_PAGE_2, FETCH_PAGE_BAD_ENUMS, PAGE_TOKEN } from './fakes/stop-ncii-fixtures.js';
import { KEYS, startFakeStopNcii, type FakeHashRecord, type FakeStopNcii } from './fakes/stop-ncii.js';
import { context, memoryStore, runOnce } from './support/memory.js';

const type = stopNciiExchange as AnyExchangeType;
const NOW = 1_700_000_000_000;
const now = () => NOW;
const pdq = (n: number) => n.toString(16).padStart(64, '0');
const record = (n: number, ts: number, extra: Partial<FakeHashRecord> = {}): FakeHashRecord => ({
  lastModtimestamp: ts, signalType: 'ImagePDQ', hashValue: pdq(n), hashStatus: 'Active', caseNumbers: { c: 'Active' }, ...extra,
});

describe('stop_ncii wire format (recorded responses)', () => {
  it('drops records with unknown enum values, and only those', () => {
    expect(parseFetchHashes(FETCH_PAGE_BAD_ENUMS).records.map((r) => r.hashValue)).toEqual([FETCH_PAGE_2.hashRecords[0]!.hashValue]);
  });

  it('reads caseNumbers [] as no cases and drops a record whose caseNumbers is a non-empty list', () => {
    const base = { count: 2, nextSetTimestamp: 1, nextPageToken: null, hasMoreRecords: false };
    const page = parseFetchHashes({
      ...base,
      hashRecords: [
        { lastModtimestamp: 1, hashValue: 'a', hashStatus: 'Received', caseNumbers: [], signalType: 'ImagePDQ' },
        { lastModtimestamp: 1, hashValue: 'b', hashStatus: 'Received', caseNumbers: ['not-a-mapping'], signalType: 'Text' },
      ],
    });
    expect(page.records.map((r) => [r.hashValue, r.caseNumbers])).toEqual([['a', {}]]);
  });

  it('fails on a body that is not a FetchHashes page', () => {
    expect(() => parseFetchHashes({ hashRecords: 'x' })).toThrow(/StopNCII FetchHashes/);
  });
});

describe('stop_ncii fetch of the recorded pages', () => {
  it('follows the page token and never moves progress backwards', async () => {
    const server = await startFakeServer((req) => json(req.url.searchParams.get('nextPageToken') === PAGE_TOKEN ? FETCH_PAGE_2 : FETCH_PAGE_1));
    try {
      const store = memoryStore();
      await runOnce(type, store, {}, KEYS, { baseUrl: server.url, now, drive: { maxCommitUpdates: 1 } });
      expect(store.records.size).toBe(3);
      expect(store.records.get(`pdq:${FETCH_PAGE_2.hashRecords[0]!.hashValue}`)!.metadata.feedbacks).toEqual([
        { source: 'Facebook', value: 'Blocked', tags: ['Nude', 'Objectionable'] },
      ]);
      expect(store.commits.map((c) => c.checkpoint)).toEqual([
        { update_time: 10, last_fetch_time: NOW / 1000, paging: { token: PAGE_TOKEN, token_ts: NOW / 1000 } },
        // Page 2's nextSetTimestamp (1625167824) is below page 1's; the sequence's last one is kept.
        { update_time: 1625167824, last_fetch_time: NOW / 1000, paging: null },
      ]);
      expect(server.requests[0]!.url.searchParams.get('startTimestamp')).toBe('10');
      expect(server.requests[0]!.url.searchParams.get('pageSize')).toBe('800');
      expect(server.requests[0]!.headers['x-functions-key']).toBe('fetch-key');
      expect(server.requests[0]!.headers['ocp-apim-subscription-key']).toBe('sub-key');
    } finally {
      await server.close();
    }
  });
});

describe('stop_ncii against a fake service', () => {
  let fake: FakeStopNcii;
  beforeEach(async () => {
    fake = await startFakeStopNcii();
    fake.records = Array.from({ length: 8 }, (_, i) => record(i, 1000 + i));
  });
  afterEach(() => fake.close());
  const run = (store = memoryStore(), extra: Parameters<typeof runOnce>[4] = {}, creds: Record<string, unknown> = KEYS) =>
    runOnce(type, store, {}, creds, { baseUrl: fake.url, now, ...extra });

  it('fetches all pages, then resumes from nextSetTimestamp with updates and withdrawals', async () => {
    const store = memoryStore();
    await run(store);
    expect(store.records.size).toBe(8);
    expect(store.checkpoint).toMatchObject({ update_time: 1007, paging: null });

    fake.records[2] = record(2, 2000, { hashStatus: 'Withdrawn' });
    fake.records[3] = record(3, 2001, { hashStatus: 'Deleted' });
    fake.records[4] = record(4, 2002, { CSPFeedbacks: [{ source: 'X', feedbackValue: 'NotBlocked', tags: [] }] });
    fake.records.push(record(100, 2003), record(101, 2004, { signalType: 'VideoTMK' }));
    const before = fake.requests.length;
    await run(store);
    expect(fake.requests[before]!.url.searchParams.get('startTimestamp')).toBe('1007');
    expect(store.records.has(`pdq:${pdq(2)}`)).toBe(false);
    expect(store.records.has(`pdq:${pdq(3)}`)).toBe(false);
    expect(store.records.get(`pdq:${pdq(4)}`)!.metadata.feedbacks).toEqual([{ source: 'X', value: 'NotBlocked', tags: [] }]);
    expect(store.records.has(`pdq:${pdq(100)}`)).toBe(true);
    expect(store.records.size).toBe(7);
  });

  it('reports refused keys as an auth error', async () => {
    await expect(run(memoryStore(), {}, { ...KEYS, subscription_key: 'nope' })).rejects.toMatchObject({ kind: 'auth' });
    expect(() => type.parseCredentials({ fetch_function_key: 'x' })).toThrow(/lack 'subscription_key'/);
  });

  it('waits out a 429 with Retry-After', async () => {
    fake.fault({ match: (r) => r.url.searchParams.has('nextPageToken'), reply: { status: 429, headers: { 'retry-after': '1' } } });
    const store = memoryStore();
    await run(store);
    expect(store.records.size).toBe(8);
  });

  it('fails fast on a long Retry-After, telling the scheduler how long to wait', async () => {
    fake.fault({ match: (r) => r.url.searchParams.has('nextPageToken'), reply: { status: 429, headers: { 'retry-after': '120' } } });
    const store = memoryStore();
    await expect(run(store, { drive: { maxCommitUpdates: 1 } })).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 120_000 });
    expect(store.records.size).toBe(3);
  });

  it('keeps the pages before a lasting 500 and resumes with the page token', async () => {
    fake.fault({ match: (r) => r.url.searchParams.has('nextPageToken'), reply: { status: 503 }, times: 3 });
    const store = memoryStore();
    await expect(run(store, { drive: { maxCommitUpdates: 1 } })).rejects.toMatchObject({ kind: 'transient' });
    expect(store.records.size).toBe(3);
    const token = (store.checkpoint as { paging: { token: string } }).paging.token;
    const before = fake.requests.length;
    await run(store);
    expect(fake.requests[before]!.url.searchParams.get('nextPageToken')).toBe(token);
    expect(store.records.size).toBe(8);
  });

  it('restarts the sequence when a saved page token is refused', async () => {
    const store = memoryStore();
    store.checkpoint = { update_time: 1000, last_fetch_time: NOW / 1000, paging: { token: 'stale', token_ts: NOW / 1000 } };
    fake.fault({ match: (r) => r.url.searchParams.get('nextPageToken') === 'stale', reply: { status: 400 } });
    await run(store);
    expect(store.records.size).toBe(8);
  });

  it('fails on a malformed body, keeping earlier pages', async () => {
    fake.fault({ match: (r) => r.url.searchParams.has('nextPageToken'), reply: { status: 200, body: '{"count": 1, "hashRecords": [' } });
    const store = memoryStore();
    await expect(run(store, { drive: { maxCommitUpdates: 1 } })).rejects.toMatchObject({ kind: 'malformed', message: expect.stringContaining('not JSON') });
    expect(store.records.size).toBe(3);
  });

  it('goes stale 30 days after the last page', () => {
    const cp = type.parseCheckpoint({ update_time: 5, last_fetch_time: 1000 });
    expect(type.isStale(cp, 1000 + 30 * 86400)).toBe(false);
    expect(type.isStale(cp, 1001 + 30 * 86400)).toBe(true);
  });

  it('submits Blocked / NotBlocked feedback with the submit key, and refuses without it', async () => {
    const store = memoryStore();
    await run(store);
    const rec = store.records.get(`pdq:${pdq(1)}`)!;
    const ctx = context(store, { baseUrl: fake.url });
    const cr = type.parseCredentials(KEYS);
    await type.sendFeedback({}, cr, rec, { kind: 'true_positive', labels: ['nude'] }, ctx);
    await type.sendFeedback({}, cr, rec, { kind: 'false_positive', labels: [] }, ctx);
    expect(fake.feedback).toEqual([
      { count: 1, hashFeedbacks: [{ tags: ['nude'], feedbackValue: 'Blocked', hashValue: pdq(1) }] },
      { count: 1, hashFeedbacks: [{ tags: [], feedbackValue: 'NotBlocked', hashValue: pdq(1) }] },
    ]);
    const noSubmit = type.parseCredentials({ fetch_function_key: 'fetch-key', subscription_key: 'sub-key' });
    await expect(type.sendFeedback({}, noSubmit, rec, { kind: 'true_positive', labels: [] }, ctx)).rejects.toThrow(/submit_feedback_function_key/);
    await expect(type.sendFeedback({}, cr, rec, { kind: 'seen', labels: [] }, ctx)).rejects.toMatchObject({ kind: 'unsupported' });
  });
});
