/**
 * The parts behind /status and /status/live: the watchdog (event loop and thread pool),
 * a service's health as its probe sees it (one transition per outage, however many
 * failures), the outage classification of errors, and the status routes' answers.
 */
import { pbkdf2 } from 'node:crypto';
import Fastify from 'fastify';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { statusRoutes } from '../../src/runtime/status.js';
import { isKafkaConnectivityError, isOutageError, isRegistryUnreachable, keepTrying } from '../../src/kafka/connectivity.js';
import { ServiceHealth } from '../../src/kafka/health.js';
import { Watchdog } from '../../src/observability/watchdog.js';
import { HmaError } from '../../src/errors/errors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const busy = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // hold the event loop
  }
};

describe('watchdog', () => {
  it('reports a thread pool that takes no work as not alive, and alive again once it does', async () => {
    const dog = new Watchdog({ intervalMs: 50, overloadLagMs: 0, stallMs: 300 }).start();
    try {
      await sleep(120);
      expect(dog.liveness()).toBeUndefined();
      // Every thread of libuv's pool (4 by default) busy with a slow key derivation.
      const size = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
      const jobs = Array.from({ length: size }, () => new Promise((r) => pbkdf2('x', 'salt', 600_000, 32, 'sha512', r)));
      let stalled: string | undefined;
      for (const until = Date.now() + 5000; !stalled && Date.now() < until; ) {
        await sleep(50);
        stalled = dog.liveness();
      }
      expect(stalled).toBe('THREAD-POOL-STALLED');
      await Promise.all(jobs);
      await sleep(200);
      expect(dog.liveness()).toBeUndefined();
    } finally {
      dog.stop();
    }
  }, 30_000);

  it('reports OVERLOADED while the event loop lags, and stops once it keeps time', async () => {
    const dog = new Watchdog({ intervalMs: 20, overloadLagMs: 100, stallMs: 60_000 }).start();
    try {
      await sleep(60);
      expect(dog.overload()).toBeUndefined();
      for (let i = 0; i < 6; i++) {
        busy(300);
        await sleep(25);
      }
      expect(dog.overload()).toBe('OVERLOADED');
      expect(dog.lagMs).toBeGreaterThan(100);
      await sleep(500);
      expect(dog.overload()).toBeUndefined();
    } finally {
      dog.stop();
    }
  });
});

describe('service health', () => {
  it('changes state once per outage, however many probes fail or clients suspect it', async () => {
    let answering = true;
    const health = new ServiceHealth('kafka', async () => {
      if (!answering) throw new Error('connect ECONNREFUSED 127.0.0.1:1');
    }, 10_000, 1000);
    const changes: boolean[] = [];
    health.onChange((up) => changes.push(up));
    expect(health.available).toBe(true); // unprobed: given the benefit of the doubt
    await health.check();
    expect(health.current.up).toBe(true);
    answering = false;
    for (let i = 0; i < 20; i++) await health.check();
    expect(health.available).toBe(false);
    expect(health.current.reason).toContain('ECONNREFUSED');
    answering = true;
    await health.check();
    await health.check();
    // The first answer (unknown → up), then one change down and one back.
    expect(changes).toEqual([true, false, true]);
    expect(health.available).toBe(true);
  });

  it('counts a probe that does not answer in time as down', async () => {
    const health = new ServiceHealth('schema-registry', () => new Promise(() => undefined), 10_000, 50);
    await health.check();
    expect(health.current).toMatchObject({ up: false, reason: 'no answer within 50 ms' });
  });
});

describe('outage classification', () => {
  it('tells a broker that cannot be reached from a bad request, also through kafkajs wrappers', () => {
    const refused = new kafkajs.KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(isKafkaConnectivityError(refused)).toBe(true);
    expect(isKafkaConnectivityError(new kafkajs.KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 9600 }))).toBe(true);
    expect(isKafkaConnectivityError(new kafkajs.KafkaJSNonRetriableError(refused))).toBe(true);
    expect(isKafkaConnectivityError(new kafkajs.KafkaJSProtocolError('The producer attempted to use a producer id which is not currently assigned'))).toBe(false);
    expect(isKafkaConnectivityError(new Error('value does not fit the schema'))).toBe(false);
  });

  it('tells a registry that is away from a schema that is not registered', () => {
    // The registry client reports a refused connection as a "status 400" ResponseError.
    expect(isRegistryUnreachable(Object.assign(new Error('Confluent_Schema_Registry - Error, status 400: connect ECONNREFUSED 127.0.0.1:1'), { status: 400 }))).toBe(true);
    expect(isRegistryUnreachable(Object.assign(new Error('Service Unavailable'), { status: 503 }))).toBe(true);
    expect(isRegistryUnreachable(new Error("Confluent_Schema_Registry - No artifact with ID 'x' in group 'null' was found."))).toBe(false);
    expect(isOutageError(new HmaError('unavailable', 'schema registry unavailable'))).toBe(true);
    expect(isOutageError(new HmaError('invalid_input', 'bad'))).toBe(false);
  });

  it('keeps trying until the attempt succeeds, and gives up when stopped', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const got = await keepTrying(async () => {
      if (++calls < 3) throw new Error('ECONNREFUSED');
      return 'connected';
    }, { stopped: () => false, onError: (e) => errors.push(e) });
    expect(got).toBe('connected');
    expect(errors).toHaveLength(2);
    let stopped = false;
    setTimeout(() => (stopped = true), 150);
    expect(await keepTrying(() => Promise.reject(new Error('down')), { stopped: () => stopped, onError: () => undefined })).toBeUndefined();
  }, 10_000);
});

describe('status routes', () => {
  async function app(checks: Array<() => string | undefined>, dog: Watchdog) {
    const a = Fastify();
    await a.register(statusRoutes, {
      checks,
      routes: new Set<string>(),
      watchdog: dog,
      details: () => ({ index_staleness_seconds: 12.34, dependencies: { kafka: { up: false, since: '2026-01-01T00:00:00.000Z', reason: 'ECONNREFUSED' } } }),
    });
    return a;
  }

  it('answers HMA\'s plain text with the first reason, JSON with all of them, and the staleness in a header', async () => {
    const dog = new Watchdog({ overloadLagMs: 0, stallMs: 60_000 });
    const a = await app([() => 'KAFKA-UNAVAILABLE', () => undefined, () => 'INDEX-STALE'], dog);
    const text = await a.inject({ url: '/status' });
    expect(text.statusCode).toBe(503);
    expect(text.body).toBe('KAFKA-UNAVAILABLE');
    expect(text.headers['x-hma-index-staleness']).toBe('12.3');
    const json = await a.inject({ url: '/status', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(503);
    expect(json.json()).toMatchObject({ status: 'KAFKA-UNAVAILABLE', ready: false, reasons: ['KAFKA-UNAVAILABLE', 'INDEX-STALE'], index_staleness_seconds: 12.34 });
    const ok = await app([() => undefined], dog);
    expect((await ok.inject({ url: '/status' })).body).toBe('I-AM-ALIVE');
    expect((await ok.inject({ url: '/status/live' })).body).toBe('I-AM-ALIVE');
  });

  it('fails liveness while the thread pool is stalled', async () => {
    const dog = new Watchdog({ intervalMs: 20, overloadLagMs: 0, stallMs: 100 }).start();
    try {
      const a = await app([], dog);
      const size = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
      const jobs = Array.from({ length: size }, () => new Promise((r) => pbkdf2('x', 'salt', 600_000, 32, 'sha512', r)));
      let live = await a.inject({ url: '/status/live' });
      for (const until = Date.now() + 5000; live.statusCode === 200 && Date.now() < until; ) {
        await sleep(30);
        live = await a.inject({ url: '/status/live' });
      }
      expect(live.statusCode).toBe(503);
      expect(live.body).toBe('THREAD-POOL-STALLED');
      await Promise.all(jobs);
    } finally {
      dog.stop();
    }
  }, 30_000);
});
