/**
 * Hashing benchmark: `npm run bench:hash [-- --runs R] [--seconds S] [--no-pool]`.
 *
 * Inputs: JPEGs of 256×256, 1024×768 and 4000×3000 made with sharp from the repository's test
 * photos (natural content; resized, quality 90, 4:2:0), several per size, held in memory.
 * On one thread (libvips limited to one thread too), per image size and PDQ mode:
 *   decode   — header checks + the one decode to 8-bit pixels, exactly as the hasher does it
 *   hash     — the PDQ core on those pixels (incl. the 512×512 squash in cli512nn mode)
 *   file     — the whole photo path (hashPhoto): images/s per core
 * plus the pure hash step at 256² and 512² decoded pixels, sharp's bare decode to raw RGB
 * for context, and (unless --no-pool) whole-file throughput through the hash pool (one
 * process per core) and the pool's round-trip cost per file: one file at a time through the
 * pool against the same call on this thread, and the CPU the calling process spends per file.
 * BMP (our own decoder, src/hashing/bmp.ts) against the PNG of the same pixels at 1024×768:
 * 24-bit and 8-bit grey-palette BMPs, decode and whole-file figures on one thread.
 * libjpeg-turbo itself at 1024×768: djpeg (Debian's libjpeg-turbo-progs) decoding the same JPEGs,
 * per file in CPU time of the djpeg processes (with and without a process's own start-up cost),
 * against our two JPEG decoders (the native libjpeg-turbo one, src/hashing/native/, and sharp),
 * each with our whole-file hash; the C++ CLI is not on this machine, so its earlier figure and
 * "djpeg decode + our hash step" stand in for a native tool. The other tables use the decoder
 * the hasher uses (JPEG_DECODER=auto: native when built).
 * Every figure is the median of R runs of at least S seconds each. Per-core figures are CPU
 * time (user + system, all threads of this process) per image, which stays meaningful when
 * other work shares the cores; wall-clock figures are printed next to them.
 *
 * Reference figures measured on this machine for the C++ code are printed alongside.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodePhoto } from '../src/hashing/decode-image.js';
import { nativeJpegStatus } from '../src/hashing/native/jpeg.js';
import { hashPhoto, hashPixels, type PhotoHashOptions } from '../src/hashing/photo.js';
import { HashPool } from '../src/hashing/pool/hash-pool.js';
import { PdqHasher } from '../src/signals/pdq/hasher.js';
import { hash256ToHex } from '../src/signals/pdq/hash256.js';
import type { PdqMode, PixelImage } from '../src/signals/pdq/image.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = opt('runs', 5);
const SECONDS = opt('seconds', 0.6);
const WITH_POOL = !args.includes('--no-pool');

const testdata = path.join(
  process.env.TESTDATA_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/testdata'),
  'pdq',
);
const SOURCES = [
  'pdq-data/reg-test-input/exif-rotn/exif-rotn-1.jpg',
  'pdq-data/reg-test-input/exif-rotn/exif-rotn-6.jpg',
  'pdq-data/bridge-mods/aaa-orig.jpg',
  'pdq-data/misc-images/c.png',
  'pdq-data/reg-test-input/pen-and-coaster.png',
  'pdq-data/reg-test-input/labelme-subset/q0122.jpg',
];
const SIZES = [
  [256, 256],
  [1024, 768],
  [4000, 3000],
] as const;
const MODES: readonly PdqMode[] = ['cli512nn', 'fullres'];

/** C++ reference figures on this machine (issue 3): core ms at 256²/512², CLI images/s, sharp decode images/s. */
const REF = {
  coreMs: { 256: '0.84', 512: '4–5.5' } as Record<number, string>,
  cliPerSec: { '256x256': 563, '1024x768': 79, '4000x3000': 7.7 } as Record<string, number>,
  sharpPerSec: { '256x256': 749, '1024x768': 122, '4000x3000': 11 } as Record<string, number>,
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Timing {
  /** Wall-clock ms per call. */
  readonly wall: number;
  /** CPU ms per call (user + system, whole process). */
  readonly cpu: number;
}

/** Medians over RUNS of the mean time per call, each run lasting at least SECONDS. */
async function timeIt(fn: (i: number) => unknown | Promise<unknown>): Promise<Timing> {
  await fn(0); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  let i = 1;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let n = 0;
    do {
      await fn(i++);
      n++;
    } while (performance.now() - t0 < SECONDS * 1000);
    const c = process.cpuUsage(c0);
    wall.push((performance.now() - t0) / n);
    cpu.push((c.user + c.system) / 1000 / n);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

async function makeJpegs(width: number, height: number): Promise<Buffer[]> {
  return Promise.all(
    SOURCES.map((s) =>
      sharp(path.join(testdata, s))
        .resize(width, height, { fit: 'cover' })
        .jpeg({ quality: 90 })
        .toBuffer(),
    ),
  );
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);

/** A bottom-up BMP (INFO header) of RGB pixels (24-bit) or grey pixels (8-bit, grey-ramp palette). */
function bmpOf(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Buffer {
  const bits = channels * 8;
  const stride = Math.ceil((width * bits) / 32) * 4;
  const paletteBytes = channels === 1 ? 1024 : 0;
  const offset = 54 + paletteBytes;
  const out = Buffer.alloc(offset + stride * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(bits, 28);
  for (let i = 0; i < paletteBytes / 4; i++) out.fill(i, 54 + i * 4, 54 + i * 4 + 3);
  for (let y = 0; y < height; y++) {
    const row = offset + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * channels;
      if (channels === 1) out[row + x] = pixels[p];
      else out.set([pixels[p + 2], pixels[p + 1], pixels[p]], row + x * 3);
    }
  }
  return out;
}
const perSec = (ms: number) => 1000 / ms;

async function main(): Promise<void> {
  sharp.concurrency(1);
  sharp.cache(false);
  const decodeOpts = { maxPixels: 200_000_000, grey16: 'high_byte' } as const;
  console.log(`# hash benchmark — ${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`median of ${RUNS} runs ≥ ${SECONDS}s each; one thread, libvips concurrency 1; JPEG decoder: ${nativeJpegStatus()}\n`);

  // Pure hash step on decoded pixels.
  const hasher = new PdqHasher();
  console.log('## PDQ core on decoded RGB pixels (ms per image)\n');
  console.log('| pixels | TypeScript CPU ms (wall) | C++ reference | ratio (CPU) |');
  console.log('|---|---|---|---|');
  for (const side of [256, 512]) {
    const jpeg = (await makeJpegs(side, side))[0];
    const img = await decodePhoto(jpeg, decodeOpts);
    const t = await timeIt(() => hasher.hash(img, 'fullres'));
    const refMs = side === 256 ? 0.84 : 4.75;
    console.log(`| ${side}×${side} | ${fmt(t.cpu, 2)} (${fmt(t.wall, 2)}) | ${REF.coreMs[side]} | ${fmt(t.cpu / refMs, 2)}× |`);
  }

  console.log('\n## Whole JPEG files, one thread (images/s per core; decode and hash ms per image)\n');
  console.log('| size | mode | decode CPU ms | hash CPU ms | file images/s per core (wall) | C++ CLI images/s | sharp raw decode images/s per core (ref) |');
  console.log('|---|---|---|---|---|---|---|');
  const corpus = new Map<string, Buffer[]>();
  for (const [w, h] of SIZES) {
    const key = `${w}x${h}`;
    const jpegs = await makeJpegs(w, h);
    corpus.set(key, jpegs);
    const decoded: PixelImage[] = [];
    for (const j of jpegs) decoded.push(await decodePhoto(j, decodeOpts));
    const bare = await timeIt((i) => sharp(jpegs[i % jpegs.length]).raw().toBuffer());
    const decodeMs = await timeIt((i) => decodePhoto(jpegs[i % jpegs.length], decodeOpts));
    for (const mode of MODES) {
      const hashMs = await timeIt((i) => hashPixels(decoded[i % decoded.length], mode));
      const fileMs = await timeIt((i) => hashPhoto(jpegs[i % jpegs.length], { ...decodeOpts, mode }));
      const cli = mode === 'cli512nn' ? String(REF.cliPerSec[key]) : '—';
      console.log(
        `| ${w}×${h} | ${mode} | ${fmt(decodeMs.cpu, 2)} | ${fmt(hashMs.cpu, 2)} | **${fmt(perSec(fileMs.cpu))}** (${fmt(perSec(fileMs.wall))}) | ${cli} | ${fmt(perSec(bare.cpu))} (${REF.sharpPerSec[key]}) |`,
      );
    }
  }

  await againstLibjpeg(corpus.get('1024x768') ?? [], decodeOpts);

  console.log('\n## BMP (our decoder) vs PNG of the same pixels, 1024×768, one thread (images/s per core, wall in brackets)\n');
  console.log('| file | bytes | decode CPU ms | fullres file images/s | cli512nn file images/s | fullres PDQ |');
  console.log('|---|---|---|---|---|---|');
  {
    const rgb = await sharp(corpus.get('1024x768')![0]).raw().toBuffer({ resolveWithObject: true });
    const grey = await sharp(corpus.get('1024x768')![0]).greyscale().raw().toBuffer();
    const { width, height } = rgb.info;
    const files: Array<[string, Buffer]> = [
      ['BMP 24-bit', bmpOf(rgb.data, width, height, 3)],
      ['PNG RGB (same pixels)', await sharp(rgb.data, { raw: rgb.info }).png().toBuffer()],
      ['BMP 8-bit grey palette', bmpOf(grey, width, height, 1)],
      ['PNG grey (same pixels)', await sharp(grey, { raw: { width, height, channels: 1 } }).png().toBuffer()],
    ];
    for (const [name, bytes] of files) {
      const decodeMs = await timeIt(() => decodePhoto(bytes, decodeOpts));
      const rates: string[] = [];
      for (const mode of ['fullres', 'cli512nn'] as const) {
        const t = await timeIt(() => hashPhoto(bytes, { ...decodeOpts, mode }));
        rates.push(`**${fmt(perSec(t.cpu))}** (${fmt(perSec(t.wall))})`);
      }
      const pdq = (await hashPhoto(bytes, { ...decodeOpts, mode: 'fullres' })).hash;
      console.log(`| ${name} | ${bytes.length} | ${fmt(decodeMs.cpu, 2)} | ${rates.join(' | ')} | ${pdq.slice(0, 12)}… |`);
    }
  }

  console.log('\n## JPEG shrink-on-load is not bit-exact for cli512nn\n');
  // The reference squashes by picking pixels; libjpeg's DCT-domain downscaling averages them.
  {
    let differing = 0;
    let maxBits = 0;
    const all = [...(corpus.get('1024x768') ?? []), ...(corpus.get('4000x3000') ?? [])];
    for (const j of all) {
      const exact = await hashPhoto(j, { ...decodeOpts, mode: 'cli512nn' });
      const { data, info } = await sharp(j, { ignoreIcc: true })
        .resize(512, 512, { fit: 'fill', kernel: 'nearest', fastShrinkOnLoad: true })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const fast = hasher.hash({ data, width: info.width, height: info.height, channels: info.channels, colour: 'rgb' });
      const bits = [...hash256ToHex(fast.hash)].reduce((d, c, k) => d + popcount4(parseInt(c, 16) ^ parseInt(exact.hash[k], 16)), 0);
      if (bits > 0) differing++;
      maxBits = Math.max(maxBits, bits);
    }
    console.log(`sharp resize(512, 512, nearest) with shrink-on-load: ${differing} of ${all.length} hashes differ from the reference squash (up to ${maxBits} bits), so it is not used.`);
  }

  if (WITH_POOL) {
    const processes = os.availableParallelism();
    const pool = new HashPool({ processes, taskTimeoutMs: 60_000, maxRssMb: 4096 });
    await pool.whenFull();
    await Promise.all(Array.from({ length: processes }, () => pool.hashPhoto((corpus.get('256x256') ?? [])[0], { ...decodeOpts, mode: 'fullres' })));
    console.log(`\n## Hash pool, ${processes} processes (whole files, wall-clock images/s in total)\n`);
    console.log('| size | cli512nn | fullres |');
    console.log('|---|---|---|');
    for (const [w, h] of SIZES) {
      const jpegs = corpus.get(`${w}x${h}`) ?? [];
      const rates: string[] = [];
      for (const mode of MODES) {
        const batch = processes * 4;
        const t = await timeIt(async (i) => {
          await Promise.all(Array.from({ length: batch }, (_, k) => pool.hashPhoto(jpegs[(i + k) % jpegs.length], { ...decodeOpts, mode })));
        });
        rates.push(fmt((batch * 1000) / t.wall));
      }
      console.log(`| ${w}×${h} | ${rates.join(' | ')} |`);
    }
    await roundTrip(corpus, (bytes, opts) => pool.hashPhoto(bytes, opts), decodeOpts);
    await pool.close();
  }
}

/**
 * The pool's cost per file: one file at a time (cli512nn), through the pool and on this
 * thread; the difference of the wall-clock medians is the round trip (message passing, the
 * copy of the bytes, scheduling), and the calling process's CPU per file through the pool is
 * what hashing costs the API process itself.
 */
async function roundTrip(
  corpus: Map<string, Buffer[]>,
  viaPool: (bytes: Buffer, opts: PhotoHashOptions) => Promise<unknown>,
  decodeOpts: { readonly maxPixels: number; readonly grey16: 'high_byte' },
): Promise<void> {
  console.log('\n## Pool round trip, one file at a time (cli512nn; ms per file)\n');
  console.log('| size | file KB | this thread wall | through the pool wall | round trip | caller CPU per file via pool |');
  console.log('|---|---|---|---|---|---|');
  const opts = { ...decodeOpts, mode: 'cli512nn' } as const;
  for (const [w, h] of SIZES) {
    const jpegs = corpus.get(`${w}x${h}`) ?? [];
    const kb = jpegs.reduce((n, j) => n + j.length, 0) / jpegs.length / 1024;
    const local = await timeIt((i) => hashPhoto(jpegs[i % jpegs.length], opts));
    const pooled = await timeIt((i) => viaPool(jpegs[i % jpegs.length], opts));
    console.log(
      `| ${w}×${h} | ${fmt(kb, 0)} | ${fmt(local.wall, 2)} | ${fmt(pooled.wall, 2)} | ${fmt(pooled.wall - local.wall, 2)} | ${fmt(pooled.cpu, 2)} |`,
    );
  }
}

/** CPU seconds of this process's finished children (user + system), from /proc (Linux). */
function childrenCpuSeconds(ticksPerSecond: number): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of stat(5) (cutime, cstime); `fields` starts at field 3.
  return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
}

/**
 * Median over RUNS of djpeg's CPU ms per file. One shell runs the decodes (a fork of this large
 * process per file would cost more than the decode); its CPU and theirs count as ours once waited.
 */
function djpegMs(files: readonly string[], ticksPerSecond: number): number {
  // Enough rounds for about a second of decoding: the kernel counts child CPU in clock ticks.
  const rounds = Math.max(10, Math.ceil(200 / files.length));
  const script = 'i=0; while [ $i -lt "$0" ]; do for f in "$@"; do djpeg -outfile /dev/null "$f" || exit 1; done; i=$((i+1)); done';
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = childrenCpuSeconds(ticksPerSecond);
    const out = spawnSync('sh', ['-c', script, String(rounds), ...files], { stdio: 'ignore' });
    if (out.status !== 0) throw new Error('djpeg failed');
    runs.push(((childrenCpuSeconds(ticksPerSecond) - c0) * 1000) / (rounds * files.length));
  }
  return median(runs);
}

/**
 * libjpeg-turbo against our path at 1024×768: djpeg's decode per file (its process start-up
 * measured on an 8×8 JPEG and subtracted), our decode, our hash step and our whole file.
 */
async function againstLibjpeg(jpegs: readonly Buffer[], decodeOpts: { readonly maxPixels: number; readonly grey16: 'high_byte' }): Promise<void> {
  console.log('\n## 1024×768 JPEG: libjpeg-turbo (djpeg) against our two decoders and whole-file hash, one thread (CPU ms per file; files per CPU-second)\n');
  if (spawnSync('djpeg', ['-version'], { stdio: 'ignore' }).error) {
    console.log('djpeg not found: apt-get install libjpeg-turbo-progs (scripts/system-packages.txt)');
    return;
  }
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hma-bench-djpeg-'));
  try {
    const files = jpegs.map((j, i) => {
      const f = path.join(dir, `${i}.jpg`);
      writeFileSync(f, j);
      return f;
    });
    const tiny = path.join(dir, 'tiny.jpg');
    writeFileSync(tiny, await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toBuffer());
    const startup = djpegMs([tiny], ticks);
    const djpeg = djpegMs(files, ticks) - startup;
    const decoded = await Promise.all(jpegs.map((j) => decodePhoto(j, decodeOpts)));
    const hash = new Map<PdqMode, number>();
    for (const mode of MODES) hash.set(mode, (await timeIt((i) => hashPixels(decoded[i % decoded.length], mode))).cpu);
    console.log('| decoder | decode ms | decode ÷ djpeg | mode | hash step ms | whole file, files/CPU-s | ÷ C++ CLI (cli512nn) | djpeg + our hash step, files/s |');
    console.log('|---|---|---|---|---|---|---|---|');
    // The two decoders in turn, so both see the same machine.
    for (const jpeg of ['auto', 'sharp'] as const) {
      const opts = { ...decodeOpts, jpeg };
      const name = jpeg === 'sharp' ? 'sharp (libvips + mozjpeg)' : nativeJpegStatus().split(' (')[0] === 'libjpeg-turbo' ? 'native libjpeg-turbo' : 'sharp (native not built)';
      const decode = (await timeIt((i) => decodePhoto(jpegs[i % jpegs.length], opts))).cpu;
      for (const mode of MODES) {
        const file = (await timeIt((i) => hashPhoto(jpegs[i % jpegs.length], { ...opts, mode }))).cpu;
        const h = hash.get(mode) ?? 0;
        const cli = mode === 'cli512nn' ? `${fmt(perSec(file) / REF.cliPerSec['1024x768'], 2)}×` : '—';
        console.log(`| ${name} | ${fmt(decode, 2)} | ${fmt(decode / djpeg, 2)}× | ${mode} | ${fmt(h, 2)} | **${fmt(perSec(file))}** | ${cli} | ${fmt(perSec(djpeg + h))} |`);
      }
    }
    console.log(`\ndjpeg: ${fmt(djpeg, 2)} ms per file (its process start-up, ${fmt(startup, 2)} ms CPU on an 8×8 JPEG, subtracted). C++ CLI (cli512nn, measured on this machine in an earlier session, not here): ${REF.cliPerSec['1024x768']} files/s.`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function popcount4(x: number): number {
  return (x & 1) + ((x >> 1) & 1) + ((x >> 2) & 1) + ((x >> 3) & 1);
}

await main();
