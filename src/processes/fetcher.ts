/**
 * Starting the fetcher inside a process runtime (`hma fetcher`, or `hma all` next to
 * the API). A standalone fetcher also serves /metrics and /status on METRICS_PORT.
 * On stop, in-flight fetches are aborted and record their status before the pool closes.
 */
import type { Config } from '../config/config.js';
import { createFetcher, fetchDeps, fetcherSettings, type Fetcher } from '../exchanges/fetcher/fetcher.js';
import { watchExchangeStatus } from '../exchanges/fetcher/metrics.js';
import { serveSidecar } from '../runtime/process.js';
import { Runtime } from '../runtime/runtime.js';

export interface StartOptions {
  /** Serve /metrics and /status on METRICS_PORT (for a process with no API). */
  readonly sidecar?: boolean;
}

export async function startFetcher(runtime: Runtime, opts: StartOptions = {}): Promise<Fetcher> {
  const { config } = runtime;
  const fetcher = createFetcher(fetchDeps(config, runtime.db), fetcherSettings(config));
  watchExchangeStatus(runtime.db);
  if (opts.sidecar) await serveSidecar(runtime);
  runtime.onStop('fetcher', () => fetcher.stop());
  fetcher.start();
  runtime.logger.info({ concurrency: config.FETCHER_CONCURRENCY, interval_s: config.FETCHER_INTERVAL_SECONDS }, 'fetcher started');
  return fetcher;
}

/** One run of every enabled exchange, then exit (HMA's `flask fetch`, for cron-style deployments). */
export async function fetchAllOnce(config: Config): Promise<void> {
  const runtime = new Runtime(config, 'fetcher');
  try {
    await createFetcher(fetchDeps(config, runtime.db), fetcherSettings(config)).runDue();
  } finally {
    await runtime.stop();
  }
}

/** A standalone fetcher with its own runtime; resolves once started. `stop()` shuts it down. */
export async function runFetcher(config: Config, opts: StartOptions = { sidecar: true }): Promise<{ stop(): Promise<void> }> {
  const runtime = new Runtime(config, 'fetcher');
  try {
    await startFetcher(runtime, opts);
  } catch (err) {
    await runtime.stop();
    throw err;
  }
  return { stop: () => runtime.stop() };
}
