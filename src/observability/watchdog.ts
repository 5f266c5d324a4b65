/**
 * Whether this process is wedged (liveness) or overloaded (readiness), measured from
 * inside: a timer that notices how late it fires (event-loop lag), and a trivial task
 * on libuv's thread pool that notices when the pool stops taking work (as when native
 * image decoding holds every thread: file I/O, DNS and compression then hang with it).
 * A loop blocked outright cannot answer /status/live at all, which the probe's own
 * timeout reports.
 */
import { stat } from 'node:fs/promises';
import os from 'node:os';
import { Gauge } from 'prom-client';
import { registry } from './metrics.js';

export interface WatchdogOptions {
  /** How often the timer fires and the pool is asked. */
  readonly intervalMs?: number;
  /** Lag (averaged) above which the process reports OVERLOADED; 0 = never. */
  readonly overloadLagMs: number;
  /** Stall (loop or pool) above which the process reports itself not alive. */
  readonly stallMs: number;
}

let current: Watchdog | undefined;

// Event-loop lag itself is among Node's default metrics (hma_nodejs_eventloop_lag_*).
new Gauge({
  name: 'hma_thread_pool_stall_seconds',
  help: 'How long the oldest unanswered probe task has waited on libuv\'s thread pool (0 when it answers)',
  registers: [registry],
  collect() {
    this.set((current?.poolStallMs() ?? 0) / 1000);
  },
});

export class Watchdog {
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private lastTick = Date.now();
  private lag = 0;
  /** When the unanswered thread-pool probe was sent (0 = none outstanding). */
  private poolAskedAt = 0;

  constructor(private readonly opts: WatchdogOptions) {
    this.intervalMs = opts.intervalMs ?? 500;
  }

  /** The process's watchdog, started on first use. */
  static shared(opts: WatchdogOptions): Watchdog {
    current ??= new Watchdog(opts).start();
    return current;
  }

  start(): this {
    if (this.timer) return this;
    this.lastTick = Date.now();
    this.timer = setInterval(() => this.tick(), this.intervalMs).unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Event-loop lag, ms, smoothed (about the last 4 ticks). */
  get lagMs(): number {
    return this.lag;
  }

  poolStallMs(now = Date.now()): number {
    return this.poolAskedAt === 0 ? 0 : now - this.poolAskedAt;
  }

  /** Undefined while alive, else why not (EVENT-LOOP-STALLED, THREAD-POOL-STALLED). */
  liveness(now = Date.now()): string | undefined {
    // A loop that keeps running timers seconds late is wedged even if it answers this request.
    if (this.lag > this.opts.stallMs) return 'EVENT-LOOP-STALLED';
    if (this.poolStallMs(now) > this.opts.stallMs) return 'THREAD-POOL-STALLED';
    return undefined;
  }

  /** Undefined unless the loop lags past the overload threshold. */
  overload(): string | undefined {
    return this.opts.overloadLagMs > 0 && this.lag > this.opts.overloadLagMs ? 'OVERLOADED' : undefined;
  }

  private tick(): void {
    const now = Date.now();
    const late = Math.max(0, now - this.lastTick - this.intervalMs);
    this.lastTick = now;
    this.lag = this.lag * 0.75 + late * 0.25;
    if (this.poolAskedAt === 0) {
      this.poolAskedAt = now;
      // fs.stat runs on the thread pool; its answer is all we want.
      stat(os.tmpdir()).then(
        () => (this.poolAskedAt = 0),
        () => (this.poolAskedAt = 0),
      );
    }
  }
}
