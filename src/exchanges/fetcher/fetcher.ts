/**
 * The fetcher process: every enabled exchange is fetched on its own schedule, a few at
 * a time, each run under the exchange's lease. Runs that end up to date wait the
 * interval; runs cut by the time limit continue at once; failures back off
 * exponentially with jitter (and never sooner than a Retry-After); an exchange another
 * process is fetching is retried soon, so a dead fetcher's exchanges are taken over.
 */
import type pg from 'pg';
import { listExchanges } from '../../curation/exchange-store.js';
import type { Config } from '../../config/config.js';
import { log } from '../../observability/logger.js';
import { createHttpClient } from '../http.js';
import { exchangeUrlPolicy } from '../http-policy.js';
import { baseUrlMap } from '../session.js';
import { signalTypeRegistry } from '../../signals/registry.js';
import { exchangeSignalTypes } from '../signal-types.js';
import { fetchExchange, type FetchDeps } from './fetch-exchange.js';
import { nextDelayMs, type ScheduleSettings } from './schedule.js';

const logger = log('fetcher');

export interface FetcherSettings {
  readonly concurrency: number;
  readonly schedule: ScheduleSettings;
  /** How often the exchange list is re-read (new, enabled, disabled exchanges). */
  readonly tickMs: number;
}

export interface Fetcher {
  /** Starts the schedule loop. */
  start(): void;
  /** Fetches every enabled exchange that is due once; resolves when those runs end (`hma fetcher --once`, tests). */
  runDue(): Promise<void>;
  /** Aborts in-flight fetches and waits for them to record their status. */
  stop(): Promise<void>;
}

interface State {
  dueAt: number;
  failures: number;
  running?: Promise<void>;
}

export function createFetcher(deps: FetchDeps, settings: FetcherSettings): Fetcher {
  const state = new Map<number, State>();
  const abort = new AbortController();
  let ticking: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const running = () => [...state.values()].filter((s) => s.running !== undefined).length;

  async function launchDue(): Promise<Promise<void>[]> {
    const exchanges = await listExchanges(deps.pool);
    const present = new Set(exchanges.map((e) => e.id));
    for (const id of state.keys()) if (!present.has(id) && !state.get(id)!.running) state.delete(id);
    const launched: Promise<void>[] = [];
    for (const e of exchanges) {
      if (!e.enabled || stopped) continue; // a disabled exchange is not touched (HMA left it "running": Appendix B #9)
      const s = state.get(e.id) ?? { dueAt: 0, failures: 0 };
      state.set(e.id, s);
      if (s.running || s.dueAt > deps.now() || running() >= settings.concurrency) continue;
      s.running = (async () => {
        try {
          const outcome = await fetchExchange(deps, e, abort.signal);
          s.failures = outcome.kind === 'failed' ? s.failures + 1 : 0;
          s.dueAt = deps.now() + nextDelayMs(outcome, s.failures, settings.schedule);
        } catch (err) {
          // Status could not be recorded (database trouble): back off like any failure.
          logger.error({ err, exchange: e.name }, 'fetch run failed');
          s.failures += 1;
          s.dueAt = deps.now() + nextDelayMs({ kind: 'failed', error: 'database' }, s.failures, settings.schedule);
        } finally {
          s.running = undefined;
        }
      })();
      launched.push(s.running);
    }
    return launched;
  }

  async function tick(): Promise<void> {
    try {
      void (await launchDue()); // the runs go on; state tracks them and stop() awaits them
    } catch (err) {
      logger.error({ err }, 'cannot list exchanges');
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      ticking = tick().finally(schedule);
    }, settings.tickMs);
  }

  return {
    start: schedule,
    async runDue() {
      await Promise.all(await launchDue());
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      abort.abort(new Error('fetcher stopping'));
      await ticking;
      await Promise.all([...state.values()].map((s) => s.running ?? Promise.resolve()));
    },
  };
}

export function fetcherSettings(config: Config): FetcherSettings {
  // Each running fetch holds a pooled connection (its lease); keep two for everything else.
  const concurrency = Math.min(config.FETCHER_CONCURRENCY, Math.max(1, config.DATABASE_POOL_SIZE - 2));
  if (concurrency < config.FETCHER_CONCURRENCY) {
    logger.warn({ FETCHER_CONCURRENCY: config.FETCHER_CONCURRENCY, DATABASE_POOL_SIZE: config.DATABASE_POOL_SIZE }, `fetching ${concurrency} exchanges at a time: the pool is too small for more`);
  }
  return {
    concurrency,
    tickMs: 1000,
    schedule: {
      intervalMs: config.FETCHER_INTERVAL_SECONDS * 1000,
      leaseRetryMs: 5000,
      backoffBaseMs: config.FETCHER_BACKOFF_BASE_SECONDS * 1000,
      backoffMaxMs: config.FETCHER_BACKOFF_MAX_SECONDS * 1000,
    },
  };
}

export function fetchDeps(config: Config, pool: pg.Pool): FetchDeps {
  return {
    pool,
    http: createHttpClient({ timeoutMs: config.EXCHANGE_HTTP_TIMEOUT_MS, retries: config.EXCHANGE_HTTP_RETRIES, urlPolicy: exchangeUrlPolicy(config) }),
    signalTypes: exchangeSignalTypes(signalTypeRegistry(config.SIGNAL_TYPES)),
    now: Date.now,
    baseUrls: baseUrlMap(config.EXCHANGE_BASE_URLS),
    localFileDirs: config.LOCAL_FILE_EXCHANGE_DIRS,
    drive: {
      maxCommitUpdates: config.FETCHER_COMMIT_MAX_UPDATES,
      maxCommitDelayMs: config.FETCHER_COMMIT_MAX_DELAY_MS,
      timeLimitMs: config.FETCHER_RUN_TIME_LIMIT_SECONDS * 1000,
    },
  };
}
