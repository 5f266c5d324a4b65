/**
 * The hasher stage on the real broker with the real worker pool and fetcher: good
 * media (inline and by URL) is hashed; bad image, refused URL, unreachable host,
 * oversize media, 5xx and malformed events are dead-lettered with a typed reason,
 * the original bytes and the attempts made; none of them holds up the partition.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaInline, mediaUrl, type ContentSubmittedValue, type DeadLetterValue } from '../../src/kafka/values.js';
import { startHasher } from '../../src/processes/hasher.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { hammingDistanceHex } from '../../src/signals/pdq/hash256.js';
import { mediaServer, type MediaServer } from './support/media-server.js';
import { readTopic, testPipeline, type TestPipeline } from './support/topics.js';

const PDQ_DATA = '/work/shared/testdata/pdq/pdq-data';
const BLUR = `${PDQ_DATA}/bridge-mods/blur-a-little.jpg`;
const BLUR_PDQ = 'f8f8f0cee0f4a84f06370a2a038f63f0b36e26d596621e1d33e6b39c4e9c9b22';
const WEE = `${PDQ_DATA}/misc-images/wee.jpg`;
const WEE_PDQ = '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d';
const MAX_MEDIA = 400_000;

let p: TestPipeline;
let runtime: Runtime;
let server: MediaServer;
let closedPort: number;

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const sub = (id: string, media: ContentSubmittedValue['media'], contentType = 'photo'): ContentSubmittedValue => ({
  submission_id: `sub-${id}`,
  content_id: id,
  content_type: contentType,
  media,
  metadata: null,
  trace_id: null,
  submitted_at: Date.now(),
});

beforeAll(async () => {
  server = await mediaServer({
    '/wee.jpg': { file: WEE },
    '/big.jpg': { bytes: Buffer.alloc(MAX_MEDIA + 1, 7) },
    '/down.jpg': { status: 503 },
    '/gone.jpg': { status: 404 },
  });
  closedPort = await freePort();
  p = await testPipeline('hasher', {
    URL_ALLOW_LOOPBACK: 'true',
    MAX_MEDIA_BYTES: String(MAX_MEDIA),
    MEDIA_FETCH_TIMEOUT_MS: '3000',
  });
  runtime = new Runtime(p.config, 'hasher-test');
  await startHasher(runtime);
});

afterAll(async () => {
  await runtime?.stop();
  await p?.close();
  await server?.close();
});

const SVG_BOMB =
  '<svg width="9999" height="9999"><filter id="f"><feGaussianBlur stdDeviation="500"/></filter><rect width="9999" height="9999" filter="url(#f)"/></svg>';

describe('hasher stage', () => {
  it('hashes good media and dead-letters each kind of bad input with its typed reason', async () => {
    const garbage = Buffer.from('definitely not an image');
    const notAvro = Buffer.from([0, 0, 0, 0, 1, 0xff, 0xff, 0xff]);
    // One key for everything: one partition, poison first, good content last.
    const key = 'same-partition';
    const bad: Array<[string, ContentSubmittedValue, string, number]> = [
      ['bad-image', sub('bad-image', mediaInline(garbage)), 'unsupported_media', 1],
      // Issue 14: refused from its bytes (declared a PNG), never rendered, never retried.
      ['svg-bomb', sub('svg-bomb', mediaInline(Buffer.from(SVG_BOMB), 'image/png')), 'unsupported_format', 1],
      ['private-url', sub('private-url', mediaUrl('http://10.1.2.3/x.jpg')), 'url_refused', 1],
      ['metadata-url', sub('metadata-url', mediaUrl('http://169.254.169.254/latest/meta-data')), 'url_refused', 1],
      ['file-url', sub('file-url', mediaUrl('file:///etc/passwd')), 'url_refused', 1],
      ['unreachable', sub('unreachable', mediaUrl(`http://127.0.0.1:${closedPort}/x.jpg`)), 'fetch_transient', 3],
      ['no-such-host', sub('no-such-host', mediaUrl('http://no-such-host.invalid/x.jpg')), 'fetch_failed', 1],
      ['server-down', sub('server-down', mediaUrl(server.url('/down.jpg'))), 'fetch_transient', 3],
      ['not-found', sub('not-found', mediaUrl(server.url('/gone.jpg'))), 'fetch_failed', 1],
      ['oversize-url', sub('oversize-url', mediaUrl(server.url('/big.jpg'))), 'too_large', 1],
      ['oversize-inline', sub('oversize-inline', mediaInline(Buffer.alloc(MAX_MEDIA + 1, 1))), 'too_large', 1],
      ['no-content-id', { ...sub('x', mediaInline(garbage)), content_id: '' }, 'malformed_event', 1],
      ['audio', sub('audio', mediaInline(garbage), 'audio'), 'malformed_event', 1],
    ];
    await p.produceRaw('content.submitted', [
      { key, value: Buffer.from('{"json": "is not avro"}') },
      { key, value: notAvro },
    ]);
    await p.produce('content.submitted', bad.map(([, value]) => ({ key, value })));
    await p.produce('content.submitted', [
      { key, value: sub('inline-good', mediaInline(await readFile(BLUR), 'image/jpeg')) },
      { key, value: sub('url-good', mediaUrl(server.url('/wee.jpg'))) },
    ]);

    const hashed = await readTopic(p, 'content.hashed', { count: 2, timeoutMs: 90_000 });
    const byId = new Map(hashed.map((h) => [h.value.content_id, h.value]));
    const inline = byId.get('inline-good')!;
    expect(inline.signals).toHaveLength(1);
    expect(inline.signals[0].signal_type).toBe('pdq');
    expect(hammingDistanceHex(inline.signals[0].value, BLUR_PDQ)).toBeLessThanOrEqual(2);
    expect(inline.signals[0].quality).toBeGreaterThanOrEqual(50);
    expect(inline.timings.fetch_ms).toBe(0);
    expect(inline.hasher_version).toMatch(/^hma-stream\//);
    const url = byId.get('url-good')!;
    expect(hammingDistanceHex(url.signals[0].value, WEE_PDQ)).toBeLessThanOrEqual(2);
    expect(url.timings.fetch_ms).toBeGreaterThan(0);
    expect(url.submission_id).toBe('sub-url-good');

    const dead = await readTopic(p, 'deadletter', { count: bad.length + 2, timeoutMs: 60_000, settleMs: 500 });
    expect(dead).toHaveLength(bad.length + 2);
    const decoded = await Promise.all(
      dead.map(async (d) => ({ d: d.value, original: await p.codec.decode('content.submitted', d.value.original_value!).catch(() => undefined) })),
    );
    const byContent = new Map<string, DeadLetterValue>();
    const malformedBytes: DeadLetterValue[] = [];
    for (const { d, original } of decoded) {
      if (original && original.content_id !== '') byContent.set(original.content_id, d);
      else if (original) byContent.set('no-content-id', d);
      else malformedBytes.push(d);
    }
    for (const [id, , reason, attempts] of bad) {
      const d = byContent.get(id);
      expect(d, id).toBeDefined();
      expect({ id, reason: d!.reason, attempts: d!.attempts, stage: d!.stage }).toEqual({ id, reason, attempts, stage: 'hasher' });
      expect(d!.original_topic).toBe(`${p.config.TOPIC_PREFIX}content.submitted`);
      expect(d!.original_key).toBe(key);
    }
    expect(malformedBytes.map((d) => d.reason)).toEqual(['malformed_event', 'malformed_event']);
    expect(malformedBytes.map((d) => d.original_value!.toString('hex')).sort()).toEqual(
      [Buffer.from('{"json": "is not avro"}').toString('hex'), notAvro.toString('hex')].sort(),
    );
    // Transient failures were retried: the server saw the 503 path once per attempt.
    expect(server.hits.get('/down.jpg')).toBe(3);
  });
});
