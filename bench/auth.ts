/**
 * `npm run bench:auth`: what authentication costs a request. The same trivial route under
 * AUTH=none, a bearer token answered from the authenticator's cache (every request but
 * one per 5 s in production), and a token looked up in Postgres on every request.
 * In-process (app.inject), so the figures are the hooks' own cost, not the network's.
 *
 *   BENCH_REQUESTS (default 5000), BENCH_RUNS (default 3). Needs Postgres.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/runtime/app.js';
import { loadConfig } from '../src/config/config.js';
import { apiSecurity } from '../src/security/api-security.js';
import { createToken } from '../src/security/token-store.js';
import { scratchDb } from '../test/support/scratch-db.js';
import { configureProcess } from '../src/runtime/configure.js';

const requests = Number(process.env.BENCH_REQUESTS ?? 5000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const db = await scratchDb('benchauth');
try {
  const { token } = await createToken(db.pool, { name: 'bench', scopes: ['curate'] });
  const ping = async (app: FastifyInstance) => {
    app.get('/c/ping', async () => ({ ok: true }));
  };
  async function app(auth: 'none' | 'token', authCacheMs: number): Promise<FastifyInstance> {
    const config = loadConfig({ ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn', AUTH: auth, RATE_LIMIT_MAX: '0', ROLE_CURATOR: 'false', UI_ENABLED: 'false' });
    configureProcess(config);
    const a = await buildApp({ config, plugins: [...apiSecurity(config, db.pool, { authCacheMs }).plugins, ping] });
    await a.ready();
    return a;
  }
  const cases: Array<[string, FastifyInstance, Record<string, string>]> = [
    ['AUTH=none', await app('none', 5000), {}],
    ['token, cached', await app('token', 60_000), { authorization: `Bearer ${token}` }],
    ['token, looked up each time', await app('token', 0), { authorization: `Bearer ${token}` }],
  ];
  // Runs interleaved, so that warm-up and the machine's load fall on every case alike.
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let r = 0; r <= runs; r++) {
    for (const [name, a, headers] of cases) {
      const t = performance.now();
      for (let i = 0; i < requests; i++) {
        const res = await a.inject({ url: '/c/ping', headers });
        if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode}`);
      }
      // Run 0 is warm-up.
      if (r > 0) samples.get(name)!.push(((performance.now() - t) * 1000) / requests);
    }
  }
  const results: Record<string, number> = {};
  for (const [name, a] of cases) {
    results[name] = median(samples.get(name)!);
    await a.close();
  }
  const base = results['AUTH=none']!;
  for (const [name, us] of Object.entries(results)) {
    console.log(`${name.padEnd(28)} ${us.toFixed(1).padStart(7)} µs/request (median of ${runs} × ${requests})${name === 'AUTH=none' ? '' : `, +${(us - base).toFixed(1)} µs`}`);
  }
} finally {
  await db.drop();
}
