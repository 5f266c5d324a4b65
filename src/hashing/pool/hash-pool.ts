/**
 * Hashing off the event loop: a piscina pool of worker threads running ./tasks.ts.
 *
 * At most one task per thread is handed to piscina at a time (callers wait in our own queue).
 * The time limit counts from the moment the worker starts the task (it writes that moment to
 * shared memory), so neither queueing nor a worker's start-up eats into it. A task over the
 * limit gets its worker terminated (piscina replaces it) and fails with a typed error; the
 * pool carries on.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
// Loaded here too so libvips stays loaded in the process when a worker thread is terminated.
import 'sharp';
import { unsupportedMedia, deserializeHmaError } from '../media-errors.js';
import { hashMetrics } from '../metrics.js';
import type { PdqHashValue, PhotoHash, PhotoHashOptions } from '../photo.js';
import type { ImageInput } from '../decode-image.js';
import { runTask, type HashTask, type TaskOutcome, type TaskValue } from './tasks.js';

/** What media hashing needs from an executor: the pool, or in-process for CLIs and tests. */
export interface HashExecutor {
  /** How many tasks can usefully run at once. */
  readonly concurrency: number;
  hashPhoto(input: ImageInput, options: PhotoHashOptions): Promise<PhotoHash>;
  hashFrame(rgb: Uint8Array, width: number, height: number): Promise<PdqHashValue>;
  close(): Promise<void>;
}

function unwrap<T extends TaskValue>(outcome: TaskOutcome<TaskValue>): T {
  if (!outcome.ok) throw deserializeHmaError(outcome.error);
  return outcome.value as T;
}

export interface HashPoolOptions {
  readonly threads?: number;
  readonly taskTimeoutMs: number;
}

export class HashPool implements HashExecutor {
  readonly concurrency: number;
  private readonly pool: Piscina;
  private readonly timeoutMs: number;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(opts: HashPoolOptions) {
    this.concurrency = Math.max(1, opts.threads ?? os.availableParallelism());
    this.timeoutMs = opts.taskTimeoutMs;
    this.pool = new Piscina({
      filename: new URL('./worker-entry.mjs', import.meta.url).href,
      // Started eagerly: a worker's start-up (loading the TypeScript through tsx) takes a while.
      minThreads: this.concurrency,
      maxThreads: this.concurrency,
      idleTimeout: 60_000,
    });
    hashMetrics.watchPool(this);
  }

  async hashPhoto(input: ImageInput, options: PhotoHashOptions): Promise<PhotoHash> {
    return unwrap<PhotoHash>(await this.run({ kind: 'photo', input, options }));
  }

  /** The frame buffer is transferred to the worker: the caller must not use it afterwards. */
  async hashFrame(rgb: Uint8Array, width: number, height: number): Promise<PdqHashValue> {
    const transferable = rgb.byteOffset === 0 && rgb.byteLength === rgb.buffer.byteLength;
    return unwrap<PdqHashValue>(
      await this.run({ kind: 'frame', rgb, width, height }, transferable ? [rgb.buffer as ArrayBuffer] : []),
    );
  }

  /** Test hook: occupies a worker for `ms` of busy CPU. */
  async sleepInWorker(ms: number): Promise<void> {
    await this.run({ kind: 'sleep', ms });
  }

  /** Threads currently alive (for tests and metrics). */
  get threads(): number {
    return this.pool.threads.length;
  }

  /** Tasks waiting for a free worker (metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  /** Tasks handed to a worker (metrics). */
  get busy(): number {
    return this.running;
  }

  async close(): Promise<void> {
    hashMetrics.unwatchPool(this);
    await this.pool.close({ force: true });
  }

  private async run(task: HashTask, transferList: ArrayBuffer[] = []): Promise<TaskOutcome<TaskValue>> {
    await this.acquire();
    const startedAt = new Float64Array(new SharedArrayBuffer(8));
    const abort = new AbortController();
    const watchdog = setInterval(() => {
      if (startedAt[0] > 0 && Date.now() - startedAt[0] > this.timeoutMs) abort.abort();
    }, Math.min(250, this.timeoutMs));
    try {
      return (await this.pool.run({ ...task, startedAt }, { signal: abort.signal, transferList })) as TaskOutcome<TaskValue>;
    } catch (err) {
      if (abort.signal.aborted) {
        throw unsupportedMedia(`hashing took longer than ${this.timeoutMs} ms and was stopped`, { reason: 'timeout' });
      }
      throw err;
    } finally {
      clearInterval(watchdog);
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** Same interface, same code, on the calling thread: for one-shot CLIs, tests and benchmarks. */
export class InProcessHasher implements HashExecutor {
  readonly concurrency = 1;

  async hashPhoto(input: ImageInput, options: PhotoHashOptions): Promise<PhotoHash> {
    return unwrap<PhotoHash>(await runTask({ kind: 'photo', input, options }));
  }

  async hashFrame(rgb: Uint8Array, width: number, height: number): Promise<PdqHashValue> {
    return unwrap<PdqHashValue>(await runTask({ kind: 'frame', rgb, width, height }));
  }

  async close(): Promise<void> {}
}
