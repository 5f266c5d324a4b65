/**
 * The hash pool's processes: a task over its time or memory limit gets its process killed and a
 * typed error, a process that dies under a task is a typed error too, and the pool is back at
 * full capacity at once; closing the pool, or the parent dying, ends every process.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPhoto } from '../../src/hashing/photo.js';
import { HashPool, rssOf, SPOOL_BYTES } from '../../src/hashing/pool/hash-pool.js';
import { errorOf } from '../support/errors.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const opts = { mode: 'fullres', maxPixels: 1e8, grey16: 'high_byte' } as const;


const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

let photo: Buffer;
let pool: HashPool;

beforeAll(async () => {
  photo = await sharp({ create: { width: 200, height: 150, channels: 3, background: '#000' } })
    .composite([{ input: Buffer.from('<svg width="200" height="150"><circle cx="80" cy="70" r="50" fill="#fa3"/></svg>'), top: 0, left: 0 }])
    .jpeg()
    .toBuffer();
  process.env.HMA_TEST_SECRET = 'not-for-decoders';
  pool = new HashPool({ processes: 2, taskTimeoutMs: 1500, maxRssMb: 400 });
  await pool.whenFull();
});
afterAll(() => pool?.close());

describe('the hash pool', () => {
  it('hashes in child processes, not in this one', async () => {
    const r = await pool.hashPhoto(photo, opts);
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(pool.pids).toHaveLength(2);
    expect(pool.pids).not.toContain(process.pid);
  });

  it("gives its processes none of the parent's environment beyond what Node and libvips read", async () => {
    for (const pid of pool.pids) {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(env.some((e) => e.startsWith('PATH='))).toBe(true);
      expect(env.filter((e) => e.startsWith('HMA_TEST_SECRET='))).toEqual([]);
    }
  });

  it('hands media over SPOOL_BYTES to the process as a temporary file, with the same hash, and removes the file', async () => {
    const w = 1600;
    const h = 1000;
    const noise = Buffer.alloc(w * h * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const big = await sharp(noise, { raw: { width: w, height: h, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    expect(big.length).toBeGreaterThan(SPOOL_BYTES);
    const spooled = () => readdirSync(os.tmpdir()).filter((f) => f.startsWith('hma-photo-'));
    const leftBefore = spooled();
    const viaFile = await pool.hashPhoto(big, opts);
    expect(viaFile).toEqual(await hashPhoto(big, opts));
    expect(spooled()).toEqual(leftBefore);
  });

  it('kills a task over its time limit, answers a typed error, and is at full capacity again', async () => {
    const before = pool.pids;
    const err = await errorOf(pool.sleepInWorker(60_000));
    expect([err.code, err.details?.reason]).toEqual(['unsupported_media', 'timeout']);
    expect(err.message).toBe('hashing took longer than 1500 ms and was stopped');
    const killed = before.filter((p) => !pool.pids.includes(p));
    expect(killed).toHaveLength(1);
    expect(await until(() => !alive(killed[0]), 2000)).toBe(true);
    await pool.whenFull();
    expect(pool.pids).toHaveLength(2);
    // Both processes take work again, at once.
    const rs = await Promise.all([pool.hashPhoto(photo, opts), pool.hashPhoto(photo, opts)]);
    expect(new Set(rs.map((r) => r.hash)).size).toBe(1);
  });

  it('kills a task past the memory cap with a typed error (413 class) and replaces the process', async () => {
    // A pool of its own with a long time limit: on a loaded machine filling 800 MB can take
    // longer than the suite pool's 1.5 s, and then the timeout, not the cap, would stop it.
    const capped = new HashPool({ processes: 2, taskTimeoutMs: 60_000, maxRssMb: 400 });
    try {
      await capped.whenFull();
      const before = capped.pids;
      const err = await errorOf(capped.allocateInWorker(800, 10_000));
      expect([err.code, err.details?.reason]).toEqual(['too_large', 'memory']);
      expect(err.message).toBe('hashing needed more than 400 MB of memory and was stopped');
      const killed = before.filter((p) => !capped.pids.includes(p));
      expect(killed).toHaveLength(1);
      await capped.whenFull();
      expect((await capped.hashPhoto(photo, opts)).hash).toMatch(/^[0-9a-f]{64}$/);
      // A task under the cap is left alone.
      await capped.allocateInWorker(100, 300);
    } finally {
      await capped.close();
    }
  });

  it('a process that dies under a task is a typed error, and is replaced', async () => {
    const running = pool.sleepInWorker(1200);
    await new Promise((r) => setTimeout(r, 300));
    for (const pid of pool.pids) process.kill(pid, 'SIGKILL');
    const err = await errorOf(running);
    expect([err.code, err.details?.reason]).toEqual(['unsupported_media', 'crashed']);
    await pool.whenFull();
    expect(pool.pids.every(alive)).toBe(true);
    expect((await pool.hashPhoto(photo, opts)).hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads the resident memory of its processes', async () => {
    for (const pid of pool.pids) {
      const rss = rssOf(pid);
      expect(rss).toBeGreaterThan(10 * 1024 * 1024);
      expect(rss).toBeLessThan(400 * 1024 * 1024);
    }
  });

  it('close() ends every process and refuses further work', async () => {
    const other = new HashPool({ processes: 2, taskTimeoutMs: 5000, maxRssMb: 400 });
    await other.whenFull();
    const pids = other.pids;
    const queued = other.sleepInWorker(3000).catch((err: unknown) => err);
    await other.close();
    expect(await queued).toMatchObject({ message: 'the hash pool is closed' });
    expect(pids.some(alive)).toBe(false);
    await expect(other.hashPhoto(photo, opts)).rejects.toThrow(/closed/);
  });

  it('SIGTERM of the parent ends its hash processes promptly, even mid-task', { timeout: 60_000 }, async () => {
    const script = `
      import { HashPool } from './src/hashing/pool/hash-pool.ts';
      const pool = new HashPool({ processes: 2, taskTimeoutMs: 60000, maxRssMb: 2000 });
      await pool.whenFull();
      void pool.allocateInWorker(50, 60000).catch(() => {});
      console.log(JSON.stringify(pool.pids));
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('['));
        if (line) resolve(JSON.parse(line) as number[]);
      });
      parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
    });
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    parent.kill('SIGTERM');
    expect(await until(() => !pids.some(alive), 3000)).toBe(true);
  });
});
