/**
 * `npm run bench:uploads`: memory of an `hma api` process (hasher routes only) taking
 * 4 parallel 100 MB uploads to /h/hash, with the upload memory budget off (every body
 * held whole in memory at once, the behaviour before the budget) and at its default
 * (UPLOAD_MEMORY_BUDGET_BYTES, 256 MiB). Reports each upload's status and the process's
 * RSS: before, peak (VmHWM) and 10 s after the last answer.
 *
 *   BENCH_UPLOADS (default 4), BENCH_UPLOAD_MB (default 100). Needs Kafka, the registry and Postgres.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort } from '../test/support/ports.js';
import { scratchStack } from '../test/support/stack.js';
import { configureProcess } from '../src/runtime/configure.js';

const uploads = Number(process.env.BENCH_UPLOADS ?? 4);
const megabytes = Number(process.env.BENCH_UPLOAD_MB ?? 100);
const root = path.resolve(import.meta.dirname, '..');
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function upload(port: number, body: Buffer, boundary: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/h/hash', method: 'POST', agent: false, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    // A refused upload is answered before its body is read; the server may then close the socket.
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve(-1) : reject(err)));
    req.end(body);
  });
}

const stack = await scratchStack('benchuploads', { ROLE_MATCHER: 'false', ROLE_CURATOR: 'false', UI_ENABLED: 'false', PRODUCTION: 'true', AUTH: 'none', LOG_LEVEL: 'warn' });
configureProcess(stack.config);
const boundary = 'benchBoundary';
const payload = Buffer.concat([
  Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
  Buffer.alloc(megabytes * 1024 * 1024, 7),
  Buffer.from(`\r\n--${boundary}--\r\n`),
]);
try {
  for (const [label, budget] of [['budget off (before)', String(2 ** 40)], ['budget 256 MiB (default)', '']] as const) {
    const port = await freePort();
    const env = { ...stack.env, API_HOST: '127.0.0.1', API_PORT: String(port), ...(budget ? { UPLOAD_MEMORY_BUDGET_BYTES: budget } : {}) };
    const child = spawn(process.execPath, [path.join(root, 'bin/hma.js'), 'api'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
    for (let i = 0; ; i++) {
      if (await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false)) break;
      if (i > 600) throw new Error('hma api did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000));
    const before = memory(child.pid!);
    const statuses = await Promise.all(Array.from({ length: uploads }, () => upload(port, payload, boundary)));
    const peak = memory(child.pid!).peak;
    await new Promise((r) => setTimeout(r, 10_000));
    const after = memory(child.pid!).rss;
    console.log(`${label}: ${uploads} × ${megabytes} MB uploads answered ${statuses.join(', ')}; RSS before ${mb(before.rss)}, peak ${mb(peak)}, 10 s after ${mb(after)}`);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
} finally {
  await stack.drop();
}
