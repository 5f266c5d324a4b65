/**
 * Kafka and registry outages, on a broker of the test's own (the shared one is never
 * touched): with lookups, submissions and a curation write flowing through a real
 * `hma all`, the broker is killed with SIGKILL and started again. Lookups never fail
 * and stay within their bounded wait, submissions are refused at once (503 with
 * Retry-After) and then accepted again, /status reports the outage and the recovery,
 * each outage is logged once, and every accepted submission gets exactly one result.
 * Then every kind of process is started while the broker is down, and `hma api` and
 * `hma hasher` while the registry is away: none exits, each reports why it is not
 * ready, the API serves curation and hashing meanwhile, and all become ready when the
 * service returns. The figures are printed as a timeline.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createKafka, withAdmin } from '../../src/kafka/client.js';
import { TopicCodec } from '../../src/kafka/codec.js';
import { createRegistry, registerSchemas } from '../../src/kafka/registry.js';
import { applyTopics } from '../../src/kafka/topology.js';
import { topicName } from '../../topology/topics.js';
import { freePort } from '../support/ports.js';
import { scratchDb, type ScratchDb } from '../support/scratch-db.js';
import { OwnBroker } from './support/own-broker.js';
import { LoggedHma, status, waitForStatus } from './support/hma.js';

const OTHER_PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const SUBMIT_TIMEOUT_MS = 2000;
/** Read-your-writes waits at most 2 s; anything near the 7–13 s of kafkajs's retries is a failure. */
const LOOKUP_BOUND_MS = 4000;

let broker: OwnBroker;
/** A photo made here (no test data needed) and its PDQ, as the running API hashes it. */
let photo: Buffer;
let PHOTO_PDQ = '';
let db: ScratchDb;
let config: Config;
let env: NodeJS.ProcessEnv;
const procs: LoggedHma[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => (ms / 1000).toFixed(1);

beforeAll(async () => {
  broker = await OwnBroker.create();
  await broker.start();
  db = await scratchDb('outage');
  const base = loadConfig(process.env);
  env = {
    ...process.env,
    KAFKA_BROKERS: broker.brokers,
    TOPIC_PREFIX: `${base.TOPIC_PREFIX}outage-${randomBytes(3).toString('hex')}.`,
    TOPIC_PARTITIONS: '2',
    DATABASE_URL: db.url,
    PRODUCTION: 'false',
    AUTH: 'none',
    API_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    HASH_WORKERS: '1',
    PIPELINE_SESSION_TIMEOUT_MS: '6000',
    PIPELINE_TRANSACTION_TIMEOUT_MS: '10000',
    PIPELINE_RETRY_BACKOFF_MS: '50',
    SUBMIT_TIMEOUT_MS: String(SUBMIT_TIMEOUT_MS),
  };
  config = loadConfig(env);
  photo = await sharp({ create: { width: 160, height: 120, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .jpeg({ quality: 90 })
    .toBuffer();
  await withAdmin(createKafka(config, 'outage-test'), (admin) => applyTopics(admin, config, { fix: false }));
  await registerSchemas(config);
}, 300_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await broker?.destroy();
  await db?.drop();
});

async function ports(): Promise<{ API_PORT: string; METRICS_PORT: string }> {
  return { API_PORT: String(await freePort()), METRICS_PORT: String(await freePort()) };
}

function hma(name: string, command: string[], extra: NodeJS.ProcessEnv): LoggedHma {
  const p = new LoggedHma(name, command, { ...env, ...extra });
  procs.push(p);
  p.start();
  return p;
}

interface Call {
  readonly at: number;
  readonly ms: number;
  readonly code: number;
  readonly kind: string;
  readonly retryAfter?: string | null;
  readonly staleness?: string | null;
  readonly submissionId?: string;
}

async function timed(kind: string, run: () => Promise<Response>): Promise<Call> {
  const at = Date.now();
  try {
    const res = await run();
    const body = await res.text();
    const submissionId = res.status === 202 ? (JSON.parse(body) as { submission_id: string }).submission_id : undefined;
    return {
      at,
      ms: Date.now() - at,
      code: res.status,
      kind,
      retryAfter: res.headers.get('retry-after'),
      staleness: res.headers.get('x-hma-index-staleness'),
      submissionId,
    };
  } catch {
    return { at, ms: Date.now() - at, code: 0, kind };
  }
}

const upload = (bytes: Buffer, field: string, fields: Record<string, string> = {}) => {
  const form = new FormData();
  form.append(field, new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
};

/** Runs `step` every `everyMs` until stopped; one call at a time. */
function loop(everyMs: number, step: () => Promise<void>): { stop: () => Promise<void> } {
  let running = true;
  const done = (async () => {
    while (running) {
      const t = Date.now();
      await step();
      await sleep(Math.max(0, everyMs - (Date.now() - t)));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
    },
  };
}

describe('a Kafka outage under load', () => {
  it('keeps lookups answering, refuses submissions fast, reports it, and loses nothing', { timeout: 420_000 }, async () => {
    const p = await ports();
    const all = hma('all', ['all'], p);
    const url = `http://127.0.0.1:${p.API_PORT}`;
    await waitForStatus(url, (s) => s.code === 200, 120_000, 'hma all');
    const hashed = await fetch(`${url}/h/hash`, { method: 'POST', body: upload(photo, 'photo') });
    expect(hashed.status).toBe(200);
    PHOTO_PDQ = ((await hashed.json()) as { pdq: string }).pdq;
    expect(PHOTO_PDQ).toMatch(/^[0-9a-f]{64}$/);

    const json = (method: string, route: string, body: unknown) =>
      fetch(`${url}${route}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await json('POST', '/c/banks', { name: 'OUTAGE_BANK' })).ok).toBe(true);
    // A curation write arms read-your-writes: from now on, the next lookup waits for the replica.
    expect((await json('POST', '/c/bank/OUTAGE_BANK/signal', { pdq: PHOTO_PDQ })).ok).toBe(true);

    const lookups: Call[] = [];
    const submissions: Call[] = [];
    const statuses: Array<{ at: number; code: number; body: string; staleness: string | null }> = [];
    let n = 0;
    const lookupLoop = loop(100, async () => {
      const i = n++;
      if (i % 5 === 4) {
        lookups.push(await timed('upload', () => fetch(`${url}/m/lookup`, { method: 'POST', body: upload(photo, 'photo') })));
      } else if (i % 2 === 0) {
        lookups.push(await timed('lookup', () => fetch(`${url}/m/lookup?signal=${PHOTO_PDQ}&signal_type=pdq`)));
      } else {
        lookups.push(await timed('raw_lookup', () => fetch(`${url}/m/raw_lookup?signal=${PHOTO_PDQ}&signal_type=pdq`)));
      }
    });
    let m = 0;
    const submitLoop = loop(150, async () => {
      const contentId = `outage-${m++}`;
      submissions.push(await timed('submit', () => fetch(`${url}/v1/content`, { method: 'POST', body: upload(photo, 'file', { content_id: contentId }) })));
    });
    const statusLoop = loop(250, async () => {
      const s = await status(url);
      statuses.push({ at: Date.now(), ...s });
    });

    await sleep(8000);
    const killedAt = Date.now();
    await broker.kill();
    await sleep(6000);
    // A curation write during the outage: accepted (Postgres), and the lookups after it must not wait on Kafka.
    const writeDuring = await json('POST', '/c/bank/OUTAGE_BANK/signal', { pdq: OTHER_PDQ });
    expect(writeDuring.ok).toBe(true);
    // Watched from now on: when does that signal reach the replica?
    let watching = true;
    const arrival = (async () => {
      while (watching) {
        const res = await fetch(`${url}/m/raw_lookup?signal=${OTHER_PDQ}&signal_type=pdq`).catch(() => undefined);
        if (res?.ok && ((await res.json()) as { matches: number[] }).matches.length === 1) return Date.now();
        await sleep(250);
      }
      return undefined;
    })();
    await sleep(6000);
    const restartAt = Date.now();
    await broker.start();
    const brokerUpAt = Date.now();
    await waitForStatus(url, (s) => s.code === 200, 120_000, 'hma all after the broker came back');
    const readyAt = Date.now();
    await sleep(8000);
    await Promise.all([lookupLoop.stop(), submitLoop.stop(), statusLoop.stop()]);
    const endAt = Date.now();

    // Lookups: every one answered 200, within the bounded wait, with the replica's staleness.
    const failedLookups = lookups.filter((c) => c.code !== 200);
    expect(failedLookups).toEqual([]);
    const slowest = Math.max(...lookups.map((c) => c.ms));
    expect(slowest).toBeLessThan(LOOKUP_BOUND_MS);
    expect(lookups.every((c) => c.staleness !== null && c.staleness !== undefined)).toBe(true);
    const during = (c: { at: number }) => c.at >= killedAt && c.at < brokerUpAt;
    const lookupsDuring = lookups.filter(during);
    expect(lookupsDuring.length).toBeGreaterThan(20);
    const maxStaleness = Math.max(...lookupsDuring.map((c) => Number(c.staleness)));
    expect(maxStaleness).toBeGreaterThan(5);
    // The signal written during the outage reached the replica once Kafka was back.
    const gaveUp = setTimeout(() => (watching = false), 30_000);
    const arrivedAt = await arrival;
    clearTimeout(gaveUp);
    watching = false;
    expect(arrivedAt, `signal written during the outage never reached the replica (log: ${all.logFile})`).toBeDefined();

    // Submissions: accepted before and after, refused with 503 + Retry-After during, never anything else, never slow.
    const unexpected = submissions.filter((c) => c.code !== 202 && c.code !== 503);
    expect(unexpected).toEqual([]);
    const refused = submissions.filter((c) => c.code === 503);
    expect(refused.length).toBeGreaterThan(10);
    expect(refused.every((c) => c.retryAfter !== null && Number(c.retryAfter) > 0)).toBe(true);
    const slowestRefusal = Math.max(...refused.map((c) => c.ms));
    expect(slowestRefusal).toBeLessThanOrEqual(SUBMIT_TIMEOUT_MS + 1500);
    const accepted = submissions.filter((c) => c.code === 202);
    expect(accepted.some((c) => c.at < killedAt)).toBe(true);
    expect(accepted.some((c) => c.at > readyAt)).toBe(true);

    // /status: ready, then KAFKA-UNAVAILABLE, then ready again.
    const outageStatus = statuses.filter((s) => s.code === 503 && s.body === 'KAFKA-UNAVAILABLE');
    expect(outageStatus.length).toBeGreaterThan(0);
    const firstDown = outageStatus[0].at;
    expect(statuses.filter((s) => s.at > readyAt).every((s) => s.code === 200)).toBe(true);
    expect(statuses.every((s) => s.code === 200 || s.code === 503)).toBe(true);

    // The outage is logged once when it starts and once when it ends.
    const outageLines = all.lines.filter((l) => l.at >= killedAt && l.at < readyAt + 5000);
    expect(outageLines.filter((l) => l.msg === 'Kafka unavailable')).toHaveLength(1);
    expect(outageLines.filter((l) => l.msg === 'Kafka back')).toHaveLength(1);
    // Beyond that, nothing per retry: kafkajs's own lines stay quiet, and what is left is a
    // consequence worth a line each (e.g. a transaction the broker aborted while it was down).
    const noisy = all.problems(killedAt, readyAt + 5000).filter((l) => l.msg !== 'Kafka unavailable');
    expect(noisy.filter((l) => l.component === 'kafkajs').map((l) => l.raw)).toEqual([]);
    expect(noisy.length, noisy.map((l) => l.raw).join('\n')).toBeLessThanOrEqual(6);

    // Every accepted submission has exactly one match result (read committed).
    const results = await readResults(accepted.length, 120_000);
    const count = new Map<string, number>();
    for (const id of results) count.set(id, (count.get(id) ?? 0) + 1);
    const missing = accepted.filter((c) => !count.has(c.submissionId!));
    const doubled = [...count].filter(([, k]) => k > 1);
    expect(missing).toEqual([]);
    expect(doubled).toEqual([]);

    const refusedDuring = refused.filter(during);
    const refusalMs = refused.map((c) => c.ms).sort((a, b) => a - b);
    const medianRefusal = refusalMs[Math.floor(refusalMs.length / 2)];
    const refusedAfterWait = refusalMs.filter((ms) => ms > 1000).length;
    const resumed = accepted.find((c) => c.at > killedAt);
    console.log(
      [
        '[outage timeline] Kafka killed (SIGKILL) at t=0',
        `  /status 503 KAFKA-UNAVAILABLE from t=${secs(firstDown - killedAt)} s`,
        `  curation write during the outage: ${writeDuring.status}; in the replica ${secs(arrivedAt! - brokerUpAt)} s after the broker answered`,
        `  broker restart begun at t=${secs(restartAt - killedAt)} s, answering at t=${secs(brokerUpAt - killedAt)} s`,
        `  /status 200 again at t=${secs(readyAt - killedAt)} s: ${secs(readyAt - brokerUpAt)} s after the broker answered`,
        `  lookups: ${lookups.length} in ${secs(endAt - killedAt + 8000)} s, all 200; ${lookupsDuring.length} during the outage; slowest ${slowest} ms; replica staleness up to ${maxStaleness.toFixed(1)} s`,
        `  submissions: ${accepted.length} accepted, ${refused.length} refused with 503 (${refusedDuring.length} while the broker was down), refusal median ${medianRefusal} ms, ${refusedAfterWait} took over 1 s (sends under way at the kill, cut at SUBMIT_TIMEOUT_MS), slowest ${slowestRefusal} ms; accepted again from t=${resumed ? secs(resumed.at - killedAt) : '?'} s`,
        `  results: ${results.length} for ${accepted.length} accepted submissions, none missing, none twice`,
        `  log lines at WARN or above from the kill until 5 s after ready: ${all.problems(killedAt, readyAt + 5000).length}`,
      ].join('\n'),
    );
    await all.stop();
  });
});

/** Polls /status until it answers `want`; returns every status code seen on the way. */
async function untilStatus(url: string, want: { code: number; body: string }, what: string): Promise<number[]> {
  const seen: number[] = [];
  await waitForStatus(
    url,
    (x) => {
      if (x.code !== 0) seen.push(x.code);
      return x.code === want.code && x.body === want.body;
    },
    120_000,
    what,
  );
  return seen;
}

/** Submission ids of every committed match result on the test's broker. */
async function readResults(expected: number, timeoutMs: number): Promise<string[]> {
  const kafka = createKafka(config, 'outage-check');
  const codec = new TopicCodec(createRegistry(config), config.TOPIC_PREFIX);
  const ids: string[] = [];
  const consumer = kafka.consumer({ groupId: `${config.TOPIC_PREFIX}check.${randomBytes(3).toString('hex')}`, readUncommitted: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(config.TOPIC_PREFIX, 'match.results'), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      const v = await codec.decode('match.results', message.value);
      // The forward matcher's one result per submission (a retro-matcher's would be flagged).
      if (!v.retroactive) ids.push(v.submission_id);
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (ids.length < expected && Date.now() < deadline) await sleep(250);
  await sleep(3000); // a duplicate arriving late would be seen
  await consumer.disconnect();
  return ids;
}

/** A TCP relay to the shared registry that can be opened and closed: the registry "away" without touching it. */
async function registryGate(target: URL): Promise<{ url: string; open: () => Promise<void>; close: () => Promise<void> }> {
  const port = await freePort();
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    open: () =>
      new Promise((resolve) => {
        server = net.createServer((client) => {
          const upstream = net.connect(Number(target.port), target.hostname);
          sockets.add(client).add(upstream);
          client.pipe(upstream).pipe(client);
          const drop = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', drop).on('close', drop);
          upstream.on('error', drop).on('close', drop);
        });
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server = undefined;
    },
  };
}

describe('starting while a service is down', () => {
  it('starts every kind of process without Kafka, reports why, serves Postgres work, and becomes ready when Kafka returns', { timeout: 360_000 }, async () => {
    await broker.kill();
    const rules = path.join(os.tmpdir(), `hma-outage-rules-${process.pid}.yaml`);
    await writeFile(rules, ['rules:', '  - name: audit', '    action: { type: log }'].join('\n'));
    const kinds: Array<{ name: string; command: string[]; port: 'API_PORT' | 'METRICS_PORT'; kafka: boolean }> = [
      { name: 'api', command: ['api'], port: 'API_PORT', kafka: true },
      { name: 'all', command: ['all', '--rules', rules], port: 'API_PORT', kafka: true },
      { name: 'hasher', command: ['hasher'], port: 'METRICS_PORT', kafka: true },
      { name: 'matcher', command: ['matcher'], port: 'METRICS_PORT', kafka: true },
      { name: 'actioner', command: ['actioner', '--rules', rules], port: 'METRICS_PORT', kafka: true },
      { name: 'relay', command: ['relay'], port: 'METRICS_PORT', kafka: true },
      { name: 'fetcher', command: ['fetcher'], port: 'METRICS_PORT', kafka: false },
    ];
    const started: Array<{ name: string; kafka: boolean; proc: LoggedHma; url: string }> = [];
    try {
      for (const k of kinds) {
        const p = await ports();
        started.push({ name: k.name, kafka: k.kafka, proc: hma(k.name, k.command, { ...p, LOG_LEVEL: 'warn' }), url: `http://127.0.0.1:${p[k.port]}` });
      }
      for (const s of started) {
        const want = s.kafka ? { code: 503, body: 'KAFKA-UNAVAILABLE' } : { code: 200, body: 'I-AM-ALIVE' };
        const seen = await untilStatus(s.url, want, `${s.name} with Kafka down`);
        // Never ready while Kafka is down (a process that uses it).
        if (s.kafka) expect({ name: s.name, ready: seen.includes(200) }).toEqual({ name: s.name, ready: false });
      }
      // What needs only Postgres works meanwhile: curation and hashing; submissions are refused at once.
      const api = started[0].url;
      const created = await fetch(`${api}/c/banks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'DOWN_AT_START' }) });
      expect(created.ok).toBe(true);
      expect((await fetch(`${api}/c/bank/DOWN_AT_START/signal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pdq: OTHER_PDQ }) })).ok).toBe(true);
      const hashed = await fetch(`${api}/h/hash`, { method: 'POST', body: upload(photo, 'photo') });
      expect(hashed.status).toBe(200);
      const pdq = ((await hashed.json()) as { pdq: string }).pdq;
      expect(pdq).toMatch(/^[0-9a-f]{64}$/);
      const submitted = await fetch(`${api}/v1/content`, { method: 'POST', body: upload(photo, 'file') });
      expect(submitted.status).toBe(503);
      await sleep(3000);
      for (const s of started) expect({ name: s.name, running: s.proc.running }).toEqual({ name: s.name, running: true });

      const restartAt = Date.now();
      await broker.start();
      const brokerUpAt = Date.now();
      const readyAfter: string[] = [];
      for (const s of started) {
        await waitForStatus(s.url, (x) => x.code === 200, 120_000, `${s.name} after Kafka came back`);
        readyAfter.push(`${s.name} ${secs(Date.now() - brokerUpAt)} s`);
      }
      // The signal added while Kafka was down reached the API's replica through the relay.
      let found = false;
      for (const until = Date.now() + 30_000; !found && Date.now() < until; await sleep(250)) {
        const res = await fetch(`${api}/m/raw_lookup?signal=${OTHER_PDQ}&signal_type=pdq&banks=DOWN_AT_START`);
        found = ((await res.json()) as { matches: number[] }).matches.length === 1;
      }
      expect(found).toBe(true);
      console.log(
        `[start without Kafka] broker restart took ${secs(brokerUpAt - restartAt)} s; /status 200 (in the order polled) after the broker answered: ${readyAfter.join(', ')}`,
      );
    } finally {
      await Promise.all(started.map((s) => s.proc.stop()));
    }
  });

  it('starts without the schema registry, reports SCHEMA-REGISTRY-UNAVAILABLE, and becomes ready when it returns', { timeout: 240_000 }, async () => {
    if (!(await (await import('../../src/backing-services/kafka-broker.js')).brokerAnswers(broker.port))) await broker.start();
    const gate = await registryGate(new URL(config.SCHEMA_REGISTRY_URL));
    const pa = await ports();
    const ph = await ports();
    const api = hma('api-noreg', ['api'], { ...pa, SCHEMA_REGISTRY_URL: gate.url, LOG_LEVEL: 'warn' });
    const hasher = hma('hasher-noreg', ['hasher'], { ...ph, SCHEMA_REGISTRY_URL: gate.url, LOG_LEVEL: 'warn' });
    try {
      await withoutRegistry(gate, api, hasher, pa, ph);
    } finally {
      await Promise.all([api.stop(), hasher.stop()]);
      await gate.close();
    }
  });
});

async function withoutRegistry(
  gate: { open: () => Promise<void> },
  api: LoggedHma,
  hasher: LoggedHma,
  pa: { API_PORT: string },
  ph: { METRICS_PORT: string },
): Promise<void> {
  const apiUrl = `http://127.0.0.1:${pa.API_PORT}`;
  const hasherUrl = `http://127.0.0.1:${ph.METRICS_PORT}`;
  for (const [name, u] of [['api', apiUrl], ['hasher', hasherUrl]] as const) {
    const seen = await untilStatus(u, { code: 503, body: 'SCHEMA-REGISTRY-UNAVAILABLE' }, `${name} with the registry away`);
    expect({ name, ready: seen.includes(200) }).toEqual({ name, ready: false });
  }
  const created = await fetch(`${apiUrl}/c/banks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'NO_REGISTRY' }) });
  expect(created.ok).toBe(true);
  const refused = await fetch(`${apiUrl}/v1/content`, { method: 'POST', body: upload(photo, 'file') });
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).not.toBeNull();
  // The misleading advice of before: a registry that is away is not a schema that was never registered.
  const all = [...api.lines, ...hasher.lines].map((l) => l.raw).join('\n');
  expect(all).not.toContain('hma topology apply');
  expect(api.running && hasher.running).toBe(true);

  await gate.open();
  const openedAt = Date.now();
  await waitForStatus(apiUrl, (x) => x.code === 200, 60_000, 'api after the registry came back');
  const apiReady = Date.now() - openedAt;
  await waitForStatus(hasherUrl, (x) => x.code === 200, 60_000, 'hasher after the registry came back');
  const hasherReady = Date.now() - openedAt;
  const accepted = await fetch(`${apiUrl}/v1/content`, { method: 'POST', body: upload(photo, 'file') });
  expect(accepted.status).toBe(202);
  console.log(`[start without the registry] ready after it returned: api ${secs(apiReady)} s, hasher ${secs(hasherReady)} s`);
}
