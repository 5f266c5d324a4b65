/**
 * Exchange credentials never leave in a response or a log line: real `hma api` and
 * `hma fetcher --once` processes write every log line (LOG_LEVEL=trace) to one
 * LOG_FILE while credentials are set, read back through every endpoint that
 * describes exchanges, and used by a fetch against a fake NCMEC; then the file is
 * searched for each secret. The credentials do reach the fake server (they were
 * opened where the client is built), and are sealed in the database.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/security/secrets.js';
import { HmaProcess } from '../pipeline/support/processes.js';
import { runHma } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { logFileFor, registerSecret } from '../support/run-logs.js';
import { scratchStack, type Stack } from '../support/stack.js';

const secrets = {
  ncmecPassword: 'leak-ncmec-password-5e1d0c',
  fetchFunctionKey: 'leak-fetch-function-key-77aa',
  subscriptionKey: 'leak-subscription-key-19bf',
  txToken: '1234|leak-threatexchange-token-c0ffee',
};
const NCMEC_USER = 'leak-ncmec-user';
/** A secret in a file a `curate` token points a local_file exchange at. */
const FILE_SECRET = 'leak-file-password-9d2e71';
let listDir = '';
const KEY = generateKey();

let stack: Stack;
let api: HmaProcess;
let fake: http.Server;
const seenAuth: string[] = [];
let base = '';
let logFile = '';
let adminToken = '';
const bodies: string[] = [];

async function call(method: string, url: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  bodies.push(`${method} ${url} -> ${res.status}: ${await res.clone().text()}`);
  return res;
}

beforeAll(async () => {
  fake = http.createServer((req, res) => {
    seenAuth.push(req.headers.authorization ?? '');
    res.writeHead(401, { 'content-type': 'application/xml' }).end('<error>bad credentials</error>');
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  // In the run's log directory, so the end-of-run check searches it too.
  logFile = logFileFor(`secrets-leak-${process.pid}.log`);
  for (const [name, value] of Object.entries(secrets)) registerSecret(`secrets-leak ${name}`, value);
  registerSecret('secrets-leak SECRETS_KEY', KEY);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  listDir = mkdtempSync(path.join(tmpdir(), 'hma-leak-lists-'));
  // Lines that are secrets, not hashes: each is skipped with a warning naming its line only.
  writeFileSync(path.join(listDir, 'env.txt'), `KAFKA_SASL_PASSWORD=${FILE_SECRET}\nSECRETS_KEY=${KEY}\n${FILE_SECRET}\n`);
  registerSecret('secrets-leak file line', FILE_SECRET);
  stack = await scratchStack('leak', {
    LOCAL_FILE_EXCHANGE_DIRS: listDir,
    PRODUCTION: 'true',
    AUTH: 'token',
    ROLE_MATCHER: 'false',
    ROLE_HASHER: 'false',
    LOG_LEVEL: 'trace',
    LOG_FILE: logFile,
    SECRETS_KEY: KEY,
    API_HOST: '127.0.0.1',
    API_PORT: String(port),
    EXCHANGE_BASE_URLS: `ncmec=http://127.0.0.1:${(fake.address() as AddressInfo).port}`,
  });
  const created = await runHma(['token', 'create', '--name', 'leak-admin', '--scopes', 'admin', '--json'], stack.env);
  expect(created.code, created.stderr).toBe(0);
  adminToken = JSON.parse(created.stdout).token;
  api = new HmaProcess(['api'], stack.env);
  api.start();
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/status`).then((r) => r.ok, () => false);
    if (up) break;
    if (i === 600 || !api.running) throw new Error('hma api did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);
afterAll(async () => {
  await api?.stop();
  fake?.close();
  await stack?.drop();
  if (listDir) rmSync(listDir, { recursive: true, force: true });
});

describe('exchange credentials', () => {
  it('are set, described and used without ever appearing in a response or a log line', async () => {
    const set: Array<[string, Record<string, string>]> = [
      ['ncmec', { user: NCMEC_USER, password: secrets.ncmecPassword }],
      ['stop_ncii', { fetch_function_key: secrets.fetchFunctionKey, subscription_key: secrets.subscriptionKey }],
      ['fb_threatexchange', { api_token: secrets.txToken }],
    ];
    for (const [apiName, creds] of set) {
      expect((await call('POST', `/c/exchanges/api/${apiName}`, { credential_json: creds })).status).toBe(200);
    }
    // Refusals are logged; the credential they carried is not.
    expect((await fetch(`${base}/c/exchanges`, { headers: { authorization: `Bearer ${secrets.txToken}` } })).status).toBe(401);
    // A refused update names the field, not the values.
    expect((await call('POST', '/c/exchanges/api/ncmec', { credential_json: { user: secrets.ncmecPassword, password: secrets.ncmecPassword, extra: secrets.ncmecPassword } })).status).toBe(400);
    const made = await call('POST', '/c/exchanges', { bank: 'NCMEC_LEAK', api: 'ncmec', api_json: { environment: 'https://report.cybertip.org/hashsharing' } });
    expect(made.status).toBeLessThan(300);

    // A curate token aiming local_file at the process's environment, and at a file of secrets it may read.
    for (const [bank, filename] of [['ENVIRON', '/proc/self/environ'], ['SECRET_LINES', path.join(listDir, 'env.txt')]]) {
      expect((await call('POST', '/c/exchanges', { bank, api: 'local_file', api_json: { filename, signal_type: 'pdq', format: 'text' } })).status).toBeLessThan(300);
    }

    const fetched = await runHma(['fetcher', '--once'], stack.env);
    expect(fetched.code, fetched.stderr).toBe(0);
    // Opened where the client is built, and sent to the exchange.
    expect(seenAuth).toContain(`Basic ${Buffer.from(`${NCMEC_USER}:${secrets.ncmecPassword}`).toString('base64')}`);

    for (const url of [
      '/c/exchanges/apis',
      '/c/exchanges/api/ncmec',
      '/c/exchanges/api/stop_ncii',
      '/c/exchanges/api/fb_threatexchange',
      '/c/exchanges/api/ncmec/schema',
      '/c/exchanges',
      '/c/exchange/NCMEC_LEAK',
      '/c/exchange/NCMEC_LEAK/status',
      '/c/exchange/NCMEC_LEAK/history',
      '/c/audit?page_size=1000',
      '/openapi/openapi.json',
      '/ui/',
      '/ui/exchanges',
      '/ui/exchanges?api=ncmec',
      '/ui/exchanges?api=stop_ncii',
    ]) {
      expect((await call('GET', url)).status, url).toBe(200);
    }
    expect((await call('GET', '/c/exchange/ENVIRON/history')).status).toBe(200);
    expect(bodies.at(-1)).toMatch(/is not a file under a directory of LOCAL_FILE_EXCHANGE_DIRS/);
    const history = bodies.find((b) => b.startsWith('GET /c/exchange/NCMEC_LEAK/history'))!;
    expect(history).toContain('credentials refused (HTTP 401)');

    await api.stop();
    const logs = readFileSync(logFile, 'utf8');
    // The file really holds both processes' logs, at trace level.
    expect(logs).toMatch(/"component":"fetcher"/);
    expect(logs).toMatch(/"component":"auth".*"msg":"request"/);
    expect(logs).toMatch(/"authorization":"\[redacted\]"/);
    expect(logs).toMatch(/credentials refused \(HTTP 401\)/);
    expect(logs).toMatch(/"position":"line 1","signal_type":"pdq","reason":"not a valid pdq value"/);
    const responses = bodies.join('\n');
    const forbidden = { ...secrets, fileSecret: FILE_SECRET, basic: Buffer.from(`${NCMEC_USER}:${secrets.ncmecPassword}`).toString('base64'), adminToken, key: KEY };
    for (const [name, value] of Object.entries(forbidden)) {
      expect(logs.includes(value), `${name} in the log file`).toBe(false);
      expect(responses.includes(value), `${name} in a response`).toBe(false);
    }

    const stored = await stack.db.pool.query<{ api: string; credentials: Buffer }>('SELECT api, credentials FROM exchange_api_credentials');
    expect(stored.rows).toHaveLength(3);
    for (const row of stored.rows) {
      for (const value of Object.values(secrets)) expect(row.credentials.includes(Buffer.from(value)), row.api).toBe(false);
    }
  });
});
