/**
 * The web UI end to end: headless Chromium against the API process composed as
 * `hma api` composes it in development mode, on the real broker, registry and database.
 * One browser for the file; the tests run in order and build on each other's state.
 * UPDATE_SCREENSHOTS=1 also saves each page to docs/screenshots/.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPhoto } from '../../src/hashing/photo.js';
import { decodeImage, probeImage } from '../../src/hashing/decode-image.js';
import type { MatchResultValue } from '../../src/kafka/values.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { DIHEDRAL_NAMES } from '../../src/signals/pdq/dihedral.js';
import { hammingDistanceHex, hash256ToHex } from '../../src/signals/pdq/hash256.js';
import { PdqHasher } from '../../src/signals/pdq/hasher.js';
import { topicName } from '../../topology/topics.js';
import type { Stack } from '../support/stack.js';
import { eventually, startTestApi, type TestApi } from './support/api.js';
import { launchBrowser, screenshot, type Browser } from './support/browser.js';

const PDQ = '/work/shared/testdata/pdq';
const BRIDGE = `${PDQ}/pdq-data/reg-test-input/dih/bridge-1-original.jpg`;
const BRIDGE_90 = `${PDQ}/pdq-data/reg-test-input/dih/bridge-2-rotate-90.jpg`;
const expected = JSON.parse(readFileSync(`${PDQ}/expected.json`, 'utf8')) as {
  files: Record<string, { hash: string | null }>;
  _pairwise_distances: Array<{ a: string; b: string; distance: number }>;
};
const BRIDGE_HASH = expected.files['pdq-data/reg-test-input/dih/bridge-1-original.jpg']!.hash!;

let api: TestApi;
let stack: Stack;
let runtime: Runtime;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let page: Page;
let errors: string[];

const photoOpts = () => ({ mode: stack.config.PDQ_MODE, maxPixels: stack.config.MAX_IMAGE_PIXELS, grey16: 'high_byte' as const });

async function open(path: string): Promise<void> {
  await page.goto(`${base}${path}`);
}

/** Clicks a submit button and waits until the page the form leads to has loaded (and is at `url`). */
async function submit(selector: string, url?: RegExp): Promise<void> {
  const loaded = page.waitForEvent('load');
  await page.click(selector);
  await loaded;
  if (url) expect(page.url()).toMatch(url);
}

const text = async (selector: string) => ((await page.textContent(selector)) ?? '').trim();

beforeAll(async () => {
  api = await startTestApi('uibrowser');
  ({ stack, runtime, app } = api);
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchBrowser();
  ({ page, errors } = await browser.page());
});
beforeEach(() => {
  errors.length = 0;
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe('the web UI', () => {
  it('loads every page without console errors', async () => {
    for (const path of ['/ui/', '/ui/banks', '/ui/exchanges', '/ui/exchanges?api=ncmec', '/ui/match', '/ui/results', '/ui/documentation']) {
      const response = await page.goto(`${base}${path}`);
      expect(response?.status(), path).toBe(200);
      await page.waitForLoadState('networkidle').catch(() => undefined); // live results keep a stream open
      expect(await page.locator('nav a[aria-current="page"]').count(), path).toBe(1);
    }
    // Swagger UI renders our OpenAPI document inside the documentation page.
    await open('/ui/documentation');
    await page.frameLocator('iframe.docs').locator('.swagger-ui .info .title').waitFor({ timeout: 30_000 });
    await screenshot(page, 'documentation');
    expect(errors).toEqual([]);
  }, 120_000);

  it('dev buttons: Setup Sample API, Seed Banks with progress, Setup Tx API; run fetch shows results and errors', async () => {
    await open('/ui/');
    await submit('#setup-sample');
    expect(await text('#setup-sample')).toBe('✅ Sample API created');
    expect(await page.isDisabled('#setup-sample')).toBe(true);

    await page.click('#seed-banks');
    await page.locator('#seed-progress').waitFor({ state: 'visible' });
    await page.getByText('✅ Banks seeded').waitFor({ timeout: 90_000 });
    expect(await page.isDisabled('#seed-banks')).toBe(true);

    await submit('#setup-tx');
    expect(await text('#setup-tx')).toBe('✅ Tx API created');

    await open('/ui/exchanges');
    await submit('#run-fetch button', /\/ui\/exchanges$/);
    const sample = page.locator('tr[data-exchange="SEED_SAMPLE"]');
    expect(await sample.locator('td.num').textContent()).toBe('18');
    expect(await sample.locator('[data-state]').getAttribute('data-state')).toBe('up_to_date');
    expect(await sample.locator('[data-last-fetch]').textContent()).toMatch(/^(\d+s|0s) ago$/);
    const tx = page.locator('tr[data-exchange="TX_EXAMPLE_COLLAB"]');
    expect(await tx.locator('[data-state]').getAttribute('data-state')).toBe('failed');
    expect(await tx.textContent()).toContain("no credentials set for exchange API 'fb_threatexchange'");

    await open('/ui/banks');
    expect(await page.locator('tr[data-bank="SEED_BANK_0"] [data-items]').textContent()).toBe('5,000');
    expect(await page.locator('tr[data-bank="SEED_BANK_1"] [data-items]').textContent()).toBe('5,000');
    expect(await page.locator('tr[data-bank="SEED_SAMPLE"] [data-items]').textContent()).toBe('18');

    // 5,000 seeded + 16 sample PDQs; the replica may still be applying them on a busy machine.
    const indexed = await eventually(async () => {
      await open('/ui/');
      return page.locator('#index-status tr[data-signal-type="pdq"] td.num').first().textContent();
    }, (v) => v === '5,016');
    expect(indexed).toBe('5,016');
    expect(await page.locator('#exchange-status tr[data-exchange="SEED_SAMPLE"]').count()).toBe(1);
    await screenshot(page, 'dashboard');
    expect(errors).toEqual([]);
  }, 180_000);

  it('creates a bank, adds an uploaded image with metadata and a note, and finds it by upload and by hash', async () => {
    await open('/ui/banks');
    await page.fill('#bank-name', 'UI_BANK');
    await page.fill('#create-bank input[name=labels]', 'demo, photos');
    await submit('#create-bank button', /done=bank_created/);
    expect(await text('.notice.ok')).toBe('Bank UI_BANK created.');

    await submit('tr[data-bank="UI_BANK"] a', /\/ui\/bank\/UI_BANK$/);
    await page.setInputFiles('#add-upload-file', BRIDGE);
    await page.fill('#add-upload-note', 'reported bridge');
    await page.click('#add-upload details summary');
    await page.fill('#add-upload-content-id', 'post-42');
    await page.fill('#add-upload-json', '{"reporter": "alice"}');
    await submit('#add-upload button[type=submit]', /done=added/);
    const row = page.locator('#content tbody tr').first();
    expect(await row.textContent()).toContain(BRIDGE_HASH);
    expect(await row.textContent()).toContain('reported bridge');
    expect(await row.textContent()).toContain('post-42');
    expect(await row.textContent()).toContain('alice');
    const contentId = await row.getAttribute('data-content-id');
    await screenshot(page, 'bank');

    await open('/ui/banks');
    await page.setInputFiles('#find-upload-file', BRIDGE);
    await submit('#find-upload button');
    const byUpload = page.locator(`#matches tr[data-bank="UI_BANK"][data-content-id="${contentId}"]`);
    expect(await byUpload.locator('[data-distance]').textContent()).toBe('0');
    expect(await byUpload.textContent()).toContain('reported bridge');
    expect(await byUpload.textContent()).toContain('alice');
    expect(await page.locator('#matches tr[data-bank="SEED_SAMPLE"]').count()).toBe(12);
    await screenshot(page, 'banks');

    await page.selectOption('#find-hash-signal-type', 'pdq');
    await page.fill('#find-hash-signal-value', BRIDGE_HASH);
    await submit('#find-hash button');
    expect(await page.locator(`#matches tr[data-bank="UI_BANK"][data-content-id="${contentId}"] [data-distance]`).textContent()).toBe('0');
    expect(errors).toEqual([]);
  }, 120_000);

  it('browses a bank page by page, and a disabled item stops matching until enabled again', async () => {
    await open('/ui/bank/SEED_BANK_0?page_size=25');
    expect(await page.locator('#content tbody tr').count()).toBe(25);
    const firstIds = await page.locator('#content tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-content-id')));
    await submit('#next-page');
    const nextIds = await page.locator('#content tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-content-id')));
    expect(nextIds).toHaveLength(25);
    expect(nextIds.filter((id) => firstIds.includes(id))).toEqual([]);

    const findByHash = async () => {
      await open('/ui/banks');
      await page.fill('#find-hash-signal-value', BRIDGE_HASH);
      await submit('#find-hash button');
      return page.locator('#matches tr[data-bank="UI_BANK"]').count();
    };
    await open('/ui/bank/UI_BANK');
    await submit('#content tbody tr button', /done=disabled/);
    expect(await text('#content tbody tr [data-state]')).toBe('disabled');
    expect(await findByHash()).toBe(0);

    await open('/ui/bank/UI_BANK');
    await submit('#content tbody tr button', /done=enabled/);
    expect(await text('#content tbody tr [data-state]')).toBe('enabled');
    expect(await findByHash()).toBe(1);
    expect(errors).toEqual([]);
  }, 120_000);

  it('creates exchanges from the generated form, fetches the sample one, and switches fetching off and on', async () => {
    await open('/ui/exchanges');
    await Promise.all([page.waitForEvent('load'), page.selectOption('#api-select', 'sample')]);
    expect(page.url()).toMatch(/api=sample/);
    await page.fill('#new-bank', 'my_sample');
    await submit('#create-exchange button[type=submit]', /done=exchange_created/);
    await submit('#run-fetch button', /\/ui\/exchanges$/);
    expect(await page.locator('tr[data-exchange="MY_SAMPLE"] td.num').textContent()).toBe('18');

    await submit('tr[data-exchange="MY_SAMPLE"] form button', /done=exchange_disabled/);
    expect(await page.locator('tr[data-exchange="MY_SAMPLE"] [data-state]').getAttribute('data-state')).toBe('disabled');
    await submit('tr[data-exchange="MY_SAMPLE"] form button', /done=exchange_enabled/);

    // ThreatExchange: a required number field and a credential; created disabled (no network in tests).
    await Promise.all([page.waitForEvent('load'), page.selectOption('#api-select', 'fb_threatexchange')]);
    expect(page.url()).toMatch(/api=fb_threatexchange/);
    expect(await page.locator('#cfg-privacy_group').getAttribute('required')).not.toBeNull();
    await page.fill('#new-bank', 'TX_MINE');
    await page.fill('#cfg-privacy_group', '123456');
    await page.fill('#cred-api_token', '1234|secret');
    await page.uncheck('#create-exchange input[type=checkbox][name=enabled]');
    await screenshot(page, 'exchanges');
    await submit('#create-exchange button[type=submit]', /done=exchange_created/);
    expect(await page.locator('tr[data-exchange="TX_MINE"] [data-state]').getAttribute('data-state')).toBe('disabled');
    expect((await app.inject({ url: '/c/exchange/TX_MINE' })).json()).toMatchObject({ privacy_group: 123456, enabled: false });
    await open('/ui/');
    expect(await page.locator('#exchange-types li', { hasText: 'fb_threatexchange' }).textContent()).toContain('credentials set');

    // A form error is shown on the page, not as a crash.
    await open('/ui/exchanges?api=sample');
    await page.fill('#new-bank', 'TX_MINE');
    await submit('#create-exchange button[type=submit]');
    expect(await text('.notice.error')).toBe("Exchange 'TX_MINE' already exists");
    // The browser logs the page's 400 status; that one was asked for.
    expect(errors.filter((e) => !e.includes('status of 400') || !e.includes('/ui/exchanges/create'))).toEqual([]);
  }, 120_000);

  it('match debugger: distance 0 for the same image, the hashing module\'s distance for two images, and the best rotation', async () => {
    const opts = photoOpts();
    const [a, b] = await Promise.all([hashPhoto(readFileSync(BRIDGE), opts), hashPhoto(readFileSync(BRIDGE_90), opts)]);
    expect(a.hash).toBe(BRIDGE_HASH);
    const img = await decodeImage(readFileSync(BRIDGE), await probeImage(readFileSync(BRIDGE), opts), opts);
    const variants = new PdqHasher().hashDihedral(img, opts.mode).hashes;
    const bestVariant = Math.min(...DIHEDRAL_NAMES.map((n) => hammingDistanceHex(hash256ToHex(variants[n]), b.hash)));

    await open('/ui/match');
    await page.setInputFiles('#file-a', BRIDGE);
    await page.setInputFiles('#file-b', BRIDGE);
    await page.locator('#preview-a').waitFor({ state: 'visible' });
    await submit('#match-form button');
    expect(await text('#distance')).toBe('0');
    expect(await text('#verdict')).toBe('✅ Yes');
    expect(await text('#result-a [data-hash]')).toBe(a.hash);
    expect(await text('#result-a [data-quality]')).toBe(String(a.quality));

    await page.setInputFiles('#file-a', BRIDGE);
    await page.setInputFiles('#file-b', BRIDGE_90);
    await submit('#match-form button');
    const distance = hammingDistanceHex(a.hash, b.hash);
    const pair = expected._pairwise_distances.find((p) => p.a.endsWith('bridge-1-original.jpg') && p.b.endsWith('bridge-2-rotate-90.jpg'));
    expect(distance).toBe(pair?.distance);
    expect(await text('#distance')).toBe(String(distance));
    expect(await text('#verdict')).toBe('❌ No');
    expect(await text('#result-b [data-hash]')).toBe(b.hash);
    expect(await text('#best-distance')).toBe(String(bestVariant));
    expect(bestVariant).toBeLessThanOrEqual(stack.config.PDQ_MATCH_THRESHOLD);
    expect(await page.locator('#variants tbody tr').count()).toBe(8);
    await page.click('#comparison details summary');
    await screenshot(page, 'match');
    expect(errors).toEqual([]);
  }, 120_000);

  it('shows match results live from the results topic, filtered by bank', async () => {
    await open('/ui/results?bank=LIVE_A');
    const producer = runtime.kafka.producer();
    await producer.connect();
    const result = (content: string, bank: string): MatchResultValue => ({
      submission_id: `sub-${content}`,
      content_id: content,
      content_type: 'photo',
      matched: true,
      matches: [{ bank_id: 1, bank_name: bank, bank_content_id: 7, signal_type: 'pdq', distance: 3, bank_labels: [], provenance: null }],
      suppressed: [], index_positions: { pdq: 1 },
      trace_id: null,
      metadata: null,
      submitted_at: Date.now() - 40,
      timings: { hashed_at: Date.now() - 20, match_ms: 1.5, matched_at: Date.now() },
    });
    try {
      for (const [content, bank] of [['upload-b', 'LIVE_B'], ['upload-a', 'LIVE_A']] as const) {
        await producer.send({
          topic: topicName(stack.config.TOPIC_PREFIX, 'match.results'),
          messages: [{ key: content, value: await runtime.codec.encode('match.results', result(content, bank)) }],
        });
      }
    } finally {
      await producer.disconnect();
    }
    await page.locator('#live-results tbody tr', { hasText: 'upload-a' }).waitFor({ timeout: 45_000 });
    expect(await page.locator('#live-results tbody tr', { hasText: 'upload-b' }).count()).toBe(0);
    expect(await text('#live-status')).toBe('live');

    await open('/ui/results');
    await page.locator('#live-results tbody tr', { hasText: 'upload-b' }).waitFor();
    expect(await page.locator('#live-results tbody tr').count()).toBe(2);
    await screenshot(page, 'results');
    expect(errors).toEqual([]);
  }, 120_000);

  it('factory reset asks for confirmation, then deletes everything', async () => {
    await open('/ui/');
    await page.click('#factory-reset');
    // The browser refuses the form until the confirmation box is ticked.
    expect(page.url()).toBe(`${base}/ui/`);
    expect(await page.isDisabled('#setup-sample')).toBe(true);
    await page.check('#reset-confirm');
    await submit('#factory-reset');
    expect(await text('#setup-sample')).toBe('Setup Sample API');
    expect(await page.isDisabled('#setup-sample')).toBe(false);
    expect(await text('#seed-banks')).toBe('Seed Banks');
    expect(await page.locator('#exchange-status').count()).toBe(0);
    await open('/ui/banks');
    expect(await page.locator('#no-banks').count()).toBe(1);
    expect(errors).toEqual([]);
  }, 120_000);
});
