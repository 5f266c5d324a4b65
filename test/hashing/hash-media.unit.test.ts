/**
 * MediaHasher.hashMedia end to end: sources (bytes, path, stream), content types, limits and
 * every kind of bad input as a typed error; the worker pool (timeouts, recovery); `hma hash`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { contentTypeFromMime, sniffContentType } from '../../src/hashing/content-type.js';
import { hmaSignalValue, MediaHasher, type HashMediaRequest } from '../../src/hashing/hash-media.js';
import { HashPool, InProcessHasher } from '../../src/hashing/pool/hash-pool.js';
import { parseVpdqSignal } from '../../src/signals/vpdq/signal.js';
import { pdqDir, referenceOutputs, vpdqDir } from './testdata.js';
import { errorOf } from '../support/errors.js';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const ref = referenceOutputs();
const pdq = (name: string) => path.join(pdqDir(), name);
const video = path.join(vpdqDir(), 'test-padded-dimensions.mp4');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hma-hash-test-'));

const config = loadConfig({ ...process.env, HASH_WORKERS: '2', MAX_MEDIA_BYTES: String(8 * 1024 * 1024), MAX_IMAGE_PIXELS: '20000000' });
const hasher = new MediaHasher(config, new InProcessHasher());


const photo = (source: HashMediaRequest['source'], extra: Partial<HashMediaRequest> = {}) =>
  hasher.hashMedia({ source, contentType: 'photo', ...extra });

/** A PNG whose header claims width×height but which carries no real image data. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const byte of b) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}

describe('photos', () => {
  const rgb = ref.images['ptx-resources/rgb.jpeg'].fullres;
  it('hashes bytes, a path and a stream alike', async () => {
    const bytes = readFileSync(pdq('ptx-resources/rgb.jpeg'));
    for (const source of [{ bytes }, { path: pdq('ptx-resources/rgb.jpeg') }, { stream: Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]) }]) {
      const r = await photo(source);
      expect(r).toMatchObject({ contentType: 'photo', bytes: bytes.length, signals: { pdq: { type: 'pdq', ...rgb, meetsMinQuality: true, mode: 'fullres', width: 256, height: 256, format: 'jpeg' } } });
      expect(Object.keys(r.signals)).toEqual(['pdq']);
    }
  });

  it('honours the mode (cli512nn squashes large images first)', async () => {
    const r = await photo({ path: pdq('pdq-data/bridge-mods/aaa-orig.jpg') }, { mode: 'cli512nn' });
    expect(r.signals.pdq?.hash).toBe(ref.images['pdq-data/bridge-mods/aaa-orig.jpg'].cli512nn.hash);
  });

  it('flags quality below PDQ_MIN_QUALITY; HMA reports an empty string for it', async () => {
    const r = await photo({ path: pdq('pdq-data/misc-images/small.jpg') });
    expect(r.signals.pdq).toMatchObject({ quality: 0, meetsMinQuality: false, hash: ref.images['pdq-data/misc-images/small.jpg'].fullres.hash });
    expect(hmaSignalValue(r.signals.pdq!)).toBe('');
    expect(hmaSignalValue((await photo({ path: pdq('ptx-resources/rgb.jpeg') })).signals.pdq!)).toBe(rgb.hash);
  });

  it('hashes the first frame of an animated GIF or WebP', async () => {
    const w = 48;
    const h = 40;
    const frames = Buffer.alloc(w * h * 2 * 3);
    for (let i = 0; i < w * h * 3; i++) {
      frames[i] = (i * 7) % 256; // frame 1: a pattern
      frames[w * h * 3 + i] = (i * 13 + 90) % 256; // frame 2: another
    }
    const first = await photo({ bytes: await sharp(frames.subarray(0, w * h * 3), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer() });
    for (const fmt of ['gif', 'webp'] as const) {
      const animated = sharp(frames, { raw: { width: w, height: h * 2, channels: 3, pageHeight: h } });
      const bytes = await (fmt === 'gif' ? animated.gif() : animated.webp({ lossless: true })).toBuffer();
      const meta = await sharp(bytes).metadata();
      expect(meta.pages).toBe(2);
      const r = await photo({ bytes });
      expect([r.signals.pdq?.width, r.signals.pdq?.height]).toEqual([w, h]);
      // Lossless WebP keeps the pixels; GIF's palette may shift a few.
      if (fmt === 'webp') expect(r.signals.pdq?.hash).toBe(first.signals.pdq?.hash);
    }
  });
});

describe('bad photo input is a typed error', () => {
  it.each([
    ['zero bytes', Buffer.alloc(0), 'unsupported_media', /empty/],
    ['text', Buffer.from('this is not an image at all'), 'unsupported_media', /not an image/],
    ['truncated JPEG', readFileSync(pdq('ptx-resources/rgb.jpeg')).subarray(0, 3000), 'unsupported_media', /corrupt or truncated/],
    ['decompression bomb (header says 100000x100000)', pngHeaderOnly(100_000, 100_000), 'too_large', /pixel limit/],
    ['over MAX_MEDIA_BYTES', Buffer.alloc(8 * 1024 * 1024 + 1, 1), 'too_large', /larger than/],
  ])('%s', async (_what, bytes, code, message) => {
    const err = await errorOf(photo({ bytes }));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('an image under 5 px on a side is low quality', async () => {
    const bytes = await sharp({ create: { width: 4, height: 50, channels: 3, background: '#808080' } }).png().toBuffer();
    const err = await errorOf(photo({ bytes }));
    expect([err.code, err.details?.reason]).toEqual(['low_quality', 'too_small']);
  });

  it('a stream over the limit is refused without reading it all', async () => {
    let served = 0;
    const endless = (async function* () {
      for (;;) {
        served += 1024 * 1024;
        yield Buffer.alloc(1024 * 1024);
      }
    })();
    expect((await errorOf(photo({ stream: endless }))).code).toBe('too_large');
    expect(served).toBeLessThanOrEqual(9 * 1024 * 1024);
  });

  it('a missing file and a wrong signal type are invalid input', async () => {
    expect((await errorOf(photo({ path: path.join(tmp, 'nope.jpg') }))).code).toBe('invalid_input');
    expect((await errorOf(photo({ path: pdq('ptx-resources/rgb.jpeg') }, { signalTypes: ['video_md5'] }))).message).toMatch(/does not apply/);
    expect((await errorOf(photo({ path: pdq('ptx-resources/rgb.jpeg') }, { signalTypes: [] }))).message).toMatch(/empty signal type selection/);
  });
});

describe('videos', () => {
  const bytes = readFileSync(video);
  const md5 = createHash('md5').update(bytes).digest('hex');

  it('video_md5 is the MD5 of the bytes, from bytes, a path or a stream', async () => {
    for (const source of [{ bytes }, { path: video }, { stream: Readable.from([bytes]) }]) {
      const r = await hasher.hashMedia({ source, contentType: 'video', signalTypes: ['video_md5'] });
      expect(r.signals).toEqual({ video_md5: { type: 'video_md5', hash: md5 } });
    }
  });

  it('vpdq: one frame per second by default, good frames only, as a python-threatexchange signal', { timeout: 120_000 }, async () => {
    const r = await hasher.hashMedia({ source: { bytes }, contentType: 'video' });
    expect(r.signals.video_md5?.hash).toBe(md5);
    const v = r.signals.vpdq!;
    expect(v).toMatchObject({ framesHashed: 5, fps: 30, width: 1080, height: 1080, meetsMinQuality: true });
    expect(v.frames.map((f) => f.frame)).toEqual([0, 30, 60, 90, 120]);
    expect(parseVpdqSignal(v.value).map((f) => f.timestamp)).toEqual([0, 1, 2, 3, 4]);
    expect(hmaSignalValue(v)).toBe(v.value);
  });

  it('a still image sent as video is what ffmpeg makes of it: one frame', { timeout: 120_000 }, async () => {
    const r = await hasher.hashMedia({ source: { path: pdq('ptx-resources/rgb.jpeg') }, contentType: 'video' });
    expect(r.signals.vpdq?.framesHashed).toBe(1);
  });

  it('bad video input is a typed error', { timeout: 120_000 }, async () => {
    const v = (b: Uint8Array) => hasher.hashMedia({ source: { bytes: b }, contentType: 'video' });
    expect((await errorOf(v(Buffer.alloc(0)))).code).toBe('unsupported_media');
    expect((await errorOf(v(Buffer.from('not a video')))).code).toBe('unsupported_media');
    const truncated = bytes.subarray(0, 2000);
    expect((await errorOf(v(truncated))).code).toBe('unsupported_media');
  });
});

describe('content-type detection', () => {
  it('sniffs magic numbers and maps MIME types', async () => {
    expect(sniffContentType(readFileSync(pdq('ptx-resources/rgb.jpeg')).subarray(0, 512))).toBe('photo');
    expect(sniffContentType(readFileSync(pdq('ptx-resources/LA.png')).subarray(0, 512))).toBe('photo');
    expect(sniffContentType(readFileSync(pdq('pdq-data/misc-images/modes/F.webp')).subarray(0, 512))).toBe('photo');
    expect(sniffContentType(readFileSync(video).subarray(0, 512))).toBe('video');
    expect(sniffContentType(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).avif().toBuffer())).toBe('photo');
    expect(sniffContentType(Buffer.from('hello world'))).toBeUndefined();
    expect([contentTypeFromMime('image/jpeg'), contentTypeFromMime('video/mp4'), contentTypeFromMime('text/plain')]).toEqual(['photo', 'video', undefined]);
  });
});

describe('the hash pool', () => {
  let pool: HashPool;
  beforeAll(() => {
    pool = new HashPool({ processes: 2, taskTimeoutMs: 1500, maxRssMb: 512 });
  });
  afterAll(() => pool.close());

  it('hashes in hash processes, identically, and returns typed errors from them', async () => {
    const opts = { mode: 'fullres', maxPixels: 1e8, grey16: 'high_byte' } as const;
    const results = await Promise.all(['ptx-resources/rgb.jpeg', 'ptx-resources/LA.png', 'pdq-data/misc-images/wee.jpg'].map((f) => pool.hashPhoto(pdq(f), opts)));
    expect(results.map((r) => r.hash)).toEqual(['ptx-resources/rgb.jpeg', 'ptx-resources/LA.png', 'pdq-data/misc-images/wee.jpg'].map((f) => ref.images[f].fullres.hash));
    const err = await errorOf(pool.hashPhoto(Buffer.from('garbage'), opts));
    expect(err.code).toBe('unsupported_media');
  });

  it('stops a task over its time limit with a typed error, replaces the process and carries on', async () => {
    const err = await errorOf(pool.sleepInWorker(60_000));
    expect([err.code, err.details?.reason]).toEqual(['unsupported_media', 'timeout']);
    const r = await pool.hashPhoto(pdq('ptx-resources/rgb.jpeg'), { mode: 'fullres', maxPixels: 1e8, grey16: 'high_byte' });
    expect(r.hash).toBe(ref.images['ptx-resources/rgb.jpeg'].fullres.hash);
  });

  it('never blocks the event loop while hashing', async () => {
    // A hash process is kept busy for a second; meanwhile the main loop must keep turning.
    let turns = 0;
    let done = false;
    const spin = () => {
      if (done) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    await pool.sleepInWorker(1000);
    done = true;
    expect(turns).toBeGreaterThan(3);
  });
});

describe('hma hash (bin/hma.js)', () => {
  it('prints signal type, hash and quality per file, JSON with --json, and fails on bad files', { timeout: 120_000 }, async () => {
    const bad = path.join(tmp, 'bad.jpg');
    writeFileSync(bad, 'not a jpeg');
    const env = { ...process.env, HASH_WORKERS: '2', LOG_LEVEL: 'silent' };
    const text = await run('node', ['bin/hma.js', 'hash', pdq('ptx-resources/rgb.jpeg'), pdq('pdq-data/misc-images/small.jpg')], { cwd: repoRoot, env });
    expect(text.stdout.trim().split('\n')).toEqual([
      `${pdq('ptx-resources/rgb.jpeg')}\tpdq\t${ref.images['ptx-resources/rgb.jpeg'].fullres.hash}\t100`,
      `${pdq('pdq-data/misc-images/small.jpg')}\tpdq\t${ref.images['pdq-data/misc-images/small.jpg'].fullres.hash}\t0 (low)`,
    ]);
    const json = await run('node', ['bin/hma.js', 'hash', '--json', '--mode', 'cli512nn', pdq('pdq-data/bridge-mods/aaa-orig.jpg'), video], { cwd: repoRoot, env });
    const [img, vid] = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(img.signals.pdq).toMatchObject({ hash: ref.images['pdq-data/bridge-mods/aaa-orig.jpg'].cli512nn.hash, quality: 100, mode: 'cli512nn' });
    expect(vid.signals.video_md5.hash).toBe(createHash('md5').update(readFileSync(video)).digest('hex'));
    expect(vid.signals.vpdq.frames).toHaveLength(5);
    const failed = await run('node', ['bin/hma.js', 'hash', bad], { cwd: repoRoot, env }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/bad\.jpg: unsupported_media: /);
  });
});
