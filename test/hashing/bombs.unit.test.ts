/**
 * Issue 14: hostile images in parallel against the real /h/hash route and its real hash pool.
 * SVG filter bombs (with and without an XML prolog, declared as image/png), PNG and JPEG
 * headers declaring a huge canvas, and PNGs that stay under the pixel limit but need more
 * memory than a hash process may take: each gets a clear 4xx, the pool kills what it must,
 * and afterwards a normal image hashes as before while the memory of this process and of the
 * pool's processes is back near where it started. Memory figures are printed for the docs.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/runtime/app.js';
import { hasherRoutes } from '../../src/api/hasher/routes.js';
import { HashInput } from '../../src/api/media-input/hash-input.js';
import { loadConfig } from '../../src/config/config.js';
import { MediaHasher } from '../../src/hashing/index.js';
import { HashPool, rssOf } from '../../src/hashing/pool/hash-pool.js';
import { pdqDir } from './testdata.js';

const MB = 1024 * 1024;
const BRIDGE_PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
/** The file (195 bytes), and a longer variant with an XML prolog. */
const SVG_BOMB =
  '<svg width="9999" height="9999"><filter id="f"><feGaussianBlur stdDeviation="500"/></filter><rect width="9999" height="9999" filter="url(#f)"/></svg>';
const SVG_PROLOG = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="20000" height="20000"><defs><filter id="f"><feGaussianBlur stdDeviation="900"/><feTurbulence baseFrequency="0.9" numOctaves="10"/></filter></defs><rect width="20000" height="20000" filter="url(#f)"/></svg>`;

/** A PNG whose header claims width×height (CRC fixed), the image data being that of a small one. */
function pngClaiming(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

/** A JPEG whose SOF0 header claims width×height. */
function jpegClaiming(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9; ) {
    const marker = out[i + 1];
    if (marker >= 0xc0 && marker <= 0xc2) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + out.readUInt16BE(i + 2);
  }
  throw new Error('no SOF marker');
}

async function upload(base: string, bytes: Buffer): Promise<{ status: number; body: { message?: string; pdq?: string }; ms: number }> {
  const fd = new FormData();
  fd.append('photo', new Blob([bytes], { type: 'image/png' }), 'upload.png');
  const t0 = performance.now();
  const res = await fetch(`${base}/h/hash`, { method: 'POST', body: fd });
  const body = (await res.json()) as { message?: string; pdq?: string };
  return { status: res.status, body, ms: performance.now() - t0 };
}

let app: FastifyInstance;
let hasher: MediaHasher;
let pool: HashPool;
let base = '';
let bridge: Buffer;
let bombs: Array<{ name: string; bytes: Buffer; status: number; message: RegExp }>;

const parentRss = () => process.memoryUsage().rss;
function poolRss(): number {
  let n = 0;
  for (const pid of pool.pids) n += rssOf(pid) ?? 0;
  return n;
}
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

beforeAll(async () => {
  bridge = readFileSync(path.join(pdqDir(), 'pdq-data/bridge-mods/aaa-orig.jpg'));
  const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#345' } }).png().toBuffer();
  const smallJpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#345' } }).jpeg().toBuffer();
  // 9000×9000 = 81 Mpx, under the 100 Mpx limit: 237 KB of PNG that decodes to 243 MB of RGB.
  const dense = await sharp({ create: { width: 9000, height: 9000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer();
  bombs = [
    { name: 'svg (issue 14)', bytes: Buffer.from(SVG_BOMB), status: 415, message: /^unsupported image format: svg/ },
    { name: 'svg again', bytes: Buffer.from(SVG_BOMB), status: 415, message: /^unsupported image format: svg/ },
    { name: 'svg with prolog', bytes: Buffer.from(SVG_PROLOG), status: 415, message: /^unsupported image format: svg/ },
    { name: 'svg with prolog again', bytes: Buffer.from(SVG_PROLOG), status: 415, message: /^unsupported image format: svg/ },
    { name: 'png claiming 100000×100000', bytes: pngClaiming(small, 100_000, 100_000), status: 413, message: /over the 100000000-pixel limit/ },
    { name: 'jpeg claiming 65000×65000', bytes: jpegClaiming(smallJpeg, 65_000, 65_000), status: 413, message: /over the 100000000-pixel limit/ },
    { name: 'png 81 Mpx under the limit', bytes: dense, status: 413, message: /^hashing needed more than 256 MB of memory and was stopped$/ },
    { name: 'png 81 Mpx again', bytes: dense, status: 413, message: /^hashing needed more than 256 MB of memory and was stopped$/ },
  ];
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    PRODUCTION: 'false',
    HASH_WORKERS: '2',
    HASH_TASK_TIMEOUT_MS: '20000',
    HASH_WORKER_MAX_RSS_MB: '256',
  });
  hasher = MediaHasher.fromConfig(config);
  pool = hasher.executor as HashPool;
  await pool.whenFull();
  app = await buildApp({ config, plugins: [hasherRoutes({ config, input: new HashInput(config, hasher) })] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await hasher?.close();
});

describe('hostile images in parallel', () => {
  it('each gets a clear 4xx; then a normal image hashes as before and memory is back to its baseline', { timeout: 120_000 }, async () => {
    // Baseline: a few normal hashes (warms both processes), then memory.
    const warm: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await upload(base, bridge);
      expect([r.status, r.body.pdq]).toEqual([200, BRIDGE_PDQ]);
      warm.push(r.ms);
    }
    const usualMs = [...warm].sort((a, b) => a - b)[1];
    const before = { parent: parentRss(), pool: poolRss() };

    let peak = { parent: 0, pool: 0 };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = { parent: Math.max(peak.parent, parentRss()), pool: Math.max(peak.pool, poolRss()) };
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const t0 = performance.now();
    const answers = await Promise.all(bombs.map((b) => upload(base, b.bytes)));
    const bombsMs = performance.now() - t0;
    sampling = false;
    await sampler;

    for (const [i, b] of bombs.entries()) {
      expect({ name: b.name, status: answers[i].status }).toEqual({ name: b.name, status: b.status });
      expect(answers[i].body.message).toMatch(b.message);
    }

    // The pool replaced the processes it killed and takes work at once.
    await pool.whenFull();
    expect(pool.pids).toHaveLength(2);
    const after = await upload(base, bridge);
    expect([after.status, after.body.pdq]).toEqual([200, BRIDGE_PDQ]);
    const afterMem = { parent: parentRss(), pool: poolRss() };

    console.log(
      `bombs: ${bombs.length} in parallel answered in ${bombsMs.toFixed(0)} ms; normal image ${usualMs.toFixed(0)} ms before, ${after.ms.toFixed(0)} ms after\n` +
        `RSS this process: ${mb(before.parent)} before, ${mb(peak.parent)} peak, ${mb(afterMem.parent)} after; ` +
        `pool processes (sum of 2): ${mb(before.pool)} before, ${mb(peak.pool)} peak, ${mb(afterMem.pool)} after`,
    );
    // A stalled pool (issue 14) answers the normal image after minutes; a working one within its usual time.
    expect(after.ms).toBeLessThan(Math.max(5 * usualMs, 3000));
    // The 81 Mpx PNGs need more than the cap: their processes were killed, not left holding it.
    expect(peak.pool).toBeGreaterThan(before.pool + 200 * MB);
    expect(afterMem.pool).toBeLessThan(before.pool + 100 * MB);
    expect(afterMem.parent).toBeLessThan(before.parent + 100 * MB);
  });
});
