/**
 * Processes a batch of events with at most `maxInFlight` at once and hands
 * contiguous completed prefixes to `commit`, one commit at a time, in order.
 * While a commit runs, later events keep processing and their results join the
 * next commit, so commits grow with load instead of costing one per event.
 *
 * Events are taken in order; `stopTaking` (e.g. a rebalance or a time budget)
 * ends intake, and what was started is still finished and committed. A commit
 * failure stops intake and is rethrown once in-flight work has settled.
 */
export interface WindowOptions<T, R> {
  readonly items: readonly T[];
  readonly maxInFlight: number;
  /** Must not throw: failures are results too (dead letters). */
  readonly process: (item: T, index: number) => Promise<R>;
  /** Receives results of items [from, from + results.length), in order. */
  readonly commit: (results: readonly R[], from: number) => Promise<void>;
  readonly stopTaking?: () => boolean;
}

/** Number of items committed (a prefix of `items`). */
export async function runWindow<T, R>(opts: WindowOptions<T, R>): Promise<number> {
  const { items, process, commit } = opts;
  const maxInFlight = Math.max(1, opts.maxInFlight);
  const results = new Array<R | undefined>(items.length);
  const done = new Uint8Array(items.length);
  let next = 0;
  let committed = 0;
  let inFlight = 0;
  let committing: Promise<void> | undefined;
  let failure: { err: unknown } | undefined;

  return new Promise<number>((resolve, reject) => {
    const finishIfIdle = () => {
      if (inFlight > 0 || committing) return;
      if (failure) return reject(failure.err);
      const readyUpTo = contiguousEnd();
      if (readyUpTo > committed) return startCommit(readyUpTo);
      if (next < items.length && !stopped()) return;
      resolve(committed);
    };
    const stopped = () => failure !== undefined || (opts.stopTaking?.() ?? false);
    const contiguousEnd = () => {
      let end = committed;
      while (end < next && done[end] === 1) end++;
      return end;
    };
    const startCommit = (end: number) => {
      const from = committed;
      const slice = results.slice(from, end) as R[];
      committing = commit(slice, from).then(
        () => {
          for (let i = from; i < end; i++) results[i] = undefined; // let committed results go
          committed = end;
        },
        (err: unknown) => {
          failure ??= { err };
        },
      );
      void committing.finally(() => {
        committing = undefined;
        pump();
      });
    };
    const pump = () => {
      while (!stopped() && inFlight < maxInFlight && next < items.length) {
        const index = next++;
        inFlight++;
        process(items[index], index).then(
          (r) => {
            results[index] = r;
            done[index] = 1;
          },
          (err: unknown) => {
            failure ??= { err };
          },
        ).finally(() => {
          inFlight--;
          pump();
        });
      }
      if (!committing && !failure) {
        const end = contiguousEnd();
        if (end > committed) {
          startCommit(end);
          return;
        }
      }
      finishIfIdle();
    };
    pump();
  });
}
