/**
 * One fetch run of one exchange: take its lease, resume from the stored checkpoint,
 * commit batches through the lease's connection, and record status and history
 * whatever happens (bad credentials, a malformed body, a dead upstream) without
 * throwing: the scheduler decides what comes next from the outcome.
 */
import { translatePgError } from '../../curation/db.js';
import type { Exchange } from '../../curation/exchange-store.js';
import { isHmaError } from '../../errors/errors.js';
import { log } from '../../observability/logger.js';
import { isExchangeError } from '../errors.js';
import { openExchange, type ExchangeDeps } from '../session.js';
import { CommitRefused, commitBatch } from '../store/commit.js';
import { tryLease } from '../store/lease.js';
import { completeFetch, readCheckpoint, startFetch } from '../store/status.js';
import { drive, type DriveOptions } from './drive.js';
import { fetchMetrics } from './metrics.js';
import type { RunOutcome } from './schedule.js';

const logger = log('fetcher');

export interface FetchDeps extends ExchangeDeps {
  readonly drive: DriveOptions;
}

/** A message safe to store and show: typed errors carry their own, anything else is logged, not echoed. */
function describe(err: unknown): string {
  if (isHmaError(err)) return err.message;
  return 'internal error (see the fetcher log)';
}

export async function fetchExchange(deps: FetchDeps, exchange: Exchange, signal: AbortSignal): Promise<RunOutcome> {
  const lease = await tryLease(deps.pool, exchange.id);
  if (!lease) return { kind: 'busy' };
  const stopTimer = fetchMetrics.runSeconds.startTimer({ api: exchange.api });
  try {
    let historyId: number;
    try {
      historyId = await startFetch(lease.client, exchange.id, deps.now());
    } catch (err) {
      // Deleted between listing and leasing (the status row's foreign key).
      const e = translatePgError(err);
      if (isHmaError(e) && e.code === 'not_found') return { kind: 'stopped' };
      throw e;
    }
    let items = 0;
    let outcome: RunOutcome;
    let failure = 'internal';
    try {
      const { type, config, credentials, ctx } = await openExchange(deps, exchange, signal);
      let expected = await readCheckpoint(lease.client, exchange.id);
      const result = await drive(
        {
          type,
          config,
          credentials,
          stored: expected,
          ctx,
          name: exchange.name,
          commit: async (updates, checkpoint, progress) => {
            const end = fetchMetrics.commitSeconds.startTimer();
            await commitBatch(lease.client, { exchangeId: exchange.id, expected, updates, checkpoint, progress });
            end();
            expected = checkpoint;
            items += updates.length;
            fetchMetrics.updates.inc({ exchange: exchange.name, api: exchange.api }, updates.length);
          },
        },
        deps.drive,
      );
      outcome = { kind: 'done', upToDate: result.upToDate, items };
    } catch (err) {
      if (err instanceof CommitRefused && (err.reason === 'deleted' || err.reason === 'disabled')) {
        outcome = { kind: 'stopped' };
      } else if (signal.aborted) {
        outcome = { kind: 'failed', error: 'interrupted: the fetcher is stopping' };
        failure = 'interrupted';
      } else {
        if (!isHmaError(err)) logger.error({ err, exchange: exchange.name }, 'fetch failed');
        else logger.warn({ exchange: exchange.name, code: err.code, reason: err.message }, 'fetch failed');
        outcome = { kind: 'failed', error: describe(err), retryAfterMs: isExchangeError(err) ? err.retryAfterMs : undefined };
        failure = isExchangeError(err) ? err.kind : isHmaError(err) ? err.code : 'internal';
      }
    }
    await completeFetch(lease.client, exchange.id, historyId, deps.now(), {
      succeeded: outcome.kind === 'done',
      upToDate: outcome.kind === 'done' && outcome.upToDate,
      items,
      error: outcome.kind === 'failed' ? outcome.error : outcome.kind === 'stopped' ? 'stopped: the exchange was disabled or deleted' : null,
    });
    fetchMetrics.runs.inc({ exchange: exchange.name, api: exchange.api, outcome: outcome.kind });
    if (outcome.kind === 'failed') fetchMetrics.errors.inc({ exchange: exchange.name, api: exchange.api, reason: failure });
    return outcome;
  } finally {
    stopTimer();
    await lease.release();
  }
}
