/**
 * The commit window of one partition: events are admitted in offset order, processed
 * with at most `maxInFlight` at once, and handed to `commit` as contiguous completed
 * runs, one commit at a time, in order. While a commit runs, later events keep
 * processing and their results join the next commit, so commits grow with load instead
 * of costing one per event.
 *
 * The window outlives the fetched batch an event came in: the consumer hands over a
 * batch and fetches the next while the window still works and commits, so a slow
 * event or a transaction in one partition never holds back the others.
 * Back-pressure: `admit` waits while `maxInFlight` events are processing or
 * `maxUncommitted` are not yet committed, so a backlog waits in Kafka, not in memory.
 *
 * A failed commit (or a `process` that throws) ends the window: it commits nothing
 * more, and `admit`/`drain` reject with the error.
 */
export interface CommitWindowOptions<T, R> {
  readonly maxInFlight: number;
  /** Admitted events not yet committed (processing, done, or in the commit running); at least `maxInFlight`. */
  readonly maxUncommitted: number;
  /** Must not throw: failures are results too (dead letters). */
  readonly process: (item: T) => Promise<R>;
  /** Commits a contiguous run of completed items, oldest first. */
  readonly commit: (items: readonly T[], results: readonly R[]) => Promise<void>;
  /** Once a result is ready and others are still processing, wait up to this long for them before committing (0 = never wait). */
  readonly lingerMs?: number;
  /**
   * Under a backlog (admission had to wait for room since the last commit began, and more input
   * is still waiting to be admitted), wait up to this long instead, or until `maxInFlight`
   * results are ready: the broker's cost is per transaction, so a backlog is committed in runs of
   * a window's worth rather than what one commit's latency happens to collect. A steady trickle
   * never fills the window and keeps `lingerMs`; so does a window that filled for a moment (a
   * shared hash pool busy with other partitions) once nothing more is waiting to be admitted.
   */
  readonly backlogLingerMs?: number;
  /** Called once, when the window fails. */
  readonly onFailure?: (err: unknown) => void;
}

interface Entry<T, R> {
  readonly item: T;
  done: boolean;
  result?: R;
}

export class CommitWindow<T, R> {
  private entries: Array<Entry<T, R>> = [];
  private inFlight = 0;
  private committing = 0;
  private failure: { readonly err: unknown } | undefined;
  private closed = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingered = false;
  /** Admission waited for room since the last commit began. */
  private pressed = false;
  /** `admit` calls waiting for room right now. */
  private admitsWaiting = 0;
  /** The pending linger timer is the backlog one. */
  private lingerIsBacklog = false;
  private waiters: Array<() => void> = [];

  constructor(private readonly opts: CommitWindowOptions<T, R>) {}

  /** The error that ended the window, if one did. */
  get error(): unknown {
    return this.failure?.err;
  }

  /** Starts processing `item` once there is room; rejects if the window failed or was closed. */
  async admit(item: T): Promise<void> {
    const maxInFlight = Math.max(1, this.opts.maxInFlight);
    const maxUncommitted = Math.max(maxInFlight, this.opts.maxUncommitted);
    const mustWait = () => !this.closed && !this.failure && (this.inFlight >= maxInFlight || this.entries.length + this.committing >= maxUncommitted);
    if (mustWait()) {
      this.pressed = true;
      this.admitsWaiting++;
      try {
        while (mustWait()) await this.changed();
      } finally {
        this.admitsWaiting--;
      }
      // Still a backlog if the caller's next admit is waiting by the time I/O callbacks run;
      // if not, the input ran out: a backlog linger in progress gives way to the short one.
      setImmediate(() => {
        if (this.admitsWaiting === 0 && this.lingerTimer !== undefined && this.lingerIsBacklog) this.pump();
      });
    }
    if (this.failure) throw this.failure.err;
    if (this.closed) throw new Error('commit window closed');
    const entry: Entry<T, R> = { item, done: false };
    this.entries.push(entry);
    this.inFlight++;
    this.opts.process(item).then(
      (result) => {
        entry.result = result;
        entry.done = true;
      },
      (err: unknown) => this.fail(err),
    ).finally(() => {
      this.inFlight--;
      this.pump();
    });
  }

  /** Resolves once everything admitted is committed; rejects if the window failed. Closed: resolves at once. */
  async drain(): Promise<void> {
    while (!this.closed && !this.failure && (this.entries.length > 0 || this.committing > 0)) await this.changed();
    if (this.failure) throw this.failure.err;
  }

  /** Takes and commits nothing more (a commit already running still finishes). */
  close(): void {
    this.closed = true;
    clearTimeout(this.lingerTimer);
    this.notify();
  }

  private pump(): void {
    this.notify();
    if (this.committing > 0 || this.failure || this.closed) return;
    let ready = 0;
    while (ready < this.entries.length && this.entries[ready].done) ready++;
    if (ready === 0) return;
    // Linger only while more results are on their way: with nothing in flight, waiting gains nothing.
    // A backlog linger only while input is still waiting to be admitted (see admit).
    const backlog = this.pressed && (this.opts.backlogLingerMs ?? 0) > 0 && this.admitsWaiting > 0;
    const linger = backlog ? (this.opts.backlogLingerMs ?? 0) : (this.opts.lingerMs ?? 0);
    const full = backlog && ready >= Math.max(1, this.opts.maxInFlight);
    if (linger > 0 && !this.lingered && this.inFlight > 0 && !full) {
      if (this.lingerTimer !== undefined && this.lingerIsBacklog && !backlog) {
        // The backlog ended: wait no longer than the short linger from now.
        clearTimeout(this.lingerTimer);
        this.lingerTimer = undefined;
      }
      if (this.lingerTimer === undefined) {
        this.lingerIsBacklog = backlog;
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = undefined;
          this.lingered = true;
          this.pump();
        }, linger);
      }
      return;
    }
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.lingered = false;
    this.pressed = false;
    const run = this.entries.splice(0, ready);
    this.committing = run.length;
    this.opts.commit(run.map((e) => e.item), run.map((e) => e.result as R)).then(
      () => undefined,
      (err: unknown) => this.fail(err),
    ).finally(() => {
      this.committing = 0;
      this.pump();
    });
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    this.failure = { err };
    clearTimeout(this.lingerTimer);
    this.opts.onFailure?.(err);
    this.notify();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }
}
