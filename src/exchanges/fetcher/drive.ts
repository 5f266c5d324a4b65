/**
 * Drives one exchange fetch: resumes from the stored checkpoint (dropping a stale one),
 * coalesces the exchange's batches into commits of bounded size and age, refuses a
 * checkpoint whose progress goes backwards, and stops at a time limit. Fetching the
 * next page overlaps committing the previous one. Storage is a callback: this file
 * knows no SQL.
 */
import { log } from '../../observability/logger.js';
import { ExchangeError } from '../errors.js';
import type { AnyExchangeType, FetchBatch, FetchContext, JsonObject, RecordUpdate } from '../types.js';

const logger = log('fetcher');

export interface DriveOptions {
  /** Commit once this many updates are pending. */
  readonly maxCommitUpdates: number;
  /** Commit pending updates at least this often (matchers hear of changes within about this long). */
  readonly maxCommitDelayMs: number;
  /** Stop after this long; the next run resumes from the last commit. */
  readonly timeLimitMs: number;
}

/** Applies updates and stores the checkpoint, atomically. */
export type CommitFn = (updates: readonly RecordUpdate[], checkpoint: JsonObject, progress: number | null) => Promise<void>;

export interface DriveResult {
  readonly upToDate: boolean;
  /** Updates committed by this run. */
  readonly items: number;
}

export interface DriveInput {
  readonly type: AnyExchangeType;
  readonly config: unknown;
  readonly credentials: unknown;
  /** The stored checkpoint JSON, null when never fetched. */
  readonly stored: unknown;
  readonly ctx: FetchContext;
  readonly commit: CommitFn;
  readonly name: string;
}

const TIMEOUT = Symbol('timeout');

export async function drive(input: DriveInput, opts: DriveOptions): Promise<DriveResult> {
  const { type, ctx, name } = input;
  const nowS = () => Math.floor(ctx.now() / 1000);
  let checkpoint = input.stored === null || input.stored === undefined ? null : type.parseCheckpoint(input.stored);
  // An API that always serves everything has nothing new once fetched (HMA fetches sample once).
  if (type.fetchOnce && checkpoint !== null) return { upToDate: true, items: 0 };
  if (checkpoint !== null && type.isStale(checkpoint, nowS())) {
    logger.warn({ exchange: name }, 'checkpoint is stale: fetching from scratch');
    checkpoint = null;
  }
  let progress = checkpoint === null ? null : type.progress(checkpoint);

  const started = ctx.now();
  let pending: RecordUpdate[] = [];
  let pendingCheckpoint: unknown = undefined;
  let pendingSince = 0;
  let items = 0;

  const flush = async () => {
    if (pendingCheckpoint === undefined) return;
    const updates = pending;
    const cp = pendingCheckpoint;
    pending = [];
    pendingCheckpoint = undefined;
    await input.commit(updates, type.checkpointJson(cp), type.progress(cp));
    items += updates.length;
  };

  const absorb = (batch: FetchBatch<unknown>) => {
    const next = type.progress(batch.checkpoint);
    if (progress !== null && next !== null && next < progress) {
      throw new ExchangeError('rewound', `${name}: checkpoint progress went backwards (${progress} → ${next}); not stored`);
    }
    if (next !== null) progress = next;
    if (pendingCheckpoint === undefined) pendingSince = ctx.now();
    for (const u of batch.updates) pending.push(u);
    pendingCheckpoint = batch.checkpoint;
  };

  const it = type.fetch(input.config, input.credentials, checkpoint, ctx)[Symbol.asyncIterator]();
  let finished = false;
  try {
    let next = it.next();
    for (;;) {
      next.catch(() => undefined); // awaited below; never an unhandled rejection while we commit
      let r: IteratorResult<FetchBatch<unknown>> | typeof TIMEOUT;
      if (pendingCheckpoint !== undefined) {
        const timer = new AbortController();
        const wait = Math.max(0, pendingSince + opts.maxCommitDelayMs - ctx.now());
        const elapsed = new Promise<typeof TIMEOUT>((resolve) => {
          const t = setTimeout(() => resolve(TIMEOUT), wait);
          timer.signal.addEventListener('abort', () => clearTimeout(t));
        });
        r = await Promise.race([next, elapsed]).finally(() => timer.abort());
        if (r === TIMEOUT) {
          await flush();
          r = await next;
        }
      } else r = await next;
      if (r.done) break;
      absorb(r.value);
      if (pending.length >= opts.maxCommitUpdates) await flush();
      if (ctx.now() - started >= opts.timeLimitMs) {
        await flush();
        return { upToDate: false, items };
      }
      next = it.next();
    }
    finished = true;
    await flush();
    return { upToDate: true, items };
  } catch (err) {
    // Batches already received came with their checkpoints: keep them.
    if (!finished) await flush();
    throw err;
  } finally {
    if (!finished) await it.return?.(undefined)?.catch(() => undefined);
  }
}
