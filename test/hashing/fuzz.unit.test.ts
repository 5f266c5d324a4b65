/**
 * Mutation fuzzing: thousands of damaged images (and a few damaged videos) must each end in a
 * hash or a typed error, never an exception of another kind, a crash or a hang. Mutations are
 * seeded, so a failure names the seed and case that reproduce it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { isHmaError, type ErrorCode } from '../../src/errors/errors.js';
import { MediaHasher } from '../../src/hashing/hash-media.js';
import { HashPool, InProcessHasher } from '../../src/hashing/pool/hash-pool.js';
import { pdqDir, vpdqDir } from './testdata.js';

const SEED = 20240611;
const IMAGE_CASES = 3000;
const POOL_CASES = 200;
const VIDEO_CASES = 12;
const EXPECTED_CODES: readonly ErrorCode[] = ['unsupported_media', 'unsupported_format', 'too_large', 'low_quality'];

/** mulberry32: small, fast, seedable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: Uint8Array, rand: () => number, others: readonly Uint8Array[]): Uint8Array {
  const int = (n: number) => Math.floor(rand() * n);
  let b = Uint8Array.from(src);
  const rounds = 1 + int(3);
  for (let r = 0; r < rounds; r++) {
    switch (int(8)) {
      case 0: // flip a few bits anywhere
        for (let i = 0, n = 1 + int(8); i < n; i++) b[int(b.length)] ^= 1 << int(8);
        break;
      case 1: // scribble over the header, where sizes and markers live
        for (let i = 0, n = 1 + int(6); i < n; i++) b[int(Math.min(64, b.length))] = int(256);
        break;
      case 2: // truncate
        b = b.subarray(0, int(b.length));
        break;
      case 3: {
        // insert random bytes
        const at = int(b.length + 1);
        const extra = Uint8Array.from({ length: 1 + int(64) }, () => int(256));
        b = Uint8Array.from([...b.subarray(0, at), ...extra, ...b.subarray(at)]);
        break;
      }
      case 4: {
        // delete a range
        const at = int(b.length);
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + int(256))]);
        break;
      }
      case 5: {
        // duplicate a range
        const at = int(b.length);
        const len = 1 + int(512);
        b = Uint8Array.from([...b.subarray(0, at + len), ...b.subarray(at, at + len), ...b.subarray(at + len)]);
        break;
      }
      case 6: {
        // splice in the tail of another image
        const other = others[int(others.length)];
        b = Uint8Array.from([...b.subarray(0, int(b.length)), ...other.subarray(int(other.length))]);
        break;
      }
      default: // overwrite a run with one value (0x00 or 0xff runs are classic)
        b.fill(rand() < 0.5 ? 0 : 0xff, int(b.length), int(b.length) + 1 + int(128));
    }
  }
  return b;
}

async function seedImages(): Promise<Uint8Array[]> {
  const w = 72;
  const h = 56;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([(x * 3 + y) & 255, (x * y) & 255, (y * 5) & 255], (y * w + x) * 3);
  const base = () => sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  const made = await Promise.all([
    base().jpeg().toBuffer(),
    base().jpeg({ progressive: true }).toBuffer(),
    base().png().toBuffer(),
    base().greyscale().png().toBuffer(),
    base().png({ palette: true }).toBuffer(),
    base().gif().toBuffer(),
    base().webp().toBuffer(),
    base().webp({ lossless: true }).toBuffer(),
    base().tiff().toBuffer(),
    base().avif({ effort: 0 }).toBuffer(),
  ]);
  const files = ['pdq-data/misc-images/wee.jpg', 'ptx-embedded/random_image_26x28.png'].map((f) => readFileSync(path.join(pdqDir(), f)));
  return [...made, ...files].map((b) => new Uint8Array(b));
}

type Outcome = 'hash' | ErrorCode;

function classify(err: unknown, label: string, failures: string[]): Outcome | undefined {
  if (isHmaError(err) && EXPECTED_CODES.includes(err.code)) return err.code;
  failures.push(`${label}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  return undefined;
}

describe('fuzzing with mutated media', () => {
  const config = loadConfig({ ...process.env, MAX_IMAGE_PIXELS: '4000000', MAX_MEDIA_BYTES: String(4 * 1024 * 1024), VIDEO_HASH_TIMEOUT_MS: '30000' });
  let seeds: Uint8Array[];
  let pool: HashPool;
  beforeAll(async () => {
    seeds = await seedImages();
    pool = new HashPool({ processes: 2, taskTimeoutMs: 10_000, maxRssMb: 1024 });
  });
  afterAll(() => pool?.close());

  async function fuzzPhotos(hasher: MediaHasher, cases: number, seed: number) {
    const rand = rng(seed);
    const failures: string[] = [];
    const outcomes = new Map<Outcome, number>();
    for (let i = 0; i < cases; i++) {
      const bytes = mutate(seeds[i % seeds.length], rand, seeds);
      let outcome: Outcome | undefined;
      try {
        const r = await hasher.hashMedia({ source: { bytes }, contentType: 'photo' });
        const pdq = r.signals.pdq;
        if (pdq && /^[0-9a-f]{64}$/.test(pdq.hash) && pdq.quality >= 0 && pdq.quality <= 100) outcome = 'hash';
        else failures.push(`seed ${seed} case ${i}: malformed result ${JSON.stringify(r)}`);
      } catch (err) {
        outcome = classify(err, `seed ${seed} case ${i}`, failures);
      }
      if (outcome) outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    return { failures, outcomes };
  }

  it(`${IMAGE_CASES} mutated images (in-process): a hash or a typed error each`, { timeout: 120_000 }, async () => {
    const { failures, outcomes } = await fuzzPhotos(new MediaHasher(config, new InProcessHasher()), IMAGE_CASES, SEED);
    expect(failures).toEqual([]);
    // The mutations must exercise both paths, or the test proves nothing.
    expect(outcomes.get('hash')).toBeGreaterThan(IMAGE_CASES / 20);
    expect(outcomes.get('unsupported_media')).toBeGreaterThan(IMAGE_CASES / 20);
  });

  it(`${POOL_CASES} mutated images through the hash pool`, { timeout: 120_000 }, async () => {
    const { failures, outcomes } = await fuzzPhotos(new MediaHasher(config, pool), POOL_CASES, SEED + 1);
    expect(failures).toEqual([]);
    expect((outcomes.get('hash') ?? 0) + (outcomes.get('unsupported_media') ?? 0)).toBeGreaterThan(POOL_CASES / 2);
  });

  it(`${VIDEO_CASES} mutated videos: a hash or a typed error each`, { timeout: 300_000 }, async () => {
    const video = new Uint8Array(readFileSync(path.join(vpdqDir(), 'test-padded-dimensions.mp4')));
    const hasher = new MediaHasher(config, pool);
    const rand = rng(SEED + 2);
    const failures: string[] = [];
    for (let i = 0; i < VIDEO_CASES; i++) {
      const bytes = mutate(video, rand, [video]);
      try {
        const r = await hasher.hashMedia({ source: { bytes }, contentType: 'video' });
        if (!/^[0-9a-f]{32}$/.test(r.signals.video_md5?.hash ?? '') || !r.signals.vpdq) failures.push(`video case ${i}: malformed result`);
      } catch (err) {
        classify(err, `video case ${i}`, failures);
      }
    }
    expect(failures).toEqual([]);
  });
});
