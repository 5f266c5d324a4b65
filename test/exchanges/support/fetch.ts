/** Fetch dependencies for in-process fetcher tests: fast retries, short commit delays. */
import os from 'node:os';
import type pg from 'pg';
import type { FetchDeps } from '../../../src/exchanges/fetcher/fetch-exchange.js';
import type { FetcherSettings } from '../../../src/exchanges/fetcher/fetcher.js';
import { createHttpClient } from '../../../src/exchanges/http.js';
import { exchangeSignalTypes } from '../../../src/exchanges/signal-types.js';
import { fastHttp } from './memory.js';
import { SIGNAL_TYPE_NAMES, signalTypeRegistry } from '../../../src/signals/registry.js';

export function testDeps(pool: pg.Pool, baseUrls: Record<string, string> = {}, drive: Partial<FetchDeps['drive']> = {}): FetchDeps {
  return {
    pool,
    http: createHttpClient(fastHttp),
    signalTypes: exchangeSignalTypes(signalTypeRegistry(SIGNAL_TYPE_NAMES)),
    now: Date.now,
    baseUrls: new Map(Object.entries(baseUrls)),
    localFileDirs: [os.tmpdir()],
    drive: { maxCommitUpdates: 5000, maxCommitDelayMs: 100, timeLimitMs: 60_000, ...drive },
  };
}

export const testSettings: FetcherSettings = {
  concurrency: 4,
  tickMs: 50,
  schedule: { intervalMs: 60_000, leaseRetryMs: 100, backoffBaseMs: 100, backoffMaxMs: 1000 },
};
