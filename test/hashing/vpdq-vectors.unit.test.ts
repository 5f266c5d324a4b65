/**
 * vPDQ against the reference repository's sample hashes (testdata/vpdq): decoded by ffmpeg,
 * hashed in the worker pool. test-padded-dimensions.txt was generated with an FFmpeg of the
 * same vintage as Debian's 5.1 and must match exactly; the 2022 files are compared with the
 * repository's own tolerance (same frames and timestamps; distance < 31 where both qualities
 * are ≥ 50).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HashPool } from '../../src/hashing/pool/hash-pool.js';
import { hashVideoFrames, type VideoHashOptions } from '../../src/hashing/video.js';
import type { PdqHex } from '../../src/signals/pdq/hash256.js';
import { hammingDistanceHex } from '../../src/signals/pdq/hash256.js';
import type { VpdqFeature } from '../../src/signals/vpdq/feature.js';
import { formatFixed3 } from '../../src/signals/vpdq/format.js';
import { matchVpdq } from '../../src/signals/vpdq/match.js';
import { readJson, vpdqDir } from './testdata.js';

interface FrameLine {
  readonly frame: number;
  readonly quality: number;
  readonly hash: string;
  readonly timestamp: string;
}
interface VideoEntry {
  readonly width: number;
  readonly height: number;
  readonly native: { readonly hash_file: string; readonly frames: readonly FrameLine[] };
  readonly downsampled_128x128?: { readonly frames: readonly FrameLine[] };
  readonly one_second_interval?: { readonly hashes: readonly string[] };
}

const dir = vpdqDir();
const videos = readJson<{ files: Record<string, VideoEntry> }>(path.join(dir, 'expected.json')).files;
const pool = new HashPool({ processes: 2, taskTimeoutMs: 60_000, maxRssMb: 1024 });
afterAll(() => pool.close());

const opts: VideoHashOptions = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', secondsPerHash: 0, timeoutMs: 600_000 };
/** vpdq's per-frame values (the `video-frames` view) as features. */
async function hash(name: string, extra: Partial<VideoHashOptions> = {}) {
  const r = await hashVideoFrames(path.join(dir, name), pool, ['vpdq'], { ...opts, ...extra });
  return { info: r.info, frames: r.frames.vpdq.map((f): VpdqFeature => ({ frame: f.frame, quality: f.quality, hash: f.value as PdqHex, timestamp: f.timestamp })) };
}

/** The repository's regression rule (vpdq/cpp/regtest.py). */
function expectWithinTolerance(got: readonly VpdqFeature[], want: readonly FrameLine[]): void {
  expect(got.map((f) => f.frame)).toEqual(want.map((f) => f.frame));
  expect(got.map((f) => formatFixed3(f.timestamp))).toEqual(want.map((f) => f.timestamp));
  const far = got.filter((f, i) => f.quality >= 50 && want[i].quality >= 50 && hammingDistanceHex(f.hash, want[i].hash) >= 31);
  expect(far).toEqual([]);
}

describe('vPDQ sample hashes', () => {
  it('test-padded-dimensions.mp4 matches its .txt exactly, line for line', { timeout: 300_000 }, async () => {
    const r = await hash('test-padded-dimensions.mp4');
    expect(r.info).toEqual({ width: 1080, height: 1080, fps: 30 });
    const text = r.frames.map((f) => `${f.frame},${f.quality},${f.hash},${formatFixed3(f.timestamp)}`).join('\n');
    expect(text).toBe(readFileSync(path.join(dir, 'test-padded-dimensions.txt'), 'utf8').trim());
  });

  const tolerant = Object.entries(videos).filter(([name]) => name !== 'test-padded-dimensions.mp4');
  it.each(tolerant)('%s, native size, within the repository tolerance', { timeout: 300_000 }, async (name, v) => {
    const r = await hash(name);
    expect([r.info.width, r.info.height]).toEqual([v.width, v.height]);
    expectWithinTolerance(r.frames, v.native.frames);
  });

  it.each(tolerant)('%s, 128x128 (-s 128), within the repository tolerance', { timeout: 300_000 }, async (name, v) => {
    expect(v.downsampled_128x128).toBeDefined();
    expectWithinTolerance((await hash(name, { size: 128 })).frames, v.downsampled_128x128?.frames ?? []);
  });

  it('one hash per second (python-threatexchange default) picks frames 0, 30, … and matches 100 %/100 %', { timeout: 300_000 }, async () => {
    const want = videos['chair-20-sd-bar.mp4'].one_second_interval?.hashes ?? [];
    expect(want).toHaveLength(21);
    const r = await hash('chair-20-sd-bar.mp4', { secondsPerHash: 1 });
    expect(r.frames.map((f) => f.frame)).toEqual(want.map((_, i) => 30 * i));
    // The python test builds its expectation with quality 100 and timestamp = index.
    const expected = want.map((h, i) => ({ hash: h as PdqHex, quality: 100, timestamp: i }));
    expect(matchVpdq(r.frames, expected)).toEqual({ queryMatchPercent: 100, comparedMatchPercent: 100, isMatch: true });
    expect(r.frames.map((f) => f.timestamp)).toEqual(want.map((_, i) => i));
  });
});
