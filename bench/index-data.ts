/**
 * Benchmark data for the PDQ index (bench/index.ts): uniform random hashes, and "realistic"
 * sets with the structure of real hash lists, built on PDQ hashes of real video frames.
 *
 * Frames: ffmpeg's test sources (testsrc2, mandelbrot, life, cellauto, smptebars, …), each
 * also cropped, rescaled, noised and JPEG re-encoded, hashed with our PDQ core. Hashed once
 * and cached in .run/bench-data/ (gitignored): ~1–2 minutes the first time.
 *
 * Every entry and query is a function of its number (counter-based), so the brute-force
 * recall check regenerates the data instead of holding a second copy.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmix32 } from '../src/index/bits.js';
import { PdqHasher } from '../src/signals/pdq/hasher.js';

const SEED = 0x5eed1234;

/** Deterministic 32-bit value for (a, b). */
export function rnd(a: number, b: number): number {
  return fmix32((fmix32((a + SEED) >>> 0) ^ Math.imul(b + 1, 0x9e3779b9)) >>> 0);
}

/** Flips `d` distinct pseudo-random bits of `h`, drawn from stream `key`. */
export function flipBits(h: Uint32Array, d: number, key: number): void {
  const flipped = new Uint32Array(8);
  for (let k = 0, n = 0; n < d; k++) {
    const bit = rnd(key, 1000 + k) & 255;
    const m = 1 << (bit & 31);
    if (flipped[bit >>> 5] & m) continue;
    flipped[bit >>> 5] |= m;
    h[bit >>> 5] ^= m;
    n++;
  }
}

/** A data set: entry i's hash, and query k's hash, both written into `out`. */
export interface DataSet {
  readonly name: string;
  readonly description: string;
  entry(i: number, out: Uint32Array): Uint32Array;
  query(k: number, n: number, out: Uint32Array): Uint32Array;
}

// ---------------------------------------------------------------- random (the worst case for candidate generation)

const PLANT_PERCENT = 2;

function randomEntry(i: number, out: Uint32Array): Uint32Array {
  if (i > 0 && rnd(i, 77) % 100 < PLANT_PERCENT) {
    randomEntry(rnd(i, 78) % i, out);
    flipBits(out, i % 32, i);
    return out;
  }
  for (let w = 0; w < 8; w++) out[w] = rnd(i, w);
  return out;
}

export const RANDOM: DataSet = {
  name: 'random',
  description: `uniform random hashes, ${PLANT_PERCENT} % near-duplicates at 0..31; queries 3/4 near a stored hash, 1/4 random`,
  entry: randomEntry,
  query(k, n, out) {
    if (k % 4 === 3) {
      for (let w = 0; w < 8; w++) out[w] = rnd(0x40000000 + k, w);
      return out;
    }
    randomEntry(rnd(k, 99) % n, out);
    flipBits(out, k % 32, 0x20000000 + k);
    return out;
  },
};

// ---------------------------------------------------------------- frames

interface FrameSource {
  readonly name: string;
  /** lavfi source graph (256×256 frames). */
  readonly graph: string;
  readonly frames: number;
}

const SOURCES: FrameSource[] = [
  { name: 'testsrc2', graph: 'testsrc2=size=256x256:rate=5', frames: 300 },
  { name: 'mandelbrot', graph: 'mandelbrot=size=256x256:rate=5', frames: 300 },
  { name: 'life', graph: 'life=size=256x256:rate=5:mold=10:ratio=0.3:death_color=#203040:life_color=#e0c080', frames: 300 },
  { name: 'cellauto', graph: 'cellauto=size=256x256:rate=5:rule=30:scroll=1', frames: 200 },
  { name: 'rule110', graph: 'cellauto=size=256x256:rate=5:rule=110', frames: 200 },
  { name: 'smptebars', graph: 'smptehdbars=size=256x256:rate=5', frames: 3 },
  { name: 'testsrc', graph: 'testsrc=size=256x256:rate=5', frames: 200 },
  { name: 'sierpinski', graph: 'sierpinski=size=256x256:rate=5', frames: 200 },
  { name: 'gradients', graph: 'gradients=size=256x256:rate=5:speed=0.05', frames: 200 },
  { name: 'spectrum', graph: 'colorspectrum=size=256x256:rate=5', frames: 2 },
];

/** Edits applied to every source: each frame's variants form a natural near-duplicate cluster. */
const EDITS: { name: string; filter: string; jpeg?: number }[] = [
  { name: 'plain', filter: 'null' },
  { name: 'crop', filter: 'crop=iw*0.9:ih*0.9:iw*0.05:ih*0.03,scale=256:256' },
  { name: 'small', filter: 'scale=96:96,scale=256:256' },
  { name: 'noise', filter: 'noise=alls=12:allf=t' },
  { name: 'bright', filter: 'eq=brightness=0.08:contrast=1.2' },
  { name: 'jpeg', filter: 'null', jpeg: 28 },
];

/** Low-quality / flat images: what near-blank uploads hash to; they collide with one another. */
const FLAT_GRAPHS = [
  'color=c=black:size=256x256:rate=5',
  'color=c=white:size=256x256:rate=5',
  'color=c=0x808080:size=256x256:rate=5',
  'color=c=red:size=256x256:rate=5,noise=alls=4:allf=t',
  'color=c=0x102040:size=256x256:rate=5,noise=alls=8:allf=t',
  'color=c=white:size=256x256:rate=5,noise=alls=20:allf=t',
  'gradients=size=256x256:rate=5:c0=0x404040:c1=0x505050:speed=0.01',
  'color=c=0x303030:size=256x256:rate=5,drawbox=x=0:y=200:w=256:h=56:color=0x383838:t=fill',
];

export interface FramePool {
  /** Real frame hashes (8 words each), grouped frame by frame: one row per (frame, edit). */
  readonly frames: Uint32Array;
  readonly frameCount: number;
  /** Hashes of flat / low-quality frames. */
  readonly flat: Uint32Array;
  readonly flatCount: number;
}

const PIXELS = 256 * 256 * 3;

function ffmpegFrames(graph: string, filter: string, frames: number, jpeg: number | undefined): Buffer {
  const input = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', graph, '-frames:v', String(frames)];
  if (jpeg === undefined) {
    return execFileSync('ffmpeg', [...input, '-vf', `${filter},format=rgb24`, '-f', 'rawvideo', '-'], { maxBuffer: 1 << 30 });
  }
  // A re-encode: through MJPEG at a low quality, then decoded again.
  const encoded = execFileSync('ffmpeg', [...input, '-vf', filter, '-c:v', 'mjpeg', '-q:v', String(jpeg), '-f', 'mjpeg', '-'], {
    maxBuffer: 1 << 30,
  });
  const decoded = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'mjpeg', '-i', '-', '-vf', 'format=rgb24', '-f', 'rawvideo', '-'], {
    input: encoded,
    maxBuffer: 1 << 30,
  });
  if (decoded.status !== 0) throw new Error(`ffmpeg decode failed: ${decoded.stderr.toString()}`);
  return decoded.stdout;
}

function hashFrames(raw: Buffer, hasher: PdqHasher, out: number[]): number {
  let n = 0;
  for (let o = 0; o + PIXELS <= raw.length; o += PIXELS) {
    const data = new Uint8Array(raw.buffer, raw.byteOffset + o, PIXELS);
    const { hash } = hasher.hash({ data, width: 256, height: 256, channels: 3, colour: 'rgb' });
    for (let w = 0; w < 8; w++) out.push(hash[w]);
    n++;
  }
  return n;
}

const CACHE_VERSION = 1;

/** The frame pool, from the cache or hashed now (ffmpeg must be on PATH). */
export function framePool(dir = join(process.cwd(), '.run', 'bench-data')): FramePool {
  const file = join(dir, `pdq-frames-v${CACHE_VERSION}.bin`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const t = performance.now();
    const hasher = new PdqHasher();
    // Frame-major rows: for frame f of a source, its EDITS.length variants are consecutive.
    const frames: number[] = [];
    for (const src of SOURCES) {
      const perEdit = EDITS.map((e) => {
        const hashes: number[] = [];
        hashFrames(ffmpegFrames(src.graph, e.filter, src.frames, e.jpeg), hasher, hashes);
        return hashes;
      });
      const count = Math.min(...perEdit.map((h) => h.length / 8));
      for (let f = 0; f < count; f++) for (const h of perEdit) frames.push(...h.slice(f * 8, f * 8 + 8));
      console.log(`  frames: ${src.name} ${count} × ${EDITS.length} edits`);
    }
    const flat: number[] = [];
    for (const g of FLAT_GRAPHS) for (const e of EDITS) hashFrames(ffmpegFrames(g, e.filter, 4, e.jpeg), hasher, flat);
    const header = new Uint32Array([frames.length / 8, flat.length / 8]);
    writeFileSync(file, Buffer.concat([Buffer.from(header.buffer), Buffer.from(new Uint32Array(frames).buffer), Buffer.from(new Uint32Array(flat).buffer)]));
    console.log(`  hashed ${frames.length / 8} frames and ${flat.length / 8} flat frames in ${((performance.now() - t) / 1000).toFixed(0)} s → ${file}`);
  }
  const buf = readFileSync(file);
  const words = new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const frameCount = words[0];
  const flatCount = words[1];
  return {
    frameCount,
    flatCount,
    frames: words.slice(2, 2 + frameCount * 8),
    flat: words.slice(2 + frameCount * 8, 2 + (frameCount + flatCount) * 8),
  };
}

// ---------------------------------------------------------------- realistic

/**
 * Shares of a realistic list (per 1,000 entries). Distinct photos are random hashes: PDQ of
 * unrelated images are ~128 bits apart and spread evenly over 16-bit halves. Real frames bring
 * the structure of real hashes; clusters and flat images the skew of real lists.
 */
const SHARE = { distinct: 620, cluster: 250, frame: 125, flat: 5 } as const;
/** Frames kept out of the entries: queries on them are realistic misses. */
const HELD_OUT_EVERY = 5;

export function realistic(pool: FramePool): DataSet {
  const frames = pool.frames;
  const flat = pool.flat;
  const edits = EDITS.length;
  const sourceFrames = Math.floor(pool.frameCount / edits);
  const copyFrame = (f: number, edit: number, out: Uint32Array) => {
    const o = (f * edits + edit) * 8;
    for (let w = 0; w < 8; w++) out[w] = frames[o + w];
  };
  /** A stored frame (not held out). */
  const storedFrame = (x: number) => {
    const f = x % sourceFrames;
    return f % HELD_OUT_EVERY === 0 ? (f + 1) % sourceFrames : f;
  };
  const copyFlat = (x: number, out: Uint32Array) => {
    const o = (x % pool.flatCount) * 8;
    for (let w = 0; w < 8; w++) out[w] = flat[o + w];
  };
  const distinct = (x: number, out: Uint32Array) => {
    for (let w = 0; w < 8; w++) out[w] = rnd(x, w);
  };
  /** Cluster of entry i: entries with equal i >>> 5 share a base (~8 cluster members per 32 ids). */
  const clusterBase = (i: number) => 0x10000000 + (rnd(i >>> 5, 3) % 0x8000000);

  const entry = (i: number, out: Uint32Array): Uint32Array => {
    const kind = rnd(i, 1) % 1000;
    if (kind < SHARE.distinct) {
      distinct(0x01000000 + i, out);
    } else if (kind < SHARE.distinct + SHARE.cluster) {
      // An edit of the cluster's image: mostly small distances, some up to 30.
      distinct(clusterBase(i), out);
      const r = rnd(i, 4);
      flipBits(out, 2 + (r % 100 < 70 ? r % 10 : r % 29), i);
    } else if (kind < SHARE.distinct + SHARE.cluster + SHARE.frame) {
      copyFrame(storedFrame(rnd(i, 5)), rnd(i, 6) % edits, out);
      flipBits(out, rnd(i, 7) % 4, i);
    } else {
      copyFlat(rnd(i, 8), out);
      flipBits(out, rnd(i, 9) % 3, i);
    }
    return out;
  };

  return {
    name: 'realistic',
    description:
      `${SHARE.distinct / 10} % distinct photos, ${SHARE.cluster / 10} % edits in clusters of near-duplicates (2–30 bits),` +
      ` ${SHARE.frame / 10} % PDQ of real frames (ffmpeg test sources × ${edits} edits), ${SHARE.flat / 10} % flat/low-quality images;` +
      ' queries: 30 % cluster edits, 20 % frames, 5 % flat, 45 % misses (held-out frames, unseen photos)',
    entry,
    query(k, n, out) {
      const kind = rnd(k, 11) % 100;
      if (kind < 30) {
        // Another edit of a stored entry's cluster (or of the entry itself).
        entry(rnd(k, 12) % n, out);
        flipBits(out, 1 + (rnd(k, 13) % 20), 0x30000000 + k);
      } else if (kind < 50) {
        copyFrame(storedFrame(rnd(k, 14)), rnd(k, 15) % edits, out);
        flipBits(out, rnd(k, 16) % 6, 0x30000000 + k);
      } else if (kind < 55) {
        copyFlat(rnd(k, 17), out);
        flipBits(out, rnd(k, 18) % 8, 0x30000000 + k);
      } else if (kind < 75) {
        copyFrame((rnd(k, 19) % Math.ceil(sourceFrames / HELD_OUT_EVERY)) * HELD_OUT_EVERY, rnd(k, 20) % edits, out);
      } else {
        distinct(0x70000000 + k, out);
      }
      return out;
    },
  };
}
